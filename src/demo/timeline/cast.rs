//! The demo office's people. A small demo has the named users of `DEMO_USERS`; a big one has as
//! many approvers as its caseload needs (issue 18: at a million cases the named approvers held
//! over 10,000 open cases each). The approvers work in teams of four, each case is handled by
//! one team, and team 0 is the named one: `li.wei`, `chen.yu`, `zhao.min` and `former.staff`.
//! Every two teams share a pair of supervisors, who review and sign their cases; the first pair
//! is `wang.fang` and `sun.lei`.

use super::Who;
use crate::domain::{Actor, Directory, Role};
use std::collections::HashMap;

/// About this many cases per team of approvers, so that nobody holds more than about 300 open
/// cases whatever the store's size (one team up to 20,000 cases, as demo stores always had).
const CASES_PER_TEAM: u64 = 20_000;

const SURNAMES: [&str; 16] = [
    "huang", "xu", "he", "guo", "ma", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "han",
    "feng", "deng", "cao",
];
const GIVEN_NAMES: [&str; 16] = [
    "jie", "ting", "hao", "lan", "jing", "bo", "xin", "qiang", "yan", "peng", "li", "hui", "tao",
    "juan", "bin", "mei",
];

/// The demo users as the domain sees them, all active (history predates `former.staff` leaving).
pub(crate) struct Cast {
    system: Actor,
    admin: Actor,
    teams: Vec<[Actor; 4]>,
    /// Team `t`'s supervisors are pair `t / 2`.
    supervisors: Vec<[Actor; 2]>,
    clerks: [Actor; 2],
    by_name: HashMap<String, Actor>,
    /// The demo's number sequences, per series and year; the store registers what they gave.
    pub numbers: std::sync::Mutex<HashMap<(crate::domain::Series, i32), u64>>,
}

fn person(name: &str, roles: &[Role]) -> Actor {
    Actor {
        name: name.to_string(),
        roles: roles.to_vec(),
        active: true,
    }
}

/// Generated names, in order: pinyin like the named users', never one of theirs.
fn generated_names(count: usize, skip: usize) -> Vec<String> {
    (skip..skip + count)
        .map(|n| {
            let surname = SURNAMES[n % 16];
            let given = GIVEN_NAMES[(n / 16 + n) % 16];
            match n / 256 {
                0 => format!("{surname}.{given}"),
                round => format!("{surname}.{given}{round}"),
            }
        })
        .collect()
}

/// The approvers a demo of `cases` cases adds to the named ones: three teams' worth of four
/// beyond the first, by `CASES_PER_TEAM`.
pub(crate) fn generated_approvers(cases: u64) -> Vec<String> {
    generated_names((teams_for(cases) - 1) * 4, 0)
}

/// The supervisors it adds: a pair for every two teams beyond the first pair (the named
/// `wang.fang` and `sun.lei`), since supervisors review a share of the cases too.
pub(crate) fn generated_supervisors(cases: u64) -> Vec<String> {
    let teams = teams_for(cases);
    generated_names((pairs_for(teams) - 1) * 2, (teams - 1) * 4)
}

fn pairs_for(teams: usize) -> usize {
    teams.div_ceil(2)
}

fn teams_for(cases: u64) -> usize {
    usize::try_from(cases.div_ceil(CASES_PER_TEAM).max(1)).unwrap_or(usize::MAX)
}

impl Cast {
    pub(crate) fn new(cases: u64) -> Cast {
        let mut teams = vec![[
            person("li.wei", &[Role::Approver]),
            person("chen.yu", &[Role::Approver]),
            person("zhao.min", &[Role::Approver]),
            person("former.staff", &[Role::Approver]),
        ]];
        for four in generated_approvers(cases).chunks(4) {
            if let [a, b, c, d] = four {
                teams.push([a, b, c, d].map(|name| person(name, &[Role::Approver])));
            }
        }
        let mut supervisors = vec![[
            person("wang.fang", &[Role::Supervisor]),
            person("sun.lei", &[Role::Supervisor]),
        ]];
        for two in generated_supervisors(cases).chunks(2) {
            if let [a, b] = two {
                supervisors.push([a, b].map(|name| person(name, &[Role::Supervisor])));
            }
        }
        let clerks = [
            person("liu.yang", &[Role::Clerk]),
            person("zhou.na", &[Role::Clerk]),
        ];
        let admin = person("admin", &[Role::Admin]);
        let by_name = teams
            .iter()
            .flatten()
            .chain(supervisors.iter().flatten())
            .chain(&clerks)
            .chain([&admin])
            .map(|a| (a.name.clone(), a.clone()))
            .collect();
        Cast {
            system: Actor::system(),
            admin,
            teams,
            supervisors,
            clerks,
            by_name,
            numbers: Default::default(),
        }
    }

    /// The people who handle case number `index` of the build.
    pub(crate) fn crew(&self, index: u64) -> Crew<'_> {
        let teams = self.teams.len() as u64;
        Crew {
            cast: self,
            team: usize::try_from(index % teams.max(1)).unwrap_or(0),
        }
    }
}

/// The office as one case sees it: its team of approvers, and everyone else.
pub(crate) struct Crew<'a> {
    pub cast: &'a Cast,
    team: usize,
}

impl Crew<'_> {
    pub(crate) fn actor(&self, who: Who) -> &Actor {
        let cast = self.cast;
        match who {
            Who::System => &cast.system,
            Who::Admin => &cast.admin,
            Who::Approver(i) => &cast.teams[self.team][usize::from(i) % 4],
            Who::Supervisor(i) => {
                &cast.supervisors[(self.team / 2).min(cast.supervisors.len() - 1)]
                    [usize::from(i) % 2]
            }
            Who::Clerk(i) => &cast.clerks[usize::from(i) % 2],
        }
    }
}

impl Directory for Cast {
    fn actor(&self, name: &str) -> Option<Actor> {
        self.by_name.get(name).cloned()
    }

    fn issue_number(
        &self,
        series: crate::domain::Series,
        year: i32,
        _case_no: &str,
    ) -> Option<String> {
        let mut numbers = self.numbers.lock().ok()?;
        let last = numbers.entry((series, year)).or_insert(0);
        *last += 1;
        Some(series.format(year, *last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_staff_are_unique_and_never_a_named_user() {
        let mut names = generated_approvers(5_000_000);
        assert_eq!(names.len(), (250 - 1) * 4);
        names.extend(generated_supervisors(5_000_000));
        assert_eq!(names.len(), (250 - 1) * 4 + (125 - 1) * 2);
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        for (named, _, _) in crate::demo::DEMO_USERS {
            assert!(!unique.contains(&named.to_string()), "{named}");
        }
        assert!(
            generated_approvers(20_000).is_empty(),
            "a small demo keeps its users"
        );
    }
}
