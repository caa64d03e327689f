// The console driven by keys through `App::update`, its store jobs run synchronously against a
// temporary demo store, each screen rendered into a `TestBackend` and compared with a reviewed
// snapshot. The date is fixed, so every deadline on screen is too. Plain comments: the served
// twin (tests/console_served.rs) includes this file and runs every job through a server.

mod served;

/// A reviewed screen, under the same file in both twins (`console__NAME.snap`).
macro_rules! snapshot {
    ($name:literal, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(concat!("console__", $name), $value));
    }};
}

// The harness (tests/console_harness): `Harness`, the demo store, and what tests here import.
mod console_harness;
use console_harness::*;
use permitdesk::console::dialogs::{bulk, message, palette, reason};

#[test]
fn main_screen_narrow_and_wide() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    snapshot!("my_cases_80x24", h.screen());
    h.press("2");
    snapshot!("pre_audit_80x24", h.screen());
    h.enter();
    snapshot!("detail_80x24", h.screen());
    let mut wide = Harness::new("li.wei", 160, 48, Lang::En);
    wide.press("2");
    snapshot!("pre_audit_160x48", wide.screen());
}

#[test]
fn chinese_screen_aligns() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::Zh);
    h.press("7");
    // The table's title in Chinese punctuation: the full-width colon and comma.
    let screen = h.screen();
    let title = screen
        .lines()
        .find(|l| l.starts_with("┌ 待核验"))
        .and_then(|l| l.split('─').next())
        .unwrap_or_default();
    assert_eq!(title, "┌ 待核验：9 件，按期限 ", "{screen}");
    snapshot!("verification_zh_160x48", h.screen());
    h.press("L");
    assert!(
        h.screen().contains("Verification ("),
        "L switches to English live"
    );
}

#[test]
fn claim_then_accept_with_a_confirmation() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    assert_eq!(
        h.store.case(&case_no).expect("case").assignee(),
        Some("li.wei")
    );
    h.press("a");
    snapshot!("accept_confirmation", h.screen());
    h.enter();
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::Review);
    assert!(
        h.screen()
            .contains(&format!("{case_no}: Pre-audit -> Review"))
    );
    assert!(h.store.check(today(), None).expect("check").ok());
}

#[test]
fn return_needs_a_reason_and_keeps_it() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.ctrl('s');
    snapshot!("return_empty_refused", h.screen());
    h.type_text("1. 护照复印件不清晰\n2. Contract lacks the employer's seal");
    snapshot!("return_typed", h.screen());
    h.ctrl('s');
    let case = h.store.case(&case_no).expect("case");
    assert_eq!(case.stage, Stage::Returned);
    let events = h.store.events(&case_no).expect("events");
    assert_eq!(
        events.last().and_then(|e| e.action.reason()),
        Some("1. 护照复印件不清晰\n2. Contract lacks the employer's seal")
    );
}

#[test]
fn a_conflict_opens_a_dialog_and_keeps_the_typed_reason() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.type_text("Passport copy unreadable");
    // Meanwhile a supervisor reassigns the case.
    assign(&mut h.store, &case_no, "wang.fang", "chen.yu");
    h.ctrl('s');
    snapshot!("conflict_dialog", h.screen());
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::PreAudit);
    h.enter();
    // Held by chen.yu now: said at the key, before any editor opens.
    h.press("r");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert!(h.screen().contains("held by chen.yu"), "{}", h.screen());
    // Given back, the case opens the editor with the reason typed before the conflict.
    assign(&mut h.store, &case_no, "wang.fang", "li.wei");
    h.press("1");
    h.press("2");
    while h.app.list.selected_case_no().as_ref() != Some(&case_no) {
        h.press("j");
    }
    h.press("r");
    assert!(
        h.screen().contains("Passport copy unreadable"),
        "the typed reason comes back: {}",
        h.screen()
    );
}

#[test]
fn a_conflict_in_chinese_says_the_last_change_in_chinese_words() {
    let mut h = Harness::new("li.wei", 120, 40, Lang::Zh);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.type_text("护照复印件不清晰");
    assign(&mut h.store, &case_no, "wang.fang", "chen.yu");
    h.ctrl('s');
    let Some(Dialog::Message(message::Message { title, lines, .. })) = &h.app.dialog else {
        panic!("a conflict dialog: {:?}", h.app.dialog);
    };
    let text = format!("{title}\n{}", lines.join("\n"));
    assert!(
        text.contains(&format!("最近一次变更：wang.fang 于 {TODAY} ")),
        "{text}"
    );
    assert!(
        text.contains("分配"),
        "the action in its official term: {text}"
    );
    // Not a word of English: the only Latin letters are the case number's and the user's name.
    let rest = text.replace(&case_no, "").replace("wang.fang", "");
    assert!(
        !rest.chars().any(|c| c.is_ascii_alphabetic()),
        "English in a Chinese conflict: {text}"
    );
    assert!(h.screen().contains("最近一次变更"), "{}", h.screen());
}

#[test]
fn an_approval_note_refused_by_a_conflict_is_kept_as_a_reason_is() {
    let mut h = Harness::new("li.wei", 120, 40, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("a");
    h.type_text("Originals seen at the window");
    // Meanwhile a supervisor reassigns the case.
    assign(&mut h.store, &case_no, "wang.fang", "chen.yu");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("Conflict"), "{screen}");
    assert!(
        screen.contains("Your typed text is kept as a draft."),
        "{screen}"
    );
    let note = Some("Originals seen at the window");
    assert_eq!(
        h.app
            .draft_of(&case_no, ActionKind::Approve)
            .map(String::as_str),
        note
    );
    let stored = |h: &Harness| {
        h.store
            .draft("li.wei", &case_no, ActionKind::Approve)
            .expect("draft")
    };
    assert_eq!(stored(&h).as_deref(), note);
    h.enter();
    // Given back, the confirmation opens with the note typed before the conflict.
    assign(&mut h.store, &case_no, "wang.fang", "li.wei");
    h.press("1");
    h.press("2");
    while h.app.list.selected_case_no().as_ref() != Some(&case_no) {
        h.press("j");
    }
    h.press("a");
    assert!(
        h.screen().contains("Originals seen at the window"),
        "the typed note comes back: {}",
        h.screen()
    );
    h.enter();
    let events = h.store.events(&case_no).expect("events");
    assert_eq!(events.last().and_then(|e| e.action.reason()), note);
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::Review);
    // Recorded: the draft is gone, in memory and in the store.
    assert_eq!(h.app.draft_of(&case_no, ActionKind::Approve), None);
    assert_eq!(stored(&h), None);
}

#[test]
fn refusals_are_shown_in_words() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    h.select_first(Stage::PreAudit, true);
    h.press("a");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    let screen = h.screen();
    assert!(screen.contains("claim it first"), "{screen}");
}

#[test]
fn search_as_you_type_counts_matches() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::En);
    h.press("9");
    let passport = h.app.list.rows[3].applicant.passport_no.clone();
    let case_no = h.app.list.rows[3].case_no.clone();
    h.press("/");
    h.type_text("GZ2026-0001");
    let screen = h.screen();
    assert!(screen.contains("[Search \"GZ2026-0001\"]"), "{screen}");
    let total = h.app.list.total.unwrap_or(0);
    assert!(total > 0 && total <= 100, "{total} matches");
    assert!(
        h.app
            .list
            .rows
            .iter()
            .all(|r| r.case_no.starts_with("GZ2026-0001"))
    );
    h.key(KeyCode::Esc, KeyModifiers::NONE);
    h.press("/");
    h.type_text(&passport);
    h.enter();
    assert_eq!(h.app.list.selected_case_no(), Some(case_no));
    h.esc();
    assert!(!h.screen().contains("[Search"));
}

/// `text` as a full-width keyboard types it (ASCII `!`..`~` to U+FF01..U+FF5E).
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).expect("full-width form"),
            c => c,
        })
        .collect()
}

#[test]
fn a_full_width_or_invisible_search_finds_what_plain_text_finds() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::En);
    h.press("9");
    let case_no = h.app.list.rows[3].case_no.clone();
    let passport = h.app.list.rows[3].applicant.passport_no.clone();
    let (head, tail) = passport.split_at(3);
    for typed in [
        full_width(&case_no),
        case_no.to_lowercase(),
        full_width(&passport),
        format!("{}\u{200B}{}", head.to_lowercase(), tail),
    ] {
        h.press("/");
        h.type_text(&typed);
        h.enter();
        assert!(h.app.list.total.unwrap_or(0) >= 1, "{typed}");
        assert_eq!(
            h.app.list.selected_case_no(),
            Some(case_no.clone()),
            "{typed}"
        );
        h.esc();
    }
}

#[test]
fn help_comes_from_the_live_keymap() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("?");
    snapshot!("help_80x24", h.screen());
}

