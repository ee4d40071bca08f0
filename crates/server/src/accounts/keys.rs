//! API keys: issuing (the secret is shown once), listing, revoking, verifying a presented
//! key, and the last time each key was used.
//!
//! Last use is kept in `api_key_usage`, which is not a read model: no event records it,
//! since an event per request would grow the stream with traffic. Each process writes it at
//! most once a minute per key.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use illustrator_accounts::{AccountCommand, AccountId, IssueApiKey, KeyId, Scope};
use serde::Serialize;
use utoipa::ToSchema;

use super::command::{self, Actor};
use super::principal::{Credential, Principal};
use super::secrets::{self, digest};
use super::{Accounts, AccountsError};

/// How often one process records the last use of one key.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// One key as listed: never its secret.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct KeyView {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    /// The first characters of the key, to recognise it by.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new key: the only answer that ever holds the secret (no `Debug`, so no log shows it).
#[derive(Clone, Serialize, ToSchema)]
pub struct IssuedKey {
    pub id: String,
    pub key: String,
    pub name: String,
    pub scopes: Vec<String>,
}

fn prefix(key_id: &KeyId) -> String {
    format!("{}{key_id}", secrets::API_KEY_PREFIX)
}

/// Checks a presented key against its account; `None` when it is not a working key.
pub async fn verify(
    accounts: &Accounts,
    key_id: &KeyId,
    secret: &str,
) -> Result<Option<Principal>, AccountsError> {
    let Some(owner) = accounts.index.key_owner(key_id).await? else {
        return Ok(None);
    };
    let Some(account) = command::load(&accounts.store, owner).await? else {
        return Ok(None);
    };
    let Some(key) = account.keys.get(key_id) else {
        return Ok(None);
    };

    let matches = secrets::same(&key.secret_sha256, &digest(secret));
    if !matches || key.revoked_at.is_some() {
        return Ok(None);
    }
    let credential = Credential::ApiKey(key_id.clone());
    Ok(Principal::of(&account, credential, key.scopes.clone()))
}

/// Issues a key to `account`. The key id is indexed first, so the key works the moment the
/// answer arrives, on every replica.
pub async fn issue(
    accounts: &Accounts,
    account: AccountId,
    actor: &Actor,
    name: String,
    scopes: Vec<Scope>,
) -> Result<IssuedKey, AccountsError> {
    let (key_id, key, secret) = secrets::new_api_key();
    accounts.index.record_key(&key_id, account).await?;

    let command = IssueApiKey {
        key_id: key_id.clone(),
        name,
        scopes,
        secret_sha256: digest(&secret),
    };
    let after = command::execute(&accounts.store, account, actor, move |ctx| {
        AccountCommand::IssueApiKey(ctx, command.clone())
    })
    .await?;

    let issued = after.keys.get(&key_id).ok_or(AccountsError::Conflict)?;
    tracing::info!(user_id = %account, key_id = %key_id, "api key issued");
    Ok(IssuedKey {
        id: key_id.to_string(),
        key,
        name: issued.name.clone(),
        scopes: issued
            .scopes
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
    })
}

pub async fn revoke(
    accounts: &Accounts,
    account: AccountId,
    actor: &Actor,
    key_id: KeyId,
) -> Result<(), AccountsError> {
    let revoked = key_id.clone();
    command::execute(&accounts.store, account, actor, move |ctx| {
        AccountCommand::RevokeApiKey(ctx, revoked.clone())
    })
    .await?;
    accounts.cache.forget_account(&account.to_string());
    tracing::info!(user_id = %account, key_id = %key_id, "api key revoked");
    Ok(())
}

/// The account's keys, newest first, straight from the aggregate so a key just issued is
/// always listed.
pub async fn list(accounts: &Accounts, account: AccountId) -> Result<Vec<KeyView>, AccountsError> {
    let state = command::load(&accounts.store, account)
        .await?
        .ok_or(AccountsError::NotFound)?;
    let ids: Vec<String> = state.keys.keys().map(|k| k.to_string()).collect();

    let used: Vec<(String, DateTime<Utc>)> =
        sqlx::query_as("SELECT key_id, last_used_at FROM api_key_usage WHERE key_id = ANY($1)")
            .bind(&ids)
            .fetch_all(&accounts.db)
            .await?;
    let used: HashMap<String, DateTime<Utc>> = used.into_iter().collect();

    let mut views: Vec<KeyView> = state
        .keys
        .iter()
        .map(|(id, key)| KeyView {
            id: id.to_string(),
            name: key.name.clone(),
            scopes: key.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            prefix: prefix(id),
            created_at: key.created_at,
            revoked_at: key.revoked_at,
            last_used_at: used.get(id.as_str()).copied(),
        })
        .collect();
    views.sort_by_key(|view| std::cmp::Reverse(view.created_at));
    Ok(views)
}

fn recently_touched() -> &'static Mutex<HashMap<KeyId, Instant>> {
    static TOUCHED: OnceLock<Mutex<HashMap<KeyId, Instant>>> = OnceLock::new();
    TOUCHED.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Records the key's use in the background unless this process did so within a minute.
pub fn touch(accounts: &Accounts, key_id: &KeyId) {
    let due = match recently_touched().lock() {
        Ok(mut touched) => {
            let due = touched
                .get(key_id)
                .is_none_or(|at| at.elapsed() >= TOUCH_EVERY);
            if due {
                touched.insert(key_id.clone(), Instant::now());
            }
            due
        }
        Err(_) => false,
    };
    if !due {
        return;
    }

    let db = accounts.db.clone();
    let key_id = key_id.clone();
    tokio::spawn(async move {
        let written = sqlx::query(
            "INSERT INTO api_key_usage (key_id, last_used_at) VALUES ($1, now()) \
             ON CONFLICT (key_id) DO UPDATE SET last_used_at = now()",
        )
        .bind(key_id.as_str())
        .execute(&db)
        .await;
        if let Err(error) = written {
            tracing::warn!(key_id = %key_id, error = %error, "key use not recorded");
        }
    });
}
