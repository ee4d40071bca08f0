//! Test servers on real NATS and Postgres: each gets its own namespace of streams and
//! buckets and its own database, and removes them when it is cleaned up.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use illustrator_eventstore::Topology;
use illustrator_server::{App, Components, Config, Running, setup};
use serde_json::Value;

/// Every stream and bucket limit of a test namespace, so many can coexist on one server.
const TEST_MAX_BYTES: i64 = 64 << 20;

pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    dir.join("corpus").is_dir().then_some(dir)
}

fn base_database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(url: &str, name: &str) -> String {
    match url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => format!("{url}/{name}"),
    }
}

pub struct TestServer {
    pub base: String,
    pub key: String,
    pub app: App,
    pub config: Config,
    pub http: reqwest::Client,
    topology: Topology,
    running: Option<Running>,
    components: Components,
}

impl TestServer {
    pub async fn start() -> anyhow::Result<TestServer> {
        TestServer::start_with(Components::ALL).await
    }

    pub async fn start_with(components: Components) -> anyhow::Result<TestServer> {
        let suffix = &uuid::Uuid::new_v4().simple().to_string()[..12];
        let mut config = Config::from_env()?;
        config.nats_url =
            std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
        config.database_url = with_database(&base_database_url(), &format!("mi_t{suffix}"));
        config.namespace = format!("t{suffix}");
        config.bind = "127.0.0.1:0".parse()?;
        config.bootstrap_key = Some(illustrator_server::config::Secret::new(format!(
            "test-key-{suffix}"
        )));
        config.public_url = None;
        config.worker_concurrency = 4;

        setup::migrate(&config).await?;
        let topology = setup::setup_nats(&config, false, Some(TEST_MAX_BYTES)).await?;
        let app = App::connect(config.clone()).await?;

        let mut server = TestServer {
            base: String::new(),
            key: format!("test-key-{suffix}"),
            app,
            config,
            http: reqwest::Client::new(),
            topology,
            running: None,
            components,
        };
        server.run().await?;
        Ok(server)
    }

    async fn run(&mut self) -> anyhow::Result<()> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let running =
            illustrator_server::start(self.app.clone(), self.components, Some(listener)).await?;
        let addr = running.addr.context("no address")?;
        self.base = format!("http://{addr}");
        self.running = Some(running);
        Ok(())
    }

    /// Stops every component and starts a new process' worth of them on the same streams
    /// and database, as a server restart does.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        self.app = App::connect(self.config.clone()).await?;
        self.run().await
    }

    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }

    /// Removes the namespace's streams and buckets and the database.
    pub async fn cleanup(mut self) {
        self.stop().await;
        let js = &self.app.js;
        for stream in &self.topology.streams {
            let _ = js.delete_stream(&stream.name).await;
        }
        for kv in &self.topology.kv {
            let _ = js.delete_key_value(&kv.bucket).await;
        }
        for object in &self.topology.objects {
            let _ = js.delete_object_store(&object.bucket).await;
        }
        self.app.db.close().await;

        let name = format!("mi_{}", self.config.namespace);
        if let Ok(admin) = sqlx::PgPool::connect(&base_database_url()).await {
            let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            // The name is made of a fixed prefix and hex digits only.
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&admin).await;
        }
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
