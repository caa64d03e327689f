// Review sessions (`R`), through the same harness as the rest of tests/console.rs, so the served
// twin runs them through a server too. What the store did is read back from the store itself.

use super::*;
use permitdesk::domain::review::ReviewSummary;

/// Enough cases for a session to walk through several unclaimed ones in Pre-audit.
const CASES: u64 = 2000;

/// The cases of Pre-audit in urgency order as (case, holder): what the session's choice is
/// checked against.
fn pre_audit(store: &Store, user: &str) -> Vec<(String, Option<String>)> {
    let query = QueueQuery {
        queue: Queue::PreAudit,
        filter: Filter::All,
        search: None,
        user: user.into(),
        today: today(),
        sort: Default::default(),
        after: None,
        limit: 1000,
    };
    store
        .page(&query)
        .expect("pre-audit")
        .rows
        .into_iter()
        .map(|r| (r.case_no, r.assignee))
        .collect()
}

fn on_screen(h: &Harness) -> String {
    h.app
        .review
        .as_ref()
        .and_then(|r| r.current.as_ref())
        .map(|t| t.case_no.clone())
        .expect("a case on screen")
}

/// The events of `case_no` as (actor, action name).
fn events(store: &Store, case_no: &str) -> Vec<(String, String)> {
    store
        .events(case_no)
        .expect("events")
        .into_iter()
        .map(|e| (e.actor, e.action.name().to_string()))
        .collect()
}

fn holder(store: &Store, case_no: &str) -> Option<String> {
    store
        .case(case_no)
        .expect("case")
        .assignee()
        .map(str::to_string)
}

/// The summary dialog's text.
fn summary_text(h: &Harness) -> String {
    match &h.app.dialog {
        Some(Dialog::Message(m)) => format!("{}\n{}", m.title, m.lines.join("\n")),
        other => panic!("no summary dialog: {other:?}"),
    }
}

#[test]
fn r_takes_the_most_urgent_case_the_user_may_act_on_and_claims_it() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let queue = pre_audit(&h.store, "li.wei");
    // The first in urgency order that nobody else holds.
    let (expected, held_before) = queue
        .iter()
        .find(|(_, holder)| holder.as_deref().is_none_or(|h| h == "li.wei"))
        .cloned()
        .expect("a case to take");
    let someone_elses = queue.iter().take_while(|(no, _)| *no != expected).count();
    h.press("R");
    assert_eq!(
        on_screen(&h),
        expected,
        "{someone_elses} held by others first"
    );
    assert_eq!(holder(&h.store, &expected).as_deref(), Some("li.wei"));
    let claims = events(&h.store, &expected)
        .into_iter()
        .filter(|(actor, action)| actor == "li.wei" && action == "claim")
        .count();
    assert_eq!(claims, 1, "claimed once (held before: {held_before:?})");
    let screen = h.screen();
    assert!(screen.contains("Review session"), "{screen}");
    assert!(screen.contains(&expected), "{screen}");
    assert!(screen.contains("s skip"), "{screen}");
    snapshot!("review_80x24", screen);
}

#[test]
fn a_key_acts_through_the_usual_dialog_and_the_next_case_comes() {
    let mut h = Harness::with_cases("li.wei", 160, 48, Lang::En, CASES);
    h.press("2");
    h.press("R");
    let first = on_screen(&h);
    h.press("a");
    assert!(
        matches!(h.app.dialog, Some(Dialog::Confirm { .. })),
        "the accept confirmation opens"
    );
    h.enter();
    assert_eq!(h.store.case(&first).expect("case").stage, Stage::Review);
    let second = on_screen(&h);
    assert_ne!(second, first, "the next case comes");
    assert_eq!(holder(&h.store, &second).as_deref(), Some("li.wei"));
    assert!(
        h.screen().contains("1 handled  0 skipped"),
        "{}",
        h.screen()
    );
    // A return, through the reason editor.
    h.press("r");
    h.type_text("1. Passport copy unreadable");
    h.ctrl('s');
    assert_eq!(h.store.case(&second).expect("case").stage, Stage::Returned);
    assert_ne!(on_screen(&h), second);
    assert!(h.store.check(today(), None).expect("check").ok());
}

