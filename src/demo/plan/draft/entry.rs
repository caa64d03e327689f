//! After the Notification: entry, the e-card, and on-site verification within the window.

use super::Drafting;
use crate::demo::goals::{At, Goal};
use crate::demo::plan::{chance, pick, recent, start_offset};
use crate::demo::texts::{LAPSES, REOPENS, VERIFY_RETURNS};
use crate::demo::timeline::{Gap, Op, Who};
use crate::domain::Category;
use std::ops::ControlFlow::{self, Break, Continue};
use std::ops::RangeInclusive;

impl Drafting<'_> {
    /// Notified and waiting for entry; continues with the signing step.
    pub(super) fn notified(&mut self) -> ControlFlow<(), usize> {
        let sign_step = self.draft.last();
        match self.goal {
            Goal::Notified => {
                let day = self.env.ago(recent(self.rng, 30, 75, 150));
                self.draft.pin_last(day);
            }
            Goal::Withdrawn(At::Notified) => {
                self.withdraw_upstream(20..=120);
            }
            _ => return Continue(sign_step),
        }
        Break(())
    }

    /// The applicant enters (unless already in China) and the entry is recorded; breaks for
    /// category A, which is not verified on site.
    pub(super) fn entry(&mut self, sign_step: usize, entered_first: bool) -> ControlFlow<()> {
        let recorder = if chance(self.rng, 70) {
            Who::Clerk(self.clerk)
        } else {
            Who::System
        };
        if entered_first {
            // Signing took the case straight to verification (or completed category A): the
            // entry is on file already.
            self.pin_window(sign_step, true);
            if self.category == Category::A {
                return Break(());
            }
            if chance(self.rng, 50) {
                let gap = Gap::Cal(self.rng.u16(1..=8));
                self.draft.push(Op::ECard, Who::System, gap);
            }
            return Continue(());
        }
        let gap = Gap::Cal(self.rng.u16(7..=80));
        let enter = self.draft.push(Op::Enter, Who::System, gap);
        self.pin_window(enter, false);
        if self.category == Category::A {
            if chance(self.rng, 50) {
                let gap = Gap::Cal(self.rng.u16(1..=5));
                self.draft.push(Op::ECard, Who::System, gap);
            }
            let gap = Gap::Cal(self.rng.u16(0..=5));
            self.draft.push(Op::RecordEntry, recorder, gap);
            return Break(());
        }
        let gap = Gap::Cal(self.rng.u16(0..=5));
        self.draft.push(Op::RecordEntry, recorder, gap);
        if chance(self.rng, 50) {
            let gap = Gap::Cal(self.rng.u16(1..=8));
            self.draft.push(Op::ECard, Who::System, gap);
        }
        Continue(())
    }

    /// Verified, lapsed or still open on site.
    pub(super) fn verification(&mut self) -> ControlFlow<()> {
        self.open_verification()?;
        if chance(self.rng, 10) {
            self.verify_return(Gap::Window, 3..=20);
        }
        match self.goal {
            Goal::Lapsed => self.lapse(31..=75),
            Goal::ReopenedVerified => {
                self.lapse(31..=50);
                self.reopen(1..=10);
                let gap = Gap::Cal(self.rng.u16(1..=7));
                self.draft.push(Op::Verify, Who::Clerk(self.clerk), gap);
            }
            _ => {
                let late = if chance(self.rng, 3) {
                    self.rng.u16(31..=40)
                } else {
                    self.rng.u16(3..=29)
                };
                let gap = Gap::Window(late);
                self.draft.push(Op::Verify, Who::Clerk(self.clerk), gap);
            }
        }
        Continue(())
    }

    /// Goals open or withdrawn in the verification window.
    fn open_verification(&mut self) -> ControlFlow<()> {
        match self.goal {
            Goal::Verification { reopened: true, .. } => {
                self.lapse(31..=45);
                self.reopen(2..=12);
            }
            Goal::Verification { returned, .. } => {
                if returned {
                    self.verify_return(Gap::Cal, 1..=10);
                }
            }
            Goal::Withdrawn(At::Verification) => {
                self.withdraw_upstream(3..=25);
            }
            _ => return Continue(()),
        }
        Break(())
    }

    /// Pins `step` so an open verification window is in the wanted state today.
    fn pin_window(&mut self, step: usize, office: bool) {
        if let Goal::Verification { due, reopened, .. } = self.goal {
            let starts = &self.env.verification.by_state;
            let mut off = start_offset(self.rng, self.env, starts, due, office);
            if reopened {
                off = off.max(60);
            }
            self.draft.anchor = Some((step, self.env.ago(off)));
        }
    }

    fn verify_return(&mut self, gap: fn(u16) -> Gap, days: RangeInclusive<u16>) {
        let op = Op::VerifyReturn(pick(self.rng, VERIFY_RETURNS));
        let gap = gap(self.rng.u16(days));
        self.draft.push(op, Who::Clerk(self.clerk), gap);
    }

    fn lapse(&mut self, days: RangeInclusive<u16>) {
        let op = Op::Lapse(pick(self.rng, LAPSES));
        let gap = Gap::Window(self.rng.u16(days));
        self.draft.push(op, Who::Supervisor(self.supervisor), gap);
    }

    fn reopen(&mut self, days: RangeInclusive<u16>) {
        let op = Op::Reopen(pick(self.rng, REOPENS));
        let gap = Gap::Cal(self.rng.u16(days));
        self.draft.push(op, Who::Supervisor(self.supervisor), gap);
    }
}
