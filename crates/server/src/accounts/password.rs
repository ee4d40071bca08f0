//! Password hashing with argon2id, on the blocking pool so that a hash (tens of
//! milliseconds) never stalls the async workers.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::AccountsError;

/// Shortest and longest password accepted; the upper bound keeps hashing cheap to ask for.
pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

/// The argon2id cost: memory in KiB and passes, one lane.
#[derive(Clone, Copy, Debug)]
pub struct Cost {
    pub memory_kib: u32,
    pub iterations: u32,
}

fn hasher(cost: Cost) -> Result<Argon2<'static>, AccountsError> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| AccountsError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A rule on the password itself, checked before any hashing.
pub fn check(password: &str) -> Result<(), AccountsError> {
    let length = password.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&length) {
        return Err(AccountsError::Invalid(format!(
            "a password must be {MIN_LEN} to {MAX_LEN} characters"
        )));
    }
    Ok(())
}

/// The PHC string of a new hash with a fresh salt.
pub async fn hash(password: String, cost: Cost) -> Result<String, AccountsError> {
    let task = tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(cost)?
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AccountsError::Internal(format!("hashing: {e}")))
    });
    task.await
        .map_err(|e| AccountsError::Internal(format!("hashing task: {e}")))?
}

/// Whether `password` matches `hash` (its parameters come from the hash itself). With no
/// hash, a dummy one is checked so an unknown account costs the same time as a known one.
pub async fn verify(password: String, hash: Option<String>, cost: Cost) -> bool {
    let task = tokio::task::spawn_blocking(move || {
        let Ok(argon) = hasher(cost) else {
            return false;
        };
        match hash {
            Some(hash) => match PasswordHash::new(&hash) {
                Ok(parsed) => argon.verify_password(password.as_bytes(), &parsed).is_ok(),
                Err(_) => false,
            },
            None => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = argon.hash_password(password.as_bytes(), &salt);
                false
            }
        }
    });
    task.await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: Cost = Cost {
        memory_kib: 256,
        iterations: 1,
    };

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash("correct horse battery".into(), CHEAP).await;
        let hash = hash.ok();
        assert!(hash.as_deref().is_some_and(|h| h.starts_with("$argon2id$")));
        assert!(verify("correct horse battery".into(), hash.clone(), CHEAP).await);
        assert!(!verify("wrong horse battery".into(), hash, CHEAP).await);
        assert!(!verify("anything at all".into(), None, CHEAP).await);
    }

    #[test]
    fn the_default_cost_is_owasps_minimum() {
        let defaults = crate::accounts::config::AccountsConfig::from_env();
        let defaults = defaults.ok();
        if std::env::var_os("ILLUSTRATOR_ARGON2_MEMORY_KIB").is_none() {
            assert_eq!(defaults.map(|d| d.argon2_memory_kib), Some(19 * 1024));
        }
        assert!(check("short").is_err());
        assert!(check("long enough password").is_ok());
    }
}
