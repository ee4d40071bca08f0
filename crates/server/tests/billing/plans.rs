//! The price list as data: a superadmin schedules a price and changes a plan, both as
//! events that every replica applies without a restart; API keys follow the plan's API
//! access.

use std::time::{Duration, Instant};

use chrono::Duration as Span;
use illustrator_server::Components;
use serde_json::{Value, json};

use crate::support;
use crate::usage::{NO_WORKERS, morning, server, submit};

/// Polls `check` for up to 10 s; the replicas read the price list every 2 s.
async fn eventually<F, Fut>(what: &str, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if check().await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("{what} did not happen within 10 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prices_and_plans_change_as_events_that_every_replica_applies() -> anyhow::Result<()> {
    let server = server(NO_WORKERS, morning()).await?;
    let api = Components {
        api: true,
        ..Default::default()
    };
    let replica = server.replica(api).await?;
    replica.app.billing.clock.set(Some(morning()));
    let key = server.key.clone();

    // A price from tomorrow on; bills before it keep the old one.
    let tomorrow = morning() + Span::days(1);
    let price = json!({ "source": "dalle", "unit_fen": "30", "effective_from": tomorrow });
    let response = support::post(&server.base, "/v1/admin/prices", Some(&key), price).await?;
    assert_eq!(response.status(), 201);
    let past = json!({
        "source": "dalle", "unit_fen": "1", "effective_from": morning() - Span::hours(1),
    });
    let response = support::post(&server.base, "/v1/admin/prices", Some(&key), past).await?;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await?;
    assert_eq!(body["error"]["code"], "price_in_the_past");

    let replica_base = replica.base.clone();
    eventually("the replica's price list", || async {
        let plans: Value = support::get(&replica_base, "/v1/plans", Some(&key))
            .await?
            .json()
            .await?;
        let prices = plans["prices"].as_array().cloned().unwrap_or_default();
        Ok(prices
            .iter()
            .any(|p| p["source"] == "dalle" && p["unit"] == 30_000))
    })
    .await?;
    let catalogue = replica.app.billing.catalogue();
    assert_eq!(
        catalogue
            .price(illustrator_analysis::Source::Dalle, morning())
            .0,
        40_000
    );
    assert_eq!(
        catalogue
            .price(illustrator_analysis::Source::Dalle, tomorrow)
            .0,
        30_000
    );

    // The free plan now allows two pictures a day; a user of it meets the new limit on the
    // other replica.
    let free = json!({
        "name": "Free", "monthly_price_fen": 0, "daily_limit": 2,
        "sources": ["mermaid", "chart", "card", "unsplash"], "api_access": false,
    });
    let response = support::http()
        .put(format!("{}/v1/admin/plans/free", server.base))
        .bearer_auth(&key)
        .json(&free)
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let user = support::user(&server, "plans").await?;
    eventually("the replica's plan", || async {
        Ok(replica.app.billing.plan("free").daily_limit == Some(2))
    })
    .await?;

    let (status, body, _) = submit(&replica.base, &user.session, "card", 2).await?;
    assert_eq!(status, 202, "{body}");
    let (status, body, _) = submit(&replica.base, &user.session, "card", 1).await?;
    assert_eq!(status, 429, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("daily limit of 2 pictures of the Free plan"),
        "{message}"
    );

    let bad = json!({
        "name": "", "monthly_price_fen": 0, "sources": ["card"], "api_access": false,
    });
    let response = support::http()
        .put(format!("{}/v1/admin/plans/team", server.base))
        .bearer_auth(&key)
        .json(&bad)
        .send()
        .await?;
    assert_eq!(response.status(), 400);

    replica.stop().await;
    server.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_work_only_on_plans_with_api_access() -> anyhow::Result<()> {
    let server = server(NO_WORKERS, morning()).await?;
    let base = server.base.clone();
    let user = support::user(&server, "api-access").await?;

    let body = json!({ "name": "ci", "scopes": ["read"] });
    let response = support::post(&base, "/v1/api-keys", Some(&user.session), body).await?;
    assert_eq!(response.status(), 403);
    let refusal: Value = response.json().await?;
    assert_eq!(refusal["error"]["code"], "plan_without_api_access");
    let message = refusal["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Pro and Enterprise"), "{message}");

    support::subscribe(&server, &user.id, "pro").await?;
    let (_, key) = support::key(&base, &user.session, &["read"]).await?;
    let me = support::get(&base, "/v1/me", Some(&key)).await?;
    assert_eq!(me.status(), 200);

    // Moved to a plan without API access, the key stops working; the session does not.
    support::subscribe(&server, &user.id, "basic").await?;
    let me = support::get(&base, "/v1/me", Some(&key)).await?;
    assert_eq!(me.status(), 403);
    let me = support::get(&base, "/v1/me", Some(&user.session)).await?;
    assert_eq!(me.status(), 200);

    server.cleanup().await;
    Ok(())
}
