//! Submitting many documents at once and waiting until every one of them is done, both
//! bounded in time.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::article::five_sections;
use crate::client::Api;

/// One accepted document and the number of pictures it asked for.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub id: String,
    pub pictures: usize,
}

/// Submits `count` articles through `clients` concurrent requests; stops at the first error.
pub async fn submit_all(
    api: &Api,
    count: u64,
    clients: usize,
    offset: u64,
) -> anyhow::Result<Vec<Submitted>> {
    let submissions = futures::stream::iter(0..count)
        .map(|n| {
            let api = api.clone();
            async move {
                let view = api.submit(&five_sections(offset + n)).await?;
                anyhow::Ok(Submitted {
                    id: view.id,
                    pictures: view.images.len(),
                })
            }
        })
        .buffered(clients.max(1));

    submissions.collect::<Vec<_>>().await.into_iter().collect()
}

/// How the wait for completion ended.
#[derive(Debug)]
pub struct Completion {
    /// When the last document was seen done.
    pub seen_at: Instant,
    /// The latest `updated_at` of the read model: the time of the last event it applied.
    pub last_event_at: Option<DateTime<Utc>>,
    pub failed: usize,
}

/// Reads every document from the read model, again and again, until all are done or the
/// deadline passes; each sweep reads only the documents still pending.
pub async fn wait_all_done(
    api: &Api,
    ids: &[String],
    readers: usize,
    deadline: Instant,
) -> anyhow::Result<Completion> {
    let mut pending: Vec<String> = ids.to_vec();
    let mut last_event_at: Option<DateTime<Utc>> = None;
    let mut failed = 0;
    let mut seen_at = Instant::now();

    while !pending.is_empty() {
        if Instant::now() >= deadline {
            bail!(
                "{} of {} documents were not done in time",
                pending.len(),
                ids.len()
            );
        }
        let views: Vec<_> = futures::stream::iter(pending.iter())
            .map(|id| api.document(id))
            .buffered(readers.max(1))
            .collect()
            .await;

        let mut still = Vec::new();
        for (id, view) in pending.iter().zip(views) {
            let view = view.with_context(|| format!("reading document {id}"))?;
            if !view.is_done() {
                still.push(id.clone());
                continue;
            }
            seen_at = Instant::now();
            failed += usize::from(view.status == "failed");
            last_event_at = last_event_at.max(view.updated_at);
        }
        pending = still;

        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    Ok(Completion {
        seen_at,
        last_event_at,
        failed,
    })
}

/// Follows one document's events until `completed` arrives or the deadline passes.
pub async fn wait_completed_event(api: &Api, id: &str, deadline: Instant) -> anyhow::Result<()> {
    let follow = async {
        let mut events = api.events(id).await?;
        while let Some(event) = events.next().await? {
            if event.event.as_deref() == Some("completed") {
                return Ok(());
            }
        }
        bail!("the event stream of {id} closed before it completed")
    };

    let left = deadline.saturating_duration_since(Instant::now());
    tokio::time::timeout(left, follow)
        .await
        .with_context(|| format!("document {id} did not complete in time"))?
}
