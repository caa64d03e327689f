//! Every label and message of the console in English and Simplified Chinese (the official terms of
//! DOMAIN.md). Stage, kind and queue names come from the domain's own `label_en`/`label_zh`.

use crate::domain::{ActionKind, DeadlineState, Filter, Kind, Queue, Role, Stage};

mod actions;
mod checklist;
mod detail;
mod dialogs;
mod why;
mod words;
pub use why::Why;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The name `--lang` takes for this language.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// `--lang`, else `LC_ALL` / `LANG`: `zh*` is Chinese, anything else English.
    pub fn choose(flag: Option<&str>, lc_all: Option<&str>, lang: Option<&str>) -> Lang {
        let pick = |s: &str| {
            if s.trim().to_ascii_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            }
        };
        if let Some(flag) = flag {
            return pick(flag);
        }
        match lc_all.filter(|s| !s.is_empty()).or(lang) {
            Some(locale) => pick(locale),
            None => Lang::En,
        }
    }

    /// One of two spellings, for text used in a single place.
    pub fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    pub fn toggled(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    pub fn stage(self, stage: Stage) -> &'static str {
        match self {
            Lang::En => stage.label_en(),
            Lang::Zh => stage.label_zh(),
        }
    }

    pub fn kind(self, kind: Kind) -> &'static str {
        match self {
            Lang::En => kind.label_en(),
            Lang::Zh => kind.label_zh(),
        }
    }

    /// A kind's name short enough for a table column.
    pub fn kind_short(self, kind: Kind) -> &'static str {
        match self {
            Lang::En => kind.label_en(),
            Lang::Zh => match kind {
                Kind::OverseasNew => "境外新办",
                Kind::NewNotification => "换发通知",
                Kind::ECertificate => "电子证照",
                Kind::DomesticNew => "境内申请",
                Kind::Extension => "延期",
                Kind::Change => "变更",
                Kind::Cancellation => "注销",
            },
        }
    }

    pub fn queue(self, queue: Queue) -> &'static str {
        match self {
            Lang::En => queue.label_en(),
            Lang::Zh => queue.label_zh(),
        }
    }

    pub fn role(self, role: Role) -> &'static str {
        match self {
            Lang::En => role.label_en(),
            Lang::Zh => role.label_zh(),
        }
    }

    /// An action's name in words: the command line's name without its underscores in English,
    /// the official term in Chinese.
    pub fn action(self, action: ActionKind) -> &'static str {
        match self {
            Lang::En => action.label_en(),
            Lang::Zh => action.label_zh(),
        }
    }

    /// What an action that leaves the stage as it was did, in words: "note added".
    pub fn action_taken(self, action: ActionKind) -> String {
        match (self, action) {
            (Lang::En, ActionKind::Note) => "note added".into(),
            (Lang::Zh, ActionKind::Note) => "已添加备注".into(),
            (Lang::En, ActionKind::Extend) => "deadline extended".into(),
            (Lang::En, ActionKind::AllowLate) => "late verification allowed".into(),
            (Lang::En, ActionKind::CorrectEntry) => "entry date corrected".into(),
            (Lang::En, action) => format!("{} recorded", action.label_en()),
            (Lang::Zh, action) => format!("已{}", self.action(action)),
        }
    }

    /// Approving, in the stage's words: accept in pre-audit, recommend in review, sign a decision.
    pub fn approve_in(self, stage: Stage) -> &'static str {
        match stage {
            Stage::PreAudit => self.pick("accept", "受理"),
            Stage::Review => self.pick("recommend approval", "建议准予许可"),
            Stage::Decision => self.pick("sign", "签发"),
            _ => self.pick("approve", "通过"),
        }
    }

    /// A recommendation's verdict, in a word.
    pub fn verdict(self, verdict: crate::domain::case::Verdict) -> &'static str {
        use crate::domain::case::Verdict;
        match verdict {
            Verdict::Approve => self.pick("approve", "准予"),
            Verdict::Refuse => self.pick("refuse", "不予"),
        }
    }

    /// "1 case", "2 cases"; Chinese counts without a plural.
    pub fn cases(self, count: i64) -> &'static str {
        match (self, count) {
            (Lang::En, 1) => "case",
            _ => self.t(T::Cases),
        }
    }

    /// A submitted document's kind: the offices' usual kinds by name, any other as stored.
    pub fn document(self, kind: &str) -> String {
        let kind = crate::text::sanitize_line(kind);
        let zh = match kind.as_ref() {
            "passport" => "护照",
            "contract" => "劳动合同",
            "degree" => "学历证书",
            "criminal_record" => "无犯罪记录证明",
            "exam_report" => "体检报告",
            "photo" => "照片",
            _ => return kind.replace('_', " "),
        };
        match self {
            Lang::En => kind.replace('_', " "),
            Lang::Zh => zh.to_string(),
        }
    }

    /// A filter's name: the command line's in English.
    pub fn filter(self, filter: Filter) -> &'static str {
        match self {
            Lang::En => filter.as_str(),
            Lang::Zh => match filter {
                Filter::All => "全部",
                Filter::Unclaimed => "未认领",
                Filter::Mine => "我的",
                Filter::DueSoon => "即将到期",
                Filter::Overdue => "已逾期",
                Filter::Legacy => "存量",
            },
        }
    }

    pub fn deadline_state(self, state: DeadlineState) -> &'static str {
        use DeadlineState::*;
        match (self, state) {
            (Lang::En, OnTrack) => "on track",
            (Lang::En, DueSoon) => "due soon",
            (Lang::En, Overdue) => "OVERDUE",
            (Lang::En, Paused) => "paused",
            (Lang::En, Met) => "met",
            (Lang::En, Missed) => "missed",
            (Lang::Zh, OnTrack) => "正常",
            (Lang::Zh, DueSoon) => "即将到期",
            (Lang::Zh, Overdue) => "已逾期",
            (Lang::Zh, Paused) => "暂停",
            (Lang::Zh, Met) => "按时",
            (Lang::Zh, Missed) => "超时",
        }
    }

    /// What a case without a running deadline waits on, before its days in the table:
    /// `paused 12d` (returned to the employer), `notified 41d` (waiting for the applicant's
    /// entry). No law or office policy sets a longest wait, so no wait is ever flagged.
    pub fn wait_word(self, on: crate::domain::Waiting) -> &'static str {
        use crate::domain::Waiting;
        match on {
            Waiting::Correction => self.pick("paused", "暂停"),
            Waiting::Entry => self.pick("notified", "通知"),
        }
    }

    /// `s` in a queue with a single order.
    pub fn one_order(self, queue: Queue) -> String {
        let name = self.queue(queue);
        match self {
            Lang::En => format!(
                "{name} is listed by case number only: its cases have no running deadline (S reverses the order)"
            ),
            Lang::Zh => format!("{name}只按案件编号排序：其案件没有正在计算的期限（S 倒序）"),
        }
    }

    /// The status line at startup when the user has reasons typed but not sent: `shown` of them
    /// named (case and action), `total` in all.
    pub fn unsent_drafts(
        self,
        shown: &[crate::console::worker::ActionKey],
        total: usize,
    ) -> String {
        let named: Vec<String> = shown
            .iter()
            .map(|key| {
                format!(
                    "{} {}",
                    crate::text::sanitize_line(&key.case_no),
                    self.draft_action(key.action)
                )
            })
            .collect();
        let more = total.saturating_sub(shown.len());
        match self {
            Lang::En => format!(
                "{total} unsent {}: {}{}; open the case to continue",
                if total == 1 { "reason" } else { "reasons" },
                named.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
            Lang::Zh => format!(
                "有 {total} 条未提交的理由：{}{}；打开案件即可继续",
                named.join("、"),
                if more > 0 {
                    format!(" 等（另有 {more} 条）")
                } else {
                    String::new()
                }
            ),
        }
    }

    /// The action a draft was typed for.
    fn draft_action(self, action: ActionKind) -> &'static str {
        match action {
            ActionKind::Refuse => self.pick("refusal", "不予许可"),
            ActionKind::Approve => self.pick("approval note", "通过意见"),
            other => self.action(other),
        }
    }

    /// A text field that holds the most the domain accepts.
    pub fn text_full(self, most: usize) -> String {
        match self {
            Lang::En => format!("The text is full: {most} characters at most"),
            Lang::Zh => format!("已达字数上限：最多 {most} 个字符"),
        }
    }

    /// A paste that does not fit whole: nothing of it went in.
    pub fn paste_too_long(self, pasted: usize, room: usize, most: usize) -> String {
        match self {
            Lang::En => format!(
                "Not pasted: {pasted} characters, {room} more fit ({most} at most); nothing was cut"
            ),
            Lang::Zh => format!(
                "未粘贴：内容 {pasted} 个字符，只能再输入 {room} 个（最多 {most} 个），未作截断"
            ),
        }
    }

    /// What a review session did with a case, in the stage's words ("accept", "recommend
    /// refusal"), from the audit event's action.
    pub fn review_outcome(self, stage: Stage, action: ActionKind) -> &'static str {
        match (action, stage) {
            (ActionKind::Approve, _) => self.approve_in(stage),
            (ActionKind::Refuse, Stage::Review) => self.pick("recommend refusal", "建议不予许可"),
            (other, _) => self.action(other),
        }
    }

    /// Why a review session found nothing to take in the queue (and filter) it was started on.
    pub fn review_nothing(self, queue: Queue, filter: Filter) -> String {
        let queue = self.queue(queue);
        let filter = match filter {
            Filter::All => String::new(),
            other => match self {
                Lang::En => format!(" (filter {})", self.filter(other)),
                Lang::Zh => format!("（筛选：{}）", self.filter(other)),
            },
        };
        match self {
            Lang::En => format!(
                "No case in {queue}{filter} that you may take: each is held by someone else, \
                 already in this session, or needs another role"
            ),
            Lang::Zh => format!(
                "{queue}{filter}中没有可领取的案件：均已被他人认领、已在本次审核中或需其他角色办理"
            ),
        }
    }

    /// A review session's counts: "3 cases handled, 1 skipped"; `short` for its banner.
    pub fn review_counts(self, handled: usize, skipped: usize, short: bool) -> String {
        match (self, short) {
            (Lang::En, true) => format!("{handled} handled  {skipped} skipped"),
            (Lang::En, false) => format!(
                "{handled} {} handled, {skipped} skipped",
                self.cases(handled as i64)
            ),
            (Lang::Zh, true) => format!("已办 {handled}  跳过 {skipped}"),
            (Lang::Zh, false) => format!("已办 {handled} 件，跳过 {skipped} 件"),
        }
    }

    /// "label: value", with the full-width colon in Chinese.
    pub fn labelled(self, label: &str, value: &str) -> String {
        match self {
            Lang::En => format!("{label}: {value}"),
            Lang::Zh => format!("{label}：{value}"),
        }
    }

    /// A time on screen: "45s", "2m 05s", "1h 02m".
    pub fn duration(self, millis: i64) -> String {
        let secs = millis.max(0) / 1000;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        match (self, h, m) {
            (Lang::En, 0, 0) => format!("{s}s"),
            (Lang::En, 0, _) => format!("{m}m {s:02}s"),
            (Lang::En, _, _) => format!("{h}h {m:02}m"),
            (Lang::Zh, 0, 0) => format!("{s}秒"),
            (Lang::Zh, 0, _) => format!("{m}分{s:02}秒"),
            (Lang::Zh, _, _) => format!("{h}小时{m:02}分"),
        }
    }

    pub fn t(self, text: T) -> &'static str {
        let (en, zh) = text.pair();
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

