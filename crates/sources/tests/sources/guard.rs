//! Picture URLs that point at private, loopback or link-local addresses other than the
//! configured provider hosts are refused before any connection is made.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use illustrator_analysis::{PlacementType, Source};
use illustrator_sources::SourceError;
use serde_json::json;

use crate::fake::{self, Trap};

/// A Zhipu-shaped fake whose result URL is `url`.
async fn pointing_at(url: String) -> String {
    fake::start(move |_| {
        let generate = move || {
            let url = url.clone();
            async move { Json(json!({ "created": 1, "data": [{ "url": url }] })) }
        };
        Router::new().route("/images/generations", post(generate))
    })
    .await
}

async fn fetch_error(base: &str) -> SourceError {
    let placement = fake::placement(PlacementType::Concept, Source::Zhipu);
    fake::providers(base)
        .fetch(Source::Zhipu, "a harbour", &placement)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn another_loopback_port_is_refused_without_connecting() {
    let trap = Trap::start().await;
    let base = pointing_at(format!("http://127.0.0.1:{}/x.png", trap.port)).await;

    let error = fetch_error(&base).await;

    assert!(matches!(&error, SourceError::ForbiddenAddress { host } if host == "127.0.0.1"));
    assert!(!error.is_retryable());
    assert_eq!(trap.hits(), 0);
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_without_connecting() {
    let trap = Trap::start().await;
    let base = pointing_at(format!("http://localhost:{}/x.png", trap.port)).await;

    let error = fetch_error(&base).await;

    assert!(
        matches!(&error, SourceError::ForbiddenAddress { .. }),
        "{error}"
    );
    assert_eq!(trap.hits(), 0);
}

/// Only loopback targets here, so that a broken guard can never make this test reach out;
/// private and link-local ranges are checked by the guard's own tests without any request.
#[tokio::test]
async fn ipv6_loopback_and_non_web_schemes_are_refused() {
    let trap = Trap::start().await;
    let targets = [
        format!("http://[::1]:{}/x.png", trap.port),
        format!("http://0.0.0.0:{}/x.png", trap.port),
        "file:///etc/passwd".to_string(),
    ];
    for target in targets {
        let base = pointing_at(target.clone()).await;

        let error = fetch_error(&base).await;

        assert!(
            matches!(error, SourceError::ForbiddenAddress { .. }),
            "{target}: {error}"
        );
    }
    assert_eq!(trap.hits(), 0);
}

#[tokio::test]
async fn a_redirect_from_the_provider_to_a_private_address_is_not_followed() {
    let trap = Trap::start().await;
    let target = format!("http://127.0.0.1:{}/x.png", trap.port);
    let base = fake::start(move |base| {
        let generate = move || {
            let url = format!("{base}/img/moved");
            async move { Json(json!({ "created": 1, "data": [{ "url": url }] })) }
        };
        let redirect = move || {
            let target = target.clone();
            async move { (StatusCode::FOUND, [("location", target)]).into_response() }
        };
        Router::new()
            .route("/images/generations", post(generate))
            .route("/img/moved", get(redirect))
    })
    .await;

    let error = fetch_error(&base).await;

    assert!(
        matches!(error, SourceError::ForbiddenAddress { .. }),
        "{error}"
    );
    assert_eq!(trap.hits(), 0);
}

#[tokio::test]
async fn the_configured_provider_host_itself_may_be_loopback() {
    let base = fake::start(|base| {
        let generate = move || {
            let url = format!("{base}/img/ok.png");
            async move { Json(json!({ "created": 1, "data": [{ "url": url }] })) }
        };
        Router::new()
            .route("/images/generations", post(generate))
            .route("/img/ok.png", get(|| async { fake::png_response(32, 32) }))
    })
    .await;
    let placement = fake::placement(PlacementType::Concept, Source::Zhipu);

    let fetched = fake::providers(&base)
        .fetch(Source::Zhipu, "a harbour", &placement)
        .await
        .unwrap();

    assert_eq!((fetched.width, fetched.height), (32, 32));
}
