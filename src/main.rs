use std::process::ExitCode;

/// mimalloc: a million-case demo build spent a fifth of its CPU in glibc's malloc and free
/// (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    crash::install_hook();
    if std::env::var(crash::TEST_PANIC_VAR).as_deref() == Ok("cli") {
        crash::deliberate_panic();
    }
    let cli = permitdesk::cli::Cli::parse_args();
    let lang = permitdesk::cli::language(&cli);
    match permitdesk::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`permitdesk export | head`): stop quietly, as Unix tools do.
        Err(err) if reader_gone(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let code = permitdesk::cli::exit_code(&err);
            let message = permitdesk::cli::failure_text(lang, &err);
            eprintln!("permitdesk: {}", permitdesk::text::sanitize_line(&message));
            ExitCode::from(code)
        }
    }
}

fn reader_gone(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
}

/// Crash reports: a panic anywhere prints where the report went and writes the report (version,
/// location, backtrace, and the panic message with anything that could be case data redacted) to
/// `$XDG_STATE_HOME/permitdesk/crash-TIME-PID.txt`, readable only by its owner. The console's
/// own hook (src/console/runtime.rs) restores the terminal first and then calls this one.
mod crash {
    use std::io::Write as _;
    use std::panic::PanicHookInfo;
    use std::path::PathBuf;

    /// `cli` panics before the command line is read; `1` or `console` makes the console panic
    /// after its first frame, `worker` makes its store thread panic: for the crash-report tests.
    pub const TEST_PANIC_VAR: &str = "PERMITDESK_TEST_PANIC";

    pub fn deliberate_panic() -> ! {
        let passport = "E99887766";
        panic!(
            "{TEST_PANIC_VAR}: a deliberate crash while showing passport {passport} of \"LI WEI\" 李伟"
        );
    }

    pub fn install_hook() {
        std::panic::set_hook(Box::new(report));
    }

    fn report(info: &PanicHookInfo<'_>) {
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "an unknown place".into());
        let (message, constant) = match info.payload().downcast_ref::<&'static str>() {
            Some(s) => (s.to_string(), true),
            None => (
                info.payload()
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| "(no message)".into()),
                false,
            ),
        };
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        // Redacted on stderr too: under `sync --watch` stderr is a log.
        let redacted = if constant { message } else { redact(&message) };
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "permitdesk: internal error (a bug) in thread {thread} at {location}: {}",
            permitdesk::text::sanitize_line(&redacted)
        );
        let body = format!(
            "permitdesk crash report\n\
             version: {}\n\
             time: {}\n\
             os: {} {}\n\
             thread: {thread}\n\
             location: {location}\n\
             message (case data redacted): {}\n\
             backtrace:\n{}\n",
            env!("CARGO_PKG_VERSION"),
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
            std::env::consts::OS,
            std::env::consts::ARCH,
            permitdesk::text::sanitize_line(&redacted),
            std::backtrace::Backtrace::force_capture()
        );
        match write_report(&body) {
            Ok(path) => {
                let _ = writeln!(
                    err,
                    "permitdesk: crash report written to {} (it holds no case data); please send it to your administrator",
                    path.display()
                );
            }
            Err(e) => {
                let _ = writeln!(err, "permitdesk: could not write a crash report: {e}");
            }
        }
    }

    /// The state directory (`$XDG_STATE_HOME/permitdesk`, else `~/.local/state/permitdesk`),
    /// or the temporary directory when there is none.
    fn report_dir() -> PathBuf {
        directories::BaseDirs::new()
            .and_then(|d| d.state_dir().map(|s| s.join("permitdesk")))
            .unwrap_or_else(|| std::env::temp_dir().join("permitdesk"))
    }

    fn write_report(body: &str) -> std::io::Result<PathBuf> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let dir = report_dir();
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let path = dir.join(format!("crash-{stamp}-{}.txt", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(body.as_bytes())?;
        file.sync_all()?;
        Ok(path)
    }

    /// Removes what could be case data from a formatted panic message: anything in double
    /// quotes, and every word holding a digit (passport, case and permit numbers, dates), a
    /// non-ASCII character (names in Chinese) or two or more capitals only (names as printed in
    /// passports). Code words such as `Option::unwrap()` survive.
    pub fn redact(message: &str) -> String {
        let mut unquoted = String::with_capacity(message.len());
        let mut in_quote = false;
        for c in message.chars() {
            if c == '"' {
                if !in_quote {
                    unquoted.push_str("\"[redacted]");
                } else {
                    unquoted.push('"');
                }
                in_quote = !in_quote;
            } else if !in_quote {
                unquoted.push(c);
            }
        }
        let mut out = String::with_capacity(unquoted.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            if word.is_empty() {
                return;
            }
            let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
            let shouting = letters.len() >= 2 && letters.iter().all(|c| c.is_ascii_uppercase());
            let risky = word.chars().any(|c| c.is_ascii_digit() || !c.is_ascii()) || shouting;
            if risky {
                out.push_str("[redacted]");
            } else {
                out.push_str(word);
            }
            word.clear();
        };
        for c in unquoted.chars() {
            if c.is_whitespace() {
                flush(&mut word, &mut out);
                out.push(c);
            } else {
                word.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn redaction_keeps_code_words_and_drops_data() {
            assert_eq!(
                super::redact(
                    "a crash while showing passport E99887766 of \"li wei\" LI WEI 李伟 in `Option::unwrap()`"
                ),
                "a crash while showing passport [redacted] of \"[redacted]\" [redacted] [redacted] [redacted] in `Option::unwrap()`"
            );
        }
    }
}
