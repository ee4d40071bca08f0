//! Reading a GFM table as chart data: which columns are numbers, and in what unit.

use illustrator_analysis::TableData;

use crate::RenderError;

/// How a column's values were written, so axis ticks can be written the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unit {
    /// A currency sign written before the number, like `$` or `¥`.
    pub prefix: String,
    /// `%`, or a word after the number.
    pub suffix: String,
}

/// One numeric column: its header and one value per row (`None` where the cell is empty).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub unit: Unit,
}

/// What a chart draws: a label per row and one or more numeric columns.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    /// The labels read as ordered time (years, quarters, months, dates): draw lines.
    pub is_timeline: bool,
}

const CURRENCY: [char; 8] = ['$', '¥', '￥', '€', '£', '₩', '₹', '₽'];

/// Cells that mean "no value" rather than "not a number".
fn is_placeholder(cell: &str) -> bool {
    matches!(
        cell,
        "" | "-" | "–" | "—" | "n/a" | "N/A" | "NA" | "null" | "?" | "/"
    )
}

/// Reads a number as people write it in tables: `1,234.5`, `12%`, `$3.2M`, `¥1 200`,
/// `(300)` for a negative, `−5` with a real minus sign, `3.5万`.
pub fn parse_number(cell: &str) -> Option<(f64, Unit)> {
    let mut text: String = cell
        .trim()
        .chars()
        .filter(|c| {
            !matches!(
                c,
                ',' | '，' | '_' | '\u{00A0}' | '\u{2009}' | '\u{202F}' | ' '
            )
        })
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    let mut unit = Unit::default();

    let negative_parens = text.starts_with('(') && text.ends_with(')');
    if negative_parens {
        text = text[1..text.len() - 1].to_string();
    }

    let sign = if text.starts_with('-') || text.starts_with('+') {
        let s = text.remove(0);
        if s == '-' { -1.0 } else { 1.0 }
    } else {
        1.0
    };

    if let Some(c) = text.chars().next().filter(|c| CURRENCY.contains(c)) {
        unit.prefix = c.to_string();
        text.remove(0);
    }

    let mut scale = 1.0;
    if let Some(stripped) = text.strip_suffix('%') {
        unit.suffix = "%".to_string();
        text = stripped.to_string();
    } else if let Some((stripped, factor)) = multiplier(&text) {
        scale = factor;
        text = stripped;
    }

    let body_ok = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.chars().any(|c| c.is_ascii_digit());
    if !body_ok {
        return None;
    }

    let value: f64 = text.parse().ok()?;
    let signed = if negative_parens {
        -value
    } else {
        sign * value
    };
    Some((signed * scale, unit))
}

/// A trailing magnitude word: `k`, `M`, `B`, `万`, `亿`.
fn multiplier(text: &str) -> Option<(String, f64)> {
    let last = text.chars().last()?;
    let factor = match last {
        'k' | 'K' => 1e3,
        'M' => 1e6,
        'B' => 1e9,
        '万' => 1e4,
        '亿' => 1e8,
        _ => return None,
    };
    Some((text[..text.len() - last.len_utf8()].to_string(), factor))
}

/// Picks the numeric columns of a table; the first column gives the labels.
///
/// A column is numeric when every cell that is not empty or a placeholder reads as a
/// number, and at least one does.
pub fn read(table: &TableData) -> Result<ChartData, RenderError> {
    let rows: Vec<&Vec<String>> = table
        .rows
        .iter()
        .filter(|row| row.iter().any(|cell| !cell.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        return Err(RenderError::EmptyTable);
    }

    let columns = table
        .headers
        .len()
        .max(rows.iter().map(|r| r.len()).max().unwrap_or(0));
    fn cell(row: &[String], col: usize) -> &str {
        row.get(col).map(|c| c.trim()).unwrap_or("")
    }

    let series: Vec<Series> = (1..columns)
        .filter_map(|col| {
            let cells: Vec<&str> = rows.iter().map(|row| cell(row, col)).collect();
            numeric_column(table.headers.get(col).map(String::as_str), col, &cells)
        })
        .collect();
    if series.is_empty() {
        return Err(RenderError::NoNumericColumn);
    }

    let labels: Vec<String> = rows.iter().map(|row| cell(row, 0).to_string()).collect();
    let is_timeline = super::time::is_ordered_time(&labels);

    Ok(ChartData {
        labels,
        series,
        is_timeline,
    })
}

fn numeric_column(header: Option<&str>, col: usize, cells: &[&str]) -> Option<Series> {
    let mut values = Vec::with_capacity(cells.len());
    let mut unit: Option<Unit> = None;

    for cell in cells {
        if is_placeholder(cell) {
            values.push(None);
            continue;
        }
        let (value, cell_unit) = parse_number(cell)?;
        unit.get_or_insert(cell_unit);
        values.push(Some(value));
    }

    let name = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("Column {}", col + 1));
    unit.map(|unit| Series { name, values, unit })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(cell: &str) -> Option<f64> {
        parse_number(cell).map(|(v, _)| v)
    }

    #[test]
    fn numbers_as_tables_write_them() {
        assert_eq!(value("1,234.5"), Some(1234.5));
        assert_eq!(value(" 42 "), Some(42.0));
        assert_eq!(value("-7"), Some(-7.0));
        assert_eq!(value("−7"), Some(-7.0));
        assert_eq!(value("(300)"), Some(-300.0));
        assert_eq!(value("$3.2M"), Some(3.2e6));
        assert_eq!(value("¥1 200"), Some(1200.0));
        assert_eq!(value("3.5万"), Some(35000.0));
        assert_eq!(value("12%"), Some(12.0));
    }

    #[test]
    fn units_are_remembered() {
        let (_, unit) = parse_number("12.5%").expect("a percentage");
        assert_eq!(unit.suffix, "%");

        let (_, unit) = parse_number("€40").expect("a price");
        assert_eq!(unit.prefix, "€");
    }

    #[test]
    fn words_and_versions_are_not_numbers() {
        for cell in ["fast", "v1.2", "1.2.3", "12 ms", "Q1", "2024-01", "%", "$"] {
            assert_eq!(value(cell), None, "{cell}");
        }
    }
}
