//! Registration, email verification, login and logout, password reset and change, and the
//! own account.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{Allowed, ClientIp, Credential, Read, SESSION_COOKIE, presented};
use super::{ApiJson, RequestContext};
use crate::accounts::command;
use crate::accounts::flows::{self, AccountView};
use crate::accounts::password_flows;
use crate::app::App;
use crate::error::ApiError;

/// Holds a secret: no `Debug`, so it cannot reach a log by accident.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// Holds a secret: no `Debug`, so it cannot reach a log by accident.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    pub email: String,
}

/// Holds a secret: no `Debug`, so it cannot reach a log by accident.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub token: String,
    pub password: String,
}

/// Holds a secret: no `Debug`, so it cannot reach a log by accident.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// A new session: the bearer token for clients (the page gets it as a cookie too).
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub token: String,
    pub user_id: String,
}

/// The mail links point at the public URL, or are relative like every other link the API
/// hands out; never at the request's Host header, which a client chooses.
fn mail_base(app: &App) -> String {
    app.base_url()
}

/// The session as an answer: JSON with the token and a secure HttpOnly cookie.
pub fn session_response(app: &App, user_id: String, token: String) -> Response {
    let max_age = app.accounts.config.session_ttl.as_secs();
    let secure = if app.accounts.config.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    );

    let mut response = axum::Json(SessionView { token, user_id }).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Registers an account and mails a verification link.
#[utoipa::path(post, path = "/v1/auth/register", request_body = Credentials,
    responses((status = 201), (status = 400), (status = 409), (status = 429)))]
pub async fn register(
    State(app): State<App>,
    ctx: RequestContext,
    ApiJson(request): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let base = mail_base(&app);
    let id = flows::register(
        &app.accounts,
        &ctx.correlation_id,
        &request.email,
        request.password,
        &base,
    )
    .await?;

    let body = serde_json::json!({ "id": id.to_string(), "verified": false });
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// Confirms the email address with the token from the mail.
#[utoipa::path(post, path = "/v1/auth/verify", request_body = TokenRequest,
    responses((status = 200), (status = 400)))]
pub async fn verify(
    State(app): State<App>,
    ctx: RequestContext,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Response, ApiError> {
    flows::verify(&app.accounts, &ctx.correlation_id, &request.token).await?;
    Ok(axum::Json(serde_json::json!({ "verified": true })).into_response())
}

/// Logs in with email and password.
#[utoipa::path(post, path = "/v1/auth/login", request_body = Credentials,
    responses((status = 200, body = SessionView), (status = 401), (status = 403),
              (status = 429)))]
pub async fn login(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let (id, token) = flows::login(&app.accounts, &request.email, request.password, &ip).await?;
    Ok(session_response(&app, id.to_string(), token))
}

/// Ends the session the request presents and clears the cookie.
#[utoipa::path(post, path = "/v1/auth/logout", responses((status = 204), (status = 401)))]
pub async fn logout(
    State(app): State<App>,
    principal: Allowed<Read>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if principal.credential != Credential::Session {
        return Err(ApiError::bad("not_a_session", "only a session can log out"));
    }
    if let Some(token) = presented(&headers) {
        flows::logout(&app.accounts, &token).await?;
    }

    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Mails a reset link if the address has an account; the answer never tells.
#[utoipa::path(post, path = "/v1/auth/password-reset", request_body = EmailRequest,
    responses((status = 202), (status = 429)))]
pub async fn password_reset(
    State(app): State<App>,
    ApiJson(request): ApiJson<EmailRequest>,
) -> Result<Response, ApiError> {
    password_flows::request_reset(&app.accounts, &request.email, &mail_base(&app)).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Sets a new password with the token from the reset mail; every session ends.
#[utoipa::path(post, path = "/v1/auth/password-reset/confirm", request_body = ResetRequest,
    responses((status = 200), (status = 400)))]
pub async fn password_reset_confirm(
    State(app): State<App>,
    ctx: RequestContext,
    ApiJson(request): ApiJson<ResetRequest>,
) -> Result<Response, ApiError> {
    password_flows::confirm_reset(
        &app.accounts,
        &ctx.correlation_id,
        &request.token,
        request.password,
    )
    .await?;
    Ok(axum::Json(serde_json::json!({ "changed": true })).into_response())
}

/// The own account.
#[utoipa::path(get, path = "/v1/me", responses((status = 200, body = AccountView), (status = 401)))]
pub async fn me(
    State(app): State<App>,
    principal: Allowed<Read>,
) -> Result<axum::Json<AccountView>, ApiError> {
    let account = command::load(&app.accounts.store, principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(AccountView::new(&account, &principal)))
}

/// Changes the own password; every session, this one included, ends.
#[utoipa::path(post, path = "/v1/me/password", request_body = PasswordChange,
    responses((status = 204), (status = 401), (status = 403)))]
pub async fn change_password(
    State(app): State<App>,
    principal: Allowed<Read>,
    ctx: RequestContext,
    ApiJson(request): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    if principal.credential != Credential::Session {
        return Err(ApiError::Forbidden);
    }
    password_flows::change_password(
        &app.accounts,
        &principal,
        &ctx.correlation_id,
        request.current_password,
        request.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
