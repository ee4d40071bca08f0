//! Why an account operation failed, grouped by what the HTTP edge answers
//! (`crate::error` turns each into a status).

use illustrator_accounts::AccountError;

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// The request breaks a rule (a short password, a bad address, an unknown scope).
    #[error("{0}")]
    Invalid(String),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("the token is unknown, used or expired")]
    BadToken,
    #[error("the account is disabled")]
    Disabled,
    #[error("confirm your email address first; the link is in the mail we sent")]
    Unverified,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("too many attempts; try again in {retry_after} s")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Rejected(AccountError),
    /// An OAuth provider is not configured, or it refused or failed the login.
    #[error("{0}")]
    OAuth(String),
    #[error("the account kept changing under the command")]
    Conflict,
    #[error("mail could not be sent: {0}")]
    Mail(String),
    /// NATS or Postgres failed; the client should retry.
    #[error("{op}: {detail}")]
    Store { op: &'static str, detail: String },
    #[error("{0}")]
    Internal(String),
}

impl AccountsError {
    pub fn store(op: &'static str, error: impl std::fmt::Display) -> AccountsError {
        AccountsError::Store {
            op,
            detail: error.to_string(),
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> AccountsError {
        AccountsError::Internal(error.to_string())
    }
}

impl From<sqlx::Error> for AccountsError {
    fn from(error: sqlx::Error) -> AccountsError {
        AccountsError::store("database", error)
    }
}
