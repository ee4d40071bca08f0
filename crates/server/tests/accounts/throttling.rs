//! Login throttling per account and per address, and submission and regeneration limits
//! per user, hold across three API replicas sharing NATS: 429 with Retry-After.

use illustrator_server::Components;
use illustrator_server::accounts::config::Limit;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{self, PASSWORD, post};

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_hold_across_three_replicas() -> anyhow::Result<()> {
    let server = support::start_with(|config| {
        let limits = &mut config.accounts;
        limits.login_account = Limit::parse("3/15m").unwrap_or(limits.login_account);
        limits.login_ip = Limit::parse("10/15m").unwrap_or(limits.login_ip);
        limits.submit = Limit::parse("4/1m").unwrap_or(limits.submit);
        limits.regenerate = Limit::parse("2/1m").unwrap_or(limits.regenerate);
    })
    .await?;
    let api = Components {
        api: true,
        ..Default::default()
    };
    let b = server.replica(api).await?;
    let c = server.replica(api).await?;
    let bases = [server.base.clone(), b.base.clone(), c.base.clone()];

    let user = support::user(&server, "throttle").await?;
    let victim = support::user(&server, "victim").await?;

    // Per account: three wrong passwords, spread over the replicas, then 429 everywhere,
    // even with the right password.
    for base in &bases {
        let wrong = support::login(base, &victim.email, "wrong password here").await?;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    for base in &bases {
        let refused = support::login(base, &victim.email, PASSWORD).await?;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(retry_after(&refused) > 0, "Retry-After is set");
    }

    // Per address: ten attempts in all (two logins above were counted already, plus the
    // six just made), then every login from this address is refused.
    let mut statuses = Vec::new();
    for n in 0..6 {
        let base = &bases[n % 3];
        statuses.push(
            support::login(base, &user.email, "another wrong one")
                .await?
                .status(),
        );
    }
    let blocked = support::login(&bases[0], &user.email, PASSWORD).await?;
    assert_eq!(
        blocked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{statuses:?}"
    );

    // Submissions: four per minute for this user, whichever replica takes them.
    let markdown = "# Limits\n\nA short article.\n\n## Part\n\nMore text.\n";
    let article = json!({ "markdown": markdown, "source": "card" });
    let mut accepted = Vec::new();
    for n in 0..4 {
        let response = post(
            &bases[n % 3],
            "/v1/documents",
            Some(&user.session),
            article.clone(),
        )
        .await?;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        accepted.push(
            response.json::<serde_json::Value>().await?["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let fifth = post(
        &bases[1],
        "/v1/documents",
        Some(&user.session),
        article.clone(),
    )
    .await?;
    assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&fifth) > 0 && retry_after(&fifth) <= 60);
    let other = post(&bases[2], "/v1/documents", Some(&victim.session), article).await?;
    assert_eq!(
        other.status(),
        StatusCode::ACCEPTED,
        "the limit is per user"
    );

    // Regenerations: two per minute.
    let path = format!("/v1/documents/{}/regenerate", accepted[0]);
    for base in &bases[..2] {
        let response = post(base, &path, Some(&user.session), json!({ "index": 0 })).await?;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let third = post(&bases[2], &path, Some(&user.session), json!({ "index": 0 })).await?;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);

    b.stop().await;
    c.stop().await;
    server.cleanup().await;
    Ok(())
}

/// Many concurrent submissions of one user, on two replicas: exactly the limit is admitted,
/// and the rest are refused with 429, never with a conflict. The limit stays below the free
/// plan's 20 pictures a day, so the quota refuses none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_of_one_user_count_exactly() -> anyhow::Result<()> {
    const LIMIT: usize = 15;
    const SENT: usize = 48;
    let server = support::start_with(|config| {
        config.accounts.submit = Limit {
            count: LIMIT as u64,
            window: std::time::Duration::from_secs(3600),
        };
    })
    .await?;
    let other = server
        .replica(Components {
            api: true,
            ..Default::default()
        })
        .await?;
    let user = support::user(&server, "crowd").await?;

    let article = json!({ "markdown": "# Crowd\n\nOne of many.\n", "source": "card" });
    let mut sends = Vec::new();
    for n in 0..SENT {
        let base = if n % 2 == 0 {
            server.base.clone()
        } else {
            other.base.clone()
        };
        let (session, article) = (user.session.clone(), article.clone());
        sends.push(tokio::spawn(async move {
            let response = post(&base, "/v1/documents", Some(&session), article).await?;
            anyhow::Ok(response.status())
        }));
    }
    let mut statuses = Vec::new();
    for send in sends {
        statuses.push(send.await??);
    }

    let admitted = statuses
        .iter()
        .filter(|s| **s == StatusCode::ACCEPTED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((admitted, throttled), (LIMIT, SENT - LIMIT), "{statuses:?}");

    other.stop().await;
    server.cleanup().await;
    Ok(())
}
