//! The HTTP API (v1): routes, the request context, and the middleware around them.

mod admin;
pub mod auth;
mod documents;
mod events;
mod images;
mod keys;
mod oauth;
mod ops;
mod read_model;
mod session;
mod views;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use axum::{Extension, Router};
use tokio::sync::watch;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

use crate::app::App;
use crate::error::{ApiError, HiddenError};
use crate::push::Hub;

pub use auth::{Allowed, Principal};
pub use ops::ApiDoc;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// JSON bodies whose rejections answer in the API's own error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// The request's id, which every event it causes carries as its correlation id.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub correlation_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let correlation_id = parts
            .headers
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok(RequestContext { correlation_id })
    }
}

/// The document, account and admin routes; `serve` and `api` mount them.
pub fn api_router(app: App) -> Router {
    let body_limit = app.config.max_article_bytes + 64 * 1024;
    Router::new()
        .merge(account_routes())
        .route("/v1/documents", post(documents::submit))
        .route("/v1/documents/{id}", get(documents::get_document))
        .route("/v1/documents/{id}/markdown", get(documents::get_markdown))
        .route("/v1/documents/{id}/regenerate", post(images::regenerate))
        .route(
            "/v1/documents/{id}/images/{index}/select",
            post(images::select),
        )
        .route("/v1/images/{id}", get(images::get_image))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .with_state(app)
}

fn account_routes() -> Router<App> {
    let oauth = "/v1/auth/oauth/{provider}";
    Router::new()
        .route("/v1/auth/register", post(session::register))
        .route("/v1/auth/verify", post(session::verify))
        .route("/v1/auth/login", post(session::login))
        .route("/v1/auth/logout", post(session::logout))
        .route("/v1/auth/password-reset", post(session::password_reset))
        .route(
            "/v1/auth/password-reset/confirm",
            post(session::password_reset_confirm),
        )
        .route(&format!("{oauth}/start"), get(oauth::start))
        .route(&format!("{oauth}/callback"), get(oauth::callback))
        .route("/v1/me", get(session::me))
        .route("/v1/me/password", post(session::change_password))
        .route("/v1/api-keys", post(keys::create).get(keys::list))
        .route("/v1/api-keys/{id}", delete(keys::revoke))
        .route("/v1/admin/users", get(admin::list))
        .route("/v1/admin/users/{id}", patch(admin::change))
}

/// Keeps this process's credential cache in step with account changes until shutdown.
pub async fn follow_account_changes(app: App, shutdown: watch::Receiver<bool>) {
    let cache = Arc::clone(&app.accounts.cache);
    crate::accounts::follow_changes(app.log.clone(), app.ns.clone(), cache, shutdown).await;
}

/// The SSE route; `serve` and `push` mount it.
pub fn push_router(app: App, hub: Arc<Hub>, shutdown: watch::Receiver<bool>) -> Router {
    Router::new()
        .route("/v1/documents/{id}/events", get(events::events))
        .layer(Extension(hub))
        .layer(Extension(shutdown))
        .with_state(app)
}

/// Wraps routers with operations routes, request ids, metrics and error logging.
pub fn finish(router: Router, app: App) -> Router {
    router
        .merge(ops::router(app))
        .fallback(|| async { ApiError::NotFound })
        .layer(middleware::from_fn(observe))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
}

/// One span per request, named by its route template; records metrics and logs, once, the
/// hidden cause of a 5xx.
async fn observe(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().as_str().to_owned();
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();

    let span = tracing::info_span!("http", route = %route, method = %method,
        request_id = %request_id);
    let response = tracing::Instrument::instrument(next.run(request), span.clone()).await;

    let status = response.status().as_u16();
    if let Some(HiddenError(detail)) = response.extensions().get::<HiddenError>() {
        span.in_scope(|| tracing::error!(status, error = %detail, "request failed"));
    }
    crate::metrics::http_answered(&route, &method, status, started.elapsed());
    response
}

pub fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static("invalid"))
}
