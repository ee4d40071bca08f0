//! Reads of one subject's commits without a durable consumer: last, next and ranges.

use async_nats::jetstream::consumer::{DeliverPolicy, pull::OrderedConfig};
use async_nats::jetstream::message::StreamMessage;
use async_nats::jetstream::stream::{DirectGetErrorKind, LastRawMessageErrorKind, Stream};
use futures::StreamExt;

use crate::{Commit, StoreError};

/// Up to this many commits a range is read with direct gets, one request each; a longer
/// range creates a short-lived ordered consumer, whose set-up costs about as much as five
/// direct gets (measured with the append benchmark).
const DIRECT_GET_LIMIT: u64 = 4;

/// Longest wait for one range read through an ordered consumer.
const RANGE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The last message on `subject`, read from the stream leader so that it is current.
pub(crate) async fn last_on_subject(
    stream: &Stream<()>,
    subject: &str,
) -> Result<Option<StreamMessage>, StoreError> {
    match stream.get_last_raw_message_by_subject(subject).await {
        Ok(message) => Ok(Some(message)),
        Err(error) if matches!(error.kind(), LastRawMessageErrorKind::NoMessageFound) => Ok(None),
        Err(error) => Err(StoreError::nats("get last message by subject", error)),
    }
}

/// The first message on `subject` at or after stream sequence `from`.
pub(crate) async fn next_on_subject(
    stream: &Stream<()>,
    subject: &str,
    from: u64,
) -> Result<Option<StreamMessage>, StoreError> {
    match stream
        .direct_get_next_for_subject(subject, Some(from))
        .await
    {
        Ok(message) => Ok(Some(message)),
        Err(error) if matches!(error.kind(), DirectGetErrorKind::NotFound) => Ok(None),
        Err(error) => Err(StoreError::nats("direct get next by subject", error)),
    }
}

/// The message at one stream sequence.
pub(crate) async fn at_sequence(
    stream: &Stream<()>,
    stream_seq: u64,
) -> Result<Option<StreamMessage>, StoreError> {
    match stream.direct_get(stream_seq).await {
        Ok(message) => Ok(Some(message)),
        Err(error) if matches!(error.kind(), DirectGetErrorKind::NotFound) => Ok(None),
        Err(error) => Err(StoreError::nats("direct get by sequence", error)),
    }
}

/// Decodes a message returned by a get request.
pub(crate) fn decode(message: &StreamMessage) -> Result<Commit, StoreError> {
    Commit::decode(message.sequence, message.subject.as_str(), &message.payload)
        .map(|commit| commit.with_headers(Some(&message.headers)))
}

/// The commits on `subject` with stream sequences in `from..=to`.
///
/// `expected_commits` is an upper bound on how many there are (from per-aggregate
/// sequences); it picks direct gets for short ranges and an ordered consumer for long ones.
pub(crate) async fn range_on_subject(
    stream: &Stream<()>,
    subject: &str,
    from: u64,
    to: u64,
    expected_commits: u64,
) -> Result<Vec<Commit>, StoreError> {
    if from > to {
        return Ok(Vec::new());
    }

    if expected_commits <= DIRECT_GET_LIMIT {
        range_by_direct_get(stream, subject, from, to).await
    } else {
        range_by_consumer(stream, subject, from, to).await
    }
}

async fn range_by_direct_get(
    stream: &Stream<()>,
    subject: &str,
    from: u64,
    to: u64,
) -> Result<Vec<Commit>, StoreError> {
    let mut commits = Vec::new();
    let mut next = from;

    while next <= to {
        let Some(message) = next_on_subject(stream, subject, next).await? else {
            break;
        };
        if message.sequence > to {
            break;
        }

        next = message.sequence + 1;
        commits.push(decode(&message)?);
    }

    Ok(commits)
}

async fn range_by_consumer(
    stream: &Stream<()>,
    subject: &str,
    from: u64,
    to: u64,
) -> Result<Vec<Commit>, StoreError> {
    let config = OrderedConfig {
        filter_subject: subject.to_owned(),
        deliver_policy: DeliverPolicy::ByStartSequence {
            start_sequence: from,
        },
        ..Default::default()
    };
    let consumer = stream
        .create_consumer(config)
        .await
        .map_err(|error| StoreError::nats("create ordered consumer", error))?;
    let mut messages = consumer
        .messages()
        .await
        .map_err(|error| StoreError::nats("ordered consumer messages", error))?;

    // Callers always hold a later message on the subject (the aggregate's last commit), so
    // delivery reaches past `to`; the timeout turns a stalled consumer into an error.
    let mut commits = Vec::new();
    let deadline = tokio::time::Instant::now() + RANGE_TIMEOUT;
    while let Ok(Some(message)) = tokio::time::timeout_at(deadline, messages.next()).await {
        let message = message.map_err(|error| StoreError::nats("ordered consumer", error))?;
        let info = message
            .info()
            .map_err(|error| StoreError::nats("message info", error))?;
        let stream_seq = info.stream_sequence;

        if stream_seq > to {
            return Ok(commits);
        }

        let commit = Commit::decode(stream_seq, message.subject.as_str(), &message.payload)?
            .with_headers(message.headers.as_ref());
        commits.push(commit);
        if stream_seq == to {
            return Ok(commits);
        }
    }

    Err(StoreError::nats(
        "ordered consumer",
        format!("range {from}..={to} of {subject} incomplete"),
    ))
}

/// A handle on an existing stream; fails with [`StoreError::Missing`] if it does not exist.
pub(crate) async fn open_stream(
    js: &async_nats::jetstream::Context,
    name: &str,
) -> Result<Stream<()>, StoreError> {
    use async_nats::jetstream::ErrorCode;
    use async_nats::jetstream::context::GetStreamErrorKind;

    match js.get_stream(name).await {
        Ok(_) => {}
        Err(error) => {
            let missing = matches!(error.kind(),
                GetStreamErrorKind::JetStream(e) if e.error_code() == ErrorCode::STREAM_NOT_FOUND);
            if missing {
                return Err(StoreError::Missing(format!("stream {name}")));
            }
            return Err(StoreError::nats("get stream", error));
        }
    }

    js.get_stream_no_info(name)
        .await
        .map_err(|error| StoreError::nats("get stream", error))
}