#[test]
fn a_viewer_gets_a_read_only_console() {
    let mut h = Harness::new("audit.he", 80, 24, Lang::En);
    h.press("2");
    let version = h.app.list.selected_row().map(|r| r.version);
    h.press("c");
    assert!(h.screen().contains("read-only"));
    assert_eq!(h.app.list.selected_row().map(|r| r.version), version);
}

#[test]
fn bulk_claim_previews_and_reports() {
    let mut h = Harness::new("chen.yu", 80, 24, Lang::En);
    h.press("2");
    h.press("f");
    h.press("  ");
    h.press("c");
    snapshot!("bulk_preview", h.screen());
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("2 done, 0 failed"), "{screen}");
}

#[test]
fn a_tiny_terminal_gets_a_message() {
    let h = Harness::new("li.wei", 50, 12, Lang::En);
    assert!(h.screen().contains("Window too small"));
}

/// A checklist that fails says why in Chinese beside each field, as it does in English (it said
/// only "未通过" until issue 14).
#[test]
fn checklist_failures_give_their_reason_in_chinese() {
    let mut h = Harness::new("liu.yang", 80, 24, Lang::Zh);
    h.press("7");
    h.press("v");
    // Originals ticked, the rest left: copies unsealed, no document, no exam report.
    h.enter();
    h.enter();
    h.press(" ");
    // An exam report from more than six months before the verification.
    while matches!(&h.app.dialog, Some(Dialog::Verify(f)) if f.focus != 6) {
        h.key(KeyCode::Tab, KeyModifiers::NONE);
    }
    for _ in 0..10 {
        h.key(KeyCode::Backspace, KeyModifiers::NONE);
    }
    h.type_text("2026-01-15");
    h.ctrl('s');
    let screen = h.screen();
    let Some(Dialog::Verify(form)) = &h.app.dialog else {
        panic!("the form closed: {screen}");
    };
    assert!(form.failures.len() >= 5, "{:?}", form.failures);
    for (_, reason) in &form.failures {
        assert_ne!(reason, "未通过", "{:?}", form.failures);
        assert!(
            !reason.chars().any(|c| c.is_ascii_lowercase()),
            "no English: {reason}"
        );
    }
    for line in [
        "✗ 复印件加盖单位公章：复印件未加盖单位公章",
        "✗ 工作签证/居留许可有效期至：未出示工作签证或工作类居留许可",
        "✗ 体检报告出具日期：已超过 6 个月（须为 2026-05-26 及以后出具）",
        "✗ 由境内检验检疫机构出具：体检报告须由境内检验检疫机构出具",
    ] {
        assert!(screen.contains(line), "{line}\n{screen}");
    }
}

#[test]
fn clerk_dialogs_entry_and_checklist() {
    let mut h = Harness::new("liu.yang", 80, 24, Lang::En);
    h.press("6");
    h.press("e");
    snapshot!("entry_date_dialog", h.screen());
    h.esc();
    h.press("7");
    h.press("v");
    snapshot!("verify_dialog", h.screen());
    // Enter moves to the next field; it does not submit.
    h.enter();
    assert!(matches!(&h.app.dialog, Some(Dialog::Verify(f)) if f.focus == 1));
    // Originals ticked, then Ctrl-s: the domain's failures show beside their fields, in words,
    // and what was entered stays.
    h.enter();
    h.press(" ");
    h.ctrl('s');
    let screen = h.screen();
    let Some(Dialog::Verify(form)) = &h.app.dialog else {
        panic!("the form closed: {screen}");
    };
    assert!(form.originals, "the tick is kept");
    assert!(!form.failures.is_empty());
    assert!(
        screen.contains("✗ Copies bear the employer's seal"),
        "{screen}"
    );
    assert!(
        !screen.contains("sealed_copies") && !screen.contains("exam_date"),
        "{screen}"
    );
    // A typed date that is not one is said in the form; the text stays for correcting.
    while matches!(&h.app.dialog, Some(Dialog::Verify(f)) if f.focus != 5) {
        h.key(KeyCode::Tab, KeyModifiers::NONE);
    }
    h.type_text("2026-13");
    h.ctrl('s');
    assert!(h.screen().contains("is not a date"), "{}", h.screen());
    assert!(matches!(&h.app.dialog, Some(Dialog::Verify(f)) if f.visa_until == "2026-13"));
    // Esc over entered data asks first; n keeps the form.
    h.esc();
    assert!(
        h.screen().contains("Discard what was entered?"),
        "{}",
        h.screen()
    );
    h.press("n");
    assert!(matches!(h.app.dialog, Some(Dialog::Verify(_))));
    h.esc();
    h.press("y");
    assert!(h.app.dialog.is_none());

    // A future entry date is refused in the dialog, the typed date kept.
    h.press("6");
    h.press("e");
    for _ in 0..10 {
        h.key(KeyCode::Backspace, KeyModifiers::NONE);
    }
    h.type_text("2027-01-05");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("in the future"), "{screen}");
    assert!(
        matches!(&h.app.dialog, Some(Dialog::EntryDate(d)) if d.input == "2027-01-05"),
        "{screen}"
    );
}

#[test]
fn supervisor_assigns_from_a_picker_and_extends_by_palette() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::En);
    h.press("2");
    let case_no = h.app.list.selected_case_no().expect("a case");
    h.press("A");
    snapshot!("assign_picker", h.screen());
    h.enter();
    let holder = h
        .store
        .case(&case_no)
        .expect("case")
        .assignee()
        .map(str::to_string);
    assert_eq!(
        holder.as_deref(),
        Some("chen.yu"),
        "the first candidate is chen.yu"
    );
    h.press("3");
    h.press(":");
    h.type_text("extend");
    snapshot!("palette", h.screen());
    h.enter();
    h.type_text("3");
    h.enter();
    h.type_text("Waiting for the degree verification report");
    h.ctrl('s');
    let screen = h.screen();
    assert!(
        screen.contains("deadline extended") || screen.contains("already extended"),
        "{screen}"
    );
}

/// The console asks the office's policy, never a constant: an office that allows 15 days of
/// extension can give 12 from the console, as it can from the command line.
#[test]
fn the_extension_limit_is_the_offices_policy() {
    let mut h = Harness::with_office("wang.fang", 160, 48, Lang::En, 300, |store| {
        let mut policy = store.policy().clone();
        policy.max_extension_days = 15;
        store
            .set_policy("admin", policy, Some(today()))
            .expect("the office's policy");
    });
    h.press("3");
    h.press(":");
    h.type_text("extend");
    h.enter();
    let screen = h.screen();
    assert!(
        screen.contains("Working days to add to the decision deadline (1-15):"),
        "{screen}"
    );
    h.type_text("16");
    h.enter();
    let screen = h.screen();
    assert!(
        screen.contains("\"16\": give 1 to 15 working days"),
        "{screen}"
    );
    h.key(KeyCode::Backspace, KeyModifiers::NONE);
    h.key(KeyCode::Backspace, KeyModifiers::NONE);
    h.type_text("12");
    h.enter();
    let screen = h.screen();
    assert!(
        screen.contains("+12 working days to the decision deadline, once. Reason:"),
        "{screen}"
    );
}

#[test]
fn dashboard_opens_the_cases_behind_a_figure() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::En);
    h.press("D");
    snapshot!("dashboard_160x48", h.screen());
    let expected = h
        .app
        .dashboard
        .as_ref()
        .and_then(|d| d.figures())
        .map(|d| d.overdue_verifications)
        .expect("figures");
    h.enter();
    let listed = h
        .app
        .dashboard
        .as_ref()
        .and_then(|d| d.opened.as_ref())
        .map(|(_, list)| list.total.unwrap_or(0))
        .expect("opened figure");
    assert_eq!(
        listed, expected,
        "the list behind a figure has as many cases as the figure says"
    );
    h.esc();
    h.esc();
    assert!(h.app.dashboard.is_none());
}

#[test]
fn refusals_and_help_in_chinese() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::Zh);
    h.press("2");
    h.select_first(Stage::PreAudit, true);
    h.press("a");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    let screen = h.screen();
    assert!(screen.contains("请先认领"), "{screen}");
    h.press("?");
    snapshot!("help_zh_80x24", h.screen());
}

