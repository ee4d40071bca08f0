//! The shapes of the `nats/` files and their translation into async-nats configs.

use async_nats::jetstream::consumer::{self, AckPolicy, DeliverPolicy};
use async_nats::jetstream::stream::{self, DiscardPolicy, RetentionPolicy, StorageType};
use async_nats::jetstream::{kv, object_store};
use serde::Deserialize;

use super::units::{Size, Span};

/// `nats/streams/*.json`: a stream with the settings this product relies on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSpec {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub subjects: Vec<String>,
    pub retention: Retention,
    pub storage: Storage,
    pub discard: Discard,
    #[serde(default)]
    pub max_bytes: Size,
    #[serde(default)]
    pub max_msgs: Size,
    #[serde(default)]
    pub max_age: Span,
    #[serde(default)]
    pub max_msg_size: Size,
    #[serde(default)]
    pub duplicate_window: Option<Span>,
    #[serde(default)]
    pub deny_delete: bool,
    #[serde(default)]
    pub deny_purge: bool,
    #[serde(default)]
    pub allow_direct: bool,
    #[serde(default)]
    pub allow_rollup: bool,
}

/// `nats/consumers/*.json`: a durable pull consumer on one stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSpec {
    pub stream: String,
    pub durable_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub filter_subject: String,
    pub deliver_policy: Deliver,
    pub ack_policy: Ack,
    /// Zero means the server default (30 s); with a backoff the server uses its first step.
    #[serde(default)]
    pub ack_wait: Span,
    /// -1 (the default) means unlimited redeliveries.
    #[serde(default = "unlimited")]
    pub max_deliver: i64,
    #[serde(default)]
    pub backoff: Vec<Span>,
    #[serde(default)]
    pub max_ack_pending: i64,
    #[serde(default)]
    pub max_waiting: i64,
}

/// `nats/kv/*.json`: a key-value bucket.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KvSpec {
    pub bucket: String,
    #[serde(default)]
    pub description: String,
    pub storage: Storage,
    #[serde(default = "one")]
    pub history: i64,
    #[serde(default)]
    pub max_age: Span,
    #[serde(default)]
    pub max_bytes: Size,
    #[serde(default)]
    pub max_value_size: Size,
}

/// `nats/objects/*.json`: an object store bucket.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectSpec {
    pub bucket: String,
    #[serde(default)]
    pub description: Option<String>,
    pub storage: Storage,
    #[serde(default)]
    pub max_age: Span,
    #[serde(default)]
    pub max_bytes: Size,
}

fn one() -> i64 {
    1
}

fn unlimited() -> i64 {
    -1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Retention {
    Limits,
    Interest,
    Workqueue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    File,
    Memory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Discard {
    Old,
    New,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deliver {
    All,
    New,
    Last,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ack {
    Explicit,
    All,
    None,
}

pub(crate) fn storage_type(storage: Storage) -> StorageType {
    match storage {
        Storage::File => StorageType::File,
        Storage::Memory => StorageType::Memory,
    }
}

impl StreamSpec {
    pub(crate) fn to_config(&self, replicas: usize) -> stream::Config {
        stream::Config {
            name: self.name.clone(),
            description: self.description.clone(),
            subjects: self.subjects.clone(),
            retention: match self.retention {
                Retention::Limits => RetentionPolicy::Limits,
                Retention::Interest => RetentionPolicy::Interest,
                Retention::Workqueue => RetentionPolicy::WorkQueue,
            },
            storage: storage_type(self.storage),
            discard: match self.discard {
                Discard::Old => DiscardPolicy::Old,
                Discard::New => DiscardPolicy::New,
            },
            max_bytes: self.max_bytes.0,
            max_messages: self.max_msgs.0,
            max_age: self.max_age.0,
            max_message_size: i32::try_from(self.max_msg_size.0).unwrap_or(i32::MAX),
            duplicate_window: self.duplicate_window.map(|span| span.0).unwrap_or_default(),
            deny_delete: self.deny_delete,
            deny_purge: self.deny_purge,
            allow_direct: self.allow_direct,
            allow_rollup: self.allow_rollup,
            num_replicas: replicas,
            ..Default::default()
        }
    }
}

impl ConsumerSpec {
    pub(crate) fn to_config(&self) -> consumer::pull::Config {
        consumer::pull::Config {
            durable_name: Some(self.durable_name.clone()),
            description: self.description.clone(),
            filter_subject: self.filter_subject.clone(),
            deliver_policy: match self.deliver_policy {
                Deliver::All => DeliverPolicy::All,
                Deliver::New => DeliverPolicy::New,
                Deliver::Last => DeliverPolicy::Last,
            },
            ack_policy: match self.ack_policy {
                Ack::Explicit => AckPolicy::Explicit,
                Ack::All => AckPolicy::All,
                Ack::None => AckPolicy::None,
            },
            ack_wait: self.ack_wait.0,
            max_deliver: self.max_deliver,
            backoff: self.backoff.iter().map(|span| span.0).collect(),
            max_ack_pending: self.max_ack_pending,
            max_waiting: self.max_waiting,
            ..Default::default()
        }
    }
}

impl KvSpec {
    pub(crate) fn to_config(&self, replicas: usize) -> kv::Config {
        kv::Config {
            bucket: self.bucket.clone(),
            description: self.description.clone(),
            storage: storage_type(self.storage),
            history: self.history,
            max_age: self.max_age.0,
            max_bytes: self.max_bytes.0,
            max_value_size: i32::try_from(self.max_value_size.0).unwrap_or(i32::MAX),
            num_replicas: replicas,
            ..Default::default()
        }
    }
}

impl ObjectSpec {
    pub(crate) fn to_config(&self, replicas: usize) -> object_store::Config {
        object_store::Config {
            bucket: self.bucket.clone(),
            description: self.description.clone(),
            storage: storage_type(self.storage),
            max_age: self.max_age.0,
            max_bytes: self.max_bytes.0,
            num_replicas: replicas,
            ..Default::default()
        }
    }
}
