//! Two readers of the subscription events: the `subscriptions` read model that the scheduler
//! and the API read, and their effects: the renewal reminder mail, and the account's plan
//! following its subscription.
//!
//! The effects run as a projection: each is carried out inside the transaction that moves
//! the checkpoint, under the checkpoint's row lock, so that of several projector replicas
//! exactly one carries it out, and a crash before the commit carries it out again after the
//! restart rather than never. The effects are never rebuilt.

use chrono::{DateTime, Utc};
use cqrs_es::AggregateContext;
use illustrator_billing::{SUBSCRIPTION_TYPE, SubscriptionEvent};
use illustrator_eventstore::Commit;
use sqlx::{Postgres, Transaction};

use illustrator_accounts::{AccountCommand, AccountId};

use super::{Projection, ProjectorError};
use crate::accounts::AccountsError;
use crate::accounts::command::{self, Actor};
use crate::app::App;

type Tx = Transaction<'static, Postgres>;

fn events(commit: &Commit) -> Result<Vec<SubscriptionEvent>, ProjectorError> {
    commit
        .events
        .iter()
        .map(|raw| super::decode(commit, raw))
        .collect()
}

pub struct SubscriptionsProjection;

impl Projection for SubscriptionsProjection {
    const NAME: &'static str = "subscriptions";

    fn filter(app: &App) -> String {
        app.ns.events_filter(SUBSCRIPTION_TYPE)
    }

    async fn apply(&self, tx: &mut Tx, commit: &Commit) -> Result<(), ProjectorError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM subscriptions WHERE user_id = $1")
                .bind(&commit.aggregate_id)
                .fetch_optional(&mut **tx)
                .await?;
        super::follows(commit, row.map(|(version,)| version))?;

