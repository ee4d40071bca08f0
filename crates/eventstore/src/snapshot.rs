//! Aggregate snapshots in a KV bucket, so that long-lived aggregates load in milliseconds.
//!
//! A snapshot is the aggregate's state right after the commit at `stream_seq`, taken from the
//! context cqrs-es hands to `commit` (its `EventSink` has already applied the new events, so
//! nothing is applied twice). Any snapshot older than the last commit is still correct: load
//! reads the commits after it. A snapshot is only an optimisation and its loss is harmless.

use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::store::Inner;

#[derive(Serialize)]
struct SnapshotRef<'a, S> {
    version: u32,
    stream_seq: u64,
    sequence: u64,
    state: &'a S,
}

/// A stored snapshot of one aggregate.
#[derive(Debug, Deserialize)]
pub(crate) struct Snapshot<S> {
    pub(crate) version: u32,
    pub(crate) stream_seq: u64,
    pub(crate) sequence: u64,
    pub(crate) state: S,
}

fn key(aggregate_type: &str, aggregate_id: &str) -> String {
    format!("{aggregate_type}.{aggregate_id}")
}

/// Whether a commit moving the aggregate from `before` to `after` events earns a snapshot.
pub(crate) fn due(every: u64, before: u64, after: u64) -> bool {
    every > 0 && after / every > before / every
}

/// Stores a snapshot without waiting for its ack, so that commits do not pay for it;
/// a failed write is logged by the client's acker and the next snapshot replaces it.
pub(crate) async fn write<A: Aggregate>(
    inner: &Inner,
    aggregate_id: &str,
    state: &A,
    stream_seq: u64,
    sequence: u64,
) {
    let snapshot = SnapshotRef {
        version: inner.config.snapshot_version,
        stream_seq,
        sequence,
        state,
    };
    let body = match serde_json::to_vec(&snapshot) {
        Ok(body) => body,
        Err(error) => {
            tracing::warn!(aggregate_id, error = %error, "snapshot not serializable");
            return;
        }
    };

    let subject = format!(
        "$KV.{}.{}",
        inner.snapshots.name,
        key(A::TYPE, aggregate_id)
    );
    if let Err(error) = inner.js.publish(subject, body.into()).await {
        tracing::warn!(aggregate_id, error = %error, "snapshot write failed");
    }
}

/// Reads a usable snapshot; a missing, unreadable or outdated one means a full load.
pub(crate) async fn read<A: Aggregate>(inner: &Inner, aggregate_id: &str) -> Option<Snapshot<A>> {
    let body = match inner.snapshots.get(key(A::TYPE, aggregate_id)).await {
        Ok(Some(body)) => body,
        Ok(None) => return None,
        Err(error) => {
            tracing::warn!(aggregate_id, error = %error, "snapshot read failed");
            return None;
        }
    };

    match serde_json::from_slice::<Snapshot<A>>(&body) {
        Ok(snapshot) if snapshot.version == inner.config.snapshot_version => Some(snapshot),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(aggregate_id, error = %error, "snapshot not decodable");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::due;

    #[test]
    fn a_snapshot_is_due_when_a_multiple_is_crossed() {
        assert!(due(50, 49, 50));
        assert!(due(50, 48, 53));
        assert!(!due(50, 50, 51));
        assert!(!due(0, 0, 1000));
    }
}
