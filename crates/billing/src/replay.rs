//! The auditors' replay: bills recomputed from usage events alone, and the lines where a
//! stored export differs from them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::csv::{BillRow, render_csv};
use crate::events::UsageEvent;
use crate::money::MilliFen;

/// The two fields of an audit feed line that the replay needs; the others are skipped
/// while parsing.
#[derive(serde::Deserialize)]
struct CloudLine {
    #[serde(rename = "type")]
    kind: String,
    data: serde_json::Value,
}

/// One line of the audit feed (a CloudEvent of type `illustrator.usage.<Event>.v<version>`
/// whose data is the event's body) read back into the usage event it carries.
pub fn from_cloud_event(line: &[u8]) -> Result<UsageEvent, serde_json::Error> {
    let cloud: CloudLine = serde_json::from_slice(line)?;
    let name = cloud.kind.split('.').nth(2).unwrap_or_default().to_owned();

    let mut tagged = serde_json::Map::with_capacity(1);
    tagged.insert(name, cloud.data);
    serde_json::from_value(serde_json::Value::Object(tagged))
}

/// A line of the audit feed that is not a usage event.
#[derive(Debug, thiserror::Error)]
#[error("line {line} of the audit feed: {source}")]
pub struct FeedError {
    pub line: usize,
    pub source: serde_json::Error,
}

/// Reads the usage events of an audit feed as its bytes arrive, so that parsing keeps pace
/// with the download instead of starting after its end.
#[derive(Default)]
pub struct FeedParser {
    pending: Vec<u8>,
    lines: usize,
    pub events: Vec<UsageEvent>,
}

impl FeedParser {
    /// Takes the next bytes of the feed and reads every line they complete.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), FeedError> {
        self.pending.extend_from_slice(chunk);

        let mut start = 0;
        while let Some(end) = self.pending[start..].iter().position(|&b| b == b'\n') {
            let line = start..start + end;
            start += end + 1;
            self.read(line)?;
        }
        self.pending.drain(..start);
        Ok(())
    }

    /// Reads a last line without its line end, and hands the events over.
    pub fn finish(mut self) -> Result<Vec<UsageEvent>, FeedError> {
        let rest = 0..self.pending.len();
        self.read(rest)?;
        Ok(self.events)
    }

    fn read(&mut self, line: std::ops::Range<usize>) -> Result<(), FeedError> {
        let bytes = &self.pending[line];
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        self.lines += 1;
        let event = from_cloud_event(bytes).map_err(|source| FeedError {
            line: self.lines,
            source,
        })?;
        self.events.push(event);
        Ok(())
    }
}

/// Every month's bill rows, as the events say. A job billed twice counts once, as the
/// read model counts it.
pub fn bills(events: &[UsageEvent]) -> BTreeMap<String, Vec<BillRow>> {
    type Key = (String, String, String, String, MilliFen);
    let mut usage: BTreeMap<Key, (i64, MilliFen)> = BTreeMap::new();
    let mut months: BTreeMap<String, Vec<BillRow>> = BTreeMap::new();
    let mut billed = BTreeSet::new();

    for event in events {
        match event {
            UsageEvent::UsageRecorded {
                user,
                plan,
                month,
                job_id,
                source,
                unit,
                ..
            } => {
                if !billed.insert(job_id.clone()) {
                    continue;
                }
                let key = (
                    month.clone(),
                    user.clone(),
                    plan.clone(),
                    source.as_str().to_owned(),
                    *unit,
                );
                let line = usage.entry(key).or_default();
                line.0 += 1;
                line.1 += *unit;
            }
            UsageEvent::UsageCorrected {
                user,
                plan,
                month,
                source,
                pictures,
                amount,
                reason,
                ..
            } => months.entry(month.clone()).or_default().push(BillRow {
                user_id: user.clone(),
                plan: plan.clone(),
                source: source.as_str().to_owned(),
                kind: "correction".into(),
                count: *pictures,
                unit: None,
                amount: *amount,
                reason: reason.clone(),
            }),
            UsageEvent::QuotaReserved { .. } | UsageEvent::QuotaReleased { .. } => {}
        }
    }

    for ((month, user_id, plan, source, unit), (count, amount)) in usage {
        months.entry(month).or_default().push(BillRow {
            user_id,
            plan,
            source,
            kind: "usage".into(),
            count,
            unit: Some(unit),
            amount,
            reason: String::new(),
        });
    }
    months
}

