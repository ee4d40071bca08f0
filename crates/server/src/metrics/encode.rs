//! The exposition: OpenMetrics, and the classic Prometheus text format made from it.

use super::metrics;

/// The classic Prometheus text format (0.0.4) of the same registry, for scrapers and
/// tools that do not ask for OpenMetrics (`promtool check metrics` among them). The two
/// differ, for the families here, only in how a counter's family is named and in the
/// OpenMetrics-only `# EOF` and `# UNIT` lines.
pub fn encode_classic() -> String {
    let open = encode();
    let counters: std::collections::HashSet<&str> = open
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();

    let mut classic = String::with_capacity(open.len());
    for line in open.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let comment = line
            .strip_prefix("# HELP ")
            .map(|rest| ("# HELP ", rest))
            .or_else(|| line.strip_prefix("# TYPE ").map(|rest| ("# TYPE ", rest)));
        match comment {
            Some((kind, rest)) => {
                let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let suffix = if counters.contains(name) {
                    "_total"
                } else {
                    ""
                };
                classic.push_str(&format!("{kind}{name}{suffix} {tail}\n"));
            }
            None => {
                classic.push_str(line);
                classic.push('\n');
            }
        }
    }
    classic
}

/// The exposition in the OpenMetrics text format.
pub fn encode() -> String {
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &metrics().registry).is_err() {
        text.clear();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Method, StatusClass, sse_client_dropped};

    #[test]
    fn the_classic_format_names_counters_with_their_total_suffix() {
        sse_client_dropped();
        let classic = encode_classic();

        assert!(classic.contains("# TYPE illustrator_sse_clients_dropped_total counter\n"));
        assert!(classic.contains("# HELP illustrator_sse_clients_dropped_total "));
        assert!(classic.contains("# TYPE illustrator_sse_connections gauge\n"));
        assert!(!classic.contains("# EOF"));
        assert!(encode().ends_with("# EOF\n"));
    }

    #[test]
    fn status_classes_and_methods_are_closed_sets() {
        assert_eq!(StatusClass::of(202).as_str(), "2xx");
        assert_eq!(StatusClass::of(404).as_str(), "4xx");
        assert_eq!(StatusClass::of(503).as_str(), "5xx");
        let odd = axum::http::Method::from_bytes(b"BREW").map(|m| Method::from_http(&m));
        assert_eq!(odd.ok(), Some(Method::Other));
    }
}
