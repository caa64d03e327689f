//! What one case contributes to the kept figures, folded event by event with the same rules as
//! the replay in `history.rs` (its module documentation says what counts).
//!
//! A case's state holds from the day of one event until the day of the next. An event's day is
//! its date, or the newest earlier event's if that is later: a case's clock never runs backwards,
//! so the figures of any day D are those of the events of days up to D. For each stretch of days
//! the ledger records, as intervals `[from, to)`, when the governing timer was overdue (the
//! trend) and when a stage timer counted as `running_overdue` (the SLA as of a day in the
//! interval, for periods starting on or before its due day); runs that ended are recorded on the
//! day they ended, with their outcome. The interval still open is the current stretch: "overdue"
//! moves with the calendar without any write, so it is kept as the day it begins (possibly in
//! the future), never as a state.

use crate::domain::deadline::decision_overran_before_pause;
use crate::domain::{Action, Case, Category, Clocks, Deadline, DeadlineState, Event, Stage};
use crate::domain::{TimerKind, apply};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// How a run that ended counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    Met,
    Late,
    /// Verified after the window, as a supervisor allowed (counted as late too).
    AllowedLate,
    /// Withdrawn by the employer on or before the due day: not counted.
    Withdrawn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A run of a stage timer began (the case entered its stage; a resubmission into pre-audit
    /// starts a new run, a reopened verification window does not).
    Started { day: NaiveDate, timer: TimerKind },
    /// A run ended. `until`: the day a reopening undid it (a lapse), from which it no longer
    /// counts.
    Ended {
        day: NaiveDate,
        timer: TimerKind,
        ending: Ending,
        until: Option<NaiveDate>,
    },
    /// The governing timer was past its due day at the end of each day of `[from, to)`.
    Overdue {
        from: NaiveDate,
        to: Option<NaiveDate>,
    },
    /// The run counts as `running_overdue` as of each day of `[from, to)`, in periods that start
    /// on or before `due`.
    Running {
        from: NaiveDate,
        to: Option<NaiveDate>,
        due: NaiveDate,
        timer: TimerKind,
    },
}

/// One case's contribution to the kept figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ledger {
    /// The day of the newest event.
    last: Option<NaiveDate>,
    entries: Vec<Entry>,
}

/// Sums of ledgers, keyed as the tables are: added and subtracted as cases change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// `(day, timer, category, until)` -> `[started, met, late, allowed_late, withdrawn]`.
    pub days: BTreeMap<(NaiveDate, &'static str, &'static str, Option<NaiveDate>), [i64; 5]>,
    /// `(due, day, timer, category)` -> change in runs counting as `running_overdue`.
    pub running: BTreeMap<(NaiveDate, NaiveDate, &'static str, &'static str), i64>,
    /// `day` -> change in cases whose governing timer is overdue.
    pub overdue: BTreeMap<NaiveDate, i64>,
}

impl Tally {
    /// Adds another tally's counts (a part of `check`'s replay) to these.
    pub fn merge(&mut self, other: Tally) {
        for (key, counts) in other.days {
            let mine = self.days.entry(key).or_default();
            for (m, o) in mine.iter_mut().zip(counts) {
                *m += o;
            }
        }
        for (key, n) in other.running {
            *self.running.entry(key).or_default() += n;
        }
        for (key, n) in other.overdue {
            *self.overdue.entry(key).or_default() += n;
        }
    }

    pub fn add(&mut self, ledger: &Ledger, category: Category, sign: i64) {
        let category = category.as_str();
        for entry in &ledger.entries {
            match *entry {
                Entry::Started { day, timer } => {
                    self.days
                        .entry((day, timer.as_str(), category, None))
                        .or_default()[0] += sign;
                }
                Entry::Ended {
                    day,
                    timer,
                    ending,
                    until,
                } => {
                    let column = match ending {
                        Ending::Met => 1,
                        Ending::Late => 2,
                        Ending::AllowedLate => 3,
                        Ending::Withdrawn => 4,
                    };
                    self.days
                        .entry((day, timer.as_str(), category, until))
                        .or_default()[column] += sign;
                }
                Entry::Overdue { from, to } => {
                    *self.overdue.entry(from).or_default() += sign;
                    if let Some(to) = to {
                        *self.overdue.entry(to).or_default() -= sign;
                    }
                }
                Entry::Running {
                    from,
                    to,
                    due,
                    timer,
                } => {
                    let timer = timer.as_str();
                    *self
                        .running
                        .entry((due, from, timer, category))
                        .or_default() += sign;
                    if let Some(to) = to {
                        *self.running.entry((due, to, timer, category)).or_default() -= sign;
                    }
                }
            }
        }
    }

