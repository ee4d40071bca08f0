//! Generator workers: any number of processes share one durable pull consumer on the job
//! work queue. A job is acknowledged only after its outcome is recorded on the document, so
//! a worker that dies mid-job leaves it to be delivered again, and the document's record of
//! settled jobs makes that second delivery change nothing.

mod dead_letters;
mod dispatcher;
mod draw;
mod handback;
mod job;
mod limits;
mod settled;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{AckKind, Message, consumer::PullConsumer};
use chrono::Utc;
use futures::StreamExt;
use illustrator_documents::{
    AttemptError, CommandContext, DocumentCommand, DocumentError, GeneratedImage, ImageOutcome,
};

use draw::{Drawn, NotDrawn};
use tokio::sync::{Semaphore, watch};
use tracing::Instrument;

use crate::app::App;
use crate::billing::{self, settle::JobOwner, settle::Settlement};
use crate::commands::{self, CommandError, Metadata};
use crate::metrics::{self, AttemptOutcome};
use settled::Settled;

pub use dead_letters::run_dead_letters;
pub use dispatcher::{consumer_name as dispatcher_consumer_name, publish_jobs, run_dispatcher};
pub use job::{JobError, JobMessage};
pub use limits::ProviderLimits;

/// Deliveries before a job is recorded as failed; the consumer in `nats/` allows the same.
///
/// Known shortcoming: the five deliveries, retried after 1 to 4 s, can all fall within a
/// NATS cluster's leader election on a loaded machine. If recording the failure on the last
/// one fails too, only the max-deliveries advisory is left to give the job up, and an
/// advisory published while the dead-letter stream has no leader is lost, so the document
/// never completes. The failover test saw this for 1 or 2 of about 950 documents under heavy
/// extra load on 2 cores, never on a quiet machine.
pub const MAX_DELIVER: i64 = 5;

/// How often a running job tells JetStream it is still alive.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// How long jobs in flight at shutdown may take to finish before they are handed back.
pub const FINISH_GRACE: Duration = Duration::from_secs(10);

/// Pulls jobs until shutdown, drawing up to the configured number at once. On shutdown it
/// stops pulling, naks the jobs it holds but has not started (so another worker gets them
/// at once), lets the jobs in flight finish for up to [`FINISH_GRACE`], and naks the rest.
pub async fn run_workers(app: App, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let consumer: PullConsumer = app
        .js
        .get_stream(app.ns.jobs_stream())
        .await?
        .get_consumer(&app.ns.jobs_consumer())
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    let concurrency = app.config.worker_concurrency.max(1);
    let permits = Arc::new(Semaphore::new(concurrency));

    let mut messages = consumer
        .stream()
        .max_messages_per_batch(concurrency)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await?;
    tracing::info!(concurrency, "worker started");

    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit?,
            _ = shutdown.changed() => break,
        };
        let next = tokio::select! {
            next = messages.next() => next,
            _ = shutdown.changed() => break,
        };

        match next {
            Some(Ok(message)) => {
                let (app, shutdown) = (app.clone(), shutdown.clone());
                tokio::spawn(async move {
                    process(&app, message, shutdown).await;
                    drop(permit);
                });
            }
            Some(Err(error)) => {
                tracing::warn!(error = %error, "job consumer hiccup");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            None => anyhow::bail!("the job consumer ended"),
        }
    }

    handback::hand_back(&mut messages, "jobs").await;
    drop(messages);
    let _all = permits.acquire_many(concurrency as u32).await?;
    tracing::info!("worker stopped");
    Ok(())
}

/// The correlation id from the job's header, or from its body when a job was queued
/// before headers carried it.
fn correlation_id(message: &Message, job: &JobMessage) -> String {
    let header = message
        .headers
        .as_ref()
        .and_then(|h| h.get(illustrator_eventstore::CORRELATION_HEADER))
        .map(|value| value.as_str().to_owned());
    header.unwrap_or_else(|| job.correlation_id.clone())
}

/// Handles one delivery from start to acknowledgement, in one span per job.
async fn process(app: &App, message: Message, mut shutdown: watch::Receiver<bool>) {
    let delivered = message.info().map(|info| info.delivered).unwrap_or(1);
    let mut job: JobMessage = match serde_json::from_slice(&message.payload) {
        Ok(job) => job,
        Err(error) => {
            tracing::error!(error = %error, "unreadable job message dropped");
            let _ = message.ack_with(AckKind::Term).await;
            return;
        }
    };
    job.correlation_id = correlation_id(&message, &job);

    let span = tracing::info_span!(
        "job",
        document_id = %job.document_id,
        job_id = %job.job.job_id,
        source = job.job.source.as_str(),
        attempt = delivered,
        correlation_id = %job.correlation_id,
    );

    async {
        let progress = keep_alive(&message);
        let grace_over = async {
            let _ = shutdown.wait_for(|stop| *stop).await;
            tokio::time::sleep(FINISH_GRACE).await;
        };
        let result = tokio::select! {
            result = settle(app, &job, delivered) => Some(result),
            _ = grace_over => None,
        };
        progress.abort();

        let source = job.job.source;
        let ack = match result {
            Some(Ok(())) => {
                tracing::debug!("job recorded");
                AckKind::Ack
            }
            Some(Err(JobError::Permanent(error))) => {
                tracing::warn!(error = %error, "job dropped");
                metrics::job_attempt(source, AttemptOutcome::Dropped, None);
                AckKind::Term
            }
            Some(Err(JobError::Transient(error))) => {
                tracing::warn!(error = %error, "job will be retried");
                metrics::job_attempt(source, AttemptOutcome::Retried, None);
                AckKind::Nak(Some(Duration::from_secs(delivered.clamp(1, 30) as u64)))
            }
            None => {
                tracing::info!("job handed back at shutdown");
                metrics::job_attempt(source, AttemptOutcome::HandedBack, None);
                AckKind::Nak(Some(handback::AT_ONCE))
            }
        };
        if let Err(error) = message.ack_with(ack).await {
            tracing::warn!(error = %error, "acknowledging a job failed");
        }
    }
    .instrument(span)
    .await
}

