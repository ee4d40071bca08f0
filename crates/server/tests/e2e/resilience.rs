//! Restarts and crashes: nothing committed is lost, nothing is drawn twice.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use illustrator_server::Components;
use serde_json::Value;

use crate::flow::ARTICLE;
use crate::support::TestServer;

#[tokio::test]
async fn a_restarted_server_still_serves_every_document_and_picture() -> anyhow::Result<()> {
    let mut server = TestServer::start().await?;
    let accepted = server.submit(ARTICLE, "auto").await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    server.wait_completed(&id).await?;
    let markdown = server
        .get(&format!("/v1/documents/{id}/markdown"))
        .send()
        .await?
        .text()
        .await?;

    server.restart().await?;

    let again = server
        .get(&format!("/v1/documents/{id}/markdown"))
        .send()
        .await?
        .text()
        .await?;
    assert_eq!(again, markdown);
    let document: Value = server
        .get(&format!("/v1/documents/{id}"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(document["status"], "completed");
    for image in document["images"].as_array().into_iter().flatten() {
        for candidate in image["candidates"].as_array().into_iter().flatten() {
            let url = candidate["url"].as_str().unwrap_or_default();
            assert_eq!(server.get(url).send().await?.status(), 200, "{url}");
        }
    }

    server.cleanup().await;
    Ok(())
}

fn spawn_worker(server: &TestServer) -> anyhow::Result<Child> {
    let child = Command::new(env!("CARGO_BIN_EXE_illustrator"))
        .arg("worker")
        .env("NATS_URL", &server.config.nats_url)
        .env("DATABASE_URL", &server.config.database_url)
        .env("ILLUSTRATOR_NAMESPACE", &server.config.namespace)
        .env("ILLUSTRATOR_NATS_DIR", &server.config.nats_dir)
        .env("ILLUSTRATOR_WORKER_CONCURRENCY", "4")
        .env("BIND", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    Ok(child)
}

/// A worker killed with SIGKILL while jobs are in flight: its unacknowledged jobs come back
/// after the ack wait, a second worker draws them, and every placement ends with exactly
/// one picture.
#[tokio::test]
async fn a_killed_worker_loses_no_job_and_draws_nothing_twice() -> anyhow::Result<()> {
    let components = Components {
        api: true,
        push: true,
        projector: true,
        worker: false,
    };
    let server = TestServer::start_with(components).await?;

    let mut ids = Vec::new();
    for _ in 0..6 {
        let accepted = server.submit(ARTICLE, "auto").await?;
        ids.push(accepted["id"].as_str().unwrap_or_default().to_owned());
    }

    let mut first = spawn_worker(&server)?;
    let started = server.events(&ids[0], None, 2).await?;
    assert!(started.len() == 2);
    first.kill()?;
    first.wait()?;

    let mut second = spawn_worker(&server)?;
    for id in &ids {
        server.wait_completed(id).await?;
    }
    second.kill()?;
    second.wait()?;

    tokio::time::sleep(Duration::from_millis(500)).await;
    for id in &ids {
        let document: Value = server
            .get(&format!("/v1/documents/{id}"))
            .send()
            .await?
            .json()
            .await?;
        for image in document["images"].as_array().into_iter().flatten() {
            let candidates = image["candidates"].as_array().map(Vec::len).unwrap_or(0);
            assert_eq!(candidates, 1, "placement drawn {candidates} times: {image}");
        }
    }

    server.cleanup().await;
    Ok(())
}