    /// Drops the keys that cancelled out.
    pub fn prune(&mut self) {
        self.days.retain(|_, v| v.iter().any(|n| *n != 0));
        self.running.retain(|_, n| *n != 0);
        self.overdue.retain(|_, n| *n != 0);
    }
}

/// The due day of a running timer.
fn running(deadline: &Deadline) -> Option<NaiveDate> {
    deadline.due.filter(|_| deadline.ended.is_none())
}

fn judge(day: NaiveDate, due: NaiveDate, withdrawn: bool, allowed_late: bool) -> Ending {
    match (day <= due, withdrawn) {
        (true, true) => Ending::Withdrawn,
        (true, false) => Ending::Met,
        (false, _) if allowed_late => Ending::AllowedLate,
        (false, _) => Ending::Late,
    }
}

impl Ledger {
    /// The ledger of a whole history, and the case it builds; `None` if it does not replay.
    pub fn of<'a>(
        events: impl IntoIterator<Item = &'a Event>,
        clocks: &Clocks,
    ) -> Option<(Ledger, Case)> {
        let mut ledger = Ledger::default();
        let mut case: Option<Case> = None;
        for event in events {
            let next = apply(case.as_ref(), event).ok()?;
            ledger.step(case.as_ref(), event, &next, clocks);
            case = Some(next);
        }
        Some((ledger, case?))
    }

    /// The ledger of a case just submitted by `event`.
    pub fn submitted(event: &Event, case: &Case, clocks: &Clocks) -> Ledger {
        let mut ledger = Ledger::default();
        ledger.step(None, event, case, clocks);
        ledger
    }

    /// Folds one event, which took the case from `prev` (`None` for its submission) to `next`.
    /// Only the calendar and the policy of `clocks` are used, never its day.
    pub fn step(&mut self, prev: Option<&Case>, event: &Event, next: &Case, clocks: &Clocks) {
        let day = self
            .last
            .map_or(event.date(), |last| last.max(event.date()));
        // The stretch that began with the previous event ends today; one that had not begun yet
        // never will.
        self.entries.retain_mut(|entry| match entry {
            Entry::Overdue {
                from,
                to: to @ None,
            }
            | Entry::Running {
                from,
                to: to @ None,
                ..
            } => {
                *to = Some(day);
                *from < day
            }
            _ => true,
        });
        self.transition(prev, event, next, day, clocks);
        self.open(next, day, clocks);
        self.last = Some(day);
    }

    /// The runs that began or ended with this event.
    fn transition(
        &mut self,
        prev: Option<&Case>,
        event: &Event,
        next: &Case,
        day: NaiveDate,
        clocks: &Clocks,
    ) {
        let before = prev.map(|p| p.stage);
        if next.stage == Stage::PreAudit && before != Some(Stage::PreAudit) {
            self.entries.push(Entry::Started {
                day,
                timer: TimerKind::PreAudit,
            });
        }
        if next.decision.is_some() && prev.is_none_or(|p| p.decision.is_none()) {
            self.entries.push(Entry::Started {
                day,
                timer: TimerKind::Decision,
            });
        }
        if next.stage == Stage::Verification
            && !matches!(before, Some(Stage::Verification | Stage::Lapsed))
        {
            self.entries.push(Entry::Started {
                day,
                timer: TimerKind::Verification,
            });
        }
        let Some(prev) = prev else {
            return;
        };
        let withdrawn = matches!(event.action, Action::Withdraw { .. });
        let mut ended = |timer: TimerKind, due: NaiveDate, allowed_late: bool| {
            self.entries.push(Entry::Ended {
                day,
                timer,
                ending: judge(day, due, withdrawn, allowed_late),
                until: None,
            });
        };
        if prev.stage == Stage::PreAudit && next.stage != Stage::PreAudit {
            if let Some(due) = clocks.pre_audit(prev).due {
                ended(TimerKind::PreAudit, due, false);
            }
        }
        let was_running = prev.decision.as_ref().is_some_and(|c| c.ended.is_none());
        let now_ended = next.decision.as_ref().is_some_and(|c| c.ended.is_some());
        if was_running && now_ended {
            if let Some(deadline) = clocks.decision(next) {
                // A run returned after its due day was missed, even if the case was then signed
                // on the day of its resubmission.
                let due = match (deadline.state, deadline.due) {
                    (DeadlineState::Missed, _) => day.pred_opt(),
                    (_, due) => due,
                };
                if let Some(due) = due {
                    ended(TimerKind::Decision, due, false);
                }
            }
        }
        if prev.stage == Stage::Verification && next.stage != Stage::Verification {
            if let Some(due) = clocks.verification(prev).and_then(|d| d.due) {
                ended(TimerKind::Verification, due, event.late);
            }
        }
        if prev.stage == Stage::Lapsed && next.stage == Stage::Verification {
            let lapse = self.entries.iter_mut().rev().find_map(|e| match e {
                Entry::Ended {
                    timer: TimerKind::Verification,
                    until: until @ None,
                    ..
                } => Some(until),
                _ => None,
            });
            if let Some(until) = lapse {
                *until = Some(day);
            }
        }
    }

    /// The intervals of the stretch that begins on `day` with the case in state `case`.
    fn open(&mut self, case: &Case, day: NaiveDate, clocks: &Clocks) {
        let governing = clocks.governing(case);
        if let Some(late) = governing
            .as_ref()
            .and_then(running)
            .and_then(|d| d.succ_opt())
        {
            self.extend(Entry::Overdue {
                from: late.max(day),
                to: None,
            });
        }
        let timers = [
            Some(clocks.pre_audit(case)),
            clocks.decision(case),
            clocks.verification(case),
        ];
        for deadline in timers.iter().flatten() {
            let Some(due) = running(deadline) else {
                continue;
            };
            if let Some(late) = due.succ_opt() {
                self.extend(Entry::Running {
                    from: late.max(day),
                    to: None,
                    due,
                    timer: deadline.timer,
                });
            }
        }
        // A decision run paused (returned) after its due day is not overdue while the employer
        // corrects, but the office had already missed it.
        if let Some(clock) = case.decision.as_ref().filter(|c| c.ended.is_none()) {
            let paused = clocks
                .decision(case)
                .is_some_and(|d| d.state == DeadlineState::Paused);
            let overran =
                decision_overran_before_pause(clock, case.category, clocks.policy, clocks.calendar);
            if let Some(due) = overran.filter(|_| paused) {
                self.extend(Entry::Running {
                    from: due.max(day),
                    to: None,
                    due,
                    timer: TimerKind::Decision,
                });
            }
        }
    }

    /// Adds an open interval, continuing the same one if it ended just where this one begins.
    fn extend(&mut self, entry: Entry) {
        let continued = self
            .entries
            .iter_mut()
            .find_map(|e| match (&mut *e, &entry) {
                (Entry::Overdue { to, .. }, Entry::Overdue { from, .. }) if *to == Some(*from) => {
                    Some(to)
                }
                (
                    Entry::Running { to, due, timer, .. },
                    Entry::Running {
                        from,
                        due: due2,
                        timer: timer2,
                        ..
                    },
                ) if *to == Some(*from) && due == due2 && timer == timer2 => Some(to),
                _ => None,
            });
        match continued {
            Some(to) => *to = None,
            None => self.entries.push(entry),
        }
    }
}

