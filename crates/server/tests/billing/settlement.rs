//! Settlement: a failed picture gives its place back, a redelivered job is billed once,
//! drawn pictures reach the bill, and the export keeps its bytes across a rebuild.

use std::time::{Duration, Instant};

use illustrator_server::billing::settle::{JobOwner, Settlement, settle};
use illustrator_server::billing::{self};
use illustrator_server::testing::LocalServer;
use illustrator_server::{Components, projector};
use serde_json::{Value, json};

use crate::support;
use crate::usage::{NO_WORKERS, morning, server, submit, usage};

/// The job ids the user's month holds places for.
async fn pending(server: &LocalServer, user: &str) -> Vec<String> {
    let id = server.app.billing.month_id(user, morning());
    let usage = billing::load(&server.app.billing.usage, &id)
        .await
        .expect("usage");
    usage.pending.keys().cloned().collect()
}

fn owner<'a>(user: &'a str, document: &'a str, job_id: &'a str) -> JobOwner<'a> {
    JobOwner {
        user,
        requested_at: morning(),
        document,
        job_id,
        correlation_id: "test",
    }
}

#[tokio::test]
async fn a_failed_picture_gives_its_place_back_and_a_redelivered_one_is_billed_once() {
    let server = server(NO_WORKERS, morning()).await.expect("server");
    let user = support::user(&server, "settle").await.expect("user");

    let (status, body, _) = submit(&server.base, &user.session, "card", 2)
        .await
        .expect("test step");
    assert_eq!(status, 202, "{body}");
    let document = body["id"].as_str().unwrap_or_default().to_owned();
    let jobs = pending(&server, &user.id).await;
    assert_eq!(jobs.len(), 2);

    let failed = Settlement::Failed("no source could draw it".into());
    for _ in 0..2 {
        let job = owner(&user.id, &document, &jobs[0]);
        settle(&server.app, job, failed.clone())
            .await
            .expect("release");
    }
    let drawn = Settlement::Drawn(illustrator_analysis::Source::Card);
    for _ in 0..3 {
        let job = owner(&user.id, &document, &jobs[1]);
        settle(&server.app, job, drawn.clone())
            .await
            .expect("record");
    }

    let shown = usage(&server.base, &user.session).await.expect("test step");
    assert_eq!(shown["day"]["used"], 1, "{shown}");
    assert_eq!(shown["day"]["reserved"], 0, "{shown}");
    assert_eq!(shown["day"]["remaining"], 19, "{shown}");

    let billed = until_month(&server, &user.session, 1).await;
    assert_eq!(billed["month"]["pictures"], 1, "{billed}");
    assert_eq!(
        billed["by_source"],
        json!([{"source": "card", "count": 1, "amount_fen": "0.00"}])
    );
    server.cleanup().await;
}

/// Polls the caller's usage until the month shows `pictures`.
async fn until_month(server: &LocalServer, session: &str, pictures: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown = usage(&server.base, session).await.unwrap_or(Value::Null);
        if shown["month"]["pictures"] == pictures || Instant::now() > deadline {
            return shown;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn drawn_pictures_reach_the_bill_and_the_export_survives_a_rebuild() {
    let server = server(Components::ALL, morning()).await.expect("server");
    let user = support::user(&server, "export").await.expect("user");

    let (status, body, _) = submit(&server.base, &user.session, "card", 3)
        .await
        .expect("test step");
    assert_eq!(status, 202, "{body}");
    let billed = until_month(&server, &user.session, 3).await;
    assert_eq!(billed["month"]["pictures"], 3, "{billed}");
    assert_eq!(billed["day"]["used"], 3, "{billed}");
    assert_eq!(billed["day"]["reserved"], 0, "{billed}");

    let credit = json!({
        "user_id": user.id,
        "source": "card",
        "pictures": -1,
        "amount_fen": "0",
        "reason": "one card was blank, \"sorry\"",
    });
    let path = "/v1/admin/billing/corrections";
    let response = support::post(&server.base, path, Some(&server.key), credit)
        .await
        .expect("test step");
    assert_eq!(response.status(), 201);
    until_month(&server, &user.session, 2).await;

    let export = "/v1/admin/billing/export?month=2026-12";
    let before = support::get(&server.base, export, Some(&server.key))
        .await
        .expect("test step");
    assert_eq!(before.status(), 200);
    let before = before.bytes().await.expect("test step");
    let text = String::from_utf8_lossy(&before);
    assert!(text.contains(&format!(
        "2026-12,{},free,card,usage,3,0.00,0.00,\r\n",
        user.id
    )));
    assert!(text.contains("correction,-1,,0.00,\"one card was blank, \"\"sorry\"\"\"\r\n"));

    projector::rebuild(&server.app, "usage")
        .await
        .expect("rebuild");
    let after = support::get(&server.base, export, Some(&server.key))
        .await
        .expect("test step");
    assert_eq!(after.bytes().await.expect("test step"), before);
    server.cleanup().await;
}
