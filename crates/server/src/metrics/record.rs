//! The calls the rest of the server makes to record what happened.

use std::time::Duration;

use illustrator_analysis::Source;

use super::labels::*;
use super::metrics;

pub fn http_answered(route: &str, method: Method, status: u16, elapsed: Duration) {
    let m = metrics();
    let labels = HttpLabels {
        route: route.to_owned(),
        method,
        status: StatusClass::of(status),
    };
    m.http_requests.get_or_create(&labels).inc();

    let labels = RouteLabels {
        route: route.to_owned(),
        method,
    };
    m.http_duration
        .get_or_create(&labels)
        .observe(elapsed.as_secs_f64());
}

pub fn command_handled(command: CommandKind, outcome: CommandOutcome, elapsed: Duration) {
    let m = metrics();
    m.commands
        .get_or_create(&CommandLabels { command, outcome })
        .inc();
    m.command_duration
        .get_or_create(&CommandKindLabels { command })
        .observe(elapsed.as_secs_f64());
}

/// One delivery of a job finished; `elapsed` counts only deliveries that drew something.
pub fn job_attempt(source: Source, outcome: AttemptOutcome, elapsed: Option<Duration>) {
    let m = metrics();
    let source = SourceLabel(source);
    m.job_attempts
        .get_or_create(&AttemptLabels { source, outcome })
        .inc();
    if let Some(elapsed) = elapsed {
        m.job_duration
            .get_or_create(&SourceLabels { source })
            .observe(elapsed.as_secs_f64());
    }
}

/// A picture got its final outcome; `cost_milli_fen` is what its source charged.
pub fn picture_settled(source: Source, outcome: PictureOutcome, cost_milli_fen: u64) {
    let m = metrics();
    let source = SourceLabel(source);
    m.pictures
        .get_or_create(&PictureLabels { source, outcome })
        .inc();
    m.picture_cost
        .get_or_create(&SourceLabels { source })
        .inc_by(cost_milli_fen);
}

pub fn dead_letter(source: Source) {
    let labels = SourceLabels {
        source: SourceLabel(source),
    };
    metrics().dead_letters.get_or_create(&labels).inc();
}

pub fn projector_applied(projection: Projection, events: usize) {
    metrics()
        .projector_events
        .get_or_create(&ProjectionLabels { projection })
        .inc_by(events as u64);
}

pub fn quota_refused(reason: QuotaReason) {
    metrics()
        .quota_refusals
        .get_or_create(&QuotaLabels { reason })
        .inc();
}

/// Counts an open SSE stream for as long as it lives.
pub struct SseConnection(());

impl SseConnection {
    pub fn open() -> SseConnection {
        let m = metrics();
        m.sse_opened.inc();
        m.sse_open.inc();
        SseConnection(())
    }
}

impl Drop for SseConnection {
    fn drop(&mut self) {
        metrics().sse_open.dec();
    }
}

pub fn sse_client_dropped() {
    metrics().sse_dropped.inc();
}

/// Follows the NATS client's connection events.
pub fn nats_event(event: &async_nats::Event) {
    let m = metrics();
    match event {
        async_nats::Event::Connected => {
            m.nats_connected.set(1);
        }
        async_nats::Event::Disconnected => {
            m.nats_connected.set(0);
            m.nats_disconnects.inc();
        }
        async_nats::Event::Closed => {
            m.nats_connected.set(0);
        }
        _ => {}
    }
}
