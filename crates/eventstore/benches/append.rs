//! Append and load figures against the local nats-server, next to raw JetStream publishes.
//!
//! Run with `cargo bench -p illustrator-eventstore --bench append`; it prints a table.
//! It creates a random namespace and deletes its streams and buckets at the end.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self, Context, stream};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, AggregateContext, DomainEvent, EventStore};
use illustrator_eventstore::{JetStreamStore, Namespace, PreparedCommit, StoreConfig, Topology};
use serde::{Deserialize, Serialize};

const SINGLE_APPENDS: usize = 3_000;
const AGGREGATES: usize = 1_000;
const ROUNDS: usize = 20;
const CHUNK: usize = 1_000;
const LONG_EVENTS: u64 = 10_000;
const LOADS: usize = 300;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Tally {
    count: u64,
    sum: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum TallyEvent {
    Counted { value: u64, note: String },
}

#[derive(Debug, thiserror::Error)]
#[error("never")]
struct Never;

impl DomainEvent for TallyEvent {
    fn event_type(&self) -> String {
        "Counted".into()
    }
    fn event_version(&self) -> String {
        "1".into()
    }
}

impl Aggregate for Tally {
    const TYPE: &'static str = "tally";
    type Command = u64;
    type Event = TallyEvent;
    type Error = Never;
    type Services = ();

    async fn handle(&mut self, value: u64, _: &(), sink: &EventSink<Self>) -> Result<(), Never> {
        sink.write(event(value), self).await;
        Ok(())
    }

    fn apply(&mut self, event: TallyEvent) {
        let TallyEvent::Counted { value, .. } = event;
        self.count += 1;
        self.sum += value;
    }
}

/// An event of about the size of a real one (a 120-byte note).
fn event(value: u64) -> TallyEvent {
    TallyEvent::Counted {
        value,
        note: "n".repeat(120),
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

fn metadata() -> HashMap<String, String> {
    let pairs = [
        ("correlation_id", "0190f3a2-7b1c-7def-8000-000000000001"),
        ("actor", "u1"),
    ];
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn connect() -> anyhow::Result<Context> {
    let client = async_nats::connect("127.0.0.1:4222")
        .await
        .context("connecting to NATS")?;
    let mut js = jetstream::new(client);
    js.set_timeout(Duration::from_secs(10));
    Ok(js)
}

/// One command's commit body as the store writes it, to size the raw messages alike.
fn commit_size() -> anyhow::Result<usize> {
    let body = serde_json::json!({
        "aggregate_type": "tally", "aggregate_id": "a0001", "first_sequence": 1,
        "events": [{"event_type": "Counted", "event_version": "1",
                    "payload": serde_json::to_value(event(1))?}],
        "metadata": metadata(), "time": "2026-12-03T10:00:00.000000000Z"
    });
    Ok(serde_json::to_vec(&body)?.len())
}

async fn single_appends(store: &JetStreamStore<Tally>) -> anyhow::Result<Vec<Duration>> {
    let (mut stream_seq, mut sequence) = (0, 0);
    let mut samples = Vec::with_capacity(SINGLE_APPENDS);

    for value in 0..SINGLE_APPENDS as u64 {
        let prepared = PreparedCommit::from_parts(
            "single",
            stream_seq,
            sequence,
            vec![event(value)],
            metadata(),
        );
        let started = Instant::now();
        let appended = store.append_many(vec![prepared]).await?.remove(0)?;
        samples.push(started.elapsed());
        (stream_seq, sequence) = (appended.stream_seq, appended.sequence);
    }

    Ok(samples)
}

async fn commands(
    store: &JetStreamStore<Tally>,
    id: &str,
    n: u64,
) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(n as usize);

    for value in 0..n {
        let started = Instant::now();
        let mut context = store.load_aggregate(id).await?;
        let sink = EventSink::default();
        context.aggregate().handle(value, &(), &sink).await?;
        store
            .commit(sink.collect().await, context, metadata())
            .await?;
        samples.push(started.elapsed());
    }

    Ok(samples)
}

async fn raw_single(
    js: &Context,
    subject: &str,
    body: &bytes::Bytes,
) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(SINGLE_APPENDS);

    for _ in 0..SINGLE_APPENDS {
        let started = Instant::now();
        js.publish(subject.to_owned(), body.clone()).await?.await?;
        samples.push(started.elapsed());
    }

    Ok(samples)
}

async fn pipelined(store: &JetStreamStore<Tally>, run: usize) -> anyhow::Result<f64> {
    let ids: Vec<String> = (0..AGGREGATES).map(|i| format!("p{run}x{i:04}")).collect();
    let mut tokens = vec![(0u64, 0u64); AGGREGATES];

    let started = Instant::now();
    for round in 0..ROUNDS as u64 {
        let prepared = ids
            .iter()
            .zip(&tokens)
            .map(|(id, (seq, sequence))| {
                PreparedCommit::from_parts(id, *seq, *sequence, vec![event(round)], metadata())
            })
            .collect();

        let results = store.append_many(prepared).await?;
        for (token, result) in tokens.iter_mut().zip(results) {
            let appended = result?;
            *token = (appended.stream_seq, appended.sequence);
        }
    }

    Ok((AGGREGATES * ROUNDS) as f64 / started.elapsed().as_secs_f64())
}

async fn raw_pipelined(js: &Context, prefix: &str, body: &bytes::Bytes) -> anyhow::Result<f64> {
    let total = AGGREGATES * ROUNDS;

    let started = Instant::now();
    for chunk in 0..total / CHUNK {
        let mut acks = Vec::with_capacity(CHUNK);
        for i in 0..CHUNK {
            let subject = format!("{prefix}.{}", (chunk * CHUNK + i) % AGGREGATES);
            acks.push(js.publish(subject, body.clone()).await?);
        }
        for ack in acks {
            ack.await?;
        }
    }

    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// Raw pipelined publishes carrying the header that pipelined commits carry (the expected
/// last subject sequence), to separate the client's cost from the server's check.
async fn raw_pipelined_headers(
    js: &Context,
    prefix: &str,
    body: &bytes::Bytes,
) -> anyhow::Result<f64> {
    let total = AGGREGATES * ROUNDS;
    let mut last = vec![0u64; AGGREGATES];

    let started = Instant::now();
    for chunk in 0..total / CHUNK {
        let mut acks = Vec::with_capacity(CHUNK);
        for i in 0..CHUNK {
            let aggregate = (chunk * CHUNK + i) % AGGREGATES;
            let message = PublishMessage::build()
                .payload(body.clone())
                .expected_last_subject_sequence(last[aggregate]);
            acks.push((
                aggregate,
                js.send_publish(format!("{prefix}.{aggregate}"), message)
                    .await?,
            ));
        }
        for (aggregate, ack) in acks {
            last[aggregate] = ack.await?.sequence;
        }
    }

    Ok(total as f64 / started.elapsed().as_secs_f64())
}

async fn loads(store: &JetStreamStore<Tally>, id: &str) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(LOADS);

    for _ in 0..LOADS {
        let started = Instant::now();
        let context = store.load(id).await?;
        samples.push(started.elapsed());
        anyhow::ensure!(
            context.sequence() >= LONG_EVENTS,
            "loaded the whole aggregate"
        );
    }

    Ok(samples)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let ns = Namespace::new(&format!("b{}", &suffix[..10]))?;
    let js = connect().await?;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../nats");
    let mut topology = Topology::load(&dir, &ns, 1)?;
    topology.cap_max_bytes(1 << 30);
    topology.apply(&js, false).await?;

    let raw_name = format!("{}_RAW", ns.upper());
    let raw_prefix = format!("{}raw", ns.as_str());
    let raw_config = stream::Config {
        name: raw_name.clone(),
        subjects: vec![format!("{raw_prefix}.>")],
        storage: stream::StorageType::File,
        max_bytes: 1 << 30,
        ..Default::default()
    };
    js.create_stream(raw_config).await?;

    let result = run(&js, &ns, &raw_prefix).await;

    let _ = js.delete_stream(&raw_name).await;
    for name in topology.streams.iter().map(|s| s.name.clone()) {
        let _ = js.delete_stream(name).await;
    }
    for bucket in topology.kv.iter().map(|kv| format!("KV_{}", kv.bucket)) {
        let _ = js.delete_stream(bucket).await;
    }
    for bucket in topology.objects.iter().map(|o| format!("OBJ_{}", o.bucket)) {
        let _ = js.delete_stream(bucket).await;
    }
    result
}

async fn run(js: &Context, ns: &Namespace, raw_prefix: &str) -> anyhow::Result<()> {
    let store: JetStreamStore<Tally> =
        JetStreamStore::new(js.clone(), ns, StoreConfig::default()).await?;
    let size = commit_size()?;
    let body = bytes::Bytes::from(vec![b'x'; size]);
    println!("commit message size: {size} bytes");

    raw_single(js, &format!("{raw_prefix}.warm"), &body).await?;
    let mut raw = raw_single(js, &format!("{raw_prefix}.single"), &body).await?;
    let mut ours = single_appends(&store).await?;
    let (raw50, raw99) = (percentile(&mut raw, 0.5), percentile(&mut raw, 0.99));
    let (our50, our99) = (percentile(&mut ours, 0.5), percentile(&mut ours, 0.99));
    println!(
        "one append         p50 {:>8}  p99 {:>8}",
        micros(our50),
        micros(our99)
    );
    println!(
        "raw publish        p50 {:>8}  p99 {:>8}",
        micros(raw50),
        micros(raw99)
    );

    let mut full = commands(&store, "command", 1_000).await?;
    let (full50, full99) = (percentile(&mut full, 0.5), percentile(&mut full, 0.99));
    println!(
        "load+handle+commit p50 {:>8}  p99 {:>8}",
        micros(full50),
        micros(full99)
    );

    // The machine is shared: interleave five runs of each and keep each one's best.
    let (mut raw_rate, mut header_rate, mut our_rate) = (0f64, 0f64, 0f64);
    for run in 0..5 {
        let raw = raw_pipelined(js, &format!("{raw_prefix}.pipe{run}"), &body).await?;
        let headers = raw_pipelined_headers(js, &format!("{raw_prefix}.hdr{run}"), &body).await?;
        let ours = pipelined(&store, run).await?;
        println!(
            "pipelined run {run}: ours {ours:>7.0}/s  raw {raw:>7.0}/s  \
             raw+expected-seq {headers:>7.0}/s"
        );
        (raw_rate, header_rate, our_rate) = (
            raw_rate.max(raw),
            header_rate.max(headers),
            our_rate.max(ours),
        );
    }
    println!(
        "pipelined appends  {our_rate:>8.0}/s  raw {raw_rate:>8.0}/s  ratio {:.2}  \
         raw with the same headers {header_rate:>8.0}/s  ratio {:.2}",
        our_rate / raw_rate,
        our_rate / header_rate
    );

    let started = Instant::now();
    commands(&store, "long", LONG_EVENTS).await?;
    println!(
        "built {LONG_EVENTS} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // A store without the in-process cache loads from the KV snapshot plus the tail, as a
    // freshly started process or another replica would.
    let cold_config = StoreConfig {
        cache_capacity: 0,
        ..StoreConfig::default()
    };
    let cold: JetStreamStore<Tally> = JetStreamStore::new(js.clone(), ns, cold_config).await?;
    let mut cached = loads(&store, "long").await?;
    let (p50, p99) = (percentile(&mut cached, 0.5), percentile(&mut cached, 0.99));
    println!(
        "load 10k cached            p50 {:>8}  p99 {:>8}",
        micros(p50),
        micros(p99)
    );
    for (label, extra) in [("at a snapshot", 0), ("+10 tail", 10), ("+19 tail", 9)] {
        commands(&store, "long", extra).await?;
        let mut samples = loads(&cold, "long").await?;
        let (p50, p99) = (
            percentile(&mut samples, 0.5),
            percentile(&mut samples, 0.99),
        );
        println!(
            "load 10k snapshot {label:<8} p50 {:>8}  p99 {:>8}",
            micros(p50),
            micros(p99)
        );
    }

    let plain: JetStreamStore<Tally> = JetStreamStore::new(
        js.clone(),
        ns,
        StoreConfig {
            snapshot_every: 0,
            ..Default::default()
        },
    )
    .await?;
    let started = Instant::now();
    let commits = plain.load_commits("long").await?;
    println!(
        "load 10k without snapshot: {} commits in {:.1} ms",
        commits.len(),
        started.elapsed().as_secs_f64() * 1e3
    );

    Ok(())
}
