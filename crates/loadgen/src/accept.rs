//! Scenario one: how many documents a second the API accepts, and how long each POST takes,
//! with a fixed number of clients submitting back to back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::article::five_sections;
use crate::client::Api;
use crate::stats::Samples;

/// Bounds of the run: whichever of `requests` and `duration` comes first ends it.
#[derive(Clone, Copy, Debug)]
pub struct AcceptLoad {
    pub clients: usize,
    pub requests: u64,
    pub duration: Duration,
}

#[derive(Debug)]
pub struct AcceptResult {
    pub accepted: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// Latency of the accepted requests only.
    pub latencies: Samples,
}

impl AcceptResult {
    pub fn per_second(&self) -> f64 {
        self.accepted as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

struct ClientTally {
    accepted: u64,
    errors: u64,
    first_error: Option<String>,
    latencies: Samples,
}

/// Runs the clients until the request budget or the time is spent.
pub async fn run(api: &Api, load: AcceptLoad) -> AcceptResult {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + load.duration;

    let clients: Vec<_> = (0..load.clients)
        .map(|_| tokio::spawn(client(api.clone(), next.clone(), load.requests, deadline)))
        .collect();
    let tallies = futures::future::join_all(clients).await;
    let elapsed = started.elapsed();

    let mut result = AcceptResult {
        accepted: 0,
        errors: 0,
        first_error: None,
        elapsed,
        latencies: Samples::new(),
    };
    for tally in tallies {
        let tally = match tally {
            Ok(tally) => tally,
            Err(join) => {
                result.errors += 1;
                result.first_error.get_or_insert_with(|| join.to_string());
                continue;
            }
        };
        result.accepted += tally.accepted;
        result.errors += tally.errors;
        if result.first_error.is_none() {
            result.first_error = tally.first_error;
        }
        result.latencies.extend(tally.latencies);
    }
    result
}

async fn client(api: Api, next: Arc<AtomicU64>, requests: u64, deadline: Instant) -> ClientTally {
    let mut tally = ClientTally {
        accepted: 0,
        errors: 0,
        first_error: None,
        latencies: Samples::new(),
    };

    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        if n >= requests || Instant::now() >= deadline {
            return tally;
        }
        let markdown = five_sections(n);

        let sent = Instant::now();
        let outcome = api.submit(&markdown).await;
        let took = sent.elapsed();

        match outcome {
            Ok(_) => {
                tally.accepted += 1;
                tally.latencies.record(took);
            }
            Err(error) => {
                tally.errors += 1;
                tally
                    .first_error
                    .get_or_insert_with(|| format!("{error:#}"));
            }
        }
    }
}