#[test]
fn s_releases_the_case_and_moves_on() {
    let mut h = Harness::with_cases("li.wei", 80, 24, Lang::En, CASES);
    h.press("2");
    h.press("f"); // unclaimed: every case the session takes, it claims
    h.press("R");
    let first = on_screen(&h);
    assert_eq!(holder(&h.store, &first).as_deref(), Some("li.wei"));
    h.press("s");
    let second = on_screen(&h);
    assert_ne!(second, first);
    assert_eq!(holder(&h.store, &first), None, "the skip released it");
    let history = events(&h.store, &first);
    assert_eq!(
        history.last(),
        Some(&("li.wei".to_string(), "release".to_string())),
        "{history:?}"
    );
    assert!(
        h.screen().contains("0 handled  1 skipped"),
        "{}",
        h.screen()
    );
    // The skipped case does not come back in this session.
    h.press("s");
    assert!(![first.as_str(), second.as_str()].contains(&on_screen(&h).as_str()));
}

#[test]
fn q_shows_the_summary_and_the_store_keeps_it() {
    let mut h = Harness::with_cases("li.wei", 120, 40, Lang::En, CASES);
    h.press("2");
    h.press("f");
    h.press("R");
    let accepted = on_screen(&h);
    h.press("a");
    h.enter();
    let skipped = on_screen(&h);
    h.press("s");
    let not_accepted = on_screen(&h);
    h.press("x");
    h.type_text("The employer is not registered");
    h.ctrl('s');
    let left = on_screen(&h);
    h.press("q");
    assert!(h.app.review.is_none(), "the session ended");
    let text = summary_text(&h);
    assert!(text.contains("Review session ended"), "{text}");
    // Only `s` is a skip: the case on screen at `q` was not skipped, the session ended on it
    // (this said "2 skipped", the case left on screen among them, until issue 14).
    assert!(text.contains("2 cases handled, 1 skipped"), "{text}");
    assert!(text.contains("\n  accept "), "{text}");
    assert!(text.contains("\n  not accept "), "{text}");
    assert!(text.contains("median time per case: "), "{text}");
    assert!(
        text.contains(&format!("skipped: {skipped}\n")),
        "the skip alone: {text}"
    );
    assert!(!text.contains(&left), "the case left on screen: {text}");
    // The case on screen at `q` was not acted on: its claim went back.
    assert_eq!(holder(&h.store, &left), None);
    assert_eq!(h.store.case(&accepted).expect("case").stage, Stage::Review);
    assert_eq!(
        h.store.case(&not_accepted).expect("case").stage,
        Stage::NotAccepted
    );
    // Kept: the store's summary says the same, and the workload figures count it.
    let sessions = h.store.review_workload(today(), today()).expect("workload");
    let mine = sessions
        .iter()
        .find(|r| r.user == "li.wei")
        .expect("li.wei's sessions");
    assert_eq!((mine.sessions, mine.handled, mine.skipped), (1, 2, 1));
    assert!(mine.median_seconds.is_some());
    assert!(h.store.check(today(), None).expect("check").ok());
    // The summary closes with Enter and the table is back.
    h.enter();
    assert!(h.app.dialog.is_none());
    assert!(h.screen().contains("Pre-audit"));
}

#[test]
fn a_summary_counts_per_action_in_the_stages_words() {
    let summary = ReviewSummary {
        session: 7,
        user: "li.wei".into(),
        steps: vec![
            step("GZ2026-000001", Stage::PreAudit, Some("approve"), 61_000),
            step("GZ2026-000002", Stage::Review, Some("refuse"), 5_000),
            step("GZ2026-000003", Stage::Review, None, 1_000),
        ],
    };
    let lines = permitdesk::console::app::review::summary_lines(&summary, Lang::En);
    assert_eq!(lines[0], "2 cases handled, 1 skipped");
    assert!(
        lines.iter().any(|l| l.starts_with("  accept ")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("  recommend refusal ")),
        "{lines:?}"
    );
    // (5 + 61) / 2 seconds; the skipped case's second is not a handled case's.
    assert!(
        lines.contains(&"median time per case: 33s".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"skipped: GZ2026-000003".to_string()));
    let zh = permitdesk::console::app::review::summary_lines(&summary, Lang::Zh);
    assert!(zh.iter().any(|l| l.contains("受理")), "{zh:?}");
    assert!(zh.iter().any(|l| l.contains("33秒")), "{zh:?}");
}

