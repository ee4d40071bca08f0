//! Who is asking: the account behind a credential, its role and the scopes the credential
//! carries, and a short-lived in-process cache of verified credentials.
//!
//! The cache trusts an entry for `ILLUSTRATOR_AUTH_CACHE_TTL_MS` (2 s by default) and each
//! API process also follows the account events and drops every entry of an account the
//! moment one of its events arrives, so a revoked key, a disabled user or a changed
//! password stops working on every replica within the TTL at worst.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use illustrator_accounts::{Account, AccountId, KeyId, Permission, Role, Scope};

/// How the principal proved who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `ILLUSTRATOR_BOOTSTRAP_KEY`: the seeded superadmin.
    Bootstrap,
    /// A login session (bearer token or cookie): every scope.
    Session,
    ApiKey(KeyId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The id events record as their actor and documents as their owner.
    pub id: String,
    pub account_id: AccountId,
    pub role: Role,
    pub scopes: Vec<Scope>,
    pub credential: Credential,
    /// The plan the account is subscribed to.
    pub plan: String,
}

impl Principal {
    /// The principal of a usable account; `None` for a disabled one.
    pub fn of(account: &Account, credential: Credential, scopes: Vec<Scope>) -> Option<Principal> {
        let id = account.id?;
        if account.disabled {
            return None;
        }

        Some(Principal {
            id: id.to_string(),
            account_id: id,
            role: account.role,
            scopes,
            credential,
            plan: if account.plan.is_empty() {
                illustrator_accounts::DEFAULT_PLAN.to_owned()
            } else {
                account.plan.clone()
            },
        })
    }

    pub fn allows(&self, permission: Permission) -> bool {
        permission.allows(self.role, &self.scopes)
    }

    /// Owners see their own documents; admins see everyone's. Others get a 404, so that
    /// ids cannot be probed.
    pub fn may_see(&self, owner: &str) -> bool {
        self.id == owner || self.allows(Permission::ReadAll)
    }
}

/// Most credentials kept; past it, expired entries are dropped, then everything.
const CAPACITY: usize = 100_000;

struct Entry {
    principal: Principal,
    verified_at: Instant,
}

/// Verified credentials by the digest of their secret.
pub struct AuthCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl AuthCache {
    pub fn new(ttl: Duration) -> AuthCache {
        AuthCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, digest: &str) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(digest)?;
        (entry.verified_at.elapsed() < self.ttl).then(|| entry.principal.clone())
    }

    pub fn put(&self, digest: String, principal: Principal) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY {
            let ttl = self.ttl;
            entries.retain(|_, entry| entry.verified_at.elapsed() < ttl);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }

        let entry = Entry {
            principal,
            verified_at: Instant::now(),
        };
        entries.insert(digest, entry);
    }

    pub fn forget(&self, digest: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(digest);
        }
    }

    /// Drops every credential of one account, after any change to it.
    pub fn forget_account(&self, account: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, entry| entry.principal.id != account);
        }
    }
}
