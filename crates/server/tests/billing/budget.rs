//! The monthly budget: a picture that brings the month exactly to the budget is admitted,
//! the next paid one is refused until the month turns, and free pictures still pass.

use serde_json::json;

use crate::support;
use crate::usage::{NO_WORKERS, morning, server, submit};

#[tokio::test]
async fn the_monthly_budget_admits_up_to_its_last_fen_and_refuses_past_it() {
    let server = server(NO_WORKERS, morning()).await.expect("server");
    let user = support::user(&server, "budget").await.expect("user");
    support::subscribe(&server, &user.id, "pro")
        .await
        .expect("plan");
    let session = support::session(&server.base, &user.email)
        .await
        .expect("session");

    // 9,860 of the Pro plan's 9,900 fen are spent: room for one dalle picture (40 fen).
    let correction = json!({
        "user_id": user.id,
        "source": "dalle",
        "pictures": 0,
        "amount_fen": "9860",
        "reason": "pictures bought through the sales team",
    });
    let response = support::post(
        &server.base,
        "/v1/admin/billing/corrections",
        Some(&server.key),
        correction,
    )
    .await
    .expect("test step");
    assert_eq!(response.status(), 201);

    let (status, body, _) = submit(&server.base, &session, "dalle", 1)
        .await
        .expect("test step");
    assert_eq!(status, 202, "{body}");

    let (status, body, retry_after) = submit(&server.base, &session, "dalle", 1)
        .await
        .expect("test step");
    assert_eq!(status, 429, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("monthly budget of 9900.00 fen of the Pro plan"),
        "{message}"
    );
    assert!(message.contains("2026-12-31T16:00:00Z"), "{message}");
    let retry_after: i64 = retry_after.unwrap_or_default().parse().unwrap_or_default();
    assert_eq!(retry_after, (27 * 24 + 13) * 3600);

    let (status, body, _) = submit(&server.base, &session, "card", 1)
        .await
        .expect("test step");
    assert_eq!(
        status, 202,
        "a free picture costs nothing of the budget: {body}"
    );
    server.cleanup().await;
}
