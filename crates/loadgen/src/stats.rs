//! Percentiles of recorded samples, by nearest rank over the sorted values.

use std::time::Duration;

/// Samples in microseconds, sorted once for reading.
#[derive(Debug, Default)]
pub struct Samples {
    micros: Vec<u64>,
    sorted: bool,
}

impl Samples {
    pub fn new() -> Samples {
        Samples::default()
    }

    pub fn record(&mut self, value: Duration) {
        self.record_micros(u64::try_from(value.as_micros()).unwrap_or(u64::MAX));
    }

    pub fn record_micros(&mut self, micros: u64) {
        self.micros.push(micros);
        self.sorted = false;
    }

    pub fn extend(&mut self, other: Samples) {
        self.micros.extend(other.micros);
        self.sorted = false;
    }

    pub fn len(&self) -> usize {
        self.micros.len()
    }

    /// The value at or below which `percent` of the samples lie; `None` without samples.
    pub fn percentile(&mut self, percent: f64) -> Option<Duration> {
        if self.micros.is_empty() {
            return None;
        }
        if !self.sorted {
            self.micros.sort_unstable();
            self.sorted = true;
        }

        let count = self.micros.len();
        let rank = ((percent / 100.0) * count as f64).ceil() as usize;
        let index = rank.clamp(1, count) - 1;
        Some(Duration::from_micros(self.micros[index]))
    }
}

/// Milliseconds with two decimals, or a dash when there is nothing to show.
pub fn millis(value: Option<Duration>) -> String {
    match value {
        Some(d) => format!("{:.2} ms", d.as_secs_f64() * 1000.0),
        None => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: &[u64]) -> Samples {
        let mut samples = Samples::new();
        for v in values {
            samples.record_micros(*v);
        }
        samples
    }

    #[test]
    fn percentiles_follow_nearest_rank() {
        let mut samples = of(&(1..=100).rev().collect::<Vec<_>>());

        assert_eq!(samples.percentile(50.0), Some(Duration::from_micros(50)));
        assert_eq!(samples.percentile(99.0), Some(Duration::from_micros(99)));
        assert_eq!(samples.percentile(100.0), Some(Duration::from_micros(100)));
        assert_eq!(samples.percentile(0.0), Some(Duration::from_micros(1)));
    }

    #[test]
    fn a_single_sample_is_every_percentile() {
        let mut samples = of(&[42]);

        assert_eq!(samples.percentile(1.0), Some(Duration::from_micros(42)));
        assert_eq!(samples.percentile(99.0), Some(Duration::from_micros(42)));
    }

    #[test]
    fn no_samples_no_percentile() {
        assert_eq!(Samples::new().percentile(50.0), None);
        assert_eq!(millis(None), "-");
    }

    #[test]
    fn merged_samples_are_sorted_again() {
        let mut first = of(&[5, 1]);
        assert_eq!(first.percentile(100.0), Some(Duration::from_micros(5)));

        first.extend(of(&[9]));
        assert_eq!(first.percentile(100.0), Some(Duration::from_micros(9)));
        assert_eq!(first.len(), 3);
    }
}
