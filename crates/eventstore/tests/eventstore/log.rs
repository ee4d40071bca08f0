//! Ordered reading: the whole stream, a filter, a start sequence, and one subject's history.

use std::time::Duration;

use futures::StreamExt;
use illustrator_eventstore::{EventLog, JetStreamStore};

use crate::counter::{Counter, CounterCommand, meta, run};
use crate::support::TestEnv;

#[tokio::test]
async fn read_from_yields_commits_in_stream_order() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let log = EventLog::new(env.js.clone(), &env.ns).await?;

    for round in 0..30 {
        let id = ["x", "y", "z"][round as usize % 3];
        run(
            &store,
            id,
            CounterCommand::Add {
                writer: id.into(),
                round,
                n: 1,
            },
            meta(&[]),
        )
        .await?;
    }
    assert_eq!(log.last_seq().await?, 30);

    let all: Vec<_> = log.read_from(None, 1).await?.take(30).collect().await;
    let seqs: Vec<u64> = all
        .iter()
        .map(|c| c.as_ref().map(|c| c.stream_seq).unwrap_or(0))
        .collect();
    assert_eq!(seqs, (1..=30).collect::<Vec<_>>());

    let subject = env.ns.event_subject("counter", "y");
    let only_y: Vec<_> = log
        .read_from(Some(subject.clone()), 1)
        .await?
        .take(10)
        .collect()
        .await;
    for (index, commit) in only_y.iter().enumerate() {
        let commit = commit.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(commit.aggregate_id, "y");
        assert_eq!(commit.first_sequence, index as u64 + 1);
    }

    let tail: Vec<_> = log.read_from(None, 25).await?.take(6).collect().await;
    assert_eq!(tail[0].as_ref().map(|c| c.stream_seq).ok(), Some(25));
    assert_eq!(tail[5].as_ref().map(|c| c.stream_seq).ok(), Some(30));

    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn read_from_waits_for_new_commits() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let log = EventLog::new(env.js.clone(), &env.ns).await?;

    let mut live = Box::pin(log.read_from(None, 1).await?);
    let writer = store.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        run(
            &writer,
            "late",
            CounterCommand::AddMany { count: 2 },
            meta(&[]),
        )
        .await
    });

    let commit = tokio::time::timeout(Duration::from_secs(5), live.next()).await?;
    let commit = commit.ok_or_else(|| anyhow::anyhow!("stream ended"))??;
    assert_eq!(commit.aggregate_id, "late");
    assert_eq!(commit.events.len(), 2);
    assert_eq!(commit.events[1].sequence, 2);

    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn read_subject_after_returns_only_later_commits_of_that_subject() -> anyhow::Result<()> {
    let env = TestEnv::new().await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(env.js.clone(), &env.ns, env.config()).await?;
    let log = EventLog::new(env.js.clone(), &env.ns).await?;

    for round in 0..10 {
        let id = if round % 2 == 0 { "even" } else { "odd" };
        run(
            &store,
            id,
            CounterCommand::Add {
                writer: id.into(),
                round,
                n: 1,
            },
            meta(&[]),
        )
        .await?;
    }
    let subject = env.ns.event_subject("counter", "even");

    let all = log.read_subject_after(&subject, 0).await?;
    let later = log.read_subject_after(&subject, 5).await?;
    let none = log.read_subject_after(&subject, 10).await?;

    assert_eq!(
        all.iter().map(|c| c.stream_seq).collect::<Vec<_>>(),
        vec![1, 3, 5, 7, 9]
    );
    assert_eq!(
        later.iter().map(|c| c.stream_seq).collect::<Vec<_>>(),
        vec![7, 9]
    );
    assert!(none.is_empty());
    assert!(
        all.iter()
            .all(|c| c.aggregate_id == "even" && c.subject == subject)
    );
    env.cleanup().await;
    Ok(())
}
