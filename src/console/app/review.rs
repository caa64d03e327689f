//! Review sessions: `R` runs through the current queue and filter one case at a time, the most
//! urgent case the user may act on first, each claimed by the store as it is taken (so two
//! people never get the same one). One key acts, through the same dialogs as the table; then the
//! next case comes. `s` skips (the store releases the claim the session made), `q` ends the
//! session with its summary, which the store keeps for the workload report.
//!
//! What happens to the case on screen when the session ends: if the user acted on it, it stays
//! as the action left it; if not, the claim the session made is released (a case the user
//! already held before the session stays held), and it is not counted as skipped: only `s` is a
//! skip. A console that goes away without ending the
//! session (killed) leaves the case claimed by the user, in their My cases, never half-acted.

use super::dialog::{Dialog, Target};
use super::{App, Effect, Focus};
use crate::console::i18n::{Lang, T};
use crate::console::keymap::{Command, Context};
use crate::console::worker::{Detail, Job};
use crate::domain::review::{ReviewSummary, queue_has_claims};
use crate::domain::{ActionKind, Role, Stage};
use crate::store::review::{ReviewTurn, Taken};
use crate::store::{QueueQuery, Sort};
use crossterm::event::KeyEvent;

#[derive(Debug)]
pub struct Review {
    /// The store's number for the session, once it has started it.
    pub session: Option<i64>,
    /// The queue, filter and search the session runs on.
    pub query: QueueQuery,
    /// The case on screen.
    pub current: Option<Taken>,
    /// A turn (start, next, end) or an action on the case on screen is with the store: keys
    /// typed meanwhile wait for its answer, so that none lands on the case that is leaving.
    pub busy: bool,
    /// `q` was pressed, or nothing was left to take: the summary is on its way.
    pub ending: bool,
    pub handled: usize,
    pub skipped: usize,
    /// The generation of the store job the session waits for while `busy`.
    job: Option<u64>,
}

impl App {
    pub fn in_review(&self) -> bool {
        self.review.is_some()
    }

    /// Whose keys and hints are the screen's: a review session's, the dashboard's figures', the
    /// cases' behind a figure, or the main screen's.
    pub fn context(&self) -> Context {
        match &self.dashboard {
            _ if self.in_review() => Context::Review,
            Some(view) if view.opened.is_some() => Context::DashboardCases,
            Some(_) => Context::Dashboard,
            None => Context::Main,
        }
    }

    /// Keys wait while the session's store work is in flight.
    pub(super) fn review_busy(&self) -> bool {
        self.review.as_ref().is_some_and(|r| r.busy)
    }

    /// The case the screen shows: the session's, else the selection of the table on screen (a
    /// dashboard's list of cases, or the queue's); none while the dashboard shows its figures.
    pub fn shown_case_no(&self) -> Option<String> {
        match (&self.review, &self.dashboard) {
            (Some(review), _) => review.current.as_ref().map(|t| t.case_no.clone()),
            (None, Some(view)) => view.cases().and_then(|list| list.selected_case_no()),
            (None, None) => self.list.selected_case_no(),
        }
    }

    /// The case an action key acts on, as last seen: the session's case as its detail has it, or
    /// the table's selected row.
    pub(super) fn shown_target(&self) -> Option<Target> {
        match &self.review {
            Some(review) => {
                let case_no = &review.current.as_ref()?.case_no;
                let detail = self
                    .detail
                    .as_ref()
                    .filter(|d| &d.case.case_no == case_no)?;
                Some(Target::of_case(&detail.case))
            }
            None => match &self.dashboard {
                Some(view) => view.cases()?.selected_row().map(Target::of),
                None => self.list.selected_row().map(Target::of),
            },
        }
    }

