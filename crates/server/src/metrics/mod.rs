//! Prometheus metrics, in one registry built once per process and served at `/metrics`.
//!
//! Names follow Prometheus's conventions: an `illustrator_` prefix, base units in the name
//! (`_seconds`, `_bytes`), `_total` on counters. Label sets are the types of `labels.rs`,
//! whose values come from closed sets. Gauges that describe shared state (the backlog, the
//! projector's lag, stream sizes) are sampled by `sampler.rs` in every process, so
//! dashboards take their `max` across replicas.

mod encode;
mod labels;
mod record;
mod sampler;

use std::sync::OnceLock;
use std::sync::atomic::AtomicU64;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

pub use encode::{encode, encode_classic};
pub use labels::*;
pub use record::*;
pub use sampler::{sample, spawn_sampler};

type FloatGauge = Gauge<f64, AtomicU64>;

pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Family<RouteLabels, Histogram>,
    pub commands: Family<CommandLabels, Counter>,
    pub command_duration: Family<CommandKindLabels, Histogram>,
    pub dispatch_pending: Gauge,
    pub oldest_dispatch_age: FloatGauge,
    pub jobs_pending: Family<SourceLabels, Gauge>,
    pub oldest_job_age: FloatGauge,
    pub job_attempts: Family<AttemptLabels, Counter>,
    pub job_duration: Family<SourceLabels, Histogram>,
    pub dead_letters: Family<SourceLabels, Counter>,
    pub pictures: Family<PictureLabels, Counter>,
    pub picture_cost: Family<SourceLabels, Counter>,
    pub projector_events: Family<ProjectionLabels, Counter>,
    pub projector_lag: Family<ProjectionLabels, FloatGauge>,
    pub sse_open: Gauge,
    pub sse_opened: Counter,
    pub sse_dropped: Counter,
    pub quota_refusals: Family<QuotaLabels, Counter>,
    pub nats_connected: Gauge,
    pub nats_disconnects: Counter,
    pub postgres_up: Gauge,
    pub postgres_connections: Family<PoolLabels, Gauge>,
    pub stream_messages: Family<StreamLabels, Gauge>,
    pub stream_bytes: Family<StreamLabels, Gauge>,
    pub stream_max_bytes: Family<StreamLabels, Gauge>,
}

