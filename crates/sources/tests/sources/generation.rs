//! The AI sources' happy paths: OpenAI (base64), Zhipu and Ark (URL), FLUX (polling).

use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use illustrator_analysis::{PlacementType, Source};
use illustrator_sources::{Providers, SourceError};
use serde_json::{Value, json};

use crate::fake::{self, Counter};

#[tokio::test]
async fn dalle_picture_comes_back_in_base64_with_its_request_id() {
    let base = fake::start(|_| {
        let generate = |headers: HeaderMap, Json(body): Json<Value>| async move {
            assert_eq!(headers["authorization"], "Bearer key-openai_api_key");
            assert_eq!(body["model"], "dall-e-3");
            assert_eq!(body["size"], "1792x1024");
            assert_eq!(body["response_format"], "b64_json");
            let answer =
                json!({ "created": 1, "data": [{ "b64_json": fake::b64_png(1792, 1024) }] });
            ([("x-request-id", "req_openai_1")], Json(answer))
        };
        Router::new().route("/images/generations", post(generate))
    })
    .await;
    let placement = fake::placement(PlacementType::Cover, Source::Dalle);

    let fetched = fake::providers(&base)
        .fetch(Source::Dalle, "a harbour", &placement)
        .await
        .unwrap();

    assert_eq!((fetched.width, fetched.height), (1792, 1024));
    assert_eq!(fetched.provider, "dalle");
    assert_eq!(fetched.model.as_deref(), Some("dall-e-3"));
    assert_eq!(fetched.request_id.as_deref(), Some("req_openai_1"));
    assert_eq!(fetched.price_milli_fen, 40_000);
    assert_eq!(fetched.attribution, None);
}

#[tokio::test]
async fn gpt_image_is_asked_without_a_response_format() {
    let base = fake::start(|_| {
        let generate = |Json(body): Json<Value>| async move {
            assert_eq!(body["model"], "gpt-image-1");
            assert_eq!(body["size"], "1024x1024");
            assert!(body.get("response_format").is_none());
            Json(json!({ "created": 1, "data": [{ "b64_json": fake::b64_png(1024, 1024) }] }))
        };
        Router::new().route("/images/generations", post(generate))
    })
    .await;
    let mut config = fake::config(&base);
    config.openai.model = "gpt-image-1".to_string();
    let placement = fake::placement(PlacementType::Concept, Source::Dalle);

    let fetched = Providers::new(config)
        .unwrap()
        .fetch(Source::Dalle, "a harbour", &placement)
        .await
        .unwrap();

    assert_eq!(fetched.model.as_deref(), Some("gpt-image-1"));
    assert_eq!(fetched.content_type, "image/png");
}

/// A provider answering `data: [{url}]` whose picture the fake serves at `/img/result.png`.
pub fn url_app(base: String, path: &'static str, check: fn(&Value)) -> Router {
    let generate = move |headers: HeaderMap, Json(body): Json<Value>| {
        let base = base.clone();
        async move {
            assert!(
                headers["authorization"]
                    .to_str()
                    .unwrap()
                    .starts_with("Bearer key-")
            );
            check(&body);
            Json(json!({
                "created": 1,
                "id": "body-id-7",
                "data": [{ "url": format!("{base}/img/result.png") }],
            }))
        }
    };
    Router::new().route(path, post(generate)).route(
        "/img/result.png",
        get(|| async { fake::png_response(1344, 768) }),
    )
}

#[tokio::test]
async fn zhipu_picture_is_downloaded_from_its_url() {
    let base = fake::start(|base| {
        url_app(base, "/images/generations", |body| {
            assert_eq!(body["model"], "cogview-4");
            assert_eq!(body["size"], "1344x768");
        })
    })
    .await;
    let placement = fake::placement(PlacementType::Section, Source::Zhipu);

    let fetched = fake::providers(&base)
        .fetch(Source::Zhipu, "海港的清晨", &placement)
        .await
        .unwrap();

    assert_eq!((fetched.width, fetched.height), (1344, 768));
    assert_eq!(fetched.request_id.as_deref(), Some("body-id-7"));
    assert_eq!(fetched.price_milli_fen, 6_000);
}

#[tokio::test]
async fn ark_seedream_is_asked_without_a_watermark() {
    let base = fake::start(|base| {
        url_app(base, "/images/generations", |body| {
            assert_eq!(body["model"], "doubao-seedream-3-0-t2i-250415");
            assert_eq!(body["watermark"], false);
            assert_eq!(body["response_format"], "url");
            assert_eq!(body["size"], "1280x720");
        })
    })
    .await;
    let placement = fake::placement(PlacementType::Cover, Source::Doubao);

    let fetched = fake::providers(&base)
        .fetch(Source::Doubao, "a harbour", &placement)
        .await
        .unwrap();

    assert_eq!(fetched.provider, "doubao");
    assert_eq!(fetched.price_milli_fen, 500);
}

/// A BFL-shaped fake: submit answers a polling URL; the job is pending for two polls and
/// then ends with `final_status`.
fn flux_app(base: String, polls: Counter, final_status: &'static str) -> Router {
    let submit_base = base.clone();
    let submit = move |headers: HeaderMap, Json(body): Json<Value>| {
        let polling_url = format!("{submit_base}/get_result?id=job-42");
        async move {
            assert_eq!(headers["x-key"], "key-flux_api_key");
            assert_eq!(
                (body["width"].as_u64(), body["height"].as_u64()),
                (Some(1344), Some(768))
            );
            Json(json!({ "id": "job-42", "polling_url": polling_url }))
        }
    };
    let poll = move |headers: HeaderMap| {
        let pending = polls.hit() < 2;
        let sample = format!("{base}/delivery/sample.jpg");
        async move {
            assert_eq!(headers["x-key"], "key-flux_api_key");
            if pending {
                return Json(json!({ "id": "job-42", "status": "Pending", "result": null }));
            }
            Json(json!({ "id": "job-42", "status": final_status, "result": { "sample": sample } }))
        }
    };
    Router::new()
        .route("/flux-pro-1.1", post(submit))
        .route("/get_result", get(poll))
        .route(
            "/delivery/sample.jpg",
            get(|| async { fake::png_response(1344, 768) }),
        )
}

async fn flux_base(polls: Counter, final_status: &'static str) -> String {
    fake::start(move |base| flux_app(base, polls, final_status)).await
}

#[tokio::test]
async fn flux_job_is_polled_until_ready_then_downloaded() {
    let polls = Counter::default();
    let base = flux_base(polls.clone(), "Ready").await;
    let placement = fake::placement(PlacementType::Section, Source::Flux);

    let fetched = fake::providers(&base)
        .fetch(Source::Flux, "a harbour", &placement)
        .await
        .unwrap();

    assert_eq!(polls.get(), 3);
    assert_eq!(fetched.request_id.as_deref(), Some("job-42"));
    assert_eq!(fetched.model.as_deref(), Some("flux-pro-1.1"));
    assert_eq!(fetched.price_milli_fen, 1_000);
}

#[tokio::test]
async fn flux_moderated_job_is_a_final_content_policy_refusal() {
    let polls = Counter::default();
    let base = flux_base(polls.clone(), "Content Moderated").await;
    let placement = fake::placement(PlacementType::Section, Source::Flux);

    let error = fake::providers(&base)
        .fetch(Source::Flux, "a harbour", &placement)
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            SourceError::Refused {
                content_policy: true,
                ..
            }
        ),
        "{error}"
    );
    assert!(!error.is_retryable());
}
