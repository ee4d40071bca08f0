//! Concurrency and rate limits per picture provider, shared by every worker replica.
//!
//! Each provider has one key in the `provider_limits` bucket holding the leases of the calls
//! in flight and the count of calls started in the current minute. A worker takes a lease
//! by compare-and-set on the key's revision, so two replicas can never both take the last
//! slot; it gives the lease back the same way when the call ends. A worker that dies
//! holding a lease cannot give it back, so every lease carries an end time after which the
//! others ignore it.

use std::time::Duration;

use async_nats::jetstream::kv::Store;
use chrono::{DateTime, Utc};
use illustrator_analysis::Source;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// How long a lease outlives its call at most: longer than any provider call with its
/// retries and download (about four minutes), so only a dead worker's lease expires.
const LEASE: Duration = Duration::from_secs(300);

/// The longest a call waits for a slot before its job is handed back to the queue.
const MAX_WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error("the provider limits bucket is unavailable: {0}")]
    Bucket(String),
    #[error("no {provider} slot came free within {seconds} s")]
    Busy {
        provider: &'static str,
        seconds: u64,
    },
}

/// What one provider's key holds.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Usage {
    /// Start of the minute `started` counts, in whole minutes since the epoch.
    minute: i64,
    started: u32,
    leases: Vec<Lease>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Lease {
    id: String,
    until: DateTime<Utc>,
}

/// The shared limits. Cheap to clone.
#[derive(Clone)]
pub struct ProviderLimits {
    kv: Store,
    concurrency: u32,
    per_minute: u32,
}

/// A slot taken for one call; give it back with [`ProviderLimits::release`].
pub struct Slot {
    provider: &'static str,
    id: String,
}

/// Why a provider's key did not give a slot on this try.
enum Refusal {
    /// Someone changed the key in between: try again at once.
    Raced,
    /// Every slot is taken, or the minute's calls are used up: wait this long.
    Full(Duration),
}

impl ProviderLimits {
    pub fn new(kv: Store, concurrency: u32, per_minute: u32) -> ProviderLimits {
        ProviderLimits {
            kv,
            concurrency: concurrency.max(1),
            per_minute: per_minute.max(1),
        }
    }

    /// Waits for a slot of `source`'s provider, within its calls in flight and its calls
    /// per minute across every replica.
    pub async fn acquire(&self, source: Source) -> Result<Slot, LimitError> {
        self.acquire_within(source, MAX_WAIT).await
    }

    /// As [`Self::acquire`], giving up once waiting would go past `max_wait`.
    pub async fn acquire_within(
        &self,
        source: Source,
        max_wait: Duration,
    ) -> Result<Slot, LimitError> {
        let provider = source.as_str();
        let id = uuid::Uuid::new_v4().simple().to_string();
        let deadline = tokio::time::Instant::now() + max_wait;

        loop {
            match self.try_acquire(provider, &id).await? {
                Ok(()) => return Ok(Slot { provider, id }),
                Err(refusal) => {
                    // After a race, back off a little so that contenders spread out.
                    let wait = match refusal {
                        Refusal::Raced => jitter() / 5,
                        Refusal::Full(wait) => wait,
                    };
                    if tokio::time::Instant::now() + wait > deadline {
                        let seconds = max_wait.as_secs();
                        return Err(LimitError::Busy { provider, seconds });
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Gives a slot back. A failure only leaves the lease to expire on its own.
    pub async fn release(&self, slot: Slot) {
        for _ in 0..16 {
            let Ok((mut usage, revision)) = self.read(slot.provider).await else {
                break;
            };
            usage.leases.retain(|lease| lease.id != slot.id);
            let Ok(value) = serde_json::to_vec(&usage) else {
                break;
            };
            if self.write(slot.provider, value, revision).await.is_ok() {
                return;
            }
        }
        tracing::warn!(
            provider = slot.provider,
            "a provider slot is left to expire"
        );
    }

    async fn try_acquire(
        &self,
        provider: &'static str,
        id: &str,
    ) -> Result<Result<(), Refusal>, LimitError> {
        let (mut usage, revision) = self.read(provider).await?;
        let now = Utc::now();

        usage.leases.retain(|lease| lease.until > now);
        let minute = now.timestamp().div_euclid(60);
        if usage.minute != minute {
            usage.minute = minute;
            usage.started = 0;
        }

        if usage.started >= self.per_minute {
            let into_minute = now.timestamp().rem_euclid(60) as u64;
            return Ok(Err(Refusal::Full(
                Duration::from_secs(60 - into_minute) + jitter(),
            )));
        }
        if usage.leases.len() as u32 >= self.concurrency {
            return Ok(Err(Refusal::Full(Duration::from_millis(100) + jitter())));
        }

        usage.started += 1;
        usage.leases.push(Lease {
            id: id.to_owned(),
            until: now + LEASE,
        });
        let value = serde_json::to_vec(&usage).map_err(|e| LimitError::Bucket(e.to_string()))?;
        match self.write(provider, value, revision).await {
            Ok(()) => Ok(Ok(())),
            Err(_) => Ok(Err(Refusal::Raced)),
        }
    }

    /// The provider's usage and the revision to compare against (0: no key yet).
    async fn read(&self, provider: &str) -> Result<(Usage, u64), LimitError> {
        let entry = self
            .kv
            .entry(provider)
            .await
            .map_err(|e| LimitError::Bucket(e.to_string()))?;

        match entry {
            Some(entry) if !entry.value.is_empty() => {
                let usage = serde_json::from_slice(&entry.value).unwrap_or_default();
                Ok((usage, entry.revision))
            }
            Some(entry) => Ok((Usage::default(), entry.revision)),
            None => Ok((Usage::default(), 0)),
        }
    }

    async fn write(&self, provider: &str, value: Vec<u8>, revision: u64) -> Result<(), ()> {
        if revision == 0 {
            self.kv
                .create(provider, value.into())
                .await
                .map(|_| ())
                .map_err(|_| ())
        } else {
            let updated = self.kv.update(provider, value.into(), revision).await;
            updated.map(|_| ()).map_err(|_| ())
        }
    }
}

/// Up to 50 ms, so that waiting workers do not all try again at the same instant.
fn jitter() -> Duration {
    Duration::from_millis(rand::rng().random_range(0..50))
}
