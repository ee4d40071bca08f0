//! Committing one command: optimistic concurrency and the two layers of idempotency.
//!
//! Without an idempotency key every attempt gets a fresh random `Nats-Msg-Id`, so a losing
//! writer can never mistake someone else's message for its own.
//!
//! With a key (metadata `idempotency_key`) the store uses two layers:
//! 1. The KV record `<type>.<sha256(key)>` -> stream sequence of the first commit, created
//!    (create-only) right after that commit's ack and kept for the bucket's `max_age`. It is
//!    read before anything is published; a hit returns the first commit's envelopes.
//! 2. The `Nats-Msg-Id` derived from the key covers the gap between the ack and the KV record
//!    (a crash there, or two replays racing): inside the stream's duplicate window the server
//!    answers `duplicate: true` with the original's sequence. That answer is trusted only after
//!    reading the message at that sequence and finding the same message id on it.
//!
//! A key is scoped to the aggregate type, not the instance: a replay that names another
//! aggregate id still gets the first commit (whose envelopes carry the original id).
//! Known gap: a crash between the ack and the KV record, followed by a replay after the
//! duplicate window, appends a second time.

use std::collections::HashMap;

use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::kv::CreateErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::publish::PublishAck;
use cqrs_es::{Aggregate, EventEnvelope};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::JetStreamContext;
use crate::{JetStreamStore, StoreError, commit, reader, snapshot};

/// Metadata key that makes a command idempotent: a replay with the same key (per aggregate
/// type) returns the first commit's envelopes and appends nothing, for as long as the
/// idempotency bucket keeps the record (7 days in `nats/`).
pub const IDEMPOTENCY_KEY: &str = "idempotency_key";

/// What the idempotency bucket remembers about the first commit of a key.
#[derive(Debug, Serialize, Deserialize)]
struct IdempotencyRecord {
    stream_seq: u64,
    aggregate_id: String,
}

