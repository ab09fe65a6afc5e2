//! Test helpers: the crafted fixture (shared with the integration tests), loaded from memory and
//! scanned with a one-day learning period, as a [`Ctx`] or an [`App`], and key constructors.

#[path = "../../tests/tui_fixture/mod.rs"]
pub mod fixture;

use super::cases::Cases;
use super::context::Ctx;
use super::theme::Theme;
use super::{App, TuiOptions};
use crate::detect::{Alert, Config};
use crate::ingest::{self, Input, LoadOptions, LoadReport};
use crate::store::EventStore;
use crate::time::DAY_US;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::sync::Arc;

/// The fixture loaded and scanned.
pub fn loaded() -> (EventStore, LoadReport, Vec<Alert>) {
    let inputs: Vec<Input> = fixture::files()
        .into_iter()
        .map(|(name, text)| Input::Memory { name: name.into(), bytes: text.into_bytes().into() })
        .collect();
    let (store, report) = ingest::load(&inputs, &LoadOptions::default());
    let alerts = crate::detect::run(&store, &Config { learn: DAY_US, ..Config::default() }, crate::time::wall_now_us());
    (store, report, alerts)
}

/// Options writing cases and reports under `dir`.
pub fn options(dir: &std::path::Path) -> TuiOptions {
    TuiOptions {
        cases_dir: Some(dir.join("cases")),
        report_dir: Some(dir.join("reports")),
        detect: Config { learn: DAY_US, ..Config::default() },
        title: "fixture".into(),
        playbooks_dir: Some(dir.join("playbooks")),
    }
}

/// A context over the fixture, cases in memory.
pub fn ctx() -> Ctx {
    let (store, report, alerts) = loaded();
    let now = store.span().map_or(0, |s| s.1);
    let cases = Cases::in_memory(&alerts);
    let opts = TuiOptions { title: "fixture".into(), ..TuiOptions::default() };
    Ctx::new(Arc::new(store), report, alerts, opts, now, Theme { color: true }, cases)
}

/// The app over the fixture with cases and reports in a temp folder.
pub fn app() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, report, alerts) = loaded();
    let now = store.span().map_or(0, |s| s.1);
    let mut app = App::new(Arc::new(store), report, alerts, options(dir.path()), now);
    app.set_color(true);
    app.resize(100, 30);
    (app, dir)
}

/// The index of the first alert of a detector.
pub fn alert_of(cx: &Ctx, detector: &str) -> usize {
    cx.alerts.iter().position(|a| a.detector == detector).expect("the fixture raises this detector")
}

/// A 100×29 body area (30 rows minus the status bar).
pub fn area() -> Rect {
    Rect::new(0, 0, 100, 29)
}

/// A character key.
pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// A special key.
pub fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}
