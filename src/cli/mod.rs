//! The command line: [`args`] holds the clap structures and their validation, [`run`] runs each
//! command as a thin pass over the library pipeline ([`crate::session`] then
//! [`crate::output`]), and [`activity`] the one command with grouping of its own.
//!
//! Exit codes: 0 ok, 1 error (a path that does not exist included), 2 usage, 3 `--strict` and
//! records were skipped. Nothing here parses logs or detects.

mod activity;
pub mod args;
pub mod run;

pub use crate::output::alerts::write_alert_table;
pub use args::*;
pub use run::{EXIT_STRICT, ok_if_broken_pipe, print_report, run, strict_status};
