//! The marks inside the plot area: grouped bars, or one line per series.

use std::fmt::Write;

use super::axis::format_label;
use super::data::ChartData;
use super::frame::Plot;
use crate::palette::SERIES;
use crate::text;
use crate::xml::{escape, n};

const VALUE_SIZE: f32 = 12.0;
const VALUE_INK: &str = "#374151";

/// Whether every value is a whole number, so labels need no decimals.
fn all_whole(data: &ChartData) -> bool {
    data.series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .all(|v| (v - v.round()).abs() < 1e-9)
}

/// Grouped bars: one group per label, one bar per series, rounded at the end away from zero.
pub fn bars(svg: &mut String, data: &ChartData, plot: &Plot) {
    let count = data.labels.len();
    let series_count = data.series.len();
    let group = plot.band(count) * if series_count > 1 { 0.78 } else { 0.6 };
    let gap = if series_count > 1 { 2.0 } else { 0.0 };
    let bar = ((group - gap * (series_count as f32 - 1.0)) / series_count as f32).max(1.0);
    let zero = plot.y(0.0);
    let whole = all_whole(data);

    let labelled = count * series_count <= 24;
    for (s, series) in data.series.iter().enumerate() {
        let colour = SERIES[s % SERIES.len()];
        for (i, value) in series.values.iter().enumerate() {
            let Some(value) = value else { continue };

            let x = plot.centre(i, count) - group / 2.0 + s as f32 * (bar + gap);
            let y = plot.y(*value);
            rounded_bar(svg, x, bar, zero, y, colour);

            let label = format_label(*value, whole, &series.unit);
            let fits = text::width(&label, VALUE_SIZE) <= bar + gap + 8.0;
            if labelled && fits {
                let above = *value >= 0.0;
                let ly = if above { y - 6.0 } else { y + VALUE_SIZE + 4.0 };
                let _ = write!(
                    svg,
                    r#"<text x="{}" y="{}" font-size="{VALUE_SIZE}" fill="{VALUE_INK}" text-anchor="middle">{}</text>"#,
                    n(x + bar / 2.0),
                    n(ly),
                    escape(&label)
                );
            }
        }
    }
}

/// A bar from `zero` to `end`, its far corners rounded.
fn rounded_bar(svg: &mut String, x: f32, width: f32, zero: f32, end: f32, colour: &str) {
    let length = (zero - end).abs();
    let r = 4.0f32.min(width / 2.0).min(length);
    let dir = if end <= zero { 1.0 } else { -1.0 };
    let right = x + width;

    let _ = write!(
        svg,
        r#"<path d="M{x0} {z} V{e1} Q{x0} {e} {x1} {e} H{x2} Q{xr} {e} {xr} {e1} V{z} Z" fill="{colour}"/>"#,
        x0 = n(x),
        z = n(zero),
        e1 = n(end + dir * r),
        e = n(end),
        x1 = n(x + r),
        x2 = n(right - r),
        xr = n(right),
    );
}

/// One line per series through the band centres; a missing value breaks the line.
pub fn lines(svg: &mut String, data: &ChartData, plot: &Plot) {
    let count = data.labels.len();
    let dots = count <= 24;
    let single = data.series.len() == 1;

    for (s, series) in data.series.iter().enumerate() {
        let colour = SERIES[s % SERIES.len()];
        let points: Vec<Option<(f32, f32)>> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| v.map(|v| (plot.centre(i, count), plot.y(v))))
            .collect();

        if single {
            area(svg, &points, plot.y(plot.axis.min.max(0.0)), colour);
        }

        let mut d = String::new();
        let mut pen_down = false;
        for point in &points {
            match point {
                Some((x, y)) => {
                    let _ = write!(
                        d,
                        "{}{} {} ",
                        if pen_down { 'L' } else { 'M' },
                        n(*x),
                        n(*y)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            svg,
            r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="3" stroke-linejoin="round" stroke-linecap="round"/>"#,
            d.trim_end()
        );

        if dots {
            for (x, y) in points.iter().flatten() {
                let _ = write!(
                    svg,
                    r##"<circle cx="{}" cy="{}" r="4.5" fill="#FFFFFF" stroke="{colour}" stroke-width="2.5"/>"##,
                    n(*x),
                    n(*y)
                );
            }
        }
    }
}

/// A faint fill under a lone series, down to the baseline, one shape per unbroken run.
fn area(svg: &mut String, points: &[Option<(f32, f32)>], baseline: f32, colour: &str) {
    for run in points.split(|p| p.is_none()) {
        let run: Vec<(f32, f32)> = run.iter().flatten().copied().collect();
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            continue;
        };
        if run.len() < 2 {
            continue;
        }

        let mut d = format!("M{} {} ", n(first.0), n(baseline));
        for (x, y) in &run {
            let _ = write!(d, "L{} {} ", n(*x), n(*y));
        }
        let _ = write!(d, "L{} {} Z", n(last.0), n(baseline));
        let _ = write!(svg, r#"<path d="{d}" fill="{colour}" fill-opacity="0.1"/>"#);
    }
}
