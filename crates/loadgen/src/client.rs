//! The few calls of the server's HTTP API that the scenarios make.

use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::json;

use crate::sse::{SseEvent, SseParser};

/// A document as POST /v1/documents and GET /v1/documents/{id} describe it.
#[derive(Clone, Debug, Deserialize)]
pub struct DocumentView {
    pub id: String,
    pub status: String,
    pub images: Vec<serde_json::Value>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl DocumentView {
    /// Every picture has an outcome.
    pub fn is_done(&self) -> bool {
        self.status == "completed" || self.status == "failed"
    }
}

/// The HTTP client of one server, with the bearer key it acts as.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    pub fn new(base: &str, key: &str) -> anyhow::Result<Api> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(2048)
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("building the http client")?;
        Ok(Api {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// GET /ready answered 200.
    pub async fn ready(&self) -> bool {
        let response = self
            .http
            .get(format!("{}/ready", self.base))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        matches!(response, Ok(r) if r.status().is_success())
    }

    /// POST /v1/documents with the `auto` source; a status other than 202 is an error.
    pub async fn submit(&self, markdown: &str) -> anyhow::Result<DocumentView> {
        self.submit_with_source(markdown, "auto").await
    }

    pub async fn submit_with_source(
        &self,
        markdown: &str,
        source: &str,
    ) -> anyhow::Result<DocumentView> {
        let response = self
            .http
            .post(format!("{}/v1/documents", self.base))
            .bearer_auth(&self.key)
            .timeout(Duration::from_secs(30))
            .json(&json!({ "markdown": markdown, "source": source }))
            .send()
            .await
            .context("submitting a document")?;
        expect_status(response, reqwest::StatusCode::ACCEPTED).await
    }

    pub async fn document(&self, id: &str) -> anyhow::Result<DocumentView> {
        let response = self
            .http
            .get(format!("{}/v1/documents/{id}", self.base))
            .bearer_auth(&self.key)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .context("reading a document")?;
        expect_status(response, reqwest::StatusCode::OK).await
    }

    /// Asks for the picture at `index` to be drawn again.
    pub async fn regenerate(&self, id: &str, index: u32) -> anyhow::Result<()> {
        let response = self
            .http
            .post(format!("{}/v1/documents/{id}/regenerate", self.base))
            .bearer_auth(&self.key)
            .timeout(Duration::from_secs(30))
            .json(&json!({ "index": index }))
            .send()
            .await
            .context("asking for a picture again")?;
        expect_status::<serde_json::Value>(response, reqwest::StatusCode::ACCEPTED).await?;
        Ok(())
    }

    /// Opens the document's event stream; the answer's headers have arrived when it returns.
    pub async fn events(&self, id: &str) -> anyhow::Result<EventStream> {
        let response = self
            .http
            .get(format!("{}/v1/documents/{id}/events", self.base))
            .bearer_auth(&self.key)
            .header("accept", "text/event-stream")
            .send()
            .await
            .context("opening an event stream")?;
        if response.status() != reqwest::StatusCode::OK {
            bail!("event stream answered {}", response.status());
        }
        Ok(EventStream {
            body: Box::pin(response.bytes_stream()),
            parser: SseParser::new(),
            ready: std::collections::VecDeque::new(),
        })
    }
}

async fn expect_status<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    expected: reqwest::StatusCode,
) -> anyhow::Result<T> {
    let status = response.status();
    if status != expected {
        let body = response.text().await.unwrap_or_default();
        bail!("expected {expected}, got {status}: {body}");
    }
    response.json().await.context("reading a json answer")
}

type Body = std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// The events of one open SSE connection, in order.
pub struct EventStream {
    body: Body,
    parser: SseParser,
    ready: std::collections::VecDeque<SseEvent>,
}

impl EventStream {
    /// The next event, or `None` when the server closed the stream.
    pub async fn next(&mut self) -> anyhow::Result<Option<SseEvent>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Ok(Some(event));
            }
            match self.body.next().await {
                Some(chunk) => {
                    let chunk = chunk.context("reading an event stream")?;
                    self.ready.extend(self.parser.feed(&chunk));
                }
                None => return Ok(None),
            }
        }
    }
}

/// The commit time an event's JSON carries in `meta.at`.
pub fn event_time(data: &str) -> Option<DateTime<Utc>> {
    let value: serde_json::Value = serde_json::from_str(data).ok()?;
    let at = value.get("meta")?.get("at")?.as_str()?;
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_time_is_read_from_meta() {
        let data = r#"{"meta":{"at":"2026-12-01T10:00:00.250+00:00","actor":"a"},"index":0}"#;

        let at = event_time(data).map(|t| t.timestamp_millis());

        assert_eq!(at, Some(1_796_119_200_250));
    }

    #[test]
    fn an_event_without_time_has_none() {
        assert_eq!(event_time(r#"{"index":0}"#), None);
        assert_eq!(event_time("not json"), None);
    }
}
