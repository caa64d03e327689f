//! "Today" is the calendar date in the office's time zone, never the server's.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone)]
pub struct Clock {
    zone: Tz,
    fixed_today: Option<NaiveDate>,
}

impl Clock {
    pub fn new(zone: Tz, fixed_today: Option<NaiveDate>) -> Clock {
        Clock { zone, fixed_today }
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The current instant in the office zone; on a fixed day, that day at the current wall time.
    pub fn now(&self) -> DateTime<FixedOffset> {
        let now = Utc::now().with_timezone(&self.zone);
        match self.fixed_today {
            None => now.fixed_offset(),
            Some(day) => self.at(day, now.time()),
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// A local date and time in the office zone (the earlier one if the zone repeats it).
    pub fn at(&self, day: NaiveDate, time: NaiveTime) -> DateTime<FixedOffset> {
        let local = day.and_time(time);
        match self.zone.from_local_datetime(&local).earliest() {
            Some(t) => t.fixed_offset(),
            None => Utc.from_utc_datetime(&local).fixed_offset(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_day_is_today_in_the_office_zone() {
        let day: NaiveDate = "2026-11-26".parse().expect("date");
        let clock = Clock::new(chrono_tz::Asia::Shanghai, Some(day));
        assert_eq!(clock.today(), day);
        assert_eq!(clock.now().offset().local_minus_utc(), 8 * 3600);
    }
}
