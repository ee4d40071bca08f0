//! Identifiers of documents and image jobs.
//!
//! Both become NATS subject tokens and URL path segments, so they are limited to
//! `[A-Za-z0-9_-]`.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a valid identifier: {0:?}")]
pub struct IdError(pub String);

/// A document's id: a UUIDv7, so ids sort by creation time.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct DocumentId(pub Uuid);

impl DocumentId {
    pub fn new() -> DocumentId {
        DocumentId(Uuid::now_v7())
    }

    /// The id a replayed submission maps to: the same owner and idempotency key always name
    /// the same document, so a retried request finds the first one instead of making another.
    pub fn for_idempotency_key(owner: &str, key: &str) -> DocumentId {
        let name = format!("{owner}\u{1f}{key}");
        DocumentId(Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes()))
    }

    pub fn parse(text: &str) -> Result<DocumentId, IdError> {
        Uuid::try_parse(text)
            .map(DocumentId)
            .map_err(|_| IdError(text.to_owned()))
    }
}

impl Default for DocumentId {
    fn default() -> Self {
        DocumentId::new()
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

/// One attempt to draw one candidate of one placement. It is derived from the document, the
/// placement, the candidate and the generation, so a redelivered job carries the same id and
/// its outcome is recorded once.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct JobId(pub String);

impl JobId {
    pub fn new(document: DocumentId, index: u32, candidate: u32, generation: u32) -> JobId {
        JobId(format!(
            "{}-{index}-{candidate}-{generation}",
            document.0.simple()
        ))
    }

    pub fn parse(text: &str) -> Result<JobId, IdError> {
        let valid = !text.is_empty()
            && text.len() <= 80
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');

        if valid {
            Ok(JobId(text.to_owned()))
        } else {
            Err(IdError(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
