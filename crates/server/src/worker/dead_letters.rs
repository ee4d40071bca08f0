//! Jobs that ran out of deliveries. JetStream keeps such a message in the work queue and
//! publishes an advisory, which the dead-letter stream captures; this loop records the
//! picture as failed, so that its document can complete, and then removes the message.

use std::time::Duration;

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::{AckKind, Message};
use futures::StreamExt;
use illustrator_documents::{AttemptError, ImageOutcome};
use serde::Deserialize;
use tokio::sync::watch;

use super::job::JobMessage;
use super::record;
use crate::app::App;

#[derive(Deserialize)]
struct Advisory {
    stream_seq: u64,
    deliveries: u64,
}

pub async fn run_dead_letters(app: App, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let name = format!("{}_dead_letters", app.ns.as_str());
    let consumer: PullConsumer = app
        .js
        .get_stream(app.ns.dead_letters_stream())
        .await?
        .get_consumer(&name)
        .await
        .map_err(|e| anyhow::anyhow!("{e} (run `illustrator setup-nats`)"))?;
    let mut messages = consumer
        .stream()
        .heartbeat(Duration::from_secs(5))
        .messages()
        .await?;

    loop {
        let next = tokio::select! {
            next = messages.next() => next,
            _ = shutdown.changed() => {
                super::handback::hand_back(&mut messages, "dead letters").await;
                return Ok(());
            }
        };
        match next {
            Some(Ok(message)) => settle(&app, message).await,
            Some(Err(error)) => {
                tracing::warn!(error = %error, "dead-letter consumer hiccup");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            None => anyhow::bail!("the dead-letter consumer ended"),
        }
    }
}

async fn settle(app: &App, message: Message) {
    let ack = match give_up(app, &message).await {
        Ok(()) => AckKind::Ack,
        Err(error) => {
            tracing::warn!(error = %error, "a dead letter will be retried");
            AckKind::Nak(Some(Duration::from_secs(5)))
        }
    };
    let _ = message.ack_with(ack).await;
}

async fn give_up(app: &App, message: &Message) -> anyhow::Result<()> {
    let advisory: Advisory = serde_json::from_slice(&message.payload)?;
    let jobs = app.js.get_stream(app.ns.jobs_stream()).await?;

    // Already removed: an earlier delivery of this advisory recorded it.
    let Ok(stored) = jobs.get_raw_message(advisory.stream_seq).await else {
        return Ok(());
    };
    let job: JobMessage = serde_json::from_slice(&stored.payload)?;

    let error = AttemptError {
        attempt: advisory.deliveries as u32,
        source: job.job.source,
        error: format!("gave up after {} deliveries", advisory.deliveries),
    };
    let reason = error.error.clone();
    match record(app, &job, ImageOutcome::Failed { error }).await {
        Ok(()) | Err(super::JobError::Permanent(_)) => {}
        Err(super::JobError::Transient(error)) => anyhow::bail!(error),
    }
    if let Err(super::JobError::Transient(error)) =
        super::bill(app, &job, super::Settlement::Failed(reason)).await
    {
        anyhow::bail!(error);
    }
    tracing::warn!(document_id = %job.document_id, job_id = %job.job.job_id,
        correlation_id = %job.correlation_id, deliveries = advisory.deliveries,
        "job given up");
    crate::metrics::dead_letter(job.job.source);

    jobs.delete_message(advisory.stream_seq).await?;
    Ok(())
}
