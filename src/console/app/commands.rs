//! What each command of the keymap does, and how a confirmed dialog becomes store requests.

use super::dialog::{self, BulkKind, ChecklistForm, Dialog, Target, TextAction};
use super::{App, Effect, Focus};
use crate::console::i18n::{Lang, T};
use crate::console::keymap::Command;
use crate::console::worker::{Fetch, Job};
use crate::domain::next_stage;
use crate::domain::{Action, Presenter, Queue, Role, Stage};
use crate::store::Request;

impl App {
    pub(super) fn command(&mut self, command: Command) -> Vec<Effect> {
        use Command::*;
        let page = self.visible_rows() as isize;
        if self.focus == Focus::Detail && self.list.selected_row().is_some() {
            // The focused detail panel scrolls; Esc gives the keys back to the table.
            let step = match command {
                Down => Some(1),
                Up => Some(-1),
                PageDown => Some(page.max(1)),
                PageUp => Some(-page.max(1)),
                Top => Some(-isize::from(i16::MAX)),
                Bottom => Some(isize::from(i16::MAX)),
                _ => None,
            };
            if let Some(step) = step {
                let max = isize::from(i16::MAX)
                    .min(crate::console::view::detail_max_scroll(self) as isize);
                let scroll = (self.detail_scroll as isize + step).clamp(0, max.max(0));
                self.detail_scroll = scroll as u16;
                return Vec::new();
            }
        }
        match command {
            Help => {
                self.dialog = Some(Dialog::Help { scroll: 0 });
                Vec::new()
            }
            Quit => {
                self.quit = true;
                vec![Effect::Quit]
            }
            NextQueue => self.switch_tab(self.tab + 1),
            PrevQueue => self.switch_tab(self.tab + Queue::TABS.len() - 1),
            Queue1 | Queue2 | Queue3 | Queue4 | Queue5 | Queue6 | Queue7 | Queue8 | Queue9 => {
                let index = [
                    Queue1, Queue2, Queue3, Queue4, Queue5, Queue6, Queue7, Queue8, Queue9,
                ]
                .iter()
                .position(|c| *c == command)
                .unwrap_or(0);
                self.switch_tab(index)
            }
            Overdue => self.switch_tab(7),
            Down => {
                let moved = self.list.move_by(1);
                self.after_move(moved)
            }
            Up => {
                let moved = self.list.move_by(-1);
                self.after_move(moved)
            }
            PageDown => {
                let moved = self.list.move_by(page);
                self.after_move(moved)
            }
            PageUp => {
                let moved = self.list.move_by(-page);
                self.after_move(moved)
            }
            Top if self.list.above.is_some() => {
                // Rows above were let go: read the queue's first page again.
                self.list.from_top();
                self.reload()
            }
            Top => {
                let moved = self.list.to_top();
                self.after_move(moved)
            }
            Bottom if self.list.next.is_some() => {
                // Rows below are not loaded: read the queue's last page.
                vec![self.request_page(Fetch::Last)]
            }
            Bottom => {
                let moved = self.list.to_bottom();
                self.after_move(moved)
            }
            OpenDetail => {
                if self.list.selected_row().is_some() {
                    self.focus = Focus::Detail;
                    self.detail_scroll = 0;
                }
                Vec::new()
            }
            Back => {
                if self.focus == Focus::Detail {
                    self.focus = Focus::List;
                    Vec::new()
                } else if !self.search.text.is_empty() {
                    self.search.text.clear();
                    self.list.from_top();
                    self.reload()
                } else {
                    self.list.marked.clear();
                    Vec::new()
                }
            }
            Search => {
                self.search.typing = true;
                Vec::new()
            }
            CycleFilter => {
                let next = self.list.filter.next();
                self.set_filter(next)
            }
            CycleSort => {
                self.list.cycle_sort();
                self.list.from_top();
                self.reload()
            }
            ReverseSort => {
                self.list.sort.descending = !self.list.sort.descending;
                self.list.from_top();
                self.reload()
            }
            Mark => {
                self.list.toggle_mark();
                let moved = self.list.move_by(1);
                self.after_move(moved)
            }
            Copy => match self.list.selected_case_no() {
                Some(no) => {
                    self.say(format!("{no} {}", self.lang.t(T::Copied)), false);
                    vec![Effect::Copy(no)]
                }
                None => Vec::new(),
            },
            Palette => {
                self.dialog = Some(Dialog::Palette {
                    input: String::new(),
                    selected: 0,
                });
                Vec::new()
            }
            Language => {
                self.lang = self.lang.toggled();
                Vec::new()
            }
            Dashboard => {
                self.dashboard = Some(Default::default());
                let today = self.setup.today;
                vec![self.job(Job::Dashboard { today })]
            }
            Claim | Approve | Return | Refuse | RecordEntry | Verify | Note | Assign | SendBack
            | Withdraw | Extend | Lapse | Reopen => self.write_command(command),
        }
    }

