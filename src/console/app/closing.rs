//! Quitting never loses a submitted write. A quit asked while actions or drafts are still with
//! the store worker waits for their replies ("saving…"), with the keyboard inert, and what they
//! did is kept in `farewell` for the runtime to print once the terminal is restored: the screen
//! that would have shown it is gone by then.

use super::replies::without_case_prefix;
use super::{App, Effect, Msg};
use crate::console::i18n::T;
use crate::console::worker::{ActFailure, ActionKey, Job, Reply};
use crate::text::sanitize_line;

/// A write the store worker has not answered yet.
#[derive(Debug, Clone)]
pub(super) enum Write {
    Act(ActionKey),
    Bulk,
    Draft(ActionKey),
    Visit,
    /// A review session's turn: it claims or releases cases.
    Review,
}

impl Write {
    fn of(job: &Job) -> Option<Write> {
        Some(match job {
            Job::Act { request } => Write::Act(ActionKey::of(request)),
            Job::Bulk { .. } => Write::Bulk,
            Job::SaveDraft {
                case_no, action, ..
            } => Write::Draft(ActionKey::new(case_no, *action)),
            Job::Visit { .. } => Write::Visit,
            Job::ReviewStart { .. } | Job::ReviewNext { .. } | Job::ReviewEnd { .. } => {
                Write::Review
            }
            _ => return None,
        })
    }
}

impl App {
    /// Notes a job about to be sent, if it writes.
    pub(super) fn track(&mut self, generation: u64, job: &Job) {
        let Some(write) = Write::of(job) else {
            return;
        };
        if let Write::Draft(key) = &write {
            // The worker skips a draft save that a newer one of the same text supersedes: only
            // the newer one is answered.
            self.writes
                .retain(|(_, w)| !matches!(w, Write::Draft(k) if k == key));
        }
        self.writes.push((generation, write));
    }

    /// Writes sent to the store worker and not yet answered.
    pub fn writes_in_flight(&self) -> usize {
        self.writes.len()
    }

    /// Quits now, or once every write in flight is answered (the runtime calls it too, on a
    /// hang-up or SIGTERM).
    pub fn close(&mut self) -> Vec<Effect> {
        // The draft typed since the last tick is saved first, and waited for like any write.
        let mut effects: Vec<Effect> = self.flush_draft().into_iter().collect();
        // A running review session ends: the case on screen is released unless acted on.
        effects.extend(self.review_end_on_close());
        if self.writes.is_empty() {
            self.quit = true;
            return vec![Effect::Quit];
        }
        self.closing = true;
        self.dialog = None;
        self.search.typing = false;
        effects
    }

    /// The write a reply answers, no longer in flight.
    pub(super) fn answered(&mut self, generation: u64) -> Option<Write> {
        let i = self.writes.iter().position(|(g, _)| *g == generation)?;
        Some(self.writes.remove(i).1)
    }

    /// Messages while closing: replies to writes are noted, nothing else is asked of the store,
    /// keys do nothing, and the last answer quits.
    pub(super) fn closing_update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Resize(w, h) => self.size = (w, h),
            Msg::Reply { generation, reply } => {
                let mut effects = Vec::new();
                if let Reply::Review { turn, .. } = &reply {
                    // A session that started or moved on while closing: it ends too.
                    if let Some(review) = self.review.as_mut().filter(|r| r.session.is_none()) {
                        review.session = Some(turn.session);
                        review.ending = false;
                    }
                    effects.extend(self.review_end_on_close());
                }
                if let Some(write) = self.answered(generation) {
                    let lines = self.farewell_lines(write, reply);
                    self.farewell.extend(lines);
                }
                if self.writes.is_empty() {
                    self.quit = true;
                    return vec![Effect::Quit];
                }
                return effects;
            }
            Msg::Key(_) | Msg::Paste(_) | Msg::Tick => {}
        }
        Vec::new()
    }

    /// What an answered write did, in words, one line per case.
    fn farewell_lines(&mut self, write: Write, reply: Reply) -> Vec<String> {
        let l = self.lang;
        match (write, reply) {
            (Write::Act(_), Reply::Acted { key, result }) => {
                let pending = self.pending_texts.remove(&key);
                match *result {
                    Ok(outcome) => vec![self.recorded(&outcome.case.case_no, &outcome.event)],
                    Err(failure) => {
                        let mut line = self.not_recorded(&key, &failure);
                        if pending.is_some_and(|text| !text.trim().is_empty()) {
                            line.push(' ');
                            line.push_str(l.t(T::ReasonKept));
                        }
                        vec![line]
                    }
                }
            }
            (Write::Bulk, Reply::Bulk(results)) => results
                .iter()
                .map(|(case_no, result)| match result {
                    Ok(event) => self.recorded(case_no, event),
                    Err(failure) => {
                        let why = failure.why.say(l, &failure.message);
                        format!(
                            "{}: {}: {}",
                            sanitize_line(case_no),
                            l.t(T::NotRecorded),
                            sanitize_line(without_case_prefix(&why, case_no))
                        )
                    }
                })
                .collect(),
            (Write::Draft(key), Reply::Failed(message)) => vec![format!(
                "{}: {} ({}): {}",
                sanitize_line(&key.case_no),
                l.t(T::DraftNotSaved),
                l.action(key.action),
                sanitize_line(&message)
            )],
            (Write::Review, Reply::ReviewEnded(summary)) => {
                let skipped = summary.skipped().len();
                vec![l.labelled(
                    l.t(T::ReviewEnded),
                    &l.review_counts(summary.handled(), skipped, false),
                )]
            }
            (Write::Act(key), Reply::Failed(message)) => vec![format!(
                "{}: {}: {}",
                sanitize_line(&key.case_no),
                l.t(T::NotRecorded),
                sanitize_line(&message)
            )],
            _ => Vec::new(),
        }
    }

    fn recorded(&self, case_no: &str, event: &crate::domain::Event) -> String {
        let (case_no, action) = (
            sanitize_line(case_no),
            self.lang.action(event.action.kind()),
        );
        let summary = self.event_summary(event);
        self.lang.recorded(&case_no, action, &summary)
    }

    fn not_recorded(&self, key: &ActionKey, failure: &ActFailure) -> String {
        let why = failure.why.say(self.lang, &failure.message);
        let why = sanitize_line(without_case_prefix(&why, &key.case_no));
        let (case_no, action) = (sanitize_line(&key.case_no), self.lang.action(key.action));
        self.lang.not_recorded(&case_no, action, &why)
    }
}
