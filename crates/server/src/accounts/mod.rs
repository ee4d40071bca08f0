//! Accounts and access at the edge: the Account aggregate's event store, the KV look-ups,
//! tokens, sessions, rate limits, mail and OAuth, and how a presented credential becomes a
//! [`Principal`].

pub mod command;
pub mod config;
mod error;
pub mod flows;
mod identity;
pub mod index;
pub mod keys;
pub mod limits;
pub mod mail;
pub mod oauth;
pub mod password;
pub mod password_flows;
pub mod principal;
pub mod secrets;
pub mod tokens;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use async_nats::jetstream;
use futures::StreamExt;
use illustrator_accounts::{Account, AccountId, Register, Role, Scope};
use illustrator_eventstore::{EventLog, JetStreamStore, Namespace, StoreConfig};
use sqlx::PgPool;
use tokio::sync::watch;

pub use config::AccountsConfig;
pub use error::AccountsError;
pub use principal::{AuthCache, Credential, Principal};

use command::Actor;
use index::Index;
use limits::Limiter;
use mail::Mailer;
use tokens::Tokens;

/// Everything the account routes work with. Cheap to share through `App`.
pub struct Accounts {
    pub config: AccountsConfig,
    pub store: JetStreamStore<Account>,
    pub index: Index,
    pub tokens: Tokens,
    pub limiter: Limiter,
    pub mailer: Mailer,
    pub cache: Arc<AuthCache>,
    pub db: PgPool,
    bootstrap_seeded: AtomicBool,
}

async fn bucket(
    js: &jetstream::Context,
    ns: &Namespace,
    name: &str,
) -> anyhow::Result<jetstream::kv::Store> {
    let bucket = ns.kv_bucket(name);
    js.get_key_value(&bucket)
        .await
        .with_context(|| format!("opening the {bucket} bucket (run `illustrator setup-nats`)"))
}

impl Accounts {
    pub async fn open(
        js: &jetstream::Context,
        ns: &Namespace,
        config: AccountsConfig,
        db: PgPool,
    ) -> anyhow::Result<Accounts> {
        let store = JetStreamStore::new(js.clone(), ns, StoreConfig::default())
            .await
            .context("opening the account event store")?;
        let index = Index::new(bucket(js, ns, "accounts_index").await?);
        let tokens = Tokens::new(
            bucket(js, ns, "tokens").await?,
            bucket(js, ns, "sessions").await?,
        );
        let limiter = Limiter::new(bucket(js, ns, "rate_limits").await?);
        let mailer = Mailer::new(&config)?;
        let cache = Arc::new(AuthCache::new(config.auth_cache_ttl));

        Ok(Accounts {
            config,
            store,
            index,
            tokens,
            limiter,
            mailer,
            cache,
            db,
            bootstrap_seeded: AtomicBool::new(false),
        })
    }

    pub fn cost(&self) -> password::Cost {
        password::Cost {
            memory_kib: self.config.argon2_memory_kib,
            iterations: self.config.argon2_iterations,
        }
    }

    /// The principal a presented bearer credential stands for, or `None` when it is no
    /// valid credential (unknown, revoked, expired, or of a disabled account).
    pub async fn authenticate(
        &self,
        presented: &str,
        bootstrap: Option<&str>,
    ) -> Result<Option<Principal>, AccountsError> {
        let digest = secrets::digest(presented);
        if let Some(principal) = self.cache.get(&digest) {
            self.touch_key(&principal);
            return Ok(Some(principal));
        }

        let is_bootstrap = bootstrap.is_some_and(|key| secrets::same(key, presented));
        let found = if is_bootstrap {
            self.bootstrap_principal().await?
        } else if let Some((key_id, secret)) = secrets::parse_api_key(presented) {
            keys::verify(self, &key_id, secret).await?
        } else if presented.starts_with(secrets::SESSION_PREFIX) {
            self.session_principal(presented).await?
        } else {
            None
        };

        if let Some(principal) = &found {
            self.touch_key(principal);
            self.cache.put(digest, principal.clone());
        }
        Ok(found)
    }