    fn write_command(&mut self, command: Command) -> Vec<Effect> {
        if self.is_read_only() {
            let why = if self.setup.store_read_only {
                self.lang.pick(
                    "the store is open read-only: nothing can be changed",
                    "存储为只读：不能修改",
                )
            } else {
                self.lang.t(T::Viewer)
            };
            self.say(why, true);
            return Vec::new();
        }
        if !self.list.marked.is_empty() {
            let kind = match command {
                Command::Approve => Some(BulkKind::Approve),
                Command::Return => Some(BulkKind::Return),
                Command::Claim => Some(BulkKind::Claim),
                Command::Assign => Some(BulkKind::Assign),
                _ => None,
            };
            if let Some(kind) = kind {
                return self.open_bulk(kind);
            }
        }
        let Some(row) = self.list.selected_row().cloned() else {
            return Vec::new();
        };
        let target = Target::of(&row);
        // Ask the domain first: an action that does not exist in this stage, or that none of
        // the user's roles may take, is said in words instead of opening a dialog for it.
        if let Some(action) = self.action_of(command, &target) {
            if let Some(why) = self.cannot(target.stage, &action) {
                self.say(why, true);
                return Vec::new();
            }
        }
        match command {
            Command::Claim => {
                let action = if row.assignee.as_deref() == Some(self.setup.user.as_str()) {
                    Action::Release
                } else {
                    Action::Claim
                };
                vec![self.act(&target, action)]
            }
            Command::Approve => {
                self.open_confirm(target);
                Vec::new()
            }
            Command::Return => {
                self.open_reason(target, TextAction::Return);
                Vec::new()
            }
            Command::Refuse => {
                let kind = self.refuse_kind(row.stage);
                self.open_reason(target, kind);
                Vec::new()
            }
            Command::Note => {
                self.open_reason(target, TextAction::Note);
                Vec::new()
            }
            Command::SendBack => {
                self.open_reason(target, TextAction::SendBack);
                Vec::new()
            }
            Command::Withdraw => {
                self.open_reason(target, TextAction::Withdraw);
                Vec::new()
            }
            Command::Lapse => {
                self.open_reason(target, TextAction::Lapse);
                Vec::new()
            }
            Command::Reopen => {
                self.open_reason(target, TextAction::Reopen);
                Vec::new()
            }
            Command::Extend => {
                self.dialog = Some(Dialog::ExtendDays {
                    target,
                    input: String::new(),
                    error: None,
                });
                Vec::new()
            }
            Command::RecordEntry => {
                let action = Action::RecordEntry {
                    date: self.setup.today,
                };
                self.dialog = Some(Dialog::EntryDate {
                    transition: self.transition(&target, &action),
                    target,
                    input: self.setup.today.to_string(),
                    error: None,
                });
                Vec::new()
            }
            Command::Verify => {
                let detail = self
                    .detail
                    .as_ref()
                    .filter(|d| d.case.case_no == target.case_no);
                let form = ChecklistForm {
                    presenter: Presenter::Applicant,
                    originals: false,
                    sealed_copies: false,
                    visa_until: String::new(),
                    exam_date: detail
                        .and_then(|d| d.case.exam_report.as_ref())
                        .map(|e| e.issued_on.to_string())
                        .unwrap_or_default(),
                    exam_domestic: detail
                        .and_then(|d| d.case.exam_report.as_ref())
                        .is_some_and(|e| e.domestic),
                    focus: 0,
                    error: None,
                    entered: detail.and_then(|d| d.case.entry_date),
                    window_due: detail
                        .and_then(|d| d.governing.as_ref())
                        .and_then(|g| g.due),
                    target,
                };
                self.dialog = Some(Dialog::Verify(Box::new(form)));
                Vec::new()
            }
            Command::Assign => {
                if let Some(why) = self.missing_role(BulkKind::Assign, &[target.stage]) {
                    self.say(why, true);
                    return Vec::new();
                }
                self.pending_assign = Some(vec![target]);
                vec![self.job(Job::Assignees)]
            }
            _ => Vec::new(),
        }
    }

