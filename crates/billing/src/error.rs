//! Why the Usage aggregate refuses a command; each variant names the limit for the caller.

use chrono::NaiveDate;

use crate::money::MilliFen;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error(
        "the daily limit of {limit} pictures is reached for {day} ({used} used, {asked} asked)"
    )]
    DailyLimit {
        limit: u32,
        day: NaiveDate,
        used: u32,
        asked: u32,
    },
    #[error(
        "the monthly budget of {budget} fen is reached for {month} ({committed} committed, \
             {asked} asked)"
    )]
    MonthlyBudget {
        budget: MilliFen,
        month: String,
        committed: MilliFen,
        asked: MilliFen,
    },
    #[error("a correction needs a reason")]
    NoReason,
}
