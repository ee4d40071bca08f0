//! Pipelined appends: many prepared commits in flight at once, acks awaited in a window.
//!
//! `EventStore::commit` handles one command at a time; a loader or an import that writes to
//! many aggregates would wait one round trip per commit. `append_many` publishes up to
//! `publish_window` commits before awaiting their acks, which keeps the client's in-flight
//! limit from blocking and reaches most of raw JetStream publish throughput.

use std::collections::{HashMap, VecDeque};

use async_nats::jetstream::context::{PublishAckFuture, PublishErrorKind};
use async_nats::jetstream::message::PublishMessage;
use cqrs_es::Aggregate;

use crate::append::IDEMPOTENCY_KEY;
use crate::store::JetStreamContext;
use crate::{JetStreamStore, StoreError, commit, snapshot};

/// One commit ready to be appended: its events and the concurrency token it expects.
pub struct PreparedCommit<A: Aggregate> {
    aggregate_id: String,
    stream_seq: u64,
    sequence: u64,
    events: Vec<A::Event>,
    metadata: HashMap<String, String>,
    state: Option<A>,
}

impl<A: Aggregate> PreparedCommit<A> {
    /// From a context whose aggregate already has `events` applied (as after `handle`),
    /// so the store can snapshot it.
    pub fn new(
        context: JetStreamContext<A>,
        events: Vec<A::Event>,
        metadata: HashMap<String, String>,
    ) -> PreparedCommit<A> {
        PreparedCommit {
            aggregate_id: context.aggregate_id,
            stream_seq: context.stream_seq,
            sequence: context.sequence,
            events,
            metadata,
            state: Some(context.aggregate),
        }
    }

    /// From bare positions, for writers that track them (no snapshot is written).
    pub fn from_parts(
        aggregate_id: &str,
        stream_seq: u64,
        sequence: u64,
        events: Vec<A::Event>,
        metadata: HashMap<String, String>,
    ) -> PreparedCommit<A> {
        PreparedCommit {
            aggregate_id: aggregate_id.to_owned(),
            stream_seq,
            sequence,
            events,
            metadata,
            state: None,
        }
    }
}

/// Where an appended commit landed: the tokens for the aggregate's next commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub stream_seq: u64,
    /// Per-aggregate sequence of the commit's last event.
    pub sequence: u64,
}

impl<A: Aggregate> JetStreamStore<A> {
    /// Appends many commits with their publishes pipelined, returning one result per commit
    /// in input order: [`StoreError::Conflict`] for a stale token. Commits on the same
    /// aggregate in one call conflict with each other except the first; chain them across
    /// calls instead. Idempotency keys are not supported here: use `commit` for those.
    pub async fn append_many(
        &self,
        commits: Vec<PreparedCommit<A>>,
    ) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
        if commits
            .iter()
            .any(|c| c.metadata.contains_key(IDEMPOTENCY_KEY))
        {
            let reason = "append_many does not take idempotency keys".to_owned();
            return Err(StoreError::InvalidCommit(reason));
        }

        let window = self.inner.config.publish_window.max(1);
        let mut results = Vec::with_capacity(commits.len());
        let mut in_flight = VecDeque::with_capacity(window);

        // A sliding window: the oldest ack is awaited only when the window is full, so the
        // connection never drains between batches.
        for prepared in commits {
            if in_flight.len() == window
                && let Some((oldest, sent)) = in_flight.pop_front()
            {
                results.push(self.finish(oldest, sent).await);
            }

            let sent = self.send(&prepared).await;
            in_flight.push_back((prepared, sent));
        }
        for (prepared, sent) in in_flight {
            results.push(self.finish(prepared, sent).await);
        }

        Ok(results)
    }

    async fn send(&self, prepared: &PreparedCommit<A>) -> Result<PublishAckFuture, StoreError> {
        let id = &prepared.aggregate_id;
        if prepared.events.is_empty() {
            return Err(StoreError::InvalidCommit(format!("no events for {id}")));
        }

        let subject = self.subject(id)?;
        let first = prepared.sequence + 1;
        let body = commit::encode(A::TYPE, id, first, &prepared.events, &prepared.metadata)?;

        // No message id: `append_many` never re-sends a publish, so the server's duplicate
        // table would only cost time, and the expected sequence already refuses a second copy.
        let mut message = PublishMessage::build()
            .payload(body)
            .expected_last_subject_sequence(prepared.stream_seq);
        if let Some(id) = commit::correlation_of(&prepared.metadata) {
            message = message.header(commit::CORRELATION_HEADER, id);
        }

        self.inner
            .js
            .send_publish(subject, message)
            .await
            .map_err(|error| StoreError::nats("publish commit", error))
    }

    async fn finish(
        &self,
        prepared: PreparedCommit<A>,
        sent: Result<PublishAckFuture, StoreError>,
    ) -> Result<Appended, StoreError> {
        let ack = match sent?.await {
            Ok(ack) if ack.duplicate => {
                return Err(StoreError::OutcomeUnknown {
                    aggregate_id: prepared.aggregate_id,
                    reason: "duplicate ack for a random message id".to_owned(),
                });
            }
            Ok(ack) => ack,
            Err(error) if error.kind() == PublishErrorKind::WrongLastSequence => {
                return Err(StoreError::Conflict {
                    aggregate_id: prepared.aggregate_id,
                });
            }
            Err(error) => return Err(StoreError::nats("commit ack", error)),
        };

        let sequence = prepared.sequence + prepared.events.len() as u64;
        let every = self.inner.config.snapshot_every;
        if let Some(state) = &prepared.state {
            let id = &prepared.aggregate_id;
            self.inner.cache.put(id, state, ack.sequence, sequence);
            if snapshot::due(every, prepared.sequence, sequence) {
                snapshot::write(&self.inner, id, state, ack.sequence, sequence).await;
            }
        }

        Ok(Appended {
            stream_seq: ack.sequence,
            sequence,
        })
    }
}