    /// The action a command would take on `target`, as the domain names it (the text is
    /// irrelevant: it is only asked who may take it where).
    fn action_of(&self, command: Command, target: &Target) -> Option<Action> {
        let reason = String::new;
        Some(match command {
            Command::Claim if target.assignee.as_deref() == Some(self.setup.user.as_str()) => {
                Action::Release
            }
            Command::Claim => Action::Claim,
            Command::Approve => Action::Approve { note: None },
            Command::Return => TextAction::Return.action(reason()),
            Command::Refuse => self.refuse_kind(target.stage).action(reason()),
            Command::Note => TextAction::Note.action(reason()),
            Command::SendBack => TextAction::SendBack.action(reason()),
            Command::Withdraw => TextAction::Withdraw.action(reason()),
            Command::Lapse => TextAction::Lapse.action(reason()),
            Command::Reopen => TextAction::Reopen.action(reason()),
            Command::Extend => TextAction::Extend(1).action(reason()),
            Command::RecordEntry => Action::RecordEntry {
                date: self.setup.today,
            },
            Command::Verify => Action::Verify {
                checklist: crate::domain::Checklist {
                    presented_by: Presenter::Applicant,
                    originals: false,
                    sealed_copies: false,
                    visa_valid_until: None,
                    exam_issued_on: None,
                    exam_domestic: false,
                    exam_institution: None,
                },
            },
            Command::Assign => Action::Assign {
                assignee: String::new(),
            },
            _ => return None,
        })
    }

    /// In pre-audit a case is not accepted rather than refused.
    fn refuse_kind(&self, stage: Stage) -> TextAction {
        if stage == Stage::PreAudit {
            TextAction::NotAccept
        } else {
            TextAction::Refuse
        }
    }

