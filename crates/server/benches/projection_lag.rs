//! The usage projection's lag on the real NATS and Postgres: Record commands (one picture
//! billed each, so one UsageRecorded event) paced at 5,000 a second for 10 s over 300
//! accounts, with the usage projector running in the same process. The lag of an event is
//! the time from its command's commit returning to its row being visible in Postgres.
//!
//! Visibility is read from `usage_versions`, which the projector updates in the same
//! transaction as `usage_pictures`: a separate connection reads every month's version every
//! 5 ms, and an event is visible from the first read that shows its month at (or past) the
//! sequence its commit returned. The figures are therefore late by at most one poll period
//! plus one query. Prints the achieved write rate, p50, p90, p99 and the largest lag, whether
//! p99 stays under 500 ms, and whether every row written arrived.
//!
//! Run it with `cargo bench -p illustrator-server --bench projection_lag` (needs the local
//! services). `PROJECTION_LAG_RATE` (events a second, default 5000) and
//! `PROJECTION_LAG_SECONDS` (default 10) change the load.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use illustrator_server::testing::LocalServer;
use illustrator_server::testing::bench::{bill_picture, measure_on, percentile};
use illustrator_server::{App, Components};
use sqlx::Connection;
use tokio::sync::{Semaphore, watch};

const USERS: usize = 300;
const IN_FLIGHT: usize = 256;
const POLL: Duration = Duration::from_millis(5);
/// How long the projection may take to show the last rows once the writer is done.
const CATCH_UP: Duration = Duration::from_secs(120);
const GOAL: Duration = Duration::from_millis(500);

