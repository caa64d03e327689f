//! National Day 2026: holiday 10-01..07 (and Mid-Autumn 09-25..27), make-up workdays Sun 09-20
//! and Sat 10-10.

use super::*;

/// National Day 2026, figures on Mon 2026-10-12.
fn national_day() -> World {
    let mut w = World::new();
    // N1 (B, 0): Fri 09-18, never claimed: due 20(Sun, make-up),21,22,23,24 -> Thu 09-24.
    w.submit("ND-01", Kind::DomesticNew, Category::B, 0, "2026-09-18");
    // N2 (C, 0): Wed 09-30: due 10-08, 09, 10(Sat), 12, 13 -> Tue 10-13: due soon on 10-12.
    w.submit("ND-02", Kind::DomesticNew, Category::C, 0, "2026-09-30");
    w.act("ND-02", "chen.yu", "2026-10-08", Action::Claim);
    // N3 (A, 1): Fri 09-18 (pre-audit due 09-24), accepted Mon 09-21 (met). Decision 5 working
    // days: 22, 23, 24, [25-27 Mid-Autumn], 28, 29 -> Tue 09-29; recommended 09-29; extended by
    // 3 on 10-08: 30, [10-01..07], 10-08, 10-09 -> Fri 10-09. Overdue 09-30..10-07, not on
    // 10-08 and 10-09, again from 10-10.
    w.submit("ND-03", Kind::DomesticNew, Category::A, 1, "2026-09-18");
    w.claim_approve("ND-03", "li.wei", "2026-09-21")
        .claim_approve("ND-03", "li.wei", "2026-09-29")
        .act(
            "ND-03",
            "wang.fang",
            "2026-10-08",
            Action::Extend {
                days: 3,
                reason: reason("holiday backlog"),
            },
        );
    // N4 (C, 2): entered Tue 09-01 -> window due Thu 10-01 (a holiday: calendar days); lapsed
    // Sat 10-10, reopened Sun 10-11: overdue again.
    // N5 (B, 2): entered 09-10 -> due Sat 10-10, verified that day (met).
    // N6 (C, 2): entered 09-05 -> due Mon 10-05, verified Thu 10-08 (late, allowed).
    for (no, category, entry) in [
        ("ND-04", Category::C, "2026-09-01"),
        ("ND-05", Category::B, "2026-09-10"),
        ("ND-06", Category::C, "2026-09-05"),
    ] {
        w.notified(no, category, 2);
        w.act(
            no,
            "liu.yang",
            entry,
            Action::RecordEntry { date: day(entry) },
        );
    }
    w.act(
        "ND-04",
        "wang.fang",
        "2026-10-10",
        Action::Lapse {
            reason: reason("not verified"),
        },
    )
    .act(
        "ND-04",
        "wang.fang",
        "2026-10-11",
        Action::Reopen {
            reason: reason("came in"),
        },
    );
    w.verified("ND-05", "2026-10-10");
    // Late: a supervisor allows it first (issue 15, defect 4).
    w.act(
        "ND-06",
        "wang.fang",
        "2026-10-08",
        Action::AllowLate {
            reason: reason("holiday travel"),
        },
    );
    w.verified("ND-06", "2026-10-08");
    // N7 (C, 1): Mon 09-14: due 15, 16, 17, 18, 20(Sun) -> Sun 09-20; withdrawn 09-28: missed.
    w.submit("ND-07", Kind::DomesticNew, Category::C, 1, "2026-09-14");
    w.act(
        "ND-07",
        "li.wei",
        "2026-09-28",
        Action::Withdraw {
            reason: reason("employer"),
        },
    );
    // N8 (A, 1): Fri 10-09, unclaimed: Sat 10-10 (make-up) and Mon 10-12 have passed: stale.
    // N9 (A, 1): Sat 10-10, unclaimed: only Mon 10-12 has passed.
    w.submit("ND-08", Kind::DomesticNew, Category::A, 1, "2026-10-09");
    w.submit("ND-09", Kind::DomesticNew, Category::A, 1, "2026-10-10");
    w
}

