//! Numbers in table cells, for deciding that a table can be drawn as a chart.

use crate::model::TableData;

/// Whether some column of `table` holds numbers in at least two rows and in four fifths
/// of its non-empty cells.
pub(crate) fn has_numeric_column(table: &TableData) -> bool {
    if table.rows.len() < 2 {
        return false;
    }

    let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..columns).any(|c| {
        let cells: Vec<&str> = table
            .rows
            .iter()
            .filter_map(|r| r.get(c).map(String::as_str))
            .filter(|s| !s.trim().is_empty())
            .collect();
        let numbers = cells.iter().filter(|s| leading_number(s).is_some()).count();
        numbers >= 2 && numbers * 5 >= cells.len() * 4
    })
}

/// The number a cell starts with: `1,234`, `12 345`, `3.5 GB`, `$12`, `45%`, `1.2±0.1`.
/// Whatever follows the number must be short (a unit), or the cell is text.
pub fn leading_number(cell: &str) -> Option<f64> {
    let s = cell
        .trim()
        .trim_start_matches(['$', '¥', '€', '£', '~', '+', '≈']);
    let negative = s.starts_with('-') || s.starts_with('−');
    let s = s.trim_start_matches(['-', '−']);

    let mut digits = String::new();
    let mut rest = s;
    for (i, c) in s.char_indices() {
        match c {
            '0'..='9' | '.' => digits.push(c),
            ',' | ' ' | '\u{a0}' | '\u{2009}' | '_' => {}
            _ => {
                rest = &s[i..];
                break;
            }
        }
        rest = &s[i + c.len_utf8()..];
    }

    let digits = digits.trim_end_matches('.');
    let unit_like = rest.trim().chars().count() <= 8;
    if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) || !unit_like {
        return None;
    }

    let value: f64 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_with_units_are_numbers() {
        assert_eq!(leading_number("1,234"), Some(1234.0));
        assert_eq!(leading_number("12 345"), Some(12345.0));
        assert_eq!(leading_number("3.5 GB"), Some(3.5));
        assert_eq!(leading_number("$12"), Some(12.0));
        assert_eq!(leading_number("45%"), Some(45.0));
        assert_eq!(leading_number("1.2±0.1"), Some(1.2));
        assert_eq!(leading_number("-3"), Some(-3.0));
        assert_eq!(leading_number("Tea"), None);
        assert_eq!(leading_number("2024 was a very good year"), None);
        assert_eq!(leading_number(".5"), None);
    }

    #[test]
    fn numeric_column_needs_most_cells() {
        let t = |rows: &[&[&str]]| TableData {
            headers: vec!["a".into(), "b".into()],
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
        };
        assert!(has_numeric_column(&t(&[&["Tea", "3"], &["Cake", "5"]])));
        assert!(!has_numeric_column(&t(&[&["Tea", "3"]])));
        assert!(!has_numeric_column(&t(&[&["Tea", "x"], &["Cake", "5"]])));
    }
}
