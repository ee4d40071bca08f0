//! The figures of a run as rows of one table: what was measured, the goal, and whether the
//! goal was met.

use std::time::Duration;

use crate::accept::AcceptResult;
use crate::pictures::PicturesResult;
use crate::push::PushResult;
use crate::server::Memory;
use crate::slow::SlowResult;
use crate::stats::millis;

/// The goals the product is held to.
pub const ACCEPT_PER_SECOND: f64 = 2_000.0;
pub const ACCEPT_P99: Duration = Duration::from_millis(20);
pub const PICTURES_PER_SECOND: f64 = 3_000.0;
pub const PUSH_P99: Duration = Duration::from_millis(10);
pub const PEAK_RSS_BYTES: u64 = 300 * 1024 * 1024;
pub const SLOW_CALLS_IN_FLIGHT: usize = 100;

#[derive(Clone, Debug)]
pub struct Row {
    pub figure: String,
    pub measured: String,
    pub goal: String,
    /// `None` for figures without a goal.
    pub met: Option<bool>,
}

fn row(figure: &str, measured: String, goal: &str, met: Option<bool>) -> Row {
    Row {
        figure: figure.into(),
        measured,
        goal: goal.into(),
        met,
    }
}

pub fn accept_rows(result: &mut AcceptResult) -> Vec<Row> {
    let p50 = result.latencies.percentile(50.0);
    let p99 = result.latencies.percentile(99.0);
    vec![
        row(
            "accepted documents/s (32 clients)",
            format!("{:.0}", result.per_second()),
            ">= 2000/s",
            Some(result.per_second() >= ACCEPT_PER_SECOND),
        ),
        row("POST /v1/documents p50", millis(p50), "", None),
        row(
            "POST /v1/documents p99",
            millis(p99),
            "< 20 ms",
            p99.map(|p| p < ACCEPT_P99),
        ),
        row(
            "POST accepted / failed",
            format!("{} / {}", result.accepted, result.errors),
            "0 failed",
            Some(result.errors == 0),
        ),
    ]
}

pub fn pictures_rows(result: &PicturesResult) -> Vec<Row> {
    let until_event = result
        .until_last_event
        .map(|d| format!("{:.2} s", d.as_secs_f64()))
        .unwrap_or_else(|| "-".into());
    vec![
        row(
            "pictures/s, submit to read model done",
            format!("{:.0}", result.per_second()),
            ">= 3000/s",
            Some(result.per_second() >= PICTURES_PER_SECOND),
        ),
        row(
            "documents / pictures / failed documents",
            format!(
                "{} / {} / {}",
                result.documents, result.pictures, result.failed_documents
            ),
            "0 failed",
            Some(result.failed_documents == 0),
        ),
        row(
            "submitting took / all done after",
            format!(
                "{:.2} s / {:.2} s",
                result.submitting.as_secs_f64(),
                result.elapsed.as_secs_f64()
            ),
            "",
            None,
        ),
        row("last applied event committed after", until_event, "", None),
    ]
}

pub fn push_rows(result: &mut PushResult) -> Vec<Row> {
    let p50 = result.latencies.percentile(50.0);
    let p99 = result.latencies.percentile(99.0);
    let max = result.latencies.percentile(100.0);
    vec![
        row(
            "SSE connections open / asked",
            format!("{} / {}", result.connected, result.subscribers),
            "all",
            Some(result.connected == result.subscribers),
        ),
        row(
            "push events timed / expected at least",
            format!("{} / {}", result.latencies.len(), result.expected_events),
            "all",
            Some(result.latencies.len() >= result.expected_events),
        ),
        row(
            "push latency p50 (meta.at to client)",
            millis(p50),
            "",
            None,
        ),
        row(
            "push latency p99 (meta.at to client)",
            millis(p99),
            "< 10 ms",
            p99.map(|p| p < PUSH_P99),
        ),
        row("push latency max", millis(max), "", None),
        row(
            "streams ended early / regenerate failures",
            format!("{} / {}", result.stream_errors, result.regenerate_errors),
            "0 / 0",
            Some(result.stream_errors == 0 && result.regenerate_errors == 0),
        ),
    ]
}

pub fn slow_rows(result: &SlowResult) -> Vec<Row> {
    vec![
        row(
            "slow provider calls in flight at once (2 s each)",
            result.most_in_flight.to_string(),
            ">= 100",
            Some(result.most_in_flight >= SLOW_CALLS_IN_FLIGHT),
        ),
        row(
            "pictures / provider calls / failed documents",
            format!(
                "{} / {} / {}",
                result.pictures, result.calls, result.failed_documents
            ),
            "0 failed",
            Some(result.failed_documents == 0),
        ),
        row(
            "slow pictures all done after",
            format!("{:.2} s", result.elapsed.as_secs_f64()),
            "",
            None,
        ),
    ]
}

pub fn memory_row(scenario: &str, memory: Option<Memory>) -> Row {
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    row(
        &format!("server peak RSS (VmHWM) after {scenario}"),
        memory.map(|m| mib(m.peak)).unwrap_or_else(|| "-".into()),
        "< 300 MB",
        memory.map(|m| m.peak < PEAK_RSS_BYTES),
    )
}

pub fn failed_row(scenario: &str, error: &anyhow::Error) -> Row {
    row(
        &format!("{scenario} scenario"),
        format!("error: {error:#}"),
        "runs",
        Some(false),
    )
}

/// The table, in columns wide enough for its longest cell.
pub fn render(rows: &[Row]) -> String {
    let header = ["figure", "measured", "goal", "met"];
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            let met = match r.met {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            };
            [
                r.figure.clone(),
                r.measured.clone(),
                r.goal.clone(),
                met.into(),
            ]
        })
        .collect();

    let mut widths = header.map(str::len);
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let format_line = |line: [&str; 4]| -> String {
        let padded: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("| {} |", padded.join(" | "))
    };
    let mut out = format_line(header);
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&format!("|-{}-|\n", rule.join("-|-")));
    for line in &cells {
        out.push_str(&format_line([&line[0], &line[1], &line[2], &line[3]]));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_its_columns() {
        let rows = vec![
            row("a long figure name", "1".into(), "> 0", Some(true)),
            row("b", "12345".into(), "", None),
        ];

        let table = render(&rows);
        let widths: Vec<usize> = table.lines().map(|l| l.chars().count()).collect();

        assert_eq!(table.lines().count(), 4);
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{table}");
        assert!(table.contains("| yes |"));
    }

    #[test]
    fn a_missed_goal_is_marked() {
        let table = render(&[memory_row(
            "push",
            Some(Memory {
                peak: 400 << 20,
                current: 0,
            }),
        )]);

        assert!(table.contains("400.0 MiB"));
        assert!(table.contains("NO"));
    }
}
