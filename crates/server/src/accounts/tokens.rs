//! One-time tokens (email verification, password reset, OAuth state) and login sessions,
//! each stored under the SHA-256 of its secret in a KV bucket: a leaked bucket holds no
//! usable secret. A one-time token is used up by deleting it with the revision it was read
//! at, so of two concurrent uses only one succeeds.

use std::time::Duration;

use async_nats::jetstream::kv::{self, Operation};
use chrono::{DateTime, Utc};
use illustrator_accounts::AccountId;
use serde::{Deserialize, Serialize};

use super::AccountsError;
use super::secrets::{digest, new_session_token, random_token};

/// What a one-time token is good for; a token of one purpose never passes for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    OAuthState,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenRecord {
    pub purpose: Purpose,
    pub account_id: Option<AccountId>,
    /// For a reset: the session epoch it was issued at, so that it dies with any later
    /// password change. For OAuth: the provider and the PKCE verifier.
    pub epoch: u32,
    pub data: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionRecord {
    pub account_id: AccountId,
    /// The account's session epoch at login; a password change moves it on.
    pub epoch: u32,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Tokens {
    one_time: kv::Store,
    sessions: kv::Store,
}

fn expiry(ttl: Duration) -> DateTime<Utc> {
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(1));
    Utc::now() + ttl
}

impl Tokens {
    pub fn new(one_time: kv::Store, sessions: kv::Store) -> Tokens {
        Tokens { one_time, sessions }
    }

    /// Stores a new one-time token and returns its secret.
    pub async fn issue(
        &self,
        purpose: Purpose,
        account_id: Option<AccountId>,
        epoch: u32,
        data: Vec<String>,
        ttl: Duration,
    ) -> Result<String, AccountsError> {
        let token = random_token();
        let record = TokenRecord {
            purpose,
            account_id,
            epoch,
            data,
            expires_at: expiry(ttl),
        };
        let body = serde_json::to_vec(&record).map_err(AccountsError::internal)?;

        self.one_time
            .put(digest(&token), body.into())
            .await
            .map_err(|error| AccountsError::store("store token", error))?;
        Ok(token)
    }

    /// Uses a one-time token up. Unknown, used, expired or wrong-purpose tokens are refused
    /// alike.
    pub async fn consume(
        &self,
        purpose: Purpose,
        token: &str,
    ) -> Result<TokenRecord, AccountsError> {
        let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Err(AccountsError::BadToken);
        }
        let key = digest(token);

        let entry = self
            .one_time
            .entry(key.clone())
            .await
            .map_err(|error| AccountsError::store("read token", error))?;
        let Some(entry) = entry.filter(|e| e.operation == Operation::Put) else {
            return Err(AccountsError::BadToken);
        };
        let record: TokenRecord =
            serde_json::from_slice(&entry.value).map_err(|_| AccountsError::BadToken)?;
        if record.purpose != purpose || record.expires_at <= Utc::now() {
            return Err(AccountsError::BadToken);
        }

        self.one_time
            .delete_expect_revision(key, Some(entry.revision))
            .await
            .map_err(|_| AccountsError::BadToken)?;
        Ok(record)
    }

    /// Starts a session and returns its bearer token.
    pub async fn start_session(
        &self,
        account_id: AccountId,
        epoch: u32,
        ttl: Duration,
    ) -> Result<String, AccountsError> {
        let token = new_session_token();
        let record = SessionRecord {
            account_id,
            epoch,
            expires_at: expiry(ttl),
        };
        let body = serde_json::to_vec(&record).map_err(AccountsError::internal)?;

        self.sessions
            .put(digest(&token), body.into())
            .await
            .map_err(|error| AccountsError::store("store session", error))?;
        Ok(token)
    }

    pub async fn session(&self, token: &str) -> Result<Option<SessionRecord>, AccountsError> {
        let value = self
            .sessions
            .get(digest(token))
            .await
            .map_err(|error| AccountsError::store("read session", error))?;

        let record = value.and_then(|v| serde_json::from_slice::<SessionRecord>(&v).ok());
        Ok(record.filter(|r| r.expires_at > Utc::now()))
    }

    pub async fn end_session(&self, token: &str) -> Result<(), AccountsError> {
        self.sessions
            .delete(digest(token))
            .await
            .map_err(|error| AccountsError::store("end session", error))
    }
}
