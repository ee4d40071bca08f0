//! Scenario two: pictures a second through the workers and projectors, from the first
//! submission until the read model shows every document done.

use std::time::{Duration, Instant};

use chrono::Utc;

use crate::batch::{self, Completion};
use crate::client::Api;

#[derive(Clone, Copy, Debug)]
pub struct PicturesLoad {
    pub documents: u64,
    pub clients: usize,
    pub timeout: Duration,
}

#[derive(Debug)]
pub struct PicturesResult {
    pub documents: usize,
    pub pictures: usize,
    pub failed_documents: usize,
    /// From the first submission until the last one was accepted.
    pub submitting: Duration,
    /// From the first submission until the read model showed the last document done.
    pub elapsed: Duration,
    /// From the first submission until the last event the read model applied was committed.
    pub until_last_event: Option<Duration>,
}

impl PicturesResult {
    pub fn per_second(&self) -> f64 {
        self.pictures as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Submits the documents, follows the last one's events to `completed`, then reads the
/// read model until all are done, so that polling does not compete with the pipeline.
pub async fn run(api: &Api, load: PicturesLoad) -> anyhow::Result<PicturesResult> {
    let started = Instant::now();
    let started_utc = Utc::now();
    let deadline = started + load.timeout;

    let submitted = batch::submit_all(api, load.documents, load.clients, 1_000_000).await?;
    let submitting = started.elapsed();
    let pictures = submitted.iter().map(|s| s.pictures).sum();
    let ids: Vec<String> = submitted.into_iter().map(|s| s.id).collect();

    if let Some(last) = ids.last() {
        batch::wait_completed_event(api, last, deadline).await?;
    }
    let Completion {
        seen_at,
        last_event_at,
        failed,
    } = batch::wait_all_done(api, &ids, 8, deadline).await?;

    let until_last_event = last_event_at.and_then(|at| (at - started_utc).to_std().ok());
    Ok(PicturesResult {
        documents: ids.len(),
        pictures,
        failed_documents: failed,
        submitting,
        elapsed: seen_at.duration_since(started),
        until_last_event,
    })
}
