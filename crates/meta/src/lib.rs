//! The provenance shared by every aggregate: a command's context becomes the `meta` of each
//! event it causes, so that an auditor can tell for any fact who caused it, when, and in
//! answer to which request (the correlation id that logs and NATS headers carry too).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Who caused an event, when, and on behalf of which request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventMeta {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub correlation_id: String,
}

/// Who asks, when, and for which request; it becomes every resulting event's `meta`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandContext {
    pub actor: String,
    pub correlation_id: String,
    pub at: DateTime<Utc>,
}

impl CommandContext {
    pub fn meta(&self) -> EventMeta {
        EventMeta {
            at: self.at,
            actor: self.actor.clone(),
            correlation_id: self.correlation_id.clone(),
        }
    }
}
