//! Review after acceptance, the recommendation and the supervisor's decision.

use super::Drafting;
use crate::demo::goals::{At, Goal, State};
use crate::demo::plan::{approver, chance, permille, pick, recent, start_offset};
use crate::demo::texts::{
    EXTENSIONS, NOTES, RECOMMEND_NOTES, REFUSE_REASONS, REVIEW_RETURNS, SEND_BACKS,
    SIGN_AGAINST_APPROVAL, SIGN_AGAINST_REFUSAL, SIGN_NOTES, SIGN_REFUSE, WITHDRAW_ASKED,
};
use crate::demo::timeline::{Gap, Op, Who};
use crate::domain::case::Verdict;
use crate::domain::{Category, Kind};
use std::ops::ControlFlow::{self, Break, Continue};
use std::ops::Range;

impl Drafting<'_> {
    /// Up to the recommendation; continues with the reviewer.
    pub(super) fn review(&mut self, accept: usize) -> ControlFlow<(), Who> {
        let reviewer = self.reviewer();
        self.open_review(accept, reviewer)?;
        self.review_claim(reviewer, 0..4);
        if chance(self.rng, 7) {
            let op = Op::Return(pick(self.rng, REVIEW_RETURNS));
            let gap = Gap::Wd(self.rng.u8(1..4));
            self.draft.push(op, reviewer, gap);
            self.resubmit(2..=15);
            self.review_claim(reviewer, 0..2);
        }
        if chance(self.rng, 5) {
            let op = Op::Note(pick(self.rng, NOTES));
            let gap = Gap::Wd(self.rng.u8(0..2));
            self.draft.push(op, reviewer, gap);
        }
        if self.goal == Goal::Withdrawn(At::Review) {
            let op = Op::Withdraw(pick(self.rng, WITHDRAW_ASKED));
            let gap = Gap::Wd(self.rng.u8(1..4));
            self.draft.push(op, reviewer, gap);
            return Break(());
        }
        if chance(self.rng, 4) {
            let days = self.rng.u8(3..=10);
            self.extend(days);
        }
        Continue(reviewer)
    }

    /// The recommendation and the signature; breaks unless a Notification follows.
    pub(super) fn decision(&mut self, reviewer: Who, kind: Kind) -> ControlFlow<()> {
        let refused = self.goal == Goal::Refused;
        // Rarely the supervisor signs against the recommendation.
        let against = if refused {
            chance(self.rng, 15)
        } else {
            permille(self.rng, 5)
        };
        let recommendation = self.recommendation(refused != against);
        let gap = self.recommend_gap();
        self.draft.push(recommendation, reviewer, gap);
        if chance(self.rng, 3) {
            self.send_back();
            let gap = Gap::Wd(self.rng.u8(1..4));
            self.draft.push(recommendation, reviewer, gap);
        }
        // A supervisor who reviewed is never the signer: the other one signs.
        let signer = Who::Supervisor(self.supervisor);
        let sign = match (refused, against) {
            (true, false) => Op::Sign(Verdict::Refuse, SIGN_REFUSE),
            (true, true) => Op::Sign(Verdict::Refuse, SIGN_AGAINST_APPROVAL),
            (false, true) => Op::Sign(Verdict::Approve, SIGN_AGAINST_REFUSAL),
            (false, false) => Op::Sign(Verdict::Approve, pick(self.rng, SIGN_NOTES)),
        };
        let gap = Gap::Wd(self.rng.u8(0..3));
        self.draft.push(sign, signer, gap);
        if refused || !kind.issues_notification() {
            return Break(());
        }
        Continue(())
    }

    /// Mostly the approver who accepted, now and then another, rarely the other supervisor.
    fn reviewer(&mut self) -> Who {
        if chance(self.rng, 4) {
            Who::Supervisor(1 - self.supervisor)
        } else if chance(self.rng, 70) {
            Who::Approver(self.approver)
        } else {
            Who::Approver(approver(self.rng))
        }
    }

    /// Goals open in review or returned from it.
    fn open_review(&mut self, accept: usize, reviewer: Who) -> ControlFlow<()> {
        match self.goal {
            Goal::Review {
                due,
                claimed,
                extended,
                sent_back,
            } => {
                let extension = self.pin_decision(accept, due, extended);
                if claimed || sent_back {
                    self.review_claim(reviewer, 0..3);
                }
                if extended {
                    self.extend(extension);
                }
                if sent_back {
                    let op = Op::Recommend(Verdict::Approve, "");
                    let gap = self.recommend_gap();
                    self.draft.push(op, reviewer, gap);
                    self.send_back();
                }
            }
            Goal::Decision {
                refuse,
                due,
                extended,
            } => {
                let extension = self.pin_decision(accept, due, extended);
                self.review_claim(reviewer, 0..3);
                if extended {
                    self.extend(extension);
                }
                let op = self.recommendation(refuse);
                let gap = self.recommend_gap();
                self.draft.push(op, reviewer, gap);
            }
            Goal::Returned { from_review: true } => {
                self.review_claim(reviewer, 0..2);
                let op = Op::Return(pick(self.rng, REVIEW_RETURNS));
                let gap = Gap::Wd(self.rng.u8(1..3));
                self.draft.push(op, reviewer, gap);
                let day = self.env.ago(recent(self.rng, 14, 40, 90));
                self.draft.pin_last(day);
            }
            _ => return Continue(()),
        }
        Break(())
    }

    /// Pins acceptance so the decision timer (with any extension) is `due` today; returns the
    /// extension.
    fn pin_decision(&mut self, accept: usize, due: State, extended: bool) -> u8 {
        let extension = if extended { self.rng.u8(3..=10) } else { 0 };
        let budget = self.env.decision_budget(self.category, extension);
        let starts = &self.env.working[budget].by_state;
        let off = start_offset(self.rng, self.env, starts, due, true);
        self.draft.anchor = Some((accept, self.env.ago(off)));
        extension
    }

    fn review_claim(&mut self, reviewer: Who, gaps: Range<u8>) {
        match reviewer {
            Who::Approver(slot) => self.claim(slot, gaps),
            who => {
                let gap = Gap::Wd(self.rng.u8(gaps));
                self.draft.push(Op::Claim, who, gap);
            }
        }
    }

    fn recommendation(&mut self, refuse: bool) -> Op {
        if refuse {
            Op::Recommend(Verdict::Refuse, pick(self.rng, REFUSE_REASONS))
        } else {
            Op::Recommend(Verdict::Approve, pick(self.rng, RECOMMEND_NOTES))
        }
    }

    /// Category A cases are recommended quickly.
    fn recommend_gap(&mut self) -> Gap {
        if self.category == Category::A {
            Gap::Wd(self.rng.u8(0..3))
        } else {
            Gap::Wd(self.rng.u8(1..7))
        }
    }

    fn extend(&mut self, days: u8) {
        let op = Op::Extend(days, pick(self.rng, EXTENSIONS));
        let gap = Gap::Wd(self.rng.u8(1..3));
        self.draft.push(op, Who::Supervisor(self.supervisor), gap);
    }

    fn send_back(&mut self) {
        let op = Op::SendBack(pick(self.rng, SEND_BACKS));
        let gap = Gap::Wd(self.rng.u8(0..2));
        self.draft.push(op, Who::Supervisor(self.supervisor), gap);
    }
}
