//! Usage and billing over HTTP: the caller's usage and remaining quota, the finance export,
//! corrections by an admin and the price list.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use illustrator_billing::{
    Account, Catalogue, Correct, MilliFen, UsageCommand, UsageError, parse_month,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{Allowed, ManageUsers, Read};
use super::{ApiJson, RequestContext};
use crate::app::App;
use crate::billing::{self, BillingError};
use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: String,
    pub name: String,
    pub monthly_price_fen: i64,
    pub daily_limit: Option<u32>,
    pub sources: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayView {
    pub date: NaiveDate,
    pub used: u32,
    pub reserved: u32,
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub resets_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthView {
    pub month: String,
    pub pictures: i64,
    pub amount_fen: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceLine {
    pub source: String,
    pub count: i64,
    pub amount_fen: String,
}

/// Body of GET /v1/me/usage.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub plan: PlanView,
    pub time_zone: String,
    pub day: DayView,
    pub month: MonthView,
    pub by_source: Vec<SourceLine>,
}

fn unavailable(error: impl std::fmt::Display) -> ApiError {
    ApiError::Unavailable(error.to_string())
}

/// The caller's plan, today's pictures and the month's bill so far. Today's figures come
/// from the Usage aggregate that decides reservations, so they are never behind; the
/// month's lines come from the read model.
#[utoipa::path(get, path = "/v1/me/usage", responses((status = 200, body = UsageView)))]
pub async fn me(
    State(app): State<App>,
    principal: Allowed<Read>,
) -> Result<axum::Json<UsageView>, ApiError> {
    let billing = &app.billing;
    let now = billing.clock.now();
    let (today, month) = (billing.calendar.day(now), billing.calendar.month(now));
    let plan = billing.plan(&principal.plan);
    let limit = (!billing.unlimited(&principal))
        .then_some(plan.daily_limit)
        .flatten();

    let aggregate_id = billing.month_id(&principal.id, now);
    let usage = billing::load(&billing.usage, &aggregate_id)
        .await
        .map_err(unavailable)?;
    let count = usage.day(today);
    let used = if limit.is_some() {
        count.used
    } else {
        projected_day(&app, &principal.id, today).await?
    };

    let lines: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT source, pictures, amount_milli_fen FROM usage_monthly_bill \
         WHERE user_id = $1 AND month = $2 ORDER BY source",
    )
    .bind(&principal.id)
    .bind(&month)
    .fetch_all(&app.db)
    .await
    .map_err(unavailable)?;
    let pictures = lines.iter().map(|(_, count, _)| count).sum();
    let amount: MilliFen = lines.iter().map(|(_, _, amount)| MilliFen(*amount)).sum();

    Ok(axum::Json(UsageView {
        plan: PlanView {
            id: plan.id.clone(),
            name: plan.name.clone(),
            monthly_price_fen: plan.monthly_price_fen,
            daily_limit: plan.daily_limit,
            sources: plan.sources.iter().map(|s| s.as_str().to_owned()).collect(),
        },
        time_zone: billing.calendar.name().to_owned(),
        day: DayView {
            date: today,
            used,
            reserved: count.reserved,
            limit,
            remaining: limit.map(|limit| limit.saturating_sub(used + count.reserved)),
            resets_at: rfc3339(billing.calendar.day_end(today)),
        },
        month: MonthView {
            month,
            pictures,
            amount_fen: amount.fen_string(),
        },
        by_source: lines
            .into_iter()
            .map(|(source, count, amount)| SourceLine {
                source,
                count,
                amount_fen: MilliFen(amount).fen_string(),
            })
            .collect(),
    }))
}

async fn projected_day(app: &App, user: &str, day: NaiveDate) -> Result<u32, ApiError> {
    let (pictures,): (Option<i64>,) = sqlx::query_as(
        "SELECT sum(pictures)::BIGINT FROM usage_daily WHERE user_id = $1 AND day = $2",
    )
    .bind(user)
    .bind(day)
    .fetch_one(&app.db)
    .await
    .map_err(unavailable)?;
    Ok(u32::try_from(pictures.unwrap_or(0).max(0)).unwrap_or(u32::MAX))
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    pub month: String,
}

