//! The facts the Document aggregate records. Past tense, one enum, versions in one place.

use cqrs_es::DomainEvent;
use illustrator_analysis::{
    Classification, Credit, Language, Placement, PlanOptions, Source, SourceRequest,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{DocumentId, JobId};

pub use illustrator_meta::EventMeta;

/// The submitted article, kept by content address in the articles bucket; events never carry
/// the text itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleRef {
    pub sha256: String,
    pub bytes: u64,
}

/// One job for the generator workers: one candidate of one placement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ImageJob {
    pub job_id: JobId,
    pub index: u32,
    pub candidate: u32,
    pub generation: u32,
    pub source: Source,
    pub fallbacks: Vec<Source>,
}

/// A picture a worker drew and stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GeneratedImage {
    /// The id `/v1/images/{id}` serves it under.
    pub image_id: String,
    pub source: Source,
    /// Object name in the images bucket (its SHA-256).
    pub object: String,
    pub content_type: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    /// Price in milli-fen (1 fen = 1000), so that half a fen is exact.
    pub price_milli_fen: i64,
    /// The model that drew it, for AI sources.
    #[serde(default)]
    pub model: Option<String>,
    /// The provider's id of the request or result, for support and reconciliation.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The prompt the source was given, after any refinement by the chat model.
    #[serde(default)]
    pub prompt: Option<String>,
    /// The Mermaid code drawn, when the chat model wrote it instead of the plan's template.
    #[serde(default)]
    pub mermaid: Option<String>,
    /// The credit a stock photo's licence asks for.
    #[serde(default)]
    pub credit: Option<Credit>,
}

/// What went wrong in one try of one source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AttemptError {
    pub attempt: u32,
    pub source: Source,
    pub error: String,
}

// Built once and moved a few times per command, so the size of the largest variant costs
// nothing worth boxing it for.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum DocumentEvent {
    DocumentSubmitted {
        meta: EventMeta,
        document_id: DocumentId,
        owner: String,
        article: ArticleRef,
        source: SourceRequest,
        batch: u32,
        options: PlanOptions,
    },
    IllustrationPlanned {
        meta: EventMeta,
        title: Option<String>,
        language: Language,
        classification: Classification,
        placements: Vec<Placement>,
    },
    ImageRequested {
        meta: EventMeta,
        job: ImageJob,
    },
    ImageGenerated {
        meta: EventMeta,
        job_id: JobId,
        index: u32,
        candidate: u32,
        image: GeneratedImage,
        /// Sources that failed before the one that drew the picture.
        errors: Vec<AttemptError>,
    },
    /// A try that failed but will be retried; it keeps the picture's error history.
    ImageAttemptFailed {
        meta: EventMeta,
        job_id: JobId,
        index: u32,
        error: AttemptError,
    },
    ImageFailed {
        meta: EventMeta,
        job_id: JobId,
        index: u32,
        candidate: u32,
        errors: Vec<AttemptError>,
    },
    CandidateSelected {
        meta: EventMeta,
        index: u32,
        candidate: u32,
    },
    RegenerationRequested {
        meta: EventMeta,
        indexes: Vec<u32>,
        generation: u32,
    },
    DocumentCompleted {
        meta: EventMeta,
        /// `completed` when at least one picture was drawn, else `failed`.
        status: String,
        generated: u32,
        failed: u32,
    },
}

impl DocumentEvent {
    /// The event type names, in declaration order; the schema test walks them.
    pub const TYPES: [&'static str; 9] = [
        "DocumentSubmitted",
        "IllustrationPlanned",
        "ImageRequested",
        "ImageGenerated",
        "ImageAttemptFailed",
        "ImageFailed",
        "CandidateSelected",
        "RegenerationRequested",
        "DocumentCompleted",
    ];

    pub fn meta(&self) -> &EventMeta {
        match self {
            DocumentEvent::DocumentSubmitted { meta, .. }
            | DocumentEvent::IllustrationPlanned { meta, .. }
            | DocumentEvent::ImageRequested { meta, .. }
            | DocumentEvent::ImageGenerated { meta, .. }
            | DocumentEvent::ImageAttemptFailed { meta, .. }
            | DocumentEvent::ImageFailed { meta, .. }
            | DocumentEvent::CandidateSelected { meta, .. }
            | DocumentEvent::RegenerationRequested { meta, .. }
            | DocumentEvent::DocumentCompleted { meta, .. } => meta,
        }
    }

    pub fn type_name(&self) -> &'static str {
        let position = match self {
            DocumentEvent::DocumentSubmitted { .. } => 0,
            DocumentEvent::IllustrationPlanned { .. } => 1,
            DocumentEvent::ImageRequested { .. } => 2,
            DocumentEvent::ImageGenerated { .. } => 3,
            DocumentEvent::ImageAttemptFailed { .. } => 4,
            DocumentEvent::ImageFailed { .. } => 5,
            DocumentEvent::CandidateSelected { .. } => 6,
            DocumentEvent::RegenerationRequested { .. } => 7,
            DocumentEvent::DocumentCompleted { .. } => 8,
        };
        Self::TYPES[position]
    }

    /// Schema version of every document event; bump it together with an upcaster.
    pub const VERSION: &'static str = "1";
}

impl DomainEvent for DocumentEvent {
    fn event_type(&self) -> String {
        self.type_name().to_owned()
    }

    fn event_version(&self) -> String {
        Self::VERSION.to_owned()
    }
}
