//! Bad input gets a clear JSON error and stores nothing.

use serde_json::{Value, json};

use crate::support::TestServer;

async fn expect_error(
    server: &TestServer,
    request: reqwest::RequestBuilder,
    status: u16,
    code: &str,
) -> anyhow::Result<()> {
    let before = server.last_seq().await?;
    let response = request.send().await?;
    assert_eq!(response.status().as_u16(), status, "status for {code}");
    assert!(response.headers().contains_key("x-request-id"));

    let body: Value = response.json().await?;
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(server.last_seq().await?, before, "{code} stored something");
    Ok(())
}

#[tokio::test]
async fn bad_requests_get_json_errors_and_store_nothing() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let documents = "/v1/documents";

    let not_utf8 = server
        .post(documents)
        .header("content-type", "text/markdown")
        .body(b"# Title\n\nBad byte: \xff here\n".to_vec());
    expect_error(&server, not_utf8, 400, "not_utf8").await?;

    let huge = "a".repeat(server.config.max_article_bytes + 1);
    let too_large = server.post(documents).json(&json!({ "markdown": huge }));
    expect_error(&server, too_large, 413, "too_large").await?;

    let bad_json = server
        .post(documents)
        .header("content-type", "application/json")
        .body("{\"markdown\": ");
    expect_error(&server, bad_json, 400, "invalid_json").await?;

    let unknown_field = server
        .post(documents)
        .json(&json!({ "markdown": "# A", "colour": 1 }));
    expect_error(&server, unknown_field, 400, "invalid_json").await?;

    let unknown = server
        .post(documents)
        .json(&json!({ "markdown": "# A", "source": "paint" }));
    expect_error(&server, unknown, 400, "unknown_source").await?;

    let no_key = server
        .post(documents)
        .json(&json!({ "markdown": "# A", "source": "dalle" }));
    expect_error(&server, no_key, 400, "source_unavailable").await?;

    let batch = server
        .post(documents)
        .json(&json!({ "markdown": "# A", "batch": 9 }));
    expect_error(&server, batch, 400, "rejected").await?;

    let options = server
        .post(documents)
        .json(&json!({ "markdown": "# A", "options": { "covers": true } }));
    expect_error(&server, options, 400, "invalid_options").await?;

    let anonymous = server
        .http
        .post(server.url(documents))
        .json(&json!({ "markdown": "# A" }));
    expect_error(&server, anonymous, 401, "unauthorized").await?;

    let wrong_key = server
        .http
        .post(server.url(documents))
        .bearer_auth("not-the-key")
        .json(&json!({ "markdown": "# A" }));
    expect_error(&server, wrong_key, 401, "unauthorized").await?;

    let missing = server.get("/v1/documents/0190a0b0-0000-7000-8000-000000000000");
    expect_error(&server, missing, 404, "not_found").await?;
    let garbage = server.get("/v1/documents/not-an-id");
    expect_error(&server, garbage, 404, "not_found").await?;

    server.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn operations_routes_answer() -> anyhow::Result<()> {
    let server = TestServer::start().await?;

    let health = server.http.get(server.url("/health")).send().await?;
    assert_eq!(health.status(), 200);

    let ready: Value = server
        .http
        .get(server.url("/ready"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(ready["ready"], true, "{ready}");

    let openapi: Value = server
        .http
        .get(server.url("/openapi.json"))
        .send()
        .await?
        .json()
        .await?;
    assert!(openapi["paths"]["/v1/documents"]["post"].is_object());

    let metrics = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await?
        .text()
        .await?;
    assert!(metrics.contains("illustrator_http_requests"), "{metrics}");

    server.cleanup().await;
    Ok(())
}
