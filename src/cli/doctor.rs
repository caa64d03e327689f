//! `doctor`: checks a deployment and says what to fix. Exit 0 when nothing needs fixing.

use super::{Cli, Exit, store_path};
use crate::domain::Calendar;
use crate::store::Store;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// What `doctor` found: printed as it goes, or gathered into one JSON document with `--json`
/// (`{"checks": [{"status": "ok"|"fix"|"note", "text", "how"}], "fixes": N, "replication"}`).
#[derive(Debug, Default)]
pub struct Report {
    json: bool,
    pub checks: Vec<serde_json::Value>,
    pub fixes: usize,
    /// The replica's state (`super::replication::Replica`), in the JSON document.
    pub replication: Option<serde_json::Value>,
}

impl Report {
    pub fn new(json: bool) -> Report {
        Report {
            json,
            ..Report::default()
        }
    }

    pub fn ok(&mut self, text: &str) {
        self.push("ok", text, None);
    }

    pub fn fix(&mut self, text: &str, how: &str) {
        self.fixes += 1;
        self.push("fix", text, Some(how));
    }

    pub fn note(&mut self, text: &str) {
        self.push("note", text, None);
    }

    fn push(&mut self, status: &str, text: &str, how: Option<&str>) {
        if self.json {
            self.checks
                .push(serde_json::json!({ "status": status, "text": text, "how": how }));
            return;
        }
        let text = crate::text::sanitize_line(text);
        match (status, how) {
            ("ok", _) => crate::outln!("ok   {text}"),
            ("fix", Some(how)) => crate::outln!("FIX  {text}\n       {how}"),
            _ => crate::outln!("note {text}"),
        }
    }

    /// Prints the JSON document (with `--json`) and gives the exit: 0, or 1 naming the count.
    pub fn finish(&self) -> anyhow::Result<()> {
        if self.json {
            super::output::print_json(&serde_json::json!({
                "checks": self.checks,
                "fixes": self.fixes,
                "replication": self.replication,
            }))?;
        } else if self.fixes == 0 {
            crate::outln!("nothing to fix");
        }
        if self.fixes == 0 {
            Ok(())
        } else {
            Err(Exit::new(1, format!("{} thing(s) to fix", self.fixes)).into())
        }
    }
}

fn group_name(gid: u32) -> String {
    nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
        .ok()
        .flatten()
        .map(|g| g.name)
        .unwrap_or_else(|| gid.to_string())
}

/// Filesystems on which SQLite's WAL shared memory does not work across hosts.
fn network_filesystem(path: &Path) -> Option<&'static str> {
    let stat = nix::sys::statfs::statfs(path).ok()?;
    let kind = stat.filesystem_type().0 as i64;
    match kind {
        0x6969 => Some("NFS"),
        0xFF534D42 => Some("CIFS"),
        0xFE534D42 => Some("SMB2"),
        0x517B => Some("SMB"),
        0x65735546 => Some("FUSE"),
        _ => None,
    }
}

/// What is wrong with who may read the store's files: the directory and every file must be the
/// store owner's alone (the service account's, in a deployment). Anyone else who can read them
/// reads every passport; anyone who can write them can forge any approval, whatever `check` says.
pub fn store_file_problems(path: &Path) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(meta) = std::fs::metadata(dir) {
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            problems.push((
                format!(
                    "{} is open to its group ({}) or others (mode {mode:o})",
                    dir.display(),
                    group_name(meta.gid())
                ),
                "chmod 0700 DIR, owned by the account that runs `permitdesk serve`; people connect through its socket".into(),
            ));
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let file = Path::new(&name);
        let Ok(meta) = std::fs::metadata(file) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            problems.push((
                format!(
                    "{} is readable or writable by its group or others (mode {mode:o})",
                    file.display()
                ),
                "chmod 0600 FILE (and run the server with UMask=0077)".into(),
            ));
        }
    }
    problems
}

pub fn run(cli: &Cli, calendar: Calendar) -> anyhow::Result<()> {
    let mut report = Report::new(cli.json);
    let path = store_path(cli, "permitdesk.db")?;
    report.note(&format!("store {}", path.display()));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match std::fs::metadata(dir) {
        Err(e) => report.fix(
            &format!("{}: {e}", dir.display()),
            "create the directory: install -d -m 0700 -o permitdesk DIR",
        ),
        Ok(_) => match network_filesystem(dir) {
            Some(fs) => report.fix(
                &format!("{} is on {fs}", dir.display()),
                "keep the store on a local disk: SQLite's WAL needs shared memory that network filesystems do not provide",
            ),
            None => report.ok("the store directory is on a local filesystem"),
        },
    }
    if !path.exists() {
        report.fix(
            "the store file does not exist",
            "create it with `permitdesk init` (as the service account, which becomes the first admin)",
        );
    }
    let problems = store_file_problems(&path);
    if problems.is_empty() && path.exists() {
        report.ok("only the store's owner can read or write its files");
    }
    for (problem, how) in problems {
        report.fix(&problem, &how);
    }
    if !path.exists() {
        return report.finish();
    }
    let store = Store::open(&path, calendar)?;
    let mode = store.journal_mode()?;
    if mode == "wal" {
        report.ok("journal mode is WAL");
    } else {
        report.fix(
            &format!("journal mode is {mode}"),
            "open the store once with permitdesk as a writer; it switches to WAL",
        );
    }
    // Who this command acts as: the login, or the declared user where that is honoured.
    let (login, fixed_today) = match super::identity::resolve(cli, &store) {
        Ok(resolved) => resolved,
        Err(e) => {
            report.fix(&format!("{e:#}"), "run doctor as yourself (without --as)");
            return report.finish();
        }
    };
    match store.find_actor(&login)? {
        None => report.fix(
            &format!("your login {login} is not a permitdesk user"),
            "ask an admin: permitdesk user add LOGIN --role approver",
        ),
        Some(actor) if !actor.active => report.fix(
            &format!("your login {login} is disabled"),
            "ask an admin to re-enable you",
        ),
        Some(actor) => report.ok(&format!(
            "you are {login}: {}",
            actor
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    if store.settings().trust_declared_user {
        report.note("this store trusts --as (a demo or training store, or forced-command keys)");
    }
    let today = store.clock(fixed_today).today();
    match store.calendar().missing_year_warning(today) {
        Some(warning) => report.fix(
            &warning,
            "add the State Council's notice to a calendar file; an admin installs it with `permitdesk calendar install FILE`",
        ),
        None => report.ok("the holiday calendar covers this year"),
    }
    for batch in store.unfinished_batches()? {
        report.fix(&batch.to_string(), batch.how_to_finish());
    }
    if let Some(offered) = store.offered_calendar() {
        report.note(&super::calendar::offered_differs(offered));
    }
    super::replication::check(&mut report, &cli.replication, &path, &store)?;
    report.finish()
}
