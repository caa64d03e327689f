//! Keys to commands: the defaults of INTERFACE.md, patched by the `[keys]` table of the config.
//! Help, the status-bar hints and the palette are all generated from this map, so they can never
//! disagree with the bindings.

use super::i18n::Lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

mod context;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Help,
    Quit,
    NextQueue,
    PrevQueue,
    Queue1,
    Queue2,
    Queue3,
    Queue4,
    Queue5,
    Queue6,
    Queue7,
    Queue8,
    Queue9,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    OpenDetail,
    Back,
    Search,
    CycleFilter,
    CycleSort,
    ReverseSort,
    Claim,
    Approve,
    Return,
    Refuse,
    RecordEntry,
    Verify,
    Note,
    Assign,
    Mark,
    Overdue,
    Dashboard,
    Copy,
    Palette,
    Language,
    SendBack,
    Withdraw,
    Extend,
    Lapse,
    AllowLate,
    Reopen,
    /// Starts a review session on the current queue and filter.
    Review,
    /// In a review session: the next case, releasing this one.
    Skip,
    /// In a review session: ends it, with its summary.
    EndReview,
    /// In a dialog: do what it asks (Enter).
    Confirm,
    /// In a dialog or an editor: put it away (Esc).
    Cancel,
    /// In a dialog: scroll or move down.
    ScrollDown,
    /// In a dialog: scroll or move up.
    ScrollUp,
    /// In an editor: submit what was typed (Ctrl-s).
    Submit,
    /// In a form: the next field.
    NextField,
    /// In a form: tick or cycle the field.
    Toggle,
}

pub use context::{Context, is_action};

