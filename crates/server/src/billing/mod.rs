//! The edge of billing: the stores of the Usage, PriceList and Subscription aggregates, the
//! price list every replica keeps in memory, the quota day's calendar and clock;
//! reservations on submission, settlement by the workers, subscriptions and their
//! scheduler, the finance export and the auditors' replay.

mod clock;
mod command;
pub mod export;
pub mod prices;
pub mod quota;
pub mod scheduler;
pub mod settle;
pub mod subscriptions;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use illustrator_accounts::Role;
use illustrator_billing::{Calendar, Catalogue, Plan, PriceList, Subscription, Usage};
use illustrator_eventstore::JetStreamStore;

pub use clock::Clock;
pub use command::{BillingError, execute, load};

use crate::accounts::Principal;

pub struct Billing {
    pub usage: JetStreamStore<Usage>,
    pub price_list: JetStreamStore<PriceList>,
    pub subscriptions: JetStreamStore<Subscription>,
    /// The price list as last read from its events; `prices::follow` keeps it current.
    catalogue: RwLock<Arc<Catalogue>>,
    pub calendar: Calendar,
    pub clock: Clock,
}

impl Billing {
    pub fn new(
        usage: JetStreamStore<Usage>,
        price_list: JetStreamStore<PriceList>,
        subscriptions: JetStreamStore<Subscription>,
        calendar: Calendar,
    ) -> Billing {
        Billing {
            usage,
            price_list,
            subscriptions,
            catalogue: RwLock::new(Arc::new(Catalogue::seed())),
            calendar,
            clock: Clock::default(),
        }
    }

    /// Every plan and price, as this process last read them.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        match self.catalogue.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn set_catalogue(&self, catalogue: Catalogue) {
        let mut current = match self.catalogue.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        if **current != catalogue {
            *current = Arc::new(catalogue);
        }
    }

    /// The plan of an account, or the default plan when its name is not in the list.
    pub fn plan(&self, id: &str) -> Plan {
        let catalogue = self.catalogue();
        catalogue
            .plan(id)
            .or_else(|| catalogue.plan(illustrator_billing::DEFAULT_PLAN))
            .or_else(|| catalogue.plans.first())
            .cloned()
            .unwrap_or_else(|| Catalogue::seed().plans.swap_remove(0))
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
