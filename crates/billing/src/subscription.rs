//! The Subscription aggregate: one account's paid plan, its monthly period, its renewal and
//! the reminder before it. The scheduler asks it what is due; because every decision is a
//! commit with the expected sequence, replicas asking at the same moment renew or remind
//! once between them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Months, Utc};
use cqrs_es::DomainEvent;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use illustrator_meta::{CommandContext, EventMeta};

/// Aggregate type name, used in subjects and event records.
pub const SUBSCRIPTION_TYPE: &str = "subscription";

/// Periods renewed by one command at most: a scheduler that was down for two years catches
/// up over a few ticks instead of writing an unbounded commit.
const CATCH_UP: usize = 24;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SubscriptionEvent {
    /// A paid plan's first period began.
    SubscriptionStarted {
        meta: EventMeta,
        user: String,
        plan: String,
        period_start: DateTime<Utc>,
        period_end: DateTime<Utc>,
        monthly_price_fen: i64,
    },
    /// The next period began, at the plan's price at that moment.
    SubscriptionRenewed {
        meta: EventMeta,
        user: String,
        plan: String,
        period_start: DateTime<Utc>,
        period_end: DateTime<Utc>,
        monthly_price_fen: i64,
    },
    /// The subscriber is to be told that the period renews at `renews_at`; the mail goes
    /// out from this event, once.
    RenewalReminded {
        meta: EventMeta,
        user: String,
        plan: String,
        renews_at: DateTime<Utc>,
        monthly_price_fen: i64,
    },
    /// The subscription runs to the end of its period and does not renew.
    RenewalCancelled {
        meta: EventMeta,
        user: String,
        ends_at: DateTime<Utc>,
    },
    /// The subscription is over and the account moves to `next_plan`: the default plan
    /// when a cancelled period ran out, or the plan an admin chose.
    SubscriptionEnded {
        meta: EventMeta,
        user: String,
        plan: String,
        ended_at: DateTime<Utc>,
        reason: String,
        next_plan: String,
    },
}

impl SubscriptionEvent {
    /// The event type names, in declaration order.
    pub const TYPES: [&'static str; 5] = [
        "SubscriptionStarted",
        "SubscriptionRenewed",
        "RenewalReminded",
        "RenewalCancelled",
        "SubscriptionEnded",
    ];

    /// Schema version of every subscription event; bump it together with an upcaster.
    pub const VERSION: &'static str = "1";

    pub fn type_name(&self) -> &'static str {
        let position = match self {
            SubscriptionEvent::SubscriptionStarted { .. } => 0,
            SubscriptionEvent::SubscriptionRenewed { .. } => 1,
            SubscriptionEvent::RenewalReminded { .. } => 2,
            SubscriptionEvent::RenewalCancelled { .. } => 3,
            SubscriptionEvent::SubscriptionEnded { .. } => 4,
        };
        Self::TYPES[position]
    }
}

impl DomainEvent for SubscriptionEvent {
    fn event_type(&self) -> String {
        self.type_name().to_owned()
    }

