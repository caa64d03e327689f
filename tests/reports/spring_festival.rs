//! Spring Festival 2026: holiday 02-15..23, make-up workdays Sat 02-14 and Sat 02-28.

use super::*;

/// Spring Festival 2026, figures on Tue 2026-03-03.
fn spring_festival() -> World {
    calendar_is_as_assumed();
    let mut w = World::new();
    // S1 (B, employer 0): Fri 02-06, never claimed. Pre-audit due Fri 02-13 (09,10,11,12,13).
    w.submit("SF-01", Kind::DomesticNew, Category::B, 0, "2026-02-06");
    // S2 (C, 0): Thu 02-12, claimed by li.wei. Due: 13, Sat 14 (make-up), [holiday], 24, 25,
    // 26 -> Thu 02-26 (a day earlier than without the make-up day).
    w.submit("SF-02", Kind::DomesticNew, Category::C, 0, "2026-02-12");
    w.act("SF-02", "li.wei", "2026-02-12", Action::Claim);
    // S3 (B, 0): Mon 02-02, accepted Wed 02-04 (pre-audit due 02-09: met). Decision, 10 working
    // days: 05,06,09,10,11,12,13,14(Sat),24,25 -> due Wed 02-25; recommended 02-26, unsigned.
    w.submit("SF-03", Kind::DomesticNew, Category::B, 0, "2026-02-02");
    w.claim_approve("SF-03", "chen.yu", "2026-02-04")
        .claim_approve("SF-03", "chen.yu", "2026-02-26");
    // S4 (A, 2): Mon 02-09, accepted Tue 02-10 (pre-audit due 10..14(Sat) = 02-14: met).
    // Decision 5 working days from 02-10; returned Thu 02-12 after 2 (11, 12), resubmitted Wed
    // 02-25, 3 left: 26, 27, 28(Sat) -> due Sat 02-28; signed on 02-28: met on the make-up day.
    w.submit("SF-04", Kind::DomesticNew, Category::A, 2, "2026-02-09");
    w.claim_approve("SF-04", "li.wei", "2026-02-10")
        .act("SF-04", "li.wei", "2026-02-11", Action::Claim)
        .act(
            "SF-04",
            "li.wei",
            "2026-02-12",
            Action::Return {
                reason: reason("seal missing"),
            },
        )
        .act("SF-04", "admin", "2026-02-25", Action::Resubmit)
        .act(
            "SF-04",
            "li.wei",
            "2026-02-27",
            Action::Approve { note: None },
        )
        .act(
            "SF-04",
            "wang.fang",
            "2026-02-28",
            Action::Approve { note: None },
        );
    // S5 (B, 2): Fri 02-13, due 14(Sat),24,25,26,27 -> 02-27; returned Tue 02-24 (met).
    // Resubmitted Thu 02-26: a new run, due 27, 28(Sat), 03-02, 03-03, 03-04 -> Wed 03-04, back
    // with li.wei: due soon on 03-03.
    w.submit("SF-05", Kind::DomesticNew, Category::B, 2, "2026-02-13");
    w.act("SF-05", "li.wei", "2026-02-24", Action::Claim)
        .act(
            "SF-05",
            "li.wei",
            "2026-02-24",
            Action::Return {
                reason: reason("photo"),
            },
        )
        .act("SF-05", "admin", "2026-02-26", Action::Resubmit);
    // S6 (C, 2): Tue 02-24 (due 03-02), withdrawn Thu 02-26 before its due day: not counted.
    w.submit("SF-06", Kind::DomesticNew, Category::C, 2, "2026-02-24");
    w.act(
        "SF-06",
        "li.wei",
        "2026-02-26",
        Action::Withdraw {
            reason: reason("employer"),
        },
    );
    // S7 (B, 1): entered Tue 01-20 -> window due Thu 02-19, not verified.
    // S8 (C, 1): entered Mon 01-26 -> window due Wed 02-25, verified that day (met).
    for (no, category, entry) in [
        ("SF-07", Category::B, "2026-01-20"),
        ("SF-08", Category::C, "2026-01-26"),
    ] {
        w.submit(no, Kind::OverseasNew, category, 1, "2026-01-05");
        w.claim_approve(no, "chen.yu", "2026-01-06")
            .claim_approve(no, "chen.yu", "2026-01-07")
            .act(
                no,
                "wang.fang",
                "2026-01-08",
                Action::Approve { note: None },
            )
            .act(
                no,
                "liu.yang",
                entry,
                Action::RecordEntry { date: day(entry) },
            );
    }
    w.verified("SF-08", "2026-02-25");
    // S9 (A, 2): Sat 02-28 (make-up), unclaimed: 03-02 and 03-03 have passed, so it waits more
    // than one working day. S10 (A, 2): Mon 03-02, unclaimed, one working day only.
    w.submit("SF-09", Kind::DomesticNew, Category::A, 2, "2026-02-28");
    w.submit("SF-10", Kind::DomesticNew, Category::A, 2, "2026-03-02");
    w
}