/// The month's bill for finance as CSV: a line per user, plan, source and unit price, and
/// a line per correction.
#[utoipa::path(get, path = "/v1/admin/billing/export",
    responses((status = 200, content_type = "text/csv"), (status = 400)))]
pub async fn export(
    State(app): State<App>,
    _principal: Allowed<ManageUsers>,
    Query(query): Query<MonthQuery>,
) -> Result<Response, ApiError> {
    if parse_month(&query.month).is_none() {
        return Err(ApiError::bad("invalid_month", "month must be YYYY-MM"));
    }

    let csv = billing::export::month_csv(&app.db, &query.month)
        .await
        .map_err(unavailable)?;
    let disposition = format!("attachment; filename=\"bill-{}.csv\"", query.month);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}

/// Body of POST /v1/admin/billing/corrections.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    pub user_id: String,
    /// `YYYY-MM`; the current month when absent.
    pub month: Option<String>,
    pub source: String,
    /// Pictures added to the bill; negative to take pictures off it.
    pub pictures: i64,
    /// Fen added to the bill as a decimal string; negative for a credit ("-0.50").
    pub amount_fen: String,
    pub reason: String,
}

/// Credits or amends a user's bill with a reason, as a compensating event.
#[utoipa::path(post, path = "/v1/admin/billing/corrections", request_body = CorrectionRequest,
    responses((status = 201), (status = 400), (status = 404)))]
pub async fn correct(
    State(app): State<App>,
    principal: Allowed<ManageUsers>,
    ctx: RequestContext,
    ApiJson(request): ApiJson<CorrectionRequest>,
) -> Result<Response, ApiError> {
    let billing = &app.billing;
    let now = billing.clock.now();
    let source = super::plans::known_source(&request.source)?;
    let amount = MilliFen::parse_fen(&request.amount_fen).ok_or_else(|| {
        ApiError::bad(
            "invalid_amount",
            "amount_fen is fen with at most three decimals",
        )
    })?;

    let month = request.month.unwrap_or_else(|| billing.calendar.month(now));
    let first = parse_month(&month)
        .ok_or_else(|| ApiError::bad("invalid_month", "month must be YYYY-MM"))?;
    let today = billing.calendar.day(now);
    let day = if billing.calendar.month(now) == month {
        today
    } else {
        first
    };

    let account = app
        .accounts
        .store
        .load(&request.user_id)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let plan = match account_plan(account) {
        Some(plan) => plan,
        None => return Err(ApiError::NotFound),
    };

    let correct = Correct {
        account: Account {
            user: request.user_id.clone(),
            plan,
            month: month.clone(),
            day,
        },
        source,
        pictures: request.pictures,
        amount,
        reason: request.reason,
    };
    let command = UsageCommand::Correct(ctx.command(&principal.id, now), correct);
    let aggregate_id = format!("{}-{}", request.user_id, month.replace('-', ""));
    let meta = billing::metadata(&principal.id, &ctx.correlation_id);

    let events = billing::execute(&billing.usage, &aggregate_id, command, meta)
        .await
        .map_err(|error| match error {
            BillingError::Refused(UsageError::NoReason) => {
                ApiError::bad("no_reason", "a correction needs a reason")
            }
            other => unavailable(other),
        })?;
    tracing::info!(user_id = %request.user_id, actor = %principal.id, "usage corrected");

    let body: Vec<_> = events.into_iter().map(|e| e.payload).collect();
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// The account's plan, or `None` when no such account exists.
fn account_plan(
    mut context: illustrator_eventstore::JetStreamContext<illustrator_accounts::Account>,
) -> Option<String> {
    use cqrs_es::AggregateContext;

    let account = context.aggregate();
    account.id?;
    Some(if account.plan.is_empty() {
        illustrator_billing::DEFAULT_PLAN.to_owned()
    } else {
        account.plan.clone()
    })
}

/// The plans and every price with the date it took effect.
#[utoipa::path(get, path = "/v1/admin/plans", responses((status = 200)))]
pub async fn plans(
    State(app): State<App>,
    _principal: Allowed<ManageUsers>,
) -> axum::Json<Catalogue> {
    axum::Json((*app.billing.catalogue()).clone())
}
