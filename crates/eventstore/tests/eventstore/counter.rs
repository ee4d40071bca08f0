//! A small aggregate used by the tests: a counter that remembers who added what.

use std::collections::HashMap;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent, EventEnvelope, EventStore};
use illustrator_eventstore::{JetStreamStore, StoreError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    pub total: u64,
    pub events: u64,
    pub last_writer: Option<String>,
}

#[derive(Debug, Clone)]
pub enum CounterCommand {
    Add { writer: String, round: u64, n: u64 },
    AddMany { count: u64 },
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CounterEvent {
    Added { writer: String, round: u64, n: u64 },
}

#[derive(Debug, thiserror::Error)]
#[error("counter rejected the command")]
pub struct CounterError;

impl DomainEvent for CounterEvent {
    fn event_type(&self) -> String {
        "Added".to_owned()
    }

    fn event_version(&self) -> String {
        "2".to_owned()
    }
}

impl Aggregate for Counter {
    const TYPE: &'static str = "counter";
    type Command = CounterCommand;
    type Event = CounterEvent;
    type Error = CounterError;
    type Services = ();

    async fn handle(
        &mut self,
        command: CounterCommand,
        _services: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), CounterError> {
        match command {
            CounterCommand::Add { writer, round, n } => {
                sink.write(CounterEvent::Added { writer, round, n }, self)
                    .await;
            }
            CounterCommand::AddMany { count } => {
                for round in 0..count {
                    let event = CounterEvent::Added {
                        writer: "many".into(),
                        round,
                        n: 1,
                    };
                    sink.write(event, self).await;
                }
            }
            CounterCommand::Nothing => {}
        }
        Ok(())
    }

    fn apply(&mut self, event: CounterEvent) {
        let CounterEvent::Added { writer, n, .. } = event;
        self.total += n;
        self.events += 1;
        self.last_writer = Some(writer);
    }
}

/// Load, handle, commit: what `CqrsFramework::execute_with_metadata` does, but returning the
/// committed envelopes so tests can compare replays.
pub async fn run(
    store: &JetStreamStore<Counter>,
    id: &str,
    command: CounterCommand,
    metadata: HashMap<String, String>,
) -> Result<Vec<EventEnvelope<Counter>>, cqrs_es::AggregateError<CounterError>> {
    let mut context = store.load_aggregate(id).await?;
    let sink = EventSink::default();

    let aggregate = cqrs_es::AggregateContext::aggregate(&mut context);
    aggregate
        .handle(command, &(), &sink)
        .await
        .map_err(cqrs_es::AggregateError::UserError)?;

    store.commit(sink.collect().await, context, metadata).await
}

/// Replays every stored event onto a fresh counter.
pub async fn replay_all(store: &JetStreamStore<Counter>, id: &str) -> Result<Counter, StoreError> {
    let mut counter = Counter::default();
    for commit in store.load_commits(id).await? {
        for event in &commit.events {
            let event: CounterEvent =
                serde_json::from_value(event.payload.clone()).map_err(|source| {
                    StoreError::Decode {
                        stream_seq: commit.stream_seq,
                        source,
                    }
                })?;
            counter.apply(event);
        }
    }
    Ok(counter)
}

pub fn meta(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
