//! SIGTERM to `illustrator serve` under load: the process stops accepting, hands its work
//! back, closes SSE streams with a retry hint and exits; after a restart every accepted
//! document completes with exactly one picture per placement. The same run checks the
//! JSON logs: the request's correlation id reaches the worker and the projector, and no
//! secret is ever written.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use illustrator_server::Components;
use illustrator_server::testing::LocalServer;
use serde_json::Value;

use crate::metrics::SHORT_ARTICLE;
use crate::support::{Process, free_port, signal, spawn_illustrator, wait_ready};

/// Submitters running at once, and the most documents the load sends.
const CLIENTS: usize = 4;
const MAX_DOCUMENTS: usize = 4000;

const NATS_PASSWORD: &str = "nats-pw-never-logged";

fn start(
    server: &LocalServer,
    dir: &std::path::Path,
    name: &str,
) -> anyhow::Result<(Process, String)> {
    let port = free_port()?;
    let mut config = server.config.clone();
    config.nats_url =
        config
            .nats_url
            .replacen("nats://", &format!("nats://mi:{NATS_PASSWORD}@"), 1);
    let bind = format!("127.0.0.1:{port}");
    let log = dir.join(format!("{name}.log"));
    let process = spawn_illustrator("serve", &config, &server.key, &bind, &log, &[])?;
    Ok((process, format!("http://{bind}")))
}

/// Submits articles until the server stops answering; returns the accepted ids.
async fn submit_until_refused(
    http: reqwest::Client,
    base: String,
    key: String,
    client: usize,
    accepted: Arc<Mutex<Vec<String>>>,
) {
    for n in 0..MAX_DOCUMENTS / CLIENTS {
        let markdown = format!("{SHORT_ARTICLE}\nRun {client}-{n}.\n");
        let sent = http
            .post(format!("{base}/v1/documents"))
            .bearer_auth(&key)
            .header("x-request-id", format!("load-{client}-{n}"))
            .json(&serde_json::json!({ "markdown": markdown }))
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        let Ok(response) = sent else { return };
        if response.status() != 202 {
            continue;
        }
        if let Ok(body) = response.json::<Value>().await
            && let Some(id) = body["id"].as_str()
        {
            accepted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(id.to_owned());
        }
    }
}

/// Reads an SSE stream to its end and returns its raw text.
async fn read_sse(http: reqwest::Client, url: String, key: String) -> anyhow::Result<String> {
    let response = http.get(url).bearer_auth(key).send().await?;
    let mut body = response.bytes_stream();
    let mut text = String::new();
    let read = async {
        while let Some(Ok(chunk)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(60), read).await;
    Ok(text)
}

async fn wait_completed(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    ids: &[String],
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut pending: Vec<&String> = ids.iter().collect();
    while !pending.is_empty() && started.elapsed() < Duration::from_secs(120) {
        let mut still = Vec::new();
        for id in pending {
            let document: Value = http
                .get(format!("{base}/v1/documents/{id}"))
                .bearer_auth(key)
                .send()
                .await?
                .json()
                .await?;
            if document["status"] != "completed" {
                still.push(id);
                continue;
            }
            for image in document["images"].as_array().into_iter().flatten() {
                let candidates = image["candidates"].as_array().map(Vec::len).unwrap_or(0);
                anyhow::ensure!(candidates == 1, "{id}: placement drawn {candidates} times");
            }
        }
        pending = still;
        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    anyhow::ensure!(
        pending.is_empty(),
        "{} accepted documents never completed",
        pending.len()
    );
    Ok(())
}

#[tokio::test]
async fn sigterm_under_load_loses_no_accepted_document() -> anyhow::Result<()> {
    let server = LocalServer::start(Components::default()).await?;
    let dir = std::env::temp_dir().join(format!("mi-shutdown-{}", server.config.namespace));
    std::fs::create_dir_all(&dir)?;
    let http = reqwest::Client::new();

    let (mut first, base) = start(&server, &dir, "first")?;
    wait_ready(&http, &base, Duration::from_secs(60)).await?;

    let warm = crate::metrics::illustrate(&http, &base, &server.key, "warm-up").await?;
    let watcher = tokio::spawn(read_sse(
        http.clone(),
        format!("{base}/v1/documents/{warm}/events"),
        server.key.clone(),
    ));

    let accepted = Arc::new(Mutex::new(Vec::new()));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let args = (
            http.clone(),
            base.clone(),
            server.key.clone(),
            client,
            accepted.clone(),
        );
        clients.push(tokio::spawn(submit_until_refused(
            args.0, args.1, args.2, args.3, args.4,
        )));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let term = Instant::now();
    signal(&first.child, "TERM")?;
    let status = first.wait_exit(Duration::from_secs(40))?;
    let stopped_in = term.elapsed();
    for client in clients {
        client.await?;
    }
    assert!(
        status.is_some_and(|s| s.success()),
        "serve did not exit cleanly: {status:?}"
    );
    let sse = watcher.await??;
    assert!(
        sse.contains("retry: 500"),
        "no retry hint before the stream closed:\n{sse}"
    );

    let ids = accepted.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(ids.len() >= 4, "too little load: {} documents", ids.len());
    let first_log = first.log_text();
    let handed_back = first_log.matches("handed back").count();
    println!(
        "SIGTERM: {} documents accepted, stopped in {stopped_in:?}, \
         {handed_back} hand-backs logged",
        ids.len()
    );

    let (second, base) = start(&server, &dir, "second")?;
    wait_ready(&http, &base, Duration::from_secs(60)).await?;
    wait_completed(&http, &base, &server.key, &ids).await?;
    let second_log = second.log_text();
    drop(second);

    let logs = format!("{first_log}{second_log}");
    crate::logs::assert_correlated(&logs, "load-0-0")?;
    crate::logs::assert_no_secret(&logs, &[&server.key, NATS_PASSWORD])?;

    let _ = std::fs::remove_dir_all(&dir);
    server.cleanup().await;
    Ok(())
}
