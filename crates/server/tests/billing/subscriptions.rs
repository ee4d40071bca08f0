//! Subscriptions: a plan an admin gives starts a monthly period; the scheduler of two
//! projector replicas mails the renewal reminder once, renews after a restart, and ends a
//! cancelled subscription at the end of its period, moving the account to the free plan.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use illustrator_server::testing::LocalServer;
use illustrator_server::{Components, Config};
use serde_json::Value;

use crate::support;
use crate::usage::morning;

const SUBJECT: &str = "Subject: Your subscription renews soon";

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Reminder mails to `to` in the mail folder.
fn reminders(dir: &Path, to: &str) -> anyhow::Result<usize> {
    let mut count = 0;
    for entry in std::fs::read_dir(dir)? {
        let text = std::fs::read_to_string(entry?.path())?;
        if text.contains(SUBJECT) && text.contains(to) {
            count += 1;
        }
    }
    Ok(count)
}

async fn subscription(base: &str, session: &str) -> anyhow::Result<Value> {
    let response = support::get(base, "/v1/me/subscription", Some(session)).await?;
    anyhow::ensure!(
        response.status() == 200,
        "subscription: {}",
        response.status()
    );
    Ok(response.json().await?)
}

/// Polls the subscription until `done` holds, for up to 10 s.
async fn until(base: &str, session: &str, done: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let view = subscription(base, session).await?;
        if done(&view) || Instant::now() > deadline {
            return Ok(view);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn fast_scheduler(config: &mut Config) {
    config.scheduler_interval = Duration::from_millis(100);
    config.reminder_lead = chrono::Duration::hours(72);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_is_reminded_once_renewed_after_a_restart_and_ends_when_cancelled()
-> anyhow::Result<()> {
    support::captured_logs();
    let api_and_projector = Components {
        api: true,
        projector: true,
        ..Default::default()
    };
    let mut server = LocalServer::start_with(api_and_projector, fast_scheduler).await?;
    server.app.billing.clock.set(Some(morning()));
    let replica = server.replica(api_and_projector).await?;
    replica.app.billing.clock.set(Some(morning()));
    let mail_dir = server.config.accounts.mail_dir.clone();

    let user = support::user(&server, "subscriber").await?;
    support::subscribe(&server, &user.id, "pro").await?;
    let view = subscription(&server.base, &user.session).await?;
    assert_eq!(view["plan"], "pro");
    assert_eq!(view["subscribed"], true);
    assert_eq!(view["renews"], true);
    assert_eq!(view["monthly_price_fen"], 9_900);
    assert_eq!(view["period_end"], "2027-01-04T03:00:00Z");
    assert_eq!(view["reminder_at"], "2027-01-01T03:00:00Z");

    // Both replicas' schedulers reach the reminder's moment together.
    let reminder_time = at(2027, 1, 2, 0);
    server.app.billing.clock.set(Some(reminder_time));
    replica.app.billing.clock.set(Some(reminder_time));
    let deadline = Instant::now() + Duration::from_secs(10);
    while reminders(&mail_dir, &user.email)? == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Twenty more ticks of each scheduler change nothing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(reminders(&mail_dir, &user.email)?, 1, "one reminder mail");
    let (rows,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM renewal_reminders WHERE user_id = $1")
            .bind(&user.id)
            .fetch_one(&server.app.db)
            .await?;
    assert_eq!(rows, 1);
    let view = subscription(&server.base, &user.session).await?;
    assert_eq!(view["reminder_sent"], true, "{view}");

    // Every process stops; the renewal falls due while they are down.
    replica.stop().await;
    server.stop().await;
    server.restart().await?;
    server.app.billing.clock.set(Some(at(2027, 1, 4, 4)));
    let view = until(&server.base, &user.session, |v| {
        v["period_end"] == "2027-02-04T03:00:00Z"
    })
    .await?;
    assert_eq!(view["period_start"], "2027-01-04T03:00:00Z", "{view}");
    assert_eq!(view["renews"], true);

    // Cancelled, the plan lasts to the end of the period, with no reminder, then ends.
    let response = support::http()
        .delete(format!("{}/v1/me/subscription", server.base))
        .bearer_auth(&user.session)
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let cancelled: Value = response.json().await?;
    assert_eq!(cancelled["renews"], false);
    assert_eq!(cancelled["reminder_at"], Value::Null);

    server.app.billing.clock.set(Some(at(2027, 2, 3, 0)));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        reminders(&mail_dir, &user.email)?,
        1,
        "no reminder for a cancelled one"
    );
    let view = subscription(&server.base, &user.session).await?;
    assert_eq!(view["subscribed"], true);

    server.app.billing.clock.set(Some(at(2027, 2, 4, 3)));
    let view = until(&server.base, &user.session, |v| v["subscribed"] == false).await?;
    assert_eq!(view["subscribed"], false, "{view}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut plan = Value::Null;
    while Instant::now() < deadline {
        let usage: Value = support::get(&server.base, "/v1/me/usage", Some(&user.session))
            .await?
            .json()
            .await?;
        plan = usage["plan"]["id"].clone();
        if plan == "free" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(plan, "free", "the account follows its ended subscription");

    server.cleanup().await;
    Ok(())
}
