//! Charts drawn from a table's numeric columns: grouped bars, or lines over time.
//!
//! The SVG is written element by element rather than through plotters. plotters lays out
//! text with its own font handling (a font file per family, or a rough guess without
//! one), cannot name a fallback list of CJK families in its output, and places labels in
//! ways that overlap when Chinese categories are long; writing the few elements a bar or
//! line chart needs keeps the output deterministic, small, fast and readable in any viewer.

mod axis;
mod data;
mod frame;
mod marks;
mod time;

use illustrator_analysis::TableData;

pub use data::parse_number;

use crate::{RenderError, Rendered, SVG};

/// Draws a table as a chart: labels from the first column, one series per numeric column
/// (non-numeric columns are skipped), a line chart when the labels are ordered periods
/// and bars otherwise.
pub fn render_chart(table: &TableData, title: &str) -> Result<Rendered, RenderError> {
    let data = data::read(table)?;

    let values = data.series.iter().flat_map(|s| s.values.iter().flatten());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(*v), hi.max(*v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return Err(RenderError::NoNumericColumn);
    }

    // Bars must start at zero to compare honestly; a line may zoom in on a narrow band.
    let zoomed = data.is_timeline && lo > 0.0 && lo > hi * 0.6;
    let axis = if zoomed {
        axis::Axis::fitting(lo - (hi - lo) * 0.15, hi, 5)
    } else {
        axis::Axis::covering(lo, hi, 5)
    };

    let mut svg = String::with_capacity(8 * 1024);
    let plot = frame::draw(&mut svg, &data, title, axis);
    if data.is_timeline {
        marks::lines(&mut svg, &data, &plot);
    } else {
        marks::bars(&mut svg, &data, &plot);
    }
    svg.push_str("</svg>");

    Ok(Rendered {
        bytes: svg.into_bytes(),
        content_type: SVG,
        width: frame::WIDTH as u32,
        height: frame::HEIGHT as u32,
    })
}
