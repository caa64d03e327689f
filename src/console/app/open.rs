//! Opening the dialog of an action: asking the domain first whether the action exists in the
//! case's stage and the user may take it, then the confirmation, the reason editor or the bulk
//! preview, with the transition the domain gives.

use super::dialog::{self, BulkKind, Dialog, Target, TextAction};
use super::{App, Effect};
use crate::console::i18n::T;
use crate::console::keymap::Command;
use crate::console::worker::Job;
use crate::domain::next_stage;
use crate::domain::{Action, ActionKind, Actor, Role, Stage};

impl App {
    /// The kind of action a command would take on `target`: what the domain is asked about it
    /// before anything is typed.
    pub(super) fn kind_of(&self, command: Command, target: &Target) -> Option<ActionKind> {
        Some(match command {
            Command::Claim if target.assignee.as_deref() == Some(self.setup.user.as_str()) => {
                ActionKind::Release
            }
            Command::Claim => ActionKind::Claim,
            Command::Approve => ActionKind::Approve,
            Command::Return => ActionKind::Return,
            Command::Refuse => self.refuse_kind(target.stage).kind(),
            Command::Note => ActionKind::Note,
            Command::SendBack => ActionKind::SendBack,
            Command::Withdraw => ActionKind::Withdraw,
            Command::Lapse => ActionKind::Lapse,
            Command::AllowLate => ActionKind::AllowLate,
            Command::Reopen => ActionKind::Reopen,
            Command::Extend => ActionKind::Extend,
            Command::RecordEntry => ActionKind::RecordEntry,
            Command::Verify => ActionKind::Verify,
            Command::Assign => ActionKind::Assign,
            _ => return None,
        })
    }

    /// Whether `command` acts on the selected case for this user: its stage has the action and a
    /// role of the user's may take it, as the domain says. The footer offers only these.
    pub fn offers(&self, command: Command) -> bool {
        if self.is_read_only() || self.disabled {
            return false;
        }
        let Some(target) = self.shown_target() else {
            return false;
        };
        if command == Command::Mark {
            return !self.in_review();
        }
        self.kind_of(command, &target)
            .is_some_and(|action| self.cannot(target.stage, action).is_none())
    }

    /// In pre-audit a case is not accepted rather than refused.
    pub(super) fn refuse_kind(&self, stage: Stage) -> TextAction {
        if stage == Stage::PreAudit {
            TextAction::NotAccept
        } else {
            TextAction::Refuse
        }
    }

