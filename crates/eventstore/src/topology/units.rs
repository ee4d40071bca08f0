//! Human-readable durations ("30s", "7d") and sizes ("64GiB") of the topology files.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// A duration written as `<number><unit>` with unit ms, s, m, h or d; "unlimited" is zero,
/// which JetStream reads as no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span(pub Duration);

/// A byte count written as a number or `<number><unit>` with unit B, KiB, MiB, GiB or TiB;
/// "unlimited" is -1, JetStream's no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub i64);

impl Default for Size {
    fn default() -> Size {
        Size(-1)
    }
}

pub(crate) fn parse_span(text: &str) -> Result<Duration, String> {
    if text == "unlimited" || text == "0" {
        return Ok(Duration::ZERO);
    }

    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("bad duration {text:?}"))?;

    let seconds = match unit {
        "ms" => return Ok(Duration::from_millis(number)),
        "s" => number,
        "m" => number * 60,
        "h" => number * 3_600,
        "d" => number * 86_400,
        _ => {
            return Err(format!(
                "bad duration unit in {text:?}: use ms, s, m, h or d"
            ));
        }
    };
    Ok(Duration::from_secs(seconds))
}

pub(crate) fn parse_size(text: &str) -> Result<i64, String> {
    if text == "unlimited" {
        return Ok(-1);
    }

    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().map_err(|_| format!("bad size {text:?}"))?;

    let factor: i64 = match unit {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        _ => {
            return Err(format!(
                "bad size unit in {text:?}: use B, KiB, MiB, GiB or TiB"
            ));
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("size {text:?} too large"))
}

/// Renders a duration the way the files write it, for reports.
pub(crate) fn show_span(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0 if duration.is_zero() => "unlimited".to_owned(),
        0 => format!("{}ms", duration.as_millis()),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Renders a size the way the files write it, for reports.
pub(crate) fn show_size(bytes: i64) -> String {
    match bytes {
        b if b < 0 => "unlimited".to_owned(),
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{}GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{}MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{}KiB", b >> 10),
        b => format!("{b}B"),
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Span, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_span(&text)
            .map(Span)
            .map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Size, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }

        match Raw::deserialize(deserializer)? {
            Raw::Number(number) => Ok(Size(number)),
            Raw::Text(text) => parse_size(&text)
                .map(Size)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_and_render() {
        assert_eq!(parse_span("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_span("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_span("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_span("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_span("unlimited"), Ok(Duration::ZERO));
        assert!(parse_span("3 weeks").is_err());
        assert_eq!(show_span(Duration::from_secs(604_800)), "7d");
        assert_eq!(show_span(Duration::from_secs(90)), "90s");
    }

    #[test]
    fn sizes_parse_and_render() {
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("64GiB"), Ok(64 << 30));
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("unlimited"), Ok(-1));
        assert!(parse_size("1GB").is_err());
        assert_eq!(show_size(64 << 30), "64GiB");
        assert_eq!(show_size(-1), "unlimited");
    }
}
