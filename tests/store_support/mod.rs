//! A store on a real file with its users, and submissions to fill it: shared by the store-level
//! tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use permitdesk::domain::case::{Applicant, Employer, Submission};
use permitdesk::domain::{Action, Calendar, Category, Filter, Kind, Queue, Role};
use permitdesk::store::{QueueQuery, Request, Store, StoreError};
use std::path::Path;

pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub fn submission(n: u32, name_native: Option<&str>) -> Submission {
    Submission {
        case_no: format!("TS2026-{n:06}"),
        kind: Kind::OverseasNew,
        category: Category::B,
        legacy: false,
        applicant: Applicant {
            name: "LI WEI".into(),
            name_native: name_native.map(str::to_string),
            passport_no: format!("E{n:08}"),
            nationality: "SGP".into(),
            birth_date: None,
        },
        employer: Employer {
            name: "Guangzhou Lingnan Robotics Co., Ltd.".into(),
            uscc: "91440101MA5CQ7H2XC".into(),
        },
        position: None,
        documents: vec![],
        exam_report: None,
        entry_date: None,
        permit: None,
    }
}

pub fn new_store(dir: &Path) -> Store {
    let mut store = Store::open(&dir.join("t.db"), Calendar::embedded()).expect("open");
    let now = "2026-11-01T09:00:00+08:00";
    store
        .add_user(None, "admin", &[Role::Admin], now)
        .expect("admin");
    for (name, role) in [
        ("li.wei", Role::Approver),
        ("chen.yu", Role::Approver),
        ("wang.fang", Role::Supervisor),
    ] {
        store
            .add_user(Some("admin"), name, &[role], now)
            .expect("user");
    }
    store
}

pub fn query(queue: Queue, search: Option<&str>) -> QueueQuery {
    QueueQuery {
        queue,
        filter: Filter::All,
        search: search.map(str::to_string),
        user: "li.wei".into(),
        today: day("2026-11-26"),
        sort: Default::default(),
        after: None,
        limit: 50,
    }
}

pub fn act(
    store: &mut Store,
    case_no: &str,
    user: &str,
    action: Action,
) -> Result<i64, StoreError> {
    store
        .act(Request {
            case_no: case_no.into(),
            user: user.into(),
            action,
            expect_version: None,
            expect_stage: None,
            today: Some(day("2026-11-26")),
        })
        .map(|o| o.case.version)
}
