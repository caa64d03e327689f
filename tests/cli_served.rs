//! tests/cli.rs again, every command through a `permitdesk serve` of the test's own (tests/served):
//! output, exit codes and messages must be the same in both modes.

include!("cli.rs");
