//! The quota decision on the real NATS: Reserve commands on Usage aggregates paced at 1,000
//! a second (open loop: each starts on its tick whether or not the earlier ones are done),
//! spread over 200 pro accounts. Prints p50, p99 and the largest latency. Run it with
//! `cargo bench -p illustrator-server --bench quota` (needs the local services).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use illustrator_billing::{Account, CommandContext, MilliFen, Reserve, ReservedJob, UsageCommand};
use illustrator_server::testing::bench::{measure_on, percentile};
use illustrator_server::{App, Components, billing};
use tokio::sync::Mutex;

const USERS: usize = 200;
const RATE: u64 = 1_000;
const SECONDS: u64 = 5;

/// One decision: reserve one picture of the dearest price for `user`.
async fn decide(app: &App, user: usize, n: usize) -> anyhow::Result<()> {
    let at = Utc::now();
    let billing = &app.billing;
    let user = format!("bench-user-{user}");
    let reserve = Reserve {
        account: Account {
            user: user.clone(),
            plan: "pro".into(),
            month: billing.calendar.month(at),
            day: billing.calendar.day(at),
        },
        jobs: vec![ReservedJob {
            job_id: format!("bench-job-{n}"),
            amount: MilliFen(40_000),
        }],
        daily_limit: Some(500),
        monthly_budget: Some(MilliFen::from_fen(9_900)),
    };
    let ctx = CommandContext {
        actor: user.clone(),
        correlation_id: "bench".into(),
        at,
    };

    let id = billing.month_id(&user, at);
    let meta = billing::metadata(&user, "bench");
    billing::execute(
        &billing.usage,
        &id,
        UsageCommand::Reserve(ctx, reserve),
        meta,
    )
    .await?;
    Ok(())
}

async fn measure(app: &App) -> anyhow::Result<()> {
    let total = (RATE * SECONDS) as usize;
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let mut ticks = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();

    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..total {
        ticks.tick().await;
        let (app, latencies) = (app.clone(), Arc::clone(&latencies));
        tasks.spawn(async move {
            let began = Instant::now();
            let decided = decide(&app, n % USERS, n).await;
            latencies.lock().await.push(began.elapsed());
            decided
        });
    }
    let mut failed = 0;
    while let Some(done) = tasks.join_next().await {
        if !matches!(done, Ok(Ok(()))) {
            failed += 1;
        }
    }

    let elapsed = started.elapsed();
    let mut latencies = latencies.lock().await.clone();
    latencies.sort();
    println!(
        "quota decisions: {total} over {USERS} accounts in {:.1} s ({:.0}/s), {failed} failed: \
         p50 {:?}, p99 {:?}, max {:?}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    measure_on(Components::default(), async |server| {
        measure(&server.app).await
    })
}