macro_rules! texts {
    ($($name:ident => $en:literal, $zh:literal;)+) => {
        /// A fixed piece of console text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $($name),+ }

        impl T {
            pub fn pair(self) -> (&'static str, &'static str) {
                match self { $(T::$name => ($en, $zh)),+ }
            }
        }
    };
}

texts! {
    Case => "Case", "案件编号";
    Applicant => "Applicant", "申请人";
    Nat => "Nat", "国籍";
    Cat => "Cat", "类别";
    KindCol => "Kind", "业务类型";
    StageCol => "Stage", "阶段";
    Outcome => "Outcome", "办理结果";
    HeldBy => "Held by", "经办人";
    Deadline => "Deadline", "期限";
    Employer => "Employer", "用人单位";
    Passport => "Passport", "护照";
    Born => "born", "出生";
    Position => "Position", "职位";
    Documents => "Documents", "材料";
    ExamReport => "Exam report", "体检报告";
    Deadlines => "Deadlines", "期限";
    History => "History", "办理记录";
    Entry => "Entry", "入境";
    Notified => "Notified", "通知发放";
    PermitNo => "Permit no", "许可编号";
    DecisionNo => "Decision", "决定书编号";
    LateAllowed => "Late ok", "允许逾期";
    Recommended => "Recommended", "审查意见";
    Nobody => "nobody", "无";
    Legacy => "legacy", "存量";
    Class => "Class", "类";
    Cases => "cases", "件";
    ByDeadline => "by deadline", "按期限";
    ByCaseNo => "by case number", "按案件编号";
    Waiting => "Waiting", "等待";
    Filter => "filter", "筛选";
    Search => "Search", "搜索";
    AllQueues => "All queues", "全部队列";
    Matches => "matches", "条匹配";
    Today => "today", "今日";
    Live => "live", "实时";
    ReadOnly => "READ-ONLY", "只读";
    Disabled => "DISABLED", "已停用";
    AccountDisabled => "Your account is disabled: nothing can be changed (an admin can enable it again)", "您的账户已停用：不能办理任何操作（管理员可恢复）";
    Help => "Help", "帮助";
    Keys => "Keys", "快捷键";
    Quit => "quit", "退出";
    Confirm => "confirm", "确认";
    Cancel => "cancel", "取消";
    Submit => "submit", "提交";
    NoteOptional => "Note (optional)", "备注（可选）";
    ReasonPrompt => "Give the reason:", "请填写理由：";
    ReturnPrompt => "List every fix the employer must make:", "请一次性告知需补正的全部内容：";
    DraftSaved => "draft saved", "草稿已保存";
    DraftRestored => "draft restored", "已恢复草稿";
    EmptyReason => "A reason is required: type it first", "必须填写理由";
    DiscardAsk => "Discard the typed text? y discard  n keep typing", "放弃已输入的内容？y 放弃  n 继续";
    QuitAsk => "A reason is being typed. Quit anyway? y quit  n stay", "正在输入理由，确定退出？y 退出  n 留下";
    DatePrompt => "Entry date (YYYY-MM-DD):", "入境日期（YYYY-MM-DD）：";
    Conflict => "Conflict", "冲突";
    ConflictBody => "Someone else changed this case while you were looking at it.", "在您查看期间，他人已修改此案件。";
    ReasonKept => "Your typed text is kept as a draft.", "您输入的内容已保存为草稿。";
    Saving => "Saving… the console closes once the store has recorded what you submitted", "正在保存…已提交的操作记录完成后自动退出";
    NotRecorded => "NOT recorded", "未记录";
    DraftNotSaved => "draft not saved", "草稿未保存";
    Refused => "Refused", "无法执行";
    Done => "done", "完成";
    Failed => "failed", "失败";
    WillBe => "cases will be", "件案件将被";
    TooSmall => "Window too small: at least 60x16 is needed", "窗口太小：至少需要 60x16";
    Loading => "loading", "加载中";
    NoCases => "No cases here", "暂无案件";
    NewOverdue => "new overdue since you opened", "自打开以来新增逾期";
    NewOverdueSinceVisit => "became overdue since your last visit", "自上次访问以来新增逾期";
    Palette => "Command", "命令";
    AssignTo => "Assign to", "分配给";
    Verify => "On-site verification", "现场核验";
    Marked => "marked", "已选";
    Viewer => "read-only: viewer", "只读：查阅角色";
    Provisional => "provisional: the holiday calendar lacks this year", "暂定：节假日日历缺少该年份";
    ExamExpiresFirst => "expires before the verification window closes", "将在核验期限届满前过期";
    Copied => "copied", "已复制";
    DaysLeft => "d", "天";
    Review => "Review session", "连续审核";
    ReviewSkipped => "skipped", "已跳过";
    ReviewEnded => "Review session ended", "连续审核已结束";
    ReviewMedian => "median time per case", "每件用时中位数";
    ReviewKept => "Kept for the supervisors' workload report.", "已计入主管的工作量报表。";
    ReviewKeys => "In a review session: act on the case, s skips it, q ends the session", "连续审核中：请办理本案，s 跳过，q 结束";
    ReviewSkip => "skip", "跳过";
    ReviewEnd => "end session", "结束审核";
    ReviewNoClaims => "A review session claims its cases: start it in Pre-audit, Review, My cases or Overdue, where cases are claimed", "连续审核以认领方式取件，只有预审和审查阶段的案件可以认领：请在预审、审查、我的案件或逾期队列中开始";
    ReviewNoRole => "A review session claims cases: that needs the approver or supervisor role", "连续审核需要认领案件：须有审批或主管角色";
    Toggle => "toggle", "勾选";
    NextField => "next field", "下一项";
    VerifyHint => "verify", "核验通过";
    DiscardForm => "Discard what was entered? y discard  n keep", "放弃已填写的内容？y 放弃  n 继续";
    InTheFuture => "in the future", "晚于今日";
    ValidThrough => "valid through", "有效期至";
    RecordEntry => "Record entry", "登记入境";
    ExtendTitle => "Extend", "延长期限";
    Ok => "OK", "确定";
    Scroll => "scroll", "滚动";
    NotePrompt => "Note (optional):", "备注（可选）：";
    NotificationIssued => "Work Permit Notification will be issued", "将发放工作许可通知";
    SigningAgainst => "Reason (required: signing against the recommendation to refuse):", "理由（必填：签发决定与审查意见“不予许可”不一致）：";
    VerbReturn => "Return", "退回";
    VerbRecommendRefusal => "Recommend refusal of", "建议不予许可";
    VerbRefuse => "Refuse", "不予许可";
    VerbNotAccept => "Do not accept", "不予受理";
    VerbNote => "Note on", "备注";
    VerbSendBack => "Send back", "退回审查";
    VerbWithdraw => "Withdraw", "撤回";
    VerbLapse => "Lapse", "逾期未核验办结";
    VerbAllowLate => "Allow late verification", "允许逾期核验";
    VerbReopen => "Reopen", "重新开启核验";
    DocOk => "ok", "齐全";
    DocMissing => "MISSING", "缺";
    Domestic => "domestic", "境内机构";
    NotDomestic => "NOT domestic", "非境内机构";
    VerifiedLate => "  (verified late)", "（已逾期核验）";
    Late => "LATE", "逾期";
    Earlier => "earlier", "条更早记录";
    TitleColon => ": ", "：";
    TitleComma => ", ", "，";
    Claimed => "claimed", "已认领";
    Released => "released", "已释放";
    StoreReadOnly => "the store is open read-only: nothing can be changed", "存储为只读：不能修改";
    SearchAllQueues => "the search looks through every queue; Esc goes back to the tab and its filter", "搜索范围为全部队列；按 Esc 返回当前队列及其筛选";
    NoReviewRunning => "no review session is running: R starts one", "当前没有连续审核：按 R 开始";
    BulkApprove => "approve", "通过";
    BulkReturn => "return", "退回";
    BulkClaim => "claim", "认领";
    BulkAssign => "assign", "分配";
    BulkApproved => "approved", "通过";
    BulkReturned => "returned", "退回";
    BulkClaimed => "claimed or released", "认领或释放";
    BulkAssigned => "assigned", "分配";
    ListSep => ", ", "、";
    ReviewStarting => "review session: taking the most urgent case…", "连续审核：正在领取最紧急的案件…";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_picks_the_language() {
        assert_eq!(Lang::choose(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(
            Lang::choose(None, Some("en_US.UTF-8"), Some("zh_CN.UTF-8")),
            Lang::En
        );
        assert_eq!(Lang::choose(Some("zh"), None, None), Lang::Zh);
        assert_eq!(Lang::choose(Some("en"), Some("zh_CN"), None), Lang::En);
        assert_eq!(Lang::choose(None, Some(""), Some("C")), Lang::En);
    }
}
