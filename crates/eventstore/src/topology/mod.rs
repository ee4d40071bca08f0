//! The `nats/` topology: streams, consumers, KV buckets and object stores read from files.
//!
//! Files are JSON with `{ns}` (lower case) and `{NS}` (upper case) placeholders that the
//! namespace fills in; `nats/README.md` describes every field.

mod apply;
mod buckets;
mod consumer_diff;
mod diff;
mod report;
mod spec;
mod units;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::DeserializeOwned;

pub use diff::Change;
pub use report::{ApplyReport, Outcome};
pub use spec::{ConsumerSpec, KvSpec, ObjectSpec, StreamSpec};
pub use units::{Size, Span};

use crate::{Namespace, StoreError};

/// Everything the product needs in JetStream, for one namespace and replica count.
#[derive(Debug, Clone)]
pub struct Topology {
    pub streams: Vec<StreamSpec>,
    pub consumers: Vec<ConsumerSpec>,
    pub kv: Vec<KvSpec>,
    pub objects: Vec<ObjectSpec>,
    pub replicas: usize,
}

impl Topology {
    /// Reads `dir/{streams,consumers,kv,objects}/*.json` and fills in the namespace.
    /// `replicas` applies to every stream and bucket (1 locally, 3 in a cluster).
    pub fn load(dir: &Path, ns: &Namespace, replicas: usize) -> Result<Topology, StoreError> {
        let topology = Topology {
            streams: read_kind(&dir.join("streams"), ns)?,
            consumers: read_kind(&dir.join("consumers"), ns)?,
            kv: read_kind(&dir.join("kv"), ns)?,
            objects: read_kind(&dir.join("objects"), ns)?,
            replicas: replicas.max(1),
        };

        topology.check(ns)?;
        Ok(topology)
    }

    /// Replaces a stream's duplicate window, e.g. a short one for tests of expiry.
    pub fn set_duplicate_window(
        &mut self,
        stream: &str,
        window: Duration,
    ) -> Result<(), StoreError> {
        let spec = self.streams.iter_mut().find(|spec| spec.name == stream);
        let Some(spec) = spec else {
            return Err(StoreError::TopologyInvalid(format!("no stream {stream}")));
        };

        spec.duplicate_window = Some(Span(window));
        Ok(())
    }

    /// Lowers every stream's and bucket's `max_bytes` to at most `cap`. The server reserves
    /// each limit against its storage, so tests that create many namespaces on one small
    /// server use this to keep the reservations from exhausting it.
    pub fn cap_max_bytes(&mut self, cap: i64) {
        let capped = |size: &mut Size| {
            if size.0 <= 0 || size.0 > cap {
                size.0 = cap;
            }
        };

        self.streams
            .iter_mut()
            .for_each(|spec| capped(&mut spec.max_bytes));
        self.kv
            .iter_mut()
            .for_each(|spec| capped(&mut spec.max_bytes));
        self.objects
            .iter_mut()
            .for_each(|spec| capped(&mut spec.max_bytes));
    }

    /// Checks that the resources the code refers to by name are all defined.
    fn check(&self, ns: &Namespace) -> Result<(), StoreError> {
        let streams = [
            ns.events_stream(),
            ns.jobs_stream(),
            ns.dead_letters_stream(),
        ];
        for name in streams {
            if !self.streams.iter().any(|spec| spec.name == name) {
                return Err(StoreError::TopologyInvalid(format!(
                    "stream {name} is not defined"
                )));
            }
        }

        let consumer = ns.jobs_consumer();
        let jobs = ns.jobs_stream();
        let defined = self
            .consumers
            .iter()
            .any(|c| c.durable_name == consumer && c.stream == jobs);
        if !defined {
            return Err(StoreError::TopologyInvalid(format!(
                "consumer {consumer} is not defined"
            )));
        }

        for bucket in ["idempotency", "snapshots"].map(|name| ns.kv_bucket(name)) {
            if !self.kv.iter().any(|spec| spec.bucket == bucket) {
                return Err(StoreError::TopologyInvalid(format!(
                    "bucket {bucket} is not defined"
                )));
            }
        }

        Ok(())
    }
}

/// Every `*.json` in `dir`, sorted by file name; a missing directory is an empty list.
fn read_kind<T: DeserializeOwned>(dir: &Path, ns: &Namespace) -> Result<Vec<T>, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(StoreError::TopologyRead {
                path: dir.to_owned(),
                source,
            });
        }
    };

    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| StoreError::TopologyRead {
            path: dir.into(),
            source,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            paths.push(path);
        }
    }
    paths.sort();

    paths
        .into_iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(&path).map_err(|source| StoreError::TopologyRead {
                    path: path.clone(),
                    source,
                })?;
            serde_json::from_str(&ns.fill(&text))
                .map_err(|source| StoreError::TopologyParse { path, source })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_nats_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../nats")
    }

    #[test]
    fn the_repository_topology_loads_for_any_namespace() {
        let ns = Namespace::new("t_unit").unwrap();

        let topology = Topology::load(&repo_nats_dir(), &ns, 3).unwrap();

        let events = topology
            .streams
            .iter()
            .find(|s| s.name == "T_UNIT_EVENTS")
            .unwrap();
        assert_eq!(events.subjects, vec!["t_unit.es.>".to_owned()]);
        assert!(events.deny_delete && events.deny_purge);
        assert_eq!(topology.replicas, 3);
        assert!(
            topology
                .kv
                .iter()
                .any(|kv| kv.bucket == "t_unit_idempotency")
        );
        assert!(topology.objects.iter().any(|o| o.bucket == "t_unit_images"));
    }

    #[test]
    fn a_topology_without_the_event_stream_is_rejected() {
        let dir = std::env::temp_dir().join(format!("topology-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("streams")).unwrap();
        let ns = Namespace::new("t_unit").unwrap();

        let error = Topology::load(&dir, &ns, 1).unwrap_err();

        assert!(matches!(error, StoreError::TopologyInvalid(_)));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
