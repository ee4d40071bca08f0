//! Why the Document aggregate refuses a command.

/// A broken rule; the edge answers these with a 4xx.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentError {
    #[error("this document has already been submitted")]
    AlreadySubmitted,
    #[error("no such document")]
    NotFound,
    #[error("the article is not valid UTF-8 at byte {offset}")]
    NotUtf8 { offset: usize },
    #[error("the article cannot be planned: {0}")]
    Unplannable(String),
    #[error("batch must be between 1 and {max}")]
    BadBatch { max: u32 },
    #[error("the document has no picture {index}")]
    NoSuchImage { index: u32 },
    #[error("picture {index} has no candidate {candidate}")]
    NoSuchCandidate { index: u32, candidate: u32 },
    #[error("job {job} is not waiting for an outcome")]
    UnknownJob { job: String },
}
