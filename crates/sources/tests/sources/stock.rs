//! Unsplash and Pexels: search, pick, download, credit, and Unsplash's download tracking.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use illustrator_analysis::{PlacementType, Source};
use illustrator_sources::SourceError;
use serde_json::{Value, json};

use crate::fake::{self, Counter};

fn unsplash_app(base: String, tracked: Counter, results: bool) -> Router {
    let search = move |headers: HeaderMap, Query(q): Query<HashMap<String, String>>| {
        let base = base.clone();
        async move { unsplash_search(&base, headers, q, results) }
    };
    let track = |State(tracked): State<Counter>, headers: HeaderMap| async move {
        assert_eq!(
            headers["authorization"],
            "Client-ID key-unsplash_access_key"
        );
        tracked.hit();
        Json(json!({ "url": "https://images.unsplash.com/abc123" }))
    };

    Router::new()
        .route("/search/photos", get(search))
        .route("/photos/abc123/download", get(track))
        .route(
            "/img/abc123.png",
            get(|| async { fake::png_response(1080, 720) }),
        )
        .with_state(tracked)
}

fn unsplash_search(
    base: &str,
    headers: HeaderMap,
    q: HashMap<String, String>,
    results: bool,
) -> Json<Value> {
    assert_eq!(
        headers["authorization"],
        "Client-ID key-unsplash_access_key"
    );
    assert_eq!(q["orientation"], "landscape");
    assert!(q["query"].contains("harbour"));
    if !results {
        return Json(json!({ "total": 0, "total_pages": 0, "results": [] }));
    }
    Json(json!({
        "total": 1,
        "total_pages": 1,
        "results": [{
            "id": "abc123",
            "width": 4000,
            "height": 3000,
            "urls": { "regular": format!("{base}/img/abc123.png"), "raw": "unused" },
            "links": {
                "html": "https://unsplash.com/photos/abc123",
                "download_location": format!("{base}/photos/abc123/download?ixid=x1"),
            },
            "user": {
                "name": "Jane Doe",
                "username": "janedoe",
                "links": { "html": "https://unsplash.com/@janedoe" },
            },
        }],
    }))
}

#[tokio::test]
async fn unsplash_photo_is_downloaded_credited_and_its_use_tracked() {
    let tracked = Counter::default();
    let counter = tracked.clone();
    let base = fake::start(move |base| unsplash_app(base, counter, true)).await;
    let providers = fake::providers(&base);
    let placement = fake::placement(PlacementType::Section, Source::Unsplash);

    let fetched = providers
        .fetch(Source::Unsplash, &placement.prompt, &placement)
        .await
        .unwrap();

    assert_eq!((fetched.width, fetched.height), (1080, 720));
    assert_eq!(fetched.content_type, "image/png");
    assert_eq!(fetched.provider, "unsplash");
    assert_eq!(fetched.model, None);
    assert_eq!(fetched.price_milli_fen, 0);
    assert_eq!(fetched.request_id.as_deref(), Some("abc123"));
    let credit = fetched.attribution.unwrap();
    assert_eq!(credit.text, "Photo by Jane Doe on Unsplash");
    assert_eq!(
        credit.author_url,
        "https://unsplash.com/@janedoe?utm_source=markdown_illustrator&utm_medium=referral"
    );
    assert!(
        credit
            .source_url
            .starts_with("https://unsplash.com/photos/abc123?utm_source=")
    );
    assert_eq!(tracked.get(), 1);
}

#[tokio::test]
async fn unsplash_search_without_results_is_nothing_found() {
    let tracked = Counter::default();
    let counter = tracked.clone();
    let base = fake::start(move |base| unsplash_app(base, counter, false)).await;
    let placement = fake::placement(PlacementType::Section, Source::Unsplash);

    let error = fake::providers(&base)
        .fetch(Source::Unsplash, "harbour", &placement)
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            SourceError::NothingFound {
                provider: "unsplash"
            }
        ),
        "{error}"
    );
    assert!(!error.is_retryable());
    assert_eq!(tracked.get(), 0);
}

#[tokio::test]
async fn pexels_photo_credits_the_photographer_and_pexels() {
    let base = fake::start(|base| {
        let search = move |headers: HeaderMap, Query(q): Query<HashMap<String, String>>| {
            let base = base.clone();
            async move {
                assert_eq!(headers["authorization"], "key-pexels_api_key");
                assert_eq!(q["orientation"], "square");
                Json(json!({
                    "total_results": 1,
                    "page": 1,
                    "per_page": 10,
                    "photos": [{
                        "id": 2014422,
                        "width": 3024,
                        "height": 3024,
                        "url": "https://www.pexels.com/photo/2014422/",
                        "photographer": "Joey Farina",
                        "photographer_url": "https://www.pexels.com/@joey",
                        "src": { "original": "unused", "large": format!("{base}/img/p.png") },
                    }],
                }))
            }
        };
        Router::new()
            .route("/search", get(search))
            .route("/img/p.png", get(|| async { fake::png_response(940, 940) }))
    })
    .await;
    let placement = fake::placement(PlacementType::Concept, Source::Pexels);

    let fetched = fake::providers(&base)
        .fetch(Source::Pexels, "harbour", &placement)
        .await
        .unwrap();

    assert_eq!((fetched.width, fetched.height), (940, 940));
    assert_eq!(fetched.request_id.as_deref(), Some("2014422"));
    let credit = fetched.attribution.unwrap();
    assert_eq!(credit.text, "Photo by Joey Farina on Pexels");
    assert_eq!(credit.author_url, "https://www.pexels.com/@joey");
    assert_eq!(credit.source_url, "https://www.pexels.com/photo/2014422/");
}

/// A search answer that is not the documented shape is a protocol error, not a panic.
#[tokio::test]
async fn pexels_answer_of_the_wrong_shape_is_a_protocol_error() {
    let base = fake::start(|_| {
        Router::new().route(
            "/search",
            get(|| async { Json(json!({ "photos": "none" })) }),
        )
    })
    .await;
    let placement = fake::placement(PlacementType::Concept, Source::Pexels);

    let error = fake::providers(&base)
        .fetch(Source::Pexels, "harbour", &placement)
        .await
        .unwrap_err();

    assert!(matches!(error, SourceError::Protocol { .. }), "{error}");
}
