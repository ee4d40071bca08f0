//! The work-queue message for one picture, and how a worker's failures are sorted.

use chrono::{DateTime, Utc};
use illustrator_analysis::{ImageFormat, Language, Placement};
use illustrator_documents::{DocumentId, ImageJob};
use serde::{Deserialize, Serialize};

/// Everything a worker needs to draw one candidate, so it never reads the event stream.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobMessage {
    pub document_id: DocumentId,
    pub job: ImageJob,
    pub placement: Placement,
    pub article_title: Option<String>,
    /// The article's language, which refined prompts are written in.
    #[serde(default)]
    pub language: Option<Language>,
    /// What the offline sources deliver.
    #[serde(default)]
    pub image_format: ImageFormat,
    /// The request that caused the job, carried into the events the worker records.
    pub correlation_id: String,
    /// The document's owner, whose usage the picture counts on.
    #[serde(default)]
    pub owner: String,
    /// When the picture was requested: its quota day and billing month. Jobs queued before
    /// billing existed have none and are not billed.
    #[serde(default)]
    pub requested_at: Option<DateTime<Utc>>,
}

/// What a failed step means for the message in the work queue.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another delivery: a backing service was briefly unavailable.
    #[error("{0}")]
    Transient(String),
    /// Another delivery cannot help: the message is unreadable or names an unknown job.
    #[error("{0}")]
    Permanent(String),
}
