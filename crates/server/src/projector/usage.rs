//! The `usage` read model: billed pictures and corrections, from which the daily usage,
//! the monthly bills and the cost per source are views (`migrations/`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
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
        self.apply_all(tx, std::slice::from_ref(commit)).await
    }

    /// A batch in four statements whatever its size: the months' versions read at once,
    /// checked in memory, then every billed picture and every version written with one
    /// statement each. Corrections, which are rare, are written one by one.
    async fn apply_all(&self, tx: &mut Tx, commits: &[Commit]) -> Result<(), ProjectorError> {
        let mut months: Vec<String> = commits.iter().map(|c| c.aggregate_id.clone()).collect();
        months.sort_unstable();
        months.dedup();
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT aggregate_id, version FROM usage_versions WHERE aggregate_id = ANY($1)",
        )
        .bind(&months)
        .fetch_all(&mut **tx)
        .await?;
        let mut reached: HashMap<String, i64> = rows.into_iter().collect();

        let mut pictures = Pictures::default();
        for commit in commits {
            super::follows(commit, reached.get(&commit.aggregate_id).copied())?;
            reached.insert(commit.aggregate_id.clone(), commit.last_sequence() as i64);

            for (position, raw) in commit.events.iter().enumerate() {
                let event: UsageEvent = super::decode(commit, raw)?;
                match event {
                    UsageEvent::UsageRecorded { .. } => pictures.push(commit.stream_seq, event),
                    UsageEvent::UsageCorrected { .. } => {
                        correct(tx, commit.stream_seq, position as i32, &event).await?
                    }
                    // Reservations live in the aggregate, which decides on them; no read
                    // model needs them.
                    UsageEvent::QuotaReserved { .. } | UsageEvent::QuotaReleased { .. } => {}
                }
            }
        }

        pictures.insert(tx).await?;
        let (ids, versions): (Vec<String>, Vec<i64>) = reached.into_iter().unzip();
        sqlx::query(
            "INSERT INTO usage_versions (aggregate_id, version) \
             SELECT * FROM UNNEST($1::TEXT[], $2::BIGINT[]) \
             ON CONFLICT (aggregate_id) DO UPDATE SET version = EXCLUDED.version",
        )
        .bind(ids)
        .bind(versions)
        .execute(&mut **tx)
        .await?;
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

/// The billed pictures of a batch, column by column, for one `INSERT ... UNNEST`.
#[derive(Default)]
struct Pictures {
    job_id: Vec<String>,
    user_id: Vec<String>,
    plan: Vec<String>,
    month: Vec<String>,
    day: Vec<NaiveDate>,
    source: Vec<&'static str>,
    unit: Vec<i64>,
    at: Vec<DateTime<Utc>>,
    stream_seq: Vec<i64>,
}

impl Pictures {
    fn push(&mut self, stream_seq: u64, event: UsageEvent) {
        let UsageEvent::UsageRecorded {
            meta,
            user,
            plan,
            month,
            day,
            job_id,
            source,
            unit,
        } = event
        else {
            return;
        };
        self.job_id.push(job_id);
        self.user_id.push(user);
        self.plan.push(plan);
        self.month.push(month);
        self.day.push(day);
        self.source.push(source.as_str());
        self.unit.push(unit.0);
        self.at.push(meta.at);
        self.stream_seq.push(stream_seq as i64);
    }

    /// One row per job: a job billed again (a redelivery) keeps its first row.
    async fn insert(self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        if self.job_id.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO usage_pictures (job_id, user_id, plan, month, day, source, \
             unit_milli_fen, recorded_at, stream_seq) \
             SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::DATE[], \
             $6::TEXT[], $7::BIGINT[], $8::TIMESTAMPTZ[], $9::BIGINT[]) \
             ON CONFLICT (job_id) DO NOTHING",
        )
        .bind(self.job_id)
        .bind(self.user_id)
        .bind(self.plan)
        .bind(self.month)
        .bind(self.day)
        .bind(self.source)
        .bind(self.unit)
        .bind(self.at)
        .bind(self.stream_seq)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// Writes one correction; other events are not corrections and write nothing.
async fn correct(
    tx: &mut Tx,
    stream_seq: u64,
    position: i32,
    event: &UsageEvent,
) -> Result<(), ProjectorError> {
    let UsageEvent::UsageCorrected {
        meta,
        user,
        plan,
        month,
        day,
        source,
        pictures,
        amount,
        reason,
    } = event
    else {
        return Ok(());
    };
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
    Ok(())
}
