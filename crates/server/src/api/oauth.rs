//! OAuth login routes: `start` sends the browser to the provider, `callback` finishes the
//! login. A browser is sent back to the page with the session cookie set; an API client
//! (one that does not ask for HTML) gets the token as JSON, like a password login.

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

/// The providers this server can log in with, so that the page shows only their buttons.
#[utoipa::path(get, path = "/v1/auth/providers", responses((status = 200)))]
pub async fn providers(State(app): State<App>) -> axum::Json<serde_json::Value> {
    let names = Provider::configured(&app.accounts);
    axum::Json(serde_json::json!({ "providers": names }))
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
    responses((status = 200), (status = 303), (status = 400), (status = 404)))]
pub async fn callback(
    State(app): State<App>,
    ctx: RequestContext,
    Path(name): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let browser = wants_html(&headers);
    let finished = finish(&app, &ctx, &name, query, &headers).await;

    match (finished, browser) {
        (Ok((user_id, token)), true) => {
            let mut response = session_response(&app, user_id, token);
            *response.status_mut() = StatusCode::SEE_OTHER;
            let page = format!("{}/", app.base_url());
            response
                .headers_mut()
                .insert(header::LOCATION, super::header_value(&page));
            Ok(response)
        }
        (Ok((user_id, token)), false) => Ok(session_response(&app, user_id, token)),
        (Err(error), true) => {
            tracing::debug!(provider = %name, error = %error, "OAuth login refused");
            let page = format!("{}/?login_error=oauth_failed", app.base_url());
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, page)]).into_response())
        }
        (Err(error), false) => Err(error),
    }
}

async fn finish(
    app: &App,
    ctx: &RequestContext,
    name: &str,
    query: CallbackQuery,
    headers: &HeaderMap,
) -> Result<(String, String), ApiError> {
    let provider = provider(name)?;
    if query.error.is_some() {
        return Err(ApiError::bad(
            "oauth_failed",
            "the provider did not grant the login",
        ));
    }
    let (Some(code), Some(state)) = (query.code, query.state) else {
        return Err(ApiError::bad("oauth_failed", "code and state are required"));
    };

    let base = public_base(app, headers);
    let corr = &ctx.correlation_id;
    let (id, token) = oauth::callback(&app.accounts, provider, &code, &state, &base, corr).await?;
    Ok((id.to_string(), token))
}

/// A browser following a redirect asks for HTML; API clients and tests do not.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}