#[test]
fn paging_deep_keeps_a_window_and_reads_rows_again_on_the_way_back() {
    let mut h = Harness::with_cases("li.wei", 120, 40, Lang::En, 1_500);
    h.press("9");
    assert_eq!(h.app.queue(), Queue::Closed);
    let everything = h
        .store
        .page(&QueueQuery {
            queue: Queue::Closed,
            filter: Filter::All,
            search: None,
            user: "li.wei".into(),
            today: today(),
            sort: h.app.list.sort,
            after: None,
            limit: 5_000,
        })
        .expect("the whole queue")
        .rows
        .into_iter()
        .map(|r| r.case_no)
        .collect::<Vec<_>>();
    assert!(
        everything.len() > MAX_LOADED + PAGE_ROWS,
        "{}",
        everything.len()
    );
    let selected = |h: &Harness| h.app.list.selected_case_no().expect("a selection");
    // The case selected before each of `n - 1` presses of `key`, and after the last.
    let walk = |h: &mut Harness, key: &str, n: usize| {
        let mut seen = vec![selected(h)];
        for _ in 1..n {
            h.press(key);
            assert!(
                h.app.list.rows.len() <= MAX_LOADED,
                "the window stays bounded"
            );
            seen.push(selected(h));
        }
        seen
    };
    let down = walk(&mut h, "j", everything.len());
    assert_eq!(
        down, everything,
        "walking down visits every case once, in order"
    );
    assert!(h.app.list.above.is_some(), "the first rows were let go");

    // A refresh deep in the queue re-reads the window, not the first page.
    let deep = selected(&h);
    for version in [1, 2] {
        let effects = h.app.update(Msg::Reply {
            generation: 0,
            reply: Reply::Changed(version),
        });
        h.run(effects);
    }
    assert_eq!(selected(&h), deep, "the selection survives a refresh");

    let mut up = walk(&mut h, "k", everything.len());
    up.reverse();
    assert_eq!(
        up, everything,
        "walking back up reads the let-go rows again"
    );
    assert!(h.app.list.above.is_none());

    // `g` from deep down goes to the real top, not the top of the window.
    h.press("G");
    for _ in 0..15 {
        h.key(KeyCode::PageDown, KeyModifiers::NONE);
    }
    assert!(h.app.list.above.is_some());
    h.press("g");
    assert_eq!(selected(&h), everything[0]);
}

/// The whole Closed queue of `h`'s store, in the table's default order.
fn whole_closed_queue(h: &Harness) -> Vec<String> {
    h.store
        .page(&QueueQuery {
            queue: Queue::Closed,
            filter: Filter::All,
            search: None,
            user: h.app.setup.user.clone(),
            today: today(),
            sort: h.app.list.sort,
            after: None,
            limit: 5_000,
        })
        .expect("the whole queue")
        .rows
        .into_iter()
        .map(|r| r.case_no)
        .collect()
}

fn bulk_targets(h: &Harness) -> Vec<String> {
    match &h.app.dialog {
        Some(Dialog::Bulk(b)) => b.targets.iter().map(|t| t.case_no.clone()).collect(),
        other => panic!("no bulk preview: {other:?}"),
    }
}

fn editor_text(h: &Harness) -> String {
    match &h.app.dialog {
        Some(Dialog::Reason(reason::Reason { editor, .. }))
        | Some(Dialog::Bulk(bulk::Bulk {
            reason: Some(editor),
            ..
        })) => editor.lines().join("\n"),
        other => panic!("no editor open: {other:?}"),
    }
}

#[test]
fn marks_stay_targets_however_far_the_user_pages() {
    let mut h = Harness::with_cases("li.wei", 120, 40, Lang::En, 1_500);
    h.press("9");
    h.press("g");
    let mut marked: Vec<String> = h.app.list.rows[..2]
        .iter()
        .map(|r| r.case_no.clone())
        .collect();
    // The preview lists them by case number.
    marked.sort();
    h.press("  ");
    for _ in 0..70 {
        h.key(KeyCode::PageDown, KeyModifiers::NONE);
    }
    assert!(h.app.list.above.is_some(), "the marked rows were let go");
    assert!(
        !h.app.list.rows.iter().any(|r| marked.contains(&r.case_no)),
        "the marked rows are outside the loaded window"
    );
    // A refresh deep in the queue keeps them too.
    for version in [1, 2] {
        let effects = h.app.update(Msg::Reply {
            generation: 0,
            reply: Reply::Changed(version),
        });
        h.run(effects);
    }
    assert!(h.screen().contains("[2 marked]"));
    h.press("c");
    assert_eq!(bulk_targets(&h), marked, "the preview lists both");
    let screen = h.screen();
    // Closed cases cannot be claimed: the preview says so before anything is tried.
    assert!(
        screen.contains("2 marked: 0 will go ahead, 2 will be refused"),
        "{screen}"
    );
    assert!(
        screen.contains("✗ claim (2): claim is not possible"),
        "{screen}"
    );
    for case_no in &marked {
        assert!(screen.contains(case_no.as_str()), "{case_no}: {screen}");
    }
    // Closed cases cannot be claimed: both are tried, and both say why.
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("0 done, 2 failed"), "{screen}");
    for case_no in &marked {
        assert!(screen.contains(case_no.as_str()), "{case_no}: {screen}");
    }
    assert_eq!(
        h.app.list.marked.keys().cloned().collect::<Vec<_>>(),
        marked,
        "the rows that failed stay marked"
    );
}

#[test]
fn bulk_actions_check_the_role_before_any_dialog() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    h.press("A");
    assert!(h.app.dialog.is_none());
    assert!(h.screen().contains("assign needs the supervisor role"));
    h.press("  ");
    assert_eq!(h.app.list.marked.len(), 2);
    h.press("A");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert!(h.screen().contains("assign needs the supervisor role"));

    let mut clerk = Harness::new("liu.yang", 80, 24, Lang::Zh);
    clerk.press("2");
    clerk.press("  ");
    for key in ["c", "a", "r", "A"] {
        clerk.press(key);
        assert!(clerk.app.dialog.is_none(), "{key}: {:?}", clerk.app.dialog);
        let screen = clerk.screen();
        assert!(screen.contains("需要"), "{key}: {screen}");
    }
    assert!(clerk.screen().contains("分配需要科室负责人角色"));
    clerk.press("c");
    assert!(clerk.screen().contains("认领需要审查员或科室负责人角色"));

    // A supervisor gets the picker for both.
    let mut s = Harness::new("wang.fang", 80, 24, Lang::En);
    s.press("2");
    s.press("  ");
    s.press("A");
    assert!(matches!(&s.app.dialog, Some(Dialog::Assign(a)) if a.targets.len() == 2));
}

#[test]
fn bottom_reads_the_queues_last_page_and_pages_back_up() {
    let mut h = Harness::with_cases("li.wei", 120, 40, Lang::En, 1_500);
    h.press("9");
    let everything = whole_closed_queue(&h);
    assert!(everything.len() > MAX_LOADED + PAGE_ROWS);
    let selected = |h: &Harness| h.app.list.selected_case_no().expect("a selection");
    h.press("G");
    assert_eq!(selected(&h), *everything.last().expect("a case"));
    assert!(h.app.list.rows.len() <= PAGE_ROWS + 1);
    assert!(h.app.list.above.is_some() && h.app.list.next.is_none());
    assert!(
        h.screen()
            .contains(everything.last().expect("a case").as_str())
    );
    // PgUp across the page above, which is read as it is reached.
    let page = h.app.visible_rows();
    let last = everything.len() - 1;
    for n in 1..=5 {
        h.key(KeyCode::PageUp, KeyModifiers::NONE);
        assert_eq!(selected(&h), everything[last - n * page], "PgUp {n}");
    }
    for n in 1..=3 {
        h.key(KeyCode::PageDown, KeyModifiers::NONE);
        assert_eq!(selected(&h), everything[last - (5 - n) * page], "PgDn {n}");
    }
    // `k` walks back to the first case, one by one.
    h.press("G");
    let mut up = vec![selected(&h)];
    for _ in 1..everything.len() {
        h.press("k");
        assert!(h.app.list.rows.len() <= MAX_LOADED);
        up.push(selected(&h));
    }
    up.reverse();
    assert_eq!(up, everything);
    assert!(h.app.list.above.is_none());
    // In a queue that is all loaded, `G` just moves.
    h.press("2");
    h.press("G");
    assert_eq!(h.app.list.selected, h.app.list.rows.len() - 1);
}

#[test]
fn ctrl_c_while_typing_a_reason_asks_and_n_goes_back_to_it() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.type_text("Passport copy unreadable");
    for back in [KeyCode::Char('n'), KeyCode::Esc] {
        h.ctrl('c');
        assert!(!h.app.quit);
        assert!(h.screen().contains("Quit anyway?"));
        h.key(back, KeyModifiers::NONE);
        assert!(!h.app.quit);
        assert_eq!(editor_text(&h), "Passport copy unreadable", "{back:?}");
        assert!(h.screen().contains("Passport copy unreadable"));
    }
    // Typing goes on where it was.
    h.type_text(".");
    assert_eq!(editor_text(&h), "Passport copy unreadable.");
    h.ctrl('c');
    h.press("y");
    assert!(h.app.quit);
}