    fn event_version(&self) -> String {
        Self::VERSION.to_owned()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionCommand {
    /// Subscribe `user` to a paid plan from now on; the same plan again changes nothing.
    Start {
        ctx: CommandContext,
        user: String,
        plan: String,
        monthly_price_fen: i64,
    },
    /// Renew, end or remind, whatever is due at `ctx.at`. `prices` holds each plan's
    /// monthly price now; `lead` is how long before the renewal the reminder goes out.
    Due {
        ctx: CommandContext,
        prices: BTreeMap<String, i64>,
        lead: Duration,
    },
    /// Stop renewing: the plan lasts to the end of the paid period.
    Cancel(CommandContext),
    /// End at once, as when an admin moves the account to a plan without subscription:
    /// the reason, and that plan.
    End(CommandContext, String, String),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    #[error("there is no paid subscription")]
    NotSubscribed,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub user: String,
    /// The paid plan; `None` when there is no subscription.
    pub plan: Option<String>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub monthly_price_fen: i64,
    pub renews: bool,
    /// The renewal a reminder has gone out for.
    pub reminded_for: Option<DateTime<Utc>>,
}

/// One month after `at`, on the same day of the month (or the month's last day).
pub fn next_period_end(at: DateTime<Utc>) -> DateTime<Utc> {
    at.checked_add_months(Months::new(1))
        .unwrap_or(at + Duration::days(30))
}

impl Subscription {
    fn active(&self) -> Option<(&str, DateTime<Utc>)> {
        Some((self.plan.as_deref()?, self.period_end?))
    }

    fn decide(
        &self,
        command: SubscriptionCommand,
    ) -> Result<Vec<SubscriptionEvent>, SubscriptionError> {
        match command {
            SubscriptionCommand::Start {
                ctx,
                user,
                plan,
                monthly_price_fen,
            } => {
                if self.plan.as_deref() == Some(plan.as_str()) && self.renews {
                    return Ok(Vec::new());
                }
                Ok(vec![SubscriptionEvent::SubscriptionStarted {
                    meta: ctx.meta(),
                    user,
                    plan,
                    period_start: ctx.at,
                    period_end: next_period_end(ctx.at),
                    monthly_price_fen,
                }])
            }
            SubscriptionCommand::Due { ctx, prices, lead } => Ok(self.due(&ctx, &prices, lead)),
            SubscriptionCommand::Cancel(ctx) => {
                let (_, ends_at) = self.active().ok_or(SubscriptionError::NotSubscribed)?;
                if !self.renews {
                    return Ok(Vec::new());
                }
                Ok(vec![SubscriptionEvent::RenewalCancelled {
                    meta: ctx.meta(),
                    user: self.user.clone(),
                    ends_at,
                }])
            }
            SubscriptionCommand::End(ctx, reason, next_plan) => {
                let Some((plan, _)) = self.active() else {
                    return Ok(Vec::new());
                };
                Ok(vec![SubscriptionEvent::SubscriptionEnded {
                    meta: ctx.meta(),
                    user: self.user.clone(),
                    plan: plan.to_owned(),
                    ended_at: ctx.at,
                    reason,
                    next_plan,
                }])
            }
        }
    }

    /// The renewals, the end or the reminder due at `ctx.at`, in that order.
    fn due(
        &self,
        ctx: &CommandContext,
        prices: &BTreeMap<String, i64>,
        lead: Duration,
    ) -> Vec<SubscriptionEvent> {
        let Some((plan, mut end)) = self.active() else {
            return Vec::new();
        };
        let price = prices.get(plan).copied().unwrap_or(self.monthly_price_fen);
        let mut events = Vec::new();

        if end <= ctx.at && !self.renews {
            events.push(SubscriptionEvent::SubscriptionEnded {
                meta: ctx.meta(),
                user: self.user.clone(),
                plan: plan.to_owned(),
                ended_at: end,
                reason: "the subscription was cancelled and its period is over".into(),
                next_plan: crate::plans::DEFAULT_PLAN.to_owned(),
            });
            return events;
        }
        while end <= ctx.at && events.len() < CATCH_UP {
            let next = next_period_end(end);
            events.push(SubscriptionEvent::SubscriptionRenewed {
                meta: ctx.meta(),
                user: self.user.clone(),
                plan: plan.to_owned(),
                period_start: end,
                period_end: next,
                monthly_price_fen: price,
            });
            end = next;
        }

        let reminded = self.reminded_for == Some(end);
        if self.renews && !reminded && end > ctx.at && end - lead <= ctx.at {
            events.push(SubscriptionEvent::RenewalReminded {
                meta: ctx.meta(),
                user: self.user.clone(),
                plan: plan.to_owned(),
                renews_at: end,
                monthly_price_fen: price,
            });
        }
        events
    }
}

crate::aggregate!(
    Subscription,
    SUBSCRIPTION_TYPE,
    SubscriptionCommand,
    SubscriptionEvent,
    SubscriptionError
);

impl Subscription {
    /// Puts one event onto the state.
    pub fn evolve(&mut self, event: SubscriptionEvent) {
        match event {
            SubscriptionEvent::SubscriptionStarted {
                user,
                plan,
                period_start,
                period_end,
                monthly_price_fen,
                ..
            }
            | SubscriptionEvent::SubscriptionRenewed {
                user,
                plan,
                period_start,
                period_end,
                monthly_price_fen,
                ..
            } => {
                self.user = user;
                self.plan = Some(plan);
                self.period_start = Some(period_start);
                self.period_end = Some(period_end);
                self.monthly_price_fen = monthly_price_fen;
                self.renews = true;
            }
            SubscriptionEvent::RenewalReminded { renews_at, .. } => {
                self.reminded_for = Some(renews_at);
            }
            SubscriptionEvent::RenewalCancelled { .. } => self.renews = false,
            SubscriptionEvent::SubscriptionEnded { user, .. } => {
                *self = Subscription {
                    user,
                    ..Subscription::default()
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0)
            .single()
            .expect("test step")
    }

    fn ctx(at: DateTime<Utc>) -> CommandContext {
        CommandContext {
            actor: "scheduler".into(),
            correlation_id: "c".into(),
            at,
        }
    }

    fn run(sub: &mut Subscription, command: SubscriptionCommand) -> Vec<&'static str> {
        let events = sub.decide(command).expect("test step");
        let names = events.iter().map(|e| e.type_name()).collect();
        for event in events {
            sub.evolve(event);
        }
        names
    }

    fn due(at: DateTime<Utc>) -> SubscriptionCommand {
        SubscriptionCommand::Due {
            ctx: ctx(at),
            prices: BTreeMap::from([("pro".to_owned(), 12_900)]),
            lead: Duration::days(3),
        }
    }

    fn pro(at: DateTime<Utc>) -> Subscription {
        let mut sub = Subscription::default();
        let start = SubscriptionCommand::Start {
            ctx: ctx(at),
            user: "u".into(),
            plan: "pro".into(),
            monthly_price_fen: 9_900,
        };
        assert_eq!(run(&mut sub, start), ["SubscriptionStarted"]);
        sub
    }

    #[test]
    fn the_reminder_goes_out_once_before_the_renewal_at_the_new_price() {
        let mut sub = pro(at(1, 0));
        assert_eq!(
            sub.period_end,
            Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap())
        );

        assert!(run(&mut sub, due(at(28, 23))).is_empty());
        assert_eq!(run(&mut sub, due(at(29, 1))), ["RenewalReminded"]);
        assert!(run(&mut sub, due(at(30, 1))).is_empty());

        let renewal = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(run(&mut sub, due(renewal)), ["SubscriptionRenewed"]);
        assert_eq!(sub.monthly_price_fen, 12_900);
        assert_eq!(
            sub.period_end,
            Some(Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap())
        );
    }

    #[test]
    fn missed_periods_are_renewed_in_order_and_a_cancelled_one_ends() {
        let mut sub = pro(at(1, 0));
        let late = Utc.with_ymd_and_hms(2027, 3, 30, 0, 0, 0).unwrap();
        assert_eq!(
            run(&mut sub, due(late)),
            [
                "SubscriptionRenewed",
                "SubscriptionRenewed",
                "SubscriptionRenewed",
                "RenewalReminded"
            ]
        );

        assert_eq!(
            run(&mut sub, SubscriptionCommand::Cancel(ctx(late))),
            ["RenewalCancelled"]
        );
        assert!(run(&mut sub, SubscriptionCommand::Cancel(ctx(late))).is_empty());
        let over = Utc.with_ymd_and_hms(2027, 4, 1, 0, 0, 0).unwrap();
        assert_eq!(run(&mut sub, due(over)), ["SubscriptionEnded"]);
        assert_eq!(sub.plan, None);
        assert_eq!(
            sub.decide(SubscriptionCommand::Cancel(ctx(over))),
            Err(SubscriptionError::NotSubscribed)
        );
    }
}
