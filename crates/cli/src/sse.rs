//! A small reader of server-sent events over a streaming HTTP body.

use futures::StreamExt;

#[derive(Debug, Default, Clone)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

/// Splits a byte stream into events, calling `on_event` until it returns false or the
/// stream ends.
pub async fn read_events(
    response: reqwest::Response,
    mut on_event: impl FnMut(SseEvent) -> bool,
) -> anyhow::Result<()> {
    let mut body = response.bytes_stream();
    let mut buffer: Vec<u8> = Vec::new();
    let mut current = SseEvent::default();

    while let Some(chunk) = body.next().await {
        buffer.extend_from_slice(&chunk?);

        while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);

            if line.is_empty() {
                let event = std::mem::take(&mut current);
                if !event.data.is_empty() && !on_event(event) {
                    return Ok(());
                }
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => current.id = Some(value.to_owned()),
                "event" => current.event = value.to_owned(),
                "data" => {
                    if !current.data.is_empty() {
                        current.data.push('\n');
                    }
                    current.data.push_str(value);
                }
                _ => {}
            }
        }
    }
    Ok(())
}