fn setting(name: &str, default: u64) -> anyhow::Result<u64> {
    let value = match std::env::var(name) {
        Ok(text) => text.parse().with_context(|| format!("{name}={text}"))?,
        Err(_) => default,
    };
    anyhow::ensure!(value > 0, "{name} must be above 0");
    Ok(value)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// One committed command: its month aggregate, the version its event brought the month to,
/// and when the commit returned.
struct Written {
    aggregate_id: String,
    version: u64,
    committed: Instant,
}

/// A month's version as the poller first read it.
struct Seen {
    version: u64,
    at: Instant,
}

/// Bills one picture of `user`, as a worker does when it has drawn one.
async fn record(app: &App, user: usize, job: &str) -> anyhow::Result<Written> {
    let events = bill_picture(app, &format!("lag-user-{user}"), job).await?;
    let committed = Instant::now();
    let last = events
        .last()
        .context("the Record command produced no event")?;
    Ok(Written {
        aggregate_id: last.aggregate_id.clone(),
        version: last.sequence as u64,
        committed,
    })
}

async fn count_rows(db: &mut sqlx::PgConnection) -> anyhow::Result<i64> {
    let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM usage_pictures")
        .fetch_one(db)
        .await?;
    Ok(rows)
}

/// One picture per account, unmeasured, so that every month aggregate exists and the
/// projector is running before the clock starts; waits until the rows are visible.
async fn warm_up(app: &App, db: &mut sqlx::PgConnection) -> anyhow::Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for user in 0..USERS {
        let app = app.clone();
        tasks.spawn(async move { record(&app, user, &format!("warm-{user}")).await });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }

    let deadline = Instant::now() + Duration::from_secs(30);
    while count_rows(db).await? < USERS as i64 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "warm-up rows not visible in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// What the poller saw: each month's versions in the order they appeared, and how long each
/// read took.
struct Polled {
    seen: HashMap<String, Vec<Seen>>,
    round_trips: Vec<Duration>,
    caught_up: bool,
}

/// The versions every month must reach, and until when the poller waits for them.
type Targets = Option<(HashMap<String, u64>, Instant)>;

/// Reads every month's version every `POLL` until the versions reach the targets (sent once
/// the writer is done), their deadline passes, or `limit` passes with no targets.
async fn poll(
    mut db: sqlx::PgConnection,
    mut targets: watch::Receiver<Targets>,
    limit: Instant,
) -> anyhow::Result<Polled> {
    let mut polled = Polled {
        seen: HashMap::new(),
        round_trips: Vec::new(),
        caught_up: false,
    };
    let mut latest: HashMap<String, u64> = HashMap::new();
    let mut ticks = tokio::time::interval(POLL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    let mut deadline = limit;
    while Instant::now() < deadline {
        ticks.tick().await;
        let asked = Instant::now();
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT aggregate_id, version FROM usage_versions")
                .fetch_all(&mut db)
                .await?;
        let answered = Instant::now();
        polled.round_trips.push(answered - asked);

        for (aggregate_id, version) in rows {
            let version = version as u64;
            let known = latest.entry(aggregate_id.clone()).or_insert(0);
            if version > *known {
                *known = version;
                let seen = Seen {
                    version,
                    at: answered,
                };
                polled.seen.entry(aggregate_id).or_default().push(seen);
            }
        }

        if let Some((targets, until)) = &*targets.borrow_and_update() {
            deadline = *until;
            let reached = |(id, want): (&String, &u64)| latest.get(id).is_some_and(|v| v >= want);
            if targets.iter().all(reached) {
                polled.caught_up = true;
                break;
            }
        }
    }
    db.close().await?;
    Ok(polled)
}

/// What the paced writer did.
struct Writes {
    started: Instant,
    written: Vec<Written>,
    failed: Vec<String>,
    /// How far behind its schedule the writer fell at worst (all permits taken).
    most_late: Duration,
}

/// The list the writer tasks filled.
fn take<T>(list: &Mutex<Vec<T>>) -> anyhow::Result<Vec<T>> {
    match list.lock() {
        Ok(mut list) => Ok(std::mem::take(&mut *list)),
        Err(_) => Err(anyhow::anyhow!("a writer task panicked")),
    }
}

/// Issues `total` Record commands at `rate` a second, each on its own schedule slot, with at
/// most `IN_FLIGHT` in flight.
async fn write(app: &App, rate: u64, total: usize) -> anyhow::Result<Writes> {
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let written = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let failed = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = tokio::task::JoinSet::new();
    let mut most_late = Duration::ZERO;
    let started = Instant::now();

    for n in 0..total {
        let due = started + Duration::from_secs_f64(n as f64 / rate as f64);
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        let permit = Arc::clone(&permits).acquire_owned().await?;
        most_late = most_late.max(Instant::now().saturating_duration_since(due));

        let (app, written, failed) = (app.clone(), Arc::clone(&written), Arc::clone(&failed));
        tasks.spawn(async move {
            let result = record(&app, n % USERS, &format!("lag-job-{n}")).await;
            drop(permit);
            match result {
                Ok(one) => written.lock().map(|mut w| w.push(one)).ok(),
                Err(error) => failed.lock().map(|mut f| f.push(error.to_string())).ok(),
            };
        });
        // Finished tasks are reaped as the writer goes, so the set stays small.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}

    Ok(Writes {
        started,
        written: take(&written)?,
        failed: take(&failed)?,
        most_late,
    })
}

async fn measure(server: &LocalServer) -> anyhow::Result<()> {
    let rate = setting("PROJECTION_LAG_RATE", 5_000)?;
    let seconds = setting("PROJECTION_LAG_SECONDS", 10)?;
    let total = usize::try_from(rate * seconds)?;
    let url = &server.config.database_url;

    let mut db = sqlx::PgConnection::connect(url).await?;
    warm_up(&server.app, &mut db).await?;

    let (send_targets, targets) = watch::channel(None);
    // Bounds the poller should the writer never finish.
    let limit = Instant::now() + Duration::from_secs(10 * seconds) + CATCH_UP;
    let poller = tokio::spawn(poll(
        sqlx::PgConnection::connect(url).await?,
        targets,
        limit,
    ));

    let writes = match write(&server.app, rate, total).await {
        Ok(writes) => writes,
        Err(error) => {
            poller.abort();
            return Err(error);
        }
    };
    let mut want: HashMap<String, u64> = HashMap::new();
    for one in &writes.written {
        let version = want.entry(one.aggregate_id.clone()).or_insert(0);
        *version = (*version).max(one.version);
    }
    send_targets.send_replace(Some((want, Instant::now() + CATCH_UP)));
    let polled = poller.await??;

    // The writer's rate: commands committed over the time from the first slot to the last
    // commit returning.
    let last_commit = writes.written.iter().map(|w| w.committed).max();
    let span = last_commit.map_or(Duration::ZERO, |last| last - writes.started);
    let achieved = writes.written.len() as f64 / span.as_secs_f64().max(f64::EPSILON);
    println!(
        "writer: {} of {total} Record commands committed over {USERS} accounts in {:.2} s: \
         {achieved:.0} events/s (target {rate}/s), {} failed, at worst {:.0} ms behind schedule",
        writes.written.len(),
        span.as_secs_f64(),
        writes.failed.len(),
        ms(writes.most_late),
    );
    if let Some(first) = writes.failed.first() {
        println!("first failure: {first}");
    }
    if achieved < rate as f64 * 0.97 {
        println!("the writer did NOT reach {rate} events/s on this machine");
    }

    let mut lags = Vec::with_capacity(writes.written.len());
    let mut by_second: Vec<Vec<Duration>> = vec![Vec::new(); seconds as usize + 1];
    let mut before_ack = 0;
    let mut unseen = 0;
    let mut last_visible = writes.started;
    for one in &writes.written {
        let seen = polled.seen.get(&one.aggregate_id).and_then(|seen| {
            let first = seen.partition_point(|s| s.version < one.version);
            seen.get(first)
        });
        let Some(seen) = seen else {
            unseen += 1;
            continue;
        };
        if seen.at < one.committed {
            before_ack += 1;
        }
        last_visible = last_visible.max(seen.at);
        let lag = seen.at.saturating_duration_since(one.committed);
        lags.push(lag);
        let second = (one.committed - writes.started).as_secs() as usize;
        by_second[second.min(seconds as usize)].push(lag);
    }
    lags.sort();

    let mut trips = polled.round_trips.clone();
    trips.sort();
    println!(
        "lag (commit returned -> row visible), {} events: p50 {:.1} ms, p90 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms; {before_ack} seen before their commit returned (counted 0)",
        lags.len(),
        ms(percentile(&lags, 0.50)),
        ms(percentile(&lags, 0.90)),
        ms(percentile(&lags, 0.99)),
        ms(lags.last().copied().unwrap_or_default()),
    );
    let per_second: Vec<String> = by_second
        .iter_mut()
        .filter(|lags| !lags.is_empty())
        .map(|lags| {
            lags.sort();
            format!("{:.0}", ms(percentile(lags, 0.99)))
        })
        .collect();
    println!(
        "p99 lag by second of the run (ms): {}",
        per_second.join(" ")
    );
    // What the projection kept up with: the measured events over the time from the first
    // slot until the last of them was visible.
    let projected = (last_visible - writes.started).as_secs_f64();
    println!(
        "projection: the last row visible {:.2} s after the start, {:.2} s after the last \
         commit: {:.0} events/s applied",
        projected,
        last_visible
            .saturating_duration_since(writes.started + span)
            .as_secs_f64(),
        lags.len() as f64 / projected.max(f64::EPSILON),
    );
    println!(
        "poller: {} reads of usage_versions every {} ms, round trip p50 {:.2} ms, max {:.1} ms",
        trips.len(),
        POLL.as_millis(),
        ms(percentile(&trips, 0.50)),
        ms(trips.last().copied().unwrap_or_default()),
    );

    let p99 = percentile(&lags, 0.99);
    let met = p99 < GOAL && unseen == 0 && polled.caught_up;
    println!(
        "goal p99 < {} ms: {}",
        GOAL.as_millis(),
        if met { "met" } else { "NOT met" }
    );

    let rows = count_rows(&mut db).await?;
    db.close().await?;
    let expected = (USERS + writes.written.len()) as i64;
    println!(
        "usage_pictures: {rows} rows, {expected} committed ({USERS} warm-up + {} measured): {}",
        writes.written.len(),
        if rows == expected && unseen == 0 {
            "nothing lost"
        } else {
            "ROWS MISSING"
        }
    );
    anyhow::ensure!(
        polled.caught_up && unseen == 0,
        "{unseen} events not visible {} s after the writer finished",
        CATCH_UP.as_secs()
    );
    anyhow::ensure!(
        rows == expected,
        "{rows} rows for {expected} events committed"
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let projector = Components {
        projector: true,
        ..Default::default()
    };
    measure_on(projector, async |server| measure(server).await)
}
