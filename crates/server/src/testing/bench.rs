//! What the benchmarks of `benches/` share: a server to measure against, and percentiles.

use std::time::Duration;

use chrono::Utc;
use cqrs_es::EventEnvelope;
use illustrator_analysis::Source;
use illustrator_billing::{Account, CommandContext, MilliFen, Record, Usage, UsageCommand};

use super::LocalServer;
use crate::{App, Components, billing};

/// Runs `measure` against a server of `components` on a two-thread runtime (the machines the
/// figures are taken on have two cores), and removes the server's streams and database
/// whatever the outcome.
pub fn measure_on(
    components: Components,
    measure: impl AsyncFnOnce(&LocalServer) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    runtime.block_on(async {
        let server = LocalServer::start(components).await?;
        let result = measure(&server).await;
        server.cleanup().await;
        result
    })
}

/// The `p` quantile (0 to 1) of sorted durations, nearest rank; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// Bills one zhipu picture of `user` on the pro plan now, as a worker does when it has drawn
/// one; returns the committed event.
pub async fn bill_picture(
    app: &App,
    user: &str,
    job_id: &str,
) -> anyhow::Result<Vec<EventEnvelope<Usage>>> {
    let at = Utc::now();
    let billing = &app.billing;
    let record = Record {
        account: Account {
            user: user.to_owned(),
            plan: "pro".into(),
            month: billing.calendar.month(at),
            day: billing.calendar.day(at),
        },
        job_id: job_id.to_owned(),
        source: Source::Zhipu,
        unit: MilliFen(6_000),
    };
    let ctx = CommandContext {
        actor: "worker".into(),
        correlation_id: "bench".into(),
        at,
    };

    let id = billing.month_id(user, at);
    let meta = billing::metadata("worker", "bench");
    let command = UsageCommand::Record(ctx, record);
    Ok(billing::execute(&billing.usage, &id, command, meta).await?)
}
