//! tests/console.rs again, every console job through a `permitdesk serve` of the test's own
//! (tests/served): the same screens and outcomes in both modes.

include!("console.rs");
