//! Charts from typical article tables.

mod common;

use illustrator_analysis::TableData;
use illustrator_render::{RenderError, render_chart};

fn table(headers: &[&str], rows: &[&[&str]]) -> TableData {
    TableData {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect(),
    }
}

#[test]
fn categories_draw_grouped_bars_with_a_legend() {
    let data = table(
        &["Database", "Writes/s", "Reads/s", "Notes"],
        &[
            &["PostgreSQL", "12,400", "48,900", "default"],
            &["SQLite", "3,100", "61,200", "WAL"],
        ],
    );

    let chart = render_chart(&data, "Throughput").expect("a chart");
    common::check(&chart);
    let svg = common::svg_text(&chart);

    assert!(
        svg.contains("Writes/s") && svg.contains("Reads/s"),
        "legend names both series"
    );
    assert!(!svg.contains("default"), "the text column is skipped");
    assert!(svg.matches("<path").count() >= 4, "one bar per value");
    assert!(!svg.contains("<circle"), "bars, not a line");
}

#[test]
fn periods_draw_lines() {
    let data = table(
        &["季度", "收入（万元）"],
        &[
            &["2024 Q1", "120"],
            &["2024 Q2", "150"],
            &["2024 Q3", "140"],
            &["2024 Q4", "210"],
        ],
    );

    let chart = render_chart(&data, "季度收入").expect("a chart");
    common::check(&chart);
    common::check_glyphs(&chart);
    let svg = common::svg_text(&chart);

    assert!(svg.contains("<circle"), "points on a line");
    assert!(svg.contains("季度收入"));
}

#[test]
fn percentages_and_currency_keep_their_units_on_the_axis() {
    let share = table(
        &["Browser", "Share"],
        &[
            &["Chrome", "64.5%"],
            &["Safari", "18.7%"],
            &["Edge", "5.2%"],
        ],
    );
    let price = table(
        &["Plan", "Price"],
        &[&["Basic", "$9"], &["Pro", "$29"], &["Team", "$99"]],
    );

    let share_svg = render_chart(&share, "Share").expect("a chart");
    let price_svg = render_chart(&price, "Price").expect("a chart");

    assert!(common::svg_text(&share_svg).contains("%</text>"));
    assert!(common::svg_text(&price_svg).contains(">$"));
    common::check(&share_svg);
    common::check(&price_svg);
}

#[test]
fn negative_values_and_missing_cells_still_draw() {
    let data = table(
        &["Month", "Profit"],
        &[
            &["Jan", "120"],
            &["Feb", "-40"],
            &["Mar", "—"],
            &["Apr", "(15)"],
            &["May", "80"],
        ],
    );

    common::check(&render_chart(&data, "Profit").expect("a chart"));
}

#[test]
fn many_long_labels_are_thinned_and_shortened() {
    let labels: Vec<String> = (0..40)
        .map(|i| format!("A rather long category name {i}"))
        .collect();
    let rows: Vec<Vec<&str>> = labels.iter().map(|l| vec![l.as_str(), "5"]).collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();

    let chart = render_chart(&table(&["Item", "Count"], &rows), "").expect("a chart");
    common::check(&chart);

    let label_count = common::svg_text(&chart).matches("A rather long").count();
    assert!(label_count < 40, "labels are thinned, {label_count} shown");
}

#[test]
fn markup_in_cells_is_escaped() {
    let data = table(
        &["<b>Name</b>", "Value & more"],
        &[&["a < b", "1"], &["\"quoted\"", "2"]],
    );

    let chart = render_chart(&data, "Tom & Jerry's <chart>").expect("a chart");
    common::check(&chart);

    assert!(common::svg_text(&chart).contains("Tom &amp; Jerry&apos;s &lt;chart&gt;"));
}

#[test]
fn a_table_without_numbers_is_an_error() {
    let data = table(
        &["Tool", "Use"],
        &[&["cargo", "build"], &["clippy", "lint"]],
    );

    assert_eq!(
        render_chart(&data, "Tools"),
        Err(RenderError::NoNumericColumn)
    );
}

#[test]
fn a_table_without_rows_is_an_error() {
    assert_eq!(
        render_chart(&table(&["A", "B"], &[]), "Empty"),
        Err(RenderError::EmptyTable)
    );
}
