//! Quota days and billing months: midnight in the configured time zone, not in UTC.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The zone whose midnight starts a quota day (Asia/Shanghai unless configured).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Calendar {
    pub zone: Tz,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            zone: chrono_tz::Asia::Shanghai,
        }
    }
}

impl Calendar {
    /// Reads an IANA zone name such as `Asia/Shanghai` or `UTC`.
    pub fn parse(name: &str) -> Option<Calendar> {
        name.parse::<Tz>().ok().map(|zone| Calendar { zone })
    }

    pub fn name(&self) -> &'static str {
        self.zone.name()
    }

    /// The quota day `at` falls on.
    pub fn day(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// The billing month `at` falls in, as `YYYY-MM`.
    pub fn month(&self, at: DateTime<Utc>) -> String {
        month_of(self.day(at))
    }

    /// The moment the day after `day` starts. A zone whose midnight is skipped by a clock
    /// change starts the day at the first moment that exists.
    pub fn day_end(&self, day: NaiveDate) -> DateTime<Utc> {
        let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
        self.start_of(next)
    }

    /// The moment the month after the one of `day` starts.
    pub fn month_end(&self, day: NaiveDate) -> DateTime<Utc> {
        let (year, month) = match day.month() {
            12 => (day.year() + 1, 1),
            m => (day.year(), m + 1),
        };
        let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(day);
        self.start_of(first)
    }

    fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        let local = (0..4)
            .find_map(|hour| {
                let moment = midnight + chrono::Duration::hours(hour);
                self.zone.from_local_datetime(&moment).earliest()
            })
            .unwrap_or_else(|| self.zone.from_utc_datetime(&midnight));
        local.with_timezone(&Utc)
    }
}

/// `YYYY-MM` of a day.
pub fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// Checks a `YYYY-MM` month and returns its first day.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let valid = text.len() == 7 && text.as_bytes()[4] == b'-';
    if !valid {
        return None;
    }
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::{Calendar, parse_month};

    #[test]
    fn a_shanghai_day_starts_at_sixteen_utc() {
        let calendar = Calendar::default();
        let before = Utc
            .with_ymd_and_hms(2026, 12, 4, 15, 59, 59)
            .single()
            .expect("test step");
        let after = Utc
            .with_ymd_and_hms(2026, 12, 4, 16, 0, 0)
            .single()
            .expect("test step");

        assert_eq!(
            calendar.day(before),
            NaiveDate::from_ymd_opt(2026, 12, 4).expect("test step")
        );
        assert_eq!(
            calendar.day(after),
            NaiveDate::from_ymd_opt(2026, 12, 5).expect("test step")
        );
        assert_eq!(calendar.day_end(calendar.day(before)), after);
    }

    #[test]
    fn months_end_at_local_midnight_and_parse_strictly() {
        let calendar = Calendar::default();
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).expect("test step");

        let end = Utc
            .with_ymd_and_hms(2026, 12, 31, 16, 0, 0)
            .single()
            .expect("test step");
        assert_eq!(calendar.month_end(day), end);
        assert_eq!(calendar.month(end), "2027-01");
        assert!(parse_month("2026-12").is_some());
        assert!(parse_month("2026-13").is_none());
        assert!(parse_month("202612").is_none());
    }
}
