//! Settlement by the workers: a drawn picture is billed and a failed one gives its place
//! back, each keyed by its job id, so that a redelivered job changes nothing.

use chrono::{DateTime, Utc};
use cqrs_es::AggregateContext;
use illustrator_analysis::Source;
use illustrator_billing::{Account, CommandContext, Record, UsageCommand};

use super::{BillingError, execute, load, metadata};
use crate::app::App;

/// What became of one job, as billing sees it.
#[derive(Clone, Debug)]
pub enum Settlement {
    Drawn(Source),
    Failed(String),
}

/// Whose job it is and when it was requested: the month and day it counts on.
#[derive(Clone, Debug)]
pub struct JobOwner<'a> {
    pub user: &'a str,
    pub requested_at: DateTime<Utc>,
    pub document: &'a str,
    pub job_id: &'a str,
    pub correlation_id: &'a str,
}

/// Bills or releases one job on the month that holds its reservation, or, for a picture
/// that reserved nothing (an unlimited account's), on a month record of its own document,
/// so that busy unlimited accounts do not all queue on one aggregate.
pub async fn settle(app: &App, job: JobOwner<'_>, outcome: Settlement) -> Result<(), BillingError> {
    let billing = &app.billing;
    let at = job.requested_at;
    let month_id = billing.month_id(job.user, at);

    let usage = load(&billing.usage, &month_id).await?;
    let reserved = usage.pending.contains_key(job.job_id) || usage.settled.contains(job.job_id);
    let aggregate_id = if reserved {
        month_id
    } else {
        format!("{month_id}-{}", job.document.replace('-', ""))
    };

    let ctx = CommandContext {
        actor: "worker".into(),
        correlation_id: job.correlation_id.to_owned(),
        at: billing.clock.now(),
    };
    let command = match outcome {
        Settlement::Failed(_) if !reserved => return Ok(()),
        Settlement::Failed(reason) => UsageCommand::Release(ctx, job.job_id.to_owned(), reason),
        Settlement::Drawn(source) => {
            let account = Account {
                user: job.user.to_owned(),
                plan: plan_of(app, job.user).await?,
                month: billing.calendar.month(at),
                day: billing.calendar.day(at),
            };
            let record = Record {
                account,
                job_id: job.job_id.to_owned(),
                source,
                unit: billing.catalogue().price(source, at),
            };
            UsageCommand::Record(ctx, record)
        }
    };

    let meta = metadata("worker", job.correlation_id);
    execute(&billing.usage, &aggregate_id, command, meta).await?;
    Ok(())
}

/// The plan the account has now, which its bill line names.
async fn plan_of(app: &App, user: &str) -> Result<String, BillingError> {
    let mut account = app
        .accounts
        .store
        .load(user)
        .await
        .map_err(|e| BillingError::Store(e.to_string()))?;
    let plan = &account.aggregate().plan;

    Ok(if plan.is_empty() {
        illustrator_billing::DEFAULT_PLAN.to_owned()
    } else {
        plan.clone()
    })
}
