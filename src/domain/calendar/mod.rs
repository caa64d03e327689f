//! Working-day arithmetic over the official Chinese holiday calendar (放假 / 调休).
//!
//! Rules come from `assets/cn-holidays.toml`: one table per year with inclusive `holidays`
//! ranges and `workdays` (Saturdays or Sundays worked in exchange). A year the file does not
//! hold is counted Monday-Friday, and deadlines that touch it are provisional.

use std::fmt;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use sha2::{Digest, Sha256};
use toml::Value;

pub const EMBEDDED_CALENDAR: &str = include_str!("../../../assets/cn-holidays.toml");

/// A calendar file lists a few dozen days a year: anything near this size is not one.
pub const MAX_CALENDAR_BYTES: u64 = 1 << 20;

/// Errors name the source, the year table and the entry. Entry numbers are 1-based
/// (`holidays[3]` is the third range in the list), as a person editing the file counts them.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("{path}: cannot read the holiday calendar: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{file}: {error}")]
    Toml {
        file: String,
        error: toml::de::Error,
    },
    #[error("{file}: [{key}]: the table name must be a year such as [2026] ({reason})")]
    YearKey {
        file: String,
        key: String,
        reason: &'static str,
    },
    #[error("{file}: [{year}]: expected a table with `holidays` and `workdays` arrays")]
    NotATable { file: String, year: i32 },
    #[error("{file}: [{year}] {entry}: expected {expected}")]
    Shape {
        file: String,
        year: i32,
        entry: String,
        expected: &'static str,
    },
    #[error("{file}: [{year}]: unknown field `{field}` (expected `holidays` and `workdays`)")]
    UnknownField {
        file: String,
        year: i32,
        field: String,
    },
    #[error("{file}: [{year}] {entry}: {value} is not a valid date (expected \"YYYY-MM-DD\")")]
    BadDate {
        file: String,
        year: i32,
        entry: String,
        value: String,
    },
    #[error(
        "{file}: [{year}] {entry}: {date} is outside {year} (each year's table holds only its own dates; split a range that crosses the new year)"
    )]
    OutsideYear {
        file: String,
        year: i32,
        entry: String,
        date: NaiveDate,
    },
    #[error("{file}: [{year}] {entry}: end {end} is before start {start}")]
    EndBeforeStart {
        file: String,
        year: i32,
        entry: String,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error(
        "{file}: [{year}] {entry}: {date} is a {weekday}; make-up workdays must be a Saturday or Sunday"
    )]
    WorkdayNotWeekend {
        file: String,
        year: i32,
        entry: String,
        date: NaiveDate,
        weekday: Weekday,
    },
    #[error("{file}: [{year}] {entry}: {date} is also in {other}")]
    Conflict {
        file: String,
        year: i32,
        entry: String,
        date: NaiveDate,
        other: String,
    },
}

/// The resolved calendar of one covered year.
#[derive(Clone, PartialEq, Eq)]
struct YearTable {
    year: i32,
    /// Day number (see `day_number`) of 1 January.
    start: i64,
    /// `prefix[i]` = working days among the first `i` days of the year; `len() == days + 1`.
    prefix: Vec<u16>,
    /// Cumulative working-day count `cumulative(start)`.
    w_start: i64,
    /// Cumulative working-day count at the first day after the year.
    w_end: i64,
    /// `cumulative(x) - weekdays_before(x)` for any `x` after this year and before the next
    /// covered one: the Monday-Friday count shifted by what covered years added or removed.
    delta_after: i64,
}

impl YearTable {
    fn days(&self) -> i64 {
        self.prefix.len() as i64 - 1
    }

    fn end(&self) -> i64 {
        self.start + self.days()
    }

    fn is_working(&self, index: usize) -> bool {
        self.prefix[index + 1] != self.prefix[index]
    }
}

impl fmt::Debug for YearTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YearTable")
            .field("year", &self.year)
            .field("working_days", &(self.w_end - self.w_start))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    source: String,
    /// The TOML it was read from, so a store can keep the calendar it runs on.
    text: String,
    /// Covered years, sorted by year.
    tables: Vec<YearTable>,
}

