//! Exactness under concurrency, and the day boundary at midnight in Asia/Shanghai.

use chrono::{TimeZone, Utc};
use futures::future::join_all;

use crate::support;
use crate::usage::{NO_WORKERS, morning, server, submit, usage};

#[tokio::test]
async fn two_hundred_concurrent_submissions_for_the_last_five_pictures_admit_five() {
    let server = server(NO_WORKERS, morning()).await.expect("server");
    let user = support::user(&server, "racer").await.expect("user");

    for batch in [4, 4, 4, 3] {
        let (status, body, _) = submit(&server.base, &user.session, "card", batch)
            .await
            .expect("test step");
        assert_eq!(status, 202, "{body}");
    }
    let before = usage(&server.base, &user.session).await.expect("test step");
    assert_eq!(before["day"]["remaining"], 5, "{before}");

    let racers = (0..200).map(|_| submit(&server.base, &user.session, "card", 1));
    let results = join_all(racers).await;
    let statuses: Vec<u16> = results
        .iter()
        .map(|r| r.as_ref().map_or(0, |r| r.0))
        .collect();

    let admitted = statuses.iter().filter(|&&s| s == 202).count();
    let refused = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!(admitted, 5, "{statuses:?}");
    assert_eq!(refused, 195, "{statuses:?}");

    let after = usage(&server.base, &user.session).await.expect("test step");
    assert_eq!(after["day"]["reserved"], 20, "{after}");
    assert_eq!(after["day"]["remaining"], 0, "{after}");
    server.cleanup().await;
}

#[tokio::test]
async fn the_quota_day_turns_at_midnight_in_shanghai() {
    let last_second = Utc
        .with_ymd_and_hms(2026, 12, 4, 15, 59, 59)
        .single()
        .expect("test step");
    let server = server(NO_WORKERS, last_second).await.expect("server");
    let user = support::user(&server, "midnight").await.expect("user");

    for batch in [4, 4, 4, 4, 4] {
        let (status, body, _) = submit(&server.base, &user.session, "card", batch)
            .await
            .expect("test step");
        assert_eq!(status, 202, "{body}");
    }
    let (status, body, retry_after) = submit(&server.base, &user.session, "card", 1)
        .await
        .expect("test step");
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "quota_exceeded");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("daily limit of 20 pictures of the Free plan"),
        "{message}"
    );
    assert!(message.contains("2026-12-04T16:00:00Z"), "{message}");
    assert_eq!(retry_after.as_deref(), Some("1"));

    let shown = usage(&server.base, &user.session).await.expect("test step");
    assert_eq!(shown["day"]["date"], "2026-12-04");
    assert_eq!(shown["day"]["resets_at"], "2026-12-04T16:00:00Z");
    assert_eq!(shown["time_zone"], "Asia/Shanghai");

    let midnight = Utc
        .with_ymd_and_hms(2026, 12, 4, 16, 0, 0)
        .single()
        .expect("test step");
    server.app.billing.clock.set(Some(midnight));
    let (status, body, _) = submit(&server.base, &user.session, "card", 1)
        .await
        .expect("test step");
    assert_eq!(status, 202, "{body}");

    let next_day = usage(&server.base, &user.session).await.expect("test step");
    assert_eq!(next_day["day"]["date"], "2026-12-05");
    assert_eq!(next_day["day"]["reserved"], 1);
    assert_eq!(next_day["day"]["remaining"], 19);
    server.cleanup().await;
}

#[tokio::test]
async fn a_source_outside_the_plan_is_refused_naming_the_plan() {
    let server = server(NO_WORKERS, morning()).await.expect("server");
    let user = support::user(&server, "dalle").await.expect("user");

    let (status, body, _) = submit(&server.base, &user.session, "dalle", 1)
        .await
        .expect("test step");
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "source_not_in_plan");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("the Free plan does not include the source dalle"),
        "{message}"
    );

    let shown = usage(&server.base, &user.session).await.expect("test step");
    assert_eq!(shown["day"]["reserved"], 0, "{shown}");
    server.cleanup().await;
}
