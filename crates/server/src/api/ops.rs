//! Operations routes: liveness, readiness, metrics and the OpenAPI document.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use utoipa::OpenApi;

use crate::app::App;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Markdown Illustrator",
        version = "1",
        description = "Illustrates Markdown articles: plans pictures, draws them, splices them in."
    ),
    paths(
        super::documents::submit,
        super::documents::get_document,
        super::documents::get_markdown,
        super::preview::get_preview,
        super::archive::get_archive,
        super::images::get_image,
        super::images::regenerate,
        super::images::select,
        super::events::events,
        super::session::register,
        super::session::verify,
        super::session::login,
        super::session::logout,
        super::session::password_reset,
        super::session::password_reset_confirm,
        super::session::me,
        super::session::change_password,
        super::oauth::providers,
        super::oauth::start,
        super::oauth::callback,
        super::keys::create,
        super::keys::list,
        super::keys::revoke,
        super::admin::list,
        super::admin::change,
        super::usage::me,
        super::usage::export,
        super::usage::correct,
        super::usage::plans,
        super::plans::list,
        super::plans::define,
        super::plans::schedule,
        super::plans::me,
        super::plans::cancel,
        super::audit::events,
        health,
        ready,
    ),
    components(schemas(
        super::documents::SubmitRequest,
        super::usage::UsageView,
        super::usage::CorrectionRequest,
        super::plans::PlanRequest,
        super::plans::PriceRequest,
        super::plans::SubscriptionView,
        super::images::RegenerateRequest,
        super::images::SelectRequest,
        super::views::DocumentView,
        super::views::ImageView,
        super::views::CandidateView,
        super::session::Credentials,
        super::session::TokenRequest,
        super::session::EmailRequest,
        super::session::ResetRequest,
        super::session::PasswordChange,
        super::session::SessionView,
        super::keys::CreateKey,
        super::admin::UserChange,
        super::admin::UserView,
        crate::accounts::flows::AccountView,
        crate::accounts::keys::KeyView,
        crate::accounts::keys::IssuedKey,
    ))
)]
pub struct ApiDoc;

pub fn router(app: App) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .with_state(app)
}

/// The process is alive.
#[utoipa::path(get, path = "/health", responses((status = 200)))]
pub async fn health() -> impl IntoResponse {
    axum::Json(json!({ "status": "ok" }))
}

/// NATS, Postgres, the streams and the migrations are all there.
#[utoipa::path(get, path = "/ready", responses((status = 200), (status = 503)))]
pub async fn ready(State(app): State<App>) -> impl IntoResponse {
    let checks = crate::readiness::check(&app).await;
    let ok = checks.iter().all(|(_, passed, _)| *passed);
    let body: serde_json::Map<String, serde_json::Value> = checks
        .into_iter()
        .map(|(name, passed, detail)| (name.to_owned(), json!({ "ok": passed, "detail": detail })))
        .collect();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(json!({ "ready": ok, "checks": body })))
}

/// OpenMetrics to a scraper that asks for it (Prometheus does), else the classic text
/// format.
async fn metrics(headers: axum::http::HeaderMap) -> impl IntoResponse {
    let open_metrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));

    if open_metrics {
        let kind = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        ([(header::CONTENT_TYPE, kind)], crate::metrics::encode())
    } else {
        let kind = "text/plain; version=0.0.4; charset=utf-8";
        (
            [(header::CONTENT_TYPE, kind)],
            crate::metrics::encode_classic(),
        )
    }
}

async fn openapi() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}
