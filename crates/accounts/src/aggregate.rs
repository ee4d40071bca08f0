//! The Account aggregate's state, its decisions (`handle`) and their effects (`apply`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};

use crate::access::{Role, Scope};
use crate::commands::{AccountCommand, CommandContext, IssueApiKey, Register};
use crate::error::AccountError;
use crate::events::AccountEvent;
use crate::ids::{AccountId, KeyId};
use crate::{AGGREGATE_TYPE, DEFAULT_PLAN, MAX_ACTIVE_KEYS};

/// One API key as the account remembers it: never its secret, only the secret's digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub secret_sha256: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: Option<AccountId>,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub verified: bool,
    pub disabled: bool,
    /// Bumped by every password change; a session made before it no longer counts.
    pub session_epoch: u32,
    pub plan: String,
    pub identities: Vec<(String, String)>,
    pub keys: BTreeMap<KeyId, ApiKey>,
    pub created_at: Option<DateTime<Utc>>,
}

impl Account {
    /// Keys that still work.
    pub fn active_keys(&self) -> impl Iterator<Item = (&KeyId, &ApiKey)> {
        self.keys.iter().filter(|(_, key)| key.revoked_at.is_none())
    }

    fn register(&self, ctx: &CommandContext, command: &Register) -> Vec<AccountEvent> {
        let mut events = vec![AccountEvent::UserRegistered {
            meta: ctx.meta(),
            account_id: command.account_id,
            email: command.email.clone(),
            password_hash: command.password_hash.clone(),
            role: command.role,
            via: command.via.clone(),
        }];
        if command.verified {
            events.push(AccountEvent::EmailVerified { meta: ctx.meta() });
        }
        events
    }

    fn issue(
        &self,
        ctx: &CommandContext,
        command: IssueApiKey,
    ) -> Result<Vec<AccountEvent>, AccountError> {
        let name = command.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AccountError::BadKeyName);
        }

        let mut scopes = command.scopes;
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(AccountError::NoScopes);
        }

        if self.active_keys().count() >= MAX_ACTIVE_KEYS {
            return Err(AccountError::TooManyKeys {
                max: MAX_ACTIVE_KEYS,
            });
        }
        if self.keys.contains_key(&command.key_id) {
            return Err(AccountError::DuplicateKey(command.key_id.0));
        }

        Ok(vec![AccountEvent::ApiKeyIssued {
            meta: ctx.meta(),
            key_id: command.key_id,
            name,
            scopes,
            secret_sha256: command.secret_sha256,
        }])
    }

    fn revoke(
        &self,
        ctx: &CommandContext,
        key_id: KeyId,
    ) -> Result<Vec<AccountEvent>, AccountError> {
        let key = self.keys.get(&key_id).ok_or(AccountError::NoSuchKey)?;
        if key.revoked_at.is_some() {
            return Ok(Vec::new());
        }
        Ok(vec![AccountEvent::ApiKeyRevoked {
            meta: ctx.meta(),
            key_id,
        }])
    }

    fn decide(&self, command: AccountCommand) -> Result<Vec<AccountEvent>, AccountError> {
        let events = match command {
            AccountCommand::Register(ctx, command) => self.register(&ctx, &command),
            AccountCommand::VerifyEmail(ctx) if !self.verified => {
                vec![AccountEvent::EmailVerified { meta: ctx.meta() }]
            }
            AccountCommand::VerifyEmail(_) => Vec::new(),
            AccountCommand::ChangePassword(ctx, password_hash) => {
                vec![AccountEvent::PasswordChanged {
                    meta: ctx.meta(),
                    password_hash,
                }]
            }
            AccountCommand::ChangeRole(ctx, role) if role != self.role => {
                vec![AccountEvent::RoleChanged {
                    meta: ctx.meta(),
                    role,
                }]
            }
            AccountCommand::ChangeRole(..) => Vec::new(),
            AccountCommand::SetDisabled(ctx, true) if !self.disabled => {
                vec![AccountEvent::UserDisabled { meta: ctx.meta() }]
            }
            AccountCommand::SetDisabled(ctx, false) if self.disabled => {
                vec![AccountEvent::UserEnabled { meta: ctx.meta() }]
            }
            AccountCommand::SetDisabled(..) => Vec::new(),
            AccountCommand::ChangePlan(ctx, plan) if plan != self.plan => {
                vec![AccountEvent::PlanChanged {
                    meta: ctx.meta(),
                    plan,
                }]
            }
            AccountCommand::ChangePlan(..) => Vec::new(),
            AccountCommand::LinkIdentity {
                ctx,
                provider,
                subject,
            } => {
                let pair = (provider.clone(), subject.clone());
                if self.identities.contains(&pair) {
                    Vec::new()
                } else {
                    vec![AccountEvent::IdentityLinked {
                        meta: ctx.meta(),
                        provider,
                        subject,
                    }]
                }
            }
            AccountCommand::IssueApiKey(ctx, command) => {
                if self.disabled {
                    return Err(AccountError::Disabled);
                }
                self.issue(&ctx, command)?
            }
            AccountCommand::RevokeApiKey(ctx, key_id) => self.revoke(&ctx, key_id)?,
        };
        Ok(events)
    }
}

impl Aggregate for Account {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Error = AccountError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let registering = matches!(command, AccountCommand::Register(..));
        if registering && self.id.is_some() {
            return Err(AccountError::AlreadyRegistered);
        }
        if !registering && self.id.is_none() {
            return Err(AccountError::NotFound);
        }

        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            AccountEvent::UserRegistered {
                meta,
                account_id,
                email,
                password_hash,
                role,
                ..
            } => {
                self.id = Some(account_id);
                self.email = email;
                self.password_hash = password_hash;
                self.role = role;
                self.plan = DEFAULT_PLAN.to_owned();
                self.created_at = Some(meta.at);
            }
            AccountEvent::EmailVerified { .. } => self.verified = true,
            AccountEvent::PasswordChanged { password_hash, .. } => {
                self.password_hash = Some(password_hash);
                self.session_epoch += 1;
            }
            AccountEvent::RoleChanged { role, .. } => self.role = role,
            AccountEvent::UserDisabled { .. } => self.disabled = true,
            AccountEvent::PlanChanged { plan, .. } => self.plan = plan,
            AccountEvent::UserEnabled { .. } => self.disabled = false,
            AccountEvent::IdentityLinked {
                provider, subject, ..
            } => self.identities.push((provider, subject)),
            AccountEvent::ApiKeyIssued {
                meta,
                key_id,
                name,
                scopes,
                secret_sha256,
            } => {
                let key = ApiKey {
                    name,
                    scopes,
                    secret_sha256,
                    created_at: meta.at,
                    revoked_at: None,
                };
                self.keys.insert(key_id, key);
            }
            AccountEvent::ApiKeyRevoked { meta, key_id } => {
                if let Some(key) = self.keys.get_mut(&key_id) {
                    key.revoked_at = Some(meta.at);
                }
            }
        }
    }
}
