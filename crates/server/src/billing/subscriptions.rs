//! Subscriptions at the edge: an admin's choice of plan starts or ends one, a subscriber
//! cancels the renewal, and the scheduler asks each due one what to do.

use std::collections::BTreeMap;

use illustrator_billing::{
    CommandContext, Subscription, SubscriptionCommand, SubscriptionError, SubscriptionEvent,
};

use super::{BillingError, execute, load, metadata};
use crate::app::App;

pub type Outcome<T> = Result<T, BillingError<SubscriptionError>>;

/// Starts a subscription to a plan with a monthly price, or ends the current one when the
/// account moves to a plan without one.
pub async fn follow_plan(app: &App, user: &str, plan: &str, ctx: CommandContext) -> Outcome<()> {
    let price = app.billing.plan(plan).monthly_price_fen;
    let command = if price > 0 {
        SubscriptionCommand::Start {
            ctx: ctx.clone(),
            user: user.to_owned(),
            plan: plan.to_owned(),
            monthly_price_fen: price,
        }
    } else {
        let reason = format!("moved to the {plan} plan");
        SubscriptionCommand::End(ctx.clone(), reason, plan.to_owned())
    };

    let meta = metadata(&ctx.actor, &ctx.correlation_id);
    execute(&app.billing.subscriptions, user, command, meta).await?;
    Ok(())
}

/// Stops the renewal of `user`'s subscription; the plan lasts to the end of the period.
pub async fn cancel(app: &App, user: &str, ctx: CommandContext) -> Outcome<Subscription> {
    let meta = metadata(&ctx.actor, &ctx.correlation_id);
    execute(
        &app.billing.subscriptions,
        user,
        SubscriptionCommand::Cancel(ctx),
        meta,
    )
    .await?;
    current(app, user).await
}

/// The subscription as its events say now.
pub async fn current(app: &App, user: &str) -> Outcome<Subscription> {
    load(&app.billing.subscriptions, user).await
}

/// Renews, ends or reminds `user`'s subscription as far as is due now, and returns the
/// events that this call committed (none when another replica was first).
pub async fn settle_due(app: &App, user: &str) -> Outcome<Vec<SubscriptionEvent>> {
    let billing = &app.billing;
    let prices: BTreeMap<String, i64> = billing
        .catalogue()
        .plans
        .iter()
        .map(|plan| (plan.id.clone(), plan.monthly_price_fen))
        .collect();
    let ctx = CommandContext {
        actor: "scheduler".into(),
        correlation_id: uuid::Uuid::new_v4().to_string(),
        at: billing.clock.now(),
    };

    let meta = metadata("scheduler", &ctx.correlation_id);
    let command = SubscriptionCommand::Due {
        ctx,
        prices,
        lead: app.config.reminder_lead,
    };
    let committed = execute(&billing.subscriptions, user, command, meta).await?;
    Ok(committed.into_iter().map(|e| e.payload).collect())
}
