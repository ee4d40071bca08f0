//! Identifiers of accounts and API keys, and the normal form of an email address.
//!
//! Both ids become NATS subject or KV key tokens and URL path segments, so they are limited
//! to `[A-Za-z0-9_-]`.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a valid identifier: {0:?}")]
pub struct IdError(pub String);

/// An account's id: a UUIDv7, so ids sort by creation time.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct AccountId(pub Uuid);

impl AccountId {
    pub fn new() -> AccountId {
        AccountId(Uuid::now_v7())
    }

    /// The fixed id of the account the bootstrap key acts as, the same on every replica.
    pub fn bootstrap() -> AccountId {
        AccountId(Uuid::new_v5(&Uuid::NAMESPACE_OID, b"illustrator-bootstrap"))
    }

    pub fn parse(text: &str) -> Result<AccountId, IdError> {
        Uuid::try_parse(text)
            .map(AccountId)
            .map_err(|_| IdError(text.to_owned()))
    }
}

impl Default for AccountId {
    fn default() -> Self {
        AccountId::new()
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

/// The public part of an API key: 16 lower-case letters and digits, shown in listings and
/// used to revoke it. The secret part is never stored.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct KeyId(pub String);

impl KeyId {
    pub const LEN: usize = 16;

    pub fn parse(text: &str) -> Result<KeyId, IdError> {
        let valid = text.len() == Self::LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());

        if valid {
            Ok(KeyId(text.to_owned()))
        } else {
            Err(IdError(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The form an email address is compared and stored in: trimmed and lower-cased. `None`
/// when it cannot be an address (no `@`, empty parts, spaces, or longer than 254 bytes).
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.rsplit_once('@')?;

    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    plausible.then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Ada@Example.ORG "),
            Some("ada@example.org".into())
        );
        assert_eq!(normalize_email("ada@localhost"), None);
        assert_eq!(normalize_email("ada example.org"), None);
        assert_eq!(normalize_email("@example.org"), None);
        assert_eq!(normalize_email("a b@example.org"), None);
    }

    #[test]
    fn key_ids_are_sixteen_letters_or_digits() {
        assert!(KeyId::parse("abcdefgh01234567").is_ok());
        assert!(KeyId::parse("ABCDEFGH01234567").is_err());
        assert!(KeyId::parse("short").is_err());
    }
}
