//! The time billing reads: the system clock, or a moment a test sets, so that the day
//! boundary is tested by moving the clock rather than by waiting.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

#[derive(Default)]
pub struct Clock {
    fixed: Mutex<Option<DateTime<Utc>>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        let fixed = self.fixed.lock().ok().and_then(|fixed| *fixed);
        fixed.unwrap_or_else(Utc::now)
    }

    /// Stops the clock at `at` (tests only use this); `None` lets it run again.
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut fixed) = self.fixed.lock() {
            *fixed = at;
        }
    }
}