fn step(
    case_no: &str,
    stage: Stage,
    outcome: Option<&str>,
    millis: i64,
) -> permitdesk::domain::review::ReviewStep {
    permitdesk::domain::review::ReviewStep {
        case_no: case_no.into(),
        stage,
        outcome: outcome.map(|name| name.parse().expect("an action's name")),
        skipped: outcome.is_none(),
        millis,
    }
}

#[test]
fn a_viewer_a_clerk_and_a_queue_without_claims_are_told_in_words() {
    let mut viewer = Harness::new("audit.he", 80, 24, Lang::En);
    viewer.press("2");
    viewer.press("R");
    assert!(viewer.app.review.is_none());
    assert!(viewer.screen().contains("read-only"), "{}", viewer.screen());

    let mut clerk = Harness::new("liu.yang", 80, 24, Lang::En);
    clerk.press("2");
    clerk.press("R");
    assert!(clerk.app.review.is_none());
    assert!(
        clerk
            .screen()
            .contains("needs the approver or supervisor role"),
        "{}",
        clerk.screen()
    );

    let mut approver = Harness::new("li.wei", 120, 40, Lang::En);
    approver.press("4");
    approver.press("R");
    assert!(approver.app.review.is_none());
    // Whole at 120 columns; cut with `…` where it cannot be.
    assert!(
        approver.screen().contains(
            "start it in Pre-audit, Review, My cases or Overdue, where cases are claimed"
        ),
        "{}",
        approver.screen()
    );
    approver.app.update(Msg::Resize(80, 24));
    approver.width = 80;
    approver.height = 24;
    let footer = approver
        .screen()
        .lines()
        .nth(23)
        .unwrap_or_default()
        .to_string();
    assert!(
        footer.starts_with(" A review session claims its cases") && footer.ends_with('…'),
        "{footer}"
    );
}

#[test]
fn nothing_to_take_is_said_and_no_session_is_kept() {
    let mut h = Harness::new("li.wei", 120, 40, Lang::Zh);
    h.press("2");
    // Everything in Pre-audit held by someone else.
    for (case_no, holder) in pre_audit(&h.store, "li.wei") {
        if holder.as_deref().is_none_or(|h| h == "li.wei") {
            assign(&mut h.store, &case_no, "wang.fang", "chen.yu");
        }
    }
    h.press("R");
    assert!(h.app.review.is_none());
    let screen = h.screen();
    assert!(screen.contains("没有可领取的案件"), "{screen}");
    assert!(
        h.store
            .review_workload(today(), today())
            .expect("workload")
            .is_empty(),
        "an empty session is not kept"
    );
}

#[test]
fn two_sessions_on_one_queue_never_get_the_same_case() {
    let mut h = Harness::with_cases("li.wei", 80, 24, Lang::En, CASES);
    // chen.yu's console on the same store file.
    let mut other = Second::open(&h, "chen.yu");
    h.press("2");
    other.press(&mut h, "2");
    h.press("R");
    other.press(&mut h, "R");
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..6 {
        let mine = on_screen(&h);
        let theirs = other.on_screen();
        assert_ne!(mine, theirs, "round {round}: both were given {mine}");
        assert_eq!(holder(&h.store, &mine).as_deref(), Some("li.wei"));
        assert_eq!(holder(&h.store, &theirs).as_deref(), Some("chen.yu"));
        seen.insert(mine);
        seen.insert(theirs);
        // One skips (the case goes back), the other acts; the next round is taken fresh.
        if round % 2 == 0 {
            h.press("s");
            other.press(&mut h, "a");
            other.enter(&mut h);
        } else {
            h.press("a");
            h.enter();
            other.press(&mut h, "s");
        }
    }
    assert!(seen.len() >= 8, "{seen:?}");
    assert!(h.store.check(today(), None).expect("check").ok());
}

/// A second console on the harness's store, as another user: its jobs run straight on the store
/// file (the harness's own may go through a server), as another person's console would.
struct Second {
    app: App,
}

