//! The terminal UI: a loading screen, then an alert queue to drill into — detail, principal
//! timeline with pivots, 30-day activity vs engagement, playbook checklist — and report export.
//!
//! The only module importing ratatui and crossterm. State and update are plain Rust and free of
//! drawing and IO ([`screens`], one module per screen, each with its keymap); views are widgets
//! that only read state; effects (save a case, write a report) are data run by the loop.
//! [`App`] is the whole app without a terminal, for tests and benchmarks; [`run`] puts it on
//! the real terminal and restores the terminal on every exit, panic included. Every log-derived
//! string is escaped before it is drawn.

mod app;
pub mod cases;
mod context;
mod effect;
mod input;
pub mod keymap;
mod nav;
pub mod screens;
mod search;
mod signals;
mod terminal;
mod theme;
mod widgets;
pub mod work;
mod wrap;

pub use app::App;
pub use context::{Ctx, RawCache, RawText};
pub use effect::{At, Effect, Open, Subject};
pub use nav::{Cursor, LineInput, Scroll};
pub use terminal::{Loader, TerminalGuard, install_panic_hook_with, panic_hook_installed, restore_terminal, run};
pub use theme::Theme;

use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How the TUI was started.
#[derive(Clone, Debug, Default)]
pub struct TuiOptions {
    /// Where cases are saved (default: the platform data folder).
    pub cases_dir: Option<PathBuf>,
    /// Where reports are written (default: the current folder).
    pub report_dir: Option<PathBuf>,
    /// Detection settings (for the loading thread and the report).
    pub detect: crate::detect::Config,
    /// What was loaded, for titles (`demo`, the paths).
    pub title: String,
    /// Folder of playbooks overriding the built-in ones (default: the platform config folder).
    pub playbooks_dir: Option<PathBuf>,
}

/// How long the loop waits after a key for background work it started, before drawing: quick
/// work lands in the same frame instead of flashing a progress line.
pub const GRACE: Duration = Duration::from_millis(8);

/// Time of one keystroke as the analyst sees it: the update, its effect, up to [`GRACE`] for the
/// work it started, the raw-record read and a full render into a `TestBackend` of `size` (width,
/// height). Returns that, and the time until every result the key asked for is drawn (the same
/// when nothing was left under way).
pub fn bench_keystroke(app: &mut App, key: KeyEvent, size: (u16, u16)) -> (Duration, Duration) {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap_or_else(|e| match e {});
    app.resize(size.0, size.1);
    let start = Instant::now();
    if let Some(e) = app.handle_key(key) {
        app.perform(e);
    }
    app.settle(Some(GRACE));
    app.prepare();
    let _ = terminal.draw(|f| app.draw(f));
    let frame = start.elapsed();
    if !app.busy() {
        return (frame, frame);
    }
    app.settle(None);
    app.prepare();
    let _ = terminal.draw(|f| app.draw(f));
    (frame, start.elapsed())
}

#[cfg(test)]
mod testkit;
