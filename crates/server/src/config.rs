//! Typed configuration, read from the environment with working local defaults.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use illustrator_sources::ProviderConfig;

/// A value that must never reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Debug-printing shows `Secret(..)` for keys, but the URLs may hold passwords: never log a
/// `Config` whole; log `redact_url` of a URL.
#[derive(Clone, Debug)]
pub struct Config {
    /// `NATS_URL`: the NATS server with JetStream.
    pub nats_url: String,
    /// `DATABASE_URL`: Postgres, for the read models.
    pub database_url: String,
    /// `BIND`: the HTTP listener.
    pub bind: SocketAddr,
    /// `ILLUSTRATOR_NAMESPACE`: prefix of every stream, subject and bucket ("mi").
    pub namespace: String,
    /// `ILLUSTRATOR_NATS_DIR`: the topology files (`nats/`).
    pub nats_dir: PathBuf,
    /// `ILLUSTRATOR_NATS_REPLICAS`: replicas of every stream and bucket (1 locally).
    pub replicas: usize,
    /// `ILLUSTRATOR_NATS_MAX_BYTES`: lowers every stream's and bucket's size limit to this
    /// many bytes, for small disks (tests, a development cluster); unset keeps `nats/`.
    pub nats_max_bytes: Option<i64>,
    /// `ILLUSTRATOR_BOOTSTRAP_KEY`: an API key that acts as the first superadmin.
    pub bootstrap_key: Option<Secret>,
    /// `ILLUSTRATOR_MAX_ARTICLE_BYTES`: the largest article accepted (10 MiB).
    pub max_article_bytes: usize,
    /// `ILLUSTRATOR_TIME_ZONE`: the zone whose midnight starts a quota day (Asia/Shanghai).
    pub calendar: illustrator_billing::Calendar,
    /// `ILLUSTRATOR_SCHEDULER_SECONDS`: how often the projector looks for subscriptions to
    /// renew, end or remind (60).
    pub scheduler_interval: std::time::Duration,
    /// `ILLUSTRATOR_REMINDER_HOURS`: how long before a renewal its reminder goes out (72).
    pub reminder_lead: chrono::Duration,
    /// `ILLUSTRATOR_WORKER_CONCURRENCY`: jobs one worker process works on at once (128).
    /// Most of them wait on provider APIs; offline drawing is limited to one per core.
    pub worker_concurrency: usize,
    /// `ILLUSTRATOR_WORKER_RENDER`: `offline` (default) or `noop`, a one-pixel picture that
    /// the load tool uses to measure the pipeline without the cost of drawing.
    pub noop_render: bool,
    /// `ILLUSTRATOR_PUBLIC_URL`: how clients reach this server, for the links it hands out
    /// (default: relative links).
    pub public_url: Option<String>,
    /// The online sources: keys, API roots and models (`UNSPLASH_ACCESS_KEY`, ...).
    pub providers: ProviderConfig,
    /// `ILLUSTRATOR_PROVIDER_CONCURRENCY`: calls in flight at once per provider, counted
    /// across every worker replica (32).
    pub provider_concurrency: u32,
    /// `ILLUSTRATOR_PROVIDER_RATE`: calls started per minute per provider, across every
    /// worker replica (120).
    pub provider_rate_per_minute: u32,
    /// Accounts, sessions, mail, OAuth and rate limits (`crate::accounts::config`).
    pub accounts: crate::accounts::AccountsConfig,
}

/// A URL with its password (and user name) replaced, for messages and logs:
/// `nats://user:pw@host:4222` becomes `nats://***@host:4222`. Lists of URLs are
/// redacted one by one.
pub fn redact_url(url: &str) -> String {
    url.split(',')
        .map(|one| match (one.find("://"), one.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}***{}", &one[..scheme + 3], &one[at..])
            }
            _ => one.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match var(name) {
        Some(text) => text.parse().with_context(|| format!("reading {name}")),
        None => Ok(default),
    }
}

fn calendar() -> anyhow::Result<illustrator_billing::Calendar> {
    let Some(name) = var("ILLUSTRATOR_TIME_ZONE") else {
        return Ok(illustrator_billing::Calendar::default());
    };
    illustrator_billing::Calendar::parse(&name)
        .with_context(|| format!("ILLUSTRATOR_TIME_ZONE {name:?} is not an IANA time zone"))
}

/// A positive number of seconds, fractions allowed.
fn seconds(name: &str, default: f64) -> anyhow::Result<std::time::Duration> {
    let value: f64 = parsed(name, default)?;
    std::time::Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .with_context(|| format!("{name} must be a positive number of seconds"))
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let worker_render = var("ILLUSTRATOR_WORKER_RENDER").unwrap_or_else(|| "offline".into());
        let noop_render = match worker_render.as_str() {
            "offline" => false,
            "noop" => true,
            other => {
                anyhow::bail!("ILLUSTRATOR_WORKER_RENDER must be offline or noop, not {other}")
            }
        };

        Ok(Config {
            nats_url: var("NATS_URL").unwrap_or_else(|| "nats://127.0.0.1:4222".into()),
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/illustrator".into()),
            bind: parsed("BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            namespace: var("ILLUSTRATOR_NAMESPACE").unwrap_or_else(|| "mi".into()),
            nats_dir: var("ILLUSTRATOR_NATS_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(default_nats_dir),
            replicas: parsed("ILLUSTRATOR_NATS_REPLICAS", 1)?,
            nats_max_bytes: var("ILLUSTRATOR_NATS_MAX_BYTES")
                .map(|v| v.parse().context("reading ILLUSTRATOR_NATS_MAX_BYTES"))
                .transpose()?,
            bootstrap_key: var("ILLUSTRATOR_BOOTSTRAP_KEY").map(Secret::new),
            calendar: calendar()?,
            scheduler_interval: seconds("ILLUSTRATOR_SCHEDULER_SECONDS", 60.0)?,
            reminder_lead: chrono::Duration::hours(parsed("ILLUSTRATOR_REMINDER_HOURS", 72)?),
            max_article_bytes: parsed("ILLUSTRATOR_MAX_ARTICLE_BYTES", 10 * 1024 * 1024)?,
            worker_concurrency: parsed("ILLUSTRATOR_WORKER_CONCURRENCY", 128)?,
            noop_render,
            public_url: var("ILLUSTRATOR_PUBLIC_URL"),
            providers: ProviderConfig::from_env(),
            provider_concurrency: parsed("ILLUSTRATOR_PROVIDER_CONCURRENCY", 32)?,
            provider_rate_per_minute: parsed("ILLUSTRATOR_PROVIDER_RATE", 120)?,
            accounts: crate::accounts::AccountsConfig::from_env()?,
        })
    }
}

/// `nats/` beside the binary's workspace when run from a checkout, else `./nats`.
fn default_nats_dir() -> PathBuf {
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../nats");
    if checkout.is_dir() {
        checkout
    } else {
        PathBuf::from("nats")
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn a_password_in_a_url_is_never_shown() {
        assert_eq!(
            redact_url("nats://mi:pw@127.0.0.1:4222"),
            "nats://***@127.0.0.1:4222"
        );
        assert_eq!(
            redact_url("postgres://postgres:secret@db:5432/illustrator"),
            "postgres://***@db:5432/illustrator"
        );
        assert_eq!(
            redact_url("nats://a:1@h1:4222,nats://h2:4222"),
            "nats://***@h1:4222,nats://h2:4222"
        );
        assert_eq!(redact_url("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
    }
}