#[test]
fn bulk_return_asks_before_discarding_a_typed_reason() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    h.press("  ");
    h.press("r");
    h.esc();
    assert!(h.app.dialog.is_none(), "nothing typed: Esc closes");
    h.press("r");
    h.type_text("Contract lacks the seal");
    h.esc();
    assert!(h.screen().contains("Discard the typed text?"));
    h.press("n");
    assert_eq!(editor_text(&h), "Contract lacks the seal");
    h.ctrl('c');
    assert!(h.screen().contains("Quit anyway?"));
    h.esc();
    assert_eq!(editor_text(&h), "Contract lacks the seal");
    h.esc();
    h.press("y");
    assert!(h.app.dialog.is_none());
    assert_eq!(h.app.list.marked.len(), 2, "the marks stay");
}

#[test]
fn ctrl_c_quits_while_searching() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("/abc");
    assert!(h.app.search.typing);
    let effects = h.app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(h.app.quit);
    assert!(effects.iter().any(|e| matches!(e, Effect::Quit)));
}

#[test]
fn pasted_text_is_what_a_person_could_type() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    let paste = |h: &mut Harness| {
        let effects = h.app.update(Msg::Paste("a\r\nb\rc\u{202e}d\x1b[2J".into()));
        h.run(effects);
    };
    paste(&mut h);
    assert_eq!(editor_text(&h), "a\nb\ncd");
    // Nor does a typed control or bidi character get in.
    h.key(KeyCode::Char('\u{202e}'), KeyModifiers::NONE);
    h.key(KeyCode::Char('\u{1b}'), KeyModifiers::NONE);
    assert_eq!(editor_text(&h), "a\nb\ncd");
    assert_eq!(
        h.app
            .draft_for(
                &h.app.list.selected_case_no().expect("case"),
                TextAction::Return
            )
            .map(String::as_str),
        Some("a\nb\ncd"),
        "the draft is what the editor holds"
    );
    // Invisible characters the domain refuses in text go too (a tab becomes a space, as before).
    let effects = h
        .app
        .update(Msg::Paste("\u{200B}e\u{AD}f\u{E0041}\tg\u{2028}".into()));
    h.run(effects);
    h.key(KeyCode::Char('\u{200D}'), KeyModifiers::NONE);
    assert_eq!(editor_text(&h), "a\nb\ncdef g\n");
    h.esc();
    h.press("y");
    h.press("  ");
    h.press("r");
    paste(&mut h);
    assert_eq!(editor_text(&h), "a\nb\ncd", "the bulk reason too");
}

#[test]
fn the_reason_editor_wraps_counts_and_holds_the_limit_as_text_comes_in() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    let first = "The passport copy is unreadable and the contract lacks the employer's seal;";
    h.type_text(&format!("{first} please send both again\nsecond line"));
    let screen = h.screen();
    // Soft wrap: the first line's start and the second line stay in sight together.
    assert!(
        screen.contains("The passport copy is unreadable"),
        "{screen}"
    );
    assert!(screen.contains("second line"), "{screen}");
    let typed = editor_text(&h).chars().count();
    assert!(screen.contains(&format!("{typed}/4000")), "{screen}");

    // A paste that does not fit whole goes in not at all, and says why.
    let paste = |h: &mut Harness, text: String| {
        let effects = h.app.update(Msg::Paste(text));
        h.run(effects);
    };
    paste(&mut h, "x".repeat(4000));
    assert_eq!(editor_text(&h).chars().count(), typed, "nothing was cut in");
    let room = 4000 - typed;
    assert!(
        h.screen()
            .contains(&format!("Not pasted: 4000 characters, {room} more fit")),
        "{}",
        h.screen()
    );
    // One that fits fills it; a key more is refused in words, and the text is what was typed.
    paste(&mut h, "y".repeat(room));
    assert!(h.screen().contains("4000/4000"), "{}", h.screen());
    h.type_text("z");
    h.enter();
    assert_eq!(editor_text(&h).chars().count(), 4000);
    assert!(!editor_text(&h).contains('z'));
    assert!(h.screen().contains("The text is full"), "{}", h.screen());
    // Deleting makes room again; the full reason is accepted by the domain.
    h.key(KeyCode::Backspace, KeyModifiers::NONE);
    h.type_text("z");
    assert!(editor_text(&h).ends_with('z'));
    h.ctrl('s');
    let case = h.store.case(&case_no).expect("case");
    assert_eq!(case.stage, Stage::Returned);
}

#[test]
fn chinese_dialogs_titles_and_status() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::Zh);
    // The filter by name.
    h.press("2");
    h.press("f");
    let screen = h.screen();
    assert!(screen.contains("[筛选 未认领]"), "{screen}");
    // The recommendation in the sign confirmation.
    h.press("4");
    let with_recommendation = (0..h.app.list.rows.len()).find(|_| {
        let found = h
            .app
            .detail
            .as_ref()
            .is_some_and(|d| d.case.recommendation.is_some());
        if !found {
            h.press("j");
        }
        found
    });
    assert!(
        with_recommendation.is_some(),
        "a case with a recommendation"
    );
    h.press("a");
    let screen = h.screen();
    assert!(screen.contains("审查意见："), "{screen}");
    assert!(!screen.contains(", by "), "{screen}");
    h.esc();
    // The extend dialog and its error.
    h.press(":");
    h.type_text("extend");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("延长期限"), "{screen}");
    assert!(screen.contains("决定期限延长的工作日数"), "{screen}");
    assert!(!screen.contains("Working days"), "{screen}");
    h.enter();
    assert!(h.screen().contains("请填写 1 至 10 个工作日"));
    h.esc();
    // A note's status line.
    h.press("n");
    h.type_text("已电话联系单位");
    h.ctrl('s');
    let screen = h.screen();
    assert!(screen.contains("已添加备注"), "{screen}");
    // The cases behind a dashboard figure.
    h.press("D");
    h.enter();
    let screen = h.screen();
    assert!(
        screen.contains("件（Enter 打开案件，Esc 返回）"),
        "{screen}"
    );
}

#[test]
fn bulk_results_scroll_and_say_what_happened_in_words() {
    let mut h = Harness::new("chen.yu", 80, 24, Lang::En);
    h.press("2");
    h.press("f");
    h.press("  ");
    h.press("c");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("2 done, 0 failed"), "{screen}");
    assert_eq!(screen.matches("  claimed").count(), 2, "{screen}");
    h.enter();

    // Many failures: the list scrolls, the hint stays, each case is named once.
    h.press("9");
    let mut marked: Vec<String> = h.app.list.rows[..30]
        .iter()
        .map(|r| r.case_no.clone())
        .collect();
    marked.sort(); // The report lists them by case number.
    h.press(&" ".repeat(30));
    h.press("c");
    let screen = h.screen();
    for case_no in &marked {
        assert!(
            screen.contains(case_no.as_str()),
            "the preview lists {case_no}: {screen}"
        );
    }
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("0 done, 30 failed"), "{screen}");
    assert!(screen.contains("Enter OK"), "{screen}");
    for line in screen.lines() {
        for case_no in &marked {
            assert!(line.matches(case_no.as_str()).count() <= 1, "{line}");
        }
    }
    assert!(!screen.contains(marked[29].as_str()), "{screen}");
    h.press("j");
    assert_ne!(h.screen(), screen, "j scrolls");
    h.press("G");
    let screen = h.screen();
    assert!(screen.contains(marked[29].as_str()), "{screen}");
    h.press("j");
    assert_eq!(h.screen(), screen, "the end is the end");
    assert!(screen.contains("Enter OK"), "{screen}");
    assert!(
        screen.contains("claim is not possible in stage"),
        "{screen}"
    );
    h.enter();
    assert!(h.app.dialog.is_none());

    // Transitions in the stages' names.
    let mut h = Harness::new("chen.yu", 80, 24, Lang::Zh);
    h.press("2");
    h.press("f");
    h.press("  ");
    h.press("c");
    h.enter();
    h.enter();
    h.press("f"); // mine
    let mine: Vec<String> = h
        .app
        .list
        .rows
        .iter()
        .filter(|r| r.stage == Stage::PreAudit)
        .take(2)
        .map(|r| r.case_no.clone())
        .collect();
    assert_eq!(mine.len(), 2);
    for case_no in &mine {
        while h.app.list.selected_case_no().as_ref() != Some(case_no) {
            h.press("j");
        }
        h.press(" ");
    }
    h.press("a");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("2 完成，0 失败"), "{screen}");
    assert_eq!(screen.matches("预审 → 审查").count(), 2, "{screen}");
    assert!(!screen.contains("pre_audit"), "{screen}");
}

/// The first row of the current queue that `pick` accepts, selected (after the detail loaded).
fn select_where(
    h: &mut Harness,
    pick: impl Fn(&permitdesk::console::worker::Detail) -> bool,
) -> String {
    for _ in 0..h.app.list.rows.len() {
        if let Some(detail) = h.app.detail.as_ref() {
            if pick(detail) {
                return detail.case.case_no.clone();
            }
        }
        h.press("j");
    }
    panic!("no such case in this queue");
}

