//! The command-line grammar (clap derive).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Parser)]
#[command(
    name = "permitdesk",
    version = version(),
    about = "Work-permit back-office console (证卡融合)"
)]
pub struct Cli {
    /// The SQLite store, opened directly (your own stores: demo, training, single-user)
    #[arg(long, global = true, env = "PERMITDESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The socket of a `permitdesk serve`: the server opens the store and says who you are
    #[arg(long, global = true, env = "PERMITDESK_SOCKET", value_name = "SOCKET")]
    pub connect: Option<PathBuf>,
    /// Act as NAME (only on stores that trust declared users)
    #[arg(
        long = "as",
        global = true,
        env = "PERMITDESK_USER",
        value_name = "NAME"
    )]
    pub as_user: Option<String>,
    /// The date deadlines are computed against (only on stores that trust declared users)
    #[arg(
        long,
        global = true,
        env = "PERMITDESK_TODAY",
        value_name = "YYYY-MM-DD"
    )]
    pub today: Option<String>,
    /// Language of the console and messages
    #[arg(long, global = true, env = "PERMITDESK_LANG", value_name = "zh|en")]
    pub lang: Option<String>,
    /// Configuration file
    #[arg(long, global = true, env = "PERMITDESK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// Draw without box-drawing characters or symbols
    #[arg(long, global = true)]
    pub ascii: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Who runs this command: set by the server for its clients, never by a client.
    #[arg(skip)]
    #[serde(skip)]
    pub caller: Caller,
    /// Whether `--db` and `--connect` came from the environment rather than the command line.
    #[arg(skip)]
    #[serde(skip)]
    pub from_env: FromEnv,
    /// The replica's settings from this process's configuration; a server gives its clients'
    /// commands its own.
    #[arg(skip)]
    #[serde(skip)]
    pub replication: crate::config::Replication,
}

/// The commit this binary was built from (build.rs), or "unknown" outside a git checkout.
pub const COMMIT: &str = env!("PERMITDESK_COMMIT");

/// What `--version` prints after the name: the version, the commit and the client-server
/// protocol, the three things to compare when a client and a server disagree.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (commit {COMMIT}, protocol {})",
            env!("CARGO_PKG_VERSION"),
            crate::remote::protocol::PROTOCOL
        )
    })
}

impl Cli {
    /// Parses this process's arguments, noting which of `--db` and `--connect` came from the
    /// environment (they rank below each other's flags: INTERFACE, "Resolution order").
    pub fn parse_args() -> Cli {
        use clap::{CommandFactory as _, FromArgMatches as _, parser::ValueSource};
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let from_env = |id: &str| matches.value_source(id) == Some(ValueSource::EnvVariable);
        cli.from_env = FromEnv {
            db: from_env("db"),
            connect: from_env("connect"),
        };
        cli
    }
}

/// Who is asking: this process's own user, or a client of `serve` whose uid the kernel gave.
#[derive(Debug, Clone, Default)]
pub enum Caller {
    #[default]
    Process,
    Peer {
        login: String,
        /// The server honours `--as` and `--today` (`serve --trust-declared-user`).
        trust_declared_user: bool,
    },
}

#[derive(Debug, Clone, Copy, Default)]
pub struct FromEnv {
    pub db: bool,
    pub connect: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Subcommand)]
