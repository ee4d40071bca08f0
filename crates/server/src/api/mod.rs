//! The HTTP API (v1): routes, the request context, and the middleware around them.

mod admin;
mod archive;
mod audit;
pub mod auth;
mod documents;
mod events;
mod images;
mod keys;
mod oauth;
mod ops;
mod page;
mod plans;
mod preview;
mod read_model;
mod session;
mod usage;
mod views;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, patch, post, put};
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use illustrator_documents::CommandContext;
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

impl RequestContext {
    /// The context of a command this request runs for `actor` at `at`, which becomes the
    /// `meta` of every event the command causes.
    pub fn command(&self, actor: &str, at: DateTime<Utc>) -> CommandContext {
        CommandContext {
            actor: actor.to_owned(),
            correlation_id: self.correlation_id.clone(),
            at,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let correlation_id = correlation_id(&parts.headers);
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
        .route("/v1/documents/{id}/preview", get(preview::get_preview))
        .route("/v1/documents/{id}/archive", get(archive::get_archive))
        .route("/v1/documents/{id}/regenerate", post(images::regenerate))
        .route(
            "/v1/documents/{id}/images/{index}/select",
            post(images::select),
        )
        .route("/v1/images/{id}", get(images::get_image))
        .merge(page::router())
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
        .route("/v1/auth/providers", get(oauth::providers))
        .route(&format!("{oauth}/start"), get(oauth::start))
        .route(&format!("{oauth}/callback"), get(oauth::callback))
        .route("/v1/me", get(session::me))
        .route("/v1/me/password", post(session::change_password))
        .route("/v1/api-keys", post(keys::create).get(keys::list))
        .route("/v1/api-keys/{id}", delete(keys::revoke))
        .route("/v1/admin/users", get(admin::list))
        .route("/v1/admin/users/{id}", patch(admin::change))
        .route("/v1/me/usage", get(usage::me))
        .route("/v1/admin/billing/export", get(usage::export))
        .route("/v1/admin/billing/corrections", post(usage::correct))
        .route("/v1/admin/plans", get(usage::plans))
        .route("/v1/admin/plans/{id}", put(plans::define))
        .route("/v1/admin/prices", post(plans::schedule))
        .route("/v1/plans", get(plans::list))
        .route("/v1/me/subscription", get(plans::me).delete(plans::cancel))
        .route("/v1/admin/audit/events", get(audit::events))
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

/// The request id, which is also the correlation id of everything the request causes: the
/// client's `x-request-id` when it is a plain token, else the one the server made up.
/// Only `[A-Za-z0-9._:-]`, at most 128 characters, so that it is safe in a NATS header.
pub fn correlation_id(headers: &axum::http::HeaderMap) -> String {
    let given = headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let plain = !given.is_empty()
        && given.len() <= 128
        && given
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if plain {
        given.to_owned()
    } else {
        uuid::Uuid::new_v4().to_string()
    }
}

/// One span per request, named by its route template and carrying the correlation id;
/// records metrics and logs, once, the hidden cause of a 5xx.
async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = crate::metrics::Method::from_http(request.method());

    let correlation_id = correlation_id(request.headers());
    if let Ok(value) = HeaderValue::from_str(&correlation_id) {
        request.headers_mut().insert(REQUEST_ID.clone(), value);
    }

    let span = tracing::info_span!("http", route = %route, method = method.as_str(),
        correlation_id = %correlation_id);
    let mut response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    if let Ok(value) = HeaderValue::from_str(&correlation_id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }

    let status = response.status().as_u16();
    if let Some(HiddenError(detail)) = response.extensions().get::<HiddenError>() {
        span.in_scope(|| tracing::error!(status, error = %detail, "request failed"));
    }
    crate::metrics::http_answered(&route, method, status, started.elapsed());
    response
}

pub fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static("invalid"))
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::correlation_id;

    fn with_id(id: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(id) {
            headers.insert("x-request-id", value);
        }
        headers
    }

    #[test]
    fn a_plain_request_id_becomes_the_correlation_id() {
        assert_eq!(correlation_id(&with_id("load-1.2:x_y")), "load-1.2:x_y");
    }

    #[test]
    fn an_unsafe_or_missing_request_id_is_replaced() {
        for given in ["", "a b", "x\ty", &"z".repeat(200), "line>wild*"] {
            let id = correlation_id(&with_id(given));
            assert_ne!(id, given);
            assert_eq!(id.len(), 36, "{id}");
        }
    }
}
