//! Scenario four: slow providers. A fake image API on 127.0.0.1 takes two seconds per
//! picture; the server's one worker process must keep a hundred such calls in flight at
//! once rather than queue them behind each other.

use std::time::{Duration, Instant};

use futures::StreamExt;
use illustrator_server::testing::Seen;

use crate::article::five_sections;
use crate::batch::{self, Completion};
use crate::client::Api;

/// How long the fake provider takes per picture.
pub const PROVIDER_DELAY: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, Debug)]
pub struct SlowLoad {
    pub documents: u64,
    pub clients: usize,
    pub timeout: Duration,
}

#[derive(Debug)]
pub struct SlowResult {
    pub pictures: usize,
    pub failed_documents: usize,
    pub calls: usize,
    /// The most provider calls the fake saw at one moment.
    pub most_in_flight: usize,
    /// From the first submission until every document was done.
    pub elapsed: Duration,
}

/// Submits articles whose every picture goes to the slow AI source and waits for them all.
pub async fn run(api: &Api, seen: &Seen, load: SlowLoad) -> anyhow::Result<SlowResult> {
    let started = Instant::now();
    let deadline = started + load.timeout;

    let submitted: Vec<(String, usize)> = futures::stream::iter(0..load.documents)
        .map(|n| {
            let api = api.clone();
            async move {
                let view = api.submit_with_source(&five_sections(n), "dalle").await?;
                anyhow::Ok((view.id, view.images.len()))
            }
        })
        .buffered(load.clients.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;

    let ids: Vec<String> = submitted.iter().map(|(id, _)| id.clone()).collect();
    let Completion {
        seen_at, failed, ..
    } = batch::wait_all_done(api, &ids, 4, deadline).await?;

    Ok(SlowResult {
        pictures: submitted.iter().map(|(_, n)| n).sum(),
        failed_documents: failed,
        calls: seen.calls(),
        most_in_flight: seen.max_in_flight(),
        elapsed: seen_at.duration_since(started),
    })
}
