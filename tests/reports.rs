//! Supervisors' figures and `permitdesk report`, checked against small stores whose figures are
//! computed by hand around Spring Festival 2026 (holiday 02-15..23, make-up workdays Sat 02-14 and
//! Sat 02-28) and National Day 2026 (10-01..07, with Mid-Autumn 09-25..27; make-up workdays Sun
//! 09-20 and Sat 10-10), and on a demo store through the real binary.
//!
//! Reminders: a pre-audit is due on the 5th working day after day 0; a decision on the 5th (A) or
//! 10th (B, C) working day after acceptance, paused while returned; a verification window 30
//! calendar days after entry. Overdue from the day after the due day.

use chrono::{Days, NaiveDate};
use permitdesk::domain::case::{Applicant, Employer, Submission};
use permitdesk::domain::{
    Action, Calendar, Category, Checklist, Kind, Presenter, Role, TimerKind, VisaKind,
};
use permitdesk::store::{Bucket, Figure, Request, Store};
use tempfile::TempDir;

#[path = "reports/cli.rs"]
mod cli;
#[path = "reports/national_day.rs"]
mod national_day;
#[path = "reports/spring_festival.rs"]
mod spring_festival;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

const EMPLOYERS: [(&str, &str); 3] = [
    ("广州云图影视股份有限公司", "91440103226302650W"),
    ("珠江（广州）物流有限公司", "91440103581658619X"),
    ("广州嘉和网络科技有限公司", "91440103672288772G"),
];

struct World {
    _dir: TempDir,
    store: Store,
}

impl World {
    fn new() -> World {
        let dir = TempDir::new().expect("dir");
        let mut store = Store::open(&dir.path().join("r.db"), Calendar::embedded()).expect("open");
        let now = "2026-01-01T09:00:00+08:00";
        store
            .add_user(None, "admin", &[Role::Admin], now)
            .expect("admin");
        for (name, role) in [
            ("li.wei", Role::Approver),
            ("chen.yu", Role::Approver),
            ("wang.fang", Role::Supervisor),
            ("liu.yang", Role::Clerk),
        ] {
            store
                .add_user(Some("admin"), name, &[role], now)
                .expect("user");
        }
        World { _dir: dir, store }
    }

    /// Case `no` of `kind` and `category` for employer `employer`, submitted on `on`.
    fn submit(&mut self, no: &str, kind: Kind, category: Category, employer: usize, on: &str) {
        let (name, uscc) = EMPLOYERS[employer];
        let submission = Submission {
            case_no: no.into(),
            kind,
            category,
            legacy: false,
            applicant: Applicant {
                // A passport's Latin spelling has no digits: SF-01 is "APPLICANT SF-AB".
                name: format!(
                    "APPLICANT {}",
                    no.chars()
                        .map(|c| match c.to_digit(10) {
                            Some(n) => char::from(b'A' + n as u8),
                            None => c,
                        })
                        .collect::<String>()
                ),
                name_native: None,
                passport_no: format!("E{}", no.replace('-', "")),
                nationality: "SGP".into(),
                birth_date: None,
            },
            employer: Employer {
                name: name.into(),
                uscc: uscc.into(),
            },
            position: None,
            documents: vec![],
            exam_report: None,
            entry_date: None,
            permit: None,
        };
        self.store
            .submit("system", submission, Some(day(on)))
            .unwrap_or_else(|e| panic!("{no}: submit: {e}"));
    }

    fn act(&mut self, no: &str, user: &str, on: &str, action: Action) -> &mut World {
        let name = action.name();
        self.store
            .act(Request {
                case_no: no.into(),
                user: user.into(),
                action,
                expect_version: None,
                expect_stage: None,
                today: Some(day(on)),
            })
            .unwrap_or_else(|e| panic!("{no}: {name} on {on}: {e}"));
        self
    }

    fn claim_approve(&mut self, no: &str, user: &str, on: &str) -> &mut World {
        self.act(no, user, on, Action::Claim)
            .act(no, user, on, Action::Approve { note: None })
    }

    /// Accepted, recommended and signed in early August: a Notification waiting for entry.
    fn notified(&mut self, no: &str, category: Category, employer: usize) {
        self.submit(no, Kind::OverseasNew, category, employer, "2026-08-03");
        self.claim_approve(no, "chen.yu", "2026-08-04")
            .claim_approve(no, "chen.yu", "2026-08-05")
            .act(
                no,
                "wang.fang",
                "2026-08-06",
                Action::Approve { note: None },
            );
    }

    fn verified(&mut self, no: &str, on: &str) {
        let on_day = day(on);
        let checklist = Checklist {
            presented_by: Presenter::Applicant,
            power_of_attorney: false,
            originals: true,
            sealed_copies: true,
            visa_kind: Some(VisaKind::WorkResidencePermit),
            visa_valid_until: Some(on_day + Days::new(365)),
            exam_issued_on: Some(on_day - Days::new(20)),
            exam_domestic: true,
            exam_institution: Some("Guangdong International Travel Healthcare Center".into()),
        };
        self.act(no, "liu.yang", on, Action::Verify { checklist });
    }

    fn cases(&self, figure: Figure, today: &str) -> Vec<String> {
        let found = self
            .store
            .figure_cases(&figure, day(today), 100)
            .expect("figure cases");
        let names: Vec<String> = found.rows.iter().map(|r| r.case_no.clone()).collect();
        assert_eq!(found.total as usize, names.len(), "{figure:?}");
        names
    }
}

fn reason(text: &str) -> String {
    text.to_string()
}

fn calendar_is_as_assumed() {
    let c = Calendar::embedded();
    for d in [
        "2026-02-14",
        "2026-02-28",
        "2026-09-20",
        "2026-10-10",
        "2026-02-24",
    ] {
        assert!(c.is_working_day(day(d)), "{d} is a working day");
    }
    for d in [
        "2026-02-16",
        "2026-02-23",
        "2026-09-25",
        "2026-10-01",
        "2026-10-07",
    ] {
        assert!(!c.is_working_day(day(d)), "{d} is a holiday");
    }
}
