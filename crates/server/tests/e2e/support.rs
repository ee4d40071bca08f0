//! Test servers on real NATS and Postgres: each gets its own namespace of streams and
//! buckets and its own database, and removes them when it is cleaned up.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use illustrator_server::testing::LocalServer;
use illustrator_server::{App, Components, Config};
use serde_json::Value;

pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    dir.join("corpus").is_dir().then_some(dir)
}

/// A local server with the HTTP helpers the tests use.
pub struct TestServer {
    pub local: LocalServer,
    pub base: String,
    pub key: String,
    pub app: App,
    pub config: Config,
    pub http: reqwest::Client,
}

impl TestServer {
    pub async fn start() -> anyhow::Result<TestServer> {
        TestServer::start_with(Components::ALL).await
    }

    pub async fn start_with(components: Components) -> anyhow::Result<TestServer> {
        TestServer::start_configured(components, |_| {}).await
    }

    /// Starts with the test's own changes to the configuration.
    pub async fn start_configured(
        components: Components,
        change: impl FnOnce(&mut Config),
    ) -> anyhow::Result<TestServer> {
        let local = LocalServer::start_with(components, change).await?;
        Ok(TestServer {
            base: local.base.clone(),
            key: local.key.clone(),
            app: local.app.clone(),
            config: local.config.clone(),
            http: reqwest::Client::new(),
            local,
        })
    }

    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.local.restart().await?;
        self.base = self.local.base.clone();
        self.app = self.local.app.clone();
        Ok(())
    }

    pub async fn cleanup(self) {
        self.local.cleanup().await;
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(&self.key)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(&self.key)
    }

    /// Submits an article and returns the 202 body.
    pub async fn submit(&self, markdown: &str, source: &str) -> anyhow::Result<Value> {
        let body = serde_json::json!({ "markdown": markdown, "source": source });
        let response = self.post("/v1/documents").json(&body).send().await?;
        let status = response.status();
        let text = response.text().await?;
        anyhow::ensure!(status.as_u16() == 202, "submit answered {status}: {text}");
        Ok(serde_json::from_str(&text)?)
    }

    /// Reads SSE messages until `completed` (or `limit` messages), resuming after `after`.
    pub async fn events(
        &self,
        id: &str,
        after: Option<u64>,
        limit: usize,
    ) -> anyhow::Result<Vec<SseMessage>> {
        let mut request = self.get(&format!("/v1/documents/{id}/events"));
        if let Some(after) = after {
            request = request.header("Last-Event-ID", after.to_string());
        }
        let response = request.send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "events answered {}",
            response.status()
        );

        let read = read_sse(response, limit);
        tokio::time::timeout(Duration::from_secs(90), read)
            .await
            .context("no completed event within 90 s")?
    }

    pub async fn wait_completed(&self, id: &str) -> anyhow::Result<Vec<SseMessage>> {
        self.events(id, None, usize::MAX).await
    }

    /// The stream's last sequence: a bad request must not move it.
    pub async fn last_seq(&self) -> anyhow::Result<u64> {
        Ok(self.app.log.last_seq().await?)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SseMessage {
    pub id: u64,
    pub event: String,
    pub data: Value,
}

async fn read_sse(response: reqwest::Response, limit: usize) -> anyhow::Result<Vec<SseMessage>> {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut messages = Vec::new();

    while let Some(chunk) = body.next().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk?));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut message = SseMessage {
                id: 0,
                event: String::new(),
                data: Value::Null,
            };
            for line in block.lines() {
                if let Some(id) = line.strip_prefix("id: ") {
                    message.id = id.trim().parse()?;
                } else if let Some(event) = line.strip_prefix("event: ") {
                    message.event = event.trim().to_owned();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    message.data = serde_json::from_str(data)?;
                }
            }
            if message.event.is_empty() {
                continue;
            }
            let done = message.event == "completed";
            messages.push(message);
            if done || messages.len() >= limit {
                return Ok(messages);
            }
        }
    }
    anyhow::bail!("the event stream ended before completion")
}
