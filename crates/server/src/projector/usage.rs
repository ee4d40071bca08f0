//! The `usage` read model: billed pictures and corrections, from which the daily usage,
//! the monthly bills and the cost per source are views (`migrations/`).

use illustrator_billing::UsageEvent;
use illustrator_eventstore::Commit;
use sqlx::{Postgres, Transaction};

use super::{Projection, ProjectorError};
use crate::app::App;

pub struct UsageProjection;

type Tx = Transaction<'static, Postgres>;

impl Projection for UsageProjection {
    const NAME: &'static str = "usage";

    fn filter(app: &App) -> String {
        app.ns.events_filter(illustrator_billing::AGGREGATE_TYPE)
    }

    async fn apply(&self, tx: &mut Tx, commit: &Commit) -> Result<(), ProjectorError> {
        check_contiguous(tx, commit).await?;

        for (position, raw) in commit.events.iter().enumerate() {
            let event: UsageEvent = serde_json::from_value(raw.payload.clone()).map_err(|e| {
                ProjectorError::BadEvent {
                    stream_seq: commit.stream_seq,
                    event_type: raw.event_type.clone(),
                    reason: e.to_string(),
                }
            })?;
            apply_event(tx, commit.stream_seq, position as i32, &event).await?;
        }
        Ok(())
    }

    async fn clear(&self, tx: &mut Tx) -> Result<(), ProjectorError> {
        for table in ["usage_pictures", "usage_corrections", "usage_versions"] {
            let statement = format!("DELETE FROM {table}");
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

/// Refuses a commit that does not follow the last one applied to the same month.
async fn check_contiguous(tx: &mut Tx, commit: &Commit) -> Result<(), ProjectorError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT version FROM usage_versions WHERE aggregate_id = $1")
            .bind(&commit.aggregate_id)
            .fetch_optional(&mut **tx)
            .await?;
    super::follows(commit, row.map(|(version,)| version))?;

    sqlx::query(
        "INSERT INTO usage_versions (aggregate_id, version) VALUES ($1, $2) \
         ON CONFLICT (aggregate_id) DO UPDATE SET version = EXCLUDED.version",
    )
    .bind(&commit.aggregate_id)
    .bind(commit.last_sequence() as i64)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn apply_event(
    tx: &mut Tx,
    stream_seq: u64,
    position: i32,
    event: &UsageEvent,
) -> Result<(), ProjectorError> {
    match event {
        UsageEvent::UsageRecorded {
            meta,
            user,
            plan,
            month,
            day,
            job_id,
            source,
            unit,
        } => {
            sqlx::query(
                "INSERT INTO usage_pictures (job_id, user_id, plan, month, day, source, \
                 unit_milli_fen, recorded_at, stream_seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (job_id) DO NOTHING",
            )
            .bind(job_id)
            .bind(user)
            .bind(plan)
            .bind(month)
            .bind(day)
            .bind(source.as_str())
            .bind(unit.0)
            .bind(meta.at)
            .bind(stream_seq as i64)
            .execute(&mut **tx)
            .await?;
        }
        UsageEvent::UsageCorrected {
            meta,
            user,
            plan,
            month,
            day,
            source,
            pictures,
            amount,
            reason,
        } => {
            sqlx::query(
                "INSERT INTO usage_corrections (stream_seq, position, user_id, plan, month, \
                 day, source, pictures, amount_milli_fen, reason, actor, corrected_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(stream_seq as i64)
            .bind(position)
            .bind(user)
            .bind(plan)
            .bind(month)
            .bind(day)
            .bind(source.as_str())
            .bind(pictures)
            .bind(amount.0)
            .bind(reason)
            .bind(&meta.actor)
            .bind(meta.at)
            .execute(&mut **tx)
            .await?;
        }
        // Reservations live in the aggregate, which decides on them; no read model needs them.
        UsageEvent::QuotaReserved { .. } | UsageEvent::QuotaReleased { .. } => {}
    }
    Ok(())
}
