//! Why the Account aggregate refuses a command.

/// A broken rule; the edge answers these with a 4xx.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccountError {
    #[error("this account already exists")]
    AlreadyRegistered,
    #[error("no such account")]
    NotFound,
    #[error("the account is disabled")]
    Disabled,
    #[error("a key name must be 1 to 100 characters")]
    BadKeyName,
    #[error("a key needs at least one scope")]
    NoScopes,
    #[error("an account may hold at most {max} active keys")]
    TooManyKeys { max: usize },
    #[error("key {0} already exists")]
    DuplicateKey(String),
    #[error("no such key")]
    NoSuchKey,
}
