//! trailwatch: a terminal investigator for cloud audit logs.
//!
//! Data flows one way, and the module list follows it:
//! files → [`ingest`] → [`store`] → [`detect`] / [`activity`] → alerts → views and reports.
//! [`model`] is the normalised event every stage shares; [`text`] and [`time`] are the small pure
//! helpers everyone uses; [`session`] is the one load → detect → now step every command and the
//! TUI take; [`cli`] turns arguments into runs of the pipeline.
pub mod activity;
pub mod case;
pub mod cli;
pub mod demo;
pub mod detect;
pub mod generate;
pub mod incident;
pub mod ingest;
pub mod model;
pub mod output;
pub mod playbook;
pub mod query;
pub mod report;
pub mod session;
pub mod store;
pub mod text;
pub mod time;
pub mod tui;
