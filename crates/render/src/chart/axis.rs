//! The value axis: a range that starts at zero where it can, round tick steps, and tick
//! labels written in the table's own unit.

use super::data::Unit;

/// The value range and the ticks to draw along it.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
    pub step: f64,
}

impl Axis {
    /// A range covering `lo..=hi` (and zero, so bar lengths compare honestly) in about
    /// `target` round steps of 1, 2, 2.5 or 5 times a power of ten.
    pub fn covering(lo: f64, hi: f64, target: usize) -> Axis {
        Axis::fitting(lo.min(0.0), hi.max(0.0), target)
    }

    /// A range covering `lo..=hi` only, for lines that zoom in on a narrow band.
    pub fn fitting(lo: f64, hi: f64, target: usize) -> Axis {
        let span = if hi - lo > 0.0 {
            hi - lo
        } else {
            hi.abs().max(1.0)
        };

        let raw = span / target.max(1) as f64;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);

        let min = (lo / step).floor() * step;
        let mut max = (hi / step).ceil() * step;
        if max <= min {
            max = min + step;
        }

        let count = ((max - min) / step).round() as usize;
        let ticks = (0..=count).map(|i| min + step * i as f64).collect();
        Axis {
            min,
            max,
            ticks,
            step,
        }
    }

    /// Where `value` falls between the ends, 0.0 at `min` and 1.0 at `max`.
    pub fn fraction(&self, value: f64) -> f64 {
        (value - self.min) / (self.max - self.min)
    }
}

/// Writes a value for a tick or a bar: grouped thousands, large values shortened
/// (`1.2M`), as many decimals as the step needs, and the column's prefix and suffix.
pub fn format_value(value: f64, step: f64, unit: &Unit) -> String {
    let abs = value.abs();
    let (scaled, scaled_step, letter) = if abs >= 1e9 {
        (value / 1e9, step / 1e9, "B")
    } else if abs >= 1e6 {
        (value / 1e6, step / 1e6, "M")
    } else if abs >= 1e4 {
        (value / 1e3, step / 1e3, "k")
    } else {
        (value, step, "")
    };

    let decimals = decimals_for(scaled_step);
    let mut body = format!("{:.*}", decimals, scaled.abs());
    if letter.is_empty() && decimals == 0 {
        body = group_thousands(&body);
    }

    let sign = if scaled < 0.0 && body.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "−"
    } else {
        ""
    };
    format!("{sign}{}{body}{letter}{}", unit.prefix, unit.suffix)
}

/// Writes one value on its own, for a label on a bar: large values shortened with at
/// most one decimal (`12.4k`), smaller ones as the table wrote them.
pub fn format_label(value: f64, whole: bool, unit: &Unit) -> String {
    let abs = value.abs();
    let (scaled, letter) = if abs >= 1e9 {
        (abs / 1e9, "B")
    } else if abs >= 1e6 {
        (abs / 1e6, "M")
    } else if abs >= 1e4 {
        (abs / 1e3, "k")
    } else {
        (abs, "")
    };

    let needs_decimal = !(letter.is_empty() && whole) && scaled < 100.0;
    let decimals = usize::from(needs_decimal);
    let mut body = format!("{scaled:.decimals$}");
    if body.contains('.') {
        body = body.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if letter.is_empty() && !body.contains('.') {
        body = group_thousands(&body);
    }

    let sign = if value < 0.0 { "−" } else { "" };
    format!("{sign}{}{body}{letter}{}", unit.prefix, unit.suffix)
}

fn decimals_for(step: f64) -> usize {
    let mut decimals = 0;
    let mut scaled = step.abs();
    while decimals < 4 && scaled > 0.0 && (scaled - scaled.round()).abs() > 1e-6 {
        scaled *= 10.0;
        decimals += 1;
    }
    decimals
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_start_at_zero_and_step_roundly() {
        let axis = Axis::covering(12.0, 87.0, 5);

        assert_eq!(axis.min, 0.0);
        assert_eq!(axis.max, 100.0);
        assert_eq!(axis.step, 20.0);
        assert_eq!(axis.ticks.len(), 6);
    }

    #[test]
    fn negative_values_extend_below_zero() {
        let axis = Axis::covering(-30.0, 45.0, 5);

        assert!(axis.min <= -30.0 && axis.max >= 45.0);
        assert!(axis.ticks.contains(&0.0));
    }

    #[test]
    fn values_are_written_in_their_unit() {
        let percent = Unit {
            prefix: String::new(),
            suffix: "%".into(),
        };
        let dollars = Unit {
            prefix: "$".into(),
            suffix: String::new(),
        };

        assert_eq!(format_value(12.5, 2.5, &percent), "12.5%");
        assert_eq!(format_value(1500.0, 500.0, &dollars), "$1,500");
        assert_eq!(
            format_value(2_500_000.0, 500_000.0, &Unit::default()),
            "2.5M"
        );
        assert_eq!(format_value(-40.0, 20.0, &Unit::default()), "−40");
    }

    #[test]
    fn bar_labels_are_short() {
        let none = Unit::default();

        assert_eq!(format_label(12_400.0, true, &none), "12.4k");
        assert_eq!(format_label(88_000.0, true, &none), "88k");
        assert_eq!(format_label(110_000.0, true, &none), "110k");
        assert_eq!(format_label(3_100.0, true, &none), "3,100");
        assert_eq!(format_label(2.26, false, &none), "2.3");
    }
}
