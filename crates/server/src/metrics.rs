//! Prometheus metrics, in one registry built once. Labels take values from closed sets
//! (route templates, sources, outcomes), never ids.

use std::sync::OnceLock;
use std::time::Duration;

use illustrator_analysis::Source;
use illustrator_eventstore::Commit;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The route template, or `unmatched`.
    pub route: String,
    pub method: String,
    /// `2xx`, `3xx`, `4xx` or `5xx`.
    pub status: &'static str,
}

pub fn status_class(status: u16) -> &'static str {
    match status {
        500.. => "5xx",
        400..=499 => "4xx",
        300..=399 => "3xx",
        _ => "2xx",
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub source: String,
    pub outcome: JobOutcome,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum JobOutcome {
    Generated,
    Failed,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SourceLabels {
    pub source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProjectionLabels {
    pub projection: String,
}

pub struct Metrics {
    pub registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Family<RouteLabels, Histogram>,
    pub jobs: Family<JobLabels, Counter>,
    pub job_duration: Family<SourceLabels, Histogram>,
    pub projector_events: Family<ProjectionLabels, Counter>,
    pub projector_lag: Family<ProjectionLabels, Gauge<f64, std::sync::atomic::AtomicU64>>,
    pub sse_connections: Counter,
}

fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("illustrator");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration =
            Family::<RouteLabels, Histogram>::new_with_constructor(seconds_histogram);
        let jobs = Family::<JobLabels, Counter>::default();
        let job_duration =
            Family::<SourceLabels, Histogram>::new_with_constructor(seconds_histogram);
        let projector_events = Family::<ProjectionLabels, Counter>::default();
        let projector_lag = Family::default();
        let sse_connections = Counter::default();

        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            http_duration.clone(),
        );
        registry.register("jobs", "Image jobs finished", jobs.clone());
        registry.register(
            "job_duration_seconds",
            "Time to draw, store and record one picture",
            job_duration.clone(),
        );
        registry.register(
            "projector_events",
            "Commits applied to a read model",
            projector_events.clone(),
        );
        registry.register(
            "projector_lag_seconds",
            "Age of the last commit a projection applied, when it applied it",
            projector_lag.clone(),
        );
        registry.register(
            "sse_connections",
            "Server-sent event streams opened",
            sse_connections.clone(),
        );

        Metrics {
            registry,
            http_requests,
            http_duration,
            jobs,
            job_duration,
            projector_events,
            projector_lag,
            sse_connections,
        }
    }
}

pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

pub fn encode() -> String {
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &metrics().registry).is_err() {
        text.clear();
    }
    text
}

pub fn http_answered(route: &str, method: &str, status: u16, elapsed: Duration) {
    let m = metrics();
    m.http_requests
        .get_or_create(&HttpLabels {
            route: route.to_owned(),
            method: method.to_owned(),
            status: status_class(status),
        })
        .inc();
    m.http_duration
        .get_or_create(&RouteLabels {
            route: route.to_owned(),
        })
        .observe(elapsed.as_secs_f64());
}

pub fn job_finished(source: Source, generated: bool, elapsed: Duration) {
    let m = metrics();
    let outcome = if generated {
        JobOutcome::Generated
    } else {
        JobOutcome::Failed
    };
    m.jobs
        .get_or_create(&JobLabels {
            source: source.as_str().to_owned(),
            outcome,
        })
        .inc();
    m.job_duration
        .get_or_create(&SourceLabels {
            source: source.as_str().to_owned(),
        })
        .observe(elapsed.as_secs_f64());
}

pub fn projector_applied(projection: &str, commits: usize, last: Option<&Commit>) {
    let m = metrics();
    let labels = ProjectionLabels {
        projection: projection.to_owned(),
    };
    m.projector_events
        .get_or_create(&labels)
        .inc_by(commits as u64);
    if let Some(commit) = last {
        let lag = (chrono::Utc::now() - commit.time).num_milliseconds().max(0) as f64 / 1000.0;
        m.projector_lag.get_or_create(&labels).set(lag);
    }
}

pub fn sse_connected() {
    metrics().sse_connections.inc();
}