#[test]
fn spring_festival_overdue_buckets_employers_and_dashboard() {
    let w = spring_festival();
    let today = day("2026-03-03");
    // Overdue on 03-03: S1 pre-audit 18 days (02-13), S2 pre-audit 5 (02-26), S3 decision 6
    // (02-25), S7 verification 12 (02-19).
    let r = w.store.overdue_report(today).expect("overdue");
    assert_eq!(
        (
            r.total.pre_audit,
            r.total.decision,
            r.total.verification,
            r.total.total
        ),
        (2, 1, 1, 4)
    );
    let bands: Vec<(Bucket, [i64; 4])> = r
        .by_bucket
        .iter()
        .map(|b| {
            (
                b.bucket,
                [
                    b.counts.pre_audit,
                    b.counts.decision,
                    b.counts.verification,
                    b.counts.total,
                ],
            )
        })
        .collect();
    assert_eq!(
        bands,
        vec![
            (Bucket::Days1To7, [1, 1, 0, 2]),
            (Bucket::Days8To14, [0, 0, 1, 1]),
            (Bucket::Days15To30, [1, 0, 0, 1]),
            (Bucket::Over30, [0, 0, 0, 0]),
        ]
    );
    let employers: Vec<(&str, i64, i64)> = r
        .by_employer
        .iter()
        .map(|e| (e.employer_uscc.as_str(), e.counts.total, e.max_days_overdue))
        .collect();
    assert_eq!(
        employers,
        vec![(EMPLOYERS[0].1, 3, 18), (EMPLOYERS[1].1, 1, 12)]
    );

    let d = w.store.dashboard(today).expect("dashboard");
    assert_eq!(d.overdue, 4);
    assert_eq!(d.overdue_verifications, 1);
    let ver: Vec<i64> = d.verification_buckets.iter().map(|b| b.1).collect();
    assert_eq!(ver, vec![0, 1, 0, 0]);
    assert_eq!(d.verifications_by_employer.len(), 1);
    assert_eq!(d.verifications_by_employer[0].employer_uscc, EMPLOYERS[1].1);
    assert_eq!(d.decisions_to_sign, 1);
    assert_eq!(
        d.due_soon, 1,
        "S5, due 03-04, within 2 working days of 03-03"
    );
    assert_eq!(
        d.unclaimed_stale, 2,
        "S1 and S9 (submitted on the make-up Saturday)"
    );
    let li = d
        .workload
        .iter()
        .find(|r| r.assignee == "li.wei")
        .expect("li.wei");
    assert_eq!(
        (li.open, li.overdue, li.pre_audit),
        (2, 1, 2),
        "S2 (overdue) and S5"
    );
    let chen = d
        .workload
        .iter()
        .find(|r| r.assignee == "chen.yu")
        .expect("listed with none");
    assert_eq!((chen.open, chen.overdue), (0, 0));

    // The cases behind each figure, in queue order (most urgent first).
    let cases = |f: Figure| w.cases(f, "2026-03-03");
    assert_eq!(
        cases(Figure::Overdue { timer: None }),
        ["SF-01", "SF-07", "SF-03", "SF-02"]
    );
    assert_eq!(
        cases(Figure::OverdueBucket {
            timer: None,
            bucket: Bucket::Days1To7
        }),
        ["SF-03", "SF-02"]
    );
    assert_eq!(
        cases(Figure::OverdueBucket {
            timer: Some(TimerKind::Verification),
            bucket: Bucket::Days8To14
        }),
        ["SF-07"]
    );
    assert_eq!(
        cases(Figure::OverdueEmployer {
            uscc: EMPLOYERS[0].1.into(),
            timer: None
        }),
        ["SF-01", "SF-03", "SF-02"]
    );
    assert_eq!(cases(Figure::DecisionsToSign), ["SF-03"]);
    assert_eq!(cases(Figure::DueSoon), ["SF-05"]);
    assert_eq!(cases(Figure::UnclaimedStale), ["SF-01", "SF-09"]);
    let mine = |overdue_only| Figure::Workload {
        assignee: "li.wei".into(),
        overdue_only,
    };
    assert_eq!(cases(mine(false)), ["SF-02", "SF-05"]);
    assert_eq!(cases(mine(true)), ["SF-02"]);
    assert_eq!(
        cases(Figure::OverdueOn(day("2026-02-26"))),
        ["SF-01", "SF-07", "SF-03"]
    );
}

