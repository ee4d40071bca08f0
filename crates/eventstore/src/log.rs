//! Ordered reading of the event stream for projectors, push and auditors.

use std::time::Duration;

use async_nats::jetstream::Context;
use async_nats::jetstream::consumer::DeliverPolicy;
use async_nats::jetstream::consumer::pull::{Ordered, OrderedConfig};
use async_nats::jetstream::stream::Stream as JsStream;
use futures::{Stream, StreamExt};

use crate::{Commit, Namespace, StoreError, reader};

/// How long a reader waits for a message before checking whether its consumer is stale.
const IDLE_CHECK: Duration = Duration::from_secs(2);

/// Longest pause between attempts to recreate a failed consumer.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Reads commits in stream order. Cheap to clone.
#[derive(Clone)]
pub struct EventLog {
    ns: Namespace,
    stream: JsStream<()>,
}

impl EventLog {
    /// Opens the event stream of `ns`; it must already exist.
    pub async fn new(js: Context, ns: &Namespace) -> Result<EventLog, StoreError> {
        let name = ns.events_stream();
        let stream = reader::open_stream(&js, &name).await?;

        Ok(EventLog {
            ns: ns.clone(),
            stream,
        })
    }

    /// Every commit matching `filter` (all aggregates when `None`) from stream sequence
    /// `start_seq` on, in stream order, waiting for new ones forever.
    ///
    /// The ordered consumer behind it is supervised: on any consumer error (a reconnect, a
    /// deleted consumer, missed heartbeats that never end) it is dropped and recreated from
    /// the sequence after the last commit yielded, so nothing is skipped or repeated. A
    /// commit that cannot be decoded is yielded as an error and reading goes on after it.
    pub async fn read_from(
        &self,
        filter: Option<String>,
        start_seq: u64,
    ) -> Result<impl Stream<Item = Result<Commit, StoreError>> + Send + 'static, StoreError> {
        let filter = filter.unwrap_or_else(|| self.ns.all_events_filter());
        let next_seq = start_seq.max(1);
        let messages = open(&self.stream, &filter, next_seq).await?;

        let reader = Supervised {
            stream: self.stream.clone(),
            filter,
            next_seq,
            messages: Some(messages),
            failures: 0,
            suspect: None,
        };

        Ok(futures::stream::unfold(reader, |mut reader| async move {
            let item = reader.next().await;
            Some((item, reader))
        }))
    }

    /// One subject's commits with stream sequence above `after_seq`, by direct gets (no
    /// consumer is created), for SSE history and `Last-Event-ID` resume.
    pub async fn read_subject_after(
        &self,
        subject: &str,
        after_seq: u64,
    ) -> Result<Vec<Commit>, StoreError> {
        let mut commits = Vec::new();
        let mut next = after_seq + 1;

        while let Some(message) = reader::next_on_subject(&self.stream, subject, next).await? {
            next = message.sequence + 1;
            commits.push(reader::decode(&message)?);
        }

        Ok(commits)
    }

    /// The stream's last sequence; 0 when it is empty.
    pub async fn last_seq(&self) -> Result<u64, StoreError> {
        let info = self
            .stream
            .get_info()
            .await
            .map_err(|error| StoreError::nats("stream info", error))?;

        Ok(info.state.last_sequence)
    }
}

/// An ordered consumer plus the position to recreate it from.
struct Supervised {
    stream: JsStream<()>,
    filter: String,
    next_seq: u64,
    messages: Option<Ordered>,
    failures: u32,
    /// A matching message that exists but had not arrived at the last idle check.
    suspect: Option<u64>,
}

impl Supervised {
    async fn next(&mut self) -> Result<Commit, StoreError> {
        loop {
            let Some(messages) = self.messages.as_mut() else {
                self.reopen().await;
                continue;
            };

            let message = match tokio::time::timeout(IDLE_CHECK, messages.next()).await {
                Ok(Some(Ok(message))) => message,
                Ok(Some(Err(error))) => {
                    let next_seq = self.next_seq;
                    tracing::warn!(next_seq, error = %error, "event log consumer failed");
                    self.failures += 1;
                    self.messages = None;
                    continue;
                }
                Ok(None) => {
                    self.messages = None;
                    continue;
                }
                Err(_idle) => {
                    self.check_stalled().await;
                    continue;
                }
            };

            let stream_seq = match message.info() {
                Ok(info) => info.stream_sequence,
                Err(error) => {
                    tracing::warn!(error = %error, "event log message without metadata");
                    self.messages = None;
                    continue;
                }
            };
            if stream_seq < self.next_seq {
                continue;
            }

            self.next_seq = stream_seq + 1;
            self.failures = 0;
            self.suspect = None;
            return Commit::decode(stream_seq, message.subject.as_str(), &message.payload)
                .map(|commit| commit.with_headers(message.headers.as_ref()));
        }
    }

    /// After a reconnect a consumer can stay silent without reporting an error. When the
    /// reader is idle, a matching message that is still missing one check later means the
    /// consumer is stale, and it is recreated.
    async fn check_stalled(&mut self) {
        let pending = reader::next_on_subject(&self.stream, &self.filter, self.next_seq).await;
        let Ok(Some(message)) = pending else {
            self.suspect = None;
            return;
        };

        if self
            .suspect
            .is_some_and(|suspect| suspect <= message.sequence)
        {
            let next_seq = self.next_seq;
            tracing::warn!(next_seq, "event log consumer stalled");
            self.messages = None;
            self.suspect = None;
        } else {
            self.suspect = Some(message.sequence);
        }
    }

    async fn reopen(&mut self) {
        if self.failures > 0 {
            let backoff = Duration::from_millis(100 << self.failures.min(6)).min(MAX_BACKOFF);
            tokio::time::sleep(backoff).await;
        }

        match open(&self.stream, &self.filter, self.next_seq).await {
            Ok(messages) => {
                tracing::info!(next_seq = self.next_seq, "event log consumer recreated");
                self.messages = Some(messages);
            }
            Err(error) => {
                self.failures += 1;
                let next_seq = self.next_seq;
                tracing::warn!(next_seq, error = %error, "event log consumer not recreated");
            }
        }
    }
}

async fn open(
    stream: &JsStream<()>,
    filter: &str,
    start_sequence: u64,
) -> Result<Ordered, StoreError> {
    let config = OrderedConfig {
        filter_subject: filter.to_owned(),
        deliver_policy: DeliverPolicy::ByStartSequence { start_sequence },
        ..Default::default()
    };
    let consumer = stream
        .create_consumer(config)
        .await
        .map_err(|error| StoreError::nats("create ordered consumer", error))?;

    consumer
        .messages()
        .await
        .map_err(|error| StoreError::nats("ordered consumer messages", error))
}
