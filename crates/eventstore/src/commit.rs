//! The stored form of a commit: one JetStream message holding all events of one command.

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// The NATS header that carries a commit's correlation id, so that the request that caused
/// a commit can be followed through every reader without decoding the payload.
pub const CORRELATION_HEADER: &str = "Correlation-Id";

/// The metadata key of the correlation id.
pub const CORRELATION_KEY: &str = "correlation_id";

/// The correlation id to send as a header, if the metadata has one.
pub(crate) fn correlation_of(metadata: &HashMap<String, String>) -> Option<&str> {
    metadata
        .get(CORRELATION_KEY)
        .map(String::as_str)
        .filter(|id| !id.is_empty())
}

/// One command's events as read back from the stream, in the order they were committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    /// The stream's own sequence: the global order, and the SSE event id.
    pub stream_seq: u64,
    pub subject: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// The per-aggregate sequence of the first event; the others follow without gaps.
    pub first_sequence: u64,
    pub events: Vec<RawEvent>,
    pub metadata: HashMap<String, String>,
    pub time: DateTime<Utc>,
}

/// One event of a commit, still as JSON so that readers need not know the aggregate's types.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    /// The per-aggregate sequence of this event.
    pub sequence: u64,
    pub event_type: String,
    pub event_version: String,
    pub payload: serde_json::Value,
}

impl Commit {
    /// The per-aggregate sequence of the commit's last event.
    pub fn last_sequence(&self) -> u64 {
        self.first_sequence + self.events.len() as u64 - 1
    }

    /// Takes the correlation id from the message's header when it has one.
    pub fn with_headers(mut self, headers: Option<&async_nats::HeaderMap>) -> Commit {
        let header = headers.and_then(|h| h.get(CORRELATION_HEADER));
        if let Some(id) = header.map(|value| value.as_str().to_owned()) {
            self.metadata.insert(CORRELATION_KEY.to_owned(), id);
        }
        self
    }

    /// The id of the request that caused this commit; empty when it has none.
    pub fn correlation_id(&self) -> &str {
        self.metadata
            .get(CORRELATION_KEY)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Decodes the message stored at `stream_seq` on `subject`.
    pub fn decode(stream_seq: u64, subject: &str, payload: &[u8]) -> Result<Commit, StoreError> {
        let record: CommitRecord = serde_json::from_slice(payload)
            .map_err(|source| StoreError::Decode { stream_seq, source })?;

        if record.events.is_empty() {
            let source = serde::de::Error::custom("a commit without events");
            return Err(StoreError::Decode { stream_seq, source });
        }

        let first_sequence = record.first_sequence;
        let events = record
            .events
            .into_iter()
            .zip(first_sequence..)
            .map(|(event, sequence)| RawEvent {
                sequence,
                event_type: event.event_type,
                event_version: event.event_version,
                payload: event.payload,
            })
            .collect();

        Ok(Commit {
            stream_seq,
            subject: subject.to_owned(),
            aggregate_type: record.aggregate_type,
            aggregate_id: record.aggregate_id,
            first_sequence,
            events,
            metadata: record.metadata,
            time: record.time,
        })
    }
}

/// The JSON body of a commit message, as read.
#[derive(Debug, Deserialize)]
struct CommitRecord {
    aggregate_type: String,
    aggregate_id: String,
    first_sequence: u64,
    events: Vec<EventRecord>,
    metadata: HashMap<String, String>,
    time: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct EventRecord {
    event_type: String,
    event_version: String,
    payload: serde_json::Value,
}

/// The body of a commit as written: borrows the events so that nothing is copied into an
/// intermediate JSON tree.
#[derive(Serialize)]
struct CommitRef<'a, E> {
    aggregate_type: &'a str,
    aggregate_id: &'a str,
    first_sequence: u64,
    events: Vec<EventRef<'a, E>>,
    metadata: &'a HashMap<String, String>,
    time: DateTime<Utc>,
}

#[derive(Serialize)]
struct EventRef<'a, E> {
    event_type: String,
    event_version: String,
    payload: &'a E,
}

/// Serializes a command's events into the body of one commit message.
pub(crate) fn encode<E: DomainEvent>(
    aggregate_type: &str,
    aggregate_id: &str,
    first_sequence: u64,
    events: &[E],
    metadata: &HashMap<String, String>,
) -> Result<Bytes, StoreError> {
    let events = events
        .iter()
        .map(|event| EventRef {
            event_type: event.event_type(),
            event_version: event.event_version(),
            payload: event,
        })
        .collect();

    let record = CommitRef {
        aggregate_type,
        aggregate_id,
        first_sequence,
        events,
        metadata,
        time: Utc::now(),
    };

    serde_json::to_vec(&record)
        .map(Bytes::from)
        .map_err(StoreError::Encode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_numbers_events_from_the_first_sequence() {
        let body = serde_json::json!({
            "aggregate_type": "document",
            "aggregate_id": "d1",
            "first_sequence": 4,
            "events": [
                {"event_type": "A", "event_version": "1", "payload": {"A": {}}},
                {"event_type": "B", "event_version": "2", "payload": {"B": {}}}
            ],
            "metadata": {"actor": "u1"},
            "time": "2026-12-03T10:00:00Z"
        });
        let bytes = serde_json::to_vec(&body).unwrap();

        let commit = Commit::decode(17, "mi.es.document.d1", &bytes).unwrap();

        assert_eq!(commit.stream_seq, 17);
        assert_eq!(commit.events[0].sequence, 4);
        assert_eq!(commit.events[1].sequence, 5);
        assert_eq!(commit.last_sequence(), 5);
        assert_eq!(commit.metadata["actor"], "u1");
    }

    #[test]
    fn decode_rejects_a_commit_without_events() {
        let body = br#"{"aggregate_type":"d","aggregate_id":"x","first_sequence":1,
            "events":[],"metadata":{},"time":"2026-12-03T10:00:00Z"}"#;

        let error = Commit::decode(3, "s", body).unwrap_err();

        assert!(matches!(error, StoreError::Decode { stream_seq: 3, .. }));
    }
}
