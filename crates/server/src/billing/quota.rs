//! Quota at the door: which sources the plan allows, and the reservation a submission or a
//! regeneration must win on the user's Usage aggregate before its document command runs.

use chrono::{DateTime, Utc};
use illustrator_analysis::{Placement, Source, SourceRequest};
use illustrator_billing::{
    Account, CommandContext, Plan, Reserve, ReservedJob, UsageCommand, UsageError,
};
use illustrator_documents::{DocumentId, JobId};

use super::{BillingError, execute, metadata};
use crate::accounts::Principal;
use crate::app::App;
use crate::error::ApiError;
use crate::metrics::{self, QuotaReason};

/// Places a request holds on its user's month, to give back if its document command fails.
pub struct Reservation {
    pub aggregate_id: String,
    pub job_ids: Vec<String>,
}

/// Refuses an explicit source the caller's plan does not include, naming the plan.
pub fn check_source(plan: &Plan, request: SourceRequest) -> Result<(), ApiError> {
    let SourceRequest::Explicit(source) = request else {
        return Ok(());
    };
    if plan.allows(source) {
        return Ok(());
    }

    let included: Vec<&str> = plan.sources.iter().map(|s| s.as_str()).collect();
    Err(ApiError::Denied {
        code: "source_not_in_plan",
        message: format!(
            "the {} plan does not include the source {}; it includes {}",
            plan.name,
            source.as_str(),
            included.join(", ")
        ),
    })
}

/// Refuses API keys to a plain user whose plan has no API access; staff keep theirs, and
/// sessions (the page, `mi` after login) work on every plan.
pub fn check_api_access(app: &App, principal: &Principal) -> Result<(), ApiError> {
    let plan = app.billing.plan(&principal.plan);
    if plan.api_access || principal.role != illustrator_accounts::Role::User {
        return Ok(());
    }

    let with_access: Vec<String> = app
        .billing
        .catalogue()
        .plans
        .iter()
        .filter(|p| p.api_access)
        .map(|p| p.name.clone())
        .collect();
    Err(ApiError::Denied {
        code: "plan_without_api_access",
        message: format!(
            "the {} plan does not include API access; API keys work on the {} plans",
            plan.name,
            with_access.join(" and ")
        ),
    })
}

/// The sources `auto` and the fallbacks may use: those available and in the plan.
pub fn allowed(plan: &Plan, available: Vec<Source>) -> Vec<Source> {
    available.into_iter().filter(|&s| plan.allows(s)).collect()
}

/// The jobs a plan's placements will become, each with the dearest price of its chain.
pub fn jobs(
    app: &App,
    document: DocumentId,
    placements: &[&Placement],
    batch: u32,
    generation: u32,
    at: DateTime<Utc>,
) -> Vec<ReservedJob> {
    let catalogue = app.billing.catalogue();

    let mut jobs = Vec::with_capacity(placements.len() * batch as usize);
    for placement in placements {
        let mut chain = vec![placement.source];
        chain.extend(placement.fallbacks.iter().copied());
        let amount = catalogue.dearest(&chain, at);

        for candidate in 0..batch {
            let id = JobId::new(document, placement.index, candidate, generation);
            jobs.push(ReservedJob {
                job_id: id.0,
                amount,
            });
        }
    }
    jobs
}

/// Reserves the jobs on the caller's month, or refuses with 429 naming the limit and when
/// it resets. Unlimited callers reserve nothing.
pub async fn reserve(
    app: &App,
    principal: &Principal,
    correlation_id: &str,
    at: DateTime<Utc>,
    jobs: Vec<ReservedJob>,
) -> Result<Option<Reservation>, ApiError> {
    let billing = &app.billing;
    if jobs.is_empty() || billing.unlimited(principal) {
        return Ok(None);
    }

    let plan = billing.plan(&principal.plan);
    let aggregate_id = billing.month_id(&principal.id, at);
    let job_ids = jobs.iter().map(|job| job.job_id.clone()).collect();
    let reserve = Reserve {
        account: Account {
            user: principal.id.clone(),
            plan: plan.id.clone(),
            month: billing.calendar.month(at),
            day: billing.calendar.day(at),
        },
        jobs,
        daily_limit: plan.daily_limit,
        monthly_budget: plan.monthly_budget,
    };
    let ctx = CommandContext {
        actor: principal.id.clone(),
        correlation_id: correlation_id.to_owned(),
        at,
    };

    let command = UsageCommand::Reserve(ctx, reserve);
    let meta = metadata(&principal.id, correlation_id);
    match execute(&billing.usage, &aggregate_id, command, meta).await {
        Ok(_) => Ok(Some(Reservation {
            aggregate_id,
            job_ids,
        })),
        Err(BillingError::Refused(refused)) => Err(refusal(app, &plan, refused, at)),
        Err(BillingError::Conflict) => Err(ApiError::Conflict(
            "too many submissions at once for this account; try again".into(),
        )),
        Err(BillingError::Store(detail)) => Err(ApiError::Unavailable(detail)),
    }
}

fn refusal(app: &App, plan: &Plan, refused: UsageError, at: DateTime<Utc>) -> ApiError {
    let calendar = &app.billing.calendar;
    let day = calendar.day(at);

    let (reason, resets_at, what) = match &refused {
        UsageError::DailyLimit {
            limit, used, asked, ..
        } => (
            QuotaReason::DailyImages,
            calendar.day_end(day),
            format!(
                "the daily limit of {limit} pictures of the {} plan is used up for {day} \
                 ({used} used, {asked} asked)",
                plan.name
            ),
        ),
        UsageError::MonthlyBudget {
            budget,
            month,
            committed,
            asked,
        } => (
            QuotaReason::Budget,
            calendar.month_end(day),
            format!(
                "the monthly budget of {budget} fen of the {} plan is used up for {month} \
                 ({committed} fen committed, {asked} fen asked)",
                plan.name
            ),
        ),
        UsageError::NoReason => return ApiError::internal(refused),
    };
    metrics::quota_refused(reason);

    let retry_after = (resets_at - at).num_seconds().max(1) as u64;
    let resets = resets_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    ApiError::QuotaExceeded {
        message: format!("{what}; it resets at {resets}"),
        retry_after,
    }
}

/// Gives back the places of a request whose document command did not commit.
pub async fn release(app: &App, reservation: Reservation, correlation_id: &str) {
    let at = app.billing.clock.now();

    for job_id in reservation.job_ids {
        let ctx = CommandContext {
            actor: "api".into(),
            correlation_id: correlation_id.to_owned(),
            at,
        };
        let command = UsageCommand::Release(ctx, job_id, "the request was not committed".into());
        let meta = metadata("api", correlation_id);
        let released = execute(&app.billing.usage, &reservation.aggregate_id, command, meta).await;

        if let Err(error) = released {
            tracing::warn!(error = %error, aggregate_id = %reservation.aggregate_id,
                "a reservation could not be given back");
        }
    }
}
