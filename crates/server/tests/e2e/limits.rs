//! Provider limits shared by worker replicas: two limiters on one bucket, as two worker
//! processes would have, never let more calls through than the limit between them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use illustrator_analysis::Source;
use illustrator_server::Components;
use illustrator_server::worker::ProviderLimits;

use crate::support::TestServer;

async fn limiter(server: &TestServer, concurrency: u32, per_minute: u32) -> ProviderLimits {
    let bucket = server.app.ns.kv_bucket("provider_limits");
    let kv = server.app.js.get_key_value(bucket).await.expect("bucket");
    ProviderLimits::new(kv, concurrency, per_minute)
}

#[tokio::test]
async fn two_replicas_share_the_calls_in_flight() -> anyhow::Result<()> {
    let server = TestServer::start_with(Components::default()).await?;
    let replicas = [
        limiter(&server, 3, 1_000).await,
        limiter(&server, 3, 1_000).await,
    ];
    let now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));

    let mut calls = tokio::task::JoinSet::new();
    for n in 0..24 {
        let limits = replicas[n % 2].clone();
        let (now, most) = (now.clone(), most.clone());
        calls.spawn(async move {
            let slot = limits.acquire(Source::Flux).await?;
            let inside = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(inside, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(40)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            limits.release(slot).await;
            anyhow::Ok(())
        });
    }
    while let Some(done) = calls.join_next().await {
        done??;
    }

    assert_eq!(
        most.load(Ordering::SeqCst),
        3,
        "at most three calls at once, and three used"
    );
    server.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn the_calls_of_a_minute_are_counted_across_replicas() -> anyhow::Result<()> {
    let server = TestServer::start_with(Components::default()).await?;
    let (a, b) = (
        limiter(&server, 100, 4).await,
        limiter(&server, 100, 4).await,
    );
    let minute = || chrono::Utc::now().timestamp() / 60;
    let started = minute();

    for limits in [&a, &b, &a, &b] {
        let slot = limits.acquire_within(Source::Zhipu, Duration::ZERO).await?;
        limits.release(slot).await;
    }
    let fifth = b
        .acquire_within(Source::Zhipu, Duration::from_millis(500))
        .await;
    let other_provider = a.acquire_within(Source::Flux, Duration::ZERO).await;

    // Across a minute boundary the count starts again, and the fifth call may go through.
    assert!(
        fifth.is_err() || minute() != started,
        "a fifth call this minute went through"
    );
    assert!(other_provider.is_ok(), "each provider has its own count");
    server.cleanup().await;
    Ok(())
}
