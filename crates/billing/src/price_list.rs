//! The price list as an aggregate: it starts as the product's first price list (the seed)
//! and a superadmin amends it with events, so that every plan and price a bill was ever
//! computed with can be found again in the event stream.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::plans::{Catalogue, Plan, Price};

pub use illustrator_meta::{CommandContext, EventMeta};

/// Aggregate type name, used in subjects and event records.
pub const PRICE_LIST_TYPE: &str = "pricelist";

/// The id of the one price list.
pub const PRICE_LIST_ID: &str = "current";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PriceListEvent {
    /// A plan was added or replaced as a whole; it applies from the moment it is defined.
    PlanDefined { meta: EventMeta, plan: Plan },
    /// A price per picture takes effect at `price.effective_from`, which is never in the
    /// past, so that no closed month's bill changes.
    PriceScheduled { meta: EventMeta, price: Price },
}

impl PriceListEvent {
    /// The event type names, in declaration order.
    pub const TYPES: [&'static str; 2] = ["PlanDefined", "PriceScheduled"];

    /// Schema version of every price list event; bump it together with an upcaster.
    pub const VERSION: &'static str = "1";

    pub fn type_name(&self) -> &'static str {
        match self {
            PriceListEvent::PlanDefined { .. } => Self::TYPES[0],
            PriceListEvent::PriceScheduled { .. } => Self::TYPES[1],
        }
    }
}

impl DomainEvent for PriceListEvent {
    fn event_type(&self) -> String {
        self.type_name().to_owned()
    }

    fn event_version(&self) -> String {
        Self::VERSION.to_owned()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PriceListCommand {
    DefinePlan(CommandContext, Plan),
    SchedulePrice(CommandContext, Price),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriceListError {
    #[error("invalid plan: {0}")]
    InvalidPlan(String),
    #[error("a price cannot take effect in the past ({}, now {})",
        .effective_from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        .now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))]
    PastPrice {
        effective_from: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("a price cannot be negative")]
    NegativePrice,
}

/// The price list's state: the catalogue every bill reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    pub catalogue: Catalogue,
}

impl Default for PriceList {
    fn default() -> Self {
        PriceList {
            catalogue: Catalogue::seed(),
        }
    }
}

/// Plan ids appear in URLs, CSV lines and account records: short lowercase tokens.
fn check_plan(plan: &Plan) -> Result<(), PriceListError> {
    let id_ok = !plan.id.is_empty()
        && plan.id.len() <= 32
        && plan
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let problem = if !id_ok {
        "the id is 1 to 32 of a-z, 0-9 and -"
    } else if plan.name.trim().is_empty() {
        "the name is empty"
    } else if plan.monthly_price_fen < 0 {
        "the monthly price is negative"
    } else if plan.sources.is_empty() {
        "the plan includes no source"
    } else if plan.monthly_budget.is_some_and(|b| b.0 < 0) {
        "the monthly budget is negative"
    } else {
        return Ok(());
    };
    Err(PriceListError::InvalidPlan(problem.to_owned()))
}

impl PriceList {
    fn decide(&self, command: PriceListCommand) -> Result<Vec<PriceListEvent>, PriceListError> {
        match command {
            PriceListCommand::DefinePlan(ctx, plan) => {
                check_plan(&plan)?;
                if self.catalogue.plan(&plan.id) == Some(&plan) {
                    return Ok(Vec::new());
                }
                Ok(vec![PriceListEvent::PlanDefined {
                    meta: ctx.meta(),
                    plan,
                }])
            }
            PriceListCommand::SchedulePrice(ctx, price) => {
                if price.unit.0 < 0 {
                    return Err(PriceListError::NegativePrice);
                }
                if price.effective_from < ctx.at {
                    return Err(PriceListError::PastPrice {
                        effective_from: price.effective_from,
                        now: ctx.at,
                    });
                }
                if self.catalogue.prices.contains(&price) {
                    return Ok(Vec::new());
                }
                Ok(vec![PriceListEvent::PriceScheduled {
                    meta: ctx.meta(),
                    price,
                }])
            }
        }
    }
}

crate::aggregate!(
    PriceList,
    PRICE_LIST_TYPE,
    PriceListCommand,
    PriceListEvent,
    PriceListError
);

impl PriceList {
    /// Puts one event onto the state.
    pub fn evolve(&mut self, event: PriceListEvent) {
        let catalogue = &mut self.catalogue;
        match event {
            PriceListEvent::PlanDefined { plan, .. } => {
                match catalogue.plans.iter_mut().find(|p| p.id == plan.id) {
                    Some(existing) => *existing = plan,
                    None => catalogue.plans.push(plan),
                }
            }
            PriceListEvent::PriceScheduled { price, .. } => {
                // A second price for the same source and moment replaces the first, which
                // has not taken effect yet.
                catalogue.prices.retain(|p| {
                    !(p.source == price.source && p.effective_from == price.effective_from)
                });
                catalogue.prices.push(price);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use illustrator_analysis::Source;

    use super::*;
    use crate::money::MilliFen;

    fn ctx() -> CommandContext {
        CommandContext {
            actor: "root".into(),
            correlation_id: "c".into(),
            at: Utc
                .with_ymd_and_hms(2026, 12, 4, 8, 0, 0)
                .single()
                .expect("test step"),
        }
    }

    fn run(list: &mut PriceList, command: PriceListCommand) -> Result<usize, PriceListError> {
        let events = list.decide(command)?;
        let count = events.len();
        for event in events {
            list.evolve(event);
        }
        Ok(count)
    }

    #[test]
    fn a_scheduled_price_applies_from_its_date_and_never_to_the_past() {
        let mut list = PriceList::default();
        let from = ctx().at + Duration::days(27);
        let price = Price {
            source: Source::Flux,
            effective_from: from,
            unit: MilliFen(800),
        };

        assert_eq!(
            run(
                &mut list,
                PriceListCommand::SchedulePrice(ctx(), price.clone())
            ),
            Ok(1)
        );
        assert_eq!(
            run(
                &mut list,
                PriceListCommand::SchedulePrice(ctx(), price.clone())
            ),
            Ok(0)
        );
        assert_eq!(
            list.catalogue.price(Source::Flux, ctx().at),
            MilliFen(1_000)
        );
        assert_eq!(list.catalogue.price(Source::Flux, from), MilliFen(800));

        let past = Price {
            effective_from: ctx().at - Duration::seconds(1),
            ..price
        };
        assert!(matches!(
            run(&mut list, PriceListCommand::SchedulePrice(ctx(), past)),
            Err(PriceListError::PastPrice { .. })
        ));
    }

    #[test]
    fn a_plan_is_replaced_whole_and_checked() {
        let mut list = PriceList::default();
        let mut basic = list.catalogue.plan("basic").cloned().expect("test step");
        basic.daily_limit = Some(150);

        assert_eq!(
            run(
                &mut list,
                PriceListCommand::DefinePlan(ctx(), basic.clone())
            ),
            Ok(1)
        );
        assert_eq!(list.catalogue.plan("basic"), Some(&basic));
        assert_eq!(list.catalogue.plans.len(), 4);

        let bad = Plan {
            id: "Team Plan".into(),
            ..basic
        };
        assert!(matches!(
            run(&mut list, PriceListCommand::DefinePlan(ctx(), bad)),
            Err(PriceListError::InvalidPlan(_))
        ));
    }
}