const FORMAT: u8 = 1;

fn day_number(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

fn from_number(n: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(n)
}

/// 0 stands for none: day 0 of the common era is not a day any case has.
fn optional_number(day: Option<NaiveDate>) -> i32 {
    day.map_or(0, day_number)
}

fn timer_code(timer: TimerKind) -> u8 {
    match timer {
        TimerKind::PreAudit => 0,
        TimerKind::Decision => 1,
        TimerKind::Verification => 2,
        TimerKind::ExamReport => 3,
    }
}

fn timer_of(code: u8) -> Option<TimerKind> {
    Some(match code {
        0 => TimerKind::PreAudit,
        1 => TimerKind::Decision,
        2 => TimerKind::Verification,
        3 => TimerKind::ExamReport,
        _ => return None,
    })
}

fn ending_code(ending: Ending) -> u8 {
    match ending {
        Ending::Met => 0,
        Ending::Late => 1,
        Ending::AllowedLate => 2,
        Ending::Withdrawn => 3,
    }
}

fn ending_of(code: u8) -> Option<Ending> {
    Some(match code {
        0 => Ending::Met,
        1 => Ending::Late,
        2 => Ending::AllowedLate,
        3 => Ending::Withdrawn,
        _ => return None,
    })
}

/// Reads a stored ledger, front to back.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    fn number(&mut self) -> Option<i32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(i32::from_le_bytes(*head))
    }

    fn day(&mut self) -> Option<NaiveDate> {
        from_number(self.number()?)
    }

    fn optional_day(&mut self) -> Option<Option<NaiveDate>> {
        match self.number()? {
            0 => Some(None),
            n => from_number(n).map(Some),
        }
    }
}

