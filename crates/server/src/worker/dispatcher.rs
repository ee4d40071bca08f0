//! The dispatcher turns document events into work: each ImageRequested becomes a job message
//! on the work queue, and each picture outcome asks the document whether it is complete.
//!
//! It reads the durable event stream rather than being called after a commit, so an API
//! process that dies right after committing loses no job. Its effects are idempotent (a job
//! message id is its job id; completing a complete document does nothing), so a redelivered
//! commit is harmless.

use std::time::Duration;

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{AckKind, Message};
use chrono::Utc;
use futures::StreamExt;
use illustrator_documents::{
    CommandContext, Document, DocumentCommand, DocumentEvent, DocumentId, EventMeta, ImageJob,
};
use illustrator_eventstore::{CORRELATION_HEADER, Commit};
use tokio::sync::watch;
use tracing::Instrument;

use super::job::JobMessage;
use crate::app::App;
use crate::commands::{self, Metadata};

/// Name of the durable consumer all dispatcher replicas share, defined in `nats/`.
pub fn consumer_name(app: &App) -> String {
    format!("{}_dispatcher", app.ns.as_str())
}

async fn consumer(app: &App) -> anyhow::Result<PullConsumer> {
    let stream = app.js.get_stream(app.ns.events_stream()).await?;
    stream
        .get_consumer(&consumer_name(app))
        .await
        .map_err(|e| anyhow::anyhow!("{e} (run `illustrator setup-nats`)"))
}

pub async fn run_dispatcher(app: App, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let consumer = consumer(&app).await?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(256)
        .heartbeat(Duration::from_secs(5))
        .messages()
        .await?;
    tracing::info!("dispatcher started");

    loop {
        let next = tokio::select! {
            next = messages.next() => next,
            _ = shutdown.changed() => break,
        };
        match next {
            Some(Ok(message)) => dispatch(&app, message).await,
            Some(Err(error)) => {
                tracing::warn!(error = %error, "dispatcher consumer hiccup");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            None => anyhow::bail!("the dispatcher consumer ended"),
        }
    }
    super::handback::hand_back(&mut messages, "dispatcher").await;
    tracing::info!("dispatcher stopped");
    Ok(())
}

async fn dispatch(app: &App, message: Message) {
    let Ok(info) = message.info() else {
        let _ = message.ack().await;
        return;
    };
    let commit = match Commit::decode(info.stream_sequence, &message.subject, &message.payload) {
        Ok(commit) => commit,
        Err(error) => {
            tracing::error!(stream_seq = info.stream_sequence, error = %error,
                "unreadable commit skipped by the dispatcher");
            let _ = message.ack_with(AckKind::Term).await;
            return;
        }
    };

    let commit = commit.with_headers(message.headers.as_ref());
    let span = tracing::info_span!("dispatch", document_id = %commit.aggregate_id,
        stream_seq = commit.stream_seq, correlation_id = %commit.correlation_id());

    let ack = match handle_commit(app, &commit).instrument(span.clone()).await {
        Ok(()) => AckKind::Ack,
        Err(error) => {
            span.in_scope(|| tracing::warn!(error = %error, "dispatch will be retried"));
            AckKind::Nak(Some(Duration::from_secs(1)))
        }
    };
    let _ = message.ack_with(ack).await;
}

async fn handle_commit(app: &App, commit: &Commit) -> anyhow::Result<()> {
    let events = commit
        .events
        .iter()
        .map(|raw| serde_json::from_value::<DocumentEvent>(raw.payload.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let id = DocumentId::parse(&commit.aggregate_id)?;

    let jobs: Vec<(ImageJob, EventMeta)> = events
        .iter()
        .filter_map(|event| match event {
            DocumentEvent::ImageRequested { job, meta } => Some((job.clone(), meta.clone())),
            _ => None,
        })
        .collect();
    let settles = events.iter().any(|event| {
        matches!(
            event,
            DocumentEvent::ImageGenerated { .. }
                | DocumentEvent::ImageFailed { .. }
                | DocumentEvent::IllustrationPlanned { .. }
        )
    });

    if !jobs.is_empty() {
        let Some(document) = commands::load(&app.documents, id).await? else {
            anyhow::bail!("document {id} has jobs but no state");
        };
        let queued = jobs.len();
        publish_jobs(app, &document, jobs).await?;
        tracing::debug!(queued, "jobs queued");
    }
    if settles {
        complete(app, id, commit).await?;
    }
    Ok(())
}

/// Queues the jobs, each under its job id so that JetStream drops a second copy.
pub async fn publish_jobs(
    app: &App,
    document: &Document,
    jobs: Vec<(ImageJob, EventMeta)>,
) -> anyhow::Result<()> {
    let id = document.id.unwrap_or_default();
    let mut acks = Vec::with_capacity(jobs.len());

    for (job, meta) in jobs {
        let Some(slot) = document.slots.get(job.index as usize) else {
            continue;
        };
        let subject = app.ns.job_subject(job.source.as_str());
        let message = JobMessage {
            document_id: id,
            placement: slot.placement.clone(),
            article_title: document.title.clone(),
            language: document.language,
            image_format: document.options.image_format,
            correlation_id: meta.correlation_id,
            owner: document.owner.clone(),
            requested_at: Some(meta.at),
            job,
        };
        let payload = serde_json::to_vec(&message)?;
        let mut publish = PublishMessage::build()
            .payload(payload.into())
            .message_id(message.job.job_id.as_str());
        if !message.correlation_id.is_empty() {
            publish = publish.header(CORRELATION_HEADER, message.correlation_id.as_str());
        }
        acks.push(app.js.send_publish(subject, publish).await?);
    }

    for ack in acks {
        ack.await?;
    }
    Ok(())
}

async fn complete(app: &App, id: DocumentId, commit: &Commit) -> anyhow::Result<()> {
    let correlation_id = commit.correlation_id().to_owned();
    let ctx = CommandContext {
        actor: "dispatcher".into(),
        correlation_id: correlation_id.clone(),
        at: Utc::now(),
    };
    let metadata = Metadata {
        actor: ctx.actor.clone(),
        correlation_id,
        idempotency_key: None,
    };
    commands::execute(
        &app.documents,
        id,
        DocumentCommand::Complete(ctx),
        &metadata,
    )
    .await?;
    Ok(())
}