#[test]
fn spring_festival_trend_is_rebuilt_from_history() {
    let w = spring_festival();
    let trend = w.store.overdue_trend(day("2026-03-03"), 30).expect("trend");
    assert_eq!(trend.points.len(), 30);
    assert_eq!(trend.points[0].day, day("2026-02-02"));
    let (replayed, stats) = w
        .store
        .overdue_trend_replayed(day("2026-03-03"), 30)
        .expect("replay");
    assert!(stats.unreadable.is_empty());
    assert_eq!(trend, replayed, "the kept trend is the replayed one");
    let at = |d: &str| {
        trend
            .points
            .iter()
            .find(|p| p.day == day(d))
            .expect("day")
            .overdue
    };
    assert_eq!(at("2026-02-13"), 0, "S1 is due that day");
    assert_eq!(at("2026-02-14"), 1, "S1");
    assert_eq!(at("2026-02-20"), 2, "S1, S7 (window due 02-19)");
    assert_eq!(
        at("2026-02-25"),
        2,
        "S3 and S8 are due that day; S8 verified"
    );
    assert_eq!(at("2026-02-26"), 3, "+ S3 (decision due 02-25)");
    assert_eq!(
        at("2026-02-27"),
        4,
        "+ S2 (due 02-26 thanks to the make-up Saturday)"
    );
    assert_eq!(at("2026-02-28"), 4, "S4 signed on its due day");
    assert_eq!(at("2026-03-03"), 4, "today: the Overdue queue");
}

#[test]
fn spring_festival_sla() {
    let w = spring_festival();
    let r = w
        .store
        .sla(day("2026-02-01"), day("2026-03-03"), day("2026-03-03"))
        .expect("sla");
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
            r.withdrawn,
            r.share_met,
        )
    };
    use Category::{A, B, C};
    use TimerKind::{Decision, PreAudit, Verification};
    // Pre-audit: S4 met (A); S3 met and S5's first run met by its return, S1 still overdue (B);
    // S2 still overdue, S6 withdrawn before its due day (C). S7/S8 ended in January.
    assert_eq!(row(PreAudit, Some(A)), (1, 0, 0, 0, Some(1.0)));
    assert_eq!(row(PreAudit, Some(B)), (2, 0, 1, 0, Some(2.0 / 3.0)));
    assert_eq!(row(PreAudit, Some(C)), (0, 0, 1, 1, Some(0.0)));
    assert_eq!(row(PreAudit, None), (3, 0, 2, 1, Some(0.6)));
    // Decision: S4 signed on its due day (A); S3 overdue, unsigned (B).
    assert_eq!(row(Decision, Some(A)), (1, 0, 0, 0, Some(1.0)));
    assert_eq!(row(Decision, Some(B)), (0, 0, 1, 0, Some(0.0)));
    assert_eq!(row(Decision, Some(C)), (0, 0, 0, 0, None));
    assert_eq!(row(Decision, None), (1, 0, 1, 0, Some(0.5)));
    // Verification: S7 overdue (B), S8 verified on its due day (C); no row for class A.
    assert_eq!(row(Verification, Some(B)), (0, 0, 1, 0, Some(0.0)));
    assert_eq!(row(Verification, Some(C)), (1, 0, 0, 0, Some(1.0)));
    assert!(
        r.rows
            .iter()
            .all(|r| !(r.timer == Verification && r.category == Some(A)))
    );
    assert_eq!(r.rows.len(), 11);
}
