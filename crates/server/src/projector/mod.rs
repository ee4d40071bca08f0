//! Projectors: read the event stream in order and keep the Postgres read models.
//!
//! Each projection keeps its checkpoint (the last stream sequence applied) in the same
//! transaction as its rows, so replicas may run side by side and a crash never applies a
//! commit twice or skips one.

mod accounts;
mod documents;
mod subscriptions;
mod usage;

use std::time::Duration;

use futures::StreamExt;
use illustrator_eventstore::{Commit, RawEvent};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::watch;
use tracing::Instrument;

use crate::app::App;
use crate::metrics;

pub use accounts::AccountsProjection;
pub use documents::DocumentsProjection;
pub use subscriptions::{SubscriptionEffects, SubscriptionsProjection};
pub use usage::UsageProjection;

/// Commits applied in one transaction at most, when the stream has that many ready.
const BATCH: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum ProjectorError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("event stream: {0}")]
    Stream(String),
    #[error("event {event_type} at stream sequence {stream_seq} cannot be read: {reason}")]
    BadEvent {
        stream_seq: u64,
        event_type: String,
        reason: String,
    },
    /// Events of one aggregate arrived out of order or with a hole: applying them would make
    /// the read model wrong, so the projector stops here.
    #[error("{aggregate_id}: expected sequence {expected}, got {found}")]
    Gap {
        aggregate_id: String,
        expected: u64,
        found: u64,
    },
    #[error("mail: {0}")]
    Mail(String),
    #[error("unknown projection {0}; known: documents, accounts, usage, subscriptions")]
    Unknown(String),
}

/// One read model fed by the stream.
pub trait Projection: Send + Sync {
    const NAME: &'static str;

    /// The subjects it reads.
    fn filter(app: &App) -> String;

    /// Applies one commit inside the caller's transaction.
    fn apply<'a>(
        &'a self,
        tx: &'a mut Transaction<'static, Postgres>,
        commit: &'a Commit,
    ) -> impl Future<Output = Result<(), ProjectorError>> + Send + 'a;

    /// Applies commits in stream order inside the caller's transaction. A projection that
    /// can write a whole batch in a few statements overrides it: one statement per commit
    /// costs a database round trip each, which caps a projector at a few thousand a second.
    fn apply_all<'a>(
        &'a self,
        tx: &'a mut Transaction<'static, Postgres>,
        commits: &'a [Commit],
    ) -> impl Future<Output = Result<(), ProjectorError>> + Send + 'a {
        async move {
            for commit in commits {
                let span = tracing::debug_span!("project", projection = Self::NAME,
                    document_id = %commit.aggregate_id, stream_seq = commit.stream_seq,
                    correlation_id = %commit.correlation_id());
                let applied = async {
                    self.apply(tx, commit).await?;
                    tracing::debug!("commit applied");
                    Ok::<_, ProjectorError>(())
                };
                applied.instrument(span).await?;
            }
            Ok(())
        }
    }

    /// Removes every row this projection wrote.
    fn clear<'a>(
        &'a self,
        tx: &'a mut Transaction<'static, Postgres>,
    ) -> impl Future<Output = Result<(), ProjectorError>> + Send + 'a;
}

pub async fn checkpoint(db: &PgPool, name: &str) -> Result<u64, ProjectorError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT stream_seq FROM projection_checkpoints WHERE projection = $1")
            .bind(name)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(seq,)| seq as u64).unwrap_or(0))
}

