//! An incremental reader of server-sent events: bytes in as they arrive, whole events out.

/// One dispatched event; comments and the retry field are not kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

/// Keeps a partial line and a partial event between chunks.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    current: SseEvent,
    has_data: bool,
}

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    /// Feeds one chunk and returns the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut done = Vec::new();

        for &byte in chunk {
            if byte != b'\n' {
                self.line.push(byte);
                continue;
            }
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
            let line = std::mem::take(&mut self.line);
            if let Some(event) = self.take_line(&line) {
                done.push(event);
            }
        }
        done
    }

    fn take_line(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            let event = std::mem::take(&mut self.current);
            let had_data = std::mem::replace(&mut self.has_data, false);
            return (had_data || event.event.is_some()).then_some(event);
        }
        if line[0] == b':' {
            return None;
        }

        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text.as_ref(), ""),
        };
        match field {
            "id" => self.current.id = Some(value.to_owned()),
            "event" => self.current.event = Some(value.to_owned()),
            "data" => {
                if self.has_data {
                    self.current.data.push('\n');
                }
                self.current.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_split_across_chunks_comes_out_whole() {
        let mut parser = SseParser::new();

        assert!(parser.feed(b"id: 7\nevent: compl").is_empty());
        let events = parser.feed(b"eted\ndata: {\"a\":1}\n\n");

        assert_eq!(
            events,
            vec![SseEvent {
                id: Some("7".into()),
                event: Some("completed".into()),
                data: "{\"a\":1}".into(),
            }]
        );
    }

    #[test]
    fn comments_and_retry_alone_dispatch_nothing() {
        let mut parser = SseParser::new();

        assert!(parser.feed(b"retry: 2000\n: connected\n\n:\n\n").is_empty());
    }

    #[test]
    fn crlf_lines_and_multi_line_data_are_read() {
        let mut parser = SseParser::new();

        let events = parser.feed(b"event: planned\r\ndata: one\r\ndata:two\r\n\r\nid: 9\n");

        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event.as_deref(), Some("planned"));
        assert_eq!(events[0].data, "one\ntwo");
        assert_eq!(events[0].id, None);
    }

    #[test]
    fn events_keep_their_order() {
        let mut parser = SseParser::new();

        let events = parser.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n\n");

        let ids: Vec<_> = events.iter().filter_map(|e| e.id.as_deref()).collect();
        assert_eq!(ids, ["1", "2"]);
    }
}
