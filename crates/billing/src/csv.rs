//! The finance export: one line per user, plan, source and unit price, then one line per
//! correction, in a fixed order, so a closed month's file has the same bytes every time.

use crate::money::MilliFen;

/// One line of the export.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BillRow {
    pub user_id: String,
    pub plan: String,
    pub source: String,
    /// `usage` or `correction`.
    pub kind: String,
    pub count: i64,
    /// The price of one picture; none on a correction line.
    pub unit: Option<MilliFen>,
    pub amount: MilliFen,
    pub reason: String,
}

const HEADER: &str = "month,user_id,plan,source,kind,count,unit_price_fen,amount_fen,reason";

/// Renders the month's rows as CSV (RFC 4180, CRLF line ends), sorted so that the order in
/// which the rows were read never shows.
pub fn render_csv(month: &str, rows: &[BillRow]) -> String {
    let mut sorted = rows.to_vec();
    sorted.sort();

    let mut out = String::with_capacity(64 * (rows.len() + 1));
    out.push_str(HEADER);
    out.push_str("\r\n");

    for row in &sorted {
        let unit = row.unit.map(MilliFen::fen_string).unwrap_or_default();
        let fields = [
            month,
            &row.user_id,
            &row.plan,
            &row.source,
            &row.kind,
            &row.count.to_string(),
            &unit,
            &row.amount.fen_string(),
            &row.reason,
        ];
        let line: Vec<String> = fields.iter().map(|field| quote(field)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quotes a field that holds a comma, a quote or a line break, doubling its quotes; a
/// field that a spreadsheet would run as a formula gets a leading apostrophe.
fn quote(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '@']);
    let field = if formula {
        format!("'{field}")
    } else {
        field.to_owned()
    };

    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::{BillRow, render_csv};
    use crate::money::MilliFen;

    fn row(user: &str, source: &str, count: i64, unit: i64) -> BillRow {
        BillRow {
            user_id: user.into(),
            plan: "basic".into(),
            source: source.into(),
            kind: "usage".into(),
            count,
            unit: Some(MilliFen(unit)),
            amount: MilliFen(unit * count),
            reason: String::new(),
        }
    }

    #[test]
    fn rows_come_out_in_one_order_whatever_the_input_order() {
        let a = row("u1", "doubao", 3, 500);
        let b = row("u1", "card", 2, 0);
        let c = row("u0", "dalle", 1, 40_000);

        let once = render_csv("2026-12", &[a.clone(), b.clone(), c.clone()]);
        let again = render_csv("2026-12", &[c, a, b]);
        assert_eq!(once, again);
        assert!(once.contains("2026-12,u1,basic,doubao,usage,3,0.50,1.50,\r\n"));
    }

    #[test]
    fn reasons_with_commas_quotes_and_formulas_are_quoted() {
        let mut correction = row("u1", "dalle", -1, 0);
        correction.kind = "correction".into();
        correction.unit = None;
        correction.reason = "=1+1, said \"ops\"".into();

        let csv = render_csv("2026-12", &[correction]);
        assert!(csv.ends_with(",\"'=1+1, said \"\"ops\"\"\"\r\n"), "{csv}");
    }
}
