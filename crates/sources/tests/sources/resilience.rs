//! Retries, refusals, expired links and timeouts, against fakes that misbehave on purpose.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use illustrator_analysis::{PlacementType, Source};
use illustrator_sources::SourceError;
use serde_json::json;

use crate::fake::{self, Counter};

fn ok_answer() -> Response {
    Json(json!({ "created": 1, "data": [{ "b64_json": fake::b64_png(64, 64) }] })).into_response()
}

/// A Zhipu-shaped fake whose first `failures` calls get `failure()`, then success.
async fn flaky(calls: Counter, failures: usize, failure: fn() -> Response) -> String {
    fake::start(move |_| {
        let generate = move || {
            let n = calls.hit();
            async move { if n < failures { failure() } else { ok_answer() } }
        };
        Router::new().route("/images/generations", post(generate))
    })
    .await
}

async fn fetch_zhipu(base: &str) -> Result<illustrator_sources::Fetched, SourceError> {
    let placement = fake::placement(PlacementType::Concept, Source::Zhipu);
    fake::providers(base)
        .fetch(Source::Zhipu, "a harbour", &placement)
        .await
}

#[tokio::test]
async fn rate_limit_is_waited_out_as_retry_after_asks() {
    let calls = Counter::default();
    let limited = || {
        let body = Json(json!({ "error": { "code": "1302", "message": "rate limited" } }));
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], body).into_response()
    };
    let base = flaky(calls.clone(), 1, limited).await;

    let started = Instant::now();
    let fetched = fetch_zhipu(&base).await.unwrap();

    assert_eq!(calls.get(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fetched.width, 64);
}

#[tokio::test]
async fn retry_after_beyond_the_time_budget_fails_at_once_as_retryable() {
    let calls = Counter::default();
    let limited = || (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "3600")]).into_response();
    let base = flaky(calls.clone(), 1, limited).await;

    let started = Instant::now();
    let error = fetch_zhipu(&base).await.unwrap_err();

    assert!(
        matches!(
            error,
            SourceError::Retryable {
                status: Some(429),
                ..
            }
        ),
        "{error}"
    );
    assert!(error.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(calls.get(), 1);
}

#[tokio::test]
async fn server_error_is_retried_then_succeeds() {
    let calls = Counter::default();
    let broken = || StatusCode::INTERNAL_SERVER_ERROR.into_response();
    let base = flaky(calls.clone(), 1, broken).await;

    fetch_zhipu(&base).await.unwrap();

    assert_eq!(calls.get(), 2);
}

#[tokio::test]
async fn server_errors_beyond_the_attempts_are_retryable() {
    let calls = Counter::default();
    let broken = || StatusCode::BAD_GATEWAY.into_response();
    let base = flaky(calls.clone(), 100, broken).await;

    let error = fetch_zhipu(&base).await.unwrap_err();

    assert!(
        matches!(
            error,
            SourceError::Retryable {
                status: Some(502),
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(calls.get(), 3);
}

#[tokio::test]
async fn content_policy_refusal_is_final_and_not_retried() {
    let calls = Counter::default();
    let refused = || {
        let error = json!({ "error": {
            "code": "content_policy_violation",
            "message": "Your request was rejected by the safety system.",
            "type": "invalid_request_error",
        }});
        (StatusCode::BAD_REQUEST, Json(error)).into_response()
    };
    let base = flaky(calls.clone(), 100, refused).await;
    let placement = fake::placement(PlacementType::Cover, Source::Dalle);

    let error = fake::providers(&base)
        .fetch(Source::Dalle, "a harbour", &placement)
        .await
        .unwrap_err();

    let SourceError::Refused {
        status,
        reason,
        content_policy,
        ..
    } = &error
    else {
        panic!("expected a refusal, got {error}");
    };
    assert_eq!(*status, 400);
    assert!(*content_policy);
    assert!(reason.starts_with("content_policy_violation"), "{reason}");
    assert_eq!(calls.get(), 1);
}

#[tokio::test]
async fn bad_key_is_a_final_refusal_that_is_not_content_policy() {
    let calls = Counter::default();
    let unauthorised = || {
        let body = Json(json!({ "error": { "code": "1000", "message": "身份验证失败" } }));
        (StatusCode::UNAUTHORIZED, body).into_response()
    };
    let base = flaky(calls.clone(), 100, unauthorised).await;

    let error = fetch_zhipu(&base).await.unwrap_err();

    assert!(
        matches!(
            error,
            SourceError::Refused {
                status: 401,
                content_policy: false,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(calls.get(), 1);
}

#[tokio::test]
async fn expired_result_url_is_a_clear_download_error() {
    let base = fake::start(|base| {
        let generate = move || {
            let url = format!("{base}/img/expired.png");
            async move { Json(json!({ "created": 1, "data": [{ "url": url }] })) }
        };
        Router::new()
            .route("/images/generations", post(generate))
            .route("/img/expired.png", get(|| async { StatusCode::FORBIDDEN }))
    })
    .await;

    let error = fetch_zhipu(&base).await.unwrap_err();

    let SourceError::Download { reason, .. } = &error else {
        panic!("expected a download error, got {error}");
    };
    assert!(reason.contains("expired"), "{reason}");
}

#[tokio::test]
async fn download_that_is_not_an_image_is_refused() {
    let base = fake::start(|base| {
        let generate = move || {
            let url = format!("{base}/img/page");
            async move { Json(json!({ "created": 1, "data": [{ "url": url }] })) }
        };
        let page = || async { ([("content-type", "text/html")], "<html></html>") };
        Router::new()
            .route("/images/generations", post(generate))
            .route("/img/page", get(page))
    })
    .await;

    let error = fetch_zhipu(&base).await.unwrap_err();

    assert!(matches!(error, SourceError::Download { .. }), "{error}");
}

#[tokio::test]
async fn slow_generation_beyond_the_timeout_is_a_timeout_and_not_started_twice() {
    let calls = Counter::default();
    let counted = calls.clone();
    let base = fake::start(move |_| {
        let generate = move || {
            counted.hit();
            async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                ok_answer()
            }
        };
        Router::new().route("/images/generations", post(generate))
    })
    .await;

    let started = Instant::now();
    let error = fetch_zhipu(&base).await.unwrap_err();

    assert!(
        matches!(
            error,
            SourceError::Timeout {
                provider: "zhipu",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.is_retryable());
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert_eq!(calls.get(), 1);
}
