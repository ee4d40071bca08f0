//! Rate limits and login throttling that hold across replicas: counters live in the
//! `rate_limits` KV bucket, one key per subject and fixed window, bumped with an optimistic
//! update (create, or update at the revision read). Old windows expire with the bucket's
//! `max_age` of one day, the longest window allowed.
//!
//! Within one process the hits on one counter take turns, and each remembers the revision it
//! wrote: many concurrent requests of one user would otherwise all read the same revision,
//! and all but one of them lose every compare-and-set round. Across replicas the
//! compare-and-set still decides, so the count stays exact.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use async_nats::jetstream::kv::{self, CreateErrorKind, UpdateErrorKind};

use super::AccountsError;
use super::config::Limit;
use super::secrets::digest;

/// Attempts of one increment that keeps losing the race to other replicas before it gives
/// up; a short random pause after each loss spreads the replicas out.
const ATTEMPTS: usize = 32;

/// Counters remembered by one process before the idle ones are forgotten.
const REMEMBERED: usize = 10_000;

#[derive(Clone)]
pub struct Limiter {
    kv: kv::Store,
    counters: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<Known>>>>>,
}

/// What this process last wrote to a counter; `None` until it has written or after
/// another replica wrote in between.
#[derive(Default)]
struct Known {
    written: Option<(u64, u64)>,
}

struct Window {
    key: String,
    retry_after: u64,
}

fn window(kind: &str, subject: &str, limit: Limit) -> Window {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let length = limit.window.as_secs().max(1);
    let index = now / length;

    Window {
        key: format!("{kind}.{}.{index}", &digest(subject)[..32]),
        retry_after: ((index + 1) * length).saturating_sub(now).max(1),
    }
}

impl Limiter {
    pub fn new(kv: kv::Store) -> Limiter {
        Limiter {
            kv,
            counters: Arc::default(),
        }
    }

    /// The turn-taking slot of one counter in this process.
    fn slot(&self, key: &str) -> Arc<tokio::sync::Mutex<Known>> {
        let mut counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if counters.len() >= REMEMBERED {
            counters.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        counters.entry(key.to_owned()).or_default().clone()
    }

    /// The count of the current window.
    async fn read(&self, key: &str) -> Result<(u64, u64), AccountsError> {
        let entry = self
            .kv
            .entry(key.to_owned())
            .await
            .map_err(|error| AccountsError::store("read counter", error))?;

        Ok(match entry {
            Some(entry) => {
                let count = String::from_utf8_lossy(&entry.value).parse().unwrap_or(0);
                (count, entry.revision)
            }
            None => (0, 0),
        })
    }

    /// Refuses when the window is already full, without counting.
    pub async fn check(
        &self,
        kind: &str,
        subject: &str,
        limit: Limit,
    ) -> Result<(), AccountsError> {
        let window = window(kind, subject, limit);
        let (count, _) = self.read(&window.key).await?;

        if count >= limit.count {
            return Err(AccountsError::Throttled {
                retry_after: window.retry_after,
            });
        }
        Ok(())
    }

    /// Counts one event, or refuses it when the window is full.
    pub async fn hit(&self, kind: &str, subject: &str, limit: Limit) -> Result<(), AccountsError> {
        let window = window(kind, subject, limit);
        let slot = self.slot(&window.key);
        let mut known = slot.lock().await;

        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                back_off(attempt).await;
            }
            let (count, revision) = match known.written.take() {
                Some(written) => written,
                None => self.read(&window.key).await?,
            };
            if count >= limit.count {
                return Err(AccountsError::Throttled {
                    retry_after: window.retry_after,
                });
            }

            let value = (count + 1).to_string().into_bytes().into();
            let stored = if revision == 0 {
                match self.kv.create(&window.key, value).await {
                    Ok(revision) => Some(revision),
                    Err(error) if error.kind() == CreateErrorKind::AlreadyExists => None,
                    Err(error) => return Err(AccountsError::store("create counter", error)),
                }
            } else {
                match self.kv.update(&window.key, value, revision).await {
                    Ok(revision) => Some(revision),
                    Err(error) if error.kind() == UpdateErrorKind::WrongLastRevision => None,
                    Err(error) => return Err(AccountsError::store("update counter", error)),
                }
            };
            if let Some(revision) = stored {
                known.written = Some((count + 1, revision));
                return Ok(());
            }
        }
        Err(AccountsError::Conflict)
    }
}

/// A random pause that grows a little with each lost race, so that the writers of one
/// counter stop colliding in lockstep.
async fn back_off(attempt: usize) {
    let ceiling = 1 + attempt.min(12) as u64 * 2;
    let millis = rand::random_range(0..=ceiling);
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}
