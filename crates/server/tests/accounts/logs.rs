//! No password, token or key reaches the logs: a whole account life is run, then the
//! captured log lines of the suite are searched for every secret it used.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{self, PASSWORD, captured_logs, get, mailed_token, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs() -> anyhow::Result<()> {
    let server = support::start().await?;
    let base = &server.base;
    let mail_dir = server.config.accounts.mail_dir.clone();

    let email = support::email("secretive");
    let id = support::register(&server, &email).await?;
    support::subscribe(&server, &id, "pro").await?;
    let verify_token = mailed_token(&mail_dir, &email, "Confirm your address").await?;
    post(
        base,
        "/v1/auth/verify",
        None,
        json!({ "token": verify_token }),
    )
    .await?;
    let bad = support::login(base, &email, "a wrong password for the logs").await?;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let session = support::session(base, &email).await?;
    let (_, key) = support::key(base, &session, &["read"]).await?;
    get(base, "/v1/me", Some(&key)).await?;
    get(base, "/v1/me", Some("mi_aaaaaaaaaaaaaaaa_0000")).await?;

    post(
        base,
        "/v1/auth/password-reset",
        None,
        json!({ "email": email }),
    )
    .await?;
    let reset_token = mailed_token(&mail_dir, &email, "Reset your password").await?;
    let new_password = "the second secret passphrase";
    let body = json!({ "token": reset_token, "password": new_password });
    post(base, "/v1/auth/password-reset/confirm", None, body).await?;
    post(base, "/v1/auth/logout", Some(&session), json!({})).await?;

    let logs = captured_logs();
    let text = logs
        .lock()
        .map(|l| String::from_utf8_lossy(&l).into_owned())
        .unwrap_or_default();
    assert!(
        text.contains("account registered"),
        "the logs were not captured"
    );
    let secrets = [
        PASSWORD,
        "a wrong password for the logs",
        new_password,
        verify_token.as_str(),
        reset_token.as_str(),
        session.as_str(),
        &key[key.len() - 64..],
        server.key.as_str(),
    ];
    for secret in secrets {
        assert!(!text.contains(secret), "a secret is in the logs");
    }
    assert!(!text.contains(&email), "an email address is in the logs");

    server.cleanup().await;
    Ok(())
}
