//! The permission matrix: every route by every role, against the table in
//! docs/permissions.md.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ownership::document;
use crate::support::{self, http};

/// The callers of the matrix, in column order.
const CALLERS: [&str; 5] = ["anonymous", "user", "admin", "superadmin", "read key"];

struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Expected status per caller, in `CALLERS` order.
    expect: [u16; 5],
}

fn row(method: Method, path: String, body: Option<Value>, expect: [u16; 5]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_table_says() -> anyhow::Result<()> {
    let server = support::start().await?;
    let base = &server.base;
    let user = support::pro_user(&server, "matrix-user").await?;
    let admin = support::user(&server, "matrix-admin").await?;
    support::promote(&server, &admin, "admin").await?;
    let target = support::user(&server, "matrix-target").await?;
    let (_, read_key) = support::key(base, &user.session, &["read"]).await?;
    let (doc, image) = document(base, &user.session).await?;

    let article = json!({ "markdown": "# Matrix\n\nText.\n", "source": "card" });
    let admin_user = format!("/v1/admin/users/{}", target.id);
    let correction = json!({
        "user_id": target.id, "source": "card", "pictures": 0, "amount_fen": "0",
        "reason": "matrix",
    });
    let plan = json!({
        "name": "Matrix", "monthly_price_fen": 0, "daily_limit": 5, "sources": ["card"],
        "api_access": false,
    });
    let rows = vec![
        row(
            Method::GET,
            "/health".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        row(
            Method::POST,
            "/v1/documents".into(),
            Some(article),
            [401, 202, 202, 202, 403],
        ),
        row(
            Method::GET,
            format!("/v1/documents/{doc}"),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            format!("/v1/documents/{doc}/markdown"),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            format!("/v1/documents/{doc}/preview"),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            format!("/v1/documents/{doc}/archive"),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            format!("/v1/documents/{doc}/events"),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            format!("/v1/images/{image}"),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::POST,
            format!("/v1/documents/{doc}/regenerate"),
            Some(json!({ "index": 0 })),
            [401, 202, 202, 202, 403],
        ),
        row(
            Method::POST,
            format!("/v1/documents/{doc}/images/0/select"),
            Some(json!({ "candidate": 0 })),
            [401, 200, 200, 200, 403],
        ),
        row(
            Method::GET,
            "/v1/me".into(),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/v1/api-keys".into(),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::POST,
            "/v1/api-keys".into(),
            Some(json!({ "name": "m", "scopes": ["read"] })),
            [401, 201, 201, 201, 403],
        ),
        row(
            Method::DELETE,
            "/v1/api-keys/aaaaaaaaaaaaaaaa".into(),
            None,
            [401, 404, 404, 404, 403],
        ),
        row(
            Method::GET,
            "/v1/admin/users".into(),
            None,
            [401, 403, 200, 200, 403],
        ),
        row(
            Method::PATCH,
            admin_user.clone(),
            Some(json!({ "disabled": false })),
            [401, 403, 200, 200, 403],
        ),
        row(
            Method::PATCH,
            admin_user.clone(),
            Some(json!({ "plan": "basic" })),
            [401, 403, 200, 200, 403],
        ),
        row(
            Method::GET,
            "/v1/me/usage".into(),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/v1/admin/plans".into(),
            None,
            [401, 403, 200, 200, 403],
        ),
        row(
            Method::GET,
            "/v1/admin/billing/export?month=2026-12".into(),
            None,
            [401, 403, 200, 200, 403],
        ),
        row(
            Method::POST,
            "/v1/admin/billing/corrections".into(),
            Some(correction),
            [401, 403, 201, 201, 403],
        ),
        row(
            Method::GET,
            "/v1/plans".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/v1/me/subscription".into(),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            Method::PUT,
            "/v1/admin/plans/matrix".into(),
            Some(plan),
            [401, 403, 403, 200, 403],
        ),
        row(
            Method::POST,
            "/v1/admin/prices".into(),
            Some(json!({ "source": "flux", "unit_fen": "1" })),
            [401, 403, 403, 201, 403],
        ),
        // Only the pro user has a subscription to cancel; the others are refused for that
        // (409), not for a permission.
        row(
            Method::DELETE,
            "/v1/me/subscription".into(),
            None,
            [401, 200, 409, 409, 403],
        ),
        row(
            Method::PATCH,
            admin_user,
            Some(json!({ "role": "user" })),
            [401, 403, 403, 200, 403],
        ),
        row(
            Method::POST,
            "/v1/me/password".into(),
            Some(json!({ "current_password": "x", "new_password": "short" })),
            [401, 400, 400, 403, 403],
        ),
        row(
            Method::POST,
            "/v1/auth/password-reset".into(),
            Some(json!({ "email": "someone@example.org" })),
            [202, 202, 202, 202, 202],
        ),
        row(
            Method::POST,
            "/v1/auth/verify".into(),
            Some(json!({ "token": "0".repeat(64) })),
            [400, 400, 400, 400, 400],
        ),
        row(
            Method::GET,
            "/v1/auth/providers".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        row(Method::GET, "/".into(), None, [200, 200, 200, 200, 200]),
        row(
            Method::GET,
            "/verify?token=x".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/assets/app.js".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/v1/auth/oauth/github/start".into(),
            None,
            [400, 400, 400, 400, 400],
        ),
        row(
            Method::POST,
            "/v1/auth/logout".into(),
            Some(json!({})),
            [401, 204, 204, 400, 400],
        ),
    ];

    let credentials = [
        None,
        Some(user.session.as_str()),
        Some(admin.session.as_str()),
        Some(server.key.as_str()),
        Some(read_key.as_str()),
    ];
    let mut wrong = Vec::new();
    for row in &rows {
        for (column, credential) in credentials.iter().enumerate() {
            let mut request = http().request(row.method.clone(), format!("{base}{}", row.path));
            if let Some(credential) = credential {
                request = request.bearer_auth(credential);
            }
            if let Some(body) = &row.body {
                request = request.json(body);
            }
            let status = request.send().await?.status().as_u16();
            if status != row.expect[column] {
                wrong.push(format!(
                    "{} {} as {}: {status}, expected {}",
                    row.method, row.path, CALLERS[column], row.expect[column]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    server.cleanup().await;
    Ok(())
}
