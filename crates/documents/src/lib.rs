//! The Document aggregate: what happens to one article from submission to its last picture.
//!
//! The aggregate decides in `handle` and changes state only in `apply`. It does no I/O and
//! knows nothing of JetStream, Postgres or HTTP; the server loads it through the event store
//! and feeds it commands.

mod aggregate;
mod commands;
mod error;
mod events;
mod ids;

pub use aggregate::{Candidate, Document, DocumentStatus, Slot, SlotStatus};
pub use commands::{CommandContext, DocumentCommand, IllustrateDocument, ImageOutcome};
pub use error::DocumentError;
pub use events::{ArticleRef, AttemptError, DocumentEvent, EventMeta, GeneratedImage, ImageJob};
pub use ids::{DocumentId, IdError, JobId};

/// Aggregate type name, used in subjects and event records.
pub const AGGREGATE_TYPE: &str = "document";

/// Candidates one placement may ask for.
pub const MAX_BATCH: u32 = 4;