/// Days since 0001-01-01, which is a Monday, so `x.rem_euclid(7)` is the weekday (0 = Monday).
fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 1
}

fn date_from_number(x: i64) -> Option<NaiveDate> {
    i32::try_from(x + 1)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// Monday-Friday days in `[0, x)` (negative for `x < 0`, so differences stay correct).
fn weekdays_before(x: i64) -> i64 {
    5 * x.div_euclid(7) + x.rem_euclid(7).min(5)
}

/// Smallest `x` with `weekdays_before(x) >= t`.
fn weekdays_reach(t: i64) -> i64 {
    let k = t - 1;
    7 * k.div_euclid(5) + k.rem_euclid(5) + 1
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The source name of the calendar built into the binary.
pub const EMBEDDED_SOURCE: &str = "embedded";

impl Calendar {
    pub fn embedded() -> Calendar {
        Calendar::from_toml_str(EMBEDDED_CALENDAR, EMBEDDED_SOURCE)
            .expect("the embedded holiday calendar (assets/cn-holidays.toml) is valid")
    }

    pub fn from_toml_str(text: &str, source: &str) -> Result<Calendar, CalendarError> {
        let root: toml::Table = toml::from_str(text).map_err(|error| CalendarError::Toml {
            file: source.to_string(),
            error,
        })?;
        let mut years = Vec::with_capacity(root.len());
        for (key, value) in &root {
            let year = parse_year_key(source, key)?;
            years.push((year, value));
        }
        years.sort_by_key(|&(year, _)| year);

        let mut tables = Vec::with_capacity(years.len());
        let mut delta = 0;
        for (year, value) in years {
            let flags = parse_year_table(source, year, value)?;
            let start = day_number(first_of_year(year));
            let mut prefix = Vec::with_capacity(flags.len() + 1);
            let mut count = 0u16;
            prefix.push(count);
            for working in flags {
                count += u16::from(working);
                prefix.push(count);
            }
            let w_start = weekdays_before(start) + delta;
            let w_end = w_start + i64::from(count);
            let end = start + prefix.len() as i64 - 1;
            delta = w_end - weekdays_before(end);
            tables.push(YearTable {
                year,
                start,
                prefix,
                w_start,
                w_end,
                delta_after: delta,
            });
        }
        Ok(Calendar {
            source: source.to_string(),
            text: text.to_string(),
            tables,
        })
    }

    /// Reads a calendar file: a regular file of at most `MAX_CALENDAR_BYTES` (a device or a FIFO
    /// named by mistake would otherwise be read without end).
    pub fn load(path: &Path) -> Result<Calendar, CalendarError> {
        use std::io::Read as _;
        let name = path.display().to_string();
        let io = |error: std::io::Error| CalendarError::Io {
            path: name.clone(),
            error,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        if !file.metadata().map_err(io)?.is_file() {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        let mut text = String::new();
        file.take(MAX_CALENDAR_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(io)?;
        if text.len() as u64 > MAX_CALENDAR_BYTES {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("larger than {} KiB", MAX_CALENDAR_BYTES >> 10),
            )));
        }
        Calendar::from_toml_str(&text, &name)
    }

    pub fn covers(&self, year: i32) -> bool {
        self.tables.binary_search_by_key(&year, |t| t.year).is_ok()
    }

    pub fn years(&self) -> Vec<i32> {
        self.tables.iter().map(|t| t.year).collect()
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        let x = day_number(d);
        match self.table_at(x) {
            Some(t) if x < t.end() => t.is_working((x - t.start) as usize),
            _ => !is_weekend(d),
        }
    }

    /// Saturates at `NaiveDate::MAX` if the result is beyond chrono's range.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return start;
        }
        let target = self.cumulative(day_number(start) + 1) + i64::from(n);
        date_from_number(self.reach(target) - 1).unwrap_or(NaiveDate::MAX)
    }

    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        self.cumulative(day_number(to) + 1) - self.cumulative(day_number(from) + 1)
    }

    pub fn is_provisional(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (lo, hi) = (from.year().min(to.year()), from.year().max(to.year()));
        let first = self.tables.partition_point(|t| t.year < lo);
        let past = self.tables.partition_point(|t| t.year <= hi);
        // Years are unique and sorted, so full coverage means one table per year in the span.
        (past - first) as i64 != i64::from(hi) - i64::from(lo) + 1
    }

    /// Hashes the resolved calendar (covered years and every day that differs from the
    /// Monday-Friday rule), so reordering, comments or equivalent ranges leave it unchanged.
    pub fn fingerprint(&self) -> String {
        let mut canonical = String::from("permitdesk holiday calendar v1\n");
        for t in &self.tables {
            canonical.push_str(&format!("[{}]\n", t.year));
            let mut day = first_of_year(t.year);
            for i in 0..t.days() as usize {
                let working = t.is_working(i);
                if working == is_weekend(day) {
                    let kind = if working { "work" } else { "off" };
                    canonical.push_str(&format!("{day} {kind}\n"));
                }
                day = day.succ_opt().unwrap_or(day);
            }
        }
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }

    pub fn missing_year_warning(&self, today: NaiveDate) -> Option<String> {
        let year = today.year();
        let mut missing = Vec::new();
        if !self.covers(year) {
            missing.push(year);
        }
        if today.month() >= 11 && !self.covers(year + 1) {
            missing.push(year + 1);
        }
        let years = match missing.as_slice() {
            [] => return None,
            [y] => y.to_string(),
            [a, b, ..] => format!("{a} and {b}"),
        };
        Some(format!(
            "the holiday calendar has no entry for {years}; add the State Council's holiday notice \
             to the calendar ({}). Until then working days in {years} are counted Monday to Friday \
             and deadlines that reach into it are marked provisional (?)",
            self.source
        ))
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The last covered year starting on or before day `x`.
    fn table_at(&self, x: i64) -> Option<&YearTable> {
        let i = self.tables.partition_point(|t| t.start <= x);
        i.checked_sub(1).map(|i| &self.tables[i])
    }

    /// Working days in `[0, x)`, up to a constant: only differences are meaningful.
    fn cumulative(&self, x: i64) -> i64 {
        match self.table_at(x) {
            None => weekdays_before(x),
            Some(t) if x <= t.end() => t.w_start + i64::from(t.prefix[(x - t.start) as usize]),
            Some(t) => weekdays_before(x) + t.delta_after,
        }
    }

    /// Smallest `x` with `cumulative(x) >= target`; day `x - 1` is then a working day.
    fn reach(&self, target: i64) -> i64 {
        let j = self.tables.partition_point(|t| t.w_start < target);
        let Some(t) = j.checked_sub(1).map(|j| &self.tables[j]) else {
            return weekdays_reach(target);
        };
        if target <= t.w_end {
            let offset = target - t.w_start;
            t.start + t.prefix.partition_point(|&p| i64::from(p) < offset) as i64
        } else {
            weekdays_reach(target - t.delta_after)
        }
    }
}

