//! The people and the user directory that the domain tests drive cases with.

#![allow(dead_code)]

use chrono::NaiveDate;
use permitdesk::domain::{Actor, Directory, Role, Series};
use std::sync::atomic::{AtomicU64, Ordering};

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

pub fn person(name: &str, roles: &[Role]) -> Actor {
    Actor {
        name: name.to_string(),
        roles: roles.to_vec(),
        active: true,
    }
}

pub fn li_wei() -> Actor {
    person("li.wei", &[Role::Approver])
}

pub fn chen_yu() -> Actor {
    person("chen.yu", &[Role::Approver])
}

pub fn wang_fang() -> Actor {
    person("wang.fang", &[Role::Supervisor])
}

pub fn sun_lei() -> Actor {
    person("sun.lei", &[Role::Supervisor])
}

pub fn liu_yang() -> Actor {
    person("liu.yang", &[Role::Clerk])
}

pub fn admin() -> Actor {
    person("admin", &[Role::Admin])
}

pub fn audit_he() -> Actor {
    person("audit.he", &[Role::Viewer])
}

/// A former approver and supervisor whose account was disabled.
pub fn zhao_min() -> Actor {
    Actor {
        active: false,
        ..person("zhao.min", &[Role::Approver, Role::Supervisor])
    }
}

pub fn system() -> Actor {
    Actor::system()
}

/// The users of the store, for `assign`.
pub struct Users(pub Vec<Actor>);

/// Numbers for the domain tests: one counter for the whole test binary, so every number any
/// test is given is unique.
static NEXT_NUMBER: AtomicU64 = AtomicU64::new(1);

impl Directory for Users {
    fn actor(&self, name: &str) -> Option<Actor> {
        self.0.iter().find(|a| a.name == name).cloned()
    }

    fn issue_number(&self, series: Series, year: i32, _case_no: &str) -> Option<String> {
        Some(series.format(year, NEXT_NUMBER.fetch_add(1, Ordering::Relaxed)))
    }
}
