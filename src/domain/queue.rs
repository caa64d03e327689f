//! The nine queues of the console and their filters (INTERFACE.md, "Queues").

use super::model::Stage;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Queue {
    MyCases,
    PreAudit,
    Review,
    Decision,
    Returned,
    AwaitingEntry,
    Verification,
    Overdue,
    Closed,
    All,
}

impl Queue {
    /// The nine tabs, in order; `All` is for the command line only.
    pub const TABS: [Queue; 9] = [
        Queue::MyCases,
        Queue::PreAudit,
        Queue::Review,
        Queue::Decision,
        Queue::Returned,
        Queue::AwaitingEntry,
        Queue::Verification,
        Queue::Overdue,
        Queue::Closed,
    ];

    pub const ALL: [Queue; 10] = [
        Queue::MyCases,
        Queue::PreAudit,
        Queue::Review,
        Queue::Decision,
        Queue::Returned,
        Queue::AwaitingEntry,
        Queue::Verification,
        Queue::Overdue,
        Queue::Closed,
        Queue::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::MyCases => "my-cases",
            Queue::PreAudit => "pre-audit",
            Queue::Review => "review",
            Queue::Decision => "decision",
            Queue::Returned => "returned",
            Queue::AwaitingEntry => "awaiting-entry",
            Queue::Verification => "verification",
            Queue::Overdue => "overdue",
            Queue::Closed => "closed",
            Queue::All => "all",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Queue::MyCases => "My cases",
            Queue::PreAudit => "Pre-audit",
            Queue::Review => "Review",
            Queue::Decision => "Decision",
            Queue::Returned => "Returned",
            Queue::AwaitingEntry => "Awaiting entry",
            Queue::Verification => "Verification",
            Queue::Overdue => "Overdue",
            Queue::Closed => "Closed",
            Queue::All => "All",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Queue::MyCases => "我的案件",
            Queue::PreAudit => "预审",
            Queue::Review => "审查",
            Queue::Decision => "待决定",
            Queue::Returned => "退回补正",
            Queue::AwaitingEntry => "待入境",
            Queue::Verification => "待核验",
            Queue::Overdue => "逾期",
            Queue::Closed => "已办结",
            Queue::All => "全部",
        }
    }

    /// Whether the queue's cases can have a running deadline: a returned case's timers are
    /// paused, a notified case has none yet and a closed one none any more, so there the
    /// deadline order is the case-number order.
    pub fn has_running_deadlines(self) -> bool {
        !matches!(self, Queue::Returned | Queue::AwaitingEntry | Queue::Closed)
    }

    /// The single stage a stage tab lists.
    pub fn stage(self) -> Option<Stage> {
        match self {
            Queue::PreAudit => Some(Stage::PreAudit),
            Queue::Review => Some(Stage::Review),
            Queue::Decision => Some(Stage::Decision),
            Queue::Returned => Some(Stage::Returned),
            Queue::AwaitingEntry => Some(Stage::Notified),
            Queue::Verification => Some(Stage::Verification),
            _ => None,
        }
    }
}

impl fmt::Display for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Queue {
    type Err = super::model::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Queue::ALL
            .iter()
            .copied()
            .find(|q| q.as_str() == wanted)
            .ok_or_else(|| super::model::UnknownName {
                what: "queue",
                given: s.to_string(),
                expected: Queue::ALL.map(|q| q.as_str()).join(", "),
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Filter {
    #[default]
    All,
    Unclaimed,
    Mine,
    DueSoon,
    Overdue,
    Legacy,
}

impl Filter {
    pub const ALL: [Filter; 6] = [
        Filter::All,
        Filter::Unclaimed,
        Filter::Mine,
        Filter::DueSoon,
        Filter::Overdue,
        Filter::Legacy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Unclaimed => "unclaimed",
            Filter::Mine => "mine",
            Filter::DueSoon => "due-soon",
            Filter::Overdue => "overdue",
            Filter::Legacy => "legacy",
        }
    }

    pub fn next(self) -> Filter {
        let i = Filter::ALL.iter().position(|f| *f == self).unwrap_or(0);
        Filter::ALL[(i + 1) % Filter::ALL.len()]
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Filter {
    type Err = super::model::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Filter::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| super::model::UnknownName {
                what: "filter",
                given: s.to_string(),
                expected: Filter::ALL.map(|f| f.as_str()).join(", "),
            })
    }
}
