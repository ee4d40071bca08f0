//! Rate limits and login throttling that hold across replicas: counters live in the
//! `rate_limits` KV bucket, one key per subject and fixed window, bumped with an optimistic
//! update (create, or update at the revision read). Old windows expire with the bucket's
//! `max_age` of one day, the longest window allowed.

use std::time::{SystemTime, UNIX_EPOCH};

use async_nats::jetstream::kv::{self, CreateErrorKind, UpdateErrorKind};

use super::AccountsError;
use super::config::Limit;
use super::secrets::digest;

/// Attempts of one increment that keeps losing the race before it gives up. Each round has
/// one winner, so a burst of a few hundred requests of one user needs this many, spread out
/// by a short random pause after each loss.
const ATTEMPTS: usize = 100;

#[derive(Clone)]
pub struct Limiter {
    kv: kv::Store,
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
        Limiter { kv }
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

        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                back_off(attempt).await;
            }
            let (count, revision) = self.read(&window.key).await?;
            if count >= limit.count {
                return Err(AccountsError::Throttled {
                    retry_after: window.retry_after,
                });
            }

            let value = (count + 1).to_string().into_bytes().into();
            let stored = if revision == 0 {
                match self.kv.create(&window.key, value).await {
                    Ok(_) => true,
                    Err(error) if error.kind() == CreateErrorKind::AlreadyExists => false,
                    Err(error) => return Err(AccountsError::store("create counter", error)),
                }
            } else {
                match self.kv.update(&window.key, value, revision).await {
                    Ok(_) => true,
                    Err(error) if error.kind() == UpdateErrorKind::WrongLastRevision => false,
                    Err(error) => return Err(AccountsError::store("update counter", error)),
                }
            };
            if stored {
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
