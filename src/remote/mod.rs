//! The served mode: `permitdesk serve` alone owns the store, the spool and the outbox; people
//! connect over a Unix socket and the kernel says who they are (`SO_PEERCRED`), as PostgreSQL's
//! peer authentication and `docker.sock` do.

pub mod client;
mod command;
pub mod console;
mod pool;
pub mod protocol;
pub mod server;
mod session;
mod spool;

/// Where a deployed server listens; a client finding it needs no flag at all.
pub const DEFAULT_SOCKET: &str = "/run/permitdesk/permitdesk.sock";
