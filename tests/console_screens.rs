//! Every screen and dialog of the console as it is drawn, through the harness of tests/console.rs
//! (tests/console_harness): a snapshot of each at 80x24 and 160x48, in English and Chinese
//! (`screens`), held to docs/SCREENS.md; the table drawing exactly the rows `update` pages by, at
//! every size; and, for random widths and names in any script, no border lost and no text cut
//! without `…`.

mod console_harness;
mod served;

use console_harness::*;
use permitdesk::console::layout;
use std::path::Path;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const LANGS: [(Lang, &str); 2] = [(Lang::En, "en"), (Lang::Zh, "zh")];

/// The snapshot of `screen` at a size and language: tests/snapshots/`screens__NAME_WxH_LANG`.
fn snapshot_name(screen: &str, (width, height): (u16, u16), lang: &str) -> String {
    format!("screens__{screen}_{width}x{height}_{lang}")
}

/// The screen `reach` leaves a fresh console of `user` on, at both sizes and in both languages,
/// each compared with its reviewed snapshot.
fn screens(screen: &str, user: &str, reach: impl Fn(&mut Harness)) {
    for size in SIZES {
        for (lang, code) in LANGS {
            let mut h = Harness::new(user, size.0, size.1, lang);
            reach(&mut h);
            let name = snapshot_name(screen, size, code);
            let mut settings = insta::Settings::clone_current();
            settings.set_prepend_module_to_snapshot(false);
            settings.bind(|| insta::assert_snapshot!(name, h.screen()));
        }
    }
}

/// The first unclaimed Pre-audit case, claimed by the user.
fn claim_first(h: &mut Harness) -> String {
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    case_no
}

const REASON: &str = "The employer's business licence in the file expired on 2026-10-31; please send the renewed licence.";

#[test]
fn queue_table() {
    screens("pre_audit", "li.wei", |h| h.press("2"));
}

#[test]
fn detail() {
    screens("detail", "li.wei", |h| {
        h.press("2");
        h.enter();
    });
}

#[test]
fn search() {
    screens("search", "li.wei", |h| {
        h.press("/");
        h.type_text("Li");
    });
}

#[test]
fn help() {
    screens("help", "li.wei", |h| h.press("?"));
}

#[test]
fn palette() {
    screens("palette", "wang.fang", |h| {
        h.press(":");
        h.type_text("as");
    });
}

#[test]
fn confirm_dialog() {
    screens("confirm_accept", "li.wei", |h| {
        claim_first(h);
        h.press("a");
    });
}

#[test]
fn reason_dialog() {
    screens("return_reason", "li.wei", |h| {
        claim_first(h);
        h.press("r");
        h.type_text(REASON);
    });
}

#[test]
fn quit_question_over_a_typed_reason() {
    screens("quit_ask", "li.wei", |h| {
        claim_first(h);
        h.press("r");
        h.type_text(REASON);
        h.ctrl('c');
    });
}

#[test]
fn conflict_message() {
    screens("conflict", "li.wei", |h| {
        let case_no = claim_first(h);
        h.press("r");
        h.type_text(REASON);
        assign(&mut h.store, &case_no, "wang.fang", "chen.yu");
        h.ctrl('s');
    });
}

#[test]
fn extend_dialog() {
    screens("extend_days", "wang.fang", |h| {
        h.press("3E");
        h.type_text("3");
    });
}

#[test]
fn record_entry_dialog() {
    screens("record_entry", "liu.yang", |h| h.press("6e"));
}

#[test]
fn verify_checklist_form() {
    screens("verify_checklist", "liu.yang", |h| {
        h.press("7v");
        // Originals ticked, then submitted: the domain's failures beside their fields.
        h.enter();
        h.enter();
        h.press(" ");
        h.ctrl('s');
    });
}

#[test]
fn assign_picker() {
    screens("assign_picker", "wang.fang", |h| h.press("2A"));
}

#[test]
fn bulk_claim_preview() {
    screens("bulk_claim", "chen.yu", |h| h.press("2f  c"));
}

