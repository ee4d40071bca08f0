//! What may be asked of a document. Imperatives, one enum.

use illustrator_analysis::{PlanOptions, SourceRequest};

use crate::events::{ArticleRef, AttemptError, GeneratedImage};
use crate::ids::{DocumentId, JobId};

pub use illustrator_meta::CommandContext;

#[derive(Clone, Debug)]
pub struct IllustrateDocument {
    pub document_id: DocumentId,
    pub owner: String,
    /// The article's bytes; planned here and stored elsewhere, never put into an event.
    pub markdown: Vec<u8>,
    pub article: ArticleRef,
    pub source: SourceRequest,
    pub batch: u32,
    pub options: PlanOptions,
}

/// How one job ended.
// Built once and moved a few times per command, so the size of the largest variant costs
// nothing worth boxing it for.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum ImageOutcome {
    Generated {
        image: GeneratedImage,
        errors: Vec<AttemptError>,
    },
    /// This try failed; the job will be delivered again.
    AttemptFailed { error: AttemptError },
    /// No source could draw it, or the attempts are used up.
    Failed { error: AttemptError },
}

// Built once and moved a few times per command, so the size of the largest variant costs
// nothing worth boxing it for.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum DocumentCommand {
    Illustrate(CommandContext, Box<IllustrateDocument>),
    RecordOutcome(CommandContext, JobId, ImageOutcome),
    /// Closes the document once every picture has an outcome; a no-op before that.
    Complete(CommandContext),
    SelectCandidate(CommandContext, u32, u32),
    /// Draws the given placements again, as a new generation of jobs.
    Regenerate(CommandContext, Vec<u32>),
}