    /// Why the user cannot take `action` on a case in `stage`, asked of the domain: the action
    /// does not exist there, or no role of the user's may take it. `None` when it may be tried
    /// (the store still checks the claim, the version and the case's own rules).
    pub(super) fn cannot(&self, stage: Stage, action: &Action) -> Option<String> {
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
            return Some(match l {
                Lang::En => format!("{name} is not possible in {stage_name}"),
                Lang::Zh => format!("{stage_name}阶段不能{name}"),
            });
        }
        if people.iter().any(|r| self.has(*r)) {
            return None;
        }
        let roles: Vec<&str> = people.iter().map(|r| l.role(*r)).collect();
        Some(match l {
            Lang::En => format!("{name} needs the {} role", roles.join(" or ")),
            Lang::Zh => format!("{name}需要{}角色", roles.join("或")),
        })
    }

    /// `From -> To` for `action` on the case, from the domain's `next_stage`, when the case is
    /// loaded and the action moves it.
    fn transition(&self, target: &Target, action: &Action) -> Option<String> {
        let case = &self
            .detail
            .as_ref()
            .filter(|d| d.case.case_no == target.case_no)?
            .case;
        let to = next_stage(case, action).filter(|to| *to != case.stage)?;
        Some(format!(
            "{} -> {}",
            self.lang.stage(case.stage),
            self.lang.stage(to)
        ))
    }

    fn open_confirm(&mut self, target: Target) {
        let Some(detail) = self
            .detail
            .as_ref()
            .filter(|d| d.case.case_no == target.case_no)
        else {
            self.say(self.lang.t(T::Loading), false);
            return;
        };
        let case = &detail.case;
        let action = Action::Approve { note: None };
        let title = match case.stage {
            Stage::PreAudit => format!("{} {}", self.lang.pick("Accept", "受理"), case.case_no),
            Stage::Review => format!(
                "{} {}",
                self.lang.pick("Recommend approval of", "建议准予许可"),
                case.case_no
            ),
            Stage::Decision => format!(
                "{} {}",
                self.lang.pick("Sign decision", "签发决定"),
                case.case_no
            ),
            _ => format!("{} {}", self.lang.pick("Approve", "通过"), case.case_no),
        };
        let mut lines = Vec::new();
        match next_stage(case, &action) {
            Some(to) => {
                let mut line =
                    format!("{} -> {}", self.lang.stage(case.stage), self.lang.stage(to));
                if to == Stage::Notified {
                    line.push_str(self.lang.pick(
                        ": Work Permit Notification will be issued",
                        "：将发放工作许可通知",
                    ));
                }
                lines.push(line);
            }
            None => lines.push(match self.lang {
                Lang::En => format!(
                    "approve is not possible in {}: confirming will say why",
                    self.lang.stage(case.stage)
                ),
                Lang::Zh => format!(
                    "{}阶段不能执行通过操作；确认后将说明原因",
                    self.lang.stage(case.stage)
                ),
            }),
        }
        // Signing against the recommendation needs a reason (DOMAIN.md); the store refuses it
        // without one, so the prompt says so and the dialog does not take empty text.
        let against =
            crate::domain::signs_against_recommendation(case, &Action::Approve { note: None });
        if let Some(rec) = &case.recommendation {
            let by = crate::text::sanitize_line(&rec.by);
            let recommended = self.lang.t(T::Recommended);
            lines.push(match self.lang {
                Lang::En => format!("{recommended}: {:?}, by {by} on {}", rec.verdict, rec.on),
                Lang::Zh => format!(
                    "{recommended}：{}（{by}，{}）",
                    match rec.verdict {
                        crate::domain::case::Verdict::Approve => "准予许可",
                        crate::domain::case::Verdict::Refuse => "不予许可",
                    },
                    rec.on
                ),
            });
        }
        if against {
            lines.push(
                self.lang
                    .pick(
                        "Reason (required: signing against the recommendation to refuse):",
                        "理由（必填：签发决定与审查意见“不予许可”不一致）：",
                    )
                    .to_string(),
            );
        } else {
            lines.push(format!("{}:", self.lang.t(T::NoteOptional)));
        }
        self.dialog = Some(Dialog::Confirm {
            target,
            title,
            lines,
            note: dialog::editor(""),
            required: against,
            error: None,
        });
    }

    pub(super) fn open_reason(&mut self, target: Target, kind: TextAction) {
        let draft = self.draft_for(&target.case_no, kind).cloned();
        let restored = draft.is_some();
        let l = self.lang;
        let reason = l.t(T::ReasonPrompt).to_string();
        let (verb, prompt) = match kind {
            TextAction::Return => (
                l.pick("Return", "退回"),
                if target.stage == Stage::Verification {
                    l.pick(
                        "Record the deficiency (the 30-day window keeps running):",
                        "记录材料缺陷（30日核验期限继续计算）：",
                    )
                    .to_string()
                } else {
                    l.t(T::ReturnPrompt).to_string()
                },
            ),
            TextAction::Refuse => (l.pick("Refuse", "不予许可"), reason),
            TextAction::NotAccept => (l.pick("Do not accept", "不予受理"), reason),
            TextAction::Note => (l.pick("Note on", "备注"), String::new()),
            TextAction::SendBack => (l.pick("Send back", "退回审查"), reason),
            TextAction::Withdraw => (l.pick("Withdraw", "撤回"), reason),
            TextAction::Lapse => (
                l.pick("Lapse", "逾期未核验办结"),
                l.pick(
                    "The applicant did not appear within 30 days. Reason:",
                    "申请人未在30日内到场核验。理由：",
                )
                .to_string(),
            ),
            TextAction::Reopen => (l.pick("Reopen", "重新开启核验"), reason),
            TextAction::Extend(days) => (
                l.pick("Extend", "延长期限"),
                match l {
                    Lang::En => {
                        format!("+{days} working days to the decision deadline, once. Reason:")
                    }
                    Lang::Zh => format!("决定期限延长 {days} 个工作日（每案一次）。理由："),
                },
            ),
        };
        // Where the action moves the case, the title says from where to where (the domain's
        // `next_stage`).
        let title = match self.transition(&target, &kind.action(String::new())) {
            Some(transition) => format!("{verb} {}: {transition}", target.case_no),
            None => format!("{verb} {}", target.case_no),
        };
        self.dialog = Some(Dialog::Reason {
            title,
            prompt,
            target,
            kind,
            editor: dialog::editor(draft.as_deref().unwrap_or("")),
            asking_discard: false,
            error: None,
        });
        if restored {
            self.say(self.lang.t(T::DraftRestored), false);
        }
    }

    /// Every marked case, loaded or not, as it was last seen: the bulk preview lists them all.
    fn open_bulk(&mut self, kind: BulkKind) -> Vec<Effect> {
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
        self.dialog = Some(Dialog::Bulk {
            kind,
            reason: (kind == BulkKind::Return).then(|| dialog::editor("")),
            targets,
            asking_discard: false,
            error: None,
        });
        Vec::new()
    }

    /// Why the user cannot take `kind` on any of the cases in `stages`: no role of theirs allows
    /// it (the store would refuse every one). Checked before any dialog opens.
    pub(super) fn missing_role(&self, kind: BulkKind, stages: &[Stage]) -> Option<String> {
        if stages.is_empty() {
            return None;
        }
        let mut needs: Vec<Role> = Vec::new();
        let action = kind.sample_action();
        for stage in stages {
            // Where the action does not exist the store refuses on the stage, in words.
            let roles = crate::domain::roles_for(*stage, &action)?;
            for role in roles.iter().filter(|r| **r != Role::System) {
                if self.has(*role) {
                    return None;
                }
                if !needs.contains(role) {
                    needs.push(*role);
                }
            }
        }
        if needs.is_empty() {
            return None;
        }
        let l = self.lang;
        let roles: Vec<&str> = needs.iter().map(|r| l.role(*r)).collect();
        Some(match l {
            Lang::En => format!("{} needs the {} role", kind.name(l), roles.join(" or ")),
            Lang::Zh => format!("{}需要{}角色", kind.name(l), roles.join("或")),
        })
    }

    pub(super) fn request(&self, target: &Target, action: Action) -> Request {
        Request {
            case_no: target.case_no.clone(),
            user: self.setup.user.clone(),
            action,
            expect_version: Some(target.version),
            expect_stage: Some(target.stage),
            today: Some(self.setup.today),
        }
    }

    pub(super) fn act(&mut self, target: &Target, action: Action) -> Effect {
        let request = self.request(target, action);
        self.job(Job::Act { request })
    }
}