impl Command {
    pub const ALL: &'static [Command] = &[
        Command::Help,
        Command::Quit,
        Command::NextQueue,
        Command::PrevQueue,
        Command::Queue1,
        Command::Queue2,
        Command::Queue3,
        Command::Queue4,
        Command::Queue5,
        Command::Queue6,
        Command::Queue7,
        Command::Queue8,
        Command::Queue9,
        Command::Down,
        Command::Up,
        Command::Top,
        Command::Bottom,
        Command::PageDown,
        Command::PageUp,
        Command::OpenDetail,
        Command::Back,
        Command::Search,
        Command::CycleFilter,
        Command::CycleSort,
        Command::ReverseSort,
        Command::Claim,
        Command::Approve,
        Command::Return,
        Command::Refuse,
        Command::RecordEntry,
        Command::Verify,
        Command::Note,
        Command::Assign,
        Command::Mark,
        Command::Overdue,
        Command::Dashboard,
        Command::Copy,
        Command::Palette,
        Command::Language,
        Command::SendBack,
        Command::Withdraw,
        Command::Extend,
        Command::Lapse,
        Command::AllowLate,
        Command::Reopen,
        Command::Review,
        Command::Skip,
        Command::EndReview,
    ];

    /// The keys of dialogs and editors: not commands of the palette or the help's main list,
    /// but remapped in `[keys]` as the others are.
    pub const DIALOG: &'static [Command] = &[
        Command::Confirm,
        Command::Cancel,
        Command::ScrollDown,
        Command::ScrollUp,
        Command::Submit,
        Command::NextField,
        Command::Toggle,
    ];

    /// The context whose bindings hold this command's keys.
    pub fn context(self) -> Context {
        match self {
            Command::Skip | Command::EndReview => Context::Review,
            Command::Confirm | Command::Cancel | Command::ScrollDown | Command::ScrollUp => {
                Context::Dialog
            }
            Command::Submit | Command::NextField | Command::Toggle => Context::Editor,
            _ => Context::Main,
        }
    }

    /// The name used in the config file and the palette.
    pub fn name(self) -> &'static str {
        self.describe().0
    }

    /// (config name, English, Chinese).
    pub fn describe(self) -> (&'static str, &'static str, &'static str) {
        use Command::*;
        match self {
            Help => ("help", "help", "帮助"),
            Quit => ("quit", "quit", "退出"),
            NextQueue => ("next_queue", "next queue", "下一队列"),
            PrevQueue => ("prev_queue", "previous queue", "上一队列"),
            Queue1 => ("queue1", "My cases", "我的案件"),
            Queue2 => ("queue2", "Pre-audit", "预审"),
            Queue3 => ("queue3", "Review", "审查"),
            Queue4 => ("queue4", "Decision", "待决定"),
            Queue5 => ("queue5", "Returned", "退回补正"),
            Queue6 => ("queue6", "Awaiting entry", "待入境"),
            Queue7 => ("queue7", "Verification", "待核验"),
            Queue8 => ("queue8", "Overdue", "逾期"),
            Queue9 => ("queue9", "Closed", "已办结"),
            Down => ("down", "move down", "下移"),
            Up => ("up", "move up", "上移"),
            Top => ("top", "first row", "首行"),
            Bottom => ("bottom", "last row", "末行"),
            PageDown => ("page_down", "page down", "下一页"),
            PageUp => ("page_up", "page up", "上一页"),
            OpenDetail => ("open_detail", "detail", "详情"),
            Back => ("back", "back", "返回"),
            Search => ("search", "search", "搜索"),
            CycleFilter => ("cycle_filter", "filter", "筛选"),
            CycleSort => ("cycle_sort", "sort", "排序"),
            ReverseSort => ("reverse_sort", "reverse sort", "倒序"),
            Claim => ("claim", "claim/release", "认领/释放"),
            Approve => ("approve", "approve", "通过"),
            Return => ("return", "return", "退回"),
            Refuse => ("refuse", "refuse", "不予许可"),
            RecordEntry => ("record_entry", "record entry", "登记入境"),
            Verify => ("verify", "verify", "核验"),
            Note => ("note", "note", "备注"),
            Assign => ("assign", "assign", "分配"),
            Mark => ("mark", "mark", "标记"),
            Overdue => ("overdue", "overdue", "逾期"),
            Dashboard => ("dashboard", "dashboard", "看板"),
            Copy => ("copy", "copy case no", "复制编号"),
            Palette => ("palette", "commands", "命令"),
            Language => ("language", "中文/English", "中文/English"),
            SendBack => ("send_back", "send back to review", "退回审查"),
            Withdraw => ("withdraw", "withdraw (employer asked)", "撤回"),
            Extend => ("extend", "extend the decision deadline", "延长决定期限"),
            Lapse => ("lapse", "lapse an overdue verification", "逾期未核验办结"),
            AllowLate => (
                "allow-late",
                "allow a verification after its window has ended",
                "允许逾期核验",
            ),
            Reopen => ("reopen", "reopen a lapsed verification", "重新开启核验"),
            Review => (
                "review",
                "review session: the most urgent case, one after another",
                "连续审核：逐件办理最紧急的案件",
            ),
            Skip => (
                "skip",
                "review session: skip (release) the case",
                "连续审核：跳过（释放）本案",
            ),
            EndReview => (
                "end_review",
                "review session: end, with a summary",
                "连续审核：结束并显示小结",
            ),
            Confirm => ("confirm", "dialog: confirm", "对话框：确认"),
            Cancel => ("cancel", "dialog: cancel", "对话框：取消"),
            ScrollDown => ("scroll_down", "dialog: scroll or move down", "对话框：下移"),
            ScrollUp => ("scroll_up", "dialog: scroll or move up", "对话框：上移"),
            Submit => ("submit", "editor: submit the text", "编辑框：提交"),
            NextField => ("next_field", "form: next field", "表单：下一项"),
            Toggle => (
                "toggle",
                "form: tick or change the field",
                "表单：勾选或切换",
            ),
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (_, en, zh) = self.describe();
        match lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    pub fn by_name(name: &str) -> Option<Command> {
        Command::ALL
            .iter()
            .chain(Command::DIALOG)
            .copied()
            .find(|c| c.name() == name)
    }
}

/// A key as written in the config: `a`, `A`, `ctrl-c`, `shift-tab`, `enter`, `pgdn`, `space`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

impl Key {
    /// Shift is carried by the character itself (`A`) or by `BackTab`, so it is not compared.
    pub fn from_event(event: &KeyEvent) -> Key {
        Key {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(spec: &str) -> Result<Key, String> {
        let lower = spec.trim();
        let (mut ctrl, mut alt) = (false, false);
        let mut rest = lower;
        loop {
            let l = rest.to_ascii_lowercase();
            if l.starts_with("ctrl-") || l.starts_with("ctrl+") {
                ctrl = true;
                rest = &rest[5..];
            } else if l.starts_with("alt-") || l.starts_with("alt+") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "pgup" | "pageup" => KeyCode::PageUp,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.starts_with('f') && f.len() > 1 && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse::<u8>().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => {
                        return Err(format!(
                            "\"{spec}\" is not a key (try a, A, ctrl-s, enter, pgdn, space, f1)"
                        ));
                    }
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl Key {
    /// The key as the terminal would send it.
    pub fn event(&self) -> KeyEvent {
        let mut modifiers = KeyModifiers::NONE;
        if self.ctrl {
            modifiers |= KeyModifiers::CONTROL;
        }
        if self.alt {
            modifiers |= KeyModifiers::ALT;
        }
        KeyEvent::new(self.code, modifiers)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum KeySetting {
    One(String),
    Many(Vec<String>),
    #[default]
    None,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    /// In definition order, so help lists keys as the defaults and the config give them.
    bindings: Vec<(Key, Command)>,
}

const DEFAULTS: &[(&str, Command)] = &[
    ("?", Command::Help),
    ("q", Command::Quit),
    ("ctrl-c", Command::Quit),
    ("tab", Command::NextQueue),
    ("shift-tab", Command::PrevQueue),
    ("1", Command::Queue1),
    ("2", Command::Queue2),
    ("3", Command::Queue3),
    ("4", Command::Queue4),
    ("5", Command::Queue5),
    ("6", Command::Queue6),
    ("7", Command::Queue7),
    ("8", Command::Queue8),
    ("9", Command::Queue9),
    ("j", Command::Down),
    ("down", Command::Down),
    ("k", Command::Up),
    ("up", Command::Up),
    ("g", Command::Top),
    ("home", Command::Top),
    ("G", Command::Bottom),
    ("end", Command::Bottom),
    ("pgdn", Command::PageDown),
    ("pgup", Command::PageUp),
    ("enter", Command::OpenDetail),
    ("esc", Command::Back),
    ("/", Command::Search),
    ("f", Command::CycleFilter),
    ("s", Command::CycleSort),
    ("S", Command::ReverseSort),
    ("c", Command::Claim),
    ("a", Command::Approve),
    ("r", Command::Return),
    ("x", Command::Refuse),
    ("e", Command::RecordEntry),
    ("v", Command::Verify),
    ("n", Command::Note),
    ("A", Command::Assign),
    ("space", Command::Mark),
    ("o", Command::Overdue),
    ("D", Command::Dashboard),
    ("y", Command::Copy),
    (":", Command::Palette),
    ("L", Command::Language),
    ("b", Command::SendBack),
    ("w", Command::Withdraw),
    ("E", Command::Extend),
    ("l", Command::Lapse),
    ("t", Command::AllowLate),
    ("u", Command::Reopen),
    ("R", Command::Review),
    ("s", Command::Skip),
    ("q", Command::EndReview),
    ("enter", Command::Confirm),
    ("ctrl-enter", Command::Confirm),
    ("esc", Command::Cancel),
    ("j", Command::ScrollDown),
    ("down", Command::ScrollDown),
    ("k", Command::ScrollUp),
    ("up", Command::ScrollUp),
    ("ctrl-s", Command::Submit),
    ("ctrl-enter", Command::Submit),
    ("tab", Command::NextField),
    ("space", Command::Toggle),
];

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .filter_map(|(spec, command)| Key::parse(spec).ok().map(|k| (k, *command)))
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the config's `[keys]` applied: a command named there loses its default
    /// keys and gets the given ones.
    pub fn with_overrides(overrides: &BTreeMap<String, KeySetting>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, setting) in overrides {
            let command = Command::by_name(name).ok_or_else(|| {
                format!(
                    "[keys] {name}: no such command (one of: {})",
                    Command::ALL
                        .iter()
                        .chain(Command::DIALOG)
                        .map(|c| c.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            let specs = match setting {
                KeySetting::One(s) => vec![s.clone()],
                KeySetting::Many(v) => v.clone(),
                KeySetting::None => vec![],
            };
            map.bindings.retain(|(_, c)| *c != command);
            for spec in specs {
                let key = Key::parse(&spec).map_err(|e| format!("[keys] {name}: {e}"))?;
                // A key is taken from another command of the same context only.
                map.bindings
                    .retain(|(k, c)| *k != key || c.context() != command.context());
                map.bindings.push((key, command));
            }
        }
        Ok(map)
    }

    fn lookup(&self, key: &Key, context: Context) -> Option<Command> {
        self.bindings
            .iter()
            .find(|(k, c)| k == key && c.context() == context)
            .map(|(_, c)| *c)
    }

    /// The main screen's command for `event`.
    pub fn command(&self, event: &KeyEvent) -> Option<Command> {
        self.lookup(&Key::from_event(event), Context::Main)
    }

    /// The command for `event` in `context`: its own bindings first, then the main screen's.
    pub fn resolve(&self, event: &KeyEvent, context: Context) -> Option<Command> {
        let key = Key::from_event(event);
        self.lookup(&key, context)
            .or_else(|| self.lookup(&key, Context::Main))
    }

    /// Whether `event` is a key of `command` (in the command's own context).
    pub fn binds(&self, event: &KeyEvent, command: Command) -> bool {
        let key = Key::from_event(event);
        self.bindings
            .iter()
            .any(|(k, c)| *k == key && *c == command)
    }

    /// The first key of `command`, as a hint shows it (empty when it has none).
    pub fn first_key(&self, command: Command) -> String {
        self.key_list(command)
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    /// The keys bound to `command`, in binding order.
    pub fn key_list(&self, command: Command) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(_, c)| *c == command)
            .map(|(k, _)| k.to_string())
            .collect()
    }

    /// The keys bound to `command`, as shown to the user (`j/↓`).
    pub fn keys_for(&self, command: Command) -> String {
        self.key_list(command).join("/")
    }

    /// Every command with its keys, in the order of `Command::ALL`.
    pub fn entries(&self) -> Vec<(String, Command)> {
        Command::ALL
            .iter()
            .map(|c| (self.keys_for(*c), *c))
            .filter(|(k, _)| !k.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests;
