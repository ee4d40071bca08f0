//! What the edges ask of the Usage aggregate. The server reads the clock, the plan and the
//! prices and hands them in, so that the aggregate stays a pure decision.

use chrono::NaiveDate;
use illustrator_analysis::Source;

use crate::events::ReservedJob;
use crate::money::MilliFen;

pub use illustrator_meta::CommandContext;

/// Where a command's usage counts: whose, which quota day and which billing month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub user: String,
    pub plan: String,
    pub month: String,
    pub day: NaiveDate,
}

/// Hold places for pictures within the plan's limits, or refuse them all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reserve {
    pub account: Account,
    pub jobs: Vec<ReservedJob>,
    pub daily_limit: Option<u32>,
    pub monthly_budget: Option<MilliFen>,
}

/// Bill one drawn picture; a picture without a reservation (an unlimited account's) is
/// billed all the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub account: Account,
    pub job_id: String,
    pub source: Source,
    pub unit: MilliFen,
}

/// An admin's credit or amendment of a month's bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correct {
    pub account: Account,
    pub source: Source,
    pub pictures: i64,
    pub amount: MilliFen,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsageCommand {
    Reserve(CommandContext, Reserve),
    Record(CommandContext, Record),
    /// Give a reserved picture's place back, with the reason.
    Release(CommandContext, String, String),
    Correct(CommandContext, Correct),
}
