//! tests/e2e_tmux_review.rs again, the console and every command through a `permitdesk serve` of
//! the test's own (tests/served): the same session, claims and summary there too.

include!("e2e_tmux_review.rs");
