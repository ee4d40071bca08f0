//! API keys: shown once, listed without secrets, scoped, revocable; a revocation and a
//! disabled user take effect on every replica within 5 s.

use std::time::Duration;

use illustrator_server::Components;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{self, get, post, until_status};

const WITHIN: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_is_listed_without_its_secret_and_holds_only_its_scopes() -> anyhow::Result<()> {
    let server = support::start().await?;
    let base = &server.base;
    let user = support::pro_user(&server, "keys").await?;

    let (id, key) = support::key(base, &user.session, &["read"]).await?;
    assert!(key.starts_with(&format!("mi_{id}_")), "recognisable prefix");

    let me: Value = get(base, "/v1/me", Some(&key)).await?.json().await?;
    assert_eq!(me["id"], user.id.as_str());
    assert_eq!(me["credential"], "api_key");

    let submit = post(
        base,
        "/v1/documents",
        Some(&key),
        json!({ "markdown": "# A\n" }),
    )
    .await?;
    assert_eq!(
        submit.status(),
        StatusCode::FORBIDDEN,
        "a read key cannot illustrate"
    );
    let mint = post(
        base,
        "/v1/api-keys",
        Some(&key),
        json!({ "name": "x", "scopes": ["read"] }),
    )
    .await?;
    assert_eq!(
        mint.status(),
        StatusCode::FORBIDDEN,
        "a read key cannot make keys"
    );
    let wider = support::key(base, &user.session, &["read", "admin"]).await?;
    let escalate = post(
        base,
        "/v1/api-keys",
        Some(&wider.1),
        json!({ "name": "x", "scopes": ["illustrate"] }),
    )
    .await?;
    assert_eq!(
        escalate.status(),
        StatusCode::FORBIDDEN,
        "no key with more than its maker"
    );

    let bad_scope = post(
        base,
        "/v1/api-keys",
        Some(&user.session),
        json!({ "name": "x", "scopes": ["root"] }),
    )
    .await?;
    assert_eq!(bad_scope.status(), StatusCode::BAD_REQUEST);

    let listed = get(base, "/v1/api-keys", Some(&user.session))
        .await?
        .text()
        .await?;
    assert!(
        !listed.contains(&key[key.len() - 64..]),
        "a listing shows no secret"
    );
    let listed: Value = serde_json::from_str(&listed)?;
    let entry = listed
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["id"] == id.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(entry["scopes"], json!(["read"]));
    assert_eq!(entry["prefix"], format!("mi_{id}"));
    assert!(
        entry["last_used_at"].is_string(),
        "last use is recorded: {entry}"
    );

    // The last character changed to one it is not, whatever it was.
    let other = if key.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{other}", &key[..key.len() - 1]);
    let refused = get(base, "/v1/me", Some(&tampered)).await?;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    server.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_and_disabled_users_reach_every_replica_within_five_seconds()
-> anyhow::Result<()> {
    let server = support::start().await?;
    let b = server
        .replica(Components {
            api: true,
            ..Default::default()
        })
        .await?;
    let c = server
        .replica(Components {
            api: true,
            ..Default::default()
        })
        .await?;
    let user = support::pro_user(&server, "revoke").await?;
    let (id, key) = support::key(&b.base, &user.session, &["read", "admin"]).await?;

    for base in [&server.base, &b.base, &c.base] {
        assert_eq!(
            get(base, "/v1/me", Some(&key)).await?.status(),
            StatusCode::OK
        );
        assert_eq!(
            get(base, "/v1/me", Some(&user.session)).await?.status(),
            StatusCode::OK
        );
    }

    let revoked = support::http()
        .delete(format!("{}/v1/api-keys/{id}", server.base))
        .bearer_auth(&user.session)
        .send()
        .await?;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    for base in [&server.base, &b.base, &c.base] {
        let took = until_status(base, "/v1/me", &key, 401, WITHIN).await?;
        eprintln!("revoked key refused by {base} after {took:?}");
    }

    let disable = support::http()
        .patch(format!("{}/v1/admin/users/{}", c.base, user.id))
        .bearer_auth(&server.key)
        .json(&json!({ "disabled": true }))
        .send()
        .await?;
    assert_eq!(disable.status(), StatusCode::OK);
    for base in [&server.base, &b.base, &c.base] {
        let took = until_status(base, "/v1/me", &user.session, 401, WITHIN).await?;
        eprintln!("disabled user refused by {base} after {took:?}");
    }
    let login = support::login(&b.base, &user.email, support::PASSWORD).await?;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);

    b.stop().await;
    c.stop().await;
    server.cleanup().await;
    Ok(())
}