#[test]
fn bulk_approve_preview_with_predicted_refusals() {
    screens("bulk_approve", "li.wei", |h| h.press("2   a"));
}

#[test]
fn bulk_return_preview() {
    screens("bulk_return", "li.wei", |h| {
        h.press("2   r");
        h.type_text(REASON);
    });
}

#[test]
fn bulk_assign_preview() {
    screens("bulk_assign", "wang.fang", |h| h.press("2   A"));
}

#[test]
fn bulk_results() {
    screens("bulk_results", "chen.yu", |h| {
        h.press("2f  c");
        h.enter();
    });
}

#[test]
fn dashboard() {
    screens("dashboard", "wang.fang", |h| h.press("D"));
}

#[test]
fn dashboard_cases() {
    screens("dashboard_cases", "wang.fang", |h| {
        h.press("D");
        h.enter();
    });
}

#[test]
fn dashboard_case_detail() {
    screens("dashboard_case", "wang.fang", |h| {
        h.press("D");
        h.enter();
        h.enter();
    });
}

#[test]
fn review_session() {
    screens("review", "li.wei", |h| h.press("2R"));
}

#[test]
fn review_summary() {
    screens("review_summary", "li.wei", |h| {
        h.press("2R");
        h.press("s");
        h.press("q");
    });
}

/// The rows of cases the table on screen draws: its box starts under the tabs at the first
/// column; the rows inside it under its header that hold text. `None` when no table is drawn.
/// Every row inside the box must hold a case (the queue is longer than any screen).
fn drawn_table_rows(buffer: &ratatui::buffer::Buffer) -> Option<usize> {
    if buffer.area.height < 4 || buffer[(0, 2)].symbol() != "┌" {
        return None;
    }
    let right = (1..buffer.area.width).find(|&x| buffer[(x, 2)].symbol() == "┐")?;
    let mut y = 4;
    let mut rows = 0;
    while y < buffer.area.height && buffer[(0, y)].symbol() == "│" {
        let text: String = (1..right).map(|x| buffer[(x, y)].symbol()).collect();
        assert!(
            !text.trim().is_empty(),
            "a blank row {y} inside the table of a {}x{} screen",
            buffer.area.width,
            buffer.area.height
        );
        rows += 1;
        y += 1;
    }
    assert_eq!(buffer[(0, y)].symbol(), "└", "the table's box ends");
    Some(rows)
}

#[test]
fn the_table_draws_exactly_the_rows_update_pages_by_at_every_size() {
    // Closed holds more cases than the tallest screen shows.
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("9");
    assert!(h.app.list.rows.len() > 60, "{}", h.app.list.rows.len());
    for width in 60..=220u16 {
        for height in 15..=60u16 {
            h.app.update(Msg::Resize(width, height));
            let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
            terminal.draw(|f| view::draw(f, &h.app)).expect("draw");
            let drawn = drawn_table_rows(terminal.backend().buffer());
            if height < layout::MIN_HEIGHT {
                assert_eq!(drawn, None, "{width}x{height} is too small for a table");
                continue;
            }
            assert_eq!(
                drawn,
                Some(h.app.visible_rows()),
                "{width}x{height}: the rows drawn are the rows a page moves by"
            );
        }
    }
}

/// The fenced blocks of docs/SCREENS.md are snapshots: each opens with "```text NAME" and holds
/// exactly tests/snapshots/NAME.snap's screen, so the document shows the screens as they ship.
#[test]
fn screens_md_shows_the_screens_as_the_snapshots_have_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/SCREENS.md")).expect("docs/SCREENS.md");
    let trimmed = |text: &str| -> String {
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        lines.join("\n").trim_matches('\n').to_string()
    };
    let mut lines = doc.lines();
    let mut checked = 0;
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let name = info
            .strip_prefix("text ")
            .map(str::trim)
            .filter(|n| n.starts_with("screens__"))
            .unwrap_or_else(|| panic!("a fenced block that is not a named screen: {line}"));
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let path = root.join("tests/snapshots").join(format!("{name}.snap"));
        let snap = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{name}: no snapshot {}: {e}", path.display()));
        // The snapshot's screen follows its header, which ends at the second `---`.
        let body = snap.splitn(3, "---\n").nth(2).unwrap_or_default();
        assert_eq!(
            trimmed(&block.join("\n")),
            trimmed(body),
            "docs/SCREENS.md's {name} is not the screen the snapshot has: copy it again"
        );
        checked += 1;
    }
    assert!(
        checked >= 10,
        "docs/SCREENS.md shows only {checked} screens"
    );
}

