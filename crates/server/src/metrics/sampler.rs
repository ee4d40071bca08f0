//! Gauges of shared state, read every few seconds from NATS and Postgres: the connection
//! state, the size of each stream, the dispatcher's and the work queue's backlogs and the
//! age of their oldest message, and the projector's lag. Every process samples the same
//! values, so a dashboard takes the `max` across replicas. A failed read leaves the last
//! value and is logged at debug: the readiness probe, not the sampler, reports broken
//! components.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use async_nats::connection::State;
use futures::StreamExt;
use illustrator_analysis::Source;
use tokio::sync::watch;

use super::labels::*;
use super::metrics;
use crate::app::App;

const EVERY: Duration = Duration::from_secs(5);

/// Samples until shutdown.
pub fn spawn_sampler(app: App, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => sample(&app).await,
                _ = shutdown.changed() => return,
            }
        }
    });
}

pub async fn sample(app: &App) {
    let m = metrics();
    let connected = app.nats.connection_state() == State::Connected;
    m.nats_connected.set(i64::from(connected));

    let probe = sqlx::query("SELECT 1").execute(&app.db).await;
    m.postgres_up.set(i64::from(probe.is_ok()));
    let idle = app.db.num_idle() as i64;
    let size = i64::from(app.db.size());
    let pool = &m.postgres_connections;
    pool.get_or_create(&PoolLabels {
        state: PoolState::Idle,
    })
    .set(idle);
    pool.get_or_create(&PoolLabels {
        state: PoolState::Busy,
    })
    .set((size - idle).max(0));

    if let Err(error) = streams(app).await {
        tracing::debug!(error = %error, "stream metrics not sampled");
    }
    if let Err(error) = backlog(app).await {
        tracing::debug!(error = %error, "job backlog not sampled");
    }
    if let Err(error) = dispatch_backlog(app).await {
        tracing::debug!(error = %error, "dispatch backlog not sampled");
    }
    if let Err(error) = projector_lag(app).await {
        tracing::debug!(error = %error, "projector lag not sampled");
    }
}

fn age_seconds(at: impl Into<SystemTime>) -> f64 {
    SystemTime::now()
        .duration_since(at.into())
        .map(|age| age.as_secs_f64())
        .unwrap_or(0.0)
}

async fn streams(app: &App) -> anyhow::Result<()> {
    let m = metrics();
    let names = [
        (StreamName::Events, app.ns.events_stream()),
        (StreamName::Jobs, app.ns.jobs_stream()),
        (StreamName::DeadLetters, app.ns.dead_letters_stream()),
    ];

    for (label, name) in names {
        let info = app.js.get_stream(&name).await?.get_info().await?;
        let labels = StreamLabels { stream: label };
        m.stream_messages
            .get_or_create(&labels)
            .set(info.state.messages as i64);
        m.stream_bytes
            .get_or_create(&labels)
            .set(info.state.bytes as i64);
        m.stream_max_bytes
            .get_or_create(&labels)
            .set(info.config.max_bytes);
    }
    Ok(())
}

/// Jobs per source from the work queue's subject counts; the stream's first message is
/// the oldest job not yet acknowledged.
async fn backlog(app: &App) -> anyhow::Result<()> {
    let m = metrics();
    let stream = app.js.get_stream(app.ns.jobs_stream()).await?;
    let filter = app.ns.job_subject(">");
    let mut subjects = stream.info_with_subjects(&filter).await?;

    let mut counts: HashMap<String, usize> = HashMap::new();
    while let Some(entry) = subjects.next().await {
        let (subject, count) = entry?;
        counts.insert(subject, count);
    }
    for source in Source::ALL {
        let count = counts
            .get(&app.ns.job_subject(source.as_str()))
            .copied()
            .unwrap_or(0);
        let labels = SourceLabels {
            source: SourceLabel(source),
        };
        m.jobs_pending.get_or_create(&labels).set(count as i64);
    }

    let state = &subjects.info.state;
    let age = if state.messages == 0 {
        0.0
    } else {
        age_seconds(state.first_timestamp)
    };
    m.oldest_job_age.set(age);
    Ok(())
}

/// Commits the dispatcher has not finished (not yet delivered, or delivered and not yet
/// acknowledged), and the age of the oldest: the first commit after the consumer's ack
/// floor. Jobs reach the work queue only through the dispatcher, which runs in the worker
/// processes, so with no worker running the backlog grows here, not in the queue.
async fn dispatch_backlog(app: &App) -> anyhow::Result<()> {
    let m = metrics();
    let stream = app.js.get_stream(app.ns.events_stream()).await?;
    let name = crate::worker::dispatcher_consumer_name(app);
    let consumer: async_nats::jetstream::consumer::PullConsumer = stream
        .get_consumer(&name)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let info = consumer.get_info().await?;

    let pending = info.num_pending + info.num_ack_pending as u64;
    m.dispatch_pending.set(pending as i64);
    let filter = app.ns.events_filter(illustrator_documents::AGGREGATE_TYPE);
    let after = info.ack_floor.stream_sequence + 1;
    let age = if pending == 0 {
        0.0
    } else {
        match stream
            .direct_get_next_for_subject(filter, Some(after))
            .await
        {
            Ok(oldest) => age_seconds(oldest.time),
            Err(_) => 0.0,
        }
    };
    m.oldest_dispatch_age.set(age);
    Ok(())
}

/// How long the oldest commit the projection has not applied has waited.
async fn projector_lag(app: &App) -> anyhow::Result<()> {
    let done = crate::projector::checkpoint(&app.db, Projection::Documents.as_str()).await?;
    let stream = app.js.get_stream(app.ns.events_stream()).await?;
    let filter = app.ns.events_filter(illustrator_documents::AGGREGATE_TYPE);

    let lag = match stream
        .direct_get_next_for_subject(filter, Some(done + 1))
        .await
    {
        Ok(next) => age_seconds(next.time),
        Err(error)
            if matches!(
                error.kind(),
                async_nats::jetstream::stream::DirectGetErrorKind::NotFound
            ) =>
        {
            0.0
        }
        Err(error) => return Err(error.into()),
    };
    let labels = ProjectionLabels {
        projection: Projection::Documents,
    };
    metrics().projector_lag.get_or_create(&labels).set(lag);
    Ok(())
}
