//! The cqrs-es event store on JetStream: one subject per aggregate, one message per commit.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_nats::jetstream::{Context, kv, stream::Stream};
use cqrs_es::{Aggregate, AggregateContext, AggregateError, EventEnvelope, EventStore};

use crate::cache::StateCache;
use crate::namespace::check_token;
use crate::{Commit, Namespace, StoreConfig, StoreError, reader, snapshot};

/// cqrs-es persistence on JetStream. Cheap to clone; clones share one connection.
///
/// Commits carry `Nats-Expected-Last-Subject-Sequence`, so a stale writer gets
/// [`AggregateError::AggregateConflict`] and must reload. Metadata key
/// [`crate::IDEMPOTENCY_KEY`] makes a command idempotent (first answer on replay).
pub struct JetStreamStore<A: Aggregate> {
    pub(crate) inner: Arc<Inner>,
    _aggregate: PhantomData<fn() -> A>,
}

pub(crate) struct Inner {
    pub(crate) js: Context,
    pub(crate) ns: Namespace,
    pub(crate) stream: Stream<()>,
    pub(crate) idempotency: kv::Store,
    pub(crate) snapshots: kv::Store,
    pub(crate) config: StoreConfig,
    pub(crate) cache: StateCache,
}

impl<A: Aggregate> Clone for JetStreamStore<A> {
    fn clone(&self) -> Self {
        JetStreamStore {
            inner: Arc::clone(&self.inner),
            _aggregate: PhantomData,
        }
    }
}

/// A loaded aggregate with the concurrency token its next commit must carry.
#[derive(Debug)]
pub struct JetStreamContext<A> {
    pub(crate) aggregate_id: String,
    pub(crate) aggregate: A,
    pub(crate) stream_seq: u64,
    pub(crate) sequence: u64,
}

impl<A> JetStreamContext<A> {
    /// The aggregate id this context was loaded for.
    pub fn aggregate_id(&self) -> &str {
        &self.aggregate_id
    }

    /// Stream sequence of the aggregate's last commit; 0 for a new aggregate.
    pub fn stream_seq(&self) -> u64 {
        self.stream_seq
    }

    /// Per-aggregate sequence of the aggregate's last event; 0 for a new aggregate.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }
}

impl<A: Aggregate> AggregateContext<A> for JetStreamContext<A> {
    fn aggregate(&mut self) -> &mut A {
        &mut self.aggregate
    }
}

impl<A: Aggregate> JetStreamStore<A> {
    /// Opens the store; the event stream and both KV buckets must already exist.
    pub async fn new(js: Context, ns: &Namespace, config: StoreConfig) -> Result<Self, StoreError> {
        check_token("aggregate type", A::TYPE)?;

        let stream_name = ns.events_stream();
        let stream = reader::open_stream(&js, &stream_name).await?;
        let idempotency = open_bucket(&js, &ns.kv_bucket(&config.idempotency_bucket)).await?;
        let snapshots = open_bucket(&js, &ns.kv_bucket(&config.snapshot_bucket)).await?;

        let cache = StateCache::new(config.cache_capacity);
        let inner = Inner {
            js,
            ns: ns.clone(),
            stream,
            idempotency,
            snapshots,
            config,
            cache,
        };
        Ok(JetStreamStore {
            inner: Arc::new(inner),
            _aggregate: PhantomData,
        })
    }

    /// The subject of one aggregate instance, after checking the id is a safe token.
    pub fn subject(&self, aggregate_id: &str) -> Result<String, StoreError> {
        check_token("aggregate id", aggregate_id)?;
        Ok(self.inner.ns.event_subject(A::TYPE, aggregate_id))
    }

    /// The context of an aggregate whose id the caller has just drawn at random, so that no
    /// commit can exist under it yet: nothing is read. Were the id taken after all, the
    /// commit's expected sequence of 0 would fail as a conflict and overwrite nothing.
    pub fn fresh(&self, aggregate_id: &str) -> Result<JetStreamContext<A>, StoreError> {
        check_token("aggregate id", aggregate_id)?;
        Ok(new_context(aggregate_id))
    }