fn first_of_year(year: i32) -> NaiveDate {
    // Year keys are validated so that 1 January of the year and of the next one exist.
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn parse_year_key(file: &str, key: &str) -> Result<i32, CalendarError> {
    let err = |reason| CalendarError::YearKey {
        file: file.to_string(),
        key: key.to_string(),
        reason,
    };
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("not a number"));
    }
    let year: i32 = key.parse().map_err(|_| err("number out of range"))?;
    if year.to_string() != key {
        return Err(err("write the year without leading zeros"));
    }
    if year < 1
        || NaiveDate::from_ymd_opt(year, 1, 1).is_none()
        || NaiveDate::from_ymd_opt(year + 1, 1, 1).is_none()
    {
        return Err(err("year out of range"));
    }
    Ok(year)
}

/// Returns the working flag of each day of `year`, index 0 = 1 January.
fn parse_year_table(file: &str, year: i32, value: &Value) -> Result<Vec<bool>, CalendarError> {
    let shape = |entry: &str, expected| CalendarError::Shape {
        file: file.to_string(),
        year,
        entry: entry.to_string(),
        expected,
    };
    let Some(table) = value.as_table() else {
        return Err(CalendarError::NotATable {
            file: file.to_string(),
            year,
        });
    };
    if let Some(field) = table
        .keys()
        .find(|k| k.as_str() != "holidays" && k.as_str() != "workdays")
    {
        return Err(CalendarError::UnknownField {
            file: file.to_string(),
            year,
            field: field.clone(),
        });
    }
    let holidays = match table.get("holidays") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(shape("holidays", "an array of [start, end] date pairs")),
        None => return Err(shape("holidays", "a `holidays` array (it is missing)")),
    };
    let workdays = match table.get("workdays") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(shape("workdays", "an array of dates")),
        None => &[],
    };

    let first = first_of_year(year);
    let days = (first_of_year(year + 1) - first).num_days() as usize;
    let mut working: Vec<bool> = (0..days)
        .map(|i| {
            let x = day_number(first) + i as i64;
            x.rem_euclid(7) < 5
        })
        .collect();
    // Which entry set each day, to report overlaps: 0 = none, +k = holidays[k], -k = workdays[k].
    let mut owner: Vec<i32> = vec![0; days];
    let describe = |o: i32| {
        if o > 0 {
            format!("holidays[{o}]")
        } else {
            format!("workdays[{}]", -o)
        }
    };

    let in_year = |entry: &str, date: NaiveDate| {
        if date.year() == year {
            Ok((date - first).num_days() as usize)
        } else {
            Err(CalendarError::OutsideYear {
                file: file.to_string(),
                year,
                entry: entry.to_string(),
                date,
            })
        }
    };

    for (i, item) in holidays.iter().enumerate() {
        let number = i as i32 + 1;
        let entry = format!("holidays[{number}]");
        let pair = match item {
            Value::Array(a) if a.len() == 2 => a,
            _ => return Err(shape(&entry, "a [start, end] pair of dates")),
        };
        let start = parse_date(file, year, &format!("{entry} start"), &pair[0])?;
        let end = parse_date(file, year, &format!("{entry} end"), &pair[1])?;
        let lo = in_year(&entry, start)?;
        let hi = in_year(&entry, end)?;
        if end < start {
            return Err(CalendarError::EndBeforeStart {
                file: file.to_string(),
                year,
                entry,
                start,
                end,
            });
        }
        for day in lo..=hi {
            if owner[day] != 0 {
                return Err(CalendarError::Conflict {
                    file: file.to_string(),
                    year,
                    entry,
                    date: first + chrono::Days::new(day as u64),
                    other: describe(owner[day]),
                });
            }
            owner[day] = number;
            working[day] = false;
        }
    }

    for (i, item) in workdays.iter().enumerate() {
        let number = i as i32 + 1;
        let entry = format!("workdays[{number}]");
        let date = parse_date(file, year, &entry, item)?;
        let day = in_year(&entry, date)?;
        if !is_weekend(date) {
            return Err(CalendarError::WorkdayNotWeekend {
                file: file.to_string(),
                year,
                entry,
                date,
                weekday: date.weekday(),
            });
        }
        if owner[day] != 0 {
            return Err(CalendarError::Conflict {
                file: file.to_string(),
                year,
                entry,
                date,
                other: describe(owner[day]),
            });
        }
        owner[day] = -number;
        working[day] = true;
    }
    Ok(working)
}

/// Accepts a "YYYY-MM-DD" string or a bare TOML local date.
fn parse_date(
    file: &str,
    year: i32,
    entry: &str,
    value: &Value,
) -> Result<NaiveDate, CalendarError> {
    let parsed = match value {
        Value::String(s) if s.len() == 10 => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| CalendarError::BadDate {
        file: file.to_string(),
        year,
        entry: entry.to_string(),
        value: value.to_string(),
    })
}

#[cfg(test)]
mod tests;