/// One line that the export and the events disagree on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// The events give this line; the export lacks it.
    Missing(String),
    /// The export has this line; the events do not give it.
    Unexpected(String),
}

/// Compares a stored export with the month's recomputed rows, line by line (a line that
/// occurs twice must occur twice in both).
pub fn compare(month: &str, rows: &[BillRow], export: &str) -> Vec<Difference> {
    let expected = render_csv(month, rows);
    let count = |text: &str| {
        let mut lines: HashMap<String, i64> = HashMap::new();
        for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
            *lines.entry(line.to_owned()).or_default() += 1;
        }
        lines
    };
    let (want, have) = (count(&expected), count(export));

    let mut differences = Vec::new();
    for (line, n) in &want {
        for _ in 0..(n - have.get(line).copied().unwrap_or(0)).max(0) {
            differences.push(Difference::Missing(line.clone()));
        }
    }
    for (line, n) in &have {
        for _ in 0..(n - want.get(line).copied().unwrap_or(0)).max(0) {
            differences.push(Difference::Unexpected(line.clone()));
        }
    }
    differences.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    differences
}

#[cfg(test)]
mod tests {
    use super::{Difference, FeedParser, bills, compare};
    use crate::events::{EventMeta, UsageEvent};
    use crate::money::MilliFen;

    fn recorded(job: &str) -> UsageEvent {
        UsageEvent::UsageRecorded {
            meta: EventMeta {
                at: chrono::DateTime::UNIX_EPOCH,
                actor: "worker".into(),
                correlation_id: "c".into(),
            },
            user: "u1".into(),
            plan: "basic".into(),
            month: "2026-12".into(),
            day: chrono::NaiveDate::default(),
            job_id: job.into(),
            source: illustrator_analysis::Source::Doubao,
            unit: MilliFen(500),
        }
    }

    #[test]
    fn a_replay_matches_its_own_export_and_names_a_changed_line() {
        let events = [recorded("a"), recorded("b"), recorded("a")];
        let months = bills(&events);
        let rows = &months["2026-12"];
        let export = crate::csv::render_csv("2026-12", rows);
        assert!(compare("2026-12", rows, &export).is_empty());

        let changed = export.replace(",2,0.50,1.00,", ",2,0.50,0.50,");
        let differences = compare("2026-12", rows, &changed);
        assert_eq!(differences.len(), 2);
        assert!(matches!(&differences[0], Difference::Missing(l) if l.ends_with(",1.00,")));
    }

    #[test]
    fn a_feed_split_anywhere_reads_the_same_events() {
        let line = |job: &str| {
            let event = serde_json::to_value(recorded(job)).expect("test step");
            let data = &event["UsageRecorded"];
            format!(
                "{{\"type\":\"illustrator.usage.UsageRecorded.v1\",\"id\":\"x\",\"data\":{data}}}\n"
            )
        };
        let feed = format!("{}{}\n{}", line("j1"), line("j2"), line("j3").trim_end());

        for cut in [1, 7, 50, feed.len() - 3] {
            let mut parser = FeedParser::default();
            parser.push(&feed.as_bytes()[..cut]).expect("test step");
            parser.push(&feed.as_bytes()[cut..]).expect("test step");
            let events = parser.finish().expect("test step");
            assert_eq!(events, [recorded("j1"), recorded("j2"), recorded("j3")]);
        }

        let mut parser = FeedParser::default();
        let broken = parser.push(b"{\"type\":\"illustrator.usage.UsageRecorded.v1\"}\n");
        assert_eq!(broken.map_err(|e| e.line).err(), Some(1));
    }
}
