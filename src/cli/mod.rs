//! The command line: [`args`] holds the clap structures and their validation, [`run`] runs each
//! command as a thin pass over the library pipeline ([`crate::session`] then
//! [`crate::output`]), [`activity`] the one command with grouping of its own, and [`engine`]
//! running a query on DuckDB or Spark through their Python clients.
//!
//! Exit codes: 0 ok, 1 error (a path that does not exist included), 2 usage, 3 `--strict` and
//! records were skipped. Nothing here parses logs or detects.

mod activity;
pub mod args;
mod engine;
pub mod run;

pub use crate::output::alerts::write_alert_table;
pub use args::*;
pub use run::{EXIT_STRICT, ok_if_broken_pipe, print_report, run, strict_status};