impl Second {
    fn open(h: &Harness, user: &str) -> Second {
        let actor = h.store.actor(user).expect("actor");
        let setup = Setup {
            user: user.into(),
            roles: actor.roles,
            today: today(),
            policy: h.store.policy().clone(),
            store_label: "demo.db".into(),
            store_read_only: false,
            lang: Lang::En,
            keymap: Keymap::default(),
            ascii: false,
            color: false,
            alert: Default::default(),
            theme: Default::default(),
        };
        let (app, effects) = App::new(setup);
        let mut second = Second { app };
        second.run(
            &mut Store::open(h.store.path(), Calendar::embedded()).expect("store"),
            effects,
        );
        second
    }

    fn run(&mut self, store: &mut Store, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if let Effect::Store(ticket) = effect {
                let reply = execute(store, ticket.job);
                queue.extend(self.app.update(Msg::Reply {
                    generation: ticket.generation,
                    reply,
                }));
            }
        }
    }

    fn key(&mut self, h: &mut Harness, code: KeyCode, modifiers: KeyModifiers) {
        let effects = self.app.update(Msg::Key(KeyEvent::new(code, modifiers)));
        let mut store = Store::open(h.store.path(), Calendar::embedded()).expect("store");
        self.run(&mut store, effects);
    }

    fn press(&mut self, h: &mut Harness, keys: &str) {
        for c in keys.chars() {
            let modifiers = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.key(h, KeyCode::Char(c), modifiers);
        }
    }

    fn enter(&mut self, h: &mut Harness) {
        self.key(h, KeyCode::Enter, KeyModifiers::NONE);
    }

    fn on_screen(&self) -> String {
        self.app
            .review
            .as_ref()
            .and_then(|r| r.current.as_ref())
            .map(|t| t.case_no.clone())
            .expect("a case on screen")
    }
}

#[test]
fn keys_typed_before_the_next_case_arrives_act_on_the_next_case() {
    let mut h = Harness::with_cases("li.wei", 80, 24, Lang::En, CASES);
    h.press("2");
    h.press("f");
    h.press("R");
    let first = on_screen(&h);
    // a, Enter, s in one burst: the skip waits for the next case and lands on it, not on the
    // case just accepted.
    h.burst(&[KeyCode::Char('a'), KeyCode::Enter, KeyCode::Char('s')]);
    assert_eq!(h.store.case(&first).expect("case").stage, Stage::Review);
    let summary = {
        h.press("q");
        summary_text(&h)
    };
    // The skip landed on the second case; the third was on screen at `q`, not skipped.
    assert!(summary.contains("1 case handled, 1 skipped"), "{summary}");
    let history = events(&h.store, &first);
    assert!(
        !history.iter().any(|(_, a)| a == "release"),
        "the accepted case was not released: {history:?}"
    );
}

#[test]
fn the_session_in_chinese_at_80x24_and_ctrl_c_ends_it() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::Zh);
    h.press("2");
    h.press("f");
    h.press("R");
    let case_no = on_screen(&h);
    let screen = h.screen();
    assert!(screen.contains("连续审核"), "{screen}");
    snapshot!("review_zh_80x24", screen);
    // The accept confirmation over the Chinese detail keeps its whole left border.
    h.press("a");
    let dialog = h.screen();
    let rows: Vec<&str> = dialog
        .lines()
        .skip_while(|l| !l.contains("受理 GZ"))
        .take_while(|l| !l.contains('└'))
        .collect();
    assert!(rows.len() > 2, "{dialog}");
    let corner = rows[0].find("┌ 受理").expect("the corner");
    let column = unicode_width::UnicodeWidthStr::width(&rows[0][..corner]);
    for row in &rows[1..] {
        assert_eq!(char_at_column(row, column), Some('│'), "{dialog}");
    }
    h.esc();
    h.ctrl('c');
    assert!(h.app.quit, "the console closes once the session has ended");
    assert_eq!(holder(&h.store, &case_no), None, "the claim went back");
    assert!(
        h.app.farewell.iter().any(|l| l.contains("连续审核已结束")),
        "{:?}",
        h.app.farewell
    );
}

