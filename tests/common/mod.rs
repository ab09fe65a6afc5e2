//! Helpers shared by the integration tests: loading fixtures and reading events as the JSONL
//! contract spells them.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use trailwatch::ingest::{self, Input, LoadOptions, LoadReport};
use trailwatch::store::EventStore;

/// Path of a fixture under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// Loads paths into a store.
pub fn load_paths(paths: &[PathBuf]) -> (EventStore, LoadReport) {
    let inputs: Vec<Input> = paths.iter().cloned().map(Input::Path).collect();
    ingest::load(&inputs, &LoadOptions::default())
}

/// Loads one fixture and returns its events as JSONL values, plus the report.
pub fn events_of(rel: &str) -> (Vec<Value>, LoadReport) {
    let (store, report) = load_paths(&[fixture(rel)]);
    let events = store.events().iter().map(|e| trailwatch::output::event_json(&store, e)).collect();
    (events, report)
}

/// Loads raw bytes written to a temp file with the given name.
pub fn load_bytes(name: &str, bytes: &[u8]) -> (EventStore, LoadReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let (s, r) = load_paths(&[p]);
    (s, r, dir)
}
