//! A whole server in the test's own process, on the real NATS and PostgreSQL, with its own
//! namespace of streams and buckets and its own database, both removed by `cleanup`. The
//! test suites of the server and of `mi` build on it.

pub mod bench;
mod providers;

pub use providers::{Answer, FakeProviders, Seen};

use anyhow::Context;
use illustrator_eventstore::Topology;

use crate::config::{Config, Secret};
use crate::{App, Components, Running, setup};

/// Every stream and bucket limit of a test namespace, so many can coexist on one server.
const TEST_MAX_BYTES: i64 = 64 << 20;

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

/// A further server process on the streams and database of a [`LocalServer`].
pub struct Replica {
    pub base: String,
    pub app: App,
    running: Running,
}

impl Replica {
    pub async fn stop(self) {
        self.running.stop().await;
        self.app.db.close().await;
    }
}

pub struct LocalServer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The bootstrap key the server accepts.
    pub key: String,
    pub app: App,
    pub config: Config,
    topology: Topology,
    running: Option<Running>,
    components: Components,
}

impl LocalServer {
    pub async fn start(components: Components) -> anyhow::Result<LocalServer> {
        LocalServer::start_with(components, |_| {}).await
    }

    /// Starts with the test's own changes to the configuration (fake providers, a fake
    /// OAuth provider's endpoints, lower rate limits, another NATS), made before anything
    /// is set up.
    pub async fn start_with(
        components: Components,
        change: impl FnOnce(&mut Config),
    ) -> anyhow::Result<LocalServer> {
        let suffix = &uuid::Uuid::new_v4().simple().to_string()[..12];
        let key = format!("test-key-{suffix}");

        let mut config = Config::from_env()?;
        config.nats_url =
            std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
        config.database_url = with_database(&base_database_url(), &format!("mi_t{suffix}"));
        config.namespace = format!("t{suffix}");
        config.bind = "127.0.0.1:0".parse()?;
        config.bootstrap_key = Some(Secret::new(key.clone()));
        config.public_url = None;
        config.worker_concurrency = 4;
        config.accounts.mail_dir = std::env::temp_dir().join(format!("mi-mail-{suffix}"));
        // Cheap hashes keep the suites fast; the default stays at OWASP's minimum.
        config.accounts.argon2_memory_kib = 1024;
        config.accounts.argon2_iterations = 1;
        config.nats_max_bytes = Some(TEST_MAX_BYTES);
        change(&mut config);

        setup::migrate(&config).await?;
        let topology = setup::setup_nats(&config, false, None).await?;
        let app = App::connect(config.clone()).await?;

        let mut server = LocalServer {
            base: String::new(),
            key,
            app,
            config,
            topology,
            running: None,
            components,
        };
        server.run().await?;
        Ok(server)
    }

    async fn run(&mut self) -> anyhow::Result<()> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let running = crate::start(self.app.clone(), self.components, Some(listener)).await?;
        let addr = running.addr.context("no address")?;
        self.base = format!("http://{addr}");
        self.running = Some(running);
        Ok(())
    }

    /// Stops every component and starts a new process' worth of them on the same streams
    /// and database, as a server restart does.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.stop().await;
        self.app = App::connect(self.config.clone()).await?;
        self.run().await
    }

    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }

    /// Another process's worth of `components` on the same streams, buckets and database,
    /// as a second replica behind a load balancer would be. Stop it before `cleanup`.
    pub async fn replica(&self, components: Components) -> anyhow::Result<Replica> {
        let app = App::connect(self.config.clone()).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let running = crate::start(app.clone(), components, Some(listener)).await?;
        let addr = running.addr.context("no address")?;

        Ok(Replica {
            base: format!("http://{addr}"),
            app,
            running,
        })
    }

    /// Removes the namespace's streams and buckets, the database and the mail folder.
    pub async fn cleanup(mut self) {
        self.stop().await;
        let _ = std::fs::remove_dir_all(&self.config.accounts.mail_dir);

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
            // The name is a fixed prefix and hex digits only.
            let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&admin).await;
        }
    }
}
