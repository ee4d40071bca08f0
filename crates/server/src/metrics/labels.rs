//! Label sets of every metric family. Each value comes from a closed set: a route template,
//! an enum of this module or a picture source. Nothing here can hold a user, a document or a
//! raw path, so no series set grows with traffic.

use illustrator_analysis::Source;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};

/// Declares a closed label value: an enum whose variants encode as fixed lowercase words.
macro_rules! label_value {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl EncodeLabelValue for $name {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
                EncodeLabelValue::encode(&self.as_str(), encoder)
            }
        }
    };
}

label_value!(
    /// The request method; anything unusual is `other`, so that clients cannot add series.
    Method {
        Get => "GET", Head => "HEAD", Post => "POST", Put => "PUT", Patch => "PATCH",
        Delete => "DELETE", Options => "OPTIONS", Other => "other",
    }
);

impl Method {
    pub fn from_http(method: &axum::http::Method) -> Method {
        match method.as_str() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            _ => Method::Other,
        }
    }
}

label_value!(
    /// The first digit of an HTTP status.
    StatusClass { Informational => "1xx", Success => "2xx", Redirect => "3xx",
        ClientError => "4xx", ServerError => "5xx" }
);

impl StatusClass {
    pub fn of(status: u16) -> StatusClass {
        match status {
            500.. => StatusClass::ServerError,
            400..=499 => StatusClass::ClientError,
            300..=399 => StatusClass::Redirect,
            200..=299 => StatusClass::Success,
            _ => StatusClass::Informational,
        }
    }
}

label_value!(
    /// The Document aggregate's commands.
    CommandKind { Illustrate => "illustrate", RecordOutcome => "record_outcome",
        Complete => "complete", SelectCandidate => "select_candidate",
        Regenerate => "regenerate" }
);

label_value!(
    /// What became of a command: events appended, nothing to append, refused by the
    /// aggregate, lost the optimistic lock every time, or the store failed.
    CommandOutcome { Committed => "committed", Unchanged => "unchanged",
        Rejected => "rejected", Conflict => "conflict", Error => "error" }
);

label_value!(
    /// What one delivery of a job ended in.
    AttemptOutcome { Generated => "generated", Failed => "failed", Retried => "retried",
        HandedBack => "handed_back", Dropped => "dropped" }
);

label_value!(
    /// A picture's final outcome.
    PictureOutcome { Generated => "generated", Failed => "failed" }
);

label_value!(
    /// The read models.
    Projection { Documents => "documents" }
);

impl Projection {
    /// The label of a projection's name, `None` for one this module does not know yet.
    pub fn named(name: &str) -> Option<Projection> {
        match name {
            "documents" => Some(Projection::Documents),
            _ => None,
        }
    }
}

label_value!(
    /// The streams whose size operators watch.
    StreamName { Events => "events", Jobs => "jobs", DeadLetters => "dead_letters" }
);

label_value!(
    /// Why a request was refused for quota.
    QuotaReason { DailyImages => "daily_images", Budget => "budget" }
);

label_value!(
    /// Pooled Postgres connections, busy or idle.
    PoolState { Busy => "busy", Idle => "idle" }
);

/// A picture source as a label value (the nine sources are a closed set).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub struct SourceLabel(pub Source);

impl EncodeLabelValue for SourceLabel {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        EncodeLabelValue::encode(&self.0.as_str(), encoder)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The route template (`/v1/documents/{id}`), or `unmatched`: never the raw path.
    pub route: String,
    pub method: Method,
    pub status: StatusClass,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub method: Method,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandLabels {
    pub command: CommandKind,
    pub outcome: CommandOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandKindLabels {
    pub command: CommandKind,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SourceLabels {
    pub source: SourceLabel,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttemptLabels {
    pub source: SourceLabel,
    pub outcome: AttemptOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PictureLabels {
    pub source: SourceLabel,
    pub outcome: PictureOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProjectionLabels {
    pub projection: Projection,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StreamLabels {
    pub stream: StreamName,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QuotaLabels {
    pub reason: QuotaReason,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub state: PoolState,
}
