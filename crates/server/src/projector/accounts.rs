//! The `accounts` read model: users and their API keys, for admin listings and searches.
//! Look-ups on the request path use the KV index and the aggregate instead, which are
//! never behind.

use illustrator_accounts::{AccountEvent, DEFAULT_PLAN, EventMeta};
use illustrator_eventstore::Commit;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::{Projection, ProjectorError};
use crate::app::App;

pub struct AccountsProjection;

type Tx = Transaction<'static, Postgres>;

impl Projection for AccountsProjection {
    const NAME: &'static str = "accounts";

    fn filter(app: &App) -> String {
        app.ns.events_filter(illustrator_accounts::AGGREGATE_TYPE)
    }

    async fn apply(&self, tx: &mut Tx, commit: &Commit) -> Result<(), ProjectorError> {
        let bad = |event_type: &str, reason: String| ProjectorError::BadEvent {
            stream_seq: commit.stream_seq,
            event_type: event_type.to_owned(),
            reason,
        };
        let id = Uuid::parse_str(&commit.aggregate_id).map_err(|e| bad("commit", e.to_string()))?;

        super::check_contiguous(tx, "users", id, commit).await?;

        for raw in &commit.events {
            let event: AccountEvent = serde_json::from_value(raw.payload.clone())
                .map_err(|e| bad(&raw.event_type, e.to_string()))?;
            apply_event(tx, id, &event).await?;
        }

        sqlx::query("UPDATE users SET version = $2, last_stream_seq = $3 WHERE id = $1")
            .bind(id)
            .bind(commit.last_sequence() as i64)
            .bind(commit.stream_seq as i64)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn clear(&self, tx: &mut Tx) -> Result<(), ProjectorError> {
        sqlx::query("DELETE FROM users").execute(&mut **tx).await?;
        Ok(())
    }
}

/// Sets one column of the user and its `updated_at`.
async fn set(
    tx: &mut Tx,
    id: Uuid,
    meta: &EventMeta,
    assignment: &'static str,
    value: impl sqlx::Encode<'static, Postgres> + sqlx::Type<Postgres> + Send + 'static,
) -> Result<(), ProjectorError> {
    let sql = format!("UPDATE users SET {assignment}, updated_at = $3 WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(value)
        .bind(meta.at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn apply_event(tx: &mut Tx, id: Uuid, event: &AccountEvent) -> Result<(), ProjectorError> {
    match event {
        AccountEvent::UserRegistered {
            meta,
            email,
            role,
            via,
            ..
        } => {
            sqlx::query(
                "INSERT INTO users (id, email, role, via, plan, version, last_stream_seq, \
                   created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $6)",
            )
            .bind(id)
            .bind(email)
            .bind(role.as_str())
            .bind(via)
            .bind(DEFAULT_PLAN)
            .bind(meta.at)
            .execute(&mut **tx)
            .await?;
        }
        AccountEvent::EmailVerified { meta } => set(tx, id, meta, "verified = $2", true).await?,
        AccountEvent::PasswordChanged { meta, .. } => {
            set(tx, id, meta, "verified = verified OR $2", false).await?
        }
        AccountEvent::RoleChanged { meta, role } => {
            set(tx, id, meta, "role = $2", role.as_str().to_owned()).await?
        }
        AccountEvent::UserDisabled { meta } => set(tx, id, meta, "disabled = $2", true).await?,
        AccountEvent::UserEnabled { meta } => set(tx, id, meta, "disabled = $2", false).await?,
        AccountEvent::PlanChanged { meta, plan } => {
            set(tx, id, meta, "plan = $2", plan.clone()).await?
        }
        AccountEvent::IdentityLinked {
            meta,
            provider,
            subject,
        } => {
            let identity = format!("{provider}:{subject}");
            set(
                tx,
                id,
                meta,
                "identities = array_append(identities, $2)",
                identity,
            )
            .await?
        }
        AccountEvent::ApiKeyIssued {
            meta,
            key_id,
            name,
            scopes,
            ..
        } => {
            let scopes: Vec<String> = scopes.iter().map(|s| s.as_str().to_owned()).collect();
            sqlx::query(
                "INSERT INTO api_keys (id, user_id, name, scopes, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(key_id.as_str())
            .bind(id)
            .bind(name)
            .bind(scopes)
            .bind(meta.at)
            .execute(&mut **tx)
            .await?;
        }
        AccountEvent::ApiKeyRevoked { meta, key_id } => {
            sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND user_id = $3")
                .bind(key_id.as_str())
                .bind(meta.at)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}
