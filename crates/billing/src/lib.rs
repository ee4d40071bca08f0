//! Billing without I/O: plans and prices as data (the PriceList aggregate), money as
//! integers, the quota day in the configured zone, the Usage aggregate that decides
//! reservations, the Subscription aggregate that renews and reminds, and the finance CSV.
//!
//! The server reads the clock, the account's plan and the stores, and hands the results in;
//! nothing here reads a clock, a file or the network.

/// Implements `cqrs_es::Aggregate` for a type of this crate whose inherent `decide` (a
/// command to its events, or a refusal) and `evolve` (one event onto the state) hold all of
/// its logic: the aggregates here differ in nothing else.
macro_rules! aggregate {
    ($aggregate:ty, $type:expr, $command:ty, $event:ty, $error:ty) => {
        impl cqrs_es::Aggregate for $aggregate {
            const TYPE: &'static str = $type;
            type Command = $command;
            type Event = $event;
            type Error = $error;
            type Services = ();

            async fn handle(
                &mut self,
                command: Self::Command,
                _services: &Self::Services,
                sink: &cqrs_es::event_sink::EventSink<Self>,
            ) -> Result<(), Self::Error> {
                for event in self.decide(command)? {
                    sink.write(event, self).await;
                }
                Ok(())
            }

            fn apply(&mut self, event: Self::Event) {
                self.evolve(event);
            }
        }
    };
}
pub(crate) use aggregate;

mod calendar;
mod commands;
mod csv;
mod error;
mod events;
mod money;
mod plans;
mod price_list;
mod replay;
mod subscription;
mod usage;

pub use calendar::{Calendar, month_of, parse_month};
pub use commands::{Account, CommandContext, Correct, Record, Reserve, UsageCommand};
pub use csv::{BillRow, render_csv};
pub use error::UsageError;
pub use events::{EventMeta, ReservedJob, UsageEvent};
pub use money::MilliFen;
pub use plans::{Catalogue, DEFAULT_PLAN, Plan, Price};
pub use price_list::{
    PRICE_LIST_ID, PRICE_LIST_TYPE, PriceList, PriceListCommand, PriceListError, PriceListEvent,
};
pub use replay::{Difference, FeedError, FeedParser, bills, compare, from_cloud_event};
pub use subscription::{
    SUBSCRIPTION_TYPE, Subscription, SubscriptionCommand, SubscriptionError, SubscriptionEvent,
    next_period_end,
};
pub use usage::{AGGREGATE_TYPE, DayCount, Line, Pending, Usage};
