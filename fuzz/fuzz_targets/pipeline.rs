//! Fuzzes the whole pipeline on one in-memory file: load, detectors with a one-day learning
//! period, and the organisation's daily activity over the store's span, capped at the last year:
//! `org_days` costs one row per day by design, and one stray year-9999 stamp would make every
//! input take seconds (the TUI only ever asks for 30 days).
//!
//! Everything runs on a one-thread pool: the loader and detectors are parallel, and with two
//! threads the order of their work (and so the coverage of one input) varies from run to run,
//! which libFuzzer would count as new coverage.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trailwatch::detect::{self, Config};
use trailwatch::ingest::{self, Input, LoadOptions};
use trailwatch::time::DAY_US;

fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool"))
}

fuzz_target!(|data: &[u8]| pool().install(|| run(data)));

fn run(data: &[u8]) {
    let input = Input::Memory { name: "fuzz.json".into(), bytes: data.into() };
    let (store, report) = ingest::load(&[input], &LoadOptions::default());
    assert_eq!(report.events as usize, store.events().len());
    let _ = detect::run(&store, &Config { learn: DAY_US, ..Config::default() }, trailwatch::time::wall_now_us());
    if let Some((first, last)) = store.span() {
        let first = first.max(last.saturating_sub(366 * DAY_US));
        let _ = trailwatch::activity::views::org_days(&store, first, last);
    }
}