pub enum Command {
    /// Create (or reuse) a realistic demo store and open it
    Demo(DemoArgs),
    /// Create an empty store; you become its first admin
    Init {
        /// Honour --as and --today (training stores, or forced-command deployments)
        #[arg(long)]
        trust_declared_user: bool,
    },
    /// Users and roles
    #[command(subcommand)]
    User(UserCommand),
    /// List, show and act on cases
    #[command(subcommand)]
    Case(CaseCommand),
    /// Verify the store: integrity, audit chain, replayed histories, deadlines, calendar
    Check(CheckArgs),
    /// Check the deployment: permissions, journal mode, your roles; says what to fix
    Doctor,
    /// Restore the store's Litestream replica into a scratch directory and check it: the drill
    /// for a lost disk (run as the service account; see README.md, "Recovery")
    RestoreCheck(RestoreCheckArgs),
    /// A consistent copy of the live store, safe while consoles run
    Backup {
        #[arg(value_name = "DEST")]
        dest: PathBuf,
    },
    /// Import case files (.jsonl or .csv): every line is checked first and one bad line imports
    /// nothing; a good file is written in short steps, its cases appear together when the last
    /// one commits, and an interrupted run resumes (admin)
    Import(ImportArgs),
    /// Exchange with the upstream reporting system through a spool directory (admin)
    Sync(SyncArgs),
    /// Write a queue's cases as CSV or JSON Lines
    Export(ExportArgs),
    /// Supervisors' figures: overdue, workload, sla (table, csv, json or xlsx)
    Report(super::report::ReportArgs),
    /// The holiday calendar the store counts working days with
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The office's settings: the deadline policy and the changeover day
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Own the store and serve the people in --group over a Unix socket (run as the service account)
    Serve(ServeArgs),
    /// Administrative changes, newest first: users, settings, calendar, imports, sync
    Log(super::log::LogArgs),
    /// Print the shell completion script for bash, zsh or fish (needs no store)
    Completions {
        #[arg(value_name = "SHELL")]
        shell: super::completions::CompletionShell,
    },
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct ServeArgs {
    /// The socket to listen on (mode 0660, group --group)
    #[arg(long, value_name = "PATH", default_value = crate::remote::DEFAULT_SOCKET)]
    pub socket: PathBuf,
    /// The group whose members may connect
    #[arg(long, value_name = "NAME", default_value = "permitdesk")]
    pub group: String,
    /// The upstream spool the server watches and alone applies (inbox/, archive/, outbox/)
    #[arg(long, value_name = "DIR")]
    pub spool: Option<PathBuf>,
    /// Seconds between spool passes
    #[arg(long, default_value_t = 30, value_name = "S", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub interval: u64,
    /// Honour clients' --as and --today (training servers only)
    #[arg(long)]
    pub trust_declared_user: bool,
}

impl Command {
    /// The subcommand's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Demo(_) => "demo",
            Command::Init { .. } => "init",
            Command::User(_) => "user",
            Command::Case(_) => "case",
            Command::Check(_) => "check",
            Command::Doctor => "doctor",
            Command::RestoreCheck(_) => "restore-check",
            Command::Backup { .. } => "backup",
            Command::Import(_) => "import",
            Command::Sync(_) => "sync",
            Command::Export(_) => "export",
            Command::Report(_) => "report",
            Command::Calendar(_) => "calendar",
            Command::Settings(_) => "settings",
            Command::Serve(_) => "serve",
            Command::Log(_) => "log",
            Command::Completions { .. } => "completions",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Subcommand)]
pub enum CalendarCommand {
    /// Which calendar the store runs on and the years it covers
    Show,
    /// Replace the store's calendar and recompute every open deadline (admin); without FILE,
    /// the one `calendar` in the config names, else the one built in
    Install {
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Subcommand)]
pub enum SettingsCommand {
    /// The settings the store runs on, as its administrative history gives them
    Show,
    /// Set the day the office switched to the card integration (admin; audited): legacy cases'
    /// pre-audit restarts on it, and no new_notification or e_certificate case predates it
    Changeover {
        #[arg(value_name = "YYYY-MM-DD")]
        date: String,
    },
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct DemoArgs {
    /// Number of cases (at least 100)
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(100..=5_000_000))]
    pub cases: u64,
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Rebuild an existing demo store
    #[arg(long)]
    pub force: bool,
    /// Build the store but do not open the console
    #[arg(long)]
    pub no_tui: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct CheckArgs {
    /// A keyed anchor exported earlier (SEQ:HMAC, or an outbox file ending with one), to
    /// detect truncation or a rebuilt chain
    #[arg(long, value_name = "SEQ:HMAC|FILE")]
    pub anchor: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct RestoreCheckArgs {
    /// A new or empty directory, readable by its owner only, for the restored store
    #[arg(long, value_name = "DIR")]
    pub into: PathBuf,
    /// The Litestream configuration that replicates the store (default: `litestream_config`
    /// in permitdesk's configuration)
    #[arg(long, value_name = "PATH", conflicts_with = "replica")]
    pub litestream_config: Option<PathBuf>,
    /// Restore from this replica URL instead (file:///DIR, sftp://USER@HOST/DIR)
    #[arg(long, value_name = "URL")]
    pub replica: Option<String>,
    /// Restore the store as it was at this time (RFC 3339), not its newest position
    #[arg(long, value_name = "TIME")]
    pub timestamp: Option<String>,
    /// Check the restored chain against a keyed anchor: SEQ:HMAC, an outbox file, or the
    /// outbox directory (its newest file)
    #[arg(long, value_name = "SEQ:HMAC|FILE|DIR")]
    pub anchor: Option<String>,
    /// The anchor key to verify it with (default: the one beside the live store)
    #[arg(long, value_name = "PATH")]
    pub anchor_key: Option<PathBuf>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Subcommand)]
