//! The account flows: register, verify the address, log in and out, reset or change the
//! password. Each takes what the HTTP edge read and returns what it answers.

use std::time::Duration;

use illustrator_accounts::{Account, AccountCommand, AccountId, Register, Role, normalize_email};
use serde::Serialize;
use utoipa::ToSchema;

use super::command::{self, Actor};
use super::mail::MailKind;
use super::password;
use super::principal::Principal;
use super::secrets::digest;
use super::tokens::Purpose;
use super::{Accounts, AccountsError};

const VERIFY_TTL: Duration = Duration::from_secs(24 * 3600);

/// The own account, as `/v1/me` shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: String,
    pub email: String,
    pub role: String,
    pub verified: bool,
    pub disabled: bool,
    pub plan: String,
    /// OAuth identities as `provider:subject`.
    pub identities: Vec<String>,
    /// `session`, `api_key` or `bootstrap`.
    pub credential: String,
    pub scopes: Vec<String>,
}

impl AccountView {
    pub fn new(account: &Account, principal: &Principal) -> AccountView {
        let credential = match principal.credential {
            super::Credential::Bootstrap => "bootstrap",
            super::Credential::Session => "session",
            super::Credential::ApiKey(_) => "api_key",
        };
        AccountView {
            id: principal.id.clone(),
            email: account.email.clone(),
            role: account.role.as_str().to_owned(),
            verified: account.verified,
            disabled: account.disabled,
            plan: account.plan.clone(),
            identities: account
                .identities
                .iter()
                .map(|(provider, subject)| format!("{provider}:{subject}"))
                .collect(),
            credential: credential.to_owned(),
            scopes: principal
                .scopes
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        }
    }
}

fn email(text: &str) -> Result<String, AccountsError> {
    normalize_email(text).ok_or_else(|| AccountsError::Invalid("not a valid email address".into()))
}

/// Registers a password account and mails the verification link. The mail's failure is
/// logged, not returned: the account exists, and a password reset also proves the address.
pub async fn register(
    accounts: &Accounts,
    correlation_id: &str,
    address: &str,
    password_text: String,
    base: &str,
) -> Result<AccountId, AccountsError> {
    let email = email(address)?;
    password::check(&password_text)?;
    let hash = password::hash(password_text, accounts.cost()).await?;

    let id = AccountId::new();
    if !accounts.index.reserve_email(&email, id).await? {
        return Err(AccountsError::EmailTaken);
    }
    let actor = Actor {
        id: id.to_string(),
        correlation_id: correlation_id.to_owned(),
    };
    let register = Register {
        account_id: id,
        email: email.clone(),
        password_hash: Some(hash),
        role: Role::User,
        via: "password".into(),
        verified: false,
    };
    let registered = command::execute(&accounts.store, id, &actor, move |ctx| {
        AccountCommand::Register(ctx, Box::new(register.clone()))
    })
    .await;
    if let Err(error) = registered {
        accounts.index.release_email(&email, id).await;
        return Err(error);
    }
    tracing::info!(user_id = %id, "account registered");

    if let Err(error) = mail_verification(accounts, id, &email, base).await {
        tracing::error!(user_id = %id, error = %error, "verification mail not sent");
    }
    Ok(id)
}

async fn mail_verification(
    accounts: &Accounts,
    id: AccountId,
    email: &str,
    base: &str,
) -> Result<(), AccountsError> {
    accounts
        .limiter
        .hit("mail", email, accounts.config.mail)
        .await?;
    let token = accounts
        .tokens
        .issue(Purpose::VerifyEmail, Some(id), 0, Vec::new(), VERIFY_TTL)
        .await?;
    let link = format!("{base}/verify?token={token}");
    accounts.mailer.send(MailKind::Verify, email, &link).await
}

pub async fn verify(
    accounts: &Accounts,
    correlation_id: &str,
    token: &str,
) -> Result<(), AccountsError> {
    let record = accounts.tokens.consume(Purpose::VerifyEmail, token).await?;
    let id = record.account_id.ok_or(AccountsError::BadToken)?;
    let actor = Actor {
        id: id.to_string(),
        correlation_id: correlation_id.to_owned(),
    };

    command::execute(&accounts.store, id, &actor, AccountCommand::VerifyEmail).await?;
    tracing::info!(user_id = %id, "email verified");
    Ok(())
}

/// Checks the password and starts a session. Failed attempts count against the account;
/// every attempt counts against the client's address.
pub async fn login(
    accounts: &Accounts,
    address: &str,
    password_text: String,
    client_ip: &str,
) -> Result<(AccountId, String), AccountsError> {
    let limits = &accounts.config;
    accounts
        .limiter
        .hit("login-ip", client_ip, limits.login_ip)
        .await?;
    let email = normalize_email(address).unwrap_or_default();
    accounts
        .limiter
        .check("login-account", &email, limits.login_account)
        .await?;

    let account = match accounts.index.email_owner(&email).await? {
        Some(id) => command::load(&accounts.store, id).await?,
        None => None,
    };
    let hash = account.as_ref().and_then(|a| a.password_hash.clone());
    let matches = password::verify(password_text, hash, accounts.cost()).await;

    let account = match account {
        Some(account) if matches => account,
        _ => {
            let counted = accounts
                .limiter
                .hit("login-account", &email, limits.login_account)
                .await;
            if let Err(AccountsError::Store { .. }) = counted {
                tracing::warn!("failed login not counted");
            }
            return Err(AccountsError::BadCredentials);
        }
    };

    let id = account.id.ok_or(AccountsError::BadCredentials)?;
    if account.disabled {
        return Err(AccountsError::Disabled);
    }
    if !account.verified {
        return Err(AccountsError::Unverified);
    }
    let token = accounts
        .tokens
        .start_session(id, account.session_epoch, limits.session_ttl)
        .await?;
    tracing::info!(user_id = %id, "logged in");
    Ok((id, token))
}

pub async fn logout(accounts: &Accounts, token: &str) -> Result<(), AccountsError> {
    accounts.tokens.end_session(token).await?;
    accounts.cache.forget(&digest(token));
    Ok(())
}
