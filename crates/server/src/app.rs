//! The shared handles every component works with: NATS, the event store, Postgres, buckets.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream;
use illustrator_documents::Document;
use illustrator_eventstore::{EventLog, JetStreamStore, Namespace, StoreConfig};
use illustrator_sources::{LlmClient, Providers};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::sync::Semaphore;

use crate::accounts::Accounts;
use crate::billing::Billing;
use crate::config::Config;
use crate::objects::Bucket;
use crate::worker::ProviderLimits;

/// Cheap to clone; each component holds one.
#[derive(Clone)]
pub struct App {
    pub inner: Arc<Inner>,
}

pub struct Inner {
    pub config: Config,
    pub nats: async_nats::Client,
    pub js: jetstream::Context,
    pub ns: Namespace,
    pub documents: JetStreamStore<Document>,
    pub log: EventLog,
    pub db: PgPool,
    pub articles: Bucket,
    pub images: Bucket,
    /// The online sources; those without a key are unavailable.
    pub providers: Providers,
    /// The chat model that refines prompts and writes Mermaid, when `LLM_API_KEY` is set.
    pub llm: Option<LlmClient>,
    pub provider_limits: ProviderLimits,
    /// One offline drawing per core at a time, however many jobs are in flight.
    pub render_slots: Semaphore,
    pub accounts: Accounts,
    pub billing: Billing,
}

impl std::ops::Deref for App {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl App {
    /// The prefix of the links the API hands out: the public URL, or relative links.
    pub fn base_url(&self) -> String {
        self.config
            .public_url
            .as_deref()
            .unwrap_or("")
            .trim_end_matches('/')
            .to_owned()
    }

    /// Connects to NATS and Postgres and opens the streams and buckets `setup-nats` made.
    pub async fn connect(config: Config) -> anyhow::Result<App> {
        let nats = connect_nats(&config.nats_url).await?;
        let js = jetstream_context(nats.clone());
        let ns = Namespace::new(&config.namespace).context("reading ILLUSTRATOR_NAMESPACE")?;
        let db = connect_db(&config.database_url).await?;

        let documents = JetStreamStore::new(js.clone(), &ns, StoreConfig::default())
            .await
            .context("opening the document event store")?;
        let usage = JetStreamStore::new(js.clone(), &ns, StoreConfig::default())
            .await
            .context("opening the usage event store")?;
        let price_list = JetStreamStore::new(js.clone(), &ns, StoreConfig::default())
            .await
            .context("opening the price list's event store")?;
        let subscriptions = JetStreamStore::new(js.clone(), &ns, StoreConfig::default())
            .await
            .context("opening the subscriptions' event store")?;
        let billing = Billing::new(usage, price_list, subscriptions, config.calendar);
        billing.refresh().await.context("reading the price list")?;
        let log = EventLog::new(js.clone(), &ns)
            .await
            .context("opening the event log")?;
        let articles = Bucket::open(&js, &ns.object_bucket("articles"))
            .await
            .context("opening the articles bucket (run `illustrator setup-nats`)")?;
        let images = Bucket::open(&js, &ns.object_bucket("images"))
            .await
            .context("opening the images bucket (run `illustrator setup-nats`)")?;

        let mut provider_config = config.providers.clone();
        provider_config.max_in_flight = config.provider_concurrency as usize;
        let providers =
            Providers::new(provider_config).context("building the picture providers' client")?;
        let llm = providers.llm().ok();
        let limits = js
            .get_key_value(ns.kv_bucket("provider_limits"))
            .await
            .context("opening the provider limits bucket (run `illustrator setup-nats`)")?;
        let provider_limits = ProviderLimits::new(
            limits,
            config.provider_concurrency,
            config.provider_rate_per_minute,
        );
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let accounts = Accounts::open(&js, &ns, config.accounts.clone(), db.clone()).await?;
        if config.bootstrap_key.is_some() {
            accounts
                .seed_bootstrap()
                .await
                .context("seeding the bootstrap superadmin")?;
        }

        let inner = Inner {
            config,
            nats,
            js,
            ns,
            documents,
            log,
            db,
            articles,
            images,
            providers,
            llm,
            provider_limits,
            render_slots: Semaphore::new(cores),
            accounts,
            billing,
        };
        Ok(App {
            inner: Arc::new(inner),
        })
    }
}

/// Connects to NATS (a comma-separated list of servers is a cluster), following the
/// connection's state in the metrics and the log.
pub async fn connect_nats(url: &str) -> anyhow::Result<async_nats::Client> {
    async_nats::ConnectOptions::new()
        .name("illustrator")
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5))
        .event_callback(|event| async move {
            crate::metrics::nats_event(&event);
            match event {
                async_nats::Event::Disconnected => tracing::warn!("NATS disconnected"),
                async_nats::Event::Connected => tracing::info!("NATS connected"),
                async_nats::Event::LameDuckMode => {
                    tracing::info!("NATS server entering lame duck mode")
                }
                other => tracing::debug!(event = %other, "NATS event"),
            }
        })
        .connect(servers(url))
        .await
        .with_context(|| format!("connecting to NATS at {}", crate::config::redact_url(url)))
}

/// The servers of `NATS_URL`: one URL, or a comma-separated list of a cluster's members.
pub fn servers(url: &str) -> Vec<&str> {
    url.split(',')
        .map(str::trim)
        .filter(|one| !one.is_empty())
        .collect()
}

/// A JetStream context whose requests time out on purpose rather than by accident.
pub fn jetstream_context(nats: async_nats::Client) -> jetstream::Context {
    jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(10))
        .build(nats)
}

pub async fn connect_db(url: &str) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .context("connecting to Postgres (DATABASE_URL)")
}