fn keep_alive(message: &Message) -> tokio::task::JoinHandle<()> {
    let message = message.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PROGRESS_EVERY);
        tick.tick().await;
        loop {
            tick.tick().await;
            if message.ack_with(AckKind::Progress).await.is_err() {
                return;
            }
        }
    })
}

/// Draws, stores and records one candidate, or records why it could not be drawn.
async fn settle(app: &App, job: &JobMessage, delivered: i64) -> Result<(), JobError> {
    let attempt = delivered as u32;
    let last = delivered >= MAX_DELIVER;
    let started = std::time::Instant::now();

    let outcome = match draw::draw(app, job, attempt, last).await {
        Ok(drawn) => match app.images.put(&drawn.bytes, &drawn.content_type).await {
            Ok(object) => generated(job, drawn, object),
            Err(error) => {
                let error = AttemptError {
                    attempt,
                    source: drawn.source,
                    error: error.to_string(),
                };
                if !last {
                    return retry_later(app, job, vec![error]).await;
                }
                ImageOutcome::Failed { error }
            }
        },
        Err(NotDrawn::Later(errors)) => return retry_later(app, job, errors).await,
        Err(NotDrawn::Failed(mut errors)) => {
            let last_error = errors.pop().unwrap_or(AttemptError {
                attempt,
                source: job.job.source,
                error: "no source could draw this picture".into(),
            });
            for error in errors {
                record(app, job, ImageOutcome::AttemptFailed { error }).await?;
            }
            ImageOutcome::Failed { error: last_error }
        }
    };

    let settled = Settled::of(&outcome, job.job.source);
    let billed = match &outcome {
        ImageOutcome::Generated { image, .. } => Some(Settlement::Drawn(image.source)),
        ImageOutcome::Failed { error } => Some(Settlement::Failed(error.error.clone())),
        ImageOutcome::AttemptFailed { .. } => None,
    };
    record(app, job, outcome).await?;
    if let Some(billed) = billed {
        bill(app, job, billed).await?;
    }
    settled.count(started.elapsed());
    Ok(())
}

/// Bills a drawn picture or gives a failed one's place back. It runs after the outcome is
/// recorded and before the job is acknowledged, so a worker that dies in between leaves a
/// redelivery that records nothing new on the document and bills the job once.
async fn bill(app: &App, job: &JobMessage, settlement: Settlement) -> Result<(), JobError> {
    let Some(requested_at) = job.requested_at.filter(|_| !job.owner.is_empty()) else {
        return Ok(());
    };
    let document = job.document_id.to_string();
    let owner = JobOwner {
        user: &job.owner,
        requested_at,
        document: &document,
        job_id: job.job.job_id.as_str(),
        correlation_id: &job.correlation_id,
    };

    billing::settle::settle(app, owner, settlement)
        .await
        .map_err(|error| JobError::Transient(error.to_string()))
}

fn generated(job: &JobMessage, drawn: Drawn, object: String) -> ImageOutcome {
    ImageOutcome::Generated {
        image: GeneratedImage {
            image_id: job.job.job_id.to_string(),
            source: drawn.source,
            object,
            content_type: drawn.content_type,
            bytes: drawn.bytes.len() as u64,
            width: drawn.width,
            height: drawn.height,
            price_milli_fen: drawn.price_milli_fen,
            model: drawn.model,
            request_id: drawn.request_id,
            prompt: drawn.prompt,
            mermaid: drawn.mermaid,
            credit: drawn.credit,
        },
        errors: drawn.errors,
    }
}

/// Records this delivery's failures in the picture's history and hands the job back, so
/// that a later delivery tries again.
async fn retry_later(
    app: &App,
    job: &JobMessage,
    errors: Vec<AttemptError>,
) -> Result<(), JobError> {
    let reason = errors
        .last()
        .map(|e| e.error.clone())
        .unwrap_or_else(|| "a source is unavailable for now".into());
    for error in errors {
        record(app, job, ImageOutcome::AttemptFailed { error }).await?;
    }
    Err(JobError::Transient(reason))
}

async fn record(app: &App, job: &JobMessage, outcome: ImageOutcome) -> Result<(), JobError> {
    let ctx = CommandContext {
        actor: "worker".into(),
        correlation_id: job.correlation_id.clone(),
        at: Utc::now(),
    };
    let command = DocumentCommand::RecordOutcome(ctx.clone(), job.job.job_id.clone(), outcome);
    let metadata = Metadata {
        actor: ctx.actor,
        correlation_id: ctx.correlation_id,
        idempotency_key: None,
    };

    match commands::execute(&app.documents, job.document_id, command, &metadata).await {
        Ok(_) => Ok(()),
        Err(CommandError::Rejected(DocumentError::UnknownJob { job })) => Err(JobError::Permanent(
            format!("the document does not wait for job {job}"),
        )),
        Err(CommandError::Rejected(DocumentError::NotFound)) => {
            Err(JobError::Permanent("the document does not exist".into()))
        }
        Err(error) => Err(JobError::Transient(error.to_string())),
    }
}