#[test]
fn actions_that_do_not_exist_in_the_stage_are_said_in_words_without_a_dialog() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("9");
    h.select_first(Stage::Completed, false);
    h.press("r");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    let screen = h.screen();
    assert!(
        screen.contains("return is not possible in Completed"),
        "{screen}"
    );
    h.press("a");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert!(h.screen().contains("approve is not possible in Completed"));
    h.press("5");
    h.select_first(Stage::Returned, false);
    h.press("x");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert!(h.screen().contains("refuse is not possible in Returned"));
    // A role the user lacks: lapse is the supervisor's.
    h.press("7");
    h.press(":");
    h.type_text("lapse");
    h.enter();
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert!(h.screen().contains("lapse needs the supervisor role"));

    let mut zh = Harness::new("li.wei", 80, 24, Lang::Zh);
    zh.press("9");
    zh.select_first(Stage::Completed, false);
    zh.press("r");
    assert!(zh.app.dialog.is_none());
    let screen = zh.screen();
    assert!(screen.contains("阶段不能退回补正"), "{screen}");
}

#[test]
fn editors_show_the_transition_the_domain_gives() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::En);
    h.press("3");
    h.select_first(Stage::Review, true);
    h.press("c");
    h.press("x");
    let screen = h.screen();
    assert!(matches!(h.app.dialog, Some(Dialog::Reason { .. })));
    assert!(screen.contains("Review -> Decision"), "{screen}");
    assert!(screen.contains("Recommend refusal of"), "{screen}");
    h.esc();
    h.press("7");
    h.select_first(Stage::Verification, false);
    h.press(":");
    h.type_text("lapse");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("Verification -> Lapsed"), "{screen}");
    h.esc();
    let mut clerk = Harness::new("liu.yang", 160, 48, Lang::En);
    clerk.press("6");
    clerk.press("e");
    let screen = clerk.screen();
    assert!(
        screen.contains("Notified -> Verification") || screen.contains("Notified -> Completed"),
        "{screen}"
    );
}

#[test]
fn signing_against_a_refuse_recommendation_asks_for_a_reason() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::En);
    h.press("4");
    let case_no = select_where(&mut h, |d| {
        d.case.recommendation.as_ref().is_some_and(|r| {
            r.verdict == permitdesk::domain::case::Verdict::Refuse && r.by != "wang.fang"
        })
    });
    h.press("a");
    let screen = h.screen();
    assert!(screen.contains("Reason (required"), "{screen}");
    assert!(!screen.contains("Note (optional)"), "{screen}");
    h.enter();
    assert!(
        matches!(h.app.dialog, Some(Dialog::Confirm { .. })),
        "empty text is not accepted"
    );
    assert!(h.screen().contains("A reason is required"));
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::Decision);
}

#[test]
fn a_case_held_all_along_by_someone_else_is_not_a_conflict() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    assign(&mut h.store, &case_no, "wang.fang", "chen.yu");
    // The user sees the case as it is now: held by chen.yu.
    h.press("1");
    h.press("2");
    while h.app.list.selected_case_no().as_ref() != Some(&case_no) {
        h.press("j");
    }
    h.press("a");
    assert!(
        h.app.dialog.is_none(),
        "asked before the dialog: {:?}",
        h.app.dialog
    );
    let screen = h.screen();
    assert!(screen.contains("held by chen.yu"), "{screen}");
    assert!(!screen.contains("Conflict"), "{screen}");
    assert!(!screen.contains("while you were looking"), "{screen}");
}

#[test]
fn the_focused_detail_scrolls_to_the_whole_history() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("9");
    let case_no = select_where(&mut h, |d| d.events.len() >= 8);
    h.enter();
    let top = h.screen();
    assert!(top.contains("/"), "{top}");
    assert!(top.contains("j/k"), "a scroll indicator: {top}");
    assert!(!top.contains("History"), "{top}");
    h.press("j");
    assert_eq!(h.app.list.selected_case_no(), Some(case_no.clone()));
    assert_ne!(h.screen(), top, "j scrolls the panel");
    h.key(KeyCode::PageDown, KeyModifiers::NONE);
    h.press("G");
    let bottom = h.screen();
    assert_eq!(h.app.list.selected_case_no(), Some(case_no.clone()));
    assert!(
        bottom.contains("History") || bottom.contains("-> Completed"),
        "{bottom}"
    );
    let last = h
        .store
        .events(&case_no)
        .expect("events")
        .last()
        .map(|e| e.at.format("%Y-%m-%d %H:%M").to_string())
        .expect("an event");
    assert!(
        bottom.contains(&last),
        "the newest event is reachable: {bottom}"
    );
    h.press("j");
    assert_eq!(h.screen(), bottom, "the end is the end");
    h.press("g");
    assert_eq!(h.screen(), top);
    h.esc();
    h.press("j");
    assert_ne!(
        h.app.list.selected_case_no(),
        Some(case_no),
        "Esc gives j back to the table"
    );
}

#[test]
fn palette_scrolls_to_the_choice_and_help_stops_at_its_end() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press(":");
    for _ in 0..25 {
        h.key(KeyCode::Down, KeyModifiers::NONE);
    }
    let chosen = match &h.app.dialog {
        Some(Dialog::Palette(palette::Palette { input, selected })) => {
            let matches = permitdesk::console::app::palette_matches(input);
            matches[(*selected).min(matches.len() - 1)].label(Lang::En)
        }
        other => panic!("{other:?}"),
    };
    let screen = h.screen();
    assert!(
        screen.lines().any(|l| l.contains(&format!(" {chosen} "))),
        "{chosen} is in view: {screen}"
    );
    h.esc();
    h.press("?");
    let top = h.screen();
    for _ in 0..30 {
        h.key(KeyCode::PageDown, KeyModifiers::NONE);
    }
    let bottom = h.screen();
    assert!(bottom.contains("Dialogs: Enter confirm"), "{bottom}");
    assert_ne!(bottom, top);
    h.key(KeyCode::PageUp, KeyModifiers::NONE);
    assert_ne!(h.screen(), bottom, "one PgUp comes back at once");
}

#[test]
fn the_table_at_its_minimum_size_keeps_case_applicant_and_deadline() {
    for lang in [Lang::En, Lang::Zh] {
        let mut h = Harness::new("li.wei", 60, 16, lang);
        h.press("2");
        let screen = h.screen();
        if lang == Lang::En {
            snapshot!("pre_audit_60x16", screen.clone());
        }
        let rows = h.app.list.rows.clone();
        for row in rows.iter().take(5) {
            let line = screen
                .lines()
                .find(|l| l.contains(row.case_no.as_str()))
                .unwrap_or_else(|| panic!("{} whole: {screen}", row.case_no));
            let name = permitdesk::console::view::display_name(
                &row.applicant.name,
                row.applicant.name_native.as_deref(),
            );
            let start: String = name.chars().take(4).collect();
            assert!(line.contains(&start), "{start} in {line}");
            assert!(
                line.trim_end_matches('│')
                    .trim_end()
                    .ends_with(|c: char| !c.is_whitespace()),
                "{line}"
            );
        }
    }
}

#[test]
fn dashboard_at_80x24_keeps_labels_and_counts_readable() {
    let mut h = Harness::new("wang.fang", 80, 24, Lang::En);
    h.press("D");
    let screen = h.screen();
    snapshot!("dashboard_80x24", screen.clone());
    let data = h
        .app
        .dashboard
        .as_ref()
        .and_then(|d| d.figures())
        .expect("figures");
    for person in data.workload.iter().take(3) {
        let line = screen
            .lines()
            .find(|l| l.contains(person.assignee.as_str()))
            .unwrap_or_else(|| panic!("{} whole: {screen}", person.assignee));
        assert!(
            line.contains(&format!("({})", person.overdue)),
            "the overdue count is visible: {line}"
        );
    }
}

/// Sends `keys` in one burst, before the store worker has answered any of them, and returns the
/// store jobs they asked for, still unanswered.
fn burst(h: &mut Harness, keys: &[(KeyCode, KeyModifiers)]) -> Vec<Effect> {
    let mut sent = Vec::new();
    for (code, modifiers) in keys {
        sent.extend(h.app.update(Msg::Key(KeyEvent::new(*code, *modifiers))));
    }
    sent
}

