// The table's queue columns and orders (issue 14, items 9 and 14): how long Returned and Awaiting
// entry cases have waited, days that line up, `s`/`S` keeping the cursor on its case, and the
// unsent reasons said at startup. In both twins, like the rest of tests/console.rs.

use super::*;
use unicode_width::UnicodeWidthStr;

/// The day of the last event of `case_no` that took it to `stage`, from its audit history.
fn day_it_entered(h: &Harness, case_no: &str, stage: Stage) -> NaiveDate {
    h.store
        .events(case_no)
        .expect("history")
        .iter()
        .rev()
        .find(|e| e.to == stage && e.from != Some(stage))
        .map(|e| e.at.date_naive())
        .unwrap_or_else(|| panic!("{case_no} never entered {stage}"))
}

/// The table's row of `case_no` (without a detail panel beside it).
fn row_line(screen: &str, case_no: &str) -> String {
    screen
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| l.split("││").next().unwrap_or(l))
        .find(|l| l.contains(case_no))
        .unwrap_or_else(|| panic!("no row for {case_no}: {screen}"))
        .to_string()
}

/// The display column just after `word` and the days that follow it in `line` (`paused  9d`),
/// and those days; `None` without them.
fn days_after(line: &str, word: &str, unit: &str) -> Option<(usize, i64)> {
    let start = line.find(word)? + word.len();
    let rest = &line[start..];
    let digits = rest.trim_start();
    let end = digits.find(unit)?;
    let days = digits[..end].parse().ok()?;
    let column = line[..start + (rest.len() - digits.len()) + end + unit.len()].width();
    Some((column, days))
}

#[test]
fn returned_rows_say_for_how_long_the_case_has_been_paused() {
    for (lang, word, unit) in [(Lang::En, "paused", "d"), (Lang::Zh, "暂停", "天")] {
        let mut h = Harness::new("li.wei", 120, 40, lang);
        h.press("5");
        assert_eq!(h.app.queue(), Queue::Returned);
        let screen = h.screen();
        assert!(h.app.list.rows.len() > 1, "{screen}");
        let mut columns = Vec::new();
        for row in &h.app.list.rows {
            let returned = day_it_entered(&h, &row.case_no, Stage::Returned);
            let line = row_line(&screen, &row.case_no);
            let (column, days) = days_after(&line, word, unit)
                .unwrap_or_else(|| panic!("{}: no {word} days in {line}", row.case_no));
            assert_eq!(days, (today() - returned).num_days(), "{line}");
            columns.push(column);
        }
        assert!(
            columns.windows(2).all(|w| w[0] == w[1]),
            "the days line up: {columns:?}\n{screen}"
        );
    }
}

#[test]
fn awaiting_entry_says_since_when_each_notification_waits_and_drops_empty_columns() {
    let mut h = Harness::new("liu.yang", 120, 40, Lang::En);
    h.press("6");
    assert_eq!(h.app.queue(), Queue::AwaitingEntry);
    let screen = h.screen();
    let header = screen.lines().nth(3).unwrap_or("");
    assert!(header.contains("Waiting"), "{header}");
    assert!(
        !header.contains("Deadline") && !header.contains("Held by"),
        "nothing runs and nobody holds a notified case: {header}"
    );
    assert!(!h.app.list.rows.is_empty(), "{screen}");
    for row in &h.app.list.rows {
        let notified = day_it_entered(&h, &row.case_no, Stage::Notified);
        let line = row_line(&screen, &row.case_no);
        let (_, days) = days_after(&line, "notified", "d")
            .unwrap_or_else(|| panic!("no notified days in {line}"));
        assert_eq!(days, (today() - notified).num_days(), "{line}");
    }
    snapshot!("awaiting_entry_120x40", screen);
}

/// The display column just after the days of each running deadline in the table: the same on
/// every row when the days line up.
fn day_columns(h: &Harness) -> Vec<usize> {
    let screen = h.screen();
    let unit = match h.app.lang {
        Lang::En => "d",
        Lang::Zh => "天",
    };
    h.app
        .list
        .rows
        .iter()
        .filter_map(|row| {
            let n = row.deadline.as_ref()?.days_left?;
            let line = row_line(&screen, &row.case_no);
            let days = format!(" {n}{unit}");
            let at = line.rfind(&days)? + days.len();
            Some(line[..at].width())
        })
        .collect()
}

#[test]
fn deadline_days_line_up_whatever_word_follows_them() {
    for (lang, width) in [(Lang::En, 80), (Lang::Zh, 80), (Lang::En, 160)] {
        let mut h = Harness::new("li.wei", width, 30, lang);
        h.press("2");
        let states: std::collections::HashSet<_> = h
            .app
            .list
            .rows
            .iter()
            .filter_map(|r| r.deadline.as_ref().map(|d| d.state))
            .collect();
        assert!(states.len() > 1, "a mix of states to line up: {states:?}");
        let columns = day_columns(&h);
        assert_eq!(columns.len(), h.app.list.rows.len(), "{}", h.screen());
        assert!(
            columns.windows(2).all(|w| w[0] == w[1]),
            "{lang:?} {width}: {columns:?}\n{}",
            h.screen()
        );
    }
}

/// Where the selected case is on screen: its row in the table.
fn screen_row(h: &Harness) -> usize {
    let case_no = h.app.list.selected_case_no().expect("a selection");
    h.screen()
        .lines()
        .position(|l| l.contains(&case_no))
        .expect("the selected case on screen")
}

