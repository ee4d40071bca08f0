//! Upcasting: an event stored in an old schema version loads as the current one.

use async_nats::jetstream::message::PublishMessage;
use illustrator_eventstore::{JetStreamStore, StoreConfig, Upcasters};
use serde_json::json;

use crate::counter::{Counter, CounterCommand, meta, run};
use crate::support::TestEnv;

#[tokio::test]
async fn an_old_event_is_upcast_on_load() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;

    // Version 1 was `Incremented { by }`; version 2 is `Added { writer, round, n }`.
    let old = json!({
        "aggregate_type": "counter",
        "aggregate_id": "legacy",
        "first_sequence": 1,
        "events": [{"event_type": "Incremented", "event_version": "1",
                    "payload": {"Incremented": {"by": 7}}}],
        "metadata": {"actor": "migration"},
        "time": "2025-01-01T00:00:00Z"
    });
    let subject = env.ns.event_subject("counter", "legacy");
    let publish = PublishMessage::build()
        .payload(serde_json::to_vec(&old)?.into())
        .expected_last_subject_sequence(0);
    env.js.send_publish(subject, publish).await?.await?;

    let upcasters = Upcasters::new().register("Incremented", "1", "2", |payload| {
        json!({"Added": {"writer": "legacy", "round": 0, "n": payload["Incremented"]["by"]}})
    });
    let config = StoreConfig {
        upcasters,
        ..env.config()
    };
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, config).await?;

    run(
        &store,
        "legacy",
        CounterCommand::Add {
            writer: "new".into(),
            round: 1,
            n: 1,
        },
        meta(&[]),
    )
    .await?;
    let events = cqrs_es::EventStore::load_events(&store, "legacy").await?;

    assert_eq!(events.len(), 2);
    assert_eq!(events[0].sequence, 1);
    assert_eq!(events[1].sequence, 2);
    let mut context = store.load("legacy").await?;
    let counter = cqrs_es::AggregateContext::aggregate(&mut context);
    assert_eq!(counter.total, 8);

    let plain: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    assert!(
        plain.load("legacy").await.is_err(),
        "without the upcaster the old event fails"
    );
    env.cleanup().await;
    Ok(())
}
