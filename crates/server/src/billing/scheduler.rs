//! The subscription scheduler: every `ILLUSTRATOR_SCHEDULER_SECONDS` each projector process
//! looks in the `subscriptions` read model for periods that have ended or whose reminder
//! is due, and asks their Subscription aggregates to renew, end or remind.
//!
//! Nothing is kept in memory between ticks, so a restart loses nothing: what was due and
//! not done is still due. Replicas ticking at the same moment race on each aggregate's
//! expected sequence; the loser decides again on the winner's state, where nothing is due
//! any more. The read model may lag a moment behind; the aggregate decides, never the read.

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::subscriptions::settle_due;
use crate::app::App;

/// Subscriptions settled per tick at most; the rest wait for the next tick.
const PER_TICK: i64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Ticks until shutdown.
pub async fn run(app: App, mut stop: watch::Receiver<bool>) {
    tracing::info!(
        interval_ms = app.config.scheduler_interval.as_millis() as u64,
        "subscription scheduler started"
    );

    loop {
        tokio::select! {
            _ = tokio::time::sleep(app.config.scheduler_interval) => {}
            _ = stop.changed() => return,
        }
        match tick(&app).await {
            Ok(0) => {}
            Ok(events) => tracing::info!(events, "subscriptions settled"),
            Err(error) => tracing::warn!(error = %error, "subscription scheduler tick failed"),
        }
    }
}

/// Settles every subscription due now; returns the events this process committed.
pub async fn tick(app: &App) -> Result<usize, SchedulerError> {
    let now = app.billing.clock.now();
    let remind_from = now + app.config.reminder_lead;

    let due: Vec<(String,)> = sqlx::query_as(
        "SELECT user_id FROM subscriptions WHERE plan IS NOT NULL AND (period_end <= $1 \
         OR (renews AND period_end <= $2 AND reminded_for IS DISTINCT FROM period_end)) \
         ORDER BY period_end LIMIT $3",
    )
    .bind(now)
    .bind(remind_from)
    .bind(PER_TICK)
    .fetch_all(&app.db)
    .await?;

    let mut committed = 0;
    for (user,) in due {
        match settle_due(app, &user).await {
            Ok(events) => {
                for event in &events {
                    tracing::info!(user_id = %user, event = event.type_name(),
                        "subscription settled");
                }
                committed += events.len();
            }
            Err(error) => {
                tracing::warn!(user_id = %user, error = %error, "subscription not settled");
            }
        }
    }
    Ok(committed)
}

/// When the next renewal of a period ending at `end` is reminded, for the API's views.
pub fn reminder_at(app: &App, end: DateTime<Utc>) -> DateTime<Utc> {
    end - app.config.reminder_lead
}
