//! The push hub: one ordered read of the document events per process, fanned out in memory
//! to every SSE connection. A connection costs a broadcast receiver, never a JetStream
//! consumer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use illustrator_eventstore::Commit;
use tokio::sync::{broadcast, watch};

use crate::app::App;

/// Commits a connection may fall behind by before it is dropped, so that one slow client
/// never holds the others back.
const CLIENT_BUFFER: usize = 256;

#[derive(Default)]
pub struct Hub {
    channels: Mutex<HashMap<String, broadcast::Sender<Arc<Commit>>>>,
}

impl Hub {
    /// Live commits of one document from now on.
    pub fn subscribe(&self, document_id: &str) -> broadcast::Receiver<Arc<Commit>> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels
            .entry(document_id.to_owned())
            .or_insert_with(|| broadcast::channel(CLIENT_BUFFER).0)
            .subscribe()
    }

    pub fn connections(&self) -> usize {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.values().map(|s| s.receiver_count()).sum()
    }

    fn route(&self, commit: Commit) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        let Some(sender) = channels.get(&commit.aggregate_id) else {
            return;
        };
        if sender.send(Arc::new(commit.clone())).is_err() {
            channels.remove(&commit.aggregate_id);
        }
    }

    fn sweep(&self) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.retain(|_, sender| sender.receiver_count() > 0);
    }

    /// Follows the stream from its current end until shutdown, resuming after errors from
    /// the last commit it routed.
    pub fn start(self: &Arc<Hub>, app: App, shutdown: watch::Receiver<bool>) {
        let hub = self.clone();
        tokio::spawn(async move { hub.follow(app, shutdown).await });
    }

    async fn follow(&self, app: App, mut shutdown: watch::Receiver<bool>) {
        let filter = app.ns.events_filter(illustrator_documents::AGGREGATE_TYPE);
        let mut next = match app.log.last_seq().await {
            Ok(last) => last + 1,
            Err(error) => {
                tracing::error!(error = %error, "push cannot read the stream position");
                1
            }
        };
        let mut sweep = tokio::time::interval(Duration::from_secs(30));
        tracing::info!(stream_seq = next, "push hub started");

        loop {
            let stream = match app.log.read_from(Some(filter.clone()), next).await {
                Ok(stream) => stream,
                Err(error) => {
                    tracing::warn!(error = %error, "push hub cannot read the stream");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let mut stream = Box::pin(stream);

            loop {
                tokio::select! {
                    item = stream.next() => match item {
                        Some(Ok(commit)) => {
                            next = commit.stream_seq + 1;
                            self.route(commit);
                        }
                        Some(Err(error)) => {
                            tracing::warn!(error = %error, "push hub read failed");
                            break;
                        }
                        None => break,
                    },
                    _ = sweep.tick() => self.sweep(),
                    _ = shutdown.changed() => {
                        tracing::info!("push hub stopped");
                        return;
                    }
                }
            }
        }
    }
}