// Random widths and names in any script: no border lost, no text cut without `…`.

use permitdesk::console::app::dialog::Target;
use permitdesk::console::dialogs::assign;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use ratatui::buffer::Buffer;
use std::cell::RefCell;

/// A word in one script: Latin with precomposed diacritics, Latin with combining marks, Chinese,
/// Japanese kana, Hangul, Thai (its vowels and tones are combining marks), Arabic.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][a-zé]{1,9}",
        "[a-z]{1,3}\u{301}[a-z]{0,4}\u{308}",
        "[\u{4e00}-\u{4fff}]{1,6}",
        "[\u{3041}-\u{3093}]{1,5}",
        "[\u{ac00}-\u{ad00}]{1,4}",
        "[\u{0e01}-\u{0e2e}][\u{0e34}-\u{0e39}\u{0e48}-\u{0e4b}]?[\u{0e01}-\u{0e2e}]{1,5}",
        "[\u{0627}-\u{064a}]{2,7}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..6).prop_map(|w| w.join(" "))
}

#[derive(Debug, Clone)]
struct People {
    width: u16,
    height: u16,
    /// (name, own-script name, employer) for each row of the table.
    rows: Vec<(String, Option<String>, String)>,
}

fn people() -> impl Strategy<Value = People> {
    (
        60u16..=220,
        16u16..=40,
        prop::collection::vec((name(), prop::option::of(name()), name()), 7),
    )
        .prop_map(|(width, height, rows)| People {
            width,
            height,
            rows,
        })
}

/// Row `y` of `buffer` from column `from` to `to` (exclusive) as text, the second cell of a
/// wide character skipped as a terminal shows it.
fn text_of(buffer: &Buffer, y: u16, from: u16, to: u16) -> String {
    let mut out = String::new();
    let mut x = from;
    while x < to {
        let symbol = buffer[(x, y)].symbol();
        out.push_str(symbol);
        x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
    }
    out
}

fn draw(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| view::draw(f, app)).expect("draw");
    terminal.backend().buffer().clone()
}

/// The box drawn in `rect` keeps both side borders on every row.
fn box_kept(buffer: &Buffer, rect: ratatui::layout::Rect, what: &str) -> Result<(), String> {
    for y in rect.y + 1..rect.bottom() - 1 {
        for x in [rect.x, rect.right() - 1] {
            let symbol = buffer[(x, y)].symbol();
            if symbol != "│" {
                return Err(format!(
                    "{what}: row {y} has {symbol:?} at its border column {x}:\n{}",
                    text_of(buffer, y, 0, buffer.area.width)
                ));
            }
        }
    }
    Ok(())
}

/// `shown` (what follows a column's start) holds `text` whole or a prefix of it ending in `…`.
fn whole_or_marked(shown: &str, text: &str) -> bool {
    if shown.starts_with(text) {
        return true;
    }
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).any(|k| {
        let prefix: String = chars[..k].iter().collect();
        shown.starts_with(&format!("{prefix}…"))
    })
}

/// The dialog whose title starts `title` in `buffer`: its rectangle, from its corners.
fn dialog_rect(buffer: &Buffer, title: &str) -> Option<ratatui::layout::Rect> {
    for y in 0..buffer.area.height {
        let row = text_of(buffer, y, 0, buffer.area.width);
        if !row.contains(&format!("┌ {title}")) {
            continue;
        }
        let x0 = (0..buffer.area.width).find(|&x| {
            buffer[(x, y)].symbol() == "┌"
                && text_of(buffer, y, x, buffer.area.width).starts_with(&format!("┌ {title}"))
        })?;
        let x1 = (x0 + 1..buffer.area.width).find(|&x| buffer[(x, y)].symbol() == "┐")?;
        let y1 = (y + 1..buffer.area.height).find(|&r| buffer[(x0, r)].symbol() == "└")?;
        return Some(ratatui::layout::Rect::new(x0, y, x1 - x0 + 1, y1 - y + 1));
    }
    None
}

