//! Why an online source could not deliver a picture, sorted by what the caller should do.

/// The outcome of a failed fetch. Each variant tells the worker what to do next:
/// [`SourceError::Retryable`] and [`SourceError::Timeout`] may succeed if the job is tried
/// again later; every other variant is final for this source, and the worker moves on to
/// the placement's next fallback.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Rate limits, server errors or connection failures that outlasted this crate's own
    /// bounded retries.
    #[error("{provider} is unavailable for now (status {status:?}): {message}")]
    Retryable {
        provider: &'static str,
        status: Option<u16>,
        message: String,
    },

    /// The provider did not answer within the request timeout.
    #[error("{provider} did not answer within {seconds:.1} s")]
    Timeout {
        provider: &'static str,
        seconds: f64,
    },

    /// The provider said no for good: a content-policy refusal, a bad key, or any other
    /// 4xx answer. Asking again with the same prompt gives the same answer.
    #[error("{provider} refused the request (status {status}): {reason}")]
    Refused {
        provider: &'static str,
        status: u16,
        reason: String,
        /// The refusal is the provider's content policy rather than a request problem.
        content_policy: bool,
    },

    /// A stock search found no photo for the prompt.
    #[error("{provider} has no picture for the prompt")]
    NothingFound { provider: &'static str },

    /// The source has no API key, or its base URL cannot be parsed.
    #[error("{source_name} is not configured: {reason}")]
    NotConfigured {
        source_name: &'static str,
        reason: String,
    },

    /// The HTTP client could not be built (its TLS set-up failed).
    #[error("the HTTP client could not be built: {0}")]
    Client(String),

    /// Offline sources are drawn by the render crate, not fetched.
    #[error("{source_name} is not an online source")]
    NotOnline { source_name: &'static str },

    /// The picture could not be downloaded: an expired or missing URL, a body that is too
    /// large or not an image.
    #[error("downloading the picture from {provider} failed: {reason}")]
    Download {
        provider: &'static str,
        reason: String,
    },

    /// A URL points at a private, loopback or link-local address that is not a configured
    /// provider host; no connection was made.
    #[error("refused to connect to {host}: not a public address and not a provider host")]
    ForbiddenAddress { host: String },

    /// The provider answered 2xx with a body this crate does not understand.
    #[error("{provider} sent an unexpected answer: {message}")]
    Protocol {
        provider: &'static str,
        message: String,
    },
}

impl SourceError {
    /// Whether trying the same job again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SourceError::Retryable { .. } | SourceError::Timeout { .. }
        )
    }

    pub(crate) fn protocol(provider: &'static str, message: impl Into<String>) -> SourceError {
        SourceError::Protocol {
            provider,
            message: message.into(),
        }
    }

    pub(crate) fn download(provider: &'static str, reason: impl Into<String>) -> SourceError {
        SourceError::Download {
            provider,
            reason: reason.into(),
        }
    }
}
