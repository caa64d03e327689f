use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn cal() -> Calendar {
    Calendar::embedded()
}

fn err(text: &str) -> String {
    Calendar::from_toml_str(text, "cn-holidays.toml")
        .expect_err("should be rejected")
        .to_string()
}

/// Day-by-day reference for the fast paths.
fn naive_add(c: &Calendar, start: NaiveDate, n: u32) -> NaiveDate {
    let mut day = start;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().expect("in range");
        if c.is_working_day(day) {
            left -= 1;
        }
    }
    day
}

fn naive_between(c: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
    let (lo, hi, sign) = if from <= to {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let mut count = 0;
    let mut day = lo;
    while day < hi {
        day = day.succ_opt().expect("in range");
        if c.is_working_day(day) {
            count += 1;
        }
    }
    sign * count
}

#[test]
fn embedded_calendar_covers_2024_to_2026() {
    let c = cal();
    assert_eq!(c.years(), vec![2024, 2025, 2026]);
    assert!(c.covers(2026));
    assert!(!c.covers(2027));
    assert!(!c.covers(2023));
    assert_eq!(c.source(), "embedded");
}

#[test]
fn day_number_epoch_is_a_monday() {
    assert_eq!(day_number(d("0001-01-01")), 0);
    assert_eq!(d("0001-01-01").weekday(), Weekday::Mon);
    assert_eq!(
        date_from_number(day_number(d("2026-02-14"))),
        Some(d("2026-02-14"))
    );
}

#[test]
fn spring_festival_2026() {
    let c = cal();
    assert!(c.is_working_day(d("2026-02-13")));
    assert!(c.is_working_day(d("2026-02-14"))); // make-up Saturday
    assert!(!c.is_working_day(d("2026-02-16"))); // Monday in the holiday
    assert!(!c.is_working_day(d("2026-02-23")));
    assert!(c.is_working_day(d("2026-02-24")));
    assert!(c.is_working_day(d("2026-02-28"))); // make-up Saturday
    assert!(!c.is_working_day(d("2026-03-01")));

    assert_eq!(c.add_working_days(d("2026-02-12"), 0), d("2026-02-12"));
    assert_eq!(c.add_working_days(d("2026-02-12"), 1), d("2026-02-13"));
    assert_eq!(c.add_working_days(d("2026-02-12"), 2), d("2026-02-14"));
    assert_eq!(c.add_working_days(d("2026-02-12"), 3), d("2026-02-24"));
    // After Fri 13: Sat 14, Tue 24, Wed 25, Thu 26, Fri 27.
    assert_eq!(c.add_working_days(d("2026-02-13"), 5), d("2026-02-27"));
    // After Thu 12: 13, 14, 24, 25, 26, 27, 28, Mar 2, 3, 4.
    assert_eq!(c.add_working_days(d("2026-02-12"), 10), d("2026-03-04"));
    assert_eq!(c.add_working_days(d("2026-02-13"), 10), d("2026-03-05"));
    // Starting on a holiday.
    assert_eq!(c.add_working_days(d("2026-02-17"), 1), d("2026-02-24"));
    assert_eq!(c.add_working_days(d("2026-02-14"), 1), d("2026-02-24"));

    assert_eq!(c.working_days_between(d("2026-02-12"), d("2026-03-04")), 10);
    assert_eq!(
        c.working_days_between(d("2026-03-04"), d("2026-02-12")),
        -10
    );
    assert_eq!(c.working_days_between(d("2026-02-14"), d("2026-02-24")), 1);
    assert_eq!(c.working_days_between(d("2026-02-13"), d("2026-02-23")), 1);
    assert_eq!(c.working_days_between(d("2026-02-15"), d("2026-02-23")), 0);
    assert_eq!(c.working_days_between(d("2026-02-23"), d("2026-02-15")), 0);
    assert_eq!(c.working_days_between(d("2026-02-20"), d("2026-02-20")), 0);
}

#[test]
fn mid_autumn_and_national_day_2026() {
    let c = cal();
    assert!(!c.is_working_day(d("2026-09-19"))); // ordinary Saturday
    assert!(c.is_working_day(d("2026-09-20"))); // make-up Sunday
    assert!(!c.is_working_day(d("2026-09-25"))); // Mid-Autumn Friday
    assert!(!c.is_working_day(d("2026-10-05"))); // National Day Monday
    assert!(c.is_working_day(d("2026-10-08")));
    assert!(c.is_working_day(d("2026-10-10"))); // make-up Saturday
    assert!(!c.is_working_day(d("2026-10-11")));

    // After Fri 18 Sep: Sun 20, 21, 22, 23, 24, 28, 29, 30, Oct 8, 9, Sat 10, Mon 12.
    assert_eq!(c.add_working_days(d("2026-09-18"), 1), d("2026-09-20"));
    assert_eq!(c.add_working_days(d("2026-09-24"), 1), d("2026-09-28"));
    assert_eq!(c.add_working_days(d("2026-09-30"), 1), d("2026-10-08"));
    assert_eq!(c.add_working_days(d("2026-09-30"), 3), d("2026-10-10"));
    assert_eq!(c.add_working_days(d("2026-09-30"), 4), d("2026-10-12"));
    assert_eq!(c.add_working_days(d("2026-09-18"), 12), d("2026-10-12"));
    assert_eq!(c.working_days_between(d("2026-09-18"), d("2026-10-12")), 12);
    assert_eq!(
        c.working_days_between(d("2026-10-12"), d("2026-09-18")),
        -12
    );
    assert_eq!(c.working_days_between(d("2026-09-30"), d("2026-10-07")), 0);
}

#[test]
fn new_year_2026_across_the_year_boundary() {
    let c = cal();
    assert!(!c.is_working_day(d("2026-01-01")));
    assert!(!c.is_working_day(d("2026-01-02")));
    assert!(c.is_working_day(d("2026-01-04"))); // make-up Sunday
    assert_eq!(c.add_working_days(d("2025-12-31"), 1), d("2026-01-04"));
    assert_eq!(c.add_working_days(d("2025-12-31"), 2), d("2026-01-05"));
    // Dec 31, Jan 4, Jan 5.
    assert_eq!(c.working_days_between(d("2025-12-30"), d("2026-01-05")), 3);
    assert!(!c.is_provisional(d("2025-12-30"), d("2026-01-05")));
}

#[test]
fn uncovered_years_count_monday_to_friday() {
    let c = cal();
    // 2026-12-31 is a Thursday, 2027-01-01 a Friday.
    assert_eq!(c.add_working_days(d("2026-12-31"), 1), d("2027-01-01"));
    assert_eq!(c.add_working_days(d("2026-12-31"), 2), d("2027-01-04"));
    assert_eq!(c.add_working_days(d("2027-01-01"), 5), d("2027-01-08"));
    assert_eq!(c.add_working_days(d("2027-01-01"), 10), d("2027-01-15"));
    assert_eq!(c.add_working_days(d("2027-01-02"), 1), d("2027-01-04"));
    assert_eq!(c.working_days_between(d("2027-01-01"), d("2027-01-31")), 20);
    assert_eq!(
        c.working_days_between(d("2027-01-31"), d("2027-01-01")),
        -20
    );
    assert!(c.is_working_day(d("2027-10-01"))); // a Friday, no table yet

    // 2023 is before the table: National Day 2023 is not known.
    assert!(c.is_working_day(d("2023-10-02")));
    // Fri 29 Dec 2023 -> Mon 1 Jan 2024 is New Year -> Tue 2 Jan.
    assert_eq!(c.add_working_days(d("2023-12-29"), 1), d("2024-01-02"));
    assert_eq!(c.working_days_between(d("2023-12-29"), d("2024-01-02")), 1);

    assert!(c.is_provisional(d("2023-12-29"), d("2024-01-02")));
    assert!(c.is_provisional(d("2026-12-31"), d("2027-01-01")));
    assert!(c.is_provisional(d("2027-01-01"), d("2026-12-31")));
    assert!(c.is_provisional(d("2027-03-01"), d("2027-03-02")));
    assert!(!c.is_provisional(d("2024-01-01"), d("2026-12-31")));
    assert!(!c.is_provisional(d("2026-12-31"), d("2024-01-01")));
    assert!(!c.is_provisional(d("2025-05-01"), d("2025-05-01")));
}

#[test]
fn fast_paths_match_day_by_day_counting() {
    let c = cal();
    let mut start = d("2023-11-20");
    while start <= d("2027-02-10") {
        for n in [0, 1, 2, 3, 5, 9, 10, 22, 61, 250, 400] {
            let due = c.add_working_days(start, n);
            assert_eq!(due, naive_add(&c, start, n), "add {start} + {n}");
            assert_eq!(c.working_days_between(start, due), i64::from(n));
        }
        for span in [1, 6, 13, 40, 365, 800] {
            let other = start + chrono::Days::new(span);
            assert_eq!(
                c.working_days_between(start, other),
                naive_between(&c, start, other)
            );
            assert_eq!(
                c.working_days_between(other, start),
                naive_between(&c, other, start)
            );
        }
        start = start.succ_opt().expect("in range");
    }
}

#[test]
fn calendar_with_a_gap_year() {
    let text = r#"
        [2024]
        holidays = [["2024-12-30", "2024-12-31"]]
        [2026]
        holidays = [["2026-01-01", "2026-01-02"]]
        workdays = ["2026-01-04"]
    "#;
    let c = Calendar::from_toml_str(text, "gap.toml").expect("valid");
    assert_eq!(c.years(), vec![2024, 2026]);
    assert!(c.is_provisional(d("2024-06-01"), d("2026-06-01")));
    assert!(!c.is_working_day(d("2024-12-30")));
    assert!(c.is_working_day(d("2025-10-01"))); // 2025 uncovered: a Wednesday
    let mut start = d("2024-12-01");
    while start <= d("2026-02-01") {
        for n in [1, 3, 20, 260, 300] {
            assert_eq!(c.add_working_days(start, n), naive_add(&c, start, n));
        }
        let other = start + chrono::Days::new(400);
        assert_eq!(
            c.working_days_between(start, other),
            naive_between(&c, start, other)
        );
        start = start.succ_opt().expect("in range");
    }
}

#[test]
fn empty_calendar_is_all_monday_to_friday() {
    let c = Calendar::from_toml_str("# nothing yet\n", "empty.toml").expect("valid");
    assert!(c.years().is_empty());
    assert_eq!(c.add_working_days(d("2026-02-12"), 3), d("2026-02-17"));
    assert_eq!(c.working_days_between(d("2026-02-12"), d("2026-02-17")), 3);
    assert!(c.is_provisional(d("2026-02-12"), d("2026-02-12")));
}

#[test]
fn add_working_days_saturates_at_the_end_of_time() {
    assert_eq!(
        cal().add_working_days(d("2026-01-01"), u32::MAX),
        NaiveDate::MAX
    );
}

#[test]
fn missing_year_warning() {
    let c = cal();
    assert_eq!(c.missing_year_warning(d("2026-10-31")), None);
    assert_eq!(c.missing_year_warning(d("2026-01-15")), None);
    assert_eq!(c.missing_year_warning(d("2025-11-01")), None);
    let w = c
        .missing_year_warning(d("2026-11-01"))
        .expect("2027 missing");
    assert!(
        w.starts_with("the holiday calendar has no entry for 2027; "),
        "{w}"
    );
    let w = c
        .missing_year_warning(d("2027-03-01"))
        .expect("2027 missing");
    assert!(
        w.starts_with("the holiday calendar has no entry for 2027; "),
        "{w}"
    );
    let w = c
        .missing_year_warning(d("2027-12-01"))
        .expect("both missing");
    assert!(w.contains("2027 and 2028"), "{w}");
}

#[test]
fn error_end_before_start() {
    let e = err(
        "[2026]\nholidays = [[\"2026-01-01\", \"2026-01-03\"], [\"2026-02-15\", \"2026-02-23\"], [\"2026-04-04\", \"2026-04-01\"]]\n",
    );
    assert_eq!(
        e,
        "cn-holidays.toml: [2026] holidays[3]: end 2026-04-01 is before start 2026-04-04"
    );
}

#[test]
fn error_bad_date() {
    let e = err("[2026]\nholidays = [[\"2026-02-30\", \"2026-03-01\"]]\n");
    assert!(e.contains("[2026] holidays[1] start"), "{e}");
    assert!(e.contains("\"2026-02-30\""), "{e}");
    let e = err("[2026]\nholidays = []\nworkdays = [\"2026/02/14\"]\n");
    assert!(e.contains("[2026] workdays[1]"), "{e}");
    assert!(e.contains("2026/02/14"), "{e}");
    let e = err("[2026]\nholidays = [[\"2026-02-15\", 7]]\n");
    assert!(
        e.contains("[2026] holidays[1] end: 7 is not a valid date"),
        "{e}"
    );
}

#[test]
fn bare_toml_dates_are_accepted() {
    let c = Calendar::from_toml_str(
        "[2026]\nholidays = [[2026-02-15, 2026-02-23]]\nworkdays = [2026-02-14]\n",
        "bare.toml",
    )
    .expect("valid");
    assert!(c.is_working_day(d("2026-02-14")));
    assert!(!c.is_working_day(d("2026-02-16")));
}

#[test]
fn error_workday_on_a_weekday() {
    let e = err("[2026]\nholidays = []\nworkdays = [\"2026-02-14\", \"2026-02-13\"]\n");
    assert!(e.contains("[2026] workdays[2]"), "{e}");
    assert!(e.contains("2026-02-13 is a Fri"), "{e}");
}

#[test]
fn error_date_outside_its_year() {
    let e = err("[2026]\nholidays = [[\"2025-12-31\", \"2026-01-01\"]]\n");
    assert!(e.contains("[2026] holidays[1]"), "{e}");
    assert!(e.contains("2025-12-31 is outside 2026"), "{e}");
    let e = err("[2025]\nholidays = []\nworkdays = [\"2026-01-04\"]\n");
    assert!(
        e.contains("[2025] workdays[1]: 2026-01-04 is outside 2025"),
        "{e}"
    );
}

#[test]
fn error_year_key() {
    let e = err("[20x6]\nholidays = []\n");
    assert!(e.contains("[20x6]"), "{e}");
    assert!(e.contains("not a number"), "{e}");
    let e = err("[02026]\nholidays = []\n");
    assert!(e.contains("[02026]"), "{e}");
    let e = err("version = 1\n");
    assert!(e.contains("[version]"), "{e}");
    let e = err("2026 = 5\n");
    assert!(
        e.ends_with("[2026]: expected a table with `holidays` and `workdays` arrays"),
        "{e}"
    );
}

#[test]
fn error_shapes_and_conflicts() {
    let e = err("[2026]\nholiday = []\n");
    assert!(e.contains("[2026]: unknown field `holiday`"), "{e}");
    let e = err("[2026]\nworkdays = []\n");
    assert!(e.contains("[2026] holidays: expected"), "{e}");
    let e = err("[2026]\nholidays = [[\"2026-02-15\"]]\n");
    assert!(
        e.contains("[2026] holidays[1]: expected a [start, end] pair"),
        "{e}"
    );
    let e = err(
        "[2026]\nholidays = [[\"2026-02-15\", \"2026-02-23\"], [\"2026-02-20\", \"2026-02-21\"]]\n",
    );
    assert!(
        e.contains("[2026] holidays[2]: 2026-02-20 is also in holidays[1]"),
        "{e}"
    );
    let e =
        err("[2026]\nholidays = [[\"2026-02-15\", \"2026-02-23\"]]\nworkdays = [\"2026-02-21\"]\n");
    assert!(
        e.contains("[2026] workdays[1]: 2026-02-21 is also in holidays[1]"),
        "{e}"
    );
}

#[test]
fn error_toml_syntax_has_line_info() {
    let e = err("[2026]\nholidays = [[\"2026-02-15\", \"2026-02-23\"]\n");
    assert!(e.starts_with("cn-holidays.toml: "), "{e}");
    assert!(e.contains("line"), "{e}");
}

#[test]
fn load_reports_the_path() {
    let path = Path::new("/nonexistent/permitdesk/cn-holidays.toml");
    let e = Calendar::load(path).expect_err("missing file").to_string();
    assert!(
        e.starts_with("/nonexistent/permitdesk/cn-holidays.toml: "),
        "{e}"
    );
}

#[test]
fn fingerprint_ignores_formatting_but_not_rules() {
    let a = Calendar::from_toml_str(
        "[2026]\nholidays = [[\"2026-02-15\", \"2026-02-23\"], [\"2026-10-01\", \"2026-10-07\"]]\nworkdays = [\"2026-02-14\"]\n",
        "a.toml",
    )
    .expect("valid");
    let b = Calendar::from_toml_str(
        "# reformatted\n[2026]\nworkdays = [ \"2026-02-14\" ]   # make-up\nholidays = [\n  [\"2026-10-01\", \"2026-10-07\"],\n  [\"2026-02-15\", \"2026-02-23\"],\n]\n",
        "b.toml",
    )
    .expect("valid");
    let c = Calendar::from_toml_str(
        "[2026]\nholidays = [[\"2026-02-15\", \"2026-02-24\"], [\"2026-10-01\", \"2026-10-07\"]]\nworkdays = [\"2026-02-14\"]\n",
        "c.toml",
    )
    .expect("valid");
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_ne!(a.fingerprint(), c.fingerprint());
    assert_eq!(a.fingerprint().len(), 64);
    assert_eq!(cal().fingerprint(), cal().fingerprint());
    assert_ne!(cal().fingerprint(), a.fingerprint());
}
