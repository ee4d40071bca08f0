//! The facts the Account aggregate records. Past tense, one enum, versions in one place.
//!
//! Password hashes (argon2id PHC strings) and SHA-256 digests of key secrets are stored;
//! passwords, session tokens and key secrets never are.

use cqrs_es::DomainEvent;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::access::{Role, Scope};
use crate::ids::{AccountId, KeyId};

pub use illustrator_meta::EventMeta;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AccountEvent {
    UserRegistered {
        meta: EventMeta,
        account_id: AccountId,
        /// Normalized (trimmed, lower case).
        email: String,
        /// argon2id PHC string; `None` for accounts made by OAuth or the bootstrap key.
        password_hash: Option<String>,
        role: Role,
        /// `password`, `github`, `google` or `bootstrap`.
        via: String,
    },
    EmailVerified {
        meta: EventMeta,
    },
    PasswordChanged {
        meta: EventMeta,
        password_hash: String,
    },
    RoleChanged {
        meta: EventMeta,
        role: Role,
    },
    UserDisabled {
        meta: EventMeta,
    },
    UserEnabled {
        meta: EventMeta,
    },
    /// An OAuth identity now logs in to this account.
    IdentityLinked {
        meta: EventMeta,
        provider: String,
        subject: String,
    },
    ApiKeyIssued {
        meta: EventMeta,
        key_id: KeyId,
        name: String,
        scopes: Vec<Scope>,
        /// Hex SHA-256 of the secret part; the secret is shown once and never stored.
        secret_sha256: String,
    },
    ApiKeyRevoked {
        meta: EventMeta,
        key_id: KeyId,
    },
    /// The account's subscription moved to another plan.
    PlanChanged {
        meta: EventMeta,
        plan: String,
    },
}

impl AccountEvent {
    /// The event type names, in declaration order; the schema test walks them.
    pub const TYPES: [&'static str; 10] = [
        "UserRegistered",
        "EmailVerified",
        "PasswordChanged",
        "RoleChanged",
        "UserDisabled",
        "UserEnabled",
        "IdentityLinked",
        "ApiKeyIssued",
        "ApiKeyRevoked",
        "PlanChanged",
    ];

    /// Schema version of every account event; bump it together with an upcaster.
    pub const VERSION: &'static str = "1";

    pub fn meta(&self) -> &EventMeta {
        match self {
            AccountEvent::UserRegistered { meta, .. }
            | AccountEvent::EmailVerified { meta }
            | AccountEvent::PasswordChanged { meta, .. }
            | AccountEvent::RoleChanged { meta, .. }
            | AccountEvent::UserDisabled { meta }
            | AccountEvent::UserEnabled { meta }
            | AccountEvent::IdentityLinked { meta, .. }
            | AccountEvent::ApiKeyIssued { meta, .. }
            | AccountEvent::ApiKeyRevoked { meta, .. }
            | AccountEvent::PlanChanged { meta, .. } => meta,
        }
    }

    pub fn type_name(&self) -> &'static str {
        let position = match self {
            AccountEvent::UserRegistered { .. } => 0,
            AccountEvent::EmailVerified { .. } => 1,
            AccountEvent::PasswordChanged { .. } => 2,
            AccountEvent::RoleChanged { .. } => 3,
            AccountEvent::UserDisabled { .. } => 4,
            AccountEvent::UserEnabled { .. } => 5,
            AccountEvent::IdentityLinked { .. } => 6,
            AccountEvent::ApiKeyIssued { .. } => 7,
            AccountEvent::ApiKeyRevoked { .. } => 8,
            AccountEvent::PlanChanged { .. } => 9,
        };
        Self::TYPES[position]
    }
}

impl DomainEvent for AccountEvent {
    fn event_type(&self) -> String {
        self.type_name().to_owned()
    }

    fn event_version(&self) -> String {
        Self::VERSION.to_owned()
    }
}
