//! A three-node JetStream cluster on loopback with R3 streams: documents keep being
//! accepted and completed while the node that leads the event stream is killed and
//! restarted. Prints the figures: how long acceptance paused, and what was accepted and
//! completed during the outage.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use illustrator_server::Components;
use illustrator_server::testing::LocalServer;
use serde_json::Value;

use crate::metrics::SHORT_ARTICLE;
use crate::support::{Process, free_port, tool};

const LOAD_FOR: Duration = Duration::from_secs(40);
const KILL_AT: Duration = Duration::from_secs(10);
const RESTART_AT: Duration = Duration::from_secs(25);
const SUBMITTERS: usize = 2;
const PACE: Duration = Duration::from_millis(50);

/// Each accepted document's id with the time its 202 arrived.
type Accepted = Vec<(DateTime<Utc>, String)>;

struct Node {
    name: String,
    client_port: u16,
    cluster_port: u16,
    store: PathBuf,
}

fn spawn_node(node: &Node, all: &[Node], log: &Path) -> anyhow::Result<Process> {
    let routes: Vec<String> = all
        .iter()
        .filter(|other| other.name != node.name)
        .map(|other| format!("nats://127.0.0.1:{}", other.cluster_port))
        .collect();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    let child = Command::new(tool("nats-server")?)
        .args(["-a", "127.0.0.1", "-p", &node.client_port.to_string()])
        .args(["-n", &node.name, "--cluster_name", "mi_test"])
        .args([
            "--cluster",
            &format!("nats://127.0.0.1:{}", node.cluster_port),
        ])
        .args(["--routes", &routes.join(",")])
        .args(["-js", "-sd", &node.store.to_string_lossy()])
        .stdout(Stdio::from(file.try_clone()?))
        .stderr(Stdio::from(file))
        .spawn()?;
    Ok(Process {
        child,
        log: log.to_owned(),
    })
}

