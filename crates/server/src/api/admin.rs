//! Admin routes: list and search accounts, change a role, disable or enable an account.

use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use illustrator_accounts::{AccountCommand, AccountId, Permission, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{Allowed, ManageUsers};
use super::{ApiJson, RequestContext};
use crate::accounts::command::{self, Actor};
use crate::app::App;
use crate::billing::subscriptions;
use crate::error::ApiError;

#[derive(Debug, Deserialize)]
pub struct UserQuery {
    /// Part of an email address.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub role: String,
    pub verified: bool,
    pub disabled: bool,
    pub plan: String,
    pub via: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// `user`, `admin` or `superadmin`; only a superadmin may change roles.
    pub role: Option<String>,
    pub disabled: Option<bool>,
    /// A plan id of the price list (`free`, `basic`, `pro`, `enterprise`).
    pub plan: Option<String>,
}

type UserRow = (
    uuid::Uuid,
    String,
    String,
    bool,
    bool,
    String,
    String,
    DateTime<Utc>,
);

fn view(row: UserRow) -> UserView {
    let (id, email, role, verified, disabled, plan, via, created_at) = row;
    UserView {
        id: id.to_string(),
        email,
        role,
        verified,
        disabled,
        plan,
        via,
        created_at,
    }
}

/// Accounts, newest first, optionally those whose email contains `q`. Read from the
/// `accounts` read model, which may be a moment behind the events.
#[utoipa::path(get, path = "/v1/admin/users",
    responses((status = 200, body = Vec<UserView>), (status = 403)))]
pub async fn list(
    State(app): State<App>,
    _principal: Allowed<ManageUsers>,
    Query(query): Query<UserQuery>,
) -> Result<axum::Json<Vec<UserView>>, ApiError> {
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let offset = query.offset.unwrap_or(0).max(0);
    let pattern = query
        .q
        .map(|q| q.trim().to_lowercase().replace(['%', '_', '\\'], ""))
        .unwrap_or_default();

    let rows: Vec<UserRow> = sqlx::query_as(
        "SELECT id, email, role, verified, disabled, plan, via, created_at FROM users \
         WHERE email LIKE '%' || $1 || '%' ORDER BY created_at DESC LIMIT $2 OFFSET $3",
    )
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&app.db)
    .await
    .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(axum::Json(rows.into_iter().map(view).collect()))
}

/// Changes an account's role (superadmins only) or disables and enables it. Nobody changes
/// their own account here, and an admin acts only on plain users.
#[utoipa::path(patch, path = "/v1/admin/users/{id}", request_body = UserChange,
    responses((status = 200, body = UserView), (status = 403), (status = 404)))]
pub async fn change(
    State(app): State<App>,
    principal: Allowed<ManageUsers>,
    ctx: RequestContext,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<axum::Json<UserView>, ApiError> {
    let id = AccountId::parse(&id).map_err(|_| ApiError::NotFound)?;
    let store = &app.accounts.store;
    let target = command::load(store, id).await?.ok_or(ApiError::NotFound)?;

    let role = match change.role.as_deref() {
        Some(name) => Some(Role::parse(name).ok_or_else(|| {
            ApiError::bad("invalid_role", "role must be user, admin or superadmin")
        })?),
        None => None,
    };
    let catalogue = app.billing.catalogue();
    if let Some(plan) = change.plan.as_deref()
        && catalogue.plan(plan).is_none()
    {
        let known: Vec<&str> = catalogue.plans.iter().map(|p| p.id.as_str()).collect();
        return Err(ApiError::bad(
            "invalid_plan",
            format!("plan must be one of {}", known.join(", ")),
        ));
    }
    let outranks = principal.role == Role::Superadmin || target.role < principal.role;
    let may_change_role = role.is_none() || principal.allows(Permission::ManageRoles);
    if id == principal.account_id || !outranks || !may_change_role {
        return Err(ApiError::Forbidden);
    }

    let actor = Actor {
        id: principal.id.clone(),
        correlation_id: ctx.correlation_id.clone(),
    };
    let mut account = target;
    if let Some(role) = role {
        account = command::execute(store, id, &actor, move |c| {
            AccountCommand::ChangeRole(c, role)
        })
        .await?;
    }
    if let Some(disabled) = change.disabled {
        account = command::execute(store, id, &actor, move |c| {
            AccountCommand::SetDisabled(c, disabled)
        })
        .await?;
    }
    if let Some(plan) = change.plan {
        // The subscription first: were the process to stop between the two, the
        // subscription's own event puts the account on its plan (`SubscriptionEffects`).
        let context = ctx.command(&principal.id, app.billing.clock.now());
        subscriptions::follow_plan(&app, &id.to_string(), &plan, context)
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        account = command::execute(store, id, &actor, move |c| {
            AccountCommand::ChangePlan(c, plan.clone())
        })
        .await?;
    }
    app.accounts.cache.forget_account(&id.to_string());
    tracing::info!(user_id = %id, actor = %principal.id, "account changed by an admin");

    Ok(axum::Json(UserView {
        id: id.to_string(),
        email: account.email.clone(),
        role: account.role.as_str().to_owned(),
        verified: account.verified,
        disabled: account.disabled,
        plan: account.plan.clone(),
        via: String::new(),
        created_at: account.created_at.unwrap_or_default(),
    }))
}
