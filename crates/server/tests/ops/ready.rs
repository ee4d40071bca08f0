//! /health says the process lives; /ready says it can serve: NATS, PostgreSQL, the
//! streams and the migrations at the version this binary expects.

use illustrator_server::Components;
use illustrator_server::testing::LocalServer;
use serde_json::Value;

async fn ready(http: &reqwest::Client, base: &str) -> anyhow::Result<(u16, Value)> {
    let response = http.get(format!("{base}/ready")).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

#[tokio::test]
async fn ready_checks_each_backing_part_and_the_schema_version() -> anyhow::Result<()> {
    let server = LocalServer::start(Components::ALL).await?;
    let http = reqwest::Client::new();

    let health = http.get(format!("{}/health", server.base)).send().await?;
    assert_eq!(health.status(), 200);
    let (status, body) = ready(&http, &server.base).await?;
    assert_eq!(status, 200, "{body}");
    for check in ["nats", "postgres", "streams", "migrations"] {
        assert_eq!(body["checks"][check]["ok"], true, "{check}: {body}");
    }

    // A newer release migrated the database: this binary must not take traffic.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
         execution_time) VALUES (99999999999999, 'from a newer release', true, '\\x00', 0)",
    )
    .execute(&server.app.db)
    .await?;
    let (status, body) = ready(&http, &server.base).await?;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["migrations"]["ok"], false, "{body}");
    assert_eq!(body["checks"]["nats"]["ok"], true, "{body}");
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 99999999999999")
        .execute(&server.app.db)
        .await?;

    // The work queue is gone (deleted by hand, or never set up).
    server
        .app
        .js
        .delete_stream(server.app.ns.jobs_stream())
        .await?;
    let (status, body) = ready(&http, &server.base).await?;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["streams"]["ok"], false, "{body}");

    server.cleanup().await;
    Ok(())
}