/// Waits until the cluster has elected a JetStream meta leader.
async fn wait_for_meta_leader(urls: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < Duration::from_secs(30) {
        match async_nats::connect(illustrator_server::app::servers(urls)).await {
            Ok(client) => match async_nats::jetstream::new(client).query_account().await {
                Ok(_) => return Ok(()),
                Err(error) => last = error.to_string(),
            },
            Err(error) => last = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    anyhow::bail!("the cluster elected no JetStream leader: {last}")
}

/// Submits articles at a steady pace until `until`; returns when each was accepted.
async fn submit(
    http: reqwest::Client,
    base: String,
    key: String,
    until: Instant,
    accepted: Arc<Mutex<Accepted>>,
    refused: Arc<Mutex<usize>>,
) {
    while Instant::now() < until {
        let sent = http
            .post(format!("{base}/v1/documents"))
            .bearer_auth(&key)
            .json(&serde_json::json!({ "markdown": SHORT_ARTICLE }))
            .timeout(Duration::from_secs(15))
            .send()
            .await;
        let id = match sent {
            Ok(response) if response.status() == 202 => response
                .json::<Value>()
                .await
                .ok()
                .and_then(|body| body["id"].as_str().map(str::to_owned)),
            _ => None,
        };
        match id {
            Some(id) => accepted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((Utc::now(), id)),
            None => *refused.lock().unwrap_or_else(|p| p.into_inner()) += 1,
        }
        tokio::time::sleep(PACE).await;
    }
}

/// The commit time of every DocumentCompleted, read from the stream, by document.
async fn completions(
    server: &LocalServer,
    wanted: &[String],
) -> anyhow::Result<std::collections::HashMap<String, DateTime<Utc>>> {
    let mut done = std::collections::HashMap::new();
    let filter = server.app.ns.events_filter("document");
    let stream = server.app.log.read_from(Some(filter), 1).await?;
    let mut stream = Box::pin(stream);
    let deadline = Instant::now() + Duration::from_secs(120);

    // Documents whose 202 the client never saw may complete too, so the wait is for every
    // accepted id, not for as many completions as there were acceptances.
    let pending = |done: &std::collections::HashMap<String, DateTime<Utc>>| {
        wanted.iter().any(|id| !done.contains_key(id))
    };
    while pending(&done) && Instant::now() < deadline {
        let Ok(Some(commit)) = tokio::time::timeout(Duration::from_secs(5), stream.next()).await
        else {
            continue;
        };
        let commit = commit?;
        if commit
            .events
            .iter()
            .any(|e| e.event_type == "DocumentCompleted")
        {
            done.insert(commit.aggregate_id.clone(), commit.time);
        }
    }
    Ok(done)
}

#[tokio::test]
async fn documents_flow_while_a_cluster_node_is_down() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("mi-cluster-{}", uuid::Uuid::new_v4().simple()));
    let nodes: Vec<Node> = (1..=3)
        .map(|n| {
            Ok(Node {
                name: format!("node{n}"),
                client_port: free_port()?,
                cluster_port: free_port()?,
                store: dir.join(format!("node{n}")),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    std::fs::create_dir_all(&dir)?;
    let mut processes = Vec::new();
    for node in &nodes {
        processes.push(spawn_node(
            node,
            &nodes,
            &dir.join(format!("{}.log", node.name)),
        )?);
    }
    let urls: Vec<String> = nodes
        .iter()
        .map(|n| format!("nats://127.0.0.1:{}", n.client_port))
        .collect();
    let urls = urls.join(",");
    wait_for_meta_leader(&urls).await?;

    let server = LocalServer::start_with(Components::ALL, |config| {
        config.nats_url = urls.clone();
        config.replicas = 3;
        // The load here is far above one user's submission limit, which is not under test.
        config.accounts.submit.count = 1_000_000;
    })
    .await?;
    let events = server
        .app
        .js
        .get_stream(server.app.ns.events_stream())
        .await?;
    let info = events.get_info().await?;
    assert_eq!(info.config.num_replicas, 3, "the event stream is not R3");
    let leader = info.cluster.and_then(|c| c.leader).unwrap_or_default();
    let victim = nodes.iter().position(|n| n.name == leader).unwrap_or(0);

    let http = reqwest::Client::new();
    let started = Instant::now();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(Mutex::new(0usize));
    let mut submitters = Vec::new();
    for _ in 0..SUBMITTERS {
        submitters.push(tokio::spawn(submit(
            http.clone(),
            server.base.clone(),
            server.key.clone(),
            started + LOAD_FOR,
            accepted.clone(),
            refused.clone(),
        )));
    }

    tokio::time::sleep(KILL_AT.saturating_sub(started.elapsed())).await;
    let killed = Utc::now();
    let _ = processes[victim].child.kill();
    let _ = processes[victim].child.wait();
    tokio::time::sleep(RESTART_AT.saturating_sub(started.elapsed())).await;
    let log = dir.join(format!("{}.log", nodes[victim].name));
    processes[victim] = spawn_node(&nodes[victim], &nodes, &log)?;
    let restarted = Utc::now();

    for submitter in submitters {
        submitter.await?;
    }
    let accepted = accepted.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let refused = *refused.lock().unwrap_or_else(|p| p.into_inner());
    let ids: Vec<String> = accepted.iter().map(|(_, id)| id.clone()).collect();
    let done = completions(&server, &ids).await?;

    let outage = |at: &DateTime<Utc>| *at >= killed && *at < restarted;
    let accepted_in_outage = accepted.iter().filter(|(at, _)| outage(at)).count();
    let completed_in_outage = done.values().filter(|at| outage(at)).count();
    let resumed = accepted.iter().map(|(at, _)| *at).find(|at| *at >= killed);
    let pause = resumed
        .map(|at| (at - killed).num_milliseconds())
        .unwrap_or(i64::MAX);
    let longest_gap = accepted
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).num_milliseconds())
        .max()
        .unwrap_or(0);
    let missing = accepted
        .iter()
        .filter(|(_, id)| !done.contains_key(id))
        .count();

    println!(
        "failover of {leader} (event stream leader), down {} ms: acceptance paused {pause} ms \
         (longest gap {longest_gap} ms); {} accepted, {refused} refused or timed out; \
         {accepted_in_outage} accepted and {completed_in_outage} completed during the outage; \
         {} completed in all, {missing} missing",
        (restarted - killed).num_milliseconds(),
        accepted.len(),
        done.len()
    );

    server.cleanup().await;
    drop(processes);
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(missing, 0, "accepted documents never completed");
    assert!(
        accepted_in_outage > 0,
        "nothing was accepted while the node was down"
    );
    assert!(
        completed_in_outage > 0,
        "nothing completed while the node was down"
    );
    assert!(pause < 20_000, "acceptance paused {pause} ms");
    Ok(())
}
