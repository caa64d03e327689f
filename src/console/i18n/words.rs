//! Words of single views and dialogs, each pair named here so the views only ask for it.

use super::Lang;
use crate::domain::Stage;

impl Lang {
    /// A case's move between stages: "Pre-audit -> Review", "预审 → 审查"; `None` for a
    /// case's first stage.
    pub fn stage_move(self, from: Option<Stage>, to: Stage) -> String {
        let arrow = self.pick("->", "→");
        match from {
            Some(from) => format!("{} {arrow} {}", self.stage(from), self.stage(to)),
            None => format!("{arrow} {}", self.stage(to)),
        }
    }
}