#[test]
fn national_day_figures() {
    let w = national_day();
    let today = day("2026-10-12");
    // Overdue: N1 pre-audit 18 days (09-24), N3 decision 3 (10-09), N4 verification 11 (10-01).
    let r = w.store.overdue_report(today).expect("overdue");
    assert_eq!(r.total.total, 3);
    let bands: Vec<i64> = r.by_bucket.iter().map(|b| b.counts.total).collect();
    assert_eq!(bands, vec![1, 1, 1, 0]);
    assert_eq!(r.by_bucket[0].counts.decision, 1);
    assert_eq!(r.by_bucket[1].counts.verification, 1);
    assert_eq!(r.by_bucket[2].counts.pre_audit, 1);
    let order: Vec<(&str, i64)> = r
        .by_employer
        .iter()
        .map(|e| (e.employer_uscc.as_str(), e.max_days_overdue))
        .collect();
    assert_eq!(
        order,
        vec![
            (EMPLOYERS[0].1, 18),
            (EMPLOYERS[2].1, 11),
            (EMPLOYERS[1].1, 3)
        ]
    );
    let d = w.store.dashboard(today).expect("dashboard");
    assert_eq!(
        (d.overdue, d.overdue_verifications, d.decisions_to_sign),
        (3, 1, 1)
    );
    assert_eq!(d.due_soon, 1, "N2");
    assert_eq!(w.store.unclaimed_cutoff(today), day("2026-10-09"));
    assert_eq!(
        w.cases(Figure::UnclaimedStale, "2026-10-12"),
        ["ND-01", "ND-08"]
    );
    let wl = w.store.workload(today).expect("workload");
    assert_eq!((wl.unclaimed, wl.unclaimed_stale), (3, 2));
    let chen = wl
        .rows
        .iter()
        .find(|r| r.assignee == "chen.yu")
        .expect("chen.yu");
    assert_eq!((chen.open, chen.overdue), (1, 0));

    let trend = w.store.overdue_trend(today, 30).expect("trend");
    let at = |d: &str| {
        trend
            .points
            .iter()
            .find(|p| p.day == day(d))
            .expect("day")
            .overdue
    };
    assert_eq!(at("2026-09-20"), 0, "N7 is due that (make-up) Sunday");
    assert_eq!(at("2026-09-24"), 1, "N7");
    assert_eq!(at("2026-09-25"), 2, "N7, N1");
    assert_eq!(at("2026-09-28"), 1, "N7 withdrawn: N1");
    assert_eq!(at("2026-09-30"), 2, "N1, N3 before its extension");
    assert_eq!(at("2026-10-02"), 3, "+ N4 (window due 10-01)");
    assert_eq!(at("2026-10-06"), 4, "+ N6 (window due 10-05)");
    assert_eq!(
        at("2026-10-08"),
        2,
        "N3 extended to 10-09, N6 verified: N1, N4"
    );
    assert_eq!(at("2026-10-10"), 2, "N3 overdue again, N4 lapsed");
    assert_eq!(at("2026-10-11"), 3, "N4 reopened");
    assert_eq!(at("2026-10-12"), 3);
    assert_eq!(
        w.cases(Figure::OverdueOn(day("2026-10-06")), "2026-10-12"),
        ["ND-01", "ND-04", "ND-03", "ND-06"]
    );
}

#[test]
fn national_day_sla() {
    let w = national_day();
    let r = w
        .store
        .sla(day("2026-09-14"), day("2026-10-31"), day("2026-10-12"))
        .expect("sla");
    assert_eq!(
        r.as_of,
        day("2026-10-12"),
        "running deadlines are judged as of today"
    );
    let row = |timer: TimerKind, category: Option<Category>| {
        let r = r
            .rows
            .iter()
            .find(|r| r.timer == timer && r.category == category)
            .expect("row");
        (
            r.met,
            r.ended_late,
            r.running_overdue,
            r.missed,
            r.counted,
            r.withdrawn,
        )
    };
    use Category::{A, B, C};
    use TimerKind::{Decision, PreAudit, Verification};
    // Pre-audit: N3 accepted in time (A); N1 overdue (B); N7 withdrawn after its due day (C).
    assert_eq!(row(PreAudit, Some(A)), (1, 0, 0, 0, 1, 0));
    assert_eq!(row(PreAudit, Some(B)), (0, 0, 1, 1, 1, 0));
    assert_eq!(row(PreAudit, Some(C)), (0, 1, 0, 1, 1, 0));
    // Decision: N3 overdue after its extension (A). N4-N6 were signed in August.
    assert_eq!(row(Decision, Some(A)), (0, 0, 1, 1, 1, 0));
    assert_eq!(row(Decision, None), (0, 0, 1, 1, 1, 0));
    // Verification: N5 met on the make-up Saturday (B); N6 late, N4 overdue again after its
    // reopening, its lapse no longer counting (C).
    assert_eq!(row(Verification, Some(B)), (1, 0, 0, 0, 1, 0));
    assert_eq!(row(Verification, Some(C)), (0, 1, 1, 2, 2, 0));
    assert_eq!(row(Verification, None), (1, 1, 1, 2, 3, 0));
    // A period that ended before the lapse was undone still sees N4 as overdue-running at its end.
    let early = w
        .store
        .sla(day("2026-09-14"), day("2026-10-05"), day("2026-10-12"))
        .expect("sla");
    let ver_c = early
        .rows
        .iter()
        .find(|r| r.timer == Verification && r.category == Some(C))
        .expect("row");
    assert_eq!(
        (ver_c.met, ver_c.ended_late, ver_c.running_overdue),
        (0, 0, 1),
        "N4 on 10-05"
    );
    assert!(
        w.store
            .sla(day("2026-10-12"), day("2026-10-01"), day("2026-10-12"))
            .is_err()
    );
}
