//! Look-ups that a per-account aggregate cannot answer, kept in the `accounts_index` KV
//! bucket: which account owns an email address, and which account an API key belongs to.
//!
//! An address is reserved with a KV `create`, which fails when the key exists, so two
//! concurrent registrations of one address cannot both win. Keys are `email.<sha256 of the
//! normalized address>` (no address in plain text) and `key.<key id>`.

use async_nats::jetstream::kv::{self, CreateErrorKind};
use illustrator_accounts::{AccountId, KeyId};

use super::AccountsError;
use super::secrets::digest;

#[derive(Clone)]
pub struct Index {
    kv: kv::Store,
}

fn email_key(email: &str) -> String {
    format!("email.{}", digest(email))
}

fn key_key(key_id: &KeyId) -> String {
    format!("key.{key_id}")
}

impl Index {
    pub fn new(kv: kv::Store) -> Index {
        Index { kv }
    }

    /// Reserves `email` for `account`; false when another account holds it.
    pub async fn reserve_email(
        &self,
        email: &str,
        account: AccountId,
    ) -> Result<bool, AccountsError> {
        let value = account.to_string().into_bytes().into();
        match self.kv.create(email_key(email), value).await {
            Ok(_) => Ok(true),
            Err(error) if error.kind() == CreateErrorKind::AlreadyExists => {
                let owner = self.email_owner(email).await?;
                Ok(owner == Some(account))
            }
            Err(error) => Err(AccountsError::store("reserve email", error)),
        }
    }

    /// Gives an address back after a registration that did not go through.
    pub async fn release_email(&self, email: &str, account: AccountId) {
        let key = email_key(email);
        let Ok(Some(entry)) = self.kv.entry(key.clone()).await else {
            return;
        };
        if entry.value.as_ref() != account.to_string().as_bytes() {
            return;
        }
        if let Err(error) = self
            .kv
            .delete_expect_revision(key, Some(entry.revision))
            .await
        {
            tracing::warn!(account_id = %account, error = %error, "email reservation kept");
        }
    }

    pub async fn email_owner(&self, email: &str) -> Result<Option<AccountId>, AccountsError> {
        self.owner(email_key(email)).await
    }

    pub async fn record_key(
        &self,
        key_id: &KeyId,
        account: AccountId,
    ) -> Result<(), AccountsError> {
        let value = account.to_string().into_bytes().into();
        self.kv
            .create(key_key(key_id), value)
            .await
            .map(drop)
            .map_err(|error| AccountsError::store("record key", error))
    }

    pub async fn key_owner(&self, key_id: &KeyId) -> Result<Option<AccountId>, AccountsError> {
        self.owner(key_key(key_id)).await
    }

    async fn owner(&self, key: String) -> Result<Option<AccountId>, AccountsError> {
        let value = self
            .kv
            .get(key)
            .await
            .map_err(|error| AccountsError::store("read index", error))?;
        let Some(value) = value else {
            return Ok(None);
        };

        let text = String::from_utf8_lossy(&value);
        AccountId::parse(&text)
            .map(Some)
            .map_err(|_| AccountsError::Internal("an index entry is not an account id".into()))
    }
}
