//! The auditors' replay on the real NATS: 60,000 usage events (pictures billed to 300
//! accounts) are written through the Usage aggregates, then read back as `mi audit replay`
//! reads them: the CloudEvents NDJSON feed of GET /v1/admin/audit/events, each line parsed
//! into its event as the feed arrives, and the month's bills recomputed. Prints the events
//! per second of the whole replay and of its parts. Run it with `cargo bench -p
//! illustrator-server --bench replay` (needs the local services).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use illustrator_billing::{FeedParser, bills};
use illustrator_server::testing::LocalServer;
use illustrator_server::testing::bench::{bill_picture, measure_on};
use illustrator_server::{App, Components};

const USERS: usize = 300;
const EVENTS: usize = 60_000;
const IN_FLIGHT: usize = 64;

/// Bills one picture of `user`, as a worker does when it has drawn one.
async fn record(app: &App, user: usize, n: usize) -> anyhow::Result<()> {
    let user = format!("replay-user-{user}");
    bill_picture(app, &user, &format!("replay-job-{n}")).await?;
    Ok(())
}

/// Writes the events with many commands in flight, one account's commands in order.
async fn fill(app: &App) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();

    for user in 0..USERS {
        let (app, permits) = (app.clone(), Arc::clone(&permits));
        tasks.spawn(async move {
            for n in (user..EVENTS).step_by(USERS) {
                let _permit = permits.acquire().await?;
                record(&app, user, n).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(started.elapsed())
}

async fn replay(server: &LocalServer) -> anyhow::Result<()> {
    let since = (Utc::now() - chrono::Duration::days(1)).format("%Y-%m-%dT00:00:00Z");
    let until = (Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%dT00:00:00Z");
    let url = format!(
        "{}/v1/admin/audit/events?from={since}&to={until}",
        server.base
    );

    let started = Instant::now();
    let mut feed = reqwest::Client::new()
        .get(url)
        .bearer_auth(&server.key)
        .send()
        .await?
        .error_for_status()?;
    let mut parser = FeedParser::default();
    while let Some(chunk) = feed.chunk().await? {
        parser.push(&chunk)?;
    }
    let events = parser.finish()?;
    let read = started.elapsed();

    let months = bills(&events);
    let total = started.elapsed();
    let rows: usize = months.values().map(Vec::len).sum();
    anyhow::ensure!(events.len() == EVENTS, "{} events read back", events.len());

    let rate = |d: Duration| events.len() as f64 / d.as_secs_f64();
    println!(
        "replay of {} usage events into {rows} bill rows: {:.2} s, {:.0} events/s \
         (feed read and parsed as it arrives {:.2} s, {:.0}/s; bills {:.3} s)",
        events.len(),
        total.as_secs_f64(),
        rate(total),
        read.as_secs_f64(),
        rate(read),
        (total - read).as_secs_f64(),
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let api = Components {
        api: true,
        ..Default::default()
    };
    measure_on(api, async |server| {
        let filled = fill(&server.app).await?;
        println!(
            "wrote {EVENTS} usage events over {USERS} accounts in {:.1} s",
            filled.as_secs_f64()
        );
        replay(server).await
    })
}