/// Buckets from 0.5 ms to about 16 s, doubling.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Metrics {
    fn new() -> Metrics {
        let mut r = Registry::with_prefix("illustrator");
        let m = Metrics {
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor(seconds),
            commands: Family::default(),
            command_duration: Family::new_with_constructor(seconds),
            dispatch_pending: Gauge::default(),
            oldest_dispatch_age: FloatGauge::default(),
            jobs_pending: Family::default(),
            oldest_job_age: FloatGauge::default(),
            job_attempts: Family::default(),
            job_duration: Family::new_with_constructor(seconds),
            dead_letters: Family::default(),
            pictures: Family::default(),
            picture_cost: Family::default(),
            projector_events: Family::default(),
            projector_lag: Family::default(),
            sse_open: Gauge::default(),
            sse_opened: Counter::default(),
            sse_dropped: Counter::default(),
            quota_refusals: Family::default(),
            nats_connected: Gauge::default(),
            nats_disconnects: Counter::default(),
            postgres_up: Gauge::default(),
            postgres_connections: Family::default(),
            stream_messages: Family::default(),
            stream_bytes: Family::default(),
            stream_max_bytes: Family::default(),
            registry: Registry::default(),
        };

        r.register(
            "http_requests",
            "HTTP requests answered",
            m.http_requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, to the first byte of the body",
            m.http_duration.clone(),
        );
        r.register("commands", "Document commands handled", m.commands.clone());
        r.register(
            "command_duration_seconds",
            "Time to load, decide and append one command",
            m.command_duration.clone(),
        );
        r.register(
            "dispatch_pending",
            "Document commits the dispatcher has not turned into jobs yet",
            m.dispatch_pending.clone(),
        );
        r.register(
            "dispatch_oldest_pending_age_seconds",
            "Age of the oldest commit the dispatcher has not finished; 0 when none waits",
            m.oldest_dispatch_age.clone(),
        );
        r.register(
            "jobs_pending",
            "Image jobs waiting in the work queue or being drawn",
            m.jobs_pending.clone(),
        );
        r.register(
            "job_oldest_pending_age_seconds",
            "Age of the oldest job still in the work queue; 0 when it is empty",
            m.oldest_job_age.clone(),
        );
        r.register(
            "job_attempts",
            "Job deliveries a worker finished, by what became of them",
            m.job_attempts.clone(),
        );
        r.register(
            "job_duration_seconds",
            "Time to draw, store and record one picture",
            m.job_duration.clone(),
        );
        r.register(
            "job_dead_letters",
            "Jobs given up after their last delivery",
            m.dead_letters.clone(),
        );
        r.register(
            "pictures",
            "Pictures settled, by outcome",
            m.pictures.clone(),
        );
        r.register(
            "picture_cost_milli_fen",
            "Money spent on pictures, in thousandths of a fen",
            m.picture_cost.clone(),
        );
        r.register(
            "projector_events",
            "Events applied to a read model",
            m.projector_events.clone(),
        );
        r.register(
            "projector_lag_seconds",
            "Age of the oldest commit a read model has not applied yet; 0 when caught up",
            m.projector_lag.clone(),
        );
        r.register("sse_connections", "Open SSE streams", m.sse_open.clone());
        r.register(
            "sse_connections_opened",
            "SSE streams opened",
            m.sse_opened.clone(),
        );
        r.register(
            "sse_clients_dropped",
            "SSE clients dropped because they fell too far behind",
            m.sse_dropped.clone(),
        );
        r.register(
            "quota_refusals",
            "Requests refused because a quota or budget was used up",
            m.quota_refusals.clone(),
        );
        r.register(
            "nats_connected",
            "1 while the NATS connection is up",
            m.nats_connected.clone(),
        );
        r.register(
            "nats_disconnects",
            "Times the NATS connection was lost",
            m.nats_disconnects.clone(),
        );
        r.register(
            "postgres_up",
            "1 when the last Postgres probe succeeded",
            m.postgres_up.clone(),
        );
        r.register(
            "postgres_pool_connections",
            "Pooled Postgres connections",
            m.postgres_connections.clone(),
        );
        r.register(
            "stream_messages",
            "Messages held by a JetStream stream",
            m.stream_messages.clone(),
        );
        r.register(
            "stream_bytes",
            "Bytes held by a JetStream stream",
            m.stream_bytes.clone(),
        );
        r.register(
            "stream_max_bytes",
            "Configured size limit of a JetStream stream",
            m.stream_max_bytes.clone(),
        );

        m.zeroes();
        Metrics { registry: r, ..m }
    }

    /// Series that alerts compare over time start at zero, so that the first event counts
    /// as an increase rather than as a new series.
    fn zeroes(&self) {
        for source in illustrator_analysis::Source::ALL {
            let source = SourceLabel(source);
            let _ = self.dead_letters.get_or_create(&SourceLabels { source });
            for outcome in [PictureOutcome::Generated, PictureOutcome::Failed] {
                let _ = self
                    .pictures
                    .get_or_create(&PictureLabels { source, outcome });
            }
        }
        for reason in [QuotaReason::DailyImages, QuotaReason::Budget] {
            let _ = self.quota_refusals.get_or_create(&QuotaLabels { reason });
        }
        let documents = ProjectionLabels {
            projection: Projection::Documents,
        };
        let _ = self.projector_events.get_or_create(&documents);
        let _ = self.projector_lag.get_or_create(&documents);
    }
}

pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}
