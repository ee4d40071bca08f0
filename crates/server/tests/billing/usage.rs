//! Helpers of the billing suite: a server with a stopped clock, and submissions.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use illustrator_server::testing::LocalServer;
use illustrator_server::{Components, Config};
use illustrator_sources::ApiKey;
use serde_json::{Value, json};

use crate::support;

/// A title and one paragraph: with `max_images` 1 it plans a single cover picture.
pub const ARTICLE: &str = "# Billing test\n\nOne short paragraph.\n";

/// A quiet moment in Shanghai's 2026-12-04 (11:00 local).
pub fn morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 3, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A server whose billing clock stands at `at`, with the submission limit out of the way.
pub async fn server(components: Components, at: DateTime<Utc>) -> anyhow::Result<LocalServer> {
    support::captured_logs();
    let tune = |config: &mut Config| {
        config.accounts.submit.count = 100_000;
        config.accounts.submit.window = Duration::from_secs(60);
        // dalle counts as available so that plans and budgets can be tested with it; no
        // worker of this suite ever calls it, and the address answers nothing.
        config.providers.openai.key = Some(ApiKey::new("not-a-real-key"));
        config.providers.openai.base_url = "http://127.0.0.1:9".into();
    };
    let server = LocalServer::start_with(components, tune).await?;
    server.app.billing.clock.set(Some(at));
    Ok(server)
}

pub const NO_WORKERS: Components = Components {
    api: true,
    push: false,
    worker: false,
    projector: true,
};

/// Submits `batch` candidates of one card picture; returns the status and the body.
pub async fn submit(
    base: &str,
    credential: &str,
    source: &str,
    batch: u32,
) -> anyhow::Result<(u16, Value, Option<String>)> {
    let body = json!({
        "markdown": ARTICLE,
        "source": source,
        "batch": batch,
        "options": { "max_images": 1 },
    });
    let response = support::post(base, "/v1/documents", Some(credential), body).await?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    Ok((status, body, retry_after))
}

pub async fn usage(base: &str, credential: &str) -> anyhow::Result<Value> {
    let response = support::get(base, "/v1/me/usage", Some(credential)).await?;
    anyhow::ensure!(response.status() == 200, "usage: {}", response.status());
    Ok(response.json().await?)
}
