//! Differences between a consumer file and the consumer the server holds.

use std::time::Duration;

use async_nats::jetstream::consumer;

use super::diff::{Change, change, count, limit, text};
use super::units::show_span;

/// Settings where the server's consumer differs from the file's. A zero in the file means
/// the server default and is not compared.
pub(crate) fn consumer_changes(
    want: &consumer::pull::Config,
    have: &consumer::Config,
) -> Vec<Change> {
    let mut changes = Vec::new();

    let recreate = |field, from: String, to: String| Change {
        destructive: true,
        recreate: true,
        ..change(field, from, to)
    };
    if want.filter_subject != have.filter_subject {
        let (from, to) = (have.filter_subject.clone(), want.filter_subject.clone());
        changes.push(recreate("filter_subject", from, to));
    }
    if want.deliver_policy != have.deliver_policy {
        let (from, to) = (
            format!("{:?}", have.deliver_policy),
            format!("{:?}", want.deliver_policy),
        );
        changes.push(recreate("deliver_policy", from, to));
    }
    if want.ack_policy != have.ack_policy {
        let (from, to) = (
            format!("{:?}", have.ack_policy),
            format!("{:?}", want.ack_policy),
        );
        changes.push(recreate("ack_policy", from, to));
    }

    if !want.ack_wait.is_zero() && want.ack_wait != have.ack_wait {
        changes.push(change(
            "ack_wait",
            show_span(have.ack_wait),
            show_span(want.ack_wait),
        ));
    }
    if limit(want.max_deliver) != limit(have.max_deliver) {
        let (from, to) = (
            count(limit(have.max_deliver)),
            count(limit(want.max_deliver)),
        );
        changes.push(change("max_deliver", from, to));
    }
    if want.backoff != have.backoff {
        changes.push(change(
            "backoff",
            spans(&have.backoff),
            spans(&want.backoff),
        ));
    }
    if want.max_ack_pending != 0 && want.max_ack_pending != have.max_ack_pending {
        let (from, to) = (
            have.max_ack_pending.to_string(),
            want.max_ack_pending.to_string(),
        );
        changes.push(change("max_ack_pending", from, to));
    }
    if want.max_waiting != 0 && want.max_waiting != have.max_waiting {
        let (from, to) = (have.max_waiting.to_string(), want.max_waiting.to_string());
        changes.push(change("max_waiting", from, to));
    }
    if text(&want.description) != text(&have.description) {
        changes.push(change(
            "description",
            text(&have.description),
            text(&want.description),
        ));
    }

    changes
}

fn spans(spans: &[Duration]) -> String {
    let shown: Vec<String> = spans.iter().map(|span| show_span(*span)).collect();
    format!("[{}]", shown.join(","))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use async_nats::jetstream::consumer::{self, AckPolicy, DeliverPolicy};

    use super::consumer_changes;

    fn held() -> consumer::Config {
        consumer::Config {
            durable_name: Some("w".into()),
            filter_subject: "mi.jobs.>".into(),
            ack_policy: AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_deliver: 5,
            max_ack_pending: 1000,
            ..Default::default()
        }
    }

    fn wanted() -> consumer::pull::Config {
        consumer::pull::Config {
            durable_name: Some("w".into()),
            filter_subject: "mi.jobs.>".into(),
            ack_policy: AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_deliver: 5,
            max_ack_pending: 1000,
            ..Default::default()
        }
    }

    #[test]
    fn the_same_consumer_has_no_changes() {
        assert!(consumer_changes(&wanted(), &held()).is_empty());
    }

    #[test]
    fn limits_change_in_place_and_policies_need_recreation() {
        let longer = consumer::pull::Config {
            ack_wait: Duration::from_secs(60),
            ..wanted()
        };
        let newer = consumer::pull::Config {
            deliver_policy: DeliverPolicy::New,
            ..wanted()
        };

        let in_place = consumer_changes(&longer, &held());
        let recreate = consumer_changes(&newer, &held());

        assert!(!in_place[0].destructive && !in_place[0].recreate);
        assert_eq!(in_place[0].to_string(), "ack_wait 30s -> 1m");
        assert!(recreate[0].destructive && recreate[0].recreate);
    }
}