/// The character drawn at terminal column `column` of `row` (wide characters take two).
fn char_at_column(row: &str, column: usize) -> Option<char> {
    let mut at = 0;
    for c in row.chars() {
        if at == column {
            return Some(c);
        }
        at += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if at > column {
            return None;
        }
    }
    None
}

/// An admin disables the user in the middle of a session (`permitdesk user disable`, behind the
/// console's back). At the next refresh the console learns it from the store: the session ends
/// with its summary (the store ended it with the disable and released its claim), and every
/// action is refused at its key for the account, never "nobody holds this case", in both
/// languages. Through a server the server closes a disabled user's console instead
/// (tests/e2e_ssh.rs); the store's part is tests/review_sessions.rs's.
#[test]
fn a_user_disabled_mid_session_is_told_and_the_session_ends_with_its_summary() {
    if served::enabled() {
        return;
    }
    for (lang, disabled, ended, summary_words) in [
        (
            Lang::En,
            "Your account is disabled",
            "Review session ended",
            "1 case handled, 0 skipped",
        ),
        (
            Lang::Zh,
            "您的账户已停用",
            "连续审核已结束",
            "已办 1 件，跳过 0 件",
        ),
    ] {
        let mut h = Harness::with_cases("li.wei", 120, 40, lang, CASES);
        h.press("2");
        h.press("f");
        h.press("R");
        let first = on_screen(&h);
        h.press("a");
        h.enter();
        assert_eq!(h.store.case(&first).expect("case").stage, Stage::Review);
        let case_no = on_screen(&h);
        let released = h
            .store
            .disable_user("admin", "li.wei", Some(today()))
            .expect("disable");
        assert!(released.contains(&case_no), "{released:?}");
        // The next refresh (the console polls the store's data version).
        let effects = h.app.update(Msg::Reply {
            generation: 0,
            reply: Reply::Changed(i64::MAX),
        });
        h.run(effects);
        assert!(h.app.review.is_none(), "{lang:?}: the session ended");
        let text = summary_text(&h);
        assert!(text.contains(ended), "{text}");
        assert!(text.contains(summary_words), "{text}");
        assert!(!text.contains(&case_no), "not a skip: {text}");
        let screen = h.screen();
        assert!(screen.contains(disabled), "{screen}");
        assert_eq!(holder(&h.store, &case_no), None, "the store released it");

        // Any action: refused at the key for the account, with no dialog.
        h.enter();
        assert!(h.app.dialog.is_none());
        for key in ["a", "r", "c", "R"] {
            h.press(key);
            assert!(h.app.dialog.is_none(), "{lang:?} {key}: {:?}", h.app.dialog);
            assert!(h.app.review.is_none(), "{lang:?} {key}");
            let screen = h.screen();
            assert!(screen.contains(disabled), "{key}: {screen}");
            assert!(
                !screen.contains("claim it first") && !screen.contains("请先认领"),
                "{key}: {screen}"
            );
        }
        let work = h.store.review_workload(today(), today()).expect("workload");
        assert_eq!(
            work.iter()
                .map(|r| (r.user.as_str(), r.sessions, r.handled, r.skipped))
                .collect::<Vec<_>>(),
            [("li.wei", 1, 1, 0)]
        );
        assert!(h.store.check(today(), None).expect("check").ok());
    }
}

/// The same disable found by an action rather than a refresh: the store refuses the action for
/// the account, in the console's language, and the session ends with its summary.
#[test]
fn an_action_refused_for_a_disabled_account_ends_the_session() {
    if served::enabled() {
        return;
    }
    let mut h = Harness::with_cases("li.wei", 120, 40, Lang::Zh, CASES);
    h.press("2");
    h.press("f");
    h.press("R");
    let case_no = on_screen(&h);
    h.press("r");
    h.type_text("1. Passport copy unreadable");
    h.store
        .disable_user("admin", "li.wei", Some(today()))
        .expect("disable");
    h.ctrl('s');
    assert!(h.app.review.is_none(), "the session ended");
    assert!(summary_text(&h).contains("连续审核已结束"));
    assert!(h.screen().contains("您的账户已停用"), "{}", h.screen());
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::PreAudit);
    assert_eq!(holder(&h.store, &case_no), None);
}
