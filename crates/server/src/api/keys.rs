//! The own API keys: issue (the key is shown once), list, revoke.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use illustrator_accounts::{KeyId, Scope};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::{Allowed, ManageKeys, Read};
use super::{ApiJson, RequestContext};
use crate::accounts::command::Actor;
use crate::accounts::keys::{self, IssuedKey, KeyView};
use crate::app::App;
use crate::error::ApiError;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    pub name: String,
    /// Any of `read`, `illustrate`, `admin`; no more than the credential that asks holds.
    pub scopes: Vec<String>,
}

fn actor(principal: &crate::accounts::Principal, ctx: &RequestContext) -> Actor {
    Actor {
        id: principal.id.clone(),
        correlation_id: ctx.correlation_id.clone(),
    }
}

/// Issues a key; the answer is the only time its secret is shown.
#[utoipa::path(post, path = "/v1/api-keys", request_body = CreateKey,
    responses((status = 201, body = IssuedKey), (status = 400), (status = 403)))]
pub async fn create(
    State(app): State<App>,
    principal: Allowed<ManageKeys>,
    ctx: RequestContext,
    ApiJson(request): ApiJson<CreateKey>,
) -> Result<Response, ApiError> {
    crate::billing::quota::check_api_access(&app, &principal)?;

    let mut scopes = Vec::new();
    for name in &request.scopes {
        let scope = Scope::parse(name).ok_or_else(|| {
            ApiError::bad(
                "invalid_scope",
                format!("unknown scope {name:?}; use read, illustrate or admin"),
            )
        })?;
        if !principal.scopes.contains(&scope) {
            return Err(ApiError::Forbidden);
        }
        scopes.push(scope);
    }

    let actor = actor(&principal, &ctx);
    let issued = keys::issue(
        &app.accounts,
        principal.account_id,
        &actor,
        request.name,
        scopes,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(issued)).into_response())
}

/// The own keys with their last use; never their secrets.
#[utoipa::path(get, path = "/v1/api-keys", responses((status = 200, body = Vec<KeyView>)))]
pub async fn list(
    State(app): State<App>,
    principal: Allowed<Read>,
) -> Result<axum::Json<Vec<KeyView>>, ApiError> {
    let views = keys::list(&app.accounts, principal.account_id).await?;
    Ok(axum::Json(views))
}

/// Revokes one of the own keys; it stops working on every replica within seconds.
#[utoipa::path(delete, path = "/v1/api-keys/{id}", responses((status = 204), (status = 404)))]
pub async fn revoke(
    State(app): State<App>,
    principal: Allowed<ManageKeys>,
    ctx: RequestContext,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let key_id = KeyId::parse(&id).map_err(|_| ApiError::NotFound)?;
    let actor = actor(&principal, &ctx);
    keys::revoke(&app.accounts, principal.account_id, &actor, key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