/// Commands whose name or label contains what was typed.
pub fn palette_matches(input: &str) -> Vec<Command> {
    let needle = input.trim().to_lowercase();
    Command::ALL
        .iter()
        .copied()
        .filter(|c| {
            let (name, en, zh) = c.describe();
            needle.is_empty()
                || name.contains(&needle)
                || en.to_lowercase().contains(&needle)
                || zh.contains(&needle)
        })
        .collect()
}

impl App {
    /// Keys while the dashboard is open: move between figures, open the cases behind one, and
    /// from there jump to a case in its queue.
    pub(super) fn dashboard_key(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        let Some(command) = self.setup.keymap.command(&key) else {
            return Vec::new();
        };
        let page = self.visible_rows() as isize;
        let Some(view) = self.dashboard.as_mut() else {
            return Vec::new();
        };
        if let Some((_, list)) = view.opened.as_mut() {
            match command {
                Command::Down => {
                    list.move_by(1);
                }
                Command::Up => {
                    list.move_by(-1);
                }
                Command::PageDown => {
                    list.move_by(page);
                }
                Command::PageUp => {
                    list.move_by(-page);
                }
                Command::Top => {
                    list.to_top();
                }
                Command::Bottom => {
                    list.to_bottom();
                }
                Command::Back => {
                    view.opened = None;
                    return Vec::new();
                }
                Command::OpenDetail => {
                    let Some(row) = list.selected_row().cloned() else {
                        return Vec::new();
                    };
                    self.dashboard = None;
                    let tab = Queue::TABS
                        .iter()
                        .position(|q| q.stage() == Some(row.stage))
                        .unwrap_or(8);
                    self.search.text = row.case_no.clone();
                    self.tab = tab;
                    self.list.reset_for(self.queue());
                    self.detail = None;
                    return self.reload();
                }
                Command::Quit | Command::Help | Command::Language => return self.command(command),
                _ => {}
            }
            if let Some((_, list)) = view.opened.as_mut() {
                list.offset =
                    super::list::scroll_offset(list.selected, list.offset, page.max(1) as usize);
            }
            return Vec::new();
        }
        match command {
            Command::Down => view.move_by(1),
            Command::Up => view.move_by(-1),
            Command::Back | Command::Dashboard => self.dashboard = None,
            Command::OpenDetail => {
                if let Some(entry) = view.selected_entry() {
                    let today = self.setup.today;
                    return vec![self.job(Job::Figure {
                        figure: entry.figure,
                        today,
                    })];
                }
            }
            Command::Quit | Command::Help | Command::Language => return self.command(command),
            _ => {}
        }
        Vec::new()
    }
}
