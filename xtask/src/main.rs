//! `cargo xtask dist [DIR]`: writes what the Debian package installs besides the binary, all of
//! it generated from the clap definitions in `permitdesk::cli::args` so it cannot drift from the
//! program: `DIR/man/*.1` (permitdesk(1) and one page per subcommand, nested ones as
//! permitdesk-case-approve(1)) and `DIR/completions/` for bash, zsh and fish. DIR defaults to
//! `target/dist`, where the `[package.metadata.deb]` assets point.

use anyhow::{Context as _, bail};
use clap::CommandFactory as _;
use permitdesk::cli::completions::{self, CompletionShell};
use std::path::{Path, PathBuf};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("dist") => {
            let dir = match args.next() {
                Some(dir) => PathBuf::from(dir),
                None => workspace_root()?.join("target/dist"),
            };
            if let Some(extra) = args.next() {
                bail!("dist takes at most one directory; {extra:?} is one too many");
            }
            dist(&dir)
        }
        _ => bail!("usage: cargo xtask dist [DIR]"),
    }
}

fn workspace_root() -> anyhow::Result<PathBuf> {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask
        .parent()
        .map(Path::to_path_buf)
        .context("the xtask directory has no parent")
}

fn dist(dir: &Path) -> anyhow::Result<()> {
    let man = dir.join("man");
    let comp = dir.join("completions");
    // Pages of a subcommand that was since removed must not linger in the package.
    for old in [&man, &comp] {
        match std::fs::remove_dir_all(old) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", old.display())),
        }
        std::fs::create_dir_all(old).with_context(|| format!("creating {}", old.display()))?;
    }
    clap_mangen::generate_to(permitdesk::cli::Cli::command(), &man)
        .with_context(|| format!("writing the man pages to {}", man.display()))?;
    for shell in [
        CompletionShell::Bash,
        CompletionShell::Zsh,
        CompletionShell::Fish,
    ] {
        let path = comp.join(shell.file_name());
        std::fs::write(&path, completions::script(shell))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let pages = std::fs::read_dir(&man)
        .with_context(|| format!("listing {}", man.display()))?
        .count();
    println!(
        "xtask: {pages} man pages in {}, completions in {}",
        man.display(),
        comp.display()
    );
    Ok(())
}
