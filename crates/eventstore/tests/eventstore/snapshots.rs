//! Snapshots: snapshot plus tail loads the same state as replaying every event.

use std::time::{Duration, Instant};

use illustrator_eventstore::{JetStreamStore, StoreConfig};

use crate::counter::{Counter, CounterCommand, meta, replay_all, run};
use crate::support::TestEnv;

async fn wait_for_snapshot(store: &JetStreamStore<Counter>, id: &str, at_least: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let sequence = store.snapshot_sequence(id).await.unwrap_or(0);
        if sequence >= at_least || Instant::now() > deadline {
            return sequence;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn snapshot_plus_tail_equals_all_events() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let config = StoreConfig {
        snapshot_every: 10,
        ..env.config()
    };
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, config).await?;

    for round in 0..37 {
        let command = CounterCommand::Add {
            writer: format!("w{round}"),
            round,
            n: round + 1,
        };
        run(&store, "snap", command, meta(&[])).await?;
    }
    run(
        &store,
        "snap",
        CounterCommand::AddMany { count: 5 },
        meta(&[]),
    )
    .await?;

    let covered = wait_for_snapshot(&store, "snap", 40).await;
    assert_eq!(
        covered, 42,
        "the commit crossing 40 writes a snapshot at its last event"
    );

    // A fresh store has nothing cached, so it loads from the snapshot and the tail.
    let fresh: JetStreamStore<Counter> = JetStreamStore::new(
        env.js.clone(),
        &env.ns,
        StoreConfig {
            snapshot_every: 10,
            ..env.config()
        },
    )
    .await?;
    run(
        &store,
        "snap",
        CounterCommand::AddMany { count: 3 },
        meta(&[]),
    )
    .await?;
    let loaded = fresh.load("snap").await?;
    let replayed = replay_all(&store, "snap").await?;
    assert_eq!(loaded.sequence(), 45);
    assert_eq!(loaded_state(loaded), replayed);
    assert_eq!(replayed.total, (1..=37).sum::<u64>() + 8);

    env.cleanup().await;
    Ok(())
}

fn loaded_state(mut context: illustrator_eventstore::JetStreamContext<Counter>) -> Counter {
    cqrs_es::AggregateContext::aggregate(&mut context).clone()
}

#[tokio::test]
async fn a_snapshot_of_another_version_is_ignored() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let config = StoreConfig {
        snapshot_every: 5,
        ..env.config()
    };
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, config).await?;

    for round in 0..12 {
        run(
            &store,
            "ver",
            CounterCommand::Add {
                writer: "w".into(),
                round,
                n: 2,
            },
            meta(&[]),
        )
        .await?;
    }
    assert_eq!(wait_for_snapshot(&store, "ver", 10).await, 10);

    let newer = StoreConfig {
        snapshot_every: 5,
        snapshot_version: 2,
        ..env.config()
    };
    let newer: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, newer).await?;

    assert_eq!(newer.snapshot_sequence("ver").await, None);
    assert_eq!(loaded_state(newer.load("ver").await?).total, 24);
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn a_long_aggregate_without_snapshots_loads_through_a_consumer() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let config = StoreConfig {
        snapshot_every: 0,
        cache_capacity: 0,
        ..env.config()
    };
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, config).await?;

    for round in 0..60 {
        run(
            &store,
            "long",
            CounterCommand::Add {
                writer: "w".into(),
                round,
                n: 1,
            },
            meta(&[]),
        )
        .await?;
    }

    let fresh: JetStreamStore<Counter> = JetStreamStore::new(
        env.js.clone(),
        &env.ns,
        StoreConfig {
            cache_capacity: 0,
            ..env.config()
        },
    )
    .await?;
    let loaded = fresh.load("long").await?;
    assert_eq!(loaded.sequence(), 60);
    assert_eq!(loaded_state(loaded).total, 60);
    assert_eq!(store.snapshot_sequence("long").await, None);
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn interleaved_aggregates_load_only_their_own_commits() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let config = StoreConfig {
        snapshot_every: 0,
        cache_capacity: 0,
        ..env.config()
    };
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, config).await?;

    for round in 0..40 {
        let id = if round % 2 == 0 { "left" } else { "right" };
        let command = CounterCommand::Add {
            writer: id.into(),
            round,
            n: round,
        };
        run(&store, id, command, meta(&[])).await?;
    }
    run(
        &store,
        "left",
        CounterCommand::AddMany { count: 2 },
        meta(&[]),
    )
    .await?;

    let left = store.load("left").await?;
    let right = store.load("right").await?;
    let commits = store.load_commits("right").await?;

    assert_eq!(left.sequence(), 22);
    assert_eq!(
        loaded_state(left).total,
        (0..40).step_by(2).sum::<u64>() + 2
    );
    assert_eq!(right.sequence(), 20);
    assert_eq!(loaded_state(right).total, (1..40).step_by(2).sum::<u64>());
    assert_eq!(commits.len(), 20);
    env.cleanup().await;
    Ok(())
}