/// Answers `sent` in order as the worker would, checking that the console quits with the last
/// answer and not before, and asks nothing more of the store meanwhile.
fn answer_while_closing(h: &mut Harness, sent: Vec<Effect>) {
    let tickets: Vec<_> = sent
        .into_iter()
        .filter_map(|e| match e {
            Effect::Store(ticket) => Some(ticket),
            _ => None,
        })
        .collect();
    assert!(
        !tickets.is_empty(),
        "the submit asked the store for something"
    );
    let last = tickets.len() - 1;
    for (i, ticket) in tickets.into_iter().enumerate() {
        assert!(!h.app.quit, "quit before answer {i}");
        let reply = h.execute(ticket.job);
        let effects = h.app.update(Msg::Reply {
            generation: ticket.generation,
            reply,
        });
        assert!(
            effects.iter().all(|e| matches!(e, Effect::Quit)),
            "nothing more is asked of the store while closing: {effects:?}"
        );
        assert_eq!(h.app.quit, i == last, "answer {i}");
    }
}

#[test]
fn quitting_right_after_submitting_waits_for_the_store_and_says_what_happened() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.type_text("Passport copy unreadable");
    let sent = burst(
        &mut h,
        &[
            (KeyCode::Char('s'), KeyModifiers::CONTROL),
            (KeyCode::Char('q'), KeyModifiers::NONE),
        ],
    );
    assert!(!h.app.quit, "q while the return is in flight does not quit");
    assert!(h.app.closing);
    // The draft typed since the last tick goes first (it is saved once a second, not per key),
    // then the return, whose commit deletes it.
    assert_eq!(h.app.writes_in_flight(), 2);
    assert!(h.screen().contains("Saving…"), "{}", h.screen());
    // Further keys, Ctrl-c included, do nothing while saving.
    let more = burst(
        &mut h,
        &[
            (KeyCode::Char('c'), KeyModifiers::CONTROL),
            (KeyCode::Char('r'), KeyModifiers::NONE),
            (KeyCode::Char('q'), KeyModifiers::NONE),
        ],
    );
    assert!(more.is_empty() && !h.app.quit && h.app.dialog.is_none());
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::PreAudit);

    answer_while_closing(&mut h, sent);
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::Returned);
    let events = h.store.events(&case_no).expect("events");
    assert_eq!(
        events.last().and_then(|e| e.action.reason()),
        Some("Passport copy unreadable")
    );
    assert_eq!(
        h.store.drafts_of("li.wei").expect("drafts").len(),
        0,
        "the draft went with the return"
    );
    assert_eq!(
        h.app.farewell,
        vec![format!(
            "{case_no}: return recorded (Pre-audit -> Returned)"
        )]
    );
}

#[test]
fn a_submit_refused_while_quitting_is_said_after_the_console_in_its_language() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::Zh);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.type_text("护照复印件不清晰");
    let sent = burst(
        &mut h,
        &[
            (KeyCode::Char('s'), KeyModifiers::CONTROL),
            (KeyCode::Char('q'), KeyModifiers::NONE),
        ],
    );
    assert!(h.screen().contains("正在保存"), "{}", h.screen());
    // Before the worker gets to the return, a supervisor reassigns the case.
    assign(&mut h.store, &case_no, "wang.fang", "chen.yu");
    answer_while_closing(&mut h, sent);
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::PreAudit);
    assert_eq!(h.app.farewell.len(), 1, "{:?}", h.app.farewell);
    let line = &h.app.farewell[0];
    assert!(
        line.starts_with(&format!("{case_no}：退回补正未记录：")),
        "{line}"
    );
    assert!(line.ends_with("您输入的内容已保存为草稿。"), "{line}");
    assert_eq!(
        h.store
            .draft("li.wei", &case_no, ActionKind::Return)
            .expect("draft")
            .as_deref(),
        Some("护照复印件不清晰"),
        "the typed reason is still offered next time"
    );
}

#[test]
fn a_supervisor_allows_a_late_verification_from_the_palette() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::En);
    h.press("7");
    // The first overdue verification nobody has allowed yet (most overdue first).
    let mut target = None;
    for _ in 0..h.app.list.rows.len() {
        if let Some(row) = h.app.list.selected_row() {
            let case = h.store.case(&row.case_no).expect("case");
            let overdue = row
                .deadline
                .as_ref()
                .is_some_and(|d| d.state == permitdesk::domain::DeadlineState::Overdue);
            if overdue && case.late_allowed.is_none() {
                target = Some(row.case_no.clone());
                break;
            }
        }
        h.press("j");
    }
    let case_no = target.expect("an overdue verification");
    h.press(":");
    h.type_text("allow-late");
    h.enter();
    assert!(
        matches!(h.app.dialog, Some(Dialog::Reason { .. })),
        "{}",
        h.screen()
    );
    assert!(
        h.screen()
            .contains(&format!("Allow late verification {case_no}")),
        "{}",
        h.screen()
    );
    h.type_text("The flight was cancelled; the employer explained");
    h.ctrl('s');
    let screen = h.screen();
    let case = h.store.case(&case_no).expect("case");
    let allowed = case.late_allowed.expect("allowed");
    assert_eq!(allowed.by, "wang.fang", "{screen}");
}

#[test]
fn an_action_key_in_a_burst_waits_for_its_case_and_keeps_the_keys_after_it() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    // Move off the claimed case, then back onto it, accept and confirm, all in one burst: the
    // detail of the case is not loaded when `a` arrives.
    let (away, back) = if h.app.list.selected > 0 {
        ('k', 'j')
    } else {
        ('j', 'k')
    };
    h.press(&away.to_string());
    assert_ne!(
        h.app.list.selected_case_no().as_deref(),
        Some(case_no.as_str())
    );
    h.burst(&[KeyCode::Char(back), KeyCode::Char('a'), KeyCode::Enter]);
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::Review);
    assert!(
        h.screen()
            .contains(&format!("{case_no}: Pre-audit -> Review")),
        "{}",
        h.screen()
    );
}

#[test]
fn every_move_then_action_pair_does_the_same_in_one_burst_as_typed_slowly() {
    // An approver's keys, and a clerk's, after each kind of move (a demo store per run: the
    // pairs are what an approver and a clerk type most).
    let pairs: [(&str, &[char], &[char]); 2] = [
        ("li.wei", &['j', 'k', 'G'], &['a', 'r', 'x', 'c', 'n', 'A']),
        ("liu.yang", &['j', 'k'], &['e', 'v', 'c']),
    ];
    for (user, moves, actions) in pairs {
        for &mv in moves {
            for &action in actions {
                let slow = {
                    let mut h = Harness::with_cases(user, 120, 40, Lang::En, 100);
                    h.press("j");
                    h.press(&mv.to_string());
                    h.press(&action.to_string());
                    h.screen()
                };
                let fast = {
                    let mut h = Harness::with_cases(user, 120, 40, Lang::En, 100);
                    h.press("j");
                    h.burst(&[KeyCode::Char(mv), KeyCode::Char(action)]);
                    h.screen()
                };
                assert_eq!(fast, slow, "{user}: {mv} then {action} in one burst");
            }
        }
    }
}

/// The dashboard asks for its sections as separate store jobs and draws each as it arrives:
/// nothing waits for the slowest, and keys work meanwhile. Answered in reverse order (a server
/// may answer them in any), the selected figure stays the one selected.
#[test]
fn the_dashboard_fills_in_section_by_section() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::En);
    let sent = burst(&mut h, &[(KeyCode::Char('D'), KeyModifiers::SHIFT)]);
    let tickets: Vec<_> = sent
        .into_iter()
        .filter_map(|e| match e {
            Effect::Store(ticket) => Some(ticket),
            _ => None,
        })
        .collect();
    assert_eq!(tickets.len(), 4, "one job per section");
    let screen = h.screen();
    assert_eq!(screen.matches("loading…").count(), 5, "{screen}");
    let mut replies: Vec<_> = tickets
        .into_iter()
        .map(|t| (t.generation, h.execute(t.job)))
        .collect();
    // The workload first: its people are listed and can be selected before the headline.
    let (generation, reply) = replies.pop().expect("the last section");
    h.app.update(Msg::Reply { generation, reply });
    let screen = h.screen();
    assert!(screen.contains("Workload: open (overdue)"), "{screen}");
    assert!(screen.contains("li.wei"), "{screen}");
    assert_eq!(screen.matches("loading…").count(), 4, "{screen}");
    h.press("j");
    let chosen = h
        .app
        .dashboard
        .as_ref()
        .and_then(|d| d.selected_entry())
        .expect("a selected figure");
    while let Some((generation, reply)) = replies.pop() {
        h.app.update(Msg::Reply { generation, reply });
        let now = h
            .app
            .dashboard
            .as_ref()
            .and_then(|d| d.selected_entry())
            .expect("a selected figure");
        assert_eq!(now.figure, chosen.figure, "the selection stays put");
    }
    let screen = h.screen();
    assert!(!screen.contains("loading…"), "{screen}");
    assert!(
        h.app.dashboard.as_ref().and_then(|d| d.figures()).is_some(),
        "every section arrived"
    );
    assert!(screen.contains("today "), "the trend: {screen}");
}

