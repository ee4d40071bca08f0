//! A bounded in-process cache of recently committed aggregate states.
//!
//! Loading checks the aggregate's last stream sequence with the server anyway (the
//! concurrency token must be current), so a cached state at exactly that sequence is correct
//! and saves the snapshot and tail reads; a state at an older sequence is a base like a
//! snapshot. Nothing in it is authoritative: any process may drop it at any time.

use std::collections::HashMap;
use std::sync::Mutex;

use cqrs_es::Aggregate;

use crate::snapshot::Snapshot;

struct Cached {
    stream_seq: u64,
    sequence: u64,
    state: Vec<u8>,
}

pub(crate) struct StateCache {
    entries: Mutex<HashMap<String, Cached>>,
    capacity: usize,
}

impl StateCache {
    pub(crate) fn new(capacity: usize) -> StateCache {
        StateCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// Remembers the state right after the commit at `stream_seq`.
    pub(crate) fn put<A: Aggregate>(&self, id: &str, state: &A, stream_seq: u64, sequence: u64) {
        if self.capacity == 0 {
            return;
        }
        let Ok(state) = serde_json::to_vec(state) else {
            return;
        };
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };

        // Eviction is arbitrary rather than least-recently-used: a miss only costs a
        // snapshot read, and this keeps the cache a plain map.
        if entries.len() >= self.capacity && !entries.contains_key(id) {
            let victim = entries.keys().next().cloned();
            if let Some(victim) = victim {
                entries.remove(&victim);
            }
        }
        entries.insert(
            id.to_owned(),
            Cached {
                stream_seq,
                sequence,
                state,
            },
        );
    }

    /// The cached state of `id` if it is not newer than `last_stream_seq`.
    pub(crate) fn get<A: Aggregate>(&self, id: &str, last_stream_seq: u64) -> Option<Snapshot<A>> {
        let entries = self.entries.lock().ok()?;
        let cached = entries
            .get(id)
            .filter(|cached| cached.stream_seq <= last_stream_seq)?;

        let state = serde_json::from_slice(&cached.state).ok()?;
        Some(Snapshot {
            version: 0,
            stream_seq: cached.stream_seq,
            sequence: cached.sequence,
            state,
        })
    }
}
