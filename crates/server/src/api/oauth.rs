//! OAuth login routes: `start` sends the browser to the provider, `callback` finishes the
//! login and answers like a password login (token and cookie).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::RequestContext;
use super::auth::public_base;
use super::session::session_response;
use crate::accounts::oauth::{self, Provider};
use crate::app::App;
use crate::error::ApiError;

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

fn provider(name: &str) -> Result<Provider, ApiError> {
    Provider::parse(name).ok_or(ApiError::NotFound)
}

/// Redirects to the provider's consent page.
#[utoipa::path(get, path = "/v1/auth/oauth/{provider}/start",
    responses((status = 303), (status = 400), (status = 404)))]
pub async fn start(
    State(app): State<App>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let provider = provider(&name)?;
    let base = public_base(&app, &headers);
    let url = oauth::start(&app.accounts, provider, &base).await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response())
}

/// Where the provider sends the browser back with a code and the state.
#[utoipa::path(get, path = "/v1/auth/oauth/{provider}/callback",
    responses((status = 200), (status = 400), (status = 404)))]
pub async fn callback(
    State(app): State<App>,
    ctx: RequestContext,
    Path(name): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let provider = provider(&name)?;
    if query.error.is_some() {
        return Err(ApiError::bad(
            "oauth_failed",
            "the provider did not grant the login",
        ));
    }
    let (Some(code), Some(state)) = (query.code, query.state) else {
        return Err(ApiError::bad("oauth_failed", "code and state are required"));
    };

    let base = public_base(&app, &headers);
    let corr = &ctx.correlation_id;
    let (id, token) = oauth::callback(&app.accounts, provider, &code, &state, &base, corr).await?;
    Ok(session_response(&app, id.to_string(), token))
}
