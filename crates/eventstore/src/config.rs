//! Settings of the cqrs-es store: snapshots, upcasters and pipelining limits.

use crate::Upcasters;

/// How a [`crate::JetStreamStore`] behaves; the defaults suit production.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Write a snapshot whenever a commit crosses a multiple of this many events; 0 disables.
    pub snapshot_every: u64,
    /// Bump when the aggregate's serialized state changes shape: older snapshots are ignored.
    pub snapshot_version: u32,
    /// Applied to stored events before they are deserialized.
    pub upcasters: Upcasters,
    /// Short name of the idempotency KV bucket (the namespace is added).
    pub idempotency_bucket: String,
    /// Short name of the snapshot KV bucket (the namespace is added).
    pub snapshot_bucket: String,
    /// Aggregate states kept in memory after commits; 0 disables the cache.
    pub cache_capacity: usize,
    /// Most publishes `append_many` keeps unacknowledged; must stay below the JetStream
    /// context's in-flight limit (5,000 by default) or publishing blocks.
    pub publish_window: usize,
}

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig {
            snapshot_every: 20,
            snapshot_version: 1,
            upcasters: Upcasters::new(),
            idempotency_bucket: "idempotency".to_owned(),
            snapshot_bucket: "snapshots".to_owned(),
            cache_capacity: 10_000,
            publish_window: 1_000,
        }
    }
}
