//! The `/metrics` exposition: every family the operators' dashboard and alerts read is
//! there, no label holds an id, and `promtool check metrics` accepts it.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use illustrator_server::Components;
use illustrator_server::testing::LocalServer;
use serde_json::Value;

use crate::support::tool;

pub const SHORT_ARTICLE: &str = "\
# Keeping a garden

A garden needs water, light and patience. This one grows beans and tomatoes.

## Watering

Water in the morning so the leaves dry before the evening, and water the soil, not the
leaves, so that mould has no chance.
";

/// Submits an article and waits until the document is completed.
pub async fn illustrate(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    request_id: &str,
) -> anyhow::Result<String> {
    let body = serde_json::json!({ "markdown": SHORT_ARTICLE });
    let response = http
        .post(format!("{base}/v1/documents"))
        .bearer_auth(key)
        .header("x-request-id", request_id)
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == 202,
        "submit answered {}",
        response.status()
    );
    let accepted: Value = response.json().await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();

    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let document: Value = http
            .get(format!("{base}/v1/documents/{id}"))
            .bearer_auth(key)
            .send()
            .await?
            .json()
            .await?;
        if document["status"] == "completed" {
            return Ok(id);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("document {id} did not complete")
}

pub fn promtool_check_metrics(text: &str) -> anyhow::Result<String> {
    let mut child = Command::new(tool("promtool")?)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    anyhow::ensure!(output.status.success(), "promtool check metrics:\n{said}");
    Ok(said)
}

#[tokio::test]
async fn the_exposition_passes_promtool_and_labels_hold_no_ids() -> anyhow::Result<()> {
    let server = LocalServer::start(Components::ALL).await?;
    let http = reqwest::Client::new();
    let base = server.base.clone();

    let id = illustrate(&http, &base, &server.key, "metrics-test").await?;
    let missing = http
        .get(format!("{base}/v1/documents/{}", uuid::Uuid::now_v7()))
        .bearer_auth(&server.key)
        .send()
        .await?;
    assert_eq!(missing.status(), 404);
    let sse = http
        .get(format!("{base}/v1/documents/{id}/events"))
        .bearer_auth(&server.key)
        .send()
        .await?;
    assert_eq!(sse.status(), 200);
    drop(sse);
    illustrator_server::metrics::sample(&server.app).await;

    let response = http.get(format!("{base}/metrics")).send().await?;
    assert_eq!(response.status(), 200);
    let text = response.text().await?;

    for family in [
        "illustrator_http_requests_total{route=\"/v1/documents\",method=\"POST\",status=\"2xx\"}",
        "illustrator_http_requests_total{route=\"/v1/documents/{id}\",method=\"GET\",status=\"4xx\"}",
        "illustrator_http_request_duration_seconds_bucket",
        "illustrator_commands_total{command=\"illustrate\",outcome=\"committed\"}",
        "illustrator_command_duration_seconds_bucket",
        "illustrator_jobs_pending{source=\"card\"}",
        "illustrator_dispatch_pending ",
        "illustrator_dispatch_oldest_pending_age_seconds ",
        "illustrator_job_oldest_pending_age_seconds",
        "illustrator_job_attempts_total{source=\"card\",outcome=\"generated\"}",
        "illustrator_job_duration_seconds_count{source=\"card\"}",
        "illustrator_pictures_total{source=\"card\",outcome=\"generated\"}",
        "illustrator_picture_cost_milli_fen_total{source=\"card\"}",
        "illustrator_projector_events_total{projection=\"documents\"}",
        "illustrator_projector_lag_seconds{projection=\"documents\"}",
        "illustrator_sse_connections ",
        "illustrator_sse_connections_opened_total",
        "illustrator_sse_clients_dropped_total",
        "illustrator_quota_refusals",
        "illustrator_nats_connected 1",
        "illustrator_postgres_up 1",
        "illustrator_postgres_pool_connections{state=\"idle\"}",
        "illustrator_stream_bytes{stream=\"events\"}",
        "illustrator_stream_max_bytes{stream=\"jobs\"}",
    ] {
        assert!(text.contains(family), "{family} missing from:\n{text}");
    }
    assert!(!text.contains(&id), "a document id is a label value");
    assert!(!text.contains(&server.key), "the key is in the exposition");

    promtool_check_metrics(&text)?;

    let open = http
        .get(format!("{base}/metrics"))
        .header("accept", "application/openmetrics-text; version=1.0.0")
        .send()
        .await?
        .text()
        .await?;
    assert!(open.ends_with("# EOF\n"), "not OpenMetrics:\n{open}");
    assert!(open.contains("# TYPE illustrator_pictures counter"));
    server.cleanup().await;
    Ok(())
}
