//! Billing without I/O: plans and prices as data (the PriceList aggregate), money as
//! integers, the quota day in the configured zone, the Usage aggregate that decides
//! reservations, the Subscription aggregate that renews and reminds, and the finance CSV.
//!
//! The server reads the clock, the account's plan and the stores, and hands the results in;
//! nothing here reads a clock, a file or the network.

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
pub use replay::{Difference, bills, compare, from_cloud_event};
pub use subscription::{
    SUBSCRIPTION_TYPE, Subscription, SubscriptionCommand, SubscriptionError, SubscriptionEvent,
    next_period_end,
};
pub use usage::{AGGREGATE_TYPE, DayCount, Line, Pending, Usage};
