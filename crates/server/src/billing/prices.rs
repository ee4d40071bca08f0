//! The price list at the edge: every process reads it from its events at start and again
//! every few seconds, so that a superadmin's change reaches every replica without a
//! restart; the process that made the change reads it at once.

use std::time::Duration;

use illustrator_billing::{
    CommandContext, PRICE_LIST_ID, Plan, Price, PriceList, PriceListCommand, PriceListError,
};
use tokio::sync::watch;

use super::{Billing, BillingError, execute, load, metadata};
use crate::app::App;

/// How often a process reads the price list again.
pub const REFRESH: Duration = Duration::from_secs(2);

impl Billing {
    /// Reads the price list from its events into memory.
    pub async fn refresh(&self) -> Result<(), BillingError<PriceListError>> {
        let list: PriceList = load(&self.price_list, PRICE_LIST_ID).await?;
        self.set_catalogue(list.catalogue);
        Ok(())
    }

    /// Adds or replaces a plan, as `ctx.actor`.
    pub async fn define_plan(
        &self,
        ctx: CommandContext,
        plan: Plan,
    ) -> Result<bool, BillingError<PriceListError>> {
        self.change(ctx, |ctx| PriceListCommand::DefinePlan(ctx, plan))
            .await
    }

    /// Schedules a price per picture, as `ctx.actor`.
    pub async fn schedule_price(
        &self,
        ctx: CommandContext,
        price: Price,
    ) -> Result<bool, BillingError<PriceListError>> {
        self.change(ctx, |ctx| PriceListCommand::SchedulePrice(ctx, price))
            .await
    }

    /// Runs one change of the price list and reads it again; `false` when it changed
    /// nothing (the same plan or price again).
    async fn change(
        &self,
        ctx: CommandContext,
        command: impl FnOnce(CommandContext) -> PriceListCommand,
    ) -> Result<bool, BillingError<PriceListError>> {
        let meta = metadata(&ctx.actor, &ctx.correlation_id);
        let committed = execute(&self.price_list, PRICE_LIST_ID, command(ctx), meta).await?;

        self.refresh().await?;
        Ok(!committed.is_empty())
    }
}

/// Keeps this process's copy of the price list current until shutdown.
pub async fn follow(app: App, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(REFRESH) => {}
            _ = stop.changed() => return,
        }
        if let Err(error) = app.billing.refresh().await {
            tracing::warn!(error = %error, "the price list could not be read");
        }
    }
}
