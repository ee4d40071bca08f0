//! Test set-up: a random namespace with the repository topology applied, removed at the end.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, Context};
use illustrator_eventstore::{Namespace, StoreConfig, Topology};

pub const NATS_URL: &str = "127.0.0.1:4222";

/// Small limits: the server reserves every max_bytes against its storage.
const TEST_MAX_BYTES: i64 = 64 << 20;

pub fn nats_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../nats")
}

pub fn random_namespace() -> Namespace {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    Namespace::new(&format!("tes_{}", &suffix[..12])).expect("generated namespace is valid")
}

pub fn test_topology(ns: &Namespace) -> anyhow::Result<Topology> {
    let mut topology = Topology::load(&nats_dir(), ns, 1).context("loading nats/")?;
    topology.cap_max_bytes(TEST_MAX_BYTES);
    Ok(topology)
}

pub async fn connect(url: &str) -> anyhow::Result<Context> {
    let client = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(3))
        .connect(url)
        .await
        .with_context(|| format!("connecting to {url}"))?;

    let mut js = jetstream::new(client);
    js.set_timeout(Duration::from_secs(5));
    Ok(js)
}

/// A namespace with its topology applied on the shared server.
pub struct TestEnv {
    pub ns: Namespace,
    pub js: Context,
    pub topology: Topology,
}

impl TestEnv {
    pub async fn new() -> anyhow::Result<TestEnv> {
        TestEnv::with(|_, _| Ok(())).await
    }

    /// Like `new`, letting the test adjust the topology before it is applied.
    pub async fn with(
        adjust: impl FnOnce(&Namespace, &mut Topology) -> anyhow::Result<()>,
    ) -> anyhow::Result<TestEnv> {
        let ns = random_namespace();
        let js = connect(NATS_URL).await?;
        let mut topology = test_topology(&ns)?;
        adjust(&ns, &mut topology)?;

        topology
            .apply(&js, false)
            .await
            .context("applying topology")?;
        Ok(TestEnv { ns, js, topology })
    }

    pub fn config(&self) -> StoreConfig {
        StoreConfig::default()
    }

    /// Deletes every stream and bucket of the namespace.
    pub async fn cleanup(self) {
        delete_all(&self.js, &self.topology).await;
    }
}

pub async fn delete_all(js: &Context, topology: &Topology) {
    let mut streams: Vec<String> = topology.streams.iter().map(|s| s.name.clone()).collect();
    streams.extend(topology.kv.iter().map(|kv| format!("KV_{}", kv.bucket)));
    streams.extend(topology.objects.iter().map(|o| format!("OBJ_{}", o.bucket)));

    for stream in streams {
        let _ = js.delete_stream(&stream).await;
    }
}
