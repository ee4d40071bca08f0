//! Provider keys, API roots, models, timeouts and limits, read from the environment.

use std::fmt;
use std::time::Duration;

use illustrator_analysis::Source;

/// An API key. Its `Debug` form never shows the secret, so configs can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// One provider's access: its key (absent means the source is unavailable), its API root
/// including the version path, and the model to ask for (empty for stock photo sources).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub key: Option<ApiKey>,
    pub base_url: String,
    pub model: String,
}

/// How often and for how long a failing call is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts once this much time has gone by since the first attempt, and a
    /// `Retry-After` that would end past it is not waited for.
    pub total: Duration,
}

/// Everything the online sources need, passed explicitly rather than read at call time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderConfig {
    pub unsplash: Endpoint,
    pub pexels: Endpoint,
    pub openai: Endpoint,
    pub zhipu: Endpoint,
    pub ark: Endpoint,
    pub flux: Endpoint,
    pub llm: Endpoint,
    /// The application name Unsplash's guidelines ask for in `utm_source`.
    pub unsplash_app_name: String,
    /// One attempt of one API call; image generation can take a minute.
    pub request_timeout: Duration,
    pub download_timeout: Duration,
    pub retry: RetryPolicy,
    /// The wait between two polls of an asynchronous (FLUX) job, and the longest wait
    /// for it in all.
    pub poll_interval: Duration,
    pub poll_timeout: Duration,
    pub max_download_bytes: usize,
    /// Calls in flight at once per provider in this process.
    pub max_in_flight: usize,
}

impl ProviderConfig {
    /// Reads the provider variables of the process environment (see [`Self::from_lookup`]).
    pub fn from_env() -> ProviderConfig {
        ProviderConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads `UNSPLASH_ACCESS_KEY`, `PEXELS_API_KEY`, `OPENAI_API_KEY`, `ZHIPUAI_API_KEY`,
    /// `ARK_API_KEY`, `FLUX_API_KEY`, `LLM_API_KEY`, the matching `*_BASE_URL` overrides,
    /// the model overrides `OPENAI_IMAGE_MODEL`, `ZHIPUAI_IMAGE_MODEL`, `ARK_IMAGE_MODEL`,
    /// `FLUX_MODEL`, `LLM_MODEL`, and `UNSPLASH_APP_NAME` through `lookup`. Empty values
    /// count as absent.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> ProviderConfig {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let endpoint = |key: &str, base: &str, base_default: &str, model: &str, m: &str| {
            let model = if model.is_empty() {
                String::new()
            } else {
                get(model).unwrap_or_else(|| m.to_string())
            };
            Endpoint {
                key: get(key).map(|k| ApiKey::new(k.trim())),
                base_url: get(base).unwrap_or_else(|| base_default.to_string()),
                model,
            }
        };

        ProviderConfig {
            unsplash: endpoint(
                "UNSPLASH_ACCESS_KEY",
                "UNSPLASH_BASE_URL",
                "https://api.unsplash.com",
                "",
                "",
            ),
            pexels: endpoint(
                "PEXELS_API_KEY",
                "PEXELS_BASE_URL",
                "https://api.pexels.com/v1",
                "",
                "",
            ),
            openai: endpoint(
                "OPENAI_API_KEY",
                "OPENAI_BASE_URL",
                "https://api.openai.com/v1",
                "OPENAI_IMAGE_MODEL",
                "dall-e-3",
            ),
            zhipu: endpoint(
                "ZHIPUAI_API_KEY",
                "ZHIPUAI_BASE_URL",
                "https://open.bigmodel.cn/api/paas/v4",
                "ZHIPUAI_IMAGE_MODEL",
                "cogview-4",
            ),
            ark: endpoint(
                "ARK_API_KEY",
                "ARK_BASE_URL",
                "https://ark.cn-beijing.volces.com/api/v3",
                "ARK_IMAGE_MODEL",
                "doubao-seedream-3-0-t2i-250415",
            ),
            flux: endpoint(
                "FLUX_API_KEY",
                "FLUX_BASE_URL",
                "https://api.bfl.ai/v1",
                "FLUX_MODEL",
                "flux-pro-1.1",
            ),
            llm: endpoint(
                "LLM_API_KEY",
                "LLM_BASE_URL",
                "https://open.bigmodel.cn/api/paas/v4",
                "LLM_MODEL",
                "glm-4-flash",
            ),
            unsplash_app_name: get("UNSPLASH_APP_NAME")
                .unwrap_or_else(|| "markdown_illustrator".to_string()),
            request_timeout: Duration::from_secs(120),
            download_timeout: Duration::from_secs(60),
            retry: RetryPolicy {
                max_attempts: 4,
                base_delay: Duration::from_millis(500),
                max_delay: Duration::from_secs(20),
                total: Duration::from_secs(180),
            },
            poll_interval: Duration::from_millis(1500),
            poll_timeout: Duration::from_secs(180),
            max_download_bytes: 20 * 1024 * 1024,
            max_in_flight: 16,
        }
    }

    /// The endpoint of an online source; `None` for the offline ones.
    pub fn endpoint(&self, source: Source) -> Option<&Endpoint> {
        match source {
            Source::Unsplash => Some(&self.unsplash),
            Source::Pexels => Some(&self.pexels),
            Source::Dalle => Some(&self.openai),
            Source::Zhipu => Some(&self.zhipu),
            Source::Doubao => Some(&self.ark),
            Source::Flux => Some(&self.flux),
            Source::Mermaid | Source::Chart | Source::Card => None,
        }
    }

    /// The online sources whose key is set, in [`Source::ALL`] order.
    pub fn available(&self) -> Vec<Source> {
        Source::ALL
            .into_iter()
            .filter(|s| self.endpoint(*s).is_some_and(|e| e.key.is_some()))
            .collect()
    }

    /// Every configured API root, the LLM's included: the hosts downloads may reach even
    /// when they resolve to private addresses.
    pub(crate) fn base_urls(&self) -> [&str; 7] {
        [
            &self.unsplash.base_url,
            &self.pexels.base_url,
            &self.openai.base_url,
            &self.zhipu.base_url,
            &self.ark.base_url,
            &self.flux.base_url,
            &self.llm.base_url,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_with_a_key_are_available() {
        let config = ProviderConfig::from_lookup(|name| match name {
            "PEXELS_API_KEY" => Some("p".to_string()),
            "FLUX_API_KEY" => Some("f".to_string()),
            "OPENAI_API_KEY" => Some("  ".to_string()),
            "ZHIPUAI_BASE_URL" => Some("http://127.0.0.1:9/v4".to_string()),
            _ => None,
        });

        assert_eq!(config.available(), vec![Source::Pexels, Source::Flux]);
        assert_eq!(config.zhipu.base_url, "http://127.0.0.1:9/v4");
        assert_eq!(config.openai.model, "dall-e-3");
        assert_eq!(format!("{:?}", config.pexels.key), "Some(ApiKey(***))");
    }
}
