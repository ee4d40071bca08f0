//! FLUX through Black Forest Labs' asynchronous API: submit, poll the returned
//! `polling_url` until the job is ready, then download `result.sample`.

use std::net::IpAddr;
use std::time::Instant;

use illustrator_analysis::Placement;
use reqwest::Url;
use serde::Deserialize;
use serde_json::json;

use crate::error::SourceError;
use crate::picture::Fetched;
use crate::providers::Call;
use crate::shape::Shape;

#[derive(Deserialize)]
struct Submitted {
    id: String,
    #[serde(default)]
    polling_url: Option<String>,
}

#[derive(Deserialize)]
struct Polled {
    status: String,
    #[serde(default)]
    result: Option<PollResult>,
}

#[derive(Deserialize)]
struct PollResult {
    sample: String,
}

pub(crate) async fn fetch(
    call: &Call<'_>,
    prompt: &str,
    placement: &Placement,
) -> Result<Fetched, SourceError> {
    let (width, height) = Shape::of(placement).pixels(call.model);
    let body = json!({
        "prompt": prompt,
        "width": width,
        "height": height,
        "output_format": "jpeg",
    });
    let client = &call.inner.http.client;
    let url = format!("{}/{}", call.base, call.model);
    let build = || client.post(&url).header("x-key", call.key).json(&body);

    let resp = call
        .inner
        .http
        .send(call.provider, false, call.timeout(), build)
        .await?;
    let (submitted, _): (Submitted, _) =
        crate::http::json(call.provider, resp, call.json_limit()).await?;

    let polling_url = match submitted.polling_url {
        Some(url) => url,
        None => format!("{}/get_result?id={}", call.base, submitted.id),
    };
    let sample = poll(call, &polling_url).await?;
    let image = call.inner.downloader.fetch(call.provider, &sample).await?;

    Ok(Fetched {
        bytes: image.bytes,
        content_type: image.content_type,
        width: image.width,
        height: image.height,
        provider: call.provider.to_string(),
        model: Some(call.model.to_string()),
        request_id: Some(submitted.id),
        attribution: None,
        price_milli_fen: 0,
    })
}

/// Polls until the job is `Ready` and returns its sample URL. Moderation ends it as a
/// content-policy refusal, a failed job as retryable, and the poll timeout as a timeout.
async fn poll(call: &Call<'_>, polling_url: &str) -> Result<String, SourceError> {
    let parsed = Url::parse(polling_url)
        .map_err(|e| SourceError::protocol(call.provider, format!("bad polling URL: {e}")))?;
    if !is_provider_host(call.base, &parsed) {
        let host = parsed.host_str().unwrap_or_default().to_string();
        return Err(SourceError::ForbiddenAddress { host });
    }
    call.inner.guard.check(&parsed).await?;

    let config = &call.inner.config;
    let client = &call.inner.http.client;
    let build = || client.get(parsed.clone()).header("x-key", call.key);
    let started = Instant::now();

    loop {
        let resp = call
            .inner
            .http
            .send(call.provider, true, call.timeout(), build)
            .await?;
        let (polled, _): (Polled, _) = crate::http::json(call.provider, resp, 1024 * 1024).await?;

        match polled.status.as_str() {
            "Ready" => {
                let result = polled.result.ok_or_else(|| {
                    SourceError::protocol(call.provider, "a ready job without a result")
                })?;
                return Ok(result.sample);
            }
            "Pending" | "Queued" | "Processing" => {}
            "Request Moderated" | "Content Moderated" => {
                return Err(SourceError::Refused {
                    provider: call.provider,
                    status: 200,
                    reason: polled.status,
                    content_policy: true,
                });
            }
            "Error" | "Failed" => {
                return Err(SourceError::Retryable {
                    provider: call.provider,
                    status: None,
                    message: format!("the job ended with status {}", polled.status),
                });
            }
            other => {
                let message = format!("unknown job status {other:?}");
                return Err(SourceError::protocol(call.provider, message));
            }
        }

        if started.elapsed() + config.poll_interval > config.poll_timeout {
            return Err(SourceError::Timeout {
                provider: call.provider,
                seconds: config.poll_timeout.as_secs_f64(),
            });
        }
        tokio::time::sleep(config.poll_interval).await;
    }
}

/// Whether the key may go to `url`: the API host itself, or (for a named host) another
/// host of the same domain, as the regional polling hosts are (api.eu1.bfl.ai for
/// api.bfl.ai).
fn is_provider_host(base: &str, url: &Url) -> bool {
    let Ok(base) = Url::parse(base) else {
        return false;
    };
    let (Some(base_host), Some(host)) = (base.host_str(), url.host_str()) else {
        return false;
    };

    let same = base_host == host && base.port_or_known_default() == url.port_or_known_default();
    if same || base_host.parse::<IpAddr>().is_ok() || url.scheme() != "https" {
        return same;
    }
    match base_host.split_once('.') {
        Some((_, domain)) if domain.contains('.') => host.ends_with(&format!(".{domain}")),
        _ => false,
    }
}