#[test]
fn sorting_cycles_the_queues_orders_and_keeps_the_cursor_on_its_case() {
    let mut h = Harness::new("li.wei", 120, 40, Lang::En);
    h.press("2");
    h.press("jjj");
    let case_no = h.app.list.selected_case_no().expect("a case");
    h.press("s");
    assert_eq!(
        h.app.list.sort.column,
        permitdesk::store::SortColumn::CaseNo
    );
    assert!(h.screen().contains("by case number"), "{}", h.screen());
    assert_eq!(h.app.list.selected_case_no().as_ref(), Some(&case_no));
    let numbers: Vec<&str> = h.app.list.rows.iter().map(|r| r.case_no.as_str()).collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(numbers, sorted);
    h.press("s");
    assert_eq!(h.app.list.sort, permitdesk::store::Sort::default());
    assert_eq!(h.app.list.selected_case_no().as_ref(), Some(&case_no));
    // Returned cases have no running deadline: one order, and `s` says so.
    h.press("5");
    let sort = h.app.list.sort;
    assert_eq!(sort.column, permitdesk::store::SortColumn::CaseNo);
    h.press("s");
    assert_eq!(h.app.list.sort, sort);
    let status = status_text(&h);
    assert!(status.contains("by case number only"), "{status}");
}

#[test]
fn reversing_a_long_queue_keeps_the_cursor_on_its_case_far_down_the_new_order() {
    let mut h = Harness::with_cases("li.wei", 120, 40, Lang::En, 1_500);
    h.press("9");
    // Well past the first page, so that the case is far from the top in either order.
    for _ in 0..(PAGE_ROWS + 30) {
        h.press("j");
    }
    let case_no = h.app.list.selected_case_no().expect("a case");
    let row = screen_row(&h);
    h.press("S");
    assert!(!h.app.list.sort.descending, "Closed opens newest first");
    assert_eq!(h.app.list.selected_case_no().as_ref(), Some(&case_no));
    assert_eq!(screen_row(&h), row);
    // The loaded rows are the new order's own, around the case.
    let whole = whole_closed_queue(&h);
    let first = &h.app.list.rows[0].case_no;
    let at = whole
        .iter()
        .position(|n| n == first)
        .expect("a closed case");
    let loaded: Vec<String> = h.app.list.rows.iter().map(|r| r.case_no.clone()).collect();
    assert_eq!(loaded[..], whole[at..at + loaded.len()]);
    assert!(at > PAGE_ROWS, "far down the new order: {at}");
    // Paging on from there, both ways, stays in the new order.
    h.press("k");
    h.press("j");
    h.press("j");
    let i = whole
        .iter()
        .position(|n| Some(n) == h.app.list.selected_case_no().as_ref())
        .expect("selected");
    assert_eq!(whole[i - 1], case_no);
}

#[test]
fn startup_names_the_reasons_typed_and_not_sent() {
    for (lang, words) in [
        (
            Lang::En,
            [
                "2 unsent reasons:",
                " return",
                " refusal",
                "open the case to continue",
            ],
        ),
        (
            Lang::Zh,
            [
                "有 2 条未提交的理由",
                " 退回补正",
                " 不予许可",
                "打开案件即可继续",
            ],
        ),
    ] {
        let mut cases = Vec::new();
        let h = Harness::with_office("li.wei", 160, 40, lang, 300, |store| {
            let rows = store
                .page(&QueueQuery {
                    queue: Queue::PreAudit,
                    filter: Filter::All,
                    search: None,
                    user: "li.wei".into(),
                    today: today(),
                    sort: Default::default(),
                    after: None,
                    limit: 2,
                })
                .expect("pre-audit")
                .rows;
            for (row, (action, text)) in rows.iter().zip([
                (ActionKind::Return, "Passport copy unreadable"),
                (ActionKind::Refuse, "No degree"),
            ]) {
                store
                    .save_draft("li.wei", &row.case_no, action, text)
                    .expect("a draft");
                cases.push(row.case_no.clone());
            }
        });
        let status = status_text(&h);
        for word in words
            .iter()
            .chain(cases.iter().map(|c| c as &str).collect::<Vec<_>>().iter())
        {
            assert!(status.contains(word), "{word:?} in {status:?}");
        }
        assert!(h.screen().contains(&status), "{}", h.screen());
    }
    // Nobody else's drafts, and none at all: nothing said.
    let h = Harness::new("zhao.min", 160, 40, Lang::En);
    assert_eq!(h.app.status, None);
}

#[test]
fn a_window_around_a_case_reads_no_more_than_its_page_allows() {
    let mut h = Harness::with_cases("li.wei", 120, 40, Lang::En, 1_500);
    h.press("9");
    let whole = whole_closed_queue(&h);
    let anchor = h
        .store
        .page(&QueueQuery {
            queue: Queue::Closed,
            filter: Filter::All,
            search: None,
            user: "li.wei".into(),
            today: today(),
            sort: h.app.list.sort,
            after: None,
            limit: 500,
        })
        .expect("closed")
        .rows
        .pop()
        .expect("a case far down");
    let query = QueueQuery {
        queue: Queue::Closed,
        filter: Filter::All,
        search: None,
        user: "li.wei".into(),
        today: today(),
        sort: h.app.list.sort,
        after: Some(permitdesk::store::Cursor::after(&anchor)),
        limit: 10,
    };
    let reply = h.execute(Job::Page {
        query,
        fetch: permitdesk::console::worker::Fetch::Around { above: u16::MAX },
    });
    let Reply::Page { page, .. } = reply else {
        panic!("no page: {reply:?}");
    };
    let rows: Vec<String> = page.rows.into_iter().map(|r| r.case_no).collect();
    let at = whole
        .iter()
        .position(|n| *n == anchor.case_no)
        .expect("in the queue");
    // Five above (half the page), the case, four below: never the 65,535 asked for.
    assert_eq!(rows[..], whole[at - 5..at + 5]);
}

/// The status line's text, or nothing.
fn status_text(h: &Harness) -> String {
    h.app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}
