//! The chart's frame: canvas, title, legend, value axis and category labels, around the
//! plot area the bars or lines are drawn in.

use std::fmt::Write;

use super::axis::{Axis, format_value};
use super::data::{ChartData, Unit};
use crate::fonts::SANS;
use crate::palette::SERIES;
use crate::text;
use crate::xml::{escape, n};

pub const WIDTH: f32 = 960.0;
pub const HEIGHT: f32 = 540.0;

const MARGIN: f32 = 32.0;
const TITLE_SIZE: f32 = 22.0;
const LABEL_SIZE: f32 = 13.0;
const LEGEND_SIZE: f32 = 13.0;
const INK: &str = "#1F2937";
const MUTED: &str = "#6B7280";
const GRID: &str = "#E5E7EB";
const BASELINE: &str = "#9CA3AF";

/// The rectangle values are plotted in, and the axis that maps values into it.
pub struct Plot {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
    pub axis: Axis,
}

impl Plot {
    /// The y coordinate of a value.
    pub fn y(&self, value: f64) -> f32 {
        self.top + self.height * (1.0 - self.axis.fraction(value) as f32)
    }

    /// Width of the band each label owns along the x axis.
    pub fn band(&self, count: usize) -> f32 {
        self.width / count.max(1) as f32
    }

    /// The x coordinate of the centre of band `index`.
    pub fn centre(&self, index: usize, count: usize) -> f32 {
        self.left + self.band(count) * (index as f32 + 0.5)
    }
}

/// The unit all series share, for tick labels; none when they differ.
pub fn shared_unit(data: &ChartData) -> Unit {
    let first = &data.series[0].unit;
    let same = data.series.iter().all(|s| &s.unit == first);
    if same { first.clone() } else { Unit::default() }
}

/// Writes the canvas, title and legend, and returns the plot area left for the values,
/// with the axis, grid and category labels already drawn.
pub fn draw(svg: &mut String, data: &ChartData, title: &str, axis: Axis) -> Plot {
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{SANS}"><rect width="{w}" height="{h}" fill="#FFFFFF"/>"##,
        w = WIDTH,
        h = HEIGHT,
    );

    let mut top = MARGIN;
    let title = text::ellipsize(title.trim(), WIDTH - 2.0 * MARGIN, TITLE_SIZE, false);
    if !title.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="{MARGIN}" y="{}" font-size="{TITLE_SIZE}" font-weight="700" fill="{INK}">{}</text>"#,
            n(top + TITLE_SIZE * 0.8),
            escape(&title)
        );
        top += TITLE_SIZE + 14.0;
    }

    top += legend(svg, data, top) + 18.0;

    let unit = shared_unit(data);
    let tick_labels: Vec<String> = axis
        .ticks
        .iter()
        .map(|t| format_value(*t, axis.step, &unit))
        .collect();
    let tick_width = tick_labels
        .iter()
        .map(|t| text::width(t, LABEL_SIZE))
        .fold(0.0, f32::max);

    let left = MARGIN + tick_width + 12.0;
    let category_lines = category_line_count(data, WIDTH - MARGIN - left);
    let bottom = HEIGHT - MARGIN - category_lines as f32 * (LABEL_SIZE + 4.0) - 8.0;
    let plot = Plot {
        left,
        top,
        width: WIDTH - MARGIN - left,
        height: bottom - top,
        axis,
    };

    grid(svg, &plot, &tick_labels);
    categories(svg, data, &plot, category_lines);
    plot
}

/// One swatch and name per series, in a row that wraps; returns the height used.
fn legend(svg: &mut String, data: &ChartData, top: f32) -> f32 {
    let mut x = MARGIN;
    let mut y = top;
    let row = LEGEND_SIZE + 8.0;

    for (i, series) in data.series.iter().enumerate() {
        let name = text::ellipsize(&series.name, 220.0, LEGEND_SIZE, false);
        let item = 18.0 + text::width(&name, LEGEND_SIZE) + 24.0;
        if x + item > WIDTH - MARGIN && x > MARGIN {
            x = MARGIN;
            y += row;
        }

        let colour = SERIES[i % SERIES.len()];
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="12" height="12" rx="3" fill="{colour}"/><text x="{}" y="{}" font-size="{LEGEND_SIZE}" fill="{INK}">{}</text>"#,
            n(x),
            n(y + 1.0),
            n(x + 18.0),
            n(y + 11.5),
            escape(&name)
        );
        x += item;
    }
    y + row - top
}

fn grid(svg: &mut String, plot: &Plot, tick_labels: &[String]) {
    for (tick, label) in plot.axis.ticks.iter().zip(tick_labels) {
        let y = plot.y(*tick);
        let colour = if *tick == 0.0 { BASELINE } else { GRID };
        let _ = write!(
            svg,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="1"/><text x="{}" y="{}" font-size="{LABEL_SIZE}" fill="{MUTED}" text-anchor="end">{}</text>"#,
            n(plot.left),
            n(plot.left + plot.width),
            n(plot.left - 10.0),
            n(y + LABEL_SIZE * 0.35),
            escape(label),
            y = n(y),
        );
    }
}

/// How many lines category labels need: two when some label is wider than its band.
fn category_line_count(data: &ChartData, plot_width: f32) -> usize {
    let shown = shown_every(data.labels.len(), plot_width);
    let room = plot_width / data.labels.len().max(1) as f32 * shown as f32 - 6.0;
    let wide = data
        .labels
        .iter()
        .any(|l| text::width(l, LABEL_SIZE) > room);
    if wide { 2 } else { 1 }
}

/// Labels are thinned to every k-th when bands are too narrow to hold one each.
fn shown_every(count: usize, plot_width: f32) -> usize {
    let band = plot_width / count.max(1) as f32;
    (56.0 / band).ceil().max(1.0) as usize
}

fn categories(svg: &mut String, data: &ChartData, plot: &Plot, lines: usize) {
    let count = data.labels.len();
    let every = shown_every(count, plot.width);
    let room = plot.band(count) * every as f32 - 6.0;
    let baseline = plot.top + plot.height + 8.0 + LABEL_SIZE;

    for (i, label) in data.labels.iter().enumerate().step_by(every) {
        let x = plot.centre(i, count);
        let wrapped = text::wrap_limited(label, room, LABEL_SIZE, lines);
        for (line_no, line) in wrapped.iter().enumerate() {
            let line = text::ellipsize(line, room, LABEL_SIZE, false);
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}" font-size="{LABEL_SIZE}" fill="{INK}" text-anchor="middle">{}</text>"#,
                n(x),
                n(baseline + line_no as f32 * (LABEL_SIZE + 4.0)),
                escape(&line)
            );
        }
    }
}
