//! `trailwatch generate`: a deterministic, streaming generator of realistic audit logs for
//! GCP, Azure, AWS and Windows, with planted incidents and benign look-alikes.
//!
//! This module owns the public API ([`GenerateConfig`], [`generate`],
//! [`planned_incidents`], [`planned_lookalikes`], [`expected_alerts`]) and runs the jobs:
//! every (cloud, day) is written independently and in parallel, each from its own random
//! stream, so output bytes never depend on thread order. The organisation's behaviour lives in
//! [`org`], the cast and budget in [`world`], the wire formats in [`gcp`], [`azure`], [`aws`]
//! and [`windows`], the planted stories in [`stories`] (placed by [`incidents`]). Nothing here
//! reads the wall clock or touches other trailwatch modules.

mod aws;
mod azure;
mod gcp;
mod incidents;
mod org;
mod stories;
mod util;
mod windows;
mod world;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_parse;

use anyhow::Result;

use rayon::prelude::*;
use std::path::Path;
use util::{DAY, Stats, days_from_civil};

pub(crate) use world::{Call, CloudWorld, Filler, build, span};

pub use incidents::{expected_alerts, planned_incidents, planned_lookalikes};

/// E-mail / UPN domain of the simulated organisation.
pub(crate) const ORG: &str = "northwindtraders.com";
/// GCP project id.
pub(crate) const PROJECT: &str = "nw-prod-data";
/// AWS account id.
pub(crate) const ACCOUNT: &str = "111122223333";

pub use crate::model::Cloud;

/// Share of the event budget each cloud gets.
pub(crate) fn share(c: Cloud) -> f64 {
    match c {
        Cloud::Gcp => 0.30,
        Cloud::Azure | Cloud::Aws => 0.25,
        Cloud::Windows => 0.20,
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenerateConfig {
    /// Length of the range in days, ending at `end`.
    pub days: u32,
    /// Target total number of records (± a few %).
    pub events: u64,
    /// Number of principals (at least the core cast the planted stories need).
    pub principals: u32,
    /// Random seed: same config → byte-identical files.
    pub seed: u64,
    /// Which log families to write.
    pub clouds: Vec<Cloud>,
    /// Gzip every file (`.json.gz` / `.jsonl.gz`).
    pub gzip: bool,
    /// Exclusive end of the range, µs since the Unix epoch.
    pub end: i64,
}

impl Default for GenerateConfig {
    fn default() -> Self {
        GenerateConfig {
            days: 30,
            events: 50_000,
            principals: 24,
            seed: 7,
            clouds: Cloud::ALL.to_vec(),
            gzip: false,
            end: days_from_civil(2026, 11, 1) * DAY,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Clone, Debug)]
pub struct GenerateSummary {
    /// Files written.
    pub files: u64,
    /// Records written.
    pub events: u64,
    /// Bytes on disk (compressed when gzip).
    pub bytes: u64,
    /// The planted incidents (same as [`planned_incidents`]).
    pub incidents: Vec<PlantedIncident>,
}

/// One planted story (or benign look-alike) and the alert it should (or must not) raise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlantedIncident {
    /// Detector name: `kms-key-created`, `new-api-call`, `new-resource-access`,
    /// `bucket-created`, `api-burst` or `rare-process`.
    pub detector: &'static str,
    /// Which log family holds it.
    pub cloud: Cloud,
    /// The principal as the logs name it (e-mail, UPN, ARN, `DOMAIN\user`).
    pub principal: String,
    /// Time of the key event, µs since the epoch.
    pub time: i64,
    /// The new thing: key, method, resource id, bucket, event name or process path.
    pub key: String,
    /// One-line story.
    pub description: String,
}

/// Writes the logs for `cfg` under `out` (created if needed; existing files with the same
/// names are overwritten, others left alone) and returns what was written.
pub fn generate(cfg: &GenerateConfig, out: &Path) -> Result<GenerateSummary> {
    let worlds = build(cfg)?;
    std::fs::create_dir_all(out)?;
    let jobs: Vec<(usize, u32)> =
        worlds.iter().enumerate().flat_map(|(i, w)| (0..w.span.ndays).map(move |d| (i, d))).collect();
    let results: Vec<Result<Stats>> = jobs
        .par_iter()
        .map(|&(i, d)| {
            let w = &worlds[i];
            match w.cloud {
                Cloud::Gcp => gcp::write_day(w, d, out),
                Cloud::Azure => azure::write_day(w, d, out),
                Cloud::Aws => aws::write_day(w, d, out),
                Cloud::Windows => windows::write_day(w, d, out),
            }
        })
        .collect();
    let mut total = Stats::default();
    for r in results {
        total.add(r?);
    }
    Ok(GenerateSummary {
        files: total.files,
        events: total.events,
        bytes: total.bytes,
        incidents: planned_incidents(cfg),
    })
}
