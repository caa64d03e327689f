//! tests/e2e_tmux.rs again, the console and every command through a `permitdesk serve` of the
//! test's own (tests/served): Ctrl-s then `q`, and a dropped connection, lose nothing there too.

include!("e2e_tmux.rs");
