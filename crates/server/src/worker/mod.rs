//! Generator workers: any number of processes share one durable pull consumer on the job
//! work queue. A job is acknowledged only after its outcome is recorded on the document, so
//! a worker that dies mid-job leaves it to be delivered again, and the document's record of
//! settled jobs makes that second delivery change nothing.

mod dead_letters;
mod dispatcher;
mod draw;
mod job;
mod limits;

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
use crate::commands::{self, CommandError, Metadata};

pub use dead_letters::run_dead_letters;
pub use dispatcher::{publish_jobs, run_dispatcher};
pub use job::{JobError, JobMessage};
pub use limits::ProviderLimits;

/// Deliveries before a job is recorded as failed; the consumer in `nats/` allows the same.
pub const MAX_DELIVER: i64 = 5;

/// How often a running job tells JetStream it is still alive.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// Pulls jobs until shutdown, drawing up to the configured number at once. On shutdown it
/// stops pulling and hands back nothing: jobs in flight finish, and unstarted ones stay in
/// the queue.
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
                let app = app.clone();
                tokio::spawn(async move {
                    process(&app, message).await;
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

    let _all = permits.acquire_many(concurrency as u32).await?;
    tracing::info!("worker stopped");
    Ok(())
}

/// Handles one delivery from start to acknowledgement.
async fn process(app: &App, message: Message) {
    let delivered = message.info().map(|info| info.delivered).unwrap_or(1);
    let job: JobMessage = match serde_json::from_slice(&message.payload) {
        Ok(job) => job,
        Err(error) => {
            tracing::error!(error = %error, "unreadable job message dropped");
            let _ = message.ack_with(AckKind::Term).await;
            return;
        }
    };

    let span = tracing::info_span!(
        "job",
        document_id = %job.document_id,
        job_id = %job.job.job_id,
        source = job.job.source.as_str(),
        attempt = delivered,
    );

    async {
        let progress = keep_alive(&message);
        let result = settle(app, &job, delivered).await;
        progress.abort();

        let ack = match result {
            Ok(()) => AckKind::Ack,
            Err(JobError::Permanent(error)) => {
                tracing::warn!(error = %error, "job dropped");
                AckKind::Term
            }
            Err(JobError::Transient(error)) => {
                tracing::warn!(error = %error, "job will be retried");
                AckKind::Nak(Some(Duration::from_secs(delivered.clamp(1, 30) as u64)))
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

    let generated = matches!(outcome, ImageOutcome::Generated { .. });
    record(app, job, outcome).await?;
    crate::metrics::job_finished(job.job.source, generated, started.elapsed());
    Ok(())
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
