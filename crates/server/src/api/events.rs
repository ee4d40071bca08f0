//! GET /v1/documents/{id}/events: a document's progress as server-sent events.
//!
//! History comes from the document's own subject (direct reads, no consumer), live events
//! from the process's push hub; the hub subscription is taken first, and live events at or
//! below the last history sequence are skipped, so nothing is lost or sent twice.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt, stream};
use illustrator_eventstore::Commit;
use tokio_stream::wrappers::BroadcastStream;

use super::auth::{Allowed, Read};
use super::documents::{parse_id, visible_document};
use crate::app::App;
use crate::error::ApiError;
use crate::push::Hub;

/// How soon a client should reconnect after the server closed its stream.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// The SSE name of each event a client sees; other events stay internal.
fn sse_name(event_type: &str) -> Option<&'static str> {
    match event_type {
        "IllustrationPlanned" => Some("planned"),
        "ImageGenerated" => Some("image.generated"),
        "ImageFailed" => Some("image.failed"),
        "RegenerationRequested" => Some("regenerating"),
        "DocumentCompleted" => Some("completed"),
        _ => None,
    }
}

/// The SSE messages of one commit; `id` is the commit's stream sequence.
pub fn sse_events(commit: &Commit, base: &str) -> Vec<Event> {
    commit
        .events
        .iter()
        .filter_map(|raw| {
            let name = sse_name(&raw.event_type)?;
            let mut data = raw
                .payload
                .as_object()
                .and_then(|o| o.values().next())
                .cloned()
                .unwrap_or_default();
            if let Some(object) = data.as_object_mut() {
                object.insert("type".into(), raw.event_type.clone().into());
                object.insert("document_id".into(), commit.aggregate_id.clone().into());
                object.insert("stream_seq".into(), commit.stream_seq.into());
                let image_url = object
                    .get("image")
                    .and_then(|i| i.get("image_id"))
                    .and_then(|i| i.as_str())
                    .map(|id| super::views::image_url(base, id));
                if let Some(url) = image_url {
                    object.insert("url".into(), url.into());
                }
            }
            Event::default()
                .id(commit.stream_seq.to_string())
                .event(name)
                .json_data(data)
                .ok()
        })
        .collect()
}

fn last_event_id(headers: &HeaderMap) -> u64 {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split('.').next()?.parse().ok())
        .unwrap_or(0)
}

#[utoipa::path(get, path = "/v1/documents/{id}/events",
    responses((status = 200, content_type = "text/event-stream"), (status = 404)))]
pub async fn events(
    State(app): State<App>,
    axum::Extension(hub): axum::Extension<Arc<Hub>>,
    axum::Extension(shutdown): axum::Extension<tokio::sync::watch::Receiver<bool>>,
    principal: Allowed<Read>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let id = parse_id(&id)?;
    visible_document(&app, &principal, id).await?;
    let after = last_event_id(&headers);
    let aggregate_id = id.to_string();

    let live = hub.subscribe(&aggregate_id);
    let subject = app
        .ns
        .event_subject(illustrator_documents::AGGREGATE_TYPE, &aggregate_id);
    let history = app
        .log
        .read_subject_after(&subject, after)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let last_history = history.last().map(|c| c.stream_seq).unwrap_or(after);
    let base = app.base_url();

    let retry = Event::default()
        .retry(Duration::from_secs(2))
        .comment("connected");
    let past: Vec<Event> = history.iter().flat_map(|c| sse_events(c, &base)).collect();

    // A lagging receiver means this client is too slow: end its stream; the client
    // reconnects with Last-Event-ID and catches up from history.
    let live = BroadcastStream::new(live)
        .take_while(|item| {
            let lagging = item.is_err();
            if lagging {
                crate::metrics::sse_client_dropped();
            }
            std::future::ready(!lagging)
        })
        .filter_map(move |item| {
            let events = match item {
                Ok(commit) if commit.stream_seq > last_history => sse_events(&commit, &base),
                _ => Vec::new(),
            };
            std::future::ready(Some(stream::iter(events)))
        })
        .flatten();

    let mut shutdown = shutdown.clone();
    let closing = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    // The last message tells the client to come back soon, to this or another replica,
    // and to resume from its Last-Event-ID.
    let goodbye = Event::default()
        .retry(RECONNECT_AFTER)
        .comment("closing; reconnect with Last-Event-ID");
    let connection = crate::metrics::SseConnection::open();
    let all = stream::iter(std::iter::once(retry).chain(past))
        .chain(live)
        .take_until(closing)
        .chain(stream::once(std::future::ready(goodbye)))
        .map(move |event| {
            let _open = &connection;
            Ok(event)
        });

    Ok(Sse::new(all).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
