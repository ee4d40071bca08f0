//! Handing work back at shutdown. A pull consumer delivers messages ahead of use; those a
//! stopping process has not started on are nakked without delay, so that another process
//! gets them at once instead of after the ack wait.

use std::time::Duration;

use async_nats::jetstream::{AckKind, Message};
use futures::{Stream, StreamExt};

/// How long the buffer is read for messages already on their way to this process.
const IDLE: Duration = Duration::from_millis(100);

/// The longest a hand-back lasts, however many messages keep arriving.
const LIMIT: Duration = Duration::from_secs(2);

/// A nak's delay: explicit, because a nak without one may wait for the consumer's
/// backoff, and a millisecond is as good as at once.
pub const AT_ONCE: Duration = Duration::from_millis(1);

/// Naks every message the stream has already delivered; returns how many.
pub async fn hand_back<S, E>(messages: &mut S, what: &'static str) -> usize
where
    S: Stream<Item = Result<Message, E>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + LIMIT;
    let mut handed = 0;

    while tokio::time::Instant::now() < deadline {
        let next = tokio::time::timeout(IDLE, messages.next()).await;
        let Ok(Some(Ok(message))) = next else {
            break;
        };
        if message.ack_with(AckKind::Nak(Some(AT_ONCE))).await.is_ok() {
            handed += 1;
        }
    }

    if handed > 0 {
        tracing::info!(handed, what, "unstarted messages handed back");
    }
    handed
}