        sqlx::query(
            "INSERT INTO subscriptions (user_id, version, updated_at) VALUES ($1, 0, $2) \
             ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(&commit.aggregate_id)
        .bind(commit.time)
        .execute(&mut **tx)
        .await?;
        for event in events(commit)? {
            apply_event(tx, &commit.aggregate_id, &event).await?;
        }

        sqlx::query("UPDATE subscriptions SET version = $2, updated_at = $3 WHERE user_id = $1")
            .bind(&commit.aggregate_id)
            .bind(commit.last_sequence() as i64)
            .bind(commit.time)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn clear(&self, tx: &mut Tx) -> Result<(), ProjectorError> {
        sqlx::query("DELETE FROM subscriptions")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

async fn apply_event(
    tx: &mut Tx,
    user: &str,
    event: &SubscriptionEvent,
) -> Result<(), sqlx::Error> {
    let query = match event {
        SubscriptionEvent::SubscriptionStarted {
            plan,
            period_start,
            period_end,
            monthly_price_fen,
            ..
        }
        | SubscriptionEvent::SubscriptionRenewed {
            plan,
            period_start,
            period_end,
            monthly_price_fen,
            ..
        } => sqlx::query(
            "UPDATE subscriptions SET plan = $2, period_start = $3, period_end = $4, \
             monthly_price_fen = $5, renews = true WHERE user_id = $1",
        )
        .bind(user)
        .bind(plan)
        .bind(period_start)
        .bind(period_end)
        .bind(monthly_price_fen),
        SubscriptionEvent::RenewalReminded { renews_at, .. } => {
            sqlx::query("UPDATE subscriptions SET reminded_for = $2 WHERE user_id = $1")
                .bind(user)
                .bind(renews_at)
        }
        SubscriptionEvent::RenewalCancelled { .. } => {
            sqlx::query("UPDATE subscriptions SET renews = false WHERE user_id = $1").bind(user)
        }
        SubscriptionEvent::SubscriptionEnded { .. } => sqlx::query(
            "UPDATE subscriptions SET plan = NULL, period_start = NULL, period_end = NULL, \
             monthly_price_fen = 0, renews = false, reminded_for = NULL WHERE user_id = $1",
        )
        .bind(user),
    };
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Mails each renewal reminder once, and puts an account on the plan of a subscription
/// that started and on the next plan of one that ended.
pub struct SubscriptionEffects {
    pub app: App,
}

impl Projection for SubscriptionEffects {
    const NAME: &'static str = "subscription_effects";

    fn filter(app: &App) -> String {
        app.ns.events_filter(SUBSCRIPTION_TYPE)
    }

    async fn apply(&self, tx: &mut Tx, commit: &Commit) -> Result<(), ProjectorError> {
        for event in events(commit)? {
            match event {
                SubscriptionEvent::RenewalReminded {
                    user,
                    plan,
                    renews_at,
                    monthly_price_fen,
                    ..
                } => {
                    self.remind(tx, &user, &plan, renews_at, monthly_price_fen)
                        .await?
                }
                SubscriptionEvent::SubscriptionStarted { user, plan, .. }
                | SubscriptionEvent::SubscriptionEnded {
                    user,
                    next_plan: plan,
                    ..
                } => self.put_on_plan(&user, plan, commit).await?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Mails and plan changes cannot be taken back: a rebuild leaves them alone.
    async fn clear(&self, _tx: &mut Tx) -> Result<(), ProjectorError> {
        Ok(())
    }
}

impl SubscriptionEffects {
    /// Changes the account's plan, which changes nothing when an admin already did.
    async fn put_on_plan(
        &self,
        user: &str,
        plan: String,
        commit: &Commit,
    ) -> Result<(), ProjectorError> {
        let Ok(id) = AccountId::parse(user) else {
            return Ok(());
        };
        let actor = Actor {
            id: "scheduler".into(),
            correlation_id: commit.correlation_id().to_owned(),
        };
        let store = &self.app.accounts.store;
        let changed = command::execute(store, id, &actor, move |c| {
            AccountCommand::ChangePlan(c, plan.clone())
        })
        .await;
        match changed {
            Ok(_) => Ok(()),
            // NATS failed: retried with the whole batch.
            Err(e @ (AccountsError::Store { .. } | AccountsError::Conflict)) => Err(
                ProjectorError::Stream(format!("changing an account's plan: {e}")),
            ),
            // The account refuses (it was never registered): nothing to follow.
            Err(error) => {
                tracing::warn!(user_id = %user, error = %error, "plan not followed");
                Ok(())
            }
        }
    }

    async fn remind(
        &self,
        tx: &mut Tx,
        user: &str,
        plan: &str,
        renews_at: DateTime<Utc>,
        price_fen: i64,
    ) -> Result<(), ProjectorError> {
        let app = &self.app;

        // A reminder read long after its renewal (a projector that was down for the whole
        // lead) would only confuse; the renewal's own event tells the rest.
        if renews_at <= app.billing.clock.now() {
            tracing::info!(user_id = %user, renews_at = %renews_at, "stale reminder skipped");
            return Ok(());
        }
        let inserted = sqlx::query(
            "INSERT INTO renewal_reminders (user_id, renews_at, plan, sent_at) \
             VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .bind(renews_at)
        .bind(plan)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(());
        }

        let mut account = app
            .accounts
            .store
            .load(user)
            .await
            .map_err(|e| ProjectorError::Stream(e.to_string()))?;
        let email = account.aggregate().email.clone();
        let plan_name = app.billing.plan(plan).name;
        let local = renews_at.with_timezone(&app.billing.calendar.zone);
        let text = format!(
            "Your {plan_name} subscription to Markdown Illustrator renews on {} for {} yuan.\n\n\
             Nothing needs doing to keep it. To let it end with the paid period instead, run\n\
             `mi subscription cancel` or ask an administrator before then.\n",
            local.format("%Y-%m-%d %H:%M (UTC%:z)"),
            yuan(price_fen),
        );
        let sent = app
            .accounts
            .mailer
            .send_text(&email, "Your subscription renews soon", &text)
            .await;
        match sent {
            Ok(()) => {}
            // No deliverable address: nobody to remind, and retrying will not change that.
            Err(AccountsError::Invalid(reason)) => {
                tracing::warn!(user_id = %user, reason = %reason, "reminder not deliverable");
                return Ok(());
            }
            Err(error) => return Err(ProjectorError::Mail(error.to_string())),
        }
        tracing::info!(user_id = %user, plan = %plan, renews_at = %renews_at,
            "renewal reminder mailed");
        Ok(())
    }
}

/// Fen as yuan with two decimals: 9900 is "99.00".
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}