pub enum UserCommand {
    /// Add a user with roles
    Add {
        name: String,
        #[arg(long = "role", value_delimiter = ',', required = true)]
        roles: Vec<String>,
    },
    /// List users
    List,
    /// Disable a user and release their claims
    Disable { name: String },
    /// Restore a disabled user (admin)
    Enable { name: String },
    /// Replace a user's roles
    Roles {
        name: String,
        #[arg(long = "role", value_delimiter = ',', required = true)]
        roles: Vec<String>,
    },
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Subcommand)]
pub enum CaseCommand {
    /// Rows of a queue, most urgent deadline first
    List {
        #[arg(long, default_value = "all")]
        queue: String,
        #[arg(long, default_value = "all")]
        filter: String,
        #[arg(long)]
        search: Option<String>,
        /// At most this many rows (capped at 10,000, said on stderr; `export` writes every row)
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// One case with its deadlines and whole history
    Show { case_no: String },
    /// Claim an unclaimed case in pre-audit or review
    Claim(Common),
    /// Release a case you hold
    Release(Common),
    /// Assign a case to an approver (supervisor)
    Assign {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        to: String,
    },
    /// Accept (pre-audit), recommend approval (review) or sign (decision)
    Approve(Common),
    /// Return for correction (pre-audit, review) or record a deficiency (verification)
    Return(Common),
    /// Recommend refusal (review) or sign the refusal (decision)
    Refuse(Common),
    /// Do not accept (pre-audit)
    NotAccept(Common),
    /// Send a recommendation back to review (supervisor)
    SendBack(Common),
    /// The employer withdrew the application
    Withdraw(Common),
    /// The employer resubmitted a returned case (admin)
    Resubmit(Common),
    /// Record the applicant's entry into China (clerk)
    RecordEntry {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        date: String,
    },
    /// Correct the recorded entry date (clerk)
    CorrectEntry {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        date: String,
    },
    /// On-site verification with the checklist (clerk)
    Verify {
        #[command(flatten)]
        common: Common,
        /// Who presents the materials: the applicant, the employer's handler, or an agent
        #[arg(long, value_name = "applicant|handler|agent")]
        presented_by: String,
        /// The agent's signed power of attorney was seen (needed with --presented-by agent)
        #[arg(long)]
        power_of_attorney: bool,
        #[arg(long)]
        exam_date: String,
        #[arg(long)]
        exam_domestic: bool,
        /// The document shown: a work visa (Z) or a work-type residence permit
        #[arg(long, value_name = "work-visa|work-residence-permit")]
        visa_kind: String,
        #[arg(long)]
        visa_valid_until: String,
        #[arg(long)]
        originals: bool,
        #[arg(long)]
        sealed_copies: bool,
        #[arg(long)]
        exam_institution: Option<String>,
    },
    /// Close an overdue verification (supervisor)
    Lapse(Common),
    /// Let the next verification proceed after its window ended (supervisor; --reason)
    AllowLate(Common),
    /// Reopen a lapsed verification (supervisor)
    Reopen(Common),
    /// Extend the decision deadline by N working days, once (supervisor)
    Extend {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        days: u32,
    },
    /// Add a note
    Note {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        text: String,
    },
    /// Resolve an upstream conflict recorded on the case (supervisor)
    ResolveConflict(ResolveConflictArgs),
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct Common {
    pub case_no: String,
    #[arg(long)]
    pub reason: Option<String>,
    /// Refuse to act unless the case is still at this version
    #[arg(long)]
    pub expect_version: Option<i64>,
    /// Refuse to act unless the case is still in this stage
    #[arg(long)]
    pub expect_stage: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct ImportArgs {
    /// Files to import: .jsonl (one case per line) or .csv (header row)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Check every line and report, without changing the store
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct SyncArgs {
    /// The spool directory (inbox/, archive/, outbox/); over --connect, the server's own
    #[arg(long, value_name = "DIR")]
    pub spool: Option<PathBuf>,
    /// Keep syncing, one pass every --interval seconds
    #[arg(long)]
    pub watch: bool,
    /// Seconds between passes with --watch
    #[arg(long, default_value_t = 30, value_name = "S", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub interval: u64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct ExportArgs {
    #[arg(long, default_value = "all")]
    pub queue: String,
    #[arg(long, default_value = "all")]
    pub filter: String,
    /// csv or jsonl (default: from -o's extension, else jsonl)
    #[arg(long, value_name = "csv|jsonl")]
    pub format: Option<String>,
    /// Write to FILE instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Args)]
pub struct ResolveConflictArgs {
    pub case_no: String,
    /// The conflict's number, as `case show` lists it
    #[arg(long)]
    pub id: i64,
    /// What was done about it
    #[arg(long)]
    pub reason: String,
}