#[test]
fn the_cursor_stays_on_the_case_just_claimed_though_it_leaves_the_filter() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::En);
    h.press("2");
    while h.app.list.filter != permitdesk::domain::Filter::Unclaimed {
        h.press("f");
    }
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    assert_eq!(
        h.store.case(&case_no).expect("case").assignee(),
        Some("li.wei")
    );
    // Claimed, the case is no longer unclaimed, but it stays under the cursor and in the detail.
    assert_eq!(h.app.list.selected_case_no(), Some(case_no.clone()));
    assert_eq!(
        h.app.detail.as_ref().map(|d| d.case.case_no.clone()),
        Some(case_no.clone())
    );
    h.press("r");
    match &h.app.dialog {
        Some(Dialog::Reason(r)) => assert_eq!(r.target.case_no, case_no),
        other => panic!("expected the return editor for {case_no}: {other:?}"),
    }
    h.esc();
    // Moving on lets it go: the filter's rows are the truth again.
    h.press("j");
    assert!(
        h.app.list.rows.iter().all(|r| r.case_no != case_no),
        "{:?}",
        h.app
            .list
            .rows
            .iter()
            .map(|r| &r.case_no)
            .collect::<Vec<_>>()
    );
}

#[test]
fn claim_and_four_eyes_are_asked_before_any_dialog_opens() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("r");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert!(
        h.screen()
            .contains(&format!("{case_no}: nobody holds this case")),
        "{}",
        h.screen()
    );

    // A supervisor who recommended a case may not sign it: said before the confirmation.
    let mut s = Harness::new("wang.fang", 160, 48, Lang::En);
    s.press("3");
    let case_no = s.select_first(Stage::Review, true);
    s.press("c");
    s.press("a");
    s.enter();
    assert_eq!(s.store.case(&case_no).expect("case").stage, Stage::Decision);
    s.press("4");
    for _ in 0..s.app.list.rows.len() {
        if s.app.list.selected_case_no().as_ref() == Some(&case_no) {
            break;
        }
        s.press("j");
    }
    assert_eq!(s.app.list.selected_case_no(), Some(case_no.clone()));
    s.press("a");
    assert!(s.app.dialog.is_none(), "{:?}", s.app.dialog);
    let screen = s.screen();
    assert!(screen.contains("four-eyes"), "{screen}");
}

#[test]
fn a_viewer_cannot_mark_and_one_case_is_one_case() {
    let mut v = Harness::new("audit.he", 120, 40, Lang::En);
    v.press("9");
    v.press(" ");
    assert!(v.app.list.marked.is_empty(), "a viewer marked a row");
    assert!(v.screen().contains("read-only: viewer"), "{}", v.screen());

    let mut h = Harness::new("li.wei", 120, 40, Lang::En);
    h.press("9");
    let case_no = h.app.list.rows[0].case_no.clone();
    h.press("/");
    h.type_text(&case_no);
    let screen = h.screen();
    assert!(screen.contains("All queues: 1 case,"), "{screen}");
}

#[test]
fn search_looks_through_every_queue_and_a_case_numbers_last_digits_go_to_it() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("9");
    let closed = h.app.list.rows[2].case_no.clone();
    // From Pre-audit, filtered, a closed case's number finds it, the stage shown on its row.
    h.press("2");
    while h.app.list.filter != Filter::Unclaimed {
        h.press("f");
    }
    h.press("/");
    let digits = closed
        .rsplit('-')
        .next()
        .expect("sequence")
        .trim_start_matches('0')
        .to_string();
    h.type_text(&digits);
    h.enter();
    assert_eq!(h.app.list.selected_case_no(), Some(closed.clone()));
    let screen = h.screen();
    assert!(screen.contains("All queues:"), "{screen}");
    assert!(!screen.contains("[filter"), "{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains(&closed))
        .expect("the case's row");
    let stage = h.store.case(&closed).expect("case").stage;
    assert!(row.contains(Lang::En.stage(stage)), "{row}");
    // Esc gives the tab back, with its filter.
    h.esc();
    assert_eq!(h.app.list.filter, Filter::Unclaimed);
    assert!(h.screen().contains("Pre-audit:"), "{}", h.screen());
}

#[test]
fn filters_belong_to_their_tab_and_an_empty_one_says_what_it_hides() {
    let mut h = Harness::new("li.wei", 120, 40, Lang::En);
    h.press("2");
    while h.app.list.filter != Filter::Unclaimed {
        h.press("f");
    }
    h.press("1");
    assert_eq!(
        h.app.list.filter,
        Filter::All,
        "My cases has its own filter"
    );
    assert!(!h.screen().contains("[filter"), "{}", h.screen());
    h.press("2");
    assert_eq!(
        h.app.list.filter,
        Filter::Unclaimed,
        "Pre-audit kept its own"
    );
    // Claimed one by one, the unclaimed are gone; the empty table says what hides the rest.
    while h
        .app
        .list
        .selected_row()
        .is_some_and(|r| r.assignee.is_none())
    {
        h.press("c");
        h.press("j");
    }
    // The last one claimed stays under the cursor until the user moves on.
    h.press("3");
    h.press("2");
    assert!(h.app.list.rows.is_empty(), "{}", h.screen());
    let screen = h.screen();
    assert!(
        screen.contains("No cases here: the filter unclaimed hides all"),
        "{screen}"
    );
    assert!(screen.contains("in Pre-audit (f changes it)"), "{screen}");
}

#[test]
fn a_confirmation_that_moves_a_case_on_names_its_missing_documents() {
    for (lang, words) in [
        (Lang::En, "Documents MISSING or failed:"),
        (Lang::Zh, "材料缺失或不合格："),
    ] {
        let mut h = Harness::new("li.wei", 160, 48, lang);
        let open_cases = h
            .store
            .page(&QueueQuery {
                queue: Queue::All,
                filter: Filter::All,
                search: None,
                user: "li.wei".into(),
                today: today(),
                sort: Default::default(),
                after: None,
                limit: 5_000,
            })
            .expect("every case")
            .rows;
        let case = open_cases
            .iter()
            .filter(|r| matches!(r.stage, Stage::PreAudit | Stage::Review))
            .map(|r| h.store.case(&r.case_no).expect("case"))
            .find(|c| c.documents.iter().any(|d| !d.ok))
            .expect("an open case with a missing document");
        assign(&mut h.store, &case.case_no, "wang.fang", "li.wei");
        h.press("/");
        h.type_text(&case.case_no);
        h.enter();
        assert_eq!(h.app.list.selected_case_no(), Some(case.case_no.clone()));
        h.press("a");
        let screen = h.screen();
        assert!(
            matches!(h.app.dialog, Some(Dialog::Confirm { .. })),
            "{screen}"
        );
        let line = screen
            .lines()
            .find(|l| l.contains(words))
            .unwrap_or_else(|| panic!("no warning for {}:\n{screen}", case.case_no));
        for doc in case.documents.iter().filter(|d| !d.ok) {
            assert!(line.contains(&lang.document(&doc.kind)), "{line}");
        }
    }
}

#[test]
fn at_80_columns_every_tab_shows_overdue_and_no_title_is_cut() {
    for lang in [Lang::En, Lang::Zh] {
        let mut h = Harness::new("li.wei", 80, 24, lang);
        for key in ["1", "2", "3", "4", "5", "6", "7", "8", "9"] {
            h.press(key);
            let screen = h.screen();
            let tabs = screen.lines().nth(1).expect("the tab line").trim_end();
            assert!(
                tabs.contains(&format!("8 {} (", lang.queue(Queue::Overdue))),
                "{key}: {tabs}"
            );
            assert!(
                tabs.ends_with(')') || tabs.ends_with('>'),
                "{key}: a tab title is cut: {tabs}"
            );
            if h.app.status.is_none() {
                // The footer is whole hints, most useful first: never one cut mid-word.
                let footer = screen.lines().last().expect("footer").trim_end();
                let mut shown = String::new();
                let mut whole = vec![String::new()];
                for (key, label) in view::hints(&h.app) {
                    shown.push_str(&format!(" {key} {label} "));
                    whole.push(shown.trim_end().to_string());
                }
                assert!(whole.iter().any(|w| w == footer), "{key}: {footer}");
            }
        }
    }
}