    async fn session_principal(&self, token: &str) -> Result<Option<Principal>, AccountsError> {
        let Some(session) = self.tokens.session(token).await? else {
            return Ok(None);
        };
        let Some(account) = command::load(&self.store, session.account_id).await? else {
            return Ok(None);
        };

        if account.session_epoch != session.epoch {
            return Ok(None);
        }
        Ok(Principal::of(
            &account,
            Credential::Session,
            Scope::ALL.to_vec(),
        ))
    }

    /// Makes the superadmin account the bootstrap key acts as, unless it exists. Every
    /// process with a bootstrap key does this at start; replicas racing here all succeed.
    pub async fn seed_bootstrap(&self) -> Result<(), AccountsError> {
        if !self.bootstrap_seeded.load(Ordering::Relaxed) {
            self.seed_account(AccountId::bootstrap()).await?;
            self.bootstrap_seeded.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The bootstrap key acts as the seeded superadmin.
    async fn bootstrap_principal(&self) -> Result<Option<Principal>, AccountsError> {
        let id = AccountId::bootstrap();
        self.seed_bootstrap().await?;

        let account = command::load(&self.store, id).await?;
        let scopes = Scope::ALL.to_vec();
        Ok(account.and_then(|a| Principal::of(&a, Credential::Bootstrap, scopes)))
    }

    async fn seed_account(&self, id: AccountId) -> Result<(), AccountsError> {
        if command::load(&self.store, id).await?.is_some() {
            return Ok(());
        }
        let email = illustrator_accounts::normalize_email(&self.config.bootstrap_email)
            .ok_or_else(|| {
                AccountsError::Internal("ILLUSTRATOR_BOOTSTRAP_EMAIL is invalid".into())
            })?;
        if !self.index.reserve_email(&email, id).await? {
            return Err(AccountsError::Internal(
                "the bootstrap email belongs to another account".into(),
            ));
        }

        let actor = Actor {
            id: id.to_string(),
            correlation_id: "bootstrap".into(),
        };
        let register = Register {
            account_id: id,
            email,
            password_hash: None,
            role: Role::Superadmin,
            via: "bootstrap".into(),
            verified: true,
        };
        let seeded = command::execute(&self.store, id, &actor, move |ctx| {
            illustrator_accounts::AccountCommand::Register(ctx, Box::new(register.clone()))
        })
        .await;

        match seeded {
            Ok(_)
            | Err(AccountsError::Rejected(illustrator_accounts::AccountError::AlreadyRegistered)) =>
            {
                tracing::info!(user_id = %id, "bootstrap superadmin seeded");
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Records that a key was used, at most once a minute per key and process, off the
    /// request's path.
    fn touch_key(&self, principal: &Principal) {
        if let Credential::ApiKey(key_id) = &principal.credential {
            keys::touch(self, key_id);
        }
    }
}

/// Follows the account events and drops the cached credentials of every account that
/// changes, so revocations reach this process at once; ends with the shutdown signal.
pub async fn follow_changes(
    log: EventLog,
    ns: Namespace,
    cache: Arc<AuthCache>,
    mut shutdown: watch::Receiver<bool>,
) {
    let start = match log.last_seq().await {
        Ok(seq) => seq + 1,
        Err(error) => {
            tracing::error!(error = %error, "account change follower not started");
            return;
        }
    };
    let filter = ns.events_filter(illustrator_accounts::AGGREGATE_TYPE);
    let stream = match log.read_from(Some(filter), start).await {
        Ok(stream) => stream,
        Err(error) => {
            tracing::error!(error = %error, "account change follower not started");
            return;
        }
    };
    let mut stream = Box::pin(stream);

    loop {
        tokio::select! {
            commit = stream.next() => match commit {
                Some(Ok(commit)) => cache.forget_account(&commit.aggregate_id),
                Some(Err(error)) => tracing::warn!(error = %error, "account change unreadable"),
                None => return,
            },
            _ = shutdown.changed() => return,
        }
    }
}
