//! The entry point: one shared client, the configuration, and a concurrency limit per
//! provider, dispatching each fetch to its provider's client.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use illustrator_analysis::{Placement, Source};
use reqwest::Url;
use tokio::sync::Semaphore;

use crate::config::{Endpoint, ProviderConfig};
use crate::error::SourceError;
use crate::guard::AddressGuard;
use crate::http::Http;
use crate::picture::{Downloader, Fetched};
use crate::{flux, generations, pexels, unsplash};

/// Connecting to a provider should never take long; answering may.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The seed price of one picture from `source`, in thousandths of a fen (1 fen = 1000).
pub fn price_milli_fen(source: Source) -> i64 {
    match source {
        Source::Doubao => 500,
        Source::Flux => 1_000,
        Source::Zhipu => 6_000,
        Source::Dalle => 40_000,
        Source::Unsplash | Source::Pexels | Source::Mermaid | Source::Chart | Source::Card => 0,
    }
}

/// The online sources behind one HTTP client. Cheap to clone; clones share the client,
/// its connection pool and the concurrency limits.
///
/// The limit of calls in flight per provider ([`ProviderConfig::max_in_flight`]) holds
/// within one process only. Worker replicas each have their own, so a limit shared across
/// replicas would need a counter in a NATS KV bucket, which this crate does not do yet.
#[derive(Clone, Debug)]
pub struct Providers {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: ProviderConfig,
    pub(crate) http: Http,
    pub(crate) downloader: Downloader,
    pub(crate) guard: AddressGuard,
    limits: HashMap<&'static str, Arc<Semaphore>>,
}

/// What a provider client needs for one call.
pub(crate) struct Call<'a> {
    pub(crate) inner: &'a Inner,
    pub(crate) provider: &'static str,
    pub(crate) key: &'a str,
    /// The API root without a trailing slash.
    pub(crate) base: &'a str,
    pub(crate) model: &'a str,
}

impl Call<'_> {
    /// The largest JSON answer read: enough for a base64 picture of the download limit.
    pub(crate) fn json_limit(&self) -> usize {
        self.inner.config.max_download_bytes / 3 * 4 + 64 * 1024
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.inner.config.request_timeout
    }
}

impl Providers {
    /// Builds the client. Proxies from the environment are not used: the address guard
    /// must see the real destination of every request.
    pub fn new(config: ProviderConfig) -> Result<Providers, SourceError> {
        let guard = AddressGuard::new(config.base_urls());
        let client = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .dns_resolver(guard.resolver())
            .redirect(guard.redirect_policy())
            .user_agent(concat!("markdown-illustrator/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SourceError::Client(e.to_string()))?;

        let http = Http {
            client,
            retry: config.retry,
        };
        let downloader = Downloader {
            http: http.clone(),
            guard: guard.clone(),
            timeout: config.download_timeout,
            limit: config.max_download_bytes,
        };
        let permits = config.max_in_flight.max(1);
        let limits = [
            "unsplash", "pexels", "dalle", "zhipu", "doubao", "flux", "llm",
        ]
        .into_iter()
        .map(|name| (name, Arc::new(Semaphore::new(permits))))
        .collect();

        let inner = Inner {
            config,
            http,
            downloader,
            guard,
            limits,
        };
        Ok(Providers {
            inner: Arc::new(inner),
        })
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.inner.config
    }

    /// Draws or finds a picture for `prompt` with an online source, downloads it at once
    /// and checks it. Waits for a free slot of the provider's concurrency limit first.
    pub async fn fetch(
        &self,
        source: Source,
        prompt: &str,
        placement: &Placement,
    ) -> Result<Fetched, SourceError> {
        let provider = source.as_str();
        let endpoint = self
            .inner
            .config
            .endpoint(source)
            .ok_or(SourceError::NotOnline {
                source_name: provider,
            })?;
        let (call, _permit) = self.inner.start(provider, endpoint).await?;

        let started = Instant::now();
        let result = match source {
            Source::Unsplash => unsplash::fetch(&call, prompt, placement).await,
            Source::Pexels => pexels::fetch(&call, prompt, placement).await,
            Source::Dalle => generations::openai(&call, prompt, placement).await,
            Source::Zhipu => generations::zhipu(&call, prompt, placement).await,
            Source::Doubao => generations::ark(&call, prompt, placement).await,
            Source::Flux => flux::fetch(&call, prompt, placement).await,
            Source::Mermaid | Source::Chart | Source::Card => Err(SourceError::NotOnline {
                source_name: provider,
            }),
        };

        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(f) => tracing::debug!(
                provider,
                elapsed_ms,
                bytes = f.bytes.len(),
                "picture fetched"
            ),
            Err(e) => tracing::debug!(provider, elapsed_ms, error = %e, "picture fetch failed"),
        }
        result.map(|mut fetched| {
            fetched.price_milli_fen = price_milli_fen(source);
            fetched
        })
    }
}

impl Inner {
    /// Checks that `endpoint` is usable and takes a slot of `provider`'s limit.
    pub(crate) async fn start<'a>(
        &'a self,
        provider: &'static str,
        endpoint: &'a Endpoint,
    ) -> Result<(Call<'a>, tokio::sync::OwnedSemaphorePermit), SourceError> {
        let not_configured = |reason: &str| SourceError::NotConfigured {
            source_name: provider,
            reason: reason.to_string(),
        };
        let key = endpoint
            .key
            .as_ref()
            .ok_or_else(|| not_configured("no API key"))?;
        Url::parse(&endpoint.base_url).map_err(|_| not_configured("the base URL is invalid"))?;

        let limit = self
            .limits
            .get(provider)
            .cloned()
            .ok_or_else(|| not_configured("no concurrency limit"))?;
        let permit = limit
            .acquire_owned()
            .await
            .map_err(|_| not_configured("the concurrency limit is closed"))?;

        let call = Call {
            inner: self,
            provider,
            key: key.expose(),
            base: endpoint.base_url.trim_end_matches('/'),
            model: &endpoint.model,
        };
        Ok((call, permit))
    }
}