impl<A: Aggregate> JetStreamStore<A> {
    /// Appends one command's events as one message; the body of `EventStore::commit`.
    pub async fn append(
        &self,
        events: Vec<A::Event>,
        context: JetStreamContext<A>,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, StoreError> {
        let key = metadata
            .get(IDEMPOTENCY_KEY)
            .map(|key| hash_key(A::TYPE, key));

        if let Some(key) = &key
            && let Some(envelopes) = self.replay(key).await?
        {
            return Ok(envelopes);
        }
        if events.is_empty() {
            return Ok(Vec::new());
        }

        let message_id = match &key {
            Some(key) => key.clone(),
            None => uuid::Uuid::new_v4().to_string(),
        };
        let ack = match self
            .publish(&context, &events, &metadata, &message_id)
            .await
        {
            Err(StoreError::Conflict { aggregate_id }) => {
                return match &key {
                    Some(key) => self
                        .replay(key)
                        .await?
                        .ok_or(StoreError::Conflict { aggregate_id }),
                    None => Err(StoreError::Conflict { aggregate_id }),
                };
            }
            other => other?,
        };

        if ack.duplicate {
            return self
                .resolve_duplicate(&context, key.as_deref(), &message_id, &ack)
                .await;
        }
        if let Some(key) = &key {
            self.remember(key, &context.aggregate_id, ack.sequence)
                .await;
        }

        let sequence = context.sequence + events.len() as u64;
        let id = &context.aggregate_id;
        self.inner
            .cache
            .put(id, &context.aggregate, ack.sequence, sequence);
        if snapshot::due(self.inner.config.snapshot_every, context.sequence, sequence) {
            snapshot::write(&self.inner, id, &context.aggregate, ack.sequence, sequence).await;
        }

        Ok(to_envelopes(
            &context.aggregate_id,
            context.sequence + 1,
            events,
            &metadata,
        ))
    }

    /// Publishes the commit with the expected last subject sequence and awaits its ack.
    async fn publish(
        &self,
        context: &JetStreamContext<A>,
        events: &[A::Event],
        metadata: &HashMap<String, String>,
        message_id: &str,
    ) -> Result<PublishAck, StoreError> {
        let id = &context.aggregate_id;
        let subject = self.subject(id)?;
        let body = commit::encode(A::TYPE, id, context.sequence + 1, events, metadata)?;

        let mut message = PublishMessage::build()
            .payload(body)
            .message_id(message_id)
            .expected_last_subject_sequence(context.stream_seq);
        if let Some(id) = commit::correlation_of(metadata) {
            message = message.header(commit::CORRELATION_HEADER, id);
        }
        let pending = self
            .inner
            .js
            .send_publish(subject, message)
            .await
            .map_err(|error| StoreError::nats("publish commit", error))?;

        match pending.await {
            Ok(ack) => Ok(ack),
            Err(error) if error.kind() == PublishErrorKind::WrongLastSequence => {
                Err(StoreError::Conflict {
                    aggregate_id: id.clone(),
                })
            }
            // A lost ack leaves the outcome unknown; the caller reloads or retries with its key.
            Err(error) => Err(StoreError::nats("commit ack", error)),
        }
    }

    /// Returns the first commit's envelopes if the key was already committed.
    async fn replay(&self, key: &str) -> Result<Option<Vec<EventEnvelope<A>>>, StoreError> {
        let entry = self
            .inner
            .idempotency
            .get(key)
            .await
            .map_err(|error| StoreError::nats("read idempotency record", error))?;
        let Some(entry) = entry else {
            return Ok(None);
        };

        let record: IdempotencyRecord =
            serde_json::from_slice(&entry).map_err(|source| StoreError::Decode {
                stream_seq: 0,
                source,
            })?;
        let message = reader::at_sequence(&self.inner.stream, record.stream_seq).await?;
        let Some(message) = message else {
            return Err(StoreError::Missing(format!(
                "commit at {}",
                record.stream_seq
            )));
        };

        let commit = reader::decode(&message)?;
        tracing::debug!(stream_seq = commit.stream_seq, "idempotent replay");
        Ok(Some(self.envelopes(&commit)?))
    }

    /// A duplicate ack names the sequence of an earlier message with the same id. It counts as
    /// this command's answer only if that message really carries our id.
    async fn resolve_duplicate(
        &self,
        context: &JetStreamContext<A>,
        key: Option<&str>,
        message_id: &str,
        ack: &PublishAck,
    ) -> Result<Vec<EventEnvelope<A>>, StoreError> {
        let unknown = |reason: &str| StoreError::OutcomeUnknown {
            aggregate_id: context.aggregate_id.clone(),
            reason: reason.to_owned(),
        };
        let Some(key) = key else {
            return Err(unknown("duplicate ack for a random message id"));
        };
        if ack.sequence == 0 {
            return self
                .replay(key)
                .await?
                .ok_or_else(|| unknown("duplicate ack without sequence"));
        }

        let message = reader::at_sequence(&self.inner.stream, ack.sequence).await?;
        let Some(message) = message else {
            return Err(unknown("duplicate ack names a missing message"));
        };
        let stored_id = message
            .headers
            .get("Nats-Msg-Id")
            .map(|value| value.as_str());
        if stored_id != Some(message_id) {
            return Err(unknown("duplicate ack names a message with another id"));
        }

        let commit = reader::decode(&message)?;
        self.remember(key, &commit.aggregate_id, commit.stream_seq)
            .await;
        self.envelopes(&commit)
    }

    /// Records the first commit of a key. The commit is already durable, so a failure here
    /// only shortens the replay protection to the duplicate window; it is logged, not returned.
    async fn remember(&self, key: &str, aggregate_id: &str, stream_seq: u64) {
        let record = IdempotencyRecord {
            stream_seq,
            aggregate_id: aggregate_id.to_owned(),
        };
        let Ok(body) = serde_json::to_vec(&record) else {
            return;
        };

        match self.inner.idempotency.create(key, body.into()).await {
            Ok(_) => {}
            Err(error) if error.kind() == CreateErrorKind::AlreadyExists => {
                tracing::debug!(stream_seq, "idempotency record already present");
            }
            Err(error) => {
                tracing::warn!(aggregate_id, stream_seq, error = %error, "idempotency record lost");
            }
        }
    }
}

/// The envelopes of events that were just committed, numbered from `first_sequence`.
pub(crate) fn to_envelopes<A: Aggregate>(
    aggregate_id: &str,
    first_sequence: u64,
    events: Vec<A::Event>,
    metadata: &HashMap<String, String>,
) -> Vec<EventEnvelope<A>> {
    events
        .into_iter()
        .zip(first_sequence..)
        .map(|(payload, sequence)| EventEnvelope {
            aggregate_id: aggregate_id.to_owned(),
            sequence: sequence as usize,
            payload,
            metadata: metadata.clone(),
        })
        .collect()
}

/// A KV-safe key for a caller's idempotency key, which may hold any characters.
fn hash_key(aggregate_type: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{aggregate_type}.{hex}")
}
