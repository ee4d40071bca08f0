//! Scenario three: latency from an event's commit to its arrival at SSE clients, with many
//! connections open at once.
//!
//! The documents are drawn first and the connections opened after, so that every event a
//! connection counts is a live one: pictures are then drawn again, round after round, and
//! each event whose `meta.at` is later than the first round is timed on arrival. `meta.at`
//! is stamped when the command is handled, just before its events are appended, so the
//! figure includes the append itself and is an upper bound of commit-to-client latency.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::{Semaphore, watch};

use crate::batch::{self, Submitted};
use crate::client::{Api, event_time};
use crate::stats::Samples;

#[derive(Clone, Copy, Debug)]
pub struct PushLoad {
    pub documents: u64,
    pub subscribers: usize,
    pub rounds: u32,
    pub clients: usize,
    pub timeout: Duration,
}

#[derive(Debug)]
pub struct PushResult {
    pub subscribers: usize,
    pub connected: usize,
    /// Events the regenerations must produce at least: one `image.generated` per picture
    /// drawn again, for every subscriber of its document.
    pub expected_events: usize,
    pub latencies: Samples,
    /// Connections that failed or were closed by the server before the end.
    pub stream_errors: usize,
    pub regenerate_errors: usize,
    pub first_error: Option<String>,
}

/// What one connection saw.
struct Received {
    latencies: Samples,
    error: bool,
}

pub async fn run(api: &Api, load: PushLoad) -> anyhow::Result<PushResult> {
    let deadline = Instant::now() + load.timeout;

    let documents = batch::submit_all(api, load.documents, load.clients, 2_000_000).await?;
    let ids: Vec<String> = documents.iter().map(|d| d.id.clone()).collect();
    batch::wait_all_done(api, &ids, 8, deadline).await?;
    if documents.iter().any(|d| d.pictures == 0) {
        bail!("a document was planned without pictures; nothing to draw again");
    }

    let (subscribers, tally, stop) = open_subscribers(api, &ids, load.subscribers);
    wait_settled(&tally, load.subscribers, deadline).await?;
    let connected = tally.connected.load(Ordering::SeqCst);

    let mut regenerate_errors = 0;
    let mut first_error = None;
    for round in 0..load.rounds {
        let (errors, error) = regenerate_round(api, &documents, round, load.clients).await;
        regenerate_errors += errors;
        first_error = first_error.or(error);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    batch::wait_all_done(api, &ids, 8, deadline).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop.send(true);

    let mut latencies = Samples::new();
    let mut stream_errors = 0;
    for received in futures::future::join_all(subscribers).await {
        let received = received.context("a subscriber task failed")?;
        stream_errors += usize::from(received.error);
        latencies.extend(received.latencies);
    }

    let per_document = load.subscribers.div_ceil(ids.len().max(1));
    Ok(PushResult {
        subscribers: load.subscribers,
        connected,
        expected_events: load.rounds as usize * ids.len() * per_document,
        latencies,
        stream_errors,
        regenerate_errors,
        first_error,
    })
}

/// Connections opened and connections that could not be opened.
#[derive(Default)]
struct Tally {
    connected: AtomicUsize,
    refused: AtomicUsize,
}

type Subscribers = Vec<tokio::task::JoinHandle<Received>>;

/// Opens `count` connections spread evenly over the documents, at most 64 opening at once.
fn open_subscribers(
    api: &Api,
    ids: &[String],
    count: usize,
) -> (Subscribers, Arc<Tally>, watch::Sender<bool>) {
    let tally = Arc::new(Tally::default());
    let opening = Arc::new(Semaphore::new(64));
    let (stop, stopped) = watch::channel(false);
    let since = Utc::now();

    let tasks = (0..count)
        .map(|n| {
            let api = api.clone();
            let id = ids[n % ids.len()].clone();
            let tally = tally.clone();
            let opening = opening.clone();
            let stopped = stopped.clone();
            tokio::spawn(subscribe(api, id, tally, opening, stopped, since))
        })
        .collect();
    (tasks, tally, stop)
}

async fn subscribe(
    api: Api,
    id: String,
    tally: Arc<Tally>,
    opening: Arc<Semaphore>,
    mut stopped: watch::Receiver<bool>,
    opened_after: DateTime<Utc>,
) -> Received {
    let mut received = Received {
        latencies: Samples::new(),
        error: false,
    };

    let permit = opening.acquire().await;
    let events = api.events(&id).await;
    drop(permit);
    let Ok(mut events) = events else {
        tally.refused.fetch_add(1, Ordering::SeqCst);
        received.error = true;
        return received;
    };
    tally.connected.fetch_add(1, Ordering::SeqCst);

    loop {
        let next = tokio::select! {
            next = events.next() => next,
            _ = stopped.changed() => return received,
        };
        let event = match next {
            Ok(Some(event)) => event,
            Ok(None) | Err(_) => {
                received.error = true;
                return received;
            }
        };

        let now = Utc::now();
        let Some(at) = event_time(&event.data) else {
            continue;
        };
        // History: every document was done before the connections were opened.
        if at <= opened_after {
            continue;
        }
        let latency = (now - at).to_std().unwrap_or(Duration::ZERO);
        received.latencies.record(latency);
    }
}

/// Waits until every connection is open or refused.
async fn wait_settled(tally: &Tally, wanted: usize, deadline: Instant) -> anyhow::Result<()> {
    let settled = || tally.connected.load(Ordering::SeqCst) + tally.refused.load(Ordering::SeqCst);

    while settled() < wanted {
        if Instant::now() >= deadline {
            bail!(
                "only {} of {wanted} event streams settled in time",
                settled()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Draws one picture of every document again; the index moves on with each round. Returns
/// how many requests failed and the first failure.
async fn regenerate_round(
    api: &Api,
    documents: &[Submitted],
    round: u32,
    clients: usize,
) -> (usize, Option<String>) {
    let results: Vec<_> = futures::stream::iter(documents.iter())
        .map(|d| {
            let index = round % d.pictures as u32;
            api.regenerate(&d.id, index)
        })
        .buffer_unordered(clients.max(1))
        .collect()
        .await;

    let failures: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.err().map(|e| format!("{e:#}")))
        .collect();
    (failures.len(), failures.into_iter().next())
}
