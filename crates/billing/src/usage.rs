//! The Usage aggregate: one user's quota and bill for one billing month. It decides every
//! reservation, so two concurrent submissions can never both take the last place: the
//! loser's commit fails the optimistic lock and is decided again on the new state.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use illustrator_analysis::Source;
use serde::{Deserialize, Serialize};

use crate::commands::{Correct, Record, Reserve, UsageCommand};
use crate::error::UsageError;
use crate::events::UsageEvent;
use crate::money::MilliFen;

/// Aggregate type name, used in subjects and event records.
pub const AGGREGATE_TYPE: &str = "usage";

/// Pictures of one quota day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub used: u32,
    pub reserved: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub day: NaiveDate,
    pub amount: MilliFen,
}

/// One line of a month's bill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub pictures: i64,
    pub amount: MilliFen,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub user: String,
    pub month: String,
    pub days: BTreeMap<NaiveDate, DayCount>,
    pub pending: BTreeMap<String, Pending>,
    /// Jobs already billed or released, so that a redelivered job changes nothing.
    pub settled: BTreeSet<String>,
    pub spent: MilliFen,
    pub held: MilliFen,
    pub by_source: BTreeMap<Source, Line>,
}

impl Usage {
    pub fn day(&self, day: NaiveDate) -> DayCount {
        self.days.get(&day).copied().unwrap_or_default()
    }

    pub fn pictures(&self) -> i64 {
        self.by_source.values().map(|line| line.pictures).sum()
    }

    fn reserve(&self, command: &Reserve) -> Result<bool, UsageError> {
        let fresh: Vec<_> = command
            .jobs
            .iter()
            .filter(|job| !self.pending.contains_key(&job.job_id))
            .filter(|job| !self.settled.contains(&job.job_id))
            .collect();
        if fresh.len() != command.jobs.len() {
            // A replayed submission: its pictures hold their places already.
            return Ok(false);
        }

        let day = command.account.day;
        let count = self.day(day);
        let asked = fresh.len() as u32;
        if let Some(limit) = command.daily_limit
            && count.used + count.reserved + asked > limit
        {
            return Err(UsageError::DailyLimit {
                limit,
                day,
                used: count.used + count.reserved,
                asked,
            });
        }

        let money: MilliFen = fresh.iter().map(|job| job.amount).sum();
        let committed = self.spent + self.held;
        if let Some(budget) = command.monthly_budget
            && committed + money > budget
        {
            return Err(UsageError::MonthlyBudget {
                budget,
                month: command.account.month.clone(),
                committed,
                asked: money,
            });
        }
        Ok(true)
    }

    fn decide(&self, command: UsageCommand) -> Result<Vec<UsageEvent>, UsageError> {
        let events = match command {
            UsageCommand::Reserve(ctx, reserve) => {
                if command_is_empty(&reserve) || !self.reserve(&reserve)? {
                    return Ok(Vec::new());
                }
                let account = reserve.account;
                vec![UsageEvent::QuotaReserved {
                    meta: ctx.meta(),
                    user: account.user,
                    plan: account.plan,
                    month: account.month,
                    day: account.day,
                    jobs: reserve.jobs,
                }]
            }
            UsageCommand::Record(ctx, record) => {
                if self.settled.contains(&record.job_id) {
                    return Ok(Vec::new());
                }
                let Record {
                    account,
                    job_id,
                    source,
                    unit,
                } = record;
                let day = self.pending.get(&job_id).map_or(account.day, |p| p.day);
                vec![UsageEvent::UsageRecorded {
                    meta: ctx.meta(),
                    user: account.user,
                    plan: account.plan,
                    month: account.month,
                    day,
                    job_id,
                    source,
                    unit,
                }]
            }
            UsageCommand::Release(ctx, job_id, reason) => {
                let Some(pending) = self.pending.get(&job_id) else {
                    return Ok(Vec::new());
                };
                vec![UsageEvent::QuotaReleased {
                    meta: ctx.meta(),
                    user: self.user.clone(),
                    month: self.month.clone(),
                    day: pending.day,
                    job_id,
                    amount: pending.amount,
                    reason,
                }]
            }
            UsageCommand::Correct(ctx, correct) => {
                let Correct {
                    account,
                    source,
                    pictures,
                    amount,
                    reason,
                } = correct;
                if reason.trim().is_empty() {
                    return Err(UsageError::NoReason);
                }
                vec![UsageEvent::UsageCorrected {
                    meta: ctx.meta(),
                    user: account.user,
                    plan: account.plan,
                    month: account.month,
                    day: account.day,
                    source,
                    pictures,
                    amount,
                    reason,
                }]
            }
        };
        Ok(events)
    }
}

fn command_is_empty(reserve: &Reserve) -> bool {
    reserve.jobs.is_empty()
}

crate::aggregate!(Usage, AGGREGATE_TYPE, UsageCommand, UsageEvent, UsageError);

impl Usage {
    /// Puts one event onto the state.
    pub fn evolve(&mut self, event: UsageEvent) {
        if self.user.is_empty() {
            self.user = event.user().to_owned();
        }

        match event {
            UsageEvent::QuotaReserved {
                month, day, jobs, ..
            } => {
                self.month = month;
                let count = self.days.entry(day).or_default();
                count.reserved += jobs.len() as u32;
                for job in jobs {
                    self.held += job.amount;
                    let pending = Pending {
                        day,
                        amount: job.amount,
                    };
                    self.pending.insert(job.job_id, pending);
                }
            }
            UsageEvent::QuotaReleased { job_id, .. } => {
                if let Some(pending) = self.pending.remove(&job_id) {
                    self.held = self.held - pending.amount;
                    let count = self.days.entry(pending.day).or_default();
                    count.reserved = count.reserved.saturating_sub(1);
                }
                self.settled.insert(job_id);
            }
            UsageEvent::UsageRecorded {
                month,
                day,
                job_id,
                source,
                unit,
                ..
            } => {
                self.month = month;
                if let Some(pending) = self.pending.remove(&job_id) {
                    self.held = self.held - pending.amount;
                    let count = self.days.entry(pending.day).or_default();
                    count.reserved = count.reserved.saturating_sub(1);
                }
                self.days.entry(day).or_default().used += 1;
                self.spent += unit;
                let line = self.by_source.entry(source).or_default();
                line.pictures += 1;
                line.amount += unit;
                self.settled.insert(job_id);
            }
            UsageEvent::UsageCorrected {
                month,
                day,
                source,
                pictures,
                amount,
                ..
            } => {
                self.month = month;
                let count = self.days.entry(day).or_default();
                let used = i64::from(count.used) + pictures;
                count.used = u32::try_from(used.max(0)).unwrap_or(u32::MAX);
                self.spent += amount;
                let line = self.by_source.entry(source).or_default();
                line.pictures += pictures;
                line.amount += amount;
            }
        }
    }
}
