//! Review sessions: a run through a queue, one case after another. Which case a session may take
//! (the claim decides, so two people never get the same one), and what its summary says.

use super::action::Actor;
use super::deadline::Policy;
use super::model::ActionKind;
use super::model::Stage;
use super::precheck::{Holding, holding_refusal};
use super::queue::Queue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a session holds a case it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Nobody holds it and the user may claim it: the session claims it.
    Claim,
    /// The user already holds it (claimed before the session): taken as it is, and left held.
    Held,
}

/// Whether a review session of `actor` may take the case `holding` describes, and how. Only cases
/// that are claimed can be taken (pre-audit and review): the claim is what keeps two sessions
/// apart. A case someone else holds is never taken.
pub fn pick(holding: Holding<'_>, actor: &Actor, policy: &Policy) -> Option<Pick> {
    if !holding.stage.is_claimable() {
        return None;
    }
    match holding.assignee {
        None => holding_refusal(holding, actor, ActionKind::Claim, policy)
            .ok()
            .map(|()| Pick::Claim),
        // Held by the user: taken when they may act on it as its holder (returning it is open
        // to every role that may claim, in both stages).
        Some(holder) if holder == actor.name => {
            holding_refusal(holding, actor, ActionKind::Return, policy)
                .ok()
                .map(|()| Pick::Held)
        }
        Some(_) => None,
    }
}

/// Whether a queue can hold a case a session may take: one of the claimable stages' queues, or a
/// queue across stages (My cases, Overdue, All) that may hold some.
pub fn queue_has_claims(queue: Queue) -> bool {
    queue.stage().is_none_or(Stage::is_claimable) && queue != Queue::Closed
}

/// One case of a session: the stage it was in when taken, the action the user took on it (the
/// audit event's name) or `None`, whether the user skipped it (`s`), and how long it was on
/// screen. A case on screen when the session ended and not acted on is neither handled nor
/// skipped: the user did not skip it, they stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewStep {
    pub case_no: String,
    pub stage: Stage,
    pub outcome: Option<ActionKind>,
    pub skipped: bool,
    pub millis: i64,
}

/// What a finished session did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub session: i64,
    pub user: String,
    pub steps: Vec<ReviewStep>,
}

impl ReviewSummary {
    /// Cases acted on.
    pub fn handled(&self) -> usize {
        self.steps.iter().filter(|s| s.outcome.is_some()).count()
    }

    /// The cases skipped (`s`), in the order they came.
    pub fn skipped(&self) -> Vec<&str> {
        self.steps
            .iter()
            .filter(|s| s.skipped && s.outcome.is_none())
            .map(|s| s.case_no.as_str())
            .collect()
    }

    /// Cases handled per action, as (stage taken in, action name): approving in pre-audit is
    /// accepting, in review recommending.
    pub fn by_action(&self) -> BTreeMap<(Stage, ActionKind), usize> {
        let mut counts = BTreeMap::new();
        for step in &self.steps {
            if let Some(action) = step.outcome {
                *counts.entry((step.stage, action)).or_insert(0) += 1;
            }
        }
        counts
    }

    /// The median time a handled case was on screen.
    pub fn median_millis(&self) -> Option<i64> {
        median(
            self.steps
                .iter()
                .filter(|s| s.outcome.is_some())
                .map(|s| s.millis)
                .collect(),
        )
    }
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn actor(name: &str, roles: &[Role]) -> Actor {
        Actor {
            name: name.into(),
            roles: roles.to_vec(),
            active: true,
        }
    }

    fn holding(stage: Stage, assignee: Option<&'static str>) -> Holding<'static> {
        Holding {
            case_no: "GZ2026-000001",
            stage,
            assignee,
            recommended_by: None,
        }
    }

    #[test]
    fn a_session_takes_unclaimed_or_own_cases_in_claimable_stages_only() {
        let li = actor("li.wei", &[Role::Approver]);
        let policy = Policy::default();
        let cases = [
            (Stage::PreAudit, None, Some(Pick::Claim)),
            (Stage::Review, None, Some(Pick::Claim)),
            (Stage::PreAudit, Some("li.wei"), Some(Pick::Held)),
            (Stage::PreAudit, Some("chen.yu"), None),
            (Stage::Decision, None, None),
            (Stage::Verification, None, None),
        ];
        for (stage, holder, expected) in cases {
            assert_eq!(
                pick(holding(stage, holder), &li, &policy),
                expected,
                "{stage:?} held by {holder:?}"
            );
        }
        let clerk = actor("liu.yang", &[Role::Clerk]);
        assert_eq!(pick(holding(Stage::PreAudit, None), &clerk, &policy), None);
        let viewer = actor("audit.he", &[Role::Viewer]);
        assert_eq!(pick(holding(Stage::Review, None), &viewer, &policy), None);
    }

    #[test]
    fn sessions_run_on_queues_that_hold_claimable_cases() {
        assert!(queue_has_claims(Queue::PreAudit));
        assert!(queue_has_claims(Queue::Review));
        assert!(queue_has_claims(Queue::MyCases));
        assert!(queue_has_claims(Queue::Overdue));
        assert!(!queue_has_claims(Queue::Decision));
        assert!(!queue_has_claims(Queue::Verification));
        assert!(!queue_has_claims(Queue::Closed));
    }

    #[test]
    fn the_summary_counts_per_action_and_takes_the_median_of_handled_cases() {
        let step = |no: &str, stage, outcome: Option<ActionKind>, millis| ReviewStep {
            case_no: no.into(),
            stage,
            outcome,
            skipped: outcome.is_none(),
            millis,
        };
        let summary = ReviewSummary {
            session: 1,
            user: "li.wei".into(),
            steps: vec![
                step("A", Stage::PreAudit, Some(ActionKind::Approve), 40_000),
                step("B", Stage::PreAudit, None, 1_000),
                step("C", Stage::PreAudit, Some(ActionKind::Approve), 10_000),
                step("D", Stage::Review, Some(ActionKind::Approve), 30_000),
                step("E", Stage::PreAudit, Some(ActionKind::Return), 90_000),
                // On screen when the session ended: neither handled nor skipped.
                ReviewStep {
                    skipped: false,
                    ..step("F", Stage::Review, None, 3_000)
                },
            ],
        };
        assert_eq!(summary.handled(), 4);
        assert_eq!(summary.skipped(), vec!["B"]);
        let counts = summary.by_action();
        assert_eq!(counts[&(Stage::PreAudit, ActionKind::Approve)], 2);
        assert_eq!(counts[&(Stage::Review, ActionKind::Approve)], 1);
        assert_eq!(counts[&(Stage::PreAudit, ActionKind::Return)], 1);
        // The skipped case's second does not count: (30 + 40) / 2.
        assert_eq!(summary.median_millis(), Some(35_000));
        assert_eq!(median(vec![3, 1, 2]), Some(2));
        assert_eq!(median(Vec::new()), None);
    }
}
