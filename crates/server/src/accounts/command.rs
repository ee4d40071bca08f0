//! The command path of accounts: load, handle, append with the expected sequence, retry on
//! a lost race. It returns the account as the command left it.

use std::collections::HashMap;

use chrono::Utc;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, AggregateContext, AggregateError, EventStore};
use illustrator_accounts::{Account, AccountCommand, AccountError, AccountId, CommandContext};
use illustrator_eventstore::JetStreamStore;

use super::AccountsError;

/// Attempts before a command that keeps losing the optimistic lock gives up.
const ATTEMPTS: usize = 8;

/// Who acts and for which request; every event and its commit record carry it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: String,
    pub correlation_id: String,
}

impl Actor {
    pub fn context(&self) -> CommandContext {
        CommandContext {
            actor: self.id.clone(),
            correlation_id: self.correlation_id.clone(),
            at: Utc::now(),
        }
    }

    fn metadata(&self) -> HashMap<String, String> {
        HashMap::from([
            ("actor".to_owned(), self.id.clone()),
            ("correlation_id".to_owned(), self.correlation_id.clone()),
        ])
    }
}

pub async fn execute(
    store: &JetStreamStore<Account>,
    id: AccountId,
    actor: &Actor,
    command: impl Fn(CommandContext) -> AccountCommand,
) -> Result<Account, AccountsError> {
    let aggregate_id = id.to_string();

    for _ in 0..ATTEMPTS {
        let mut context = store
            .load_aggregate(&aggregate_id)
            .await
            .map_err(store_error)?;

        let sink = EventSink::default();
        context
            .aggregate()
            .handle(command(actor.context()), &(), &sink)
            .await
            .map_err(AccountsError::Rejected)?;
        let events = sink.collect().await;
        let after = context.aggregate().clone();
        if events.is_empty() {
            return Ok(after);
        }

        match store.commit(events, context, actor.metadata()).await {
            Ok(_) => return Ok(after),
            Err(AggregateError::AggregateConflict) => continue,
            Err(error) => return Err(store_error(error)),
        }
    }
    Err(AccountsError::Conflict)
}

/// The account's current state, or `None` when it was never registered.
pub async fn load(
    store: &JetStreamStore<Account>,
    id: AccountId,
) -> Result<Option<Account>, AccountsError> {
    let context = store.load(&id.to_string()).await;
    let mut context = context.map_err(|e| AccountsError::store("load account", e))?;
    let account = context.aggregate().clone();
    Ok(account.id.is_some().then_some(account))
}

fn store_error(error: AggregateError<AccountError>) -> AccountsError {
    match error {
        AggregateError::UserError(rejected) => AccountsError::Rejected(rejected),
        AggregateError::AggregateConflict => AccountsError::Conflict,
        other => AccountsError::store("account event store", other),
    }
}
