//! The auditors' feed: the usage events of a time range as CloudEvents, one JSON object a
//! line, read from the event stream itself rather than from any read model.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use illustrator_eventstore::Commit;
use serde::Deserialize;

use super::auth::{Allowed, ManageUsers};
use crate::app::App;
use crate::error::ApiError;

/// How long the feed waits for a further usage commit before it decides it has read them
/// all: the stream's last commit may belong to another aggregate.
const QUIET: Duration = Duration::from_millis(500);

/// Commits written in one chunk of the answer at most.
const CHUNK: usize = 256;

#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Usage events whose time is in `[from, to)`, oldest first, as CloudEvents NDJSON.
#[utoipa::path(get, path = "/v1/admin/audit/events",
    responses((status = 200, content_type = "application/x-ndjson")))]
pub async fn events(
    State(app): State<App>,
    _principal: Allowed<ManageUsers>,
    Query(range): Query<RangeQuery>,
) -> Result<Response, ApiError> {
    let unavailable = |e: illustrator_eventstore::StoreError| ApiError::Unavailable(e.to_string());
    let last = app.log.last_seq().await.map_err(unavailable)?;
    let filter = app.ns.events_filter(illustrator_billing::AGGREGATE_TYPE);
    let commits = app
        .log
        .read_from(Some(filter), 1)
        .await
        .map_err(unavailable)?;

    let from = range.from.unwrap_or(DateTime::<Utc>::MIN_UTC);
    let to = range.to.unwrap_or(DateTime::<Utc>::MAX_UTC);
    // Commits that are ready go out together: a chunk per commit would cost the client and
    // the server a frame each.
    let batches = Box::pin(commits.ready_chunks(CHUNK));
    let lines = futures::stream::unfold(
        (batches, last == 0),
        move |(mut batches, done)| async move {
            if done {
                return None;
            }
            let next = tokio::time::timeout(QUIET, batches.next()).await;
            let Ok(Some(batch)) = next else {
                return None;
            };

            let (mut out, mut done) = (Vec::new(), false);
            for item in batch {
                match item {
                    Ok(commit) if !done => {
                        write_lines(&mut out, &commit, from, to);
                        done = commit.stream_seq >= last;
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::error!(error = %error,
                            "unreadable usage commit in the audit feed");
                    }
                }
            }
            Some((Ok::<_, std::io::Error>(Bytes::from(out)), (batches, done)))
        },
    );

    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(lines),
    )
        .into_response())
}

/// One line of the feed, borrowing the event's body rather than copying it.
#[derive(serde::Serialize)]
struct CloudEvent<'a> {
    specversion: &'static str,
    id: String,
    source: String,
    #[serde(rename = "type")]
    kind: String,
    time: DateTime<Utc>,
    subject: &'a serde_json::Value,
    datacontenttype: &'static str,
    streamsequence: u64,
    data: &'a serde_json::Value,
}

/// Writes the commit's events inside the range, each as a CloudEvent on its own line.
fn write_lines(out: &mut Vec<u8>, commit: &Commit, from: DateTime<Utc>, to: DateTime<Utc>) {
    for event in &commit.events {
        let data = &event.payload[&event.event_type];
        let time = data["meta"]["at"]
            .as_str()
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .map_or(commit.time, |at| at.with_timezone(&Utc));
        if time < from || time >= to {
            continue;
        }

        let cloud = CloudEvent {
            specversion: "1.0",
            id: format!("{}-{}", commit.aggregate_id, event.sequence),
            source: format!("/usage/{}", commit.aggregate_id),
            kind: format!(
                "illustrator.usage.{}.v{}",
                event.event_type, event.event_version
            ),
            time,
            subject: &data["user"],
            datacontenttype: "application/json",
            streamsequence: commit.stream_seq,
            data,
        };
        if serde_json::to_writer(&mut *out, &cloud).is_ok() {
            out.push(b'\n');
        }
    }
}