    /// Why a review session cannot start here for this user, asked of the domain: a session
    /// takes its cases by claiming them, so it needs a role that may claim and a queue with
    /// claimable cases. `None` when it can.
    pub fn review_refusal(&self) -> Option<&'static str> {
        if self.disabled {
            return Some(self.lang.t(T::AccountDisabled));
        }
        if self.is_read_only() {
            return Some(self.lang.t(T::Viewer));
        }
        let claimers = [Stage::PreAudit, Stage::Review]
            .iter()
            .filter_map(|s| crate::domain::roles_for(*s, ActionKind::Claim))
            .flatten()
            .any(|r| *r != Role::System && self.has(*r));
        if !claimers {
            return Some(self.lang.t(T::ReviewNoRole));
        }
        if !self.is_searching() && !queue_has_claims(self.queue()) {
            return Some(self.lang.t(T::ReviewNoClaims));
        }
        None
    }

    /// `R`: asks whether a session can run here for this user, then asks the store for the
    /// first case.
    pub(super) fn start_review(&mut self) -> Vec<Effect> {
        if let Some(why) = self.review_refusal() {
            self.say(why, true);
            return Vec::new();
        }
        let mut query = self.query();
        // The most urgent first, whatever the table is sorted by.
        query.sort = Sort::default();
        self.review = Some(Review {
            session: None,
            query: query.clone(),
            current: None,
            busy: true,
            ending: false,
            handled: 0,
            skipped: 0,
            job: None,
        });
        self.say(self.lang.t(T::ReviewStarting), false);
        vec![self.review_job(Job::ReviewStart { query })]
    }

    /// A key in a review session, with no dialog open: the session's own keys, then acting,
    /// scrolling, help, the language and copying; anything else is answered with the keys
    /// that work here.
    pub(super) fn review_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        use Command::*;
        let command = self.setup.keymap.resolve(&key, Context::Review);
        match command.filter(|c| Context::Review.acts(*c)) {
            Some(Skip) => self.review_next(),
            Some(EndReview) => self.end_review(),
            // Whatever else acts here (`Context::Review`) does as on the main screen.
            Some(command) => self.command(command),
            None if command.is_some() => {
                self.say(self.lang.t(T::ReviewKeys), false);
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// `s`, or an action recorded: the store closes the case on screen and takes the next.
    pub(super) fn review_next(&mut self) -> Vec<Effect> {
        let Some(review) = self.review.as_mut() else {
            return Vec::new();
        };
        let Some(session) = review.session else {
            return Vec::new();
        };
        review.busy = true;
        let query = review.query.clone();
        vec![self.review_job(Job::ReviewNext { session, query })]
    }

    /// `q`: the session ends with its summary.
    pub(super) fn end_review(&mut self) -> Vec<Effect> {
        let Some(review) = self.review.as_mut() else {
            return Vec::new();
        };
        review.ending = true;
        review.busy = true;
        let Some(session) = review.session else {
            // Not started yet: its answer ends it.
            return Vec::new();
        };
        let user = self.setup.user.clone();
        let today = self.setup.today;
        vec![self.review_job(Job::ReviewEnd {
            session,
            user,
            today,
        })]
    }

    /// Sends a job the session waits for.
    fn review_job(&mut self, job: Job) -> Effect {
        let effect = self.job(job);
        if let (Effect::Store(ticket), Some(review)) = (&effect, self.review.as_mut()) {
            review.job = Some(ticket.generation);
        }
        effect
    }

    /// The job ending the session when the console closes with one running (`None` when it has
    /// ended or is already ending): the case on screen is released unless it was acted on.
    pub(super) fn review_end_on_close(&mut self) -> Option<Effect> {
        let review = self.review.as_mut()?;
        let session = review.session?;
        if review.ending {
            return None;
        }
        review.ending = true;
        let user = self.setup.user.clone();
        let today = self.setup.today;
        Some(self.review_job(Job::ReviewEnd {
            session,
            user,
            today,
        }))
    }

    /// An action on the session's case is being sent (job `generation`): keys wait for it and
    /// the next case.
    pub(super) fn review_acting(&mut self, case_no: &str, generation: u64) {
        if let Some(review) = self.review.as_mut() {
            if review
                .current
                .as_ref()
                .is_some_and(|t| t.case_no == case_no)
            {
                review.busy = true;
                review.job = Some(generation);
            }
        }
    }

    /// The action on the session's case was recorded (`Ok`) or refused: the next case comes,
    /// or the case stays for another try or a skip.
    pub(super) fn review_acted(&mut self, case_no: &str, recorded: bool) -> Vec<Effect> {
        let on_screen = self
            .review
            .as_ref()
            .is_some_and(|r| r.current.as_ref().is_some_and(|t| t.case_no == case_no));
        if !on_screen {
            return Vec::new();
        }
        if recorded {
            return self.review_next();
        }
        if let Some(review) = self.review.as_mut() {
            review.busy = false;
        }
        self.replay_held_keys()
    }

    /// The store's turn: the next case with its detail, or none left (the session ends).
    pub(super) fn review_turn(
        &mut self,
        generation: u64,
        turn: ReviewTurn,
        detail: Option<Detail>,
    ) -> Vec<Effect> {
        let Some(review) = self.review.as_mut() else {
            return Vec::new();
        };
        review.session = Some(turn.session);
        review.handled = turn.handled;
        review.skipped = turn.skipped;
        if review.ending {
            // `q` came before the session had started.
            return self.end_review();
        }
        match turn.taken {
            Some(taken) => {
                review.current = Some(taken);
                review.busy = false;
                self.detail = detail;
                // A detail asked for before this turn is of the case that left.
                self.detail_generation = generation;
                self.detail_scroll = 0;
                self.focus = Focus::Detail;
                if self.status.as_ref().is_some_and(|s| !s.error) {
                    self.status = None;
                }
                self.replay_held_keys()
            }
            None => {
                review.current = None;
                self.held_keys.clear();
                self.end_review()
            }
        }
    }

    /// The session ended: its summary, or in words why there was nothing to take.
    pub(super) fn review_ended(&mut self, summary: ReviewSummary) -> Vec<Effect> {
        let Some(review) = self.review.take() else {
            return Vec::new();
        };
        self.held_keys.clear();
        self.focus = Focus::List;
        self.detail_scroll = 0;
        if summary.steps.is_empty() {
            let why = self
                .lang
                .review_nothing(review.query.queue, review.query.filter);
            self.say(why, true);
        } else {
            self.dialog = Some(Dialog::Message(super::dialog::message::Message::new(
                self.lang.t(T::ReviewEnded),
                summary_lines(&summary, self.lang),
                false,
            )));
        }
        self.list.from_top();
        self.reload()
    }

    /// Job `generation` failed in the store (said by the caller): if the session waited for it,
    /// keys work again, and a session that cannot go on ends here. The store is asked whether
    /// the user may still act: a session refused because an admin disabled them ends with its
    /// summary.
    pub(super) fn review_failed(&mut self, generation: u64) -> Vec<Effect> {
        let Some(review) = self.review.as_mut() else {
            return Vec::new();
        };
        if review.job != Some(generation) {
            return Vec::new();
        }
        review.busy = false;
        if review.ending || review.current.is_none() {
            self.review = None;
            self.focus = Focus::List;
            self.held_keys.clear();
        }
        vec![self.ask_standing()]
    }

    /// Asks the store whether the user may still act.
    pub(super) fn ask_standing(&mut self) -> Effect {
        let user = self.setup.user.clone();
        self.job(Job::Standing { user })
    }

    /// The store's answer on the user's account. Disabled: said once, every action is refused
    /// at its key from now on, and a running session ends with its summary (the store ended it
    /// with the disable and released its claims). Enabled again: the console acts again.
    pub(super) fn standing(&mut self, active: bool) -> Vec<Effect> {
        if active || self.disabled {
            self.disabled = !active;
            return Vec::new();
        }
        self.disabled = true;
        self.held_keys.clear();
        self.say(self.lang.t(T::AccountDisabled), true);
        // Text being typed is kept as a draft, as when the connection drops.
        let mut effects: Vec<Effect> = self.flush_draft().into_iter().collect();
        if self.review.as_ref().is_some_and(|r| !r.ending) {
            effects.extend(self.end_review());
        }
        effects
    }

    fn replay_held_keys(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut held = std::mem::take(&mut self.held_keys).into_iter();
        while let Some(key) = held.next() {
            effects.extend(self.key(key));
            if self.review_busy() || self.waiting_for_detail.is_some() {
                // The rest waits for the store again.
                self.held_keys.extend(held);
                break;
            }
        }
        effects
    }
}

/// The summary, line by line: the counts, each action's count, the median time per handled case
/// and the skipped cases.
pub fn summary_lines(summary: &ReviewSummary, lang: Lang) -> Vec<String> {
    let handled = summary.handled();
    let skipped = summary.skipped();
    let mut lines = vec![lang.review_counts(handled, skipped.len(), false)];
    for ((stage, action), n) in summary.by_action() {
        let words = lang.review_outcome(stage, action);
        let fill = 24usize.saturating_sub(unicode_width::UnicodeWidthStr::width(words));
        lines.push(format!("  {words}{} {n:>4}", " ".repeat(fill)));
    }
    if let Some(ms) = summary.median_millis() {
        lines.push(lang.labelled(lang.t(T::ReviewMedian), &lang.duration(ms)));
    }
    if !skipped.is_empty() {
        let sep = lang.t(T::ListSep);
        let cases = skipped
            .iter()
            .map(|no| crate::text::sanitize_line(no).into_owned())
            .collect::<Vec<_>>()
            .join(sep);
        lines.push(lang.labelled(lang.t(T::ReviewSkipped), &cases));
    }
    lines.push(lang.t(T::ReviewKept).to_string());
    lines
}
