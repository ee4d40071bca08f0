//! OAuth login with GitHub and Google against the local fake provider: PKCE and state,
//! accounts made or linked by verified email.

use reqwest::StatusCode;
use serde_json::Value;

use crate::fake_oauth::{FakeProvider, FakeUser};
use crate::support::{self, PASSWORD, get, http};

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Walks the browser's path: our start, the provider's consent, our callback.
async fn oauth_login(base: &str, provider: &str) -> anyhow::Result<(reqwest::Response, String)> {
    let start = http()
        .get(format!("{base}/v1/auth/oauth/{provider}/start"))
        .send()
        .await?;
    anyhow::ensure!(
        start.status() == StatusCode::SEE_OTHER,
        "start: {}",
        start.status()
    );
    let consent = http().get(location(&start)).send().await?;
    anyhow::ensure!(
        consent.status() == StatusCode::FOUND,
        "consent: {}",
        consent.status()
    );

    let callback = location(&consent);
    anyhow::ensure!(
        callback.starts_with(base),
        "callback goes elsewhere: {callback}"
    );
    Ok((http().get(&callback).send().await?, callback))
}

async fn me(base: &str, response: reqwest::Response) -> anyhow::Result<Value> {
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "callback: {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("mi_session=") && cookie.contains("HttpOnly"));
    let body: Value = response.json().await?;
    let token = body["token"].as_str().unwrap_or_default();
    Ok(get(base, "/v1/me", Some(token)).await?.json().await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_and_google_logins_make_or_link_accounts_by_verified_email() -> anyhow::Result<()> {
    let fake = FakeProvider::start().await?;
    let (github, google) = (fake.settings(false), fake.settings(true));
    let server = support::start_with(|config| {
        config.accounts.github = Some(github);
        config.accounts.google = Some(google);
    })
    .await?;
    let base = &server.base;

    // A new GitHub user gets a new, verified account.
    let octo = support::email("octo");
    fake.log_in_as(FakeUser {
        subject: 1001,
        email: octo.clone(),
        verified: true,
    });
    let (response, callback) = oauth_login(base, "github").await?;
    let account = me(base, response).await?;
    assert_eq!(account["email"], octo.as_str());
    assert_eq!(account["verified"], true);
    assert_eq!(account["identities"], serde_json::json!(["github:1001"]));

    let replayed = http().get(&callback).send().await?;
    assert_eq!(
        replayed.status(),
        StatusCode::BAD_REQUEST,
        "a state works once"
    );
    let forged = callback.replace("state=", "state=0");
    assert_eq!(
        http().get(&forged).send().await?.status(),
        StatusCode::BAD_REQUEST
    );

    // A Google login with the address of a password account links to that account.
    let user = support::user(&server, "linked").await?;
    fake.log_in_as(FakeUser {
        subject: 77,
        email: user.email.to_uppercase(),
        verified: true,
    });
    let (response, _) = oauth_login(base, "google").await?;
    let account = me(base, response).await?;
    assert_eq!(account["id"], user.id.as_str());
    assert_eq!(account["identities"], serde_json::json!(["google:77"]));
    assert_eq!(
        support::login(base, &user.email, PASSWORD).await?.status(),
        StatusCode::OK
    );

    // An unverified address at the provider logs nobody in.
    fake.log_in_as(FakeUser {
        subject: 5,
        email: support::email("unverified"),
        verified: false,
    });
    let (response, _) = oauth_login(base, "google").await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Someone registered the address without owning it: the owner's OAuth login claims
    // the account and the squatter's password stops working.
    let squatted = support::email("squatted");
    support::register(&server, &squatted).await?;
    fake.log_in_as(FakeUser {
        subject: 2002,
        email: squatted.clone(),
        verified: true,
    });
    let (response, _) = oauth_login(base, "github").await?;
    let account = me(base, response).await?;
    assert_eq!(account["verified"], true);
    let squatter = support::login(base, &squatted, PASSWORD).await?;
    assert_eq!(squatter.status(), StatusCode::UNAUTHORIZED);

    fake.stop();
    server.cleanup().await;
    Ok(())
}

/// A browser comes back to the page signed in; a refused login comes back with a reason the
/// page shows. The page offers only the providers the server has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_is_sent_back_to_the_page_with_its_session() -> anyhow::Result<()> {
    let fake = FakeProvider::start().await?;
    let github = fake.settings(false);
    let server = support::start_with(|config| config.accounts.github = Some(github)).await?;
    let base = &server.base;

    let providers: Value = get(base, "/v1/auth/providers", None).await?.json().await?;
    assert_eq!(providers["providers"], serde_json::json!(["github"]));

    fake.log_in_as(FakeUser {
        subject: 31,
        email: support::email("browser"),
        verified: true,
    });
    let (_, callback) = oauth_login(base, "github").await?;
    // The first walk used the state; start again and follow the callback as a browser.
    fake.log_in_as(FakeUser {
        subject: 31,
        email: support::email("browser"),
        verified: true,
    });
    let start = http()
        .get(format!("{base}/v1/auth/oauth/github/start"))
        .send()
        .await?;
    let consent = http().get(location(&start)).send().await?;
    let browser_callback = location(&consent);
    let html = "text/html,application/xhtml+xml,*/*;q=0.8";
    let response = http()
        .get(&browser_callback)
        .header("accept", html)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("mi_session=") && cookie.contains("HttpOnly"));
    let session = cookie
        .trim_start_matches("mi_session=")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let me = http()
        .get(format!("{base}/v1/me"))
        .header("cookie", format!("mi_session={session}"))
        .send()
        .await?;
    assert_eq!(me.status(), StatusCode::OK);

    let refused = http().get(&callback).header("accept", html).send().await?;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&refused), "/?login_error=oauth_failed");

    fake.stop();
    server.cleanup().await;
    Ok(())
}