/// Applies a batch of commits in one transaction, skipping those another replica applied.
async fn apply_batch<P: Projection>(
    db: &PgPool,
    projection: &P,
    commits: &[Commit],
) -> Result<u64, ProjectorError> {
    let mut tx = db.begin().await?;

    sqlx::query(
        "INSERT INTO projection_checkpoints (projection, stream_seq) VALUES ($1, 0) \
         ON CONFLICT (projection) DO NOTHING",
    )
    .bind(P::NAME)
    .execute(&mut *tx)
    .await?;
    let (done,): (i64,) = sqlx::query_as(
        "SELECT stream_seq FROM projection_checkpoints WHERE projection = $1 FOR UPDATE",
    )
    .bind(P::NAME)
    .fetch_one(&mut *tx)
    .await?;

    // The commits are in stream order: those another replica applied come first.
    let fresh = &commits[commits.partition_point(|c| c.stream_seq <= done as u64)..];
    projection.apply_all(&mut tx, fresh).await?;
    let last = fresh.last().map_or(done as u64, |c| c.stream_seq);

    sqlx::query(
        "UPDATE projection_checkpoints SET stream_seq = $2, updated_at = now() \
         WHERE projection = $1",
    )
    .bind(P::NAME)
    .bind(last as i64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(last)
}

/// Follows the stream from the checkpoint until shutdown, or, with `idle_stop`, until the
/// stream has been quiet that long (caught up).
pub async fn run<P: Projection>(
    app: &App,
    projection: &P,
    idle_stop: Option<Duration>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<u64, ProjectorError> {
    let mut last = checkpoint(&app.db, P::NAME).await?;
    let idle = idle_stop.unwrap_or(Duration::from_secs(86_400 * 365));

    let stream = app
        .log
        .read_from(Some(P::filter(app)), last + 1)
        .await
        .map_err(|e| ProjectorError::Stream(e.to_string()))?;
    let mut batches = Box::pin(stream.ready_chunks(BATCH));

    loop {
        let batch = tokio::select! {
            batch = batches.next() => batch,
            _ = shutdown.changed() => return Ok(last),
            _ = tokio::time::sleep(idle), if idle_stop.is_some() => return Ok(last),
        };
        let Some(batch) = batch else {
            return Err(ProjectorError::Stream("the event stream ended".into()));
        };

        let commits = batch
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ProjectorError::Stream(e.to_string()))?;
        last = apply_batch(&app.db, projection, &commits).await?;
        if let Some(label) = metrics::Projection::named(P::NAME) {
            let events = commits.iter().map(|c| c.events.len()).sum();
            metrics::projector_applied(label, events);
        }
    }
}

/// Runs a projection for as long as the process lives, restarting after failures.
pub async fn supervise<P: Projection>(app: App, projection: P, shutdown: watch::Receiver<bool>) {
    tracing::info!(projection = P::NAME, "projector started");

    loop {
        match run(&app, &projection, None, shutdown.clone()).await {
            Ok(seq) => {
                tracing::info!(projection = P::NAME, stream_seq = seq, "projector stopped");
                return;
            }
            Err(error) => {
                tracing::error!(projection = P::NAME, error = %error, "projector failed");
            }
        }

        let mut shutdown = shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Drops a read model and replays the whole stream into it, returning the last sequence
/// applied once the stream has been quiet for a second.
pub async fn rebuild(app: &App, name: &str) -> Result<u64, ProjectorError> {
    match name {
        DocumentsProjection::NAME => rebuild_one(app, &DocumentsProjection).await,
        AccountsProjection::NAME => rebuild_one(app, &AccountsProjection).await,
        UsageProjection::NAME => rebuild_one(app, &UsageProjection).await,
        SubscriptionsProjection::NAME => rebuild_one(app, &SubscriptionsProjection).await,
        other => Err(ProjectorError::Unknown(other.to_owned())),
    }
}

async fn rebuild_one<P: Projection>(app: &App, projection: &P) -> Result<u64, ProjectorError> {
    let mut tx = app.db.begin().await?;
    projection.clear(&mut tx).await?;
    sqlx::query("DELETE FROM projection_checkpoints WHERE projection = $1")
        .bind(P::NAME)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;

    let (_never, shutdown) = watch::channel(false);
    run(app, projection, Some(Duration::from_secs(1)), shutdown).await
}

/// One stored event of `commit` read as its aggregate's event type.
fn decode<E: serde::de::DeserializeOwned>(
    commit: &Commit,
    raw: &RawEvent,
) -> Result<E, ProjectorError> {
    serde_json::from_value(raw.payload.clone()).map_err(|e| ProjectorError::BadEvent {
        stream_seq: commit.stream_seq,
        event_type: raw.event_type.clone(),
        reason: e.to_string(),
    })
}

/// Refuses a commit that does not follow the last one applied to the same aggregate, whose
/// row in `table` keeps the version it has reached.
async fn check_contiguous(
    tx: &mut Transaction<'static, Postgres>,
    table: &'static str,
    id: uuid::Uuid,
    commit: &Commit,
) -> Result<(), ProjectorError> {
    // The table name is one of the projectors' own constants, never input.
    let query = format!("SELECT version FROM {table} WHERE id = $1");
    let row: Option<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    follows(commit, row.map(|(version,)| version))
}

/// A commit must start right after the version its aggregate's read model has reached
/// (none yet: version 0), or events were lost or reordered on the way.
fn follows(commit: &Commit, reached: Option<i64>) -> Result<(), ProjectorError> {
    let expected = reached.map(|v| v as u64 + 1).unwrap_or(1);
    if commit.first_sequence != expected {
        return Err(ProjectorError::Gap {
            aggregate_id: commit.aggregate_id.clone(),
            expected,
            found: commit.first_sequence,
        });
    }
    Ok(())
}
