//! The facts of quota and usage. Past tense, one enum, versions in one place.

use chrono::NaiveDate;
use cqrs_es::DomainEvent;
use illustrator_analysis::Source;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::money::MilliFen;

pub use illustrator_meta::EventMeta;

/// One picture a submission holds a place for until it is drawn or given up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReservedJob {
    pub job_id: String,
    /// The dearest price the picture's chain of sources may cost.
    pub amount: MilliFen,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum UsageEvent {
    /// A submission or regeneration was admitted and holds places for its pictures.
    QuotaReserved {
        meta: EventMeta,
        user: String,
        plan: String,
        month: String,
        day: NaiveDate,
        jobs: Vec<ReservedJob>,
    },
    /// A reserved picture was not drawn, or its document was never committed: its place
    /// and money go back.
    QuotaReleased {
        meta: EventMeta,
        user: String,
        month: String,
        day: NaiveDate,
        job_id: String,
        amount: MilliFen,
        reason: String,
    },
    /// A picture was drawn and is billed: one event per generated candidate.
    UsageRecorded {
        meta: EventMeta,
        user: String,
        plan: String,
        month: String,
        day: NaiveDate,
        job_id: String,
        source: Source,
        unit: MilliFen,
    },
    /// An admin's correction: `pictures` and `amount` are added to the bill (negative for
    /// a credit), with the reason finance and auditors read.
    UsageCorrected {
        meta: EventMeta,
        user: String,
        /// The plan the account had when corrected, which the export line names.
        plan: String,
        month: String,
        day: NaiveDate,
        source: Source,
        pictures: i64,
        amount: MilliFen,
        reason: String,
    },
}

impl UsageEvent {
    /// The event type names, in declaration order.
    pub const TYPES: [&'static str; 4] = [
        "QuotaReserved",
        "QuotaReleased",
        "UsageRecorded",
        "UsageCorrected",
    ];

    /// Schema version of every usage event; bump it together with an upcaster.
    pub const VERSION: &'static str = "1";

    pub fn type_name(&self) -> &'static str {
        let position = match self {
            UsageEvent::QuotaReserved { .. } => 0,
            UsageEvent::QuotaReleased { .. } => 1,
            UsageEvent::UsageRecorded { .. } => 2,
            UsageEvent::UsageCorrected { .. } => 3,
        };
        Self::TYPES[position]
    }

    pub fn meta(&self) -> &EventMeta {
        match self {
            UsageEvent::QuotaReserved { meta, .. }
            | UsageEvent::QuotaReleased { meta, .. }
            | UsageEvent::UsageRecorded { meta, .. }
            | UsageEvent::UsageCorrected { meta, .. } => meta,
        }
    }

    pub fn user(&self) -> &str {
        match self {
            UsageEvent::QuotaReserved { user, .. }
            | UsageEvent::QuotaReleased { user, .. }
            | UsageEvent::UsageRecorded { user, .. }
            | UsageEvent::UsageCorrected { user, .. } => user,
        }
    }
}

impl DomainEvent for UsageEvent {
    fn event_type(&self) -> String {
        self.type_name().to_owned()
    }

    fn event_version(&self) -> String {
        Self::VERSION.to_owned()
    }
}
