//! What may be asked of an account. Imperatives, one enum.
//!
//! Hashing, random draws and the clock stay at the edge: commands carry their results.

use crate::access::{Role, Scope};
use crate::ids::{AccountId, KeyId};

pub use illustrator_meta::CommandContext;

#[derive(Clone, Debug)]
pub struct Register {
    pub account_id: AccountId,
    /// Already normalized by the edge, which reserved it.
    pub email: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub via: String,
    /// The address is known to belong to the user (a verified OAuth email, the bootstrap).
    pub verified: bool,
}

#[derive(Clone, Debug)]
pub struct IssueApiKey {
    pub key_id: KeyId,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub secret_sha256: String,
}

#[derive(Clone, Debug)]
pub enum AccountCommand {
    Register(CommandContext, Box<Register>),
    /// Marks the email verified; a no-op when it already is.
    VerifyEmail(CommandContext),
    ChangePassword(CommandContext, String),
    /// A no-op when the account already has the role.
    ChangeRole(CommandContext, Role),
    SetDisabled(CommandContext, bool),
    /// Moves the account to another plan; a no-op when it already has it. The server checks
    /// that the plan exists.
    ChangePlan(CommandContext, String),
    LinkIdentity {
        ctx: CommandContext,
        provider: String,
        subject: String,
    },
    IssueApiKey(CommandContext, IssueApiKey),
    /// Revokes a key; a no-op when it already is revoked.
    RevokeApiKey(CommandContext, KeyId),
}
