//! The edge of billing: the Usage aggregate's store, the plans and prices, the quota day's
//! calendar and clock; reservations on submission, settlement by the workers, the finance
//! export and the auditors' replay.

mod clock;
mod command;
pub mod export;
pub mod quota;
pub mod settle;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use illustrator_accounts::Role;
use illustrator_billing::{Calendar, Catalogue, Plan, Usage};
use illustrator_eventstore::JetStreamStore;

pub use clock::Clock;
pub use command::{BillingError, execute, load};

use crate::accounts::Principal;

pub struct Billing {
    pub usage: JetStreamStore<Usage>,
    pub catalogue: Catalogue,
    pub calendar: Calendar,
    pub clock: Clock,
}

impl Billing {
    pub fn new(usage: JetStreamStore<Usage>, calendar: Calendar) -> Billing {
        Billing {
            usage,
            catalogue: Catalogue::seed(),
            calendar,
            clock: Clock::default(),
        }
    }

    /// The plan of an account, or the default plan when its name is not in the list.
    pub fn plan(&self, id: &str) -> &Plan {
        self.catalogue
            .plan(id)
            .or_else(|| self.catalogue.plan(illustrator_billing::DEFAULT_PLAN))
            .unwrap_or(&self.catalogue.plans[0])
    }

    /// Whether a caller's pictures skip the quota: superadmins and unlimited plans. Their
    /// pictures are still billed when drawn.
    pub fn unlimited(&self, principal: &Principal) -> bool {
        principal.role == Role::Superadmin || self.plan(&principal.plan).unlimited()
    }

    /// The aggregate id of a user's month, `<user>-<yyyymm>`.
    pub fn month_id(&self, user: &str, at: DateTime<Utc>) -> String {
        let month = self.calendar.month(at).replace('-', "");
        format!("{user}-{month}")
    }
}

/// Event metadata of a billing command.
pub fn metadata(actor: &str, correlation_id: &str) -> HashMap<String, String> {
    HashMap::from([
        ("actor".to_owned(), actor.to_owned()),
        ("correlation_id".to_owned(), correlation_id.to_owned()),
    ])
}
