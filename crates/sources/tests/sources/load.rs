//! Many slow provider calls in flight at once in one process.

use std::time::{Duration, Instant};

use axum::routing::post;
use axum::{Json, Router};
use illustrator_analysis::{PlacementType, Source};
use illustrator_sources::Providers;
use serde_json::json;

use crate::fake;

const CALLS: usize = 100;

#[tokio::test]
async fn a_hundred_slow_calls_run_at_once() {
    let base = fake::start(|_| {
        let generate = || async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            Json(json!({ "created": 1, "data": [{ "b64_json": fake::b64_png(16, 16) }] }))
        };
        Router::new().route("/images/generations", post(generate))
    })
    .await;
    let mut config = fake::config(&base);
    config.request_timeout = Duration::from_secs(6);
    config.max_in_flight = CALLS;
    let providers = Providers::new(config).unwrap();
    let placement = fake::placement(PlacementType::Concept, Source::Doubao);

    let started = Instant::now();
    let calls = (0..CALLS).map(|i| {
        let providers = providers.clone();
        let placement = placement.clone();
        async move {
            let prompt = format!("harbour {i}");
            providers.fetch(Source::Doubao, &prompt, &placement).await
        }
    });
    let results = futures::future::join_all(calls).await;
    let elapsed = started.elapsed();

    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, CALLS, "{:?}", results.iter().find(|r| r.is_err()));
    assert!(
        elapsed < Duration::from_secs(4),
        "{CALLS} calls took {elapsed:?}"
    );
    println!("{CALLS} concurrent 2 s calls finished in {elapsed:?}");
}

#[tokio::test]
async fn the_concurrency_limit_queues_calls_beyond_it() {
    let base = fake::start(|_| {
        let generate = || async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Json(json!({ "created": 1, "data": [{ "b64_json": fake::b64_png(16, 16) }] }))
        };
        Router::new().route("/images/generations", post(generate))
    })
    .await;
    let mut config = fake::config(&base);
    config.max_in_flight = 2;
    let providers = Providers::new(config).unwrap();
    let placement = fake::placement(PlacementType::Concept, Source::Doubao);

    let started = Instant::now();
    let calls = (0..4).map(|_| providers.fetch(Source::Doubao, "harbour", &placement));
    let results = futures::future::join_all(calls).await;

    assert!(results.iter().all(Result::is_ok));
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}
