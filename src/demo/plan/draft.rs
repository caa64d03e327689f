//! The steps to a case's goal, stage by stage: each stage adds its steps and breaks off once the
//! goal is reached. Open goals pin one step so that today sees the wanted timer state.

mod entry;
mod review;

use super::{approver, chance, pick, recent, start_offset};
use crate::demo::goals::{At, Goal, State};
use crate::demo::texts::{
    NOT_ACCEPTED, PRE_AUDIT_RETURNS, RESTART, WITHDRAW_ASKED, WITHDRAW_UPSTREAM,
};
use crate::demo::timeline::{Draft, Env, Gap, Op, Who};
use crate::domain::{Category, Kind};
use std::ops::ControlFlow::{self, Break, Continue};
use std::ops::{Range, RangeInclusive};

/// What the stages of one draft share.
struct Drafting<'a> {
    rng: &'a mut fastrand::Rng,
    env: &'a Env,
    goal: Goal,
    category: Category,
    draft: Draft,
    /// Documents found deficient at pre-audit (bit per entry of `DOCUMENTS`).
    bad: u8,
    /// The approver slot that claims and accepts the case.
    approver: u8,
    supervisor: u8,
    clerk: u8,
}

/// The steps to a goal, and the documents found deficient on the way.
pub(super) fn draft(
    rng: &mut fastrand::Rng,
    env: &Env,
    goal: Goal,
    kind: Kind,
    category: Category,
    legacy: bool,
    entered_first: bool,
) -> (Draft, u8) {
    let approver = approver(rng);
    let supervisor = rng.u8(0..2);
    let clerk = rng.u8(0..2);
    let mut drafting = Drafting {
        rng,
        env,
        goal,
        category,
        draft: Draft::default(),
        bad: 0,
        approver,
        supervisor,
        clerk,
    };
    let _ = drafting.stages(kind, legacy, entered_first);
    (drafting.draft, drafting.bad)
}

impl Drafting<'_> {
    fn stages(&mut self, kind: Kind, legacy: bool, entered_first: bool) -> ControlFlow<()> {
        self.draft.push(Op::Submit, Who::System, Gap::Cal(0));
        if legacy {
            self.legacy_restart()?;
        }
        let accept = self.pre_audit()?;
        let reviewer = self.review(accept)?;
        self.decision(reviewer, kind)?;
        let sign_step = self.notified()?;
        self.entry(sign_step, entered_first)?;
        self.verification()
    }

    /// Claimed before the reform and returned so the employer restarts on the new process.
    fn legacy_restart(&mut self) -> ControlFlow<()> {
        let holder = Who::Approver(self.approver);
        // Within the restarted pre-audit's five working days (issue 15, defect 9).
        let claimed = Gap::After(self.env.policy.changeover, self.rng.u8(0..3));
        self.draft.push(Op::Claim, holder, claimed);
        let returned = Gap::Wd(self.rng.u8(0..2));
        self.draft.push(Op::Return(RESTART), holder, returned);
        if let Goal::Returned { .. } = self.goal {
            return Break(());
        }
        let resubmitted = Gap::Cal(self.rng.u16(3..=30));
        self.draft.push(Op::Resubmit, Who::System, resubmitted);
        Continue(())
    }

    /// Up to acceptance; continues with the accepting step.
    fn pre_audit(&mut self) -> ControlFlow<(), usize> {
        if let Goal::PreAudit {
            due,
            claimed,
            after_return,
        } = self.goal
        {
            self.open_pre_audit(due, claimed, after_return);
            return Break(());
        }
        self.claim(self.approver, 0..3);
        self.closed_at_pre_audit()?;
        let withdrawn = self.goal == Goal::Withdrawn(At::Returned);
        let pre_return = chance(self.rng, 15) || withdrawn;
        if pre_return {
            self.pre_audit_return();
            if withdrawn {
                self.withdraw_upstream(3..=25);
                return Break(());
            }
            self.resubmit(1..=12);
            self.claim(self.approver, 0..2);
        }
        let holder = Who::Approver(self.approver);
        let gap = Gap::Wd(self.rng.u8(0..3));
        Continue(self.draft.push(Op::Accept, holder, gap))
    }

    /// Waiting at pre-audit (perhaps after a return), its timer started on a wanted day.
    fn open_pre_audit(&mut self, due: State, claimed: bool, after_return: bool) {
        let budget = self.env.policy.pre_audit_working_days as usize;
        if after_return {
            self.claim(self.approver, 0..2);
            self.pre_audit_return();
            self.resubmit(1..=10);
        }
        let starts = &self.env.working[budget].by_state;
        let off = start_offset(self.rng, self.env, starts, due, false);
        self.draft.pin_last(self.env.ago(off));
        if claimed {
            self.claim(self.approver, 0..2);
        }
    }

    /// Returned, not accepted or withdrawn at pre-audit.
    fn closed_at_pre_audit(&mut self) -> ControlFlow<()> {
        let holder = Who::Approver(self.approver);
        match self.goal {
            Goal::Returned { from_review: false } => {
                self.pre_audit_return();
                let day = self.env.ago(recent(self.rng, 14, 45, 120));
                self.draft.pin_last(day);
            }
            Goal::NotAccepted => {
                let op = Op::NotAccept(pick(self.rng, NOT_ACCEPTED));
                let gap = Gap::Wd(self.rng.u8(0..3));
                self.draft.push(op, holder, gap);
            }
            Goal::Withdrawn(At::PreAudit) => {
                let op = Op::Withdraw(pick(self.rng, WITHDRAW_ASKED));
                let gap = Gap::Wd(self.rng.u8(0..3));
                self.draft.push(op, holder, gap);
            }
            _ => return Continue(()),
        }
        Break(())
    }

    /// The approver claims, or now and then a supervisor hands the case out instead.
    fn claim(&mut self, slot: u8, gaps: Range<u8>) {
        let gap = Gap::Wd(self.rng.u8(gaps));
        if chance(self.rng, 8) {
            let supervisor = Who::Supervisor(self.supervisor);
            self.draft.push(Op::Assign(slot), supervisor, gap);
        } else {
            self.draft.push(Op::Claim, Who::Approver(slot), gap);
        }
    }

    /// The approver returns the application for deficient documents.
    fn pre_audit_return(&mut self) {
        let (why, docs) = pick(self.rng, PRE_AUDIT_RETURNS);
        self.bad |= docs;
        let holder = Who::Approver(self.approver);
        let gap = Gap::Wd(self.rng.u8(0..2));
        self.draft.push(Op::Return(why), holder, gap);
    }

    /// The employer resubmits online, or now and then an admin keys it in.
    fn resubmit(&mut self, days: RangeInclusive<u16>) {
        let who = if chance(self.rng, 92) {
            Who::System
        } else {
            Who::Admin
        };
        let gap = Gap::Cal(self.rng.u16(days));
        self.draft.push(Op::Resubmit, who, gap);
    }

    /// The employer withdraws through the upstream system.
    fn withdraw_upstream(&mut self, days: RangeInclusive<u16>) {
        let op = Op::Withdraw(WITHDRAW_UPSTREAM);
        let gap = Gap::Cal(self.rng.u16(days));
        self.draft.push(op, Who::System, gap);
    }
}
