//! Durability: commits survive a server restart with file storage, and loading still works.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use illustrator_eventstore::{EventLog, JetStreamStore, StoreConfig};

use crate::counter::{Counter, CounterCommand, meta, run};
use crate::support::{connect, delete_all, random_namespace, test_topology};

fn server_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("nats-server"))
            .find(|p| p.is_file())
    });
    on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/nats-server"))
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A private nats-server, killed by its process id when dropped.
struct Server {
    child: Child,
}

impl Server {
    fn start(port: u16, store_dir: &Path) -> anyhow::Result<Server> {
        let child = Command::new(server_binary())
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(store_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting nats-server")?;
        Ok(Server { child })
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The account-info request answers once JetStream has recovered its streams.
async fn jetstream_ready(js: &async_nats::jetstream::Context) -> bool {
    let reply = js.client().request("$JS.API.INFO", "".into()).await;
    reply.is_ok_and(|message| !message.payload.is_empty())
}

async fn connect_when_up(url: &str) -> anyhow::Result<async_nats::jetstream::Context> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match connect(url).await {
            Ok(js) if jetstream_ready(&js).await => return Ok(js),
            _ if Instant::now() > deadline => anyhow::bail!("nats-server at {url} did not start"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test]
async fn commits_reload_after_a_server_restart() -> anyhow::Result<()> {
    let port = free_port()?;
    let url = format!("127.0.0.1:{port}");
    let dir = std::env::temp_dir().join(format!("es-restart-{}", uuid::Uuid::new_v4()));
    let ns = random_namespace();
    let config = || StoreConfig {
        snapshot_every: 10,
        ..StoreConfig::default()
    };

    let mut server = Server::start(port, &dir)?;
    let js = connect_when_up(&url).await?;
    let topology = test_topology(&ns)?;
    topology.apply(&js, false).await?;
    let store: JetStreamStore<Counter> = JetStreamStore::new(js.clone(), &ns, config()).await?;
    for round in 0..25 {
        run(
            &store,
            "durable",
            CounterCommand::Add {
                writer: "w".into(),
                round,
                n: 3,
            },
            meta(&[]),
        )
        .await?;
    }
    let before = EventLog::new(js.clone(), &ns).await?.last_seq().await?;
    drop(store);
    drop(js);
    server.kill();

    let _server = Server::start(port, &dir)?;
    let js = connect_when_up(&url).await?;
    let store: JetStreamStore<Counter> = JetStreamStore::new(js.clone(), &ns, config()).await?;
    let mut loaded = store.load("durable").await?;

    assert_eq!(
        EventLog::new(js.clone(), &ns).await?.last_seq().await?,
        before
    );
    assert_eq!(loaded.sequence(), 25);
    assert_eq!(cqrs_es::AggregateContext::aggregate(&mut loaded).total, 75);
    assert!(topology.apply(&js, false).await?.is_unchanged());

    run(
        &store,
        "durable",
        CounterCommand::AddMany { count: 1 },
        meta(&[]),
    )
    .await?;
    assert_eq!(store.load("durable").await?.sequence(), 26);

    delete_all(&js, &topology).await;
    drop(_server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[tokio::test]
async fn read_from_resumes_after_a_server_restart() -> anyhow::Result<()> {
    use futures::StreamExt;

    let port = free_port()?;
    let url = format!("127.0.0.1:{port}");
    let dir = std::env::temp_dir().join(format!("es-resume-{}", uuid::Uuid::new_v4()));
    let ns = random_namespace();

    let mut server = Server::start(port, &dir)?;
    let js = connect_when_up(&url).await?;
    test_topology(&ns)?.apply(&js, false).await?;
    let store: JetStreamStore<Counter> =
        JetStreamStore::new(js.clone(), &ns, StoreConfig::default()).await?;
    for round in 0..3 {
        run(
            &store,
            "live",
            CounterCommand::Add {
                writer: "w".into(),
                round,
                n: 1,
            },
            meta(&[]),
        )
        .await?;
    }

    let log = EventLog::new(js.clone(), &ns).await?;
    let mut commits = Box::pin(log.read_from(None, 1).await?);
    for expected in 1..=3 {
        let commit = tokio::time::timeout(Duration::from_secs(5), commits.next()).await?;
        let commit = commit.ok_or_else(|| anyhow::anyhow!("log ended"))??;
        assert_eq!(commit.stream_seq, expected);
    }

    server.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _server = Server::start(port, &dir)?;
    connect_when_up(&url).await?;

    // The same client reconnects by itself; the log's consumer is recreated from seq 4.
    let deadline = Instant::now() + Duration::from_secs(20);
    let appended = loop {
        let command = CounterCommand::Add {
            writer: "w".into(),
            round: 3,
            n: 1,
        };
        match run(&store, "live", command, meta(&[])).await {
            Ok(envelopes) => break envelopes,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Err(error) => return Err(error.into()),
        }
    };
    assert_eq!(appended[0].sequence, 4);

    let next = tokio::time::timeout(Duration::from_secs(10), commits.next()).await?;
    let next = next.ok_or_else(|| anyhow::anyhow!("log ended"))??;
    assert_eq!(next.stream_seq, 4);
    assert_eq!(next.first_sequence, 4);

    drop(_server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
