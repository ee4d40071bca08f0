//! The price list and subscriptions over HTTP: everyone signed in reads the plans and
//! prices, a superadmin changes them, and a subscriber reads and cancels their
//! subscription.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use illustrator_analysis::Source;
use illustrator_billing::{Catalogue, MilliFen, Plan, Price};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{Allowed, ManagePrices, ManageSubscription, Read};
use super::{ApiJson, RequestContext};
use crate::app::App;
use crate::billing::subscriptions;
use crate::error::ApiError;

/// A source by name, or a refusal that lists the names.
pub fn known_source(name: &str) -> Result<Source, ApiError> {
    Source::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
        ApiError::bad(
            "unknown_source",
            format!(
                "unknown source {name:?}; the sources are {}",
                names.join(", ")
            ),
        )
    })
}

/// Every plan, and every price per picture with the moment it takes or took effect; open
/// to everyone, like a price page. Money in it is integer milli-fen, except
/// `monthly_price_fen`.
#[utoipa::path(get, path = "/v1/plans", responses((status = 200)))]
pub async fn list(State(app): State<App>) -> axum::Json<Catalogue> {
    axum::Json((*app.billing.catalogue()).clone())
}

/// Body of PUT /v1/admin/plans/{id}: the whole plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    pub name: String,
    /// What a subscription costs a month; 0 is a plan without subscription.
    pub monthly_price_fen: i64,
    /// Pictures a day; absent is unlimited.
    pub daily_limit: Option<u32>,
    /// What the pictures of a month may cost at most, in fen ("9900" is 99 yuan), or
    /// "unlimited"; the monthly price when absent, as in the first price list.
    pub monthly_budget_fen: Option<String>,
    /// The sources the plan includes (`mermaid`, `unsplash`, `dalle`, ...).
    pub sources: Vec<String>,
    /// Whether API keys work for the plan's accounts.
    pub api_access: bool,
}

/// Adds or replaces a plan. Accounts on it get its new limits at once; its new monthly
/// price applies from each subscription's next renewal.
#[utoipa::path(put, path = "/v1/admin/plans/{id}", request_body = PlanRequest,
    responses((status = 200), (status = 400), (status = 403)))]
pub async fn define(
    State(app): State<App>,
    principal: Allowed<ManagePrices>,
    ctx: RequestContext,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PlanRequest>,
) -> Result<axum::Json<Catalogue>, ApiError> {
    let sources = request
        .sources
        .iter()
        .map(|name| known_source(name))
        .collect::<Result<Vec<_>, _>>()?;
    let monthly_budget = match request.monthly_budget_fen.as_deref() {
        Some("unlimited") => None,
        Some(text) => Some(MilliFen::parse_fen(text).ok_or_else(|| {
            ApiError::bad(
                "invalid_amount",
                "monthly_budget_fen is fen with at most three decimals",
            )
        })?),
        None => Some(MilliFen::from_fen(request.monthly_price_fen)),
    };

    let plan = Plan {
        id,
        name: request.name,
        monthly_price_fen: request.monthly_price_fen,
        daily_limit: request.daily_limit,
        monthly_budget,
        sources,
        api_access: request.api_access,
    };
    let plan_id = plan.id.clone();
    app.billing
        .define_plan(ctx.command(&principal.id, app.billing.clock.now()), plan)
        .await?;
    tracing::info!(plan = %plan_id, actor = %principal.id, "plan defined");
    Ok(axum::Json((*app.billing.catalogue()).clone()))
}

/// Body of POST /v1/admin/prices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceRequest {
    pub source: String,
    /// The price of one picture in fen, with at most three decimals ("0.5").
    pub unit_fen: String,
    /// When it takes effect (RFC 3339); now or later, never earlier.
    pub effective_from: Option<DateTime<Utc>>,
}

/// Schedules a price per picture from a moment on; bills before it keep the old price.
#[utoipa::path(post, path = "/v1/admin/prices", request_body = PriceRequest,
    responses((status = 201), (status = 400), (status = 403)))]
pub async fn schedule(
    State(app): State<App>,
    principal: Allowed<ManagePrices>,
    ctx: RequestContext,
    ApiJson(request): ApiJson<PriceRequest>,
) -> Result<Response, ApiError> {
    let source = known_source(&request.source)?;
    let unit = MilliFen::parse_fen(&request.unit_fen).ok_or_else(|| {
        ApiError::bad(
            "invalid_amount",
            "unit_fen is fen with at most three decimals",
        )
    })?;
    let context = ctx.command(&principal.id, app.billing.clock.now());

    let price = Price {
        source,
        effective_from: request.effective_from.unwrap_or(context.at),
        unit,
    };
    app.billing.schedule_price(context, price.clone()).await?;
    tracing::info!(source = %source.as_str(), actor = %principal.id, "price scheduled");
    Ok((StatusCode::CREATED, axum::Json(price)).into_response())
}

/// Body of GET /v1/me/subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionView {
    /// The account's plan.
    pub plan: String,
    /// Whether the plan is paid by a subscription; the fields below are set when it is.
    pub subscribed: bool,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub monthly_price_fen: Option<i64>,
    /// Whether it renews at `period_end`; otherwise the account moves to the free plan then.
    pub renews: bool,
    /// When the renewal reminder goes out, or went out.
    pub reminder_at: Option<DateTime<Utc>>,
    /// Whether the reminder of this period's renewal has gone out.
    pub reminder_sent: bool,
}

async fn view(app: &App, user: &str, plan: &str) -> Result<SubscriptionView, ApiError> {
    let subscription = subscriptions::current(app, user).await?;
    let subscribed = subscription.plan.is_some();
    let end = subscription.period_end;

    Ok(SubscriptionView {
        plan: subscription.plan.clone().unwrap_or_else(|| plan.to_owned()),
        subscribed,
        period_start: subscription.period_start,
        period_end: end,
        monthly_price_fen: subscribed.then_some(subscription.monthly_price_fen),
        renews: subscription.renews,
        reminder_at: end
            .filter(|_| subscription.renews)
            .map(|end| crate::billing::scheduler::reminder_at(app, end)),
        reminder_sent: end.is_some() && subscription.reminded_for == end,
    })
}

/// The caller's subscription: plan, period, price and whether it renews.
#[utoipa::path(get, path = "/v1/me/subscription",
    responses((status = 200, body = SubscriptionView)))]
pub async fn me(
    State(app): State<App>,
    principal: Allowed<Read>,
) -> Result<axum::Json<SubscriptionView>, ApiError> {
    Ok(axum::Json(
        view(&app, &principal.id, &principal.plan).await?,
    ))
}

/// Stops the renewal: the plan lasts until the end of the paid period, then the account
/// moves to the free plan.
#[utoipa::path(delete, path = "/v1/me/subscription",
    responses((status = 200, body = SubscriptionView), (status = 409)))]
pub async fn cancel(
    State(app): State<App>,
    principal: Allowed<ManageSubscription>,
    ctx: RequestContext,
) -> Result<axum::Json<SubscriptionView>, ApiError> {
    let context = ctx.command(&principal.id, app.billing.clock.now());
    subscriptions::cancel(&app, &principal.id, context).await?;
    tracing::info!(user_id = %principal.id, "subscription renewal cancelled");
    Ok(axum::Json(
        view(&app, &principal.id, &principal.plan).await?,
    ))
}
