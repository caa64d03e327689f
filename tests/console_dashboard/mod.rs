// The dashboard's lists of cases (`D`, a figure, Enter) act on their cases as a queue does, in
// both twins: claim, assign, mark and approve the selected case without leaving the list; Enter
// shows the case's detail in place; Esc or D go back, each screen as it was left.

use super::*;
use permitdesk::console::app::Focus;

/// The headline figure "Unclaimed > 1 working day", opened: its cases are in Pre-audit or
/// Review and nobody holds them.
fn open_unclaimed(h: &mut Harness) -> Vec<String> {
    h.press("D");
    h.press("jjj");
    h.enter();
    let list = cases(h);
    assert!(list.len() >= 2, "{}", h.screen());
    list
}

fn cases(h: &Harness) -> Vec<String> {
    h.app
        .dashboard
        .as_ref()
        .and_then(|d| d.cases())
        .map(|l| l.rows.iter().map(|r| r.case_no.clone()).collect())
        .expect("a dashboard list is open")
}

fn selected(h: &Harness) -> Option<String> {
    h.app
        .dashboard
        .as_ref()
        .and_then(|d| d.cases())
        .and_then(|l| l.selected_case_no())
}

fn holder(h: &Harness, case_no: &str) -> Option<String> {
    h.store
        .case(case_no)
        .expect("case")
        .assignee()
        .map(str::to_string)
}

#[test]
fn claim_and_approve_act_on_the_selected_case_and_the_list_stays() {
    let mut h = Harness::new("li.wei", 120, 40, Lang::En);
    let listed = open_unclaimed(&mut h);
    h.press("j");
    let case_no = selected(&h).expect("a selected case");
    assert_eq!(case_no, listed[1]);
    let stage = h.store.case(&case_no).expect("case").stage;

    h.press("c");
    assert_eq!(holder(&h, &case_no).as_deref(), Some("li.wei"), "claimed");
    assert!(h.app.dialog.is_none(), "{}", h.screen());
    // Still the list, the cursor on the case just claimed (kept, though it no longer counts).
    assert_eq!(selected(&h).as_deref(), Some(case_no.as_str()));
    assert!(h.screen().contains("claimed"), "{}", h.screen());

    h.press("a");
    assert!(
        matches!(&h.app.dialog, Some(Dialog::Confirm(c)) if c.target.case_no == case_no),
        "the confirmation is for the selected case: {}",
        h.screen()
    );
    h.enter();
    let after = h.store.case(&case_no).expect("case").stage;
    assert_ne!(after, stage, "approved: {}", h.screen());
    assert_eq!(selected(&h).as_deref(), Some(case_no.as_str()));
    assert!(h.app.dashboard.as_ref().is_some_and(|d| d.opened.is_some()));
}

#[test]
fn assign_and_marks_act_on_the_lists_cases() {
    let mut h = Harness::new("wang.fang", 120, 40, Lang::En);
    let listed = open_unclaimed(&mut h);
    let first = listed[0].clone();

    // One case: the picker, then the case is chen.yu's.
    h.press("A");
    assert!(
        matches!(&h.app.dialog, Some(Dialog::Assign(a))
            if a.targets.len() == 1 && a.targets[0].case_no == first),
        "{}",
        h.screen()
    );
    h.enter();
    assert_eq!(holder(&h, &first).as_deref(), Some("chen.yu"));
    assert_eq!(selected(&h).as_deref(), Some(first.as_str()));

    // Two marked: the bulk assignment lists both, each with its holder now and next.
    h.press("  ");
    let marked: Vec<String> = h.app.list.marked.keys().cloned().collect();
    assert_eq!(marked.len(), 2, "{}", h.screen());
    assert!(h.screen().contains("[2 marked]"), "{}", h.screen());
    h.press("A");
    let screen = h.screen();
    assert!(
        matches!(&h.app.dialog, Some(Dialog::Assign(a)) if a.targets.len() == 2),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("{first} ")) && screen.contains("chen.yu -> chen.yu"),
        "{screen}"
    );
    h.press("j");
    h.enter();
    for case_no in &marked {
        assert_eq!(holder(&h, case_no).as_deref(), Some("li.wei"), "{case_no}");
    }
    assert!(
        h.app.list.marked.is_empty(),
        "marks go once the bulk action is done"
    );
}

#[test]
fn enter_shows_the_detail_in_place_and_esc_or_d_go_back_as_left() {
    // Short, so that every case's detail is longer than the panel.
    let mut h = Harness::new("wang.fang", 80, 16, Lang::En);
    let listed = open_unclaimed(&mut h);
    h.press("j");
    let figure = h.app.dashboard.as_ref().map(|d| d.selected);
    h.enter();
    assert_eq!(h.app.focus, Focus::Detail);
    let screen = h.screen();
    assert!(
        screen.contains(&format!("┌ {} ", listed[1])),
        "the case's detail, in the dashboard: {screen}"
    );
    assert!(h.app.dashboard.is_some() && !h.app.is_searching());
    // The focused detail scrolls as in a queue.
    h.press("j");
    assert_eq!(h.app.detail_scroll, 1);

    h.esc();
    assert_eq!(h.app.focus, Focus::List);
    assert_eq!(selected(&h).as_deref(), Some(listed[1].as_str()));
    h.enter();
    h.press("D");
    assert_eq!(h.app.focus, Focus::List, "D goes back from the detail too");
    assert_eq!(selected(&h).as_deref(), Some(listed[1].as_str()));

    h.esc();
    let view = h.app.dashboard.as_ref().expect("the dashboard");
    assert!(view.opened.is_none());
    assert_eq!(Some(view.selected), figure, "the figure stays selected");
    // The list's title follows the language.
    h.enter();
    h.press("L");
    assert!(
        h.screen().contains("┌ 超过1个工作日未认领："),
        "{}",
        h.screen()
    );
    h.esc();
    h.press("D");
    assert!(h.app.dashboard.is_none());
}

#[test]
fn a_viewer_is_told_why_in_a_dashboard_list() {
    let mut h = Harness::new("audit.he", 80, 24, Lang::En);
    open_unclaimed(&mut h);
    h.press(" ");
    assert!(h.app.list.marked.is_empty());
    assert!(h.screen().contains("read-only"), "{}", h.screen());
}
