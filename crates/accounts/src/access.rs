//! Roles, API-key scopes and the permission table the API enforces.
//!
//! A request is allowed when the principal's role is at least the permission's role and its
//! credential carries the permission's scope. A session (password or OAuth login) carries
//! every scope; an API key carries the scopes it was issued with. `docs/permissions.md`
//! prints this table; a test keeps the two in step.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What an account may do, in increasing order of power.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    User,
    Admin,
    Superadmin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::User, Role::Admin, Role::Superadmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
            Role::Superadmin => "superadmin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

/// What an API key may be used for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read documents, pictures, progress streams and the own account.
    Read,
    /// Submit articles, regenerate and select pictures.
    Illustrate,
    /// Manage the account's keys and, with an admin role, other accounts.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Illustrate, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Illustrate => "illustrate",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == text)
    }
}

/// One row of the permission table: what a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Own documents, pictures, events, account and key list.
    Read,
    /// Submit, regenerate, select.
    Illustrate,
    /// Create and revoke the own API keys.
    ManageKeys,
    /// Every account's documents, pictures and events.
    ReadAll,
    /// List and search accounts, disable and enable them.
    ManageUsers,
    /// Change any account's role.
    ManageRoles,
    /// Cancel the renewal of the own subscription.
    ManageSubscription,
    /// Change the plans and the prices per picture.
    ManagePrices,
}

impl Permission {
    pub const ALL: [Permission; 8] = [
        Permission::Read,
        Permission::Illustrate,
        Permission::ManageKeys,
        Permission::ManageSubscription,
        Permission::ReadAll,
        Permission::ManageUsers,
        Permission::ManageRoles,
        Permission::ManagePrices,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Illustrate => "illustrate",
            Permission::ManageKeys => "manage_keys",
            Permission::ReadAll => "read_all",
            Permission::ManageUsers => "manage_users",
            Permission::ManageRoles => "manage_roles",
            Permission::ManageSubscription => "manage_subscription",
            Permission::ManagePrices => "manage_prices",
        }
    }

    /// The least role that holds the permission.
    pub fn role(self) -> Role {
        match self {
            Permission::Read
            | Permission::Illustrate
            | Permission::ManageKeys
            | Permission::ManageSubscription => Role::User,
            Permission::ReadAll | Permission::ManageUsers => Role::Admin,
            Permission::ManageRoles | Permission::ManagePrices => Role::Superadmin,
        }
    }

    /// The scope a credential must carry.
    pub fn scope(self) -> Scope {
        match self {
            Permission::Read | Permission::ReadAll => Scope::Read,
            Permission::Illustrate => Scope::Illustrate,
            Permission::ManageKeys
            | Permission::ManageSubscription
            | Permission::ManageUsers
            | Permission::ManageRoles
            | Permission::ManagePrices => Scope::Admin,
        }
    }

    /// The table itself.
    pub fn allows(self, role: Role, scopes: &[Scope]) -> bool {
        role >= self.role() && scopes.contains(&self.scope())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_session_reads_illustrates_and_manages_keys_only() {
        let all = Scope::ALL;
        assert!(Permission::Read.allows(Role::User, &all));
        assert!(Permission::Illustrate.allows(Role::User, &all));
        assert!(Permission::ManageKeys.allows(Role::User, &all));
        assert!(!Permission::ReadAll.allows(Role::User, &all));
        assert!(!Permission::ManageUsers.allows(Role::User, &all));
        assert!(!Permission::ManageRoles.allows(Role::Admin, &all));
        assert!(Permission::ManageRoles.allows(Role::Superadmin, &all));
    }

    #[test]
    fn a_key_holds_only_its_scopes() {
        let read = [Scope::Read];
        assert!(Permission::Read.allows(Role::Admin, &read));
        assert!(Permission::ReadAll.allows(Role::Admin, &read));
        assert!(!Permission::Illustrate.allows(Role::Admin, &read));
        assert!(!Permission::ManageUsers.allows(Role::Admin, &read));
    }
}