#[test]
fn the_footer_offers_what_the_users_roles_may_do_on_the_case_and_supervisors_have_keys() {
    let footer = |h: &Harness| h.screen().lines().last().unwrap_or("").to_string();
    let mut s = Harness::new("wang.fang", 200, 48, Lang::En);
    s.press("4");
    s.select_first(Stage::Decision, false);
    let line = footer(&s);
    assert!(line.contains("b send back"), "{line}");
    assert!(line.contains("E extend"), "{line}");
    s.press("7");
    s.select_first(Stage::Verification, false);
    let line = footer(&s);
    assert!(line.contains("l lapse"), "{line}");
    assert!(
        !line.contains("verify"),
        "a supervisor does not verify: {line}"
    );
    // `b` opens the send-back editor straight from the key.
    s.press("4");
    s.select_first(Stage::Decision, false);
    s.press("b");
    assert!(
        matches!(s.app.dialog, Some(Dialog::Reason { .. })),
        "{}",
        s.screen()
    );

    let mut clerk = Harness::new("liu.yang", 200, 48, Lang::En);
    clerk.press("7");
    clerk.select_first(Stage::Verification, false);
    let line = footer(&clerk);
    assert!(line.contains("v verify"), "{line}");
    assert!(!line.contains("lapse"), "{line}");
}

#[test]
fn drafts_are_saved_on_the_tick_not_per_key_and_a_discard_deletes_them() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    let store_draft = |h: &Harness| {
        h.store
            .draft("li.wei", &case_no, ActionKind::Return)
            .expect("draft")
    };
    let saves = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Store(t) if matches!(t.job, Job::SaveDraft { .. })))
            .count()
    };
    // Typing asks nothing of the store.
    for c in "Passport copy unreadable".chars() {
        let effects = h.app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
        assert_eq!(saves(&effects), 0, "a key wrote the draft");
        h.run(effects);
    }
    assert_eq!(store_draft(&h), None);
    // The tick saves what was typed, once.
    let effects = h.app.update(Msg::Tick);
    assert_eq!(saves(&effects), 1);
    h.run(effects);
    assert_eq!(store_draft(&h).as_deref(), Some("Passport copy unreadable"));
    let effects = h.app.update(Msg::Tick);
    assert_eq!(saves(&effects), 0, "nothing new to save");
    h.run(effects);
    // Esc, then y: the discarded draft is gone from the store too.
    h.esc();
    h.press("y");
    assert!(h.app.dialog.is_none());
    assert_eq!(store_draft(&h), None);
    assert_eq!(h.app.draft_for(&case_no, TextAction::Return), None);
}

/// Sends `keys`, runs every job they ask for but the action they submit, and returns that
/// action's job, unanswered.
fn submit_and_hold(h: &mut Harness, keys: &[(KeyCode, KeyModifiers)]) -> Ticket {
    let mut held = None;
    let mut rest = Vec::new();
    for effect in burst(h, keys) {
        match effect {
            Effect::Store(ticket) if matches!(ticket.job, Job::Act { .. }) => held = Some(ticket),
            other => rest.push(other),
        }
    }
    h.run(rest);
    held.expect("an action was submitted")
}

#[test]
fn a_reply_applies_to_its_own_action_only() {
    let mut h = Harness::new("li.wei", 120, 40, Lang::En);
    h.press("2");
    let returned = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.type_text("Passport copy unreadable");
    let ctrl_s = (KeyCode::Char('s'), KeyModifiers::CONTROL);
    let held = submit_and_hold(&mut h, &[ctrl_s]);
    // While the return is with the store, another case is claimed and its reply comes first.
    let claimed = h.select_first(Stage::PreAudit, true);
    assert_ne!(claimed, returned);
    h.press("c");
    assert_eq!(
        h.store.case(&claimed).expect("case").assignee(),
        Some("li.wei")
    );
    assert_eq!(
        h.app
            .draft_for(&returned, TextAction::Return)
            .map(String::as_str),
        Some("Passport copy unreadable"),
        "the claim's reply left the return's draft alone"
    );
    // Meanwhile a supervisor reassigns the returned case: the return is refused as a conflict,
    // and its reason is kept, in memory and in the store.
    assign(&mut h.store, &returned, "wang.fang", "chen.yu");
    let reply = h.execute(held.job);
    let effects = h.app.update(Msg::Reply {
        generation: held.generation,
        reply,
    });
    h.run(effects);
    let screen = h.screen();
    assert!(screen.contains("Conflict"), "{screen}");
    assert!(
        screen.contains("Your typed text is kept as a draft."),
        "{screen}"
    );
    assert_eq!(
        h.app
            .draft_for(&returned, TextAction::Return)
            .map(String::as_str),
        Some("Passport copy unreadable")
    );
    assert_eq!(
        h.store
            .draft("li.wei", &returned, ActionKind::Return)
            .expect("draft")
            .as_deref(),
        Some("Passport copy unreadable")
    );
}

#[test]
fn columns_fit_their_queue_and_closed_opens_newest_first_with_its_outcome() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("1");
    let header = h.screen().lines().nth(3).unwrap_or("").to_string();
    assert!(
        !header.contains("Held by"),
        "My cases are all mine: {header}"
    );
    h.press("9");
    let screen = h.screen();
    let header = screen.lines().nth(3).unwrap_or("");
    assert!(header.contains("Outcome"), "{header}");
    assert!(
        !header.contains("Deadline") && !header.contains("Held by"),
        "{header}"
    );
    let numbers: Vec<String> = h.app.list.rows.iter().map(|r| r.case_no.clone()).collect();
    let mut newest_first = numbers.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(numbers, newest_first);
    let first = &h.app.list.rows[0];
    let row = screen
        .lines()
        .find(|l| l.contains(&first.case_no))
        .expect("the first row");
    assert!(row.contains(Lang::En.stage(first.stage)), "{row}");
    // Pre-audit keeps its deadline order and columns.
    h.press("2");
    assert_eq!(h.app.list.sort, permitdesk::store::Sort::default());
    assert!(h.screen().lines().nth(3).unwrap_or("").contains("Deadline"));
}

#[test]
fn the_decision_queue_shows_each_recommendation_and_whose_it_is() {
    let mut h = Harness::new("wang.fang", 80, 24, Lang::En);
    h.press("4");
    let screen = h.screen();
    assert!(screen.contains("Recommended"), "{screen}");
    for row in h.app.list.rows.iter().take(5) {
        let case = h.store.case(&row.case_no).expect("case");
        let rec = case.recommendation.expect("a decision case is recommended");
        let line = screen
            .lines()
            .find(|l| l.contains(&row.case_no))
            .expect("its row");
        let verdict = Lang::En.verdict(rec.verdict);
        assert!(line.contains(&format!("{verdict} {}", rec.by)), "{line}");
    }
}

#[test]
fn a_bulk_preview_names_each_action_and_predicts_four_eyes() {
    let mut s = Harness::new("wang.fang", 160, 48, Lang::En);
    s.press("3");
    let mine = s.select_first(Stage::Review, true);
    s.press("c");
    s.press("a");
    s.enter();
    assert_eq!(s.store.case(&mine).expect("case").stage, Stage::Decision);
    s.press("4");
    for _ in 0..s.app.list.rows.len() {
        if s.app.list.selected_case_no().as_ref() == Some(&mine) {
            break;
        }
        s.press("j");
    }
    s.press(" ");
    let other = s.app.list.selected_case_no().expect("another case");
    s.press(" ");
    s.press("a");
    let screen = s.screen();
    assert!(
        matches!(s.app.dialog, Some(Dialog::Bulk { .. })),
        "{screen}"
    );
    assert!(
        screen.contains("1 will go ahead, 1 will be refused"),
        "{screen}"
    );
    let refused = screen
        .lines()
        .position(|l| l.contains("✗ sign (1)") && l.contains("four-eyes"))
        .unwrap_or_else(|| panic!("no four-eyes line: {screen}"));
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[refused + 1].contains(&mine), "{screen}");
    assert!(
        screen.contains("sign (1)") && screen.contains(&other),
        "{screen}"
    );
}

#[test]
fn the_palette_says_what_commands_do_and_finds_a_case_by_its_number() {
    let mut h = Harness::new("li.wei", 120, 40, Lang::En);
    h.press(":");
    h.type_text("filter");
    let screen = h.screen();
    assert!(screen.contains("filter"), "{screen}");
    assert!(
        !screen.contains("cycle_filter"),
        "internal names stay inside: {screen}"
    );
    h.esc();
    h.press("9");
    let case_no = h.app.list.rows[3].case_no.clone();
    let digits = case_no
        .rsplit('-')
        .next()
        .expect("sequence")
        .trim_start_matches('0')
        .to_string();
    h.press(":");
    h.type_text(&digits);
    assert!(
        h.screen().contains(&format!("Enter: find case {digits}")),
        "{}",
        h.screen()
    );
    h.enter();
    assert!(h.app.dialog.is_none());
    assert_eq!(h.app.list.selected_case_no(), Some(case_no));
}

// Review sessions (`R`): tests/console_review/mod.rs, in both twins.
mod console_review;

// Queue columns and orders: tests/console_queues/mod.rs, in both twins.
mod console_queues;

// The dashboard's lists of cases acting as queues: tests/console_dashboard/mod.rs, in both twins.
mod console_dashboard;
