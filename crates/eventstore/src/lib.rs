//! Event store of Markdown Illustrator: cqrs-es aggregates persisted in JetStream, ordered
//! reads of the event stream, and the `nats/` topology of streams, consumers and buckets.
//!
//! Every aggregate instance has its own subject (`<ns>.es.<type>.<id>`) in one event stream;
//! each command's events are one message, so a commit is atomic on any server version. The
//! stream sequence of the subject's last message is the optimistic-concurrency token.

// Unit tests may unwrap: a panic there is a failed test.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod append;
mod cache;
mod commit;
mod config;
mod error;
mod log;
mod namespace;
mod pipeline;
mod reader;
mod snapshot;
mod store;
pub mod topology;
mod upcast;

pub use append::IDEMPOTENCY_KEY;
pub use commit::{CORRELATION_HEADER, CORRELATION_KEY, Commit, RawEvent};
pub use config::StoreConfig;
pub use error::{NatsError, StoreError};
pub use log::EventLog;
pub use namespace::Namespace;
pub use pipeline::{Appended, PreparedCommit};
pub use store::{JetStreamContext, JetStreamStore};
pub use topology::{ApplyReport, Topology};
pub use upcast::{UpcastFn, Upcasters};
