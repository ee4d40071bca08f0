//! Topology: apply is idempotent, refuses destructive changes, and the jobs wiring works.

use std::time::Duration;

use async_nats::jetstream::AckKind;
use futures::StreamExt;
use illustrator_eventstore::StoreError;
use illustrator_eventstore::topology::{Outcome, Size, Span};

use crate::support::{TestEnv, test_topology};

#[tokio::test]
async fn a_second_apply_reports_everything_unchanged() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;

    let report = env.topology.apply(&env.js, false).await?;

    assert!(report.is_unchanged(), "{report}");
    assert_eq!(report.unchanged().len(), report.entries.len());
    assert!(report.entries.len() >= 8);
    assert!(
        report
            .to_string()
            .contains(&format!("unchanged stream {}", env.ns.events_stream()))
    );
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn a_destructive_change_needs_the_flag() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let events = env.ns.events_stream();
    let mut smaller = test_topology(&env.ns)?;
    for spec in smaller.streams.iter_mut().filter(|s| s.name == events) {
        spec.max_bytes = Size(32 << 20);
    }

    let refused = smaller.apply(&env.js, false).await;
    assert!(
        matches!(refused, Err(StoreError::Destructive { .. })),
        "{refused:?}"
    );

    let forced = smaller.apply(&env.js, true).await?;
    let line = forced
        .entries
        .iter()
        .find(|(name, _)| name.ends_with(&events));
    assert!(matches!(line, Some((_, Outcome::Updated(_)))), "{forced}");
    let info = env.js.get_stream(&events).await?.cached_info().clone();
    assert_eq!(info.config.max_bytes, 32 << 20);

    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn a_safe_change_is_applied_in_place() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let mut longer = test_topology(&env.ns)?;
    let workers = env.ns.jobs_consumer();
    for spec in longer
        .consumers
        .iter_mut()
        .filter(|c| c.durable_name == workers)
    {
        spec.max_ack_pending = 200;
    }
    for spec in longer
        .kv
        .iter_mut()
        .filter(|kv| kv.bucket.ends_with("_idempotency"))
    {
        spec.max_age = Span(Duration::from_secs(14 * 86_400));
    }

    let report = longer.apply(&env.js, false).await?;

    assert_eq!(report.updated().len(), 2, "{report}");
    assert!(report.to_string().contains("max_age 7d -> 14d"), "{report}");
    assert!(longer.apply(&env.js, false).await?.is_unchanged());
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn the_event_stream_refuses_deletes_and_a_terminated_job_becomes_a_dead_letter()
-> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let events = env.js.get_stream(env.ns.events_stream()).await?;
    env.js
        .publish(env.ns.event_subject("counter", "x"), "{}".into())
        .await?
        .await?;
    assert!(events.delete_message(1).await.is_err(), "deny_delete holds");

    env.js
        .publish(env.ns.job_subject("card"), "job".into())
        .await?
        .await?;
    let jobs = env.js.get_stream(env.ns.jobs_stream()).await?;
    let consumer: async_nats::jetstream::consumer::PullConsumer = jobs
        .get_consumer(&env.ns.jobs_consumer())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut batch = consumer
        .fetch()
        .max_messages(1)
        .expires(Duration::from_secs(2))
        .messages()
        .await?;
    let job = batch
        .next()
        .await
        .ok_or_else(|| anyhow::anyhow!("no job delivered"))?;
    let job = job.map_err(|e| anyhow::anyhow!("{e}"))?;
    job.ack_with(AckKind::Term)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let dead = env.js.get_stream(env.ns.dead_letters_stream()).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mut dead = dead;
    while dead.info().await?.state.messages == 0 {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "no dead letter captured"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    env.cleanup().await;
    Ok(())
}
