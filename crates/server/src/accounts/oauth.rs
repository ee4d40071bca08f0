//! Login with GitHub or Google: the authorization-code flow with PKCE and a one-time state,
//! then the provider's verified email links the login to an account (or makes one).
//!
//! The state token is stored (hashed, ten minutes) with the PKCE verifier, so the callback
//! may land on any replica. Endpoints come from `GITHUB_*_URL` / `GOOGLE_*_URL`, which tests
//! point at a local fake provider.

use std::time::Duration;

use illustrator_accounts::{AccountCommand, AccountId, Register, Role, normalize_email};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope as OAuthScope, TokenResponse, TokenUrl,
};

use super::command::{self, Actor};
use super::config::OAuthProvider;
use super::identity::{Http, Identity, github_identity, google_identity, unverified};
use super::secrets::random_token;
use super::tokens::Purpose;
use super::{Accounts, AccountsError, password};

const STATE_TTL: Duration = Duration::from_secs(600);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    GitHub,
    Google,
}

impl Provider {
    pub fn parse(name: &str) -> Option<Provider> {
        match name {
            "github" => Some(Provider::GitHub),
            "google" => Some(Provider::Google),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Provider::GitHub => "github",
            Provider::Google => "google",
        }
    }

    /// The providers whose client id and secret this server has, for the page's buttons.
    pub fn configured(accounts: &Accounts) -> Vec<&'static str> {
        [Provider::GitHub, Provider::Google]
            .into_iter()
            .filter(|p| settings(accounts, *p).is_ok())
            .map(Provider::name)
            .collect()
    }

    fn scopes(self) -> &'static [&'static str] {
        match self {
            Provider::GitHub => &["read:user", "user:email"],
            Provider::Google => &["openid", "email"],
        }
    }
}

fn settings(accounts: &Accounts, provider: Provider) -> Result<&OAuthProvider, AccountsError> {
    let configured = match provider {
        Provider::GitHub => accounts.config.github.as_ref(),
        Provider::Google => accounts.config.google.as_ref(),
    };
    configured
        .ok_or_else(|| AccountsError::OAuth(format!("{} login is not configured", provider.name())))
}

fn bad_url(error: impl std::fmt::Display) -> AccountsError {
    AccountsError::Internal(format!("an OAuth URL is invalid: {error}"))
}

/// The provider URL to send the browser to.
pub async fn start(
    accounts: &Accounts,
    provider: Provider,
    base: &str,
) -> Result<String, AccountsError> {
    let settings = settings(accounts, provider)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = accounts
        .tokens
        .issue(
            Purpose::OAuthState,
            None,
            0,
            vec![provider.name().to_owned(), verifier.secret().clone()],
            STATE_TTL,
        )
        .await?;

    let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_auth_uri(AuthUrl::new(settings.auth_url.clone()).map_err(bad_url)?)
        .set_redirect_uri(redirect(base, provider)?);
    let mut request = client
        .authorize_url(|| CsrfToken::new(state.clone()))
        .set_pkce_challenge(challenge);
    for scope in provider.scopes() {
        request = request.add_scope(OAuthScope::new((*scope).to_owned()));
    }
    let (url, _) = request.url();
    Ok(url.to_string())
}

fn redirect(base: &str, provider: Provider) -> Result<RedirectUrl, AccountsError> {
    let url = format!("{base}/v1/auth/oauth/{}/callback", provider.name());
    RedirectUrl::new(url).map_err(bad_url)
}

/// Finishes the login: checks the state, trades the code (with the PKCE verifier) for a
/// token, reads the verified email and returns the account with a new session token.
pub async fn callback(
    accounts: &Accounts,
    provider: Provider,
    code: &str,
    state: &str,
    base: &str,
    correlation_id: &str,
) -> Result<(AccountId, String), AccountsError> {
    let settings = settings(accounts, provider)?;
    let record = accounts.tokens.consume(Purpose::OAuthState, state).await?;
    let [name, verifier] = record.data.as_slice() else {
        return Err(AccountsError::BadToken);
    };
    if name != provider.name() {
        return Err(AccountsError::BadToken);
    }

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .user_agent("markdown-illustrator")
        .build()
        .map_err(AccountsError::internal)?;
    let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            settings.client_secret.expose().to_owned(),
        ))
        .set_token_uri(TokenUrl::new(settings.token_url.clone()).map_err(bad_url)?)
        .set_redirect_uri(redirect(base, provider)?);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.clone()))
        .request_async(&Http(http.clone()))
        .await
        .map_err(|_| AccountsError::OAuth("the provider refused the login".into()))?;

    let access = token.access_token().secret();
    let identity = match provider {
        Provider::GitHub => github_identity(&http, &settings.api_url, access).await?,
        Provider::Google => google_identity(&http, &settings.api_url, access).await?,
    };
    let id = link(accounts, provider, identity, correlation_id).await?;

    let account = command::load(&accounts.store, id)
        .await?
        .ok_or(AccountsError::NotFound)?;
    if account.disabled {
        return Err(AccountsError::Disabled);
    }
    let session = accounts
        .tokens
        .start_session(id, account.session_epoch, accounts.config.session_ttl)
        .await?;
    tracing::info!(user_id = %id, source = provider.name(), "logged in with oauth");
    Ok((id, session))
}

/// The account the verified email belongs to, made if there is none, with the identity
/// linked. An unverified password account with that email is claimed: its address is
/// verified and its password replaced by an unknown one, so whoever registered the address
/// without owning it cannot keep a way in.
async fn link(
    accounts: &Accounts,
    provider: Provider,
    identity: Identity,
    correlation_id: &str,
) -> Result<AccountId, AccountsError> {
    let email = normalize_email(&identity.email).ok_or_else(unverified)?;
    let new_id = AccountId::new();
    let reserved = accounts.index.reserve_email(&email, new_id).await?;

    let id = if reserved {
        new_id
    } else {
        accounts
            .index
            .email_owner(&email)
            .await?
            .ok_or(AccountsError::Conflict)?
    };
    let actor = Actor {
        id: id.to_string(),
        correlation_id: correlation_id.to_owned(),
    };

    if reserved {
        let register = Register {
            account_id: id,
            email: email.clone(),
            password_hash: None,
            role: Role::User,
            via: provider.name().to_owned(),
            verified: true,
        };
        let made = command::execute(&accounts.store, id, &actor, move |ctx| {
            AccountCommand::Register(ctx, Box::new(register.clone()))
        })
        .await;
        if let Err(error) = made {
            accounts.index.release_email(&email, id).await;
            return Err(error);
        }
    } else {
        claim_if_unverified(accounts, id, actor.clone()).await?;
    }

    command::execute(&accounts.store, id, &actor, move |ctx| {
        AccountCommand::LinkIdentity {
            ctx,
            provider: provider.name().to_owned(),
            subject: identity.subject.clone(),
        }
    })
    .await?;
    Ok(id)
}

async fn claim_if_unverified(
    accounts: &Accounts,
    id: AccountId,
    actor: Actor,
) -> Result<(), AccountsError> {
    let account = command::load(&accounts.store, id)
        .await?
        .ok_or(AccountsError::Conflict)?;
    if account.verified {
        return Ok(());
    }

    let unknown = password::hash(random_token(), accounts.cost()).await?;
    command::execute(&accounts.store, id, &actor, move |ctx| {
        AccountCommand::ChangePassword(ctx, unknown.clone())
    })
    .await?;
    command::execute(&accounts.store, id, &actor, AccountCommand::VerifyEmail).await?;
    Ok(())
}