impl Ledger {
    /// The stored form: a format byte, the last day, then each entry as a tag and its fields
    /// (days as little-endian day numbers of the common era).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + 12 * self.entries.len());
        out.push(FORMAT);
        out.extend(optional_number(self.last).to_le_bytes());
        for entry in &self.entries {
            match *entry {
                Entry::Started { day, timer } => {
                    out.push(0);
                    out.extend(day_number(day).to_le_bytes());
                    out.push(timer_code(timer));
                }
                Entry::Ended {
                    day,
                    timer,
                    ending,
                    until,
                } => {
                    out.push(1);
                    out.extend(day_number(day).to_le_bytes());
                    out.push(timer_code(timer));
                    out.push(ending_code(ending));
                    out.extend(optional_number(until).to_le_bytes());
                }
                Entry::Overdue { from, to } => {
                    out.push(2);
                    out.extend(day_number(from).to_le_bytes());
                    out.extend(optional_number(to).to_le_bytes());
                }
                Entry::Running {
                    from,
                    to,
                    due,
                    timer,
                } => {
                    out.push(3);
                    out.extend(day_number(from).to_le_bytes());
                    out.extend(optional_number(to).to_le_bytes());
                    out.extend(day_number(due).to_le_bytes());
                    out.push(timer_code(timer));
                }
            }
        }
        out
    }

    /// `None` for anything `encode` did not write.
    pub fn decode(bytes: &[u8]) -> Option<Ledger> {
        let mut r = Reader(bytes);
        if r.byte()? != FORMAT {
            return None;
        }
        let last = r.optional_day()?;
        let mut entries = Vec::new();
        while !r.0.is_empty() {
            entries.push(match r.byte()? {
                0 => Entry::Started {
                    day: r.day()?,
                    timer: timer_of(r.byte()?)?,
                },
                1 => Entry::Ended {
                    day: r.day()?,
                    timer: timer_of(r.byte()?)?,
                    ending: ending_of(r.byte()?)?,
                    until: r.optional_day()?,
                },
                2 => Entry::Overdue {
                    from: r.day()?,
                    to: r.optional_day()?,
                },
                3 => Entry::Running {
                    from: r.day()?,
                    to: r.optional_day()?,
                    due: r.day()?,
                    timer: timer_of(r.byte()?)?,
                },
                _ => return None,
            });
        }
        Some(Ledger { last, entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_ledger_survives_its_stored_form() {
        let ledger = Ledger {
            last: Some(d("2026-03-02")),
            entries: vec![
                Entry::Started {
                    day: d("2026-02-02"),
                    timer: TimerKind::PreAudit,
                },
                Entry::Ended {
                    day: d("2026-02-10"),
                    timer: TimerKind::Verification,
                    ending: Ending::AllowedLate,
                    until: Some(d("2026-02-12")),
                },
                Entry::Overdue {
                    from: d("2026-02-10"),
                    to: None,
                },
                Entry::Running {
                    from: d("2026-02-10"),
                    to: Some(d("2026-02-20")),
                    due: d("2026-02-09"),
                    timer: TimerKind::Decision,
                },
            ],
        };
        assert_eq!(Ledger::decode(&ledger.encode()), Some(ledger.clone()));
        let mut cut = ledger.encode();
        cut.pop();
        assert_eq!(Ledger::decode(&cut), None);
        assert_eq!(Ledger::decode(&[]), None);
        assert_eq!(
            Ledger::decode(&Ledger::default().encode()),
            Some(Ledger::default())
        );
    }

    #[test]
    fn intervals_cancel_in_a_tally() {
        let mut tally = Tally::default();
        let ledger = Ledger {
            last: None,
            entries: vec![Entry::Overdue {
                from: d("2026-02-10"),
                to: Some(d("2026-02-12")),
            }],
        };
        tally.add(&ledger, Category::A, 1);
        assert_eq!(tally.overdue.len(), 2);
        tally.add(&ledger, Category::A, -1);
        tally.prune();
        assert_eq!(tally, Tally::default());
    }
}
