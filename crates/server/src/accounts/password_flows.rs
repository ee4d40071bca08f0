//! Password resets by mailed link and password changes; each ends every session of the
//! account.

use std::time::Duration;

use illustrator_accounts::{AccountCommand, AccountId, normalize_email};

use super::command::{self, Actor};
use super::mail::MailKind;
use super::password;
use super::principal::Principal;
use super::tokens::Purpose;
use super::{Accounts, AccountsError};

const RESET_TTL: Duration = Duration::from_secs(3600);

/// Mails a reset link when the address belongs to a usable account. The answer is the same
/// either way, so that nobody learns which addresses have accounts.
pub async fn request_reset(
    accounts: &Accounts,
    address: &str,
    base: &str,
) -> Result<(), AccountsError> {
    let Some(email) = normalize_email(address) else {
        return Ok(());
    };
    accounts
        .limiter
        .hit("mail", &email, accounts.config.mail)
        .await?;

    let Some(id) = accounts.index.email_owner(&email).await? else {
        return Ok(());
    };
    let Some(account) = command::load(&accounts.store, id).await? else {
        return Ok(());
    };
    if account.disabled {
        return Ok(());
    }

    let token = accounts
        .tokens
        .issue(
            Purpose::ResetPassword,
            Some(id),
            account.session_epoch,
            Vec::new(),
            RESET_TTL,
        )
        .await?;
    let link = format!("{base}/reset-password?token={token}");
    accounts.mailer.send(MailKind::Reset, &email, &link).await?;
    tracing::info!(user_id = %id, "password reset mailed");
    Ok(())
}

/// Sets the new password from a reset link. It also proves the address, and like every
/// password change it ends all sessions.
pub async fn confirm_reset(
    accounts: &Accounts,
    correlation_id: &str,
    token: &str,
    password_text: String,
) -> Result<(), AccountsError> {
    password::check(&password_text)?;
    let record = accounts
        .tokens
        .consume(Purpose::ResetPassword, token)
        .await?;
    let id = record.account_id.ok_or(AccountsError::BadToken)?;
    let account = command::load(&accounts.store, id)
        .await?
        .ok_or(AccountsError::BadToken)?;
    if account.session_epoch != record.epoch {
        return Err(AccountsError::BadToken);
    }

    let hash = password::hash(password_text, accounts.cost()).await?;
    set_password(accounts, id, correlation_id, hash).await?;
    let actor = Actor {
        id: id.to_string(),
        correlation_id: correlation_id.to_owned(),
    };
    command::execute(&accounts.store, id, &actor, AccountCommand::VerifyEmail).await?;
    Ok(())
}

/// Changes the password of a logged-in account after checking the current one.
pub async fn change_password(
    accounts: &Accounts,
    principal: &Principal,
    correlation_id: &str,
    current: String,
    new: String,
) -> Result<(), AccountsError> {
    password::check(&new)?;
    let account = command::load(&accounts.store, principal.account_id)
        .await?
        .ok_or(AccountsError::NotFound)?;
    if !password::verify(current, account.password_hash.clone(), accounts.cost()).await {
        return Err(AccountsError::BadCredentials);
    }

    let hash = password::hash(new, accounts.cost()).await?;
    set_password(accounts, principal.account_id, correlation_id, hash).await
}

async fn set_password(
    accounts: &Accounts,
    id: AccountId,
    correlation_id: &str,
    hash: String,
) -> Result<(), AccountsError> {
    let actor = Actor {
        id: id.to_string(),
        correlation_id: correlation_id.to_owned(),
    };
    command::execute(&accounts.store, id, &actor, move |ctx| {
        AccountCommand::ChangePassword(ctx, hash.clone())
    })
    .await?;

    accounts.cache.forget_account(&id.to_string());
    tracing::info!(user_id = %id, "password changed; sessions ended");
    Ok(())
}
