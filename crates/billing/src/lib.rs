//! Billing without I/O: plans and prices as data, money as integers, the quota day in the
//! configured zone, the Usage aggregate that decides reservations, and the finance CSV.
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
mod replay;
mod usage;

pub use calendar::{Calendar, month_of, parse_month};
pub use commands::{Account, CommandContext, Correct, Record, Reserve, UsageCommand};
pub use csv::{BillRow, render_csv};
pub use error::UsageError;
pub use events::{EventMeta, ReservedJob, UsageEvent};
pub use money::MilliFen;
pub use plans::{Catalogue, DEFAULT_PLAN, Plan, Price};
pub use replay::{Difference, bills, compare, from_cloud_event};
pub use usage::{AGGREGATE_TYPE, DayCount, Line, Pending, Usage};
