//! The command path of the billing aggregates (usage, price list, subscriptions): load,
//! decide, append with the expected sequence, and decide again on the newer state when
//! another writer got there first.

use std::collections::HashMap;
use std::time::Duration;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, AggregateContext, AggregateError, EventEnvelope, EventStore};
use illustrator_billing::UsageError;
use illustrator_eventstore::JetStreamStore;
use rand::Rng;

/// Attempts before a command that keeps losing the optimistic lock gives up. A loser only
/// loses to a commit that changed the state, so a refusal usually comes within a few.
const ATTEMPTS: usize = 48;

#[derive(Debug, thiserror::Error)]
pub enum BillingError<E: std::error::Error = UsageError> {
    #[error(transparent)]
    Refused(E),
    #[error("the usage record kept changing under the command")]
    Conflict,
    #[error("event store: {0}")]
    Store(String),
}

/// Runs one command on one aggregate (a user's month, the price list, a subscription) and
/// returns the events it committed.
pub async fn execute<A>(
    store: &JetStreamStore<A>,
    aggregate_id: &str,
    command: A::Command,
    metadata: HashMap<String, String>,
) -> Result<Vec<EventEnvelope<A>>, BillingError<A::Error>>
where
    A: Aggregate<Services = ()>,
    A::Command: Clone,
{
    for attempt in 0..ATTEMPTS {
        let mut context = store
            .load_aggregate(aggregate_id)
            .await
            .map_err(store_error)?;

        let sink = EventSink::default();
        context
            .aggregate()
            .handle(command.clone(), &(), &sink)
            .await
            .map_err(BillingError::Refused)?;
        let events = sink.collect().await;
        if events.is_empty() {
            return Ok(Vec::new());
        }

        match store.commit(events, context, metadata.clone()).await {
            Ok(committed) => return Ok(committed),
            Err(AggregateError::AggregateConflict) => back_off(attempt).await,
            Err(error) => return Err(store_error(error)),
        }
    }
    Err(BillingError::Conflict)
}

/// Loads one aggregate as it stands.
pub async fn load<A: Aggregate + Clone>(
    store: &JetStreamStore<A>,
    aggregate_id: &str,
) -> Result<A, BillingError<A::Error>> {
    let mut context = store
        .load_aggregate(aggregate_id)
        .await
        .map_err(store_error)?;
    Ok(context.aggregate().clone())
}

/// A short random pause after a lost race, growing a little with each loss, so that the
/// writers of one busy month spread out instead of colliding in lockstep.
async fn back_off(attempt: usize) {
    let ceiling = 1 + (attempt as u64).min(10) * 2;
    let millis = rand::rng().random_range(0..=ceiling);
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

fn store_error<E: std::error::Error>(error: AggregateError<E>) -> BillingError<E> {
    match error {
        AggregateError::UserError(refused) => BillingError::Refused(refused),
        AggregateError::AggregateConflict => BillingError::Conflict,
        other => BillingError::Store(other.to_string()),
    }
}
