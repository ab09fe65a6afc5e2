//! The real terminal: entering and leaving raw mode and the alternate screen, the panic hook and
//! the guard that restore it on every exit path, and the event loop of [`super::run`].
//!
//! Restoring is idempotent and never panics (an `unwrap` in `Drop` could abort mid-panic). The
//! hook restores the terminal before the previous hook prints the panic. The loop reads events,
//! coalesces bursts (key repeat) into one frame, runs effects through [`App::perform`] and reads
//! raw records through [`App::prepare`] before drawing.

use super::TuiOptions;
use super::app::App;
use super::screens::loading::{Action as LoadingAction, LoadingState, LoadingView, Sample};
use super::theme::Theme;
use crate::ingest::{LoadReport, Progress};
use crate::store::EventStore;
use anyhow::{Context, Result, bail};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::widgets::Widget;
use std::io::{Stdout, stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// The loader [`super::run`] calls on a worker thread.
pub type Loader = Box<dyn FnOnce(Arc<Progress>) -> (EventStore, LoadReport) + Send>;

/// Puts the terminal back: raw mode off, mouse capture off, main screen, cursor shown. Safe to
/// call more than once and when the terminal was never set up.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen, crossterm::cursor::Show);
}

static HOOK_INSTALLED: AtomicBool = AtomicBool::new(false);

/// Installs (once per process) a panic hook that calls `restore` and then the previous hook.
pub fn install_panic_hook_with(restore: fn()) {
    if HOOK_INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Whether the panic hook is installed.
pub fn panic_hook_installed() -> bool {
    HOOK_INSTALLED.load(Ordering::SeqCst)
}

/// Owns the terminal while the app runs; dropping it restores the terminal.
pub struct TerminalGuard {
    /// The ratatui terminal.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    /// Installs the panic hook, then enters raw mode, the alternate screen and mouse capture.
    pub fn enter() -> Result<TerminalGuard> {
        install_panic_hook_with(restore_terminal);
        let setup = || -> std::io::Result<Terminal<CrosstermBackend<Stdout>>> {
            enable_raw_mode()?;
            execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
            Terminal::new(CrosstermBackend::new(stdout()))
        };
        match setup() {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore_terminal();
                Err(e).context("cannot set up the terminal")
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// How long the loop waits for input before redrawing the loading screen.
const TICK: Duration = Duration::from_millis(100);

/// Runs the whole TUI: the loading screen while `load` and the detectors run on a worker
/// thread, then the app until the analyst quits.
pub fn run(load: Loader, opts: TuiOptions) -> Result<()> {
    let mut guard = TerminalGuard::enter()?;
    let theme = Theme::from_env();
    let progress = Arc::new(Progress::default());
    let (tx, rx) = mpsc::channel();
    let detect = opts.detect.clone();
    let worker_progress = progress.clone();
    std::thread::Builder::new()
        .name("trailwatch-load".into())
        .spawn(move || {
            let (store, report) = load(worker_progress.clone());
            worker_progress.done.store(true, Ordering::Relaxed);
            let alerts = crate::detect::run(&store, &detect);
            let _ = tx.send((store, report, alerts));
        })
        .context("cannot start the loading thread")?;
    let started = Instant::now();
    let mut loading = LoadingState { title: opts.title.clone(), sample: Sample::default() };
    let (store, report, alerts) = loop {
        loading.update(LoadingAction::Sample(Sample::take(&progress, started.elapsed())));
        guard.terminal.draw(|f| LoadingView { state: &loading, theme }.render(f.area(), f.buffer_mut()))?;
        if event::poll(Duration::ZERO)?
            && let Event::Key(k) = event::read()?
            && let Some(a) = loading.action(&k)
            && loading.update(a).is_some()
        {
            return Ok(());
        }
        match rx.recv_timeout(TICK) {
            Ok(done) => break done,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => bail!("loading failed (the loading thread stopped)"),
        }
    };
    let now = store.span().map_or(0, |(_, last)| last);
    let mut app = App::new(Arc::new(store), report, alerts, opts, now);
    let size = guard.terminal.size()?;
    app.resize(size.width, size.height);
    while !app.should_quit() {
        app.prepare();
        guard.terminal.draw(|f| app.draw(f))?;
        handle(&mut app, event::read()?);
        // Take whatever else is already queued (key repeat) before drawing again.
        while !app.should_quit() && event::poll(Duration::ZERO)? {
            handle(&mut app, event::read()?);
        }
    }
    drop(guard);
    Ok(())
}

fn handle(app: &mut App, ev: Event) {
    let effect = match ev {
        Event::Key(k) => app.handle_key(k),
        Event::Mouse(m) => app.handle_mouse(m),
        Event::Resize(w, h) => {
            app.resize(w, h);
            None
        }
        _ => None,
    };
    if let Some(e) = effect {
        app.perform(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    static RESTORED: AtomicUsize = AtomicUsize::new(0);

    fn fake_restore() {
        RESTORED.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn panic_hook_restores_before_the_panic_propagates() {
        install_panic_hook_with(fake_restore);
        assert!(panic_hook_installed());
        let before = RESTORED.load(Ordering::SeqCst);
        let r = std::panic::catch_unwind(|| panic!("boom"));
        assert!(r.is_err());
        assert!(RESTORED.load(Ordering::SeqCst) > before, "the hook must restore the terminal");
    }
}
