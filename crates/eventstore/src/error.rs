//! The error type of the event store and its conversion into cqrs-es errors.

use std::path::PathBuf;

use cqrs_es::AggregateError;

/// A boxed error from async-nats; its many per-call error types are kept as the source.
pub type NatsError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in the event store, grouped by what the caller should do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A namespace, aggregate type or aggregate id would not be a safe subject token.
    #[error("invalid {what} {value:?}: only {allowed} are allowed")]
    InvalidName {
        what: &'static str,
        value: String,
        allowed: &'static str,
    },

    /// A topology file could not be read.
    #[error("reading topology file {path}")]
    TopologyRead {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A topology file is not valid JSON of the expected shape.
    #[error("parsing topology file {path}")]
    TopologyParse {
        path: PathBuf,
        source: serde_json::Error,
    },

    /// The topology files are readable but inconsistent (bad duration, missing resource).
    #[error("invalid topology: {0}")]
    TopologyInvalid(String),

    /// Applying the topology would lose data or protection; pass `allow_destructive` to force.
    #[error("refusing destructive change to {resource}: {}", changes.join(", "))]
    Destructive {
        resource: String,
        changes: Vec<String>,
    },

    /// The server accepted a config but returned it without a setting that matters,
    /// which is what an older server does with fields it does not know.
    #[error("server ignored {field} of {resource}; it needs a newer nats-server")]
    ServerIgnored { resource: String, field: String },

    /// A stream, bucket or consumer the store needs does not exist; run `setup-nats`.
    #[error("{0} does not exist; apply the nats/ topology first")]
    Missing(String),

    /// A request to NATS failed (connection, timeout, server error).
    #[error("NATS {op} failed")]
    Nats { op: &'static str, source: NatsError },

    /// A stored message could not be decoded.
    #[error("cannot decode message at stream sequence {stream_seq}")]
    Decode {
        stream_seq: u64,
        source: serde_json::Error,
    },

    /// An aggregate's per-aggregate sequence jumps, which means lost or foreign messages.
    #[error("sequence gap in {aggregate_id}: expected {expected}, found {found}")]
    Gap {
        aggregate_id: String,
        expected: u64,
        found: u64,
    },

    /// Another commit landed first on the same aggregate.
    #[error("optimistic concurrency conflict on {aggregate_id}")]
    Conflict { aggregate_id: String },

    /// The publish may or may not have been stored; reload (or retry with an idempotency key).
    #[error("outcome of the commit to {aggregate_id} is unknown: {reason}")]
    OutcomeUnknown {
        aggregate_id: String,
        reason: String,
    },

    /// A commit the store will not write, such as one without events.
    #[error("invalid commit: {0}")]
    InvalidCommit(String),

    /// Events could not be serialized; a bug in the aggregate's types.
    #[error("cannot encode events")]
    Encode(#[source] serde_json::Error),
}

impl StoreError {
    /// Wraps an async-nats error with the name of the operation that failed.
    pub(crate) fn nats(op: &'static str, source: impl Into<NatsError>) -> StoreError {
        StoreError::Nats {
            op,
            source: source.into(),
        }
    }
}

impl<E: std::error::Error> From<StoreError> for AggregateError<E> {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { .. } => AggregateError::AggregateConflict,
            StoreError::Nats { .. } => AggregateError::DatabaseConnectionError(Box::new(error)),
            StoreError::Decode { .. } => AggregateError::DeserializationError(Box::new(error)),
            other => AggregateError::UnexpectedError(Box::new(other)),
        }
    }
}
