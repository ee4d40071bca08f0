//! Sending provider requests: per-attempt timeouts, bounded retries with exponential backoff
//! that honours `Retry-After`, bounded body reads, and 4xx answers turned into refusals.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::config::RetryPolicy;
use crate::error::SourceError;

/// The most of an error body read to explain a refusal.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Words by which providers mark a refusal as their content policy.
const POLICY_MARKERS: [&str; 7] = [
    "content_policy",
    "moderat",
    "safety",
    "sensitive",
    "unsafe",
    "1301",
    "inappropriate",
];

/// The shared client and the retry rules every provider call goes through.
#[derive(Clone, Debug)]
pub(crate) struct Http {
    pub(crate) client: reqwest::Client,
    pub(crate) retry: RetryPolicy,
}

impl Http {
    /// Sends the request `build` makes, again after 429, 5xx or a failed connection, until
    /// the policy's attempts or total time run out. Timeouts are retried only when
    /// `idempotent`: a generation that timed out may still be running and billed, so it is
    /// not started twice. Any other status comes back as the response for the caller.
    pub(crate) async fn send(
        &self,
        provider: &'static str,
        idempotent: bool,
        timeout: Duration,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, SourceError> {
        let started = Instant::now();
        let mut attempt = 1;

        loop {
            let outcome = build().timeout(timeout).send().await;

            let (failure, asked_wait) = match outcome {
                Ok(resp) if !is_transient(resp.status()) => return Ok(resp),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let wait = retry_after(resp.headers());
                    let message = error_text(read_limited(resp, ERROR_BODY_LIMIT, provider).await);
                    let failure = SourceError::Retryable {
                        provider,
                        status: Some(status),
                        message,
                    };
                    (failure, wait)
                }
                Err(e) if forbidden(&e).is_some() => {
                    return Err(forbidden(&e).unwrap_or_else(|| transport(provider, &e)));
                }
                Err(e) if e.is_timeout() && !idempotent => {
                    return Err(timed_out(provider, timeout));
                }
                Err(e) if e.is_timeout() => (timed_out(provider, timeout), None),
                Err(e) if e.is_connect() => (transport(provider, &e), None),
                Err(e) => return Err(SourceError::protocol(provider, error_chain(&e))),
            };

            let wait = asked_wait.unwrap_or_else(|| self.backoff(attempt));
            let out_of_time = started.elapsed() + wait > self.retry.total;
            if attempt >= self.retry.max_attempts || out_of_time {
                return Err(failure);
            }

            tracing::warn!(
                provider,
                attempt,
                wait_ms = wait.as_millis() as u64,
                error = %failure,
                "provider call failed, retrying"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The wait after failed attempt `attempt` (1-based): doubling from the base delay, capped,
    /// with up to a quarter of random jitter so that many callers do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let doubled = self
            .retry
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(16));
        let capped = doubled.min(self.retry.max_delay);

        let quarter = capped.as_millis() as u64 / 4;
        let jitter = RandomState::new().build_hasher().finish() % (quarter + 1);
        capped + Duration::from_millis(jitter)
    }
}

fn is_transient(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }

    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

fn timed_out(provider: &'static str, timeout: Duration) -> SourceError {
    SourceError::Timeout {
        provider,
        seconds: timeout.as_secs_f64(),
    }
}

fn transport(provider: &'static str, e: &reqwest::Error) -> SourceError {
    SourceError::Retryable {
        provider,
        status: None,
        message: error_chain(e),
    }
}

/// The address guard's refusal, when it is what stopped the request (in the resolver or
/// a redirect); such a failure is final, never retried.
fn forbidden(e: &reqwest::Error) -> Option<SourceError> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(SourceError::ForbiddenAddress { host }) = c.downcast_ref::<SourceError>() {
            return Some(SourceError::ForbiddenAddress { host: host.clone() });
        }
        cause = c.source();
    }
    None
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The body, refused once it passes `limit` bytes.
pub(crate) async fn read_limited(
    resp: Response,
    limit: usize,
    provider: &'static str,
) -> Result<Vec<u8>, SourceError> {
    let too_large = || SourceError::download(provider, format!("body larger than {limit} bytes"));
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }

    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| match e.is_timeout() {
            true => SourceError::download(provider, "the body did not arrive in time"),
            false => SourceError::download(provider, error_chain(&e)),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A 2xx answer's JSON and the provider's request id header; a 4xx answer as a refusal.
pub(crate) async fn json<T: DeserializeOwned>(
    provider: &'static str,
    resp: Response,
    limit: usize,
) -> Result<(T, Option<String>), SourceError> {
    if !resp.status().is_success() {
        return Err(refusal(provider, resp).await);
    }

    let request_id = request_id(resp.headers());
    let body = read_limited(resp, limit, provider).await?;
    let value = serde_json::from_slice(&body)
        .map_err(|e| SourceError::protocol(provider, format!("bad JSON: {e}")))?;
    Ok((value, request_id))
}

/// A final (non-2xx, non-transient) answer as [`SourceError::Refused`].
pub(crate) async fn refusal(provider: &'static str, resp: Response) -> SourceError {
    let status = resp.status().as_u16();
    let reason = error_text(read_limited(resp, ERROR_BODY_LIMIT, provider).await);

    let lower = reason.to_ascii_lowercase();
    let content_policy = POLICY_MARKERS.iter().any(|m| lower.contains(m));
    SourceError::Refused {
        provider,
        status,
        reason,
        content_policy,
    }
}

/// The request id a provider puts in its answer's headers.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-request-id", "request-id", "x-tt-logid"]
        .into_iter()
        .find_map(|name| headers.get(name)?.to_str().ok())
        .map(str::to_string)
}

/// The message of an error body: `error.message` and `error.code`, `message` or `detail`
/// when it is JSON, else the start of the text.
fn error_text(body: Result<Vec<u8>, SourceError>) -> String {
    let Ok(body) = body else {
        return "unreadable error body".to_string();
    };

    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
        let error = &value["error"];
        let message = error["message"]
            .as_str()
            .or(error.as_str())
            .or(value["message"].as_str())
            .or(value["detail"].as_str());
        let code = error["code"]
            .as_str()
            .map(str::to_string)
            .or(error["code"].as_i64().map(|c| c.to_string()));
        match (code, message) {
            (Some(code), Some(message)) => return format!("{code}: {message}"),
            (None, Some(message)) => return message.to_string(),
            _ => {}
        }
    }

    String::from_utf8_lossy(&body).chars().take(300).collect()
}
