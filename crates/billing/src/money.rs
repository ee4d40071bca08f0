//! Money as an integer count of milli-fen (1 fen = 1,000 milli-fen), so that half a fen is
//! exact and no sum ever meets a float.

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Neg, Sub};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An amount of money in milli-fen. Negative amounts are credits.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(transparent)]
pub struct MilliFen(pub i64);

impl MilliFen {
    pub const ZERO: MilliFen = MilliFen(0);

    pub fn from_fen(fen: i64) -> MilliFen {
        MilliFen(fen * 1000)
    }

    /// The amount in fen as a decimal string with two decimals, or three when a tenth of a
    /// hundredth of a fen is needed to be exact: `500` is "0.50", `1` is "0.001".
    pub fn fen_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, fraction) = (abs / 1000, abs % 1000);

        if fraction % 10 == 0 {
            format!("{sign}{whole}.{:02}", fraction / 10)
        } else {
            format!("{sign}{whole}.{fraction:03}")
        }
    }

    /// Reads an amount in fen written with at most three decimals ("12", "0.5", "-1.25").
    pub fn parse_fen(text: &str) -> Option<MilliFen> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));

        let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !plain(whole) || (!fraction.is_empty() && !plain(fraction)) || fraction.len() > 3 {
            return None;
        }

        let whole: i64 = whole.parse().ok()?;
        let padded = format!("{fraction:0<3}");
        let fraction: i64 = padded.parse().ok()?;
        let amount = whole.checked_mul(1000)?.checked_add(fraction)?;
        Some(MilliFen(if negative { -amount } else { amount }))
    }
}

impl fmt::Display for MilliFen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fen_string())
    }
}

impl Add for MilliFen {
    type Output = MilliFen;

    fn add(self, other: MilliFen) -> MilliFen {
        MilliFen(self.0 + other.0)
    }
}

impl AddAssign for MilliFen {
    fn add_assign(&mut self, other: MilliFen) {
        self.0 += other.0;
    }
}

impl Sub for MilliFen {
    type Output = MilliFen;

    fn sub(self, other: MilliFen) -> MilliFen {
        MilliFen(self.0 - other.0)
    }
}

impl Neg for MilliFen {
    type Output = MilliFen;

    fn neg(self) -> MilliFen {
        MilliFen(-self.0)
    }
}

impl Mul<i64> for MilliFen {
    type Output = MilliFen;

    fn mul(self, count: i64) -> MilliFen {
        MilliFen(self.0 * count)
    }
}

impl std::iter::Sum for MilliFen {
    fn sum<I: Iterator<Item = MilliFen>>(iter: I) -> MilliFen {
        iter.fold(MilliFen::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::MilliFen;

    #[test]
    fn amounts_print_in_fen_with_two_or_three_decimals() {
        assert_eq!(MilliFen(0).fen_string(), "0.00");
        assert_eq!(MilliFen(500).fen_string(), "0.50");
        assert_eq!(MilliFen(40_000).fen_string(), "40.00");
        assert_eq!(MilliFen(1).fen_string(), "0.001");
        assert_eq!(MilliFen(-1_500).fen_string(), "-1.50");
    }

    #[test]
    fn fen_strings_read_back_exactly() {
        assert_eq!(MilliFen::parse_fen("0.5"), Some(MilliFen(500)));
        assert_eq!(MilliFen::parse_fen("-12"), Some(MilliFen(-12_000)));
        assert_eq!(MilliFen::parse_fen("1.001"), Some(MilliFen(1_001)));
        assert_eq!(MilliFen::parse_fen("1.0001"), None);
        assert_eq!(MilliFen::parse_fen("1e3"), None);
        assert_eq!(MilliFen::parse_fen(""), None);
    }
}
