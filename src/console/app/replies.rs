//! Replies from the store worker: new pages, counts, details, and the outcome of actions.

use super::dialog::Dialog;
use super::dialog::message::Message;
use super::{Alert, App, Effect};
use crate::console::i18n::T;
use crate::console::worker::{ActFailure, ActionKey, Fetch, Reply};
use crate::domain::{Action, Event, Queue};

/// How many unsent reasons the startup notice names; it counts the rest.
const UNSENT_NAMED: usize = 3;

impl App {
    pub(super) fn reply(&mut self, generation: u64, reply: Reply) -> Vec<Effect> {
        match reply {
            Reply::Page {
                page,
                total,
                more,
                fetch,
                start,
                waits,
            } => {
                if generation != self.page_generation {
                    return Vec::new();
                }
                let before = self.list.selected_case_no();
                match fetch {
                    Fetch::Append => self.list.append(page),
                    Fetch::Prepend => self.list.prepend(page),
                    Fetch::Last => {
                        self.list.bottom(page);
                        self.list.offset =
                            super::list::scroll_offset(self.list.selected, 0, self.visible_rows());
                    }
                    Fetch::Replace => {
                        let fresh = self.list.restart;
                        self.list.replace(page, total, before.as_deref());
                        self.list.total_more = more;
                        if fresh {
                            self.select_named_case();
                        }
                    }
                    // A new order around the selected case: it stays selected, on the same
                    // screen row.
                    Fetch::Around { above } => {
                        self.list.above = start;
                        self.list.kept = None;
                        self.list.restart = false;
                        self.list.replace(page, total, before.as_deref());
                        self.list.total_more = more;
                        self.list.offset = self.list.selected.saturating_sub(usize::from(above));
                    }
                }
                self.list
                    .take_waits(waits, !matches!(fetch, Fetch::Append | Fetch::Prepend));
                if self.list.selected_case_no() != before || self.detail.is_none() {
                    return self.request_detail().into_iter().collect();
                }
                Vec::new()
            }
            Reply::Counts(counts) => {
                let overdue = counts.get(Queue::Overdue);
                let mut effects = Vec::new();
                let first = self.overdue_at_open.is_none();
                // Someone who holds nothing lands in the queue their role works from.
                if first && self.tab == 0 && counts.get(Queue::MyCases) == 0 {
                    self.counts = Some(counts.clone());
                    let home = self.home_queue();
                    if home != 0 {
                        effects.extend(self.switch_tab(home));
                    }
                }
                match self.overdue_at_open {
                    None => self.overdue_at_open = Some(overdue),
                    Some(at_open) => {
                        let new = (overdue - at_open).max(0);
                        if new > self.new_overdue && self.setup.alert != Alert::Off {
                            effects.push(Effect::Alert(format!(
                                "permitdesk: {new} {}",
                                self.lang.t(T::NewOverdue)
                            )));
                        }
                        self.new_overdue = new;
                    }
                }
                self.counts = Some(counts);
                effects
            }
            Reply::Detail(detail) => {
                if generation != self.detail_generation {
                    return Vec::new();
                }
                self.detail = *detail;
                self.detail_settled()
            }
            Reply::Acted { key, result } => self.acted(key, *result),
            Reply::Bulk(results) => self.bulk_done(results),
            Reply::Assignees(names) => {
                if let Some(targets) = self.pending_assign.take() {
                    self.dialog = Some(Dialog::Assign(super::dialog::assign::Assign {
                        targets,
                        candidates: names,
                        selected: 0,
                    }));
                }
                Vec::new()
            }
            Reply::Changed(version) => {
                let changed = self.data_version.is_some_and(|v| v != version);
                self.data_version = Some(version);
                if !changed {
                    return Vec::new();
                }
                // Someone else's change may be an admin's to this user's account.
                let mut effects = self.reload();
                effects.push(self.ask_standing());
                effects
            }
            Reply::Standing { active } => self.standing(active),
            Reply::Drafts(drafts) => {
                // Read once, at startup: the reasons typed and not sent are said, newest first,
                // so that nobody forgets one.
                let mut unsent: Vec<ActionKey> = drafts
                    .iter()
                    .filter(|(_, _, text)| !text.trim().is_empty())
                    .map(|(case_no, action, _)| ActionKey::new(case_no, *action))
                    .collect();
                for (case_no, action, text) in drafts {
                    self.drafts
                        .entry(ActionKey { case_no, action })
                        .or_insert(text);
                }
                if !unsent.is_empty() && self.status.is_none() {
                    unsent.reverse();
                    let total = unsent.len();
                    unsent.truncate(UNSENT_NAMED);
                    self.say(self.lang.unsent_drafts(&unsent, total), false);
                }
                Vec::new()
            }
            Reply::DraftSaved => Vec::new(),
            Reply::Review { turn, detail } => self.review_turn(generation, turn, *detail),
            Reply::ReviewEnded(summary) => self.review_ended(*summary),
            Reply::Dashboard(part) => {
                if let Some(view) = self.dashboard.as_mut() {
                    view.receive(*part);
                }
                Vec::new()
            }
            // Taken by `App::update` before it comes here (`figure_arrived`).
            Reply::Figure(_) => Vec::new(),
            Reply::Visited { new_overdue, last } => {
                self.since_last_visit = Some((new_overdue, last));
                Vec::new()
            }
            // The runtime ends the console before a closed session reaches the app.
            Reply::Closed { .. } => Vec::new(),
            Reply::Failed(message) => {
                self.list.loading = false;
                self.say(message, true);
                let mut effects = self.review_failed(generation);
                if generation == self.detail_generation {
                    effects.extend(self.detail_settled());
                }
                effects
            }
        }
    }

