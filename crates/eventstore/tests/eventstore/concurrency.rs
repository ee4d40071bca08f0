//! Two writers racing on one aggregate: every event lands exactly once, without gaps.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use cqrs_es::AggregateError;
use illustrator_eventstore::JetStreamStore;

use crate::counter::{Counter, CounterCommand, meta, run};
use crate::support::TestEnv;

const ROUNDS: u64 = 1_000;

async fn writer(store: JetStreamStore<Counter>, name: &'static str) -> anyhow::Result<u64> {
    let mut conflicts = 0;
    let deadline = Instant::now() + Duration::from_secs(60);

    for round in 0..ROUNDS {
        loop {
            anyhow::ensure!(Instant::now() < deadline, "writer {name} ran out of time");
            let command = CounterCommand::Add {
                writer: name.to_owned(),
                round,
                n: 1,
            };

            match run(&store, "race", command, meta(&[("actor", name)])).await {
                Ok(envelopes) => {
                    anyhow::ensure!(envelopes.len() == 1, "one event per command");
                    break;
                }
                Err(AggregateError::AggregateConflict) => conflicts += 1,
                Err(other) => return Err(other.into()),
            }
        }
    }

    Ok(conflicts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writers_on_one_aggregate_lose_and_duplicate_nothing() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;

    // Two store instances, like two processes: each one's cache goes stale in turn.
    let other: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let a = tokio::spawn(writer(store.clone(), "a"));
    let b = tokio::spawn(writer(other, "b"));
    let conflicts = a.await?? + b.await??;

    let commits = store.load_commits("race").await?;
    let mut seen = HashSet::new();
    for (index, commit) in commits.iter().enumerate() {
        assert_eq!(
            commit.first_sequence,
            index as u64 + 1,
            "no gap in sequences"
        );
        let payload = &commit.events[0].payload["Added"];
        let key = (payload["writer"].to_string(), payload["round"].as_u64());
        assert!(seen.insert(key), "event committed twice: {payload}");
    }
    assert_eq!(commits.len() as u64, 2 * ROUNDS);

    let loaded = store.load("race").await?;
    assert_eq!(loaded.sequence(), 2 * ROUNDS);
    println!("conflicts retried: {conflicts}");

    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn a_stale_context_is_a_conflict() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let add = |round| CounterCommand::Add {
        writer: "w".into(),
        round,
        n: 1,
    };

    run(&store, "stale", add(0), meta(&[])).await?;
    let stale = cqrs_es::EventStore::load_aggregate(&store, "stale").await?;
    run(&store, "stale", add(1), meta(&[])).await?;

    let event = crate::counter::CounterEvent::Added {
        writer: "w".into(),
        round: 2,
        n: 1,
    };
    let result = cqrs_es::EventStore::commit(&store, vec![event], stale, meta(&[])).await;

    assert!(matches!(result, Err(AggregateError::AggregateConflict)));
    assert_eq!(store.load_commits("stale").await?.len(), 2);
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn ids_that_are_not_subject_tokens_are_refused() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;

    let result = run(
        &store,
        "a.b",
        CounterCommand::AddMany { count: 1 },
        meta(&[]),
    )
    .await;

    assert!(matches!(result, Err(AggregateError::UnexpectedError(_))));
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn append_many_pipelines_commits_and_reports_stale_ones() -> anyhow::Result<()> {
    use illustrator_eventstore::{PreparedCommit, StoreError};

    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let event = |round| crate::counter::CounterEvent::Added {
        writer: "p".into(),
        round,
        n: 1,
    };

    let ids: Vec<String> = (0..50).map(|i| format!("agg{i}")).collect();
    let first = ids
        .iter()
        .map(|id| PreparedCommit::from_parts(id, 0, 0, vec![event(0)], meta(&[])));
    let appended = store.append_many(first.collect()).await?;
    let tokens: Vec<_> = appended.into_iter().collect::<Result<Vec<_>, _>>()?;

    let mut second: Vec<_> = ids
        .iter()
        .zip(&tokens)
        .map(|(id, t)| {
            PreparedCommit::from_parts(id, t.stream_seq, t.sequence, vec![event(1)], meta(&[]))
        })
        .collect();
    second.push(PreparedCommit::from_parts(
        &ids[0],
        tokens[0].stream_seq,
        1,
        vec![event(2)],
        meta(&[]),
    ));
    let results = store.append_many(second).await?;

    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 50);
    assert!(matches!(results[50], Err(StoreError::Conflict { .. })));
    for id in &ids {
        let loaded = store.load(id).await?;
        assert_eq!(loaded.sequence(), 2);
    }
    assert_eq!(
        illustrator_eventstore::EventLog::new(env.js.clone(), &env.ns)
            .await?
            .last_seq()
            .await?,
        100
    );

    env.cleanup().await;
    Ok(())
}