fn check(h: &RefCell<Harness>, people: &People) -> Result<(), String> {
    let mut h = h.borrow_mut();
    let app = &mut h.app;
    app.dialog = None;
    app.update(Msg::Resize(people.width, people.height));
    for (row, (name, native, employer)) in app.list.rows.iter_mut().zip(&people.rows) {
        row.applicant.name = name.clone();
        row.applicant.name_native = native.clone();
        row.employer.name = employer.clone();
    }
    if let (Some(detail), Some((name, native, employer))) =
        (app.detail.as_mut(), people.rows.first())
    {
        detail.case.applicant.name = name.clone();
        detail.case.applicant.name_native = native.clone();
        detail.case.employer.name = employer.clone();
    }
    let (width, height) = (people.width, people.height);
    let buffer = draw(app, width, height);
    let screen = app.layout();
    let table = screen.table.ok_or("no table")?;
    box_kept(&buffer, table, "the table")?;
    if let Some(detail) = screen.detail {
        box_kept(&buffer, detail, "the detail")?;
    }
    // Each row's applicant: whole, or cut with `…`.
    for (i, row) in app.list.rows.iter().enumerate().skip(app.list.offset) {
        let y = table.y + 2 + (i - app.list.offset) as u16;
        if y >= table.bottom() - 1 {
            break;
        }
        let text = text_of(&buffer, y, table.x + 1, table.right() - 1);
        let after = text
            .split_once(&format!("{} ", row.case_no))
            .map(|(_, rest)| rest.to_string())
            .ok_or_else(|| format!("no case number in {text:?}"))?;
        let name = view::display_name(&row.applicant.name, row.applicant.name_native.as_deref());
        if !whole_or_marked(&after, &name) {
            return Err(format!("{name:?} cut without …: {text:?}"));
        }
    }
    // Bulk assignment of the first three: every case listed, its name whole or cut with `…`.
    let targets: Vec<Target> = app.list.rows.iter().take(3).map(Target::of).collect();
    app.dialog = Some(Dialog::Assign(assign::Assign {
        targets: targets.clone(),
        candidates: vec!["chen.yu".into(), "li.wei".into()],
        selected: 0,
    }));
    let buffer = draw(app, width, height);
    let title = match app.lang {
        Lang::En => "Assign to",
        Lang::Zh => "分配给",
    };
    let rect = dialog_rect(&buffer, title).ok_or("no assign dialog")?;
    box_kept(&buffer, rect, "the assign dialog")?;
    for target in &targets {
        let name = view::display_name(&target.name, target.name_native.as_deref());
        let found = (rect.y + 1..rect.bottom() - 1).any(|y| {
            let text = text_of(&buffer, y, rect.x + 1, rect.right() - 1);
            text.split_once(&format!("{} ", target.case_no))
                .is_some_and(|(_, rest)| whole_or_marked(rest, &name))
        });
        if !found {
            return Err(format!(
                "{} {name:?} not listed whole or cut with …",
                target.case_no
            ));
        }
    }
    Ok(())
}

#[test]
fn at_any_width_and_in_any_script_no_border_is_lost_and_every_cut_ends_in_an_ellipsis() {
    for lang in [Lang::En, Lang::Zh] {
        let mut harness = Harness::new("wang.fang", 80, 24, lang);
        harness.press("2");
        assert_eq!(harness.app.list.rows.len(), 7);
        let harness = RefCell::new(harness);
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(48);
        let mut runner = TestRunner::new(Config {
            cases,
            rng_seed: RngSeed::Fixed(14),
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&people(), |people| {
                check(&harness, &people).map_err(TestCaseError::fail)
            })
            .unwrap_or_else(|e| panic!("{lang:?}: {e}"));
    }
}
