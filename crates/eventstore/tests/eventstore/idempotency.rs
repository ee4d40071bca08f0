//! Replayed commands: the same idempotency key gets the first answer and appends nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use cqrs_es::EventEnvelope;

use illustrator_eventstore::{EventLog, JetStreamStore};
use sha2::{Digest, Sha256};

use crate::counter::{Counter, CounterCommand, CounterEvent, meta, run};
use crate::support::TestEnv;

type Seen = Vec<(String, usize, CounterEvent, BTreeMap<String, String>)>;

/// The comparable parts of committed envelopes.
fn same(envelopes: &[EventEnvelope<Counter>]) -> Seen {
    envelopes
        .iter()
        .map(|e| {
            let metadata = e.metadata.clone().into_iter().collect();
            (
                e.aggregate_id.clone(),
                e.sequence,
                e.payload.clone(),
                metadata,
            )
        })
        .collect()
}

async fn short_window_env() -> anyhow::Result<TestEnv> {
    TestEnv::with(|ns, topology| {
        topology.set_duplicate_window(&ns.events_stream(), Duration::from_secs(1))?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_replay_returns_the_first_answer_inside_and_after_the_duplicate_window()
-> anyhow::Result<()> {
    let env = short_window_env().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let log = EventLog::new(env.js.clone(), &env.ns).await?;
    let keyed = meta(&[
        ("idempotency_key", "req-1 with spaces/and:colons"),
        ("actor", "u1"),
    ]);

    let first = run(
        &store,
        "idem",
        CounterCommand::AddMany { count: 3 },
        keyed.clone(),
    )
    .await?;
    let after_first = log.last_seq().await?;

    let again = run(
        &store,
        "idem",
        CounterCommand::AddMany { count: 3 },
        keyed.clone(),
    )
    .await?;
    assert_eq!(
        log.last_seq().await?,
        after_first,
        "nothing appended inside the window"
    );
    assert_eq!(same(&again), same(&first));

    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let late = run(&store, "idem", CounterCommand::AddMany { count: 3 }, keyed).await?;
    assert_eq!(
        log.last_seq().await?,
        after_first,
        "nothing appended after the window"
    );
    assert_eq!(same(&late), same(&first));

    assert_eq!(store.load("idem").await?.sequence(), 3);
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn the_duplicate_window_answers_when_the_record_is_missing() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let log = EventLog::new(env.js.clone(), &env.ns).await?;
    let keyed = meta(&[("idempotency_key", "crash-after-ack")]);

    let first = run(
        &store,
        "crash",
        CounterCommand::AddMany { count: 2 },
        keyed.clone(),
    )
    .await?;
    let after_first = log.last_seq().await?;

    // As if the process died between the commit's ack and the KV record.
    let digest = Sha256::digest(b"crash-after-ack");
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let bucket = env
        .js
        .get_key_value(env.ns.kv_bucket("idempotency"))
        .await?;
    bucket.purge(format!("counter.{hex}")).await?;

    let replay = run(&store, "crash", CounterCommand::AddMany { count: 2 }, keyed).await?;

    assert_eq!(log.last_seq().await?, after_first);
    assert_eq!(same(&replay), same(&first));
    assert!(
        bucket.get(format!("counter.{hex}")).await?.is_some(),
        "record restored"
    );
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn a_key_replayed_on_another_aggregate_returns_the_original_commit() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let keyed = meta(&[("idempotency_key", "one-submission")]);

    let first = run(
        &store,
        "doc1",
        CounterCommand::AddMany { count: 1 },
        keyed.clone(),
    )
    .await?;
    let other = run(&store, "doc2", CounterCommand::AddMany { count: 1 }, keyed).await?;

    assert_eq!(other[0].aggregate_id, "doc1");
    assert_eq!(same(&other), same(&first));
    assert!(store.load_commits("doc2").await?.is_empty());
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn commands_without_a_key_append_every_time() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;

    run(
        &store,
        "plain",
        CounterCommand::AddMany { count: 1 },
        meta(&[]),
    )
    .await?;
    run(
        &store,
        "plain",
        CounterCommand::AddMany { count: 1 },
        meta(&[]),
    )
    .await?;
    let none = run(&store, "plain", CounterCommand::Nothing, meta(&[])).await?;

    assert!(none.is_empty());
    assert_eq!(store.load("plain").await?.sequence(), 2);
    env.cleanup().await;
    Ok(())
}
