//! Register, verify, log in and out, reset and change the password, and the read model.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{self, PASSWORD, get, login, mailed_token, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_is_registered_verified_and_logged_in_and_out() -> anyhow::Result<()> {
    let server = support::start().await?;
    let base = &server.base;
    let email = support::email("ada");

    let id = support::register(&server, &email).await?;
    let again = post(
        base,
        "/v1/auth/register",
        None,
        json!({ "email": email.to_uppercase(), "password": PASSWORD }),
    )
    .await?;
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "same address, other case"
    );

    let unverified = login(base, &email, PASSWORD).await?;
    assert_eq!(unverified.status(), StatusCode::FORBIDDEN);
    let body: Value = unverified.json().await?;
    assert_eq!(body["error"]["code"], "email_unverified");

    let token = mailed_token(
        &server.config.accounts.mail_dir,
        &email,
        "Confirm your address",
    )
    .await?;
    let verified = post(base, "/v1/auth/verify", None, json!({ "token": token })).await?;
    assert_eq!(verified.status(), StatusCode::OK);
    let reused = post(base, "/v1/auth/verify", None, json!({ "token": token })).await?;
    assert_eq!(
        reused.status(),
        StatusCode::BAD_REQUEST,
        "a token works once"
    );

    let wrong = login(base, &email, "not the password at all").await?;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let response = login(base, &email, PASSWORD).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"].to_str()?.to_owned();
    assert!(cookie.starts_with("mi_session=mis_") && cookie.contains("HttpOnly"));
    assert!(cookie.contains("Secure") && cookie.contains("SameSite=Lax"));
    let token = response.json::<Value>().await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let me: Value = get(base, "/v1/me", Some(&token)).await?.json().await?;
    assert_eq!(me["id"], id.as_str());
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["role"], "user");
    assert_eq!(me["verified"], true);

    let cookie_value = cookie.split(';').next().unwrap_or_default().to_owned();
    let by_cookie = support::http()
        .get(format!("{base}/v1/me"))
        .header("cookie", &cookie_value)
        .send()
        .await?;
    assert_eq!(
        by_cookie.status(),
        StatusCode::OK,
        "the page's cookie works"
    );

    let out = post(base, "/v1/auth/logout", Some(&token), json!({})).await?;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = get(base, "/v1/me", Some(&token)).await?;
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "logout revokes the session"
    );

    server.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_ends_every_session_and_the_new_password_works() -> anyhow::Result<()> {
    let server = support::start().await?;
    let base = &server.base;
    let user = support::user(&server, "grace").await?;
    let second = support::session(base, &user.email).await?;

    let unknown = post(
        base,
        "/v1/auth/password-reset",
        None,
        json!({ "email": "nobody@example.org" }),
    )
    .await?;
    assert_eq!(
        unknown.status(),
        StatusCode::ACCEPTED,
        "the answer never tells"
    );
    let asked = post(
        base,
        "/v1/auth/password-reset",
        None,
        json!({ "email": user.email }),
    )
    .await?;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let token = mailed_token(
        &server.config.accounts.mail_dir,
        &user.email,
        "Reset your password",
    )
    .await?;

    let short = post(
        base,
        "/v1/auth/password-reset/confirm",
        None,
        json!({ "token": token, "password": "short" }),
    )
    .await?;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    let new_password = "a brand new passphrase";
    let body = json!({ "token": token, "password": new_password });
    let done = post(base, "/v1/auth/password-reset/confirm", None, body.clone()).await?;
    assert_eq!(done.status(), StatusCode::OK);
    let again = post(base, "/v1/auth/password-reset/confirm", None, body).await?;
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "a reset token works once"
    );

    for session in [&user.session, &second] {
        let me = get(base, "/v1/me", Some(session)).await?;
        assert_eq!(
            me.status(),
            StatusCode::UNAUTHORIZED,
            "sessions end with the reset"
        );
    }
    assert_eq!(
        login(base, &user.email, PASSWORD).await?.status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = support::http()
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({ "email": user.email, "password": new_password }))
        .send()
        .await?;
    assert_eq!(fresh.status(), StatusCode::OK);
    let fresh = fresh.json::<Value>().await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let change =
        json!({ "current_password": new_password, "new_password": "yet another passphrase" });
    let changed = post(base, "/v1/me/password", Some(&fresh), change).await?;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get(base, "/v1/me", Some(&fresh)).await?.status(),
        StatusCode::UNAUTHORIZED
    );

    server.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_registrations_of_one_address_make_one_account() -> anyhow::Result<()> {
    let server = support::start().await?;
    let email = support::email("race");

    let attempts = (0..8).map(|n| {
        let base = server.base.clone();
        let address = if n % 2 == 0 {
            email.clone()
        } else {
            email.to_uppercase()
        };
        tokio::spawn(async move {
            let body = json!({ "email": address, "password": PASSWORD });
            post(&base, "/v1/auth/register", None, body)
                .await
                .map(|r| r.status())
        })
    });
    let mut created = 0;
    let mut conflicts = 0;
    for attempt in futures::future::join_all(attempts).await {
        match attempt?? {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => anyhow::bail!("unexpected {other}"),
        }
    }
    assert_eq!((created, conflicts), (1, 7));

    server.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accounts_read_model_lists_users_and_rebuilds_to_the_same_rows() -> anyhow::Result<()> {
    let server = support::start().await?;
    let user = support::pro_user(&server, "list").await?;
    support::key(&server.base, &user.session, &["read"]).await?;

    let path = format!("/v1/admin/users?q={}", &user.email[..10]);
    let mut listed = Value::Null;
    for _ in 0..100 {
        listed = get(&server.base, &path, Some(&server.key))
            .await?
            .json()
            .await?;
        // The row may show before its EmailVerified is projected.
        if listed.as_array().is_some_and(|a| a.len() == 1) && listed[0]["verified"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(listed[0]["email"], user.email.as_str());
    assert_eq!(listed[0]["verified"], true);

    let last = server.app.log.last_seq().await?;
    for _ in 0..100 {
        let done = illustrator_server::projector::checkpoint(&server.app.db, "accounts").await?;
        if done >= last {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dump = || async {
        let mut rows: Vec<(String,)> =
            sqlx::query_as("SELECT row_to_json(u)::text FROM users u ORDER BY id")
                .fetch_all(&server.app.db)
                .await?;
        let keys: Vec<(String,)> =
            sqlx::query_as("SELECT row_to_json(k)::text FROM api_keys k ORDER BY id")
                .fetch_all(&server.app.db)
                .await?;
        rows.extend(keys);
        Ok::<_, anyhow::Error>(rows)
    };
    let before = dump().await?;
    illustrator_server::projector::rebuild(&server.app, "accounts").await?;
    assert_eq!(dump().await?, before);

    server.cleanup().await;
    Ok(())
}
