//! Helpers for the TUI integration tests: the fixture loaded into an [`App`], keys, rendering
//! into a `TestBackend`, and a check that no drawn cell holds a control character.
#![allow(dead_code)]

use crate::tui_fixture;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use trailwatch::detect::{Alert, Config};
use trailwatch::ingest::{self, Input, LoadOptions, LoadReport};
use trailwatch::store::EventStore;
use trailwatch::time::DAY_US;
use trailwatch::tui::{App, TuiOptions};

/// The fixture loaded from memory (stable file names) and scanned with a one-day learning period.
pub fn loaded() -> (EventStore, LoadReport, Vec<Alert>) {
    let inputs: Vec<Input> = tui_fixture::files()
        .into_iter()
        .map(|(name, text)| Input::Memory { name: name.into(), bytes: text.into_bytes().into() })
        .collect();
    let (store, report) = ingest::load(&inputs, &LoadOptions::default());
    let alerts = trailwatch::detect::run(&store, &config(), trailwatch::time::wall_now_us());
    (store, report, alerts)
}

/// One day of learning.
pub fn config() -> Config {
    Config { learn: DAY_US, ..Config::default() }
}

/// Options with cases and reports under `dir` (the export picker then names `dir`).
pub fn options(dir: &std::path::Path) -> TuiOptions {
    TuiOptions {
        cases_dir: Some(dir.join("cases")),
        report_dir: Some(dir.join("reports")),
        detect: config(),
        title: "fixture".into(),
        playbooks_dir: Some(dir.join("playbooks")),
    }
}

/// The app over the fixture, 100×30, colours on; cases and reports in a temp folder. The queue
/// shows every alert (`i` from the incident list it opens on), as the alert-level flows expect;
/// [`app_on_incidents`] keeps the incident list.
pub fn app() -> (App, tempfile::TempDir) {
    let (mut app, dir) = app_on_incidents();
    app.press(key('i'));
    (app, dir)
}

/// The app as it opens: the queue lists incidents.
pub fn app_on_incidents() -> (App, tempfile::TempDir) {
    app_with(|_| {})
}

/// The app over the fixture with options changed by `f`.
pub fn app_with(f: impl FnOnce(&mut TuiOptions)) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (store, report, alerts) = loaded();
    let now = store.span().unwrap().1;
    let mut opts = options(dir.path());
    f(&mut opts);
    let mut app = App::new(Arc::new(store), report, alerts, opts, now);
    app.set_color(true);
    app.resize(100, 30);
    (app, dir)
}

/// A character key.
pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// A special key.
pub fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

/// A key as the loop handles it: update and effect, without waiting for the background work it
/// started (so a test can see the screen while that work runs).
pub fn key_only(app: &mut App, k: KeyEvent) {
    if let Some(e) = app.handle_key(k) {
        app.perform(e);
    }
}

/// Presses keys one after the other (each with its effect and raw-record read).
pub fn press(app: &mut App, keys: &[KeyEvent]) {
    for k in keys {
        app.press(*k);
    }
}

/// Types text into an input.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.press(key(c));
    }
}

/// Renders the app at `w`×`h`.
pub fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    app.resize(w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    t
}

/// Panics if a drawn cell holds a control, escape or bidi character.
pub fn assert_no_control_chars(t: &Terminal<TestBackend>, what: &str) {
    for (i, cell) in t.backend().buffer().content.iter().enumerate() {
        for c in cell.symbol().chars() {
            assert!(!trailwatch::text::is_unsafe(c), "{what}: cell {i} holds {:?}", c);
        }
    }
}

/// The rendered screen as text.
pub fn text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}
