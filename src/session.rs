//! One investigation's data in one step: the inputs checked and loaded, the detectors run, and
//! the instant taken as "now" — shared by every command and by the TUI's loading thread.
//!
//! Owns the existence check of the paths given (a path that does not exist is an error naming
//! it, never an empty result), reading the wall clock once per session, and what an empty load
//! is called ("no events"). It prints nothing and knows nothing of the command line or the
//! terminal: diagnostics are the caller's.

use crate::detect::{self, Alert};
use crate::ingest::{self, Input, LoadOptions, LoadReport};
use crate::store::EventStore;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// How an empty load is described wherever the detection settings would be.
pub const NO_EVENTS: &str = "no events";

/// A path given on the command line that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("{}: no such file or directory", .0.display())]
pub struct MissingPath(pub PathBuf);

/// The paths as inputs, once each is known to exist (a file, a folder, or a link to either).
pub fn inputs(paths: &[PathBuf]) -> Result<Vec<Input>, MissingPath> {
    paths
        .iter()
        .map(|p| match p.try_exists() {
            Ok(true) => Ok(Input::Path(p.clone())),
            // A path whose existence cannot be told (a folder without search permission) is
            // left to the load, which reports why it cannot be read.
            Err(_) => Ok(Input::Path(p.clone())),
            Ok(false) => Err(MissingPath(p.clone())),
        })
        .collect()
}

/// Loaded events, what the load reported, the alerts, and the session's clock.
pub struct Session {
    /// Every event, time-ordered.
    pub store: EventStore,
    /// What was read, skipped and ignored.
    pub report: LoadReport,
    /// The alerts, newest first (empty when the session was opened without detection), each
    /// stamped with its incident.
    pub alerts: Vec<Alert>,
    /// The alerts grouped into incidents, most severe first.
    pub incidents: Vec<crate::incident::Incident>,
    /// The wall clock when the session opened (µs): read once, so every check of a plausible
    /// date in this session agrees.
    pub clock: i64,
    /// The investigation's "now" (µs): the latest plausibly dated event, 0 when there is none.
    /// Relative times, the activity range and the hunt's `now()` count from it.
    pub now: i64,
    /// Seconds the detectors took.
    pub detect_seconds: f64,
}

impl Session {
    /// Loads `inputs` and, with `detect`, runs the detectors and groups their alerts. With a
    /// progress in `load`, its `done` flag is raised when the load is over, and its phase says
    /// each step (indexing, request facts, detectors, incidents) for the loading screen.
    pub fn open(inputs: &[Input], load: &LoadOptions, detect: Option<&detect::Config>) -> Session {
        let clock = crate::time::wall_now_us();
        let (store, report) = ingest::load(inputs, load);
        let phase = |p: ingest::Phase| {
            if let Some(progress) = &load.progress {
                progress.set_phase(p);
            }
        };
        if let Some(p) = &load.progress {
            p.done.store(true, Ordering::Relaxed);
        }
        phase(ingest::Phase::Detecting);
        let started = std::time::Instant::now();
        let mut alerts = detect.map(|cfg| detect::run(&store, cfg, clock)).unwrap_or_default();
        phase(ingest::Phase::Grouping);
        let incidents = detect.map(|cfg| crate::incident::group(&mut alerts, cfg.incident_window)).unwrap_or_default();
        let detect_seconds = started.elapsed().as_secs_f64();
        let now = store.anchor_span(clock).map_or(0, |(_, last)| last);
        Session { store, report, alerts, incidents, clock, now, detect_seconds }
    }

    /// The detection settings in one line, or [`NO_EVENTS`] when nothing was loaded (there is
    /// no learning period to speak of).
    pub fn describe(&self, cfg: &detect::Config) -> String {
        describe(&self.store, cfg, self.clock)
    }

    /// What the detectors could not do because the history is shorter than the learning period.
    pub fn short_history(&self, cfg: &detect::Config) -> Option<String> {
        cfg.short_history(&self.store, self.clock)
    }

    /// Events dated before 2000 or after tomorrow (by [`Session::clock`]), or strays years apart
    /// from the rest: they anchor nothing.
    pub fn implausible_times(&self) -> usize {
        self.store.implausible_times(self.clock)
    }
}

/// [`Session::describe`] for a store held elsewhere (the TUI shares its store); `clock` tells
/// plausible dates from stray ones.
pub fn describe(store: &EventStore, cfg: &detect::Config, clock: i64) -> String {
    if store.is_empty() { NO_EVENTS.into() } else { cfg.describe(store, clock) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let there = dir.path().to_path_buf();
        let gone = dir.path().join("not-here.json");
        assert_eq!(inputs(std::slice::from_ref(&there)).unwrap().len(), 1);
        let Err(err) = inputs(&[there, gone.clone()]) else { panic!("a missing path was accepted") };
        assert_eq!(err.0, gone);
        assert!(err.to_string().ends_with("not-here.json: no such file or directory"), "{err}");
    }

    #[test]
    fn an_empty_folder_is_no_events_not_a_date() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = inputs(&[dir.path().to_path_buf()]).unwrap();
        let s = Session::open(&inputs, &LoadOptions::default(), Some(&detect::Config::default()));
        assert!(s.store.is_empty() && s.alerts.is_empty());
        assert_eq!(s.now, 0);
        assert_eq!(s.describe(&detect::Config::default()), NO_EVENTS);
    }

    #[test]
    fn now_is_the_last_plausible_event_and_detection_is_optional() {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gcp-audit"));
        let inputs = inputs(&[dir]).unwrap();
        let without = Session::open(&inputs, &LoadOptions::default(), None);
        assert!(without.alerts.is_empty(), "no detection asked for");
        let (first, last) = without.store.anchor_span(without.clock).unwrap();
        assert!(first < last);
        assert_eq!(without.now, last);
        // Everything after the epoch is detection: first calls fire.
        let cfg = detect::Config { since: Some(0), ..detect::Config::default() };
        let with = Session::open(&inputs, &LoadOptions::default(), Some(&cfg));
        assert!(!with.alerts.is_empty());
        let learn = detect::Config::default();
        assert!(with.describe(&learn).contains("detection from 2019-"), "{}", with.describe(&learn));
    }
}
