//! A user sees only their own documents, pictures and event streams (others' are 404);
//! admins see all.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{self, get, post};

pub const ARTICLE: &str = "# Ownership\n\nWho may see this article.\n\n## Details\n\nA section.\n";

/// Submits `ARTICLE` as `credential` and waits until its pictures are drawn; returns the
/// document id and one picture id.
pub async fn document(base: &str, credential: &str) -> anyhow::Result<(String, String)> {
    let body = json!({ "markdown": ARTICLE, "source": "card" });
    let response = post(base, "/v1/documents", Some(credential), body).await?;
    anyhow::ensure!(
        response.status() == StatusCode::ACCEPTED,
        "submit: {}",
        response.status()
    );
    let id = response.json::<Value>().await?["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    for _ in 0..200 {
        let view: Value = get(base, &format!("/v1/documents/{id}"), Some(credential))
            .await?
            .json()
            .await?;
        let image = view["images"][0]["candidates"][0]["image_id"].as_str();
        if let Some(image) = image {
            return Ok((id, image.to_owned()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("no picture drawn for {id}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_see_only_their_own_documents_and_admins_see_all() -> anyhow::Result<()> {
    let server = support::start().await?;
    let base = &server.base;
    let owner = support::user(&server, "owner").await?;
    let other = support::pro_user(&server, "other").await?;
    let admin = support::user(&server, "admin").await?;
    support::promote(&server, &admin, "admin").await?;
    let (_, other_key) = support::key(base, &other.session, &["read", "illustrate"]).await?;

    let (id, image) = document(base, &owner.session).await?;
    let reads = [
        format!("/v1/documents/{id}"),
        format!("/v1/documents/{id}/markdown"),
        format!("/v1/documents/{id}/preview"),
        format!("/v1/documents/{id}/archive"),
        format!("/v1/documents/{id}/events"),
        format!("/v1/images/{image}"),
    ];

    for path in &reads {
        for credential in [&other.session, &other_key] {
            let response = get(base, path, Some(credential)).await?;
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{path} for another user"
            );
        }
        for credential in [&owner.session, &admin.session, &server.key] {
            let response = get(base, path, Some(credential)).await?;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
        }
    }

    let writes = [
        (
            format!("/v1/documents/{id}/regenerate"),
            json!({ "index": 0 }),
        ),
        (
            format!("/v1/documents/{id}/images/0/select"),
            json!({ "candidate": 0 }),
        ),
    ];
    for (path, body) in &writes {
        let response = post(base, path, Some(&other.session), body.clone()).await?;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "{path} for another user"
        );
    }

    let view: Value = get(base, &format!("/v1/documents/{id}"), Some(&owner.session))
        .await?
        .json()
        .await?;
    assert_eq!(view["id"], id.as_str());
    let owner_row: Option<(String,)> =
        sqlx::query_as("SELECT owner FROM documents WHERE id = $1::uuid")
            .bind(&id)
            .fetch_optional(&server.app.db)
            .await?;
    if let Some((stored,)) = owner_row {
        assert_eq!(stored, owner.id, "a document belongs to its user's id");
    }

    server.cleanup().await;
    Ok(())
}
