//! The command path: load the aggregate, let it decide, append its events, retry on conflict.

use std::collections::HashMap;
use std::time::Instant;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, AggregateContext, AggregateError, EventEnvelope, EventStore};
use illustrator_documents::{Document, DocumentCommand, DocumentError, DocumentId};
use illustrator_eventstore::JetStreamStore;

use crate::metrics::{self, CommandKind, CommandOutcome};

/// Attempts before a command that keeps losing the optimistic lock gives up.
const ATTEMPTS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Rejected(DocumentError),
    #[error("the document kept changing under the command")]
    Conflict,
    #[error("event store: {0}")]
    Store(String),
}

/// Request context that every resulting event record carries.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub actor: String,
    pub correlation_id: String,
    pub idempotency_key: Option<String>,
}

impl Metadata {
    fn to_map(&self) -> HashMap<String, String> {
        let mut map = HashMap::from([
            ("actor".to_owned(), self.actor.clone()),
            ("correlation_id".to_owned(), self.correlation_id.clone()),
        ]);
        if let Some(key) = &self.idempotency_key {
            map.insert("idempotency_key".to_owned(), key.clone());
        }
        map
    }
}

fn kind(command: &DocumentCommand) -> CommandKind {
    match command {
        DocumentCommand::Illustrate(..) => CommandKind::Illustrate,
        DocumentCommand::RecordOutcome(..) => CommandKind::RecordOutcome,
        DocumentCommand::Complete(..) => CommandKind::Complete,
        DocumentCommand::SelectCandidate(..) => CommandKind::SelectCandidate,
        DocumentCommand::Regenerate(..) => CommandKind::Regenerate,
    }
}

/// Runs one command on one document and returns the events it committed (none when the
/// command changed nothing, as a redelivered outcome does).
pub async fn execute(
    store: &JetStreamStore<Document>,
    id: DocumentId,
    command: DocumentCommand,
    metadata: &Metadata,
) -> Result<Vec<EventEnvelope<Document>>, CommandError> {
    run(store, id, command, metadata, false).await
}

/// As [`execute`], for a document whose id was just drawn at random: the first attempt
/// reads nothing, since no event can exist under a new id.
pub async fn execute_new(
    store: &JetStreamStore<Document>,
    id: DocumentId,
    command: DocumentCommand,
    metadata: &Metadata,
) -> Result<Vec<EventEnvelope<Document>>, CommandError> {
    run(store, id, command, metadata, true).await
}

/// Runs the command and counts it in the metrics by kind and outcome.
async fn run(
    store: &JetStreamStore<Document>,
    id: DocumentId,
    command: DocumentCommand,
    metadata: &Metadata,
    new: bool,
) -> Result<Vec<EventEnvelope<Document>>, CommandError> {
    let started = Instant::now();
    let kind = kind(&command);
    let result = attempt(store, id, command, metadata, new).await;

    let outcome = match &result {
        Ok(events) if events.is_empty() => CommandOutcome::Unchanged,
        Ok(_) => CommandOutcome::Committed,
        Err(CommandError::Rejected(_)) => CommandOutcome::Rejected,
        Err(CommandError::Conflict) => CommandOutcome::Conflict,
        Err(CommandError::Store(_)) => CommandOutcome::Error,
    };
    metrics::command_handled(kind, outcome, started.elapsed());
    result
}

async fn attempt(
    store: &JetStreamStore<Document>,
    id: DocumentId,
    command: DocumentCommand,
    metadata: &Metadata,
    new: bool,
) -> Result<Vec<EventEnvelope<Document>>, CommandError> {
    let aggregate_id = id.to_string();

    for attempt in 0..ATTEMPTS {
        let mut context = if new && attempt == 0 {
            store
                .fresh(&aggregate_id)
                .map_err(|e| store_error(e.into()))?
        } else {
            store
                .load_aggregate(&aggregate_id)
                .await
                .map_err(store_error)?
        };

        let sink = EventSink::default();
        context
            .aggregate()
            .handle(command.clone(), &(), &sink)
            .await
            .map_err(CommandError::Rejected)?;
        let events = sink.collect().await;
        if events.is_empty() {
            return Ok(Vec::new());
        }

        match store.commit(events, context, metadata.to_map()).await {
            Ok(committed) => return Ok(committed),
            Err(AggregateError::AggregateConflict) => continue,
            Err(error) => return Err(store_error(error)),
        }
    }
    Err(CommandError::Conflict)
}

/// Loads a document's current state, or `None` if it was never submitted.
pub async fn load(
    store: &JetStreamStore<Document>,
    id: DocumentId,
) -> Result<Option<Document>, CommandError> {
    let mut context = store
        .load_aggregate(&id.to_string())
        .await
        .map_err(store_error)?;
    let document = context.aggregate().clone();
    Ok(document.id.is_some().then_some(document))
}

fn store_error(error: AggregateError<DocumentError>) -> CommandError {
    match error {
        AggregateError::UserError(rejected) => CommandError::Rejected(rejected),
        AggregateError::AggregateConflict => CommandError::Conflict,
        other => CommandError::Store(other.to_string()),
    }
}
