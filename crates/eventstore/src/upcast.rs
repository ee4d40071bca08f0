//! Upcasters: rewrite stored event JSON of an old schema version into the current one on load.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::StoreError;

/// Rewrites one event payload from one schema version to the next.
pub type UpcastFn = Arc<dyn Fn(Value) -> Value + Send + Sync>;

/// Upper bound on chained upcasts of one event, so that a registry with a cycle fails loudly.
const MAX_STEPS: usize = 64;

/// A registry of upcasters keyed by `(event_type, from_version)`.
///
/// Each entry names the version it produces, so steps chain: 1 -> 2 -> 3. Stored events are
/// never rewritten; upcasting happens on every load, before the payload is deserialized.
#[derive(Clone, Default)]
pub struct Upcasters {
    steps: HashMap<(String, String), (String, UpcastFn)>,
}

impl Upcasters {
    pub fn new() -> Upcasters {
        Upcasters::default()
    }

    /// Adds a step that turns `event_type` at `from_version` into `to_version`.
    pub fn register(
        mut self,
        event_type: &str,
        from_version: &str,
        to_version: &str,
        upcast: impl Fn(Value) -> Value + Send + Sync + 'static,
    ) -> Upcasters {
        let key = (event_type.to_owned(), from_version.to_owned());
        self.steps
            .insert(key, (to_version.to_owned(), Arc::new(upcast)));
        self
    }

    /// Applies every step that matches, returning the final version and payload.
    pub fn upcast(
        &self,
        event_type: &str,
        event_version: &str,
        payload: Value,
    ) -> Result<(String, Value), StoreError> {
        let mut version = event_version.to_owned();
        let mut payload = payload;

        for _ in 0..MAX_STEPS {
            let key = (event_type.to_owned(), version);
            let Some((next_version, step)) = self.steps.get(&key) else {
                return Ok((key.1, payload));
            };

            payload = step(payload);
            version = next_version.clone();
        }

        Err(StoreError::TopologyInvalid(format!(
            "upcasters of {event_type} form a chain longer than {MAX_STEPS} steps"
        )))
    }
}

impl fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<_> = self.steps.keys().collect();
        f.debug_struct("Upcasters").field("steps", &keys).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn steps_chain_until_no_upcaster_matches() {
        let upcasters = Upcasters::new()
            .register("Renamed", "1", "2", |mut v| {
                v["b"] = v["a"].take();
                v
            })
            .register("Renamed", "2", "3", |mut v| {
                v["c"] = json!(true);
                v
            });

        let (version, payload) = upcasters.upcast("Renamed", "1", json!({"a": 5})).unwrap();

        assert_eq!(version, "3");
        assert_eq!(payload, json!({"a": null, "b": 5, "c": true}));
    }

    #[test]
    fn unknown_events_pass_through() {
        let upcasters = Upcasters::new();

        let (version, payload) = upcasters.upcast("Other", "7", json!(1)).unwrap();

        assert_eq!((version.as_str(), payload), ("7", json!(1)));
    }

    #[test]
    fn a_cycle_is_an_error() {
        let upcasters =
            Upcasters::new()
                .register("Loop", "1", "2", |v| v)
                .register("Loop", "2", "1", |v| v);

        assert!(upcasters.upcast("Loop", "1", json!({})).is_err());
    }
}