    /// The reply to the action `key`: only that action's draft and pending text are touched,
    /// whatever else is waiting for the store.
    fn acted(
        &mut self,
        key: ActionKey,
        result: Result<crate::store::Outcome, ActFailure>,
    ) -> Vec<Effect> {
        let ok = result.is_ok();
        let case_no = key.case_no.clone();
        let disabled = matches!(
            &result,
            Err(ActFailure {
                why: crate::console::i18n::Why::Refused(crate::domain::Refusal::Inactive { user }),
                ..
            }) if *user == self.setup.user
        );
        let mut effects = self.acted_result(key, result);
        effects.extend(self.review_acted(&case_no, ok));
        if disabled {
            effects.extend(self.standing(false));
        }
        effects
    }

    fn acted_result(
        &mut self,
        key: ActionKey,
        result: Result<crate::store::Outcome, ActFailure>,
    ) -> Vec<Effect> {
        let pending = self.pending_texts.remove(&key);
        match result {
            Ok(outcome) => {
                // The store deleted the draft with the commit.
                self.drafts.remove(&key);
                self.list.keep_acted(&outcome.case);
                let text = format!(
                    "{}: {}",
                    outcome.case.case_no,
                    self.event_summary(&outcome.event)
                );
                self.say(text, false);
            }
            Err(failure) => {
                if let Some(text) = pending.filter(|t| !t.trim().is_empty()) {
                    self.drafts.insert(key.clone(), text);
                }
                let mut lines = vec![
                    crate::text::sanitize_line(&failure.why.say(self.lang, &failure.message))
                        .into_owned(),
                ];
                let title = if failure.conflict {
                    lines.insert(0, self.lang.t(T::ConflictBody).into());
                    self.lang.t(T::Conflict)
                } else {
                    self.lang.t(T::Refused)
                };
                if self.drafts.contains_key(&key) {
                    lines.push(self.lang.t(T::ReasonKept).into());
                }
                self.dialog = Some(Dialog::Message(Message::new(title, lines, true)));
            }
        }
        self.reload()
    }

    /// A new search's rows with the case its text names (a case number or its last digits):
    /// the cursor goes straight to it.
    fn select_named_case(&mut self) {
        if !self.is_searching() {
            return;
        }
        let typed = &self.search.text;
        if let Some(i) = self
            .list
            .rows
            .iter()
            .position(|r| crate::store::search::names_case_no(typed, &r.case_no))
        {
            self.list.selected = i;
            self.list.offset = super::list::scroll_offset(i, self.list.offset, self.visible_rows());
        }
    }

    /// What an event did, in words: `Pre-audit -> Review` (an arrow in Chinese), `claimed`, `assigned to chen.yu`.
    pub(super) fn event_summary(&self, e: &Event) -> String {
        let l = self.lang;
        if e.from == Some(e.to) {
            return match &e.action {
                Action::Claim => l.t(T::Claimed).to_string(),
                Action::Release => l.t(T::Released).to_string(),
                Action::Assign { assignee } => l.assigned_to(&crate::text::sanitize_line(assignee)),
                action => l.action_taken(action.kind()),
            };
        }
        l.stage_move(e.from, e.to)
    }

    fn bulk_done(&mut self, results: Vec<(String, Result<Event, ActFailure>)>) -> Vec<Effect> {
        let failed = results.iter().filter(|(_, r)| r.is_err()).count();
        let mut lines = vec![format!(
            "{} {}{}{} {}",
            results.len() - failed,
            self.lang.t(T::Done),
            self.lang.t(T::TitleComma),
            failed,
            self.lang.t(T::Failed)
        )];
        for (case_no, result) in &results {
            let what = match result {
                Ok(event) => self.event_summary(event),
                Err(f) => {
                    let why = f.why.say(self.lang, &f.message);
                    // The reason names the case itself; the line already starts with it.
                    without_case_prefix(&why, case_no).to_string()
                }
            };
            lines.push(format!(
                "{}  {}",
                crate::text::sanitize_line(case_no),
                crate::text::sanitize_line(&what)
            ));
        }
        // The cases that failed stay marked, to be looked at or tried again.
        let failed_cases: std::collections::HashSet<&str> = results
            .iter()
            .filter(|(_, r)| r.is_err())
            .map(|(no, _)| no.as_str())
            .collect();
        self.list
            .marked
            .retain(|no, _| failed_cases.contains(no.as_str()));
        self.dialog = Some(Dialog::Message(Message::new(
            self.lang.t(T::Done),
            lines,
            failed > 0,
        )));
        self.reload()
    }
}

/// `why` without a leading `CASE: ` (or `CASE：`).
pub(super) fn without_case_prefix<'a>(why: &'a str, case_no: &str) -> &'a str {
    why.strip_prefix(case_no)
        .and_then(|rest| rest.strip_prefix(':').or_else(|| rest.strip_prefix('：')))
        .map(str::trim_start)
        .filter(|rest| !rest.is_empty())
        .unwrap_or(why)
}
