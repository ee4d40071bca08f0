//! The Account aggregate: a user's identity, credentials, role and API keys.
//!
//! The aggregate decides in `handle` and changes state only in `apply`. It does no I/O: it
//! never hashes a password, draws a random token or reads a clock. The server hashes and
//! draws at the edge and hands the results in as commands. The permission table that the
//! API enforces lives here too (`access`), so that it is tested and documented in one place.

mod access;
mod aggregate;
mod commands;
mod error;
mod events;
mod ids;

pub use access::{Permission, Role, Scope};
pub use aggregate::{Account, ApiKey};
pub use commands::{AccountCommand, CommandContext, IssueApiKey, Register};
pub use error::AccountError;
pub use events::{AccountEvent, EventMeta};
pub use ids::{AccountId, IdError, KeyId, normalize_email};

/// Aggregate type name, used in subjects and event records.
pub const AGGREGATE_TYPE: &str = "account";

/// Active keys one account may hold at once.
pub const MAX_ACTIVE_KEYS: usize = 50;

/// The plan of an account until billing assigns another.
pub const DEFAULT_PLAN: &str = "free";
