//! `permitdesk completions SHELL`: the shell completion script, the same one the Debian package
//! installs (xtask writes it with [`script`]). It needs no store and opens nothing.

use clap::CommandFactory as _;
use std::io::Write as _;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

impl CompletionShell {
    /// The file name each shell looks for in its completions directory.
    pub fn file_name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "permitdesk",
            CompletionShell::Zsh => "_permitdesk",
            CompletionShell::Fish => "permitdesk.fish",
        }
    }

    fn generator(self) -> clap_complete::Shell {
        match self {
            CompletionShell::Bash => clap_complete::Shell::Bash,
            CompletionShell::Zsh => clap_complete::Shell::Zsh,
            CompletionShell::Fish => clap_complete::Shell::Fish,
        }
    }
}

/// The script, built in memory: clap_complete panics when its writer fails, and a closed pipe
/// (`permitdesk completions bash | head`) is no crash.
pub fn script(shell: CompletionShell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(
        shell.generator(),
        &mut super::Cli::command(),
        "permitdesk",
        &mut out,
    );
    out
}

pub fn print(shell: CompletionShell) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&script(shell))?;
    stdout.flush()?;
    Ok(())
}
