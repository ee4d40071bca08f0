//! The auditors' replay: bills recomputed from usage events alone, and the lines where a
//! stored export differs from them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::csv::{BillRow, render_csv};
use crate::events::UsageEvent;
use crate::money::MilliFen;

/// One line of the audit feed (a CloudEvent of type `illustrator.usage.<Event>.v<version>`
/// whose data is the event's body) read back into the usage event it carries.
pub fn from_cloud_event(line: &str) -> Result<UsageEvent, serde_json::Error> {
    let cloud: serde_json::Value = serde_json::from_str(line)?;
    let kind = cloud["type"].as_str().unwrap_or_default();
    let name = kind.split('.').nth(2).unwrap_or_default();
    serde_json::from_value(serde_json::json!({ name: cloud["data"] }))
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
    use super::{Difference, bills, compare};
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
}