    /// Why the user cannot take `action` on a case in `stage`, asked of the domain: the action
    /// does not exist there, or no role of the user's may take it. `None` when it may be tried
    /// (the store still checks the claim, the version and the case's own rules).
    pub(super) fn cannot(&self, stage: Stage, action: ActionKind) -> Option<String> {
        let l = self.lang;
        let name = l.action(action);
        let stage_name = l.stage(stage);
        let people: Vec<Role> = crate::domain::roles_for(stage, action)
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|r| *r != Role::System)
            .collect();
        if people.is_empty() {
            return Some(l.not_possible_in(name, stage_name));
        }
        if people.iter().any(|r| self.has(*r)) {
            return None;
        }
        let roles: Vec<&str> = people.iter().map(|r| l.role(*r)).collect();
        Some(l.needs_roles(name, &roles))
    }

    /// The case `target` names, when its detail is the one loaded.
    fn loaded_case(&self, target: &Target) -> Option<&crate::domain::Case> {
        self.detail
            .as_ref()
            .filter(|d| d.case.case_no == target.case_no)
            .map(|d| &d.case)
    }

    /// The user as the domain judges them.
    fn actor(&self) -> Actor {
        Actor {
            name: self.setup.user.clone(),
            roles: self.setup.roles.clone(),
            active: true,
        }
    }

    /// A refusal in the console's language.
    fn in_words(&self, refusal: crate::domain::Refusal) -> String {
        let english = refusal.to_string();
        crate::console::i18n::Why::Refused(refusal).say(self.lang, &english)
    }

    /// What the domain would refuse on the loaded case before anything is typed (the claim,
    /// four-eyes, a bar on approval), in words: no dialog opens for it.
    pub(super) fn refused_before_input(
        &self,
        target: &Target,
        action: ActionKind,
    ) -> Option<String> {
        let case = self.loaded_case(target)?;
        let actor = self.actor();
        let refusal = crate::domain::refusal_before_input(
            case,
            &actor,
            action,
            self.setup.today,
            &self.setup.policy,
        )
        .err()?;
        Some(self.in_words(refusal))
    }

    /// What the domain refuses in the typed input of `action` on the loaded case (a future date),
    /// in words; `None` when it is accepted or the case is not loaded (the store still checks).
    pub(super) fn refused_input(&self, target: &Target, action: &Action) -> Option<String> {
        let case = self.loaded_case(target)?;
        let refusal =
            crate::domain::input_refusal(case, action, self.setup.today, &self.setup.policy)
                .err()?;
        Some(self.in_words(refusal))
    }

    /// `From -> To` for `action` on the case, from the domain's `next_stage`, when the case is
    /// loaded and the action moves it.
    pub(super) fn transition(&self, target: &Target, action: ActionKind) -> Option<String> {
        let case = self.loaded_case(target)?;
        let to = next_stage(case, action).filter(|to| *to != case.stage)?;
        Some(self.lang.stage_move(Some(case.stage), to))
    }

    pub(super) fn open_confirm(&mut self, target: Target) {
        let Some(detail) = self
            .detail
            .as_ref()
            .filter(|d| d.case.case_no == target.case_no)
        else {
            self.say(self.lang.t(T::Loading), false);
            return;
        };
        let case = &detail.case;
        let title = format!("{} {}", self.lang.approve_title(case.stage), case.case_no);
        let mut lines = Vec::new();
        match next_stage(case, ActionKind::Approve) {
            Some(to) => {
                let mut line = self.lang.stage_move(Some(case.stage), to);
                if to == Stage::Notified {
                    line = self
                        .lang
                        .labelled(&line, self.lang.t(T::NotificationIssued));
                }
                lines.push(line);
            }
            None => lines.push(self.lang.approve_not_possible(case.stage)),
        }
        // Signing against the recommendation needs a reason (DOMAIN.md); the store refuses it
        // without one, so the prompt says so and the dialog does not take empty text.
        let against = crate::domain::signs_against_recommendation(case, ActionKind::Approve);
        if let Some(rec) = &case.recommendation {
            let by = crate::text::sanitize_line(&rec.by);
            lines.push(self.lang.recommended(rec.verdict, &by, rec.on));
        }
        if against {
            lines.push(self.lang.t(T::SigningAgainst).to_string());
        } else {
            lines.push(self.lang.t(T::NotePrompt).to_string());
        }
        let missing: Vec<String> = case
            .documents
            .iter()
            .filter(|d| !d.ok)
            .map(|d| self.lang.document(&d.kind))
            .collect();
        let mut warnings = Vec::new();
        if !missing.is_empty() {
            warnings.push(self.lang.documents_missing(&missing));
        }
        // A note typed before and not recorded (a conflict, a refusal) comes back.
        let draft = self.draft_of(&target.case_no, ActionKind::Approve).cloned();
        self.dialog = Some(Dialog::Confirm(dialog::confirm::Confirm {
            target,
            title,
            lines,
            warnings,
            note: dialog::editor(draft.as_deref().unwrap_or("")),
            required: against,
            error: None,
        }));
        if draft.is_some() {
            self.say(self.lang.t(T::DraftRestored), false);
        }
    }

    pub(super) fn open_reason(&mut self, target: Target, kind: TextAction) {
        let draft = self.draft_for(&target.case_no, kind).cloned();
        let restored = draft.is_some();
        let l = self.lang;
        let window = self.setup.policy.verification_calendar_days;
        let reason = l.t(T::ReasonPrompt).to_string();
        let (verb, prompt) = match kind {
            TextAction::Return => (
                l.t(T::VerbReturn),
                if target.stage == Stage::Verification {
                    l.deficiency_prompt(window)
                } else {
                    l.t(T::ReturnPrompt).to_string()
                },
            ),
            // In review a refusal is a recommendation: the decision is signed by a supervisor.
            TextAction::Refuse if target.stage == Stage::Review => {
                (l.t(T::VerbRecommendRefusal), reason)
            }
            TextAction::Refuse => (l.t(T::VerbRefuse), reason),
            TextAction::NotAccept => (l.t(T::VerbNotAccept), reason),
            TextAction::Note => (l.t(T::VerbNote), String::new()),
            TextAction::SendBack => (l.t(T::VerbSendBack), reason),
            TextAction::Withdraw => (l.t(T::VerbWithdraw), reason),
            TextAction::Lapse => (l.t(T::VerbLapse), l.lapse_prompt(window)),
            TextAction::AllowLate => (l.t(T::VerbAllowLate), l.allow_late_prompt(window)),
            TextAction::Reopen => (l.t(T::VerbReopen), reason),
            TextAction::Extend(days) => (l.t(T::ExtendTitle), l.extend_prompt(days)),
        };
        // Where the action moves the case, the title says from where to where (the domain's
        // `next_stage`).
        let title = match self.transition(&target, kind.kind()) {
            Some(transition) => self
                .lang
                .labelled(&format!("{verb} {}", target.case_no), &transition),
            None => format!("{verb} {}", target.case_no),
        };
        self.dialog = Some(Dialog::Reason(dialog::reason::Reason {
            title,
            prompt,
            target,
            kind,
            editor: dialog::editor(draft.as_deref().unwrap_or("")),
            asking_discard: false,
            error: None,
        }));
        if restored {
            self.say(self.lang.t(T::DraftRestored), false);
        }
    }

    /// Every marked case, loaded or not, as it was last seen: the bulk preview lists them all.
    pub(super) fn open_bulk(&mut self, kind: BulkKind) -> Vec<Effect> {
        let targets: Vec<Target> = self.list.marked.values().cloned().collect();
        let stages: Vec<Stage> = targets.iter().map(|t| t.stage).collect();
        if let Some(why) = self.missing_role(kind, &stages) {
            self.say(why, true);
            return Vec::new();
        }
        if kind == BulkKind::Assign {
            self.pending_assign = Some(targets);
            return vec![self.job(Job::Assignees)];
        }
        let preview = targets.iter().map(|t| self.bulk_line(kind, t)).collect();
        self.dialog = Some(Dialog::Bulk(dialog::bulk::Bulk {
            kind,
            reason: (kind == BulkKind::Return).then(|| dialog::editor("")),
            preview,
            targets,
            asking_discard: false,
            error: None,
        }));
        Vec::new()
    }

    /// A marked case in the preview: its action in the stage's words and the refusal the domain
    /// predicts from what the row shows (the stage, the roles, the claim, four-eyes).
    fn bulk_line(&self, kind: BulkKind, target: &Target) -> dialog::BulkLine {
        let command = match kind {
            BulkKind::Claim => Command::Claim,
            BulkKind::Approve => Command::Approve,
            BulkKind::Return => Command::Return,
            BulkKind::Assign => Command::Assign,
        };
        let action = self
            .kind_of(command, target)
            .unwrap_or_else(|| kind.action_kind());
        let words = match action {
            ActionKind::Approve => self.lang.approve_in(target.stage),
            action => self.lang.action(action),
        };
        let actor = self.actor();
        let refusal =
            crate::domain::holding_refusal(target.holding(), &actor, action, &self.setup.policy)
                .err()
                .map(|refusal| {
                    let why = self.in_words(refusal);
                    super::replies::without_case_prefix(&why, &target.case_no).to_string()
                });
        dialog::BulkLine {
            case_no: target.case_no.clone(),
            action: words.to_string(),
            refusal,
        }
    }

    /// Why no role of the user's may take `kind` on any of the marked cases, asked of the domain
    /// (`cannot`): `None` as soon as one case may be tried. A case in a stage where the action does
    /// not exist is left to the store, which refuses it in words in the bulk report.
    pub(super) fn missing_role(&self, kind: BulkKind, stages: &[Stage]) -> Option<String> {
        let action = kind.action_kind();
        let reasons = stages
            .iter()
            .map(|stage| {
                crate::domain::roles_for(*stage, action)?;
                self.cannot(*stage, action)
            })
            .collect::<Option<Vec<String>>>()?;
        reasons.into_iter().next()
    }
}
