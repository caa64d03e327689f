//! Where keys apply, what does something in each screen, and what each screen's footer offers.

use super::Command;

/// Where a binding applies: the main screen (queues, detail), a review session, where its own
/// bindings come first and the main ones (acting, scrolling, help) still work, the dashboard's
/// figures, the cases behind a figure, a dialog, or an editor (a dialog taking typed text, where
/// letters are text, not keys). The dashboard's contexts have no keys of their own: they take the
/// main screen's, of which only those `Context::acts` lists do something there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Main,
    Review,
    Dashboard,
    DashboardCases,
    Dialog,
    Editor,
}

/// The actions on a case, in the footer's order (most used first).
const ACTIONS: &[Command] = &[
    Command::Claim,
    Command::Approve,
    Command::Return,
    Command::Refuse,
    Command::RecordEntry,
    Command::Verify,
    Command::SendBack,
    Command::Extend,
    Command::Lapse,
    Command::AllowLate,
    Command::Reopen,
    Command::Withdraw,
    Command::Assign,
    Command::Note,
    Command::Mark,
];

/// Whether `command` acts on a case (the footer offers it only where `App::offers` says so).
pub fn is_action(command: Command) -> bool {
    ACTIONS.contains(&command)
}

impl Context {
    /// The screens' contexts (dialogs and editors have their components' own hints).
    pub const SCREENS: &'static [Context] = &[
        Context::Main,
        Context::Review,
        Context::Dashboard,
        Context::DashboardCases,
    ];

    /// Whether `command` does something here: the one list the key handlers of the screen
    /// contexts check and the agreement tests read.
    pub fn acts(self, command: Command) -> bool {
        use Command::*;
        match self {
            Context::Main => command.context() == Context::Main,
            Context::Review => matches!(
                command,
                Skip | EndReview
                    | Help
                    | Quit
                    | Language
                    | Copy
                    | Down
                    | Up
                    | Top
                    | Bottom
                    | PageDown
                    | PageUp
                    | Approve
                    | Return
                    | Refuse
                    | RecordEntry
                    | Verify
                    | Note
                    | Assign
                    | SendBack
                    | Withdraw
                    | Extend
                    | Lapse
                    | AllowLate
                    | Reopen
            ),
            Context::Dashboard => matches!(
                command,
                Down | Up | OpenDetail | Back | Dashboard | Quit | Help | Language
            ),
            Context::DashboardCases => {
                ACTIONS.contains(&command)
                    || matches!(
                        command,
                        Down | Up
                            | PageDown
                            | PageUp
                            | Top
                            | Bottom
                            | Back
                            | Dashboard
                            | OpenDetail
                            | Quit
                            | Help
                            | Language
                            | Copy
                    )
            }
            Context::Dialog | Context::Editor => command.context() == self,
        }
    }

    /// The commands the footer offers here, most useful first; the view keeps those the user's
    /// roles and the selected case allow (`App::offers`) and that fit.
    pub fn footer(self) -> Vec<Command> {
        use Command::*;
        let mut commands = Vec::new();
        match self {
            Context::Main => {
                commands.extend([Help, Search]);
                commands.extend(ACTIONS);
                commands.extend([
                    Review,
                    CycleFilter,
                    Overdue,
                    Dashboard,
                    Palette,
                    Language,
                    Quit,
                ]);
            }
            Context::Review => {
                commands.extend([Approve, Return, Refuse, Skip, EndReview]);
                commands.extend([Note, SendBack, Extend, Withdraw, Assign, Help]);
            }
            Context::Dashboard => commands.extend([Help, Back, Language, Quit]),
            Context::DashboardCases => {
                commands.push(Help);
                commands.extend(ACTIONS);
                commands.extend([Back, Language, Quit]);
            }
            Context::Dialog | Context::Editor => {}
        }
        commands
    }
}