    /// Loads an aggregate: snapshot (if any) plus the commits after it.
    pub async fn load(&self, aggregate_id: &str) -> Result<JetStreamContext<A>, StoreError> {
        let subject = self.subject(aggregate_id)?;
        let stream = &self.inner.stream;

        let (last, snapshot) = tokio::join!(
            reader::last_on_subject(stream, &subject),
            snapshot::read::<A>(&self.inner, aggregate_id),
        );
        let Some(last) = last? else {
            return Ok(new_context(aggregate_id));
        };
        let last = reader::decode(&last)?;

        let stored = snapshot.filter(|s| s.stream_seq <= last.stream_seq);
        let cached = self.inner.cache.get::<A>(aggregate_id, last.stream_seq);
        let usable = match (stored, cached) {
            (Some(stored), Some(cached)) if stored.stream_seq > cached.stream_seq => Some(stored),
            (stored, cached) => cached.or(stored),
        };
        let (mut aggregate, mut stream_seq, mut sequence) = match usable {
            Some(s) => (s.state, s.stream_seq, s.sequence),
            None => (A::default(), 0, 0),
        };

        // The commits after the base, read up to the one before `last` (already in hand).
        let mut tail = Vec::new();
        if stream_seq < last.stream_seq {
            let (from, to) = (stream_seq + 1, last.stream_seq - 1);
            let at_most = last.first_sequence.saturating_sub(sequence + 1);
            tail = reader::range_on_subject(stream, &subject, from, to, at_most).await?;
            tail.push(last);
        }

        for commit in tail {
            check_contiguous(&commit, sequence)?;
            for event in self.decode_events(&commit)? {
                aggregate.apply(event);
            }
            stream_seq = commit.stream_seq;
            sequence = commit.last_sequence();
        }

        Ok(JetStreamContext {
            aggregate_id: aggregate_id.to_owned(),
            aggregate,
            stream_seq,
            sequence,
        })
    }

    /// The per-aggregate sequence the stored snapshot covers, if there is a usable one.
    pub async fn snapshot_sequence(&self, aggregate_id: &str) -> Option<u64> {
        let snapshot = snapshot::read::<A>(&self.inner, aggregate_id).await;
        snapshot.map(|snapshot| snapshot.sequence)
    }

    /// Every commit of one aggregate, oldest first, without snapshots.
    pub async fn load_commits(&self, aggregate_id: &str) -> Result<Vec<Commit>, StoreError> {
        let subject = self.subject(aggregate_id)?;
        let stream = &self.inner.stream;

        let Some(last) = reader::last_on_subject(stream, &subject).await? else {
            return Ok(Vec::new());
        };
        let last = reader::decode(&last)?;

        let before_last = last.first_sequence.saturating_sub(1);
        let mut commits =
            reader::range_on_subject(stream, &subject, 1, last.stream_seq - 1, before_last).await?;
        commits.push(last);

        let mut sequence = 0;
        for commit in &commits {
            check_contiguous(commit, sequence)?;
            sequence = commit.last_sequence();
        }

        Ok(commits)
    }

    /// Upcasts and deserializes a commit's events into the aggregate's event type.
    pub(crate) fn decode_events(&self, commit: &Commit) -> Result<Vec<A::Event>, StoreError> {
        let upcasters = &self.inner.config.upcasters;

        commit
            .events
            .iter()
            .map(|event| {
                let (_, payload) = upcasters.upcast(
                    &event.event_type,
                    &event.event_version,
                    event.payload.clone(),
                )?;
                serde_json::from_value(payload).map_err(|source| StoreError::Decode {
                    stream_seq: commit.stream_seq,
                    source,
                })
            })
            .collect()
    }

    /// Turns a stored commit into the envelopes cqrs-es hands out.
    pub(crate) fn envelopes(&self, commit: &Commit) -> Result<Vec<EventEnvelope<A>>, StoreError> {
        let events = self.decode_events(commit)?;

        Ok(events
            .into_iter()
            .zip(commit.first_sequence..)
            .map(|(payload, sequence)| EventEnvelope {
                aggregate_id: commit.aggregate_id.clone(),
                sequence: sequence as usize,
                payload,
                metadata: commit.metadata.clone(),
            })
            .collect())
    }
}

impl<A: Aggregate> EventStore<A> for JetStreamStore<A> {
    type AC = JetStreamContext<A>;

    async fn load_events(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        let mut envelopes = Vec::new();
        for commit in self.load_commits(aggregate_id).await? {
            envelopes.extend(self.envelopes(&commit)?);
        }
        Ok(envelopes)
    }

    async fn load_aggregate(
        &self,
        aggregate_id: &str,
    ) -> Result<JetStreamContext<A>, AggregateError<A::Error>> {
        Ok(self.load(aggregate_id).await?)
    }

    async fn commit(
        &self,
        events: Vec<A::Event>,
        context: JetStreamContext<A>,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        Ok(self.append(events, context, metadata).await?)
    }
}

fn new_context<A: Aggregate>(aggregate_id: &str) -> JetStreamContext<A> {
    JetStreamContext {
        aggregate_id: aggregate_id.to_owned(),
        aggregate: A::default(),
        stream_seq: 0,
        sequence: 0,
    }
}

/// A commit must start right after the events already applied; anything else is data loss.
fn check_contiguous(commit: &Commit, applied: u64) -> Result<(), StoreError> {
    if commit.first_sequence == applied + 1 {
        return Ok(());
    }

    Err(StoreError::Gap {
        aggregate_id: commit.aggregate_id.clone(),
        expected: applied + 1,
        found: commit.first_sequence,
    })
}

async fn open_bucket(js: &Context, bucket: &str) -> Result<kv::Store, StoreError> {
    js.get_key_value(bucket)
        .await
        .map_err(|_| StoreError::Missing(format!("key-value bucket {bucket}")))
}
