//! The real terminal: entering and leaving raw mode and the alternate screen, the panic hook and
//! the guard that restore it on every exit path, and the event loop of [`super::run`].
//!
//! Restoring is idempotent and never panics (an `unwrap` in `Drop` could abort mid-panic). The
//! hook restores the terminal before the previous hook prints the panic. The loop reads events,
//! coalesces bursts (key repeat) into one frame, runs effects through [`App::perform`] and reads
//! raw records through [`App::prepare`] before drawing. Both loops check the stop flag of
//! [`signals`] every tick; on a signal they return, the guard restores the terminal, and only
//! then does the process end. The loops take any backend and event source, so tests drive them
//! with a `TestBackend` and scripted events.

use super::TuiOptions;
use super::app::App;
use super::screens::loading::{Action as LoadingAction, LoadingState, LoadingView, Sample};
use super::signals::{self, Stop};
use super::theme::Theme;
use crate::ingest::{LoadReport, Progress};
use crate::store::EventStore;
use anyhow::{Context, Result, bail};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
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

/// Installs (once per process) a panic hook that calls `restore` and then the previous hook. A
/// panic in a background worker is only noted: the worker hands it to the UI thread, whose own
/// panic then restores the terminal ([`super::work`]).
pub fn install_panic_hook_with(restore: fn()) {
    if HOOK_INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if super::work::in_worker() {
            super::work::note_worker_panic(info);
            return;
        }
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

/// How long the loop waits for input before redrawing the loading screen or checking for a stop
/// signal.
const TICK: Duration = Duration::from_millis(100);

/// How often the loop redraws while background work runs (its progress, then its result).
const WORK_TICK: Duration = Duration::from_millis(50);

/// Where the loops get terminal events: crossterm in the real terminal, a script in tests.
pub(crate) trait Events {
    /// Waits up to `timeout` for an event; true when one can be read without blocking.
    fn poll(&mut self, timeout: Duration) -> std::io::Result<bool>;
    /// Reads the next event.
    fn read(&mut self) -> std::io::Result<Event>;
}

/// The terminal's own events.
struct Crossterm;

impl Events for Crossterm {
    fn poll(&mut self, timeout: Duration) -> std::io::Result<bool> {
        event::poll(timeout)
    }
    fn read(&mut self) -> std::io::Result<Event> {
        event::read()
    }
}

/// Why a loop ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Exit<T> {
    /// It finished (the load is done; the analyst quit the app).
    Done(T),
    /// The analyst quit the loading screen.
    Quit,
    /// A stop signal arrived (its number).
    Signal(i32),
}

/// What the loading thread hands over.
type Loaded = (EventStore, LoadReport, Vec<crate::detect::Alert>);

/// Runs the whole TUI: the loading screen while `load` and the detectors run on a worker
/// thread, then the app until the analyst quits. On SIGTERM, SIGHUP or SIGINT the loop stops,
/// the terminal is restored and the process ends with the signal's status (see [`signals`]).
pub fn run(load: Loader, opts: TuiOptions) -> Result<()> {
    let stop = Stop::register().context("cannot install the signal handlers")?;
    let mut guard = TerminalGuard::enter()?;
    let progress = Arc::new(Progress::default());
    let (tx, rx) = mpsc::channel();
    let detect = opts.detect.clone();
    let worker_progress = progress.clone();
    std::thread::Builder::new()
        .name("trailwatch-load".into())
        .spawn(move || {
            let (store, report) = load(worker_progress.clone());
            worker_progress.done.store(true, Ordering::Relaxed);
            let alerts = crate::detect::run(&store, &detect, crate::time::wall_now_us());
            let _ = tx.send((store, report, alerts));
        })
        .context("cannot start the loading thread")?;
    let loading = LoadingState { title: opts.title.clone(), sample: Sample::default() };
    let exit = match loading_loop(&mut guard.terminal, loading, &progress, &rx, &mut Crossterm, &stop)? {
        Exit::Done((store, report, alerts)) => {
            let now = store.anchor_span(crate::time::wall_now_us()).map_or(0, |(_, last)| last);
            let mut app = App::new(Arc::new(store), report, alerts, opts, now);
            app_loop(&mut guard.terminal, &mut app, &mut Crossterm, &stop)?
        }
        Exit::Quit => Exit::Quit,
        Exit::Signal(sig) => Exit::Signal(sig),
    };
    drop(guard);
    if let Exit::Signal(sig) = exit {
        signals::terminate(sig);
    }
    Ok(())
}

/// The loading screen until the worker sends its result, the analyst quits or a signal arrives.
pub(crate) fn loading_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    mut loading: LoadingState,
    progress: &Progress,
    rx: &mpsc::Receiver<Loaded>,
    events: &mut impl Events,
    stop: &Stop,
) -> Result<Exit<Loaded>>
where
    B::Error: Send + Sync + 'static,
{
    let theme = Theme::from_env();
    let started = Instant::now();
    loop {
        if let Some(sig) = stop.requested() {
            return Ok(Exit::Signal(sig));
        }
        loading.update(LoadingAction::Sample(Sample::take(progress, started.elapsed())));
        terminal.draw(|f| LoadingView { state: &loading, theme }.render(f.area(), f.buffer_mut()))?;
        // Everything queued, so a key is never left waiting behind mouse or resize events.
        while events.poll(Duration::ZERO)? {
            if let Event::Key(k) = events.read()?
                && let Some(a) = loading.action(&k)
                && loading.update(a).is_some()
            {
                return Ok(Exit::Quit);
            }
        }
        match rx.recv_timeout(TICK) {
            Ok(done) => return Ok(Exit::Done(done)),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => bail!("loading failed (the loading thread stopped)"),
        }
    }
}

/// The app until the analyst quits or a signal arrives. Waits for input one [`TICK`] at a time so
/// that a stop signal is seen within a tick even when no key comes.
pub(crate) fn app_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut impl Events,
    stop: &Stop,
) -> Result<Exit<()>>
where
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size()?;
    app.resize(size.width, size.height);
    while !app.should_quit() {
        if let Some(sig) = stop.requested() {
            app.commit_drafts();
            return Ok(Exit::Signal(sig));
        }
        app.poll_work();
        if app.should_quit() {
            break;
        }
        app.prepare();
        terminal.draw(|f| app.draw(f))?;
        // Wait for input; while background work runs, wake every WORK_TICK to show its progress
        // or its result.
        let input = loop {
            if let Some(sig) = stop.requested() {
                app.commit_drafts();
                return Ok(Exit::Signal(sig));
            }
            let busy = app.busy();
            if events.poll(if busy { WORK_TICK } else { TICK })? {
                break true;
            }
            if busy {
                break false;
            }
        };
        if !input {
            continue;
        }
        handle(app, events.read()?);
        // Take whatever else is already queued (key repeat) before drawing again.
        while !app.should_quit() && events.poll(Duration::ZERO)? {
            handle(app, events.read()?);
        }
        app.settle(Some(app.grace()));
    }
    Ok(Exit::Done(()))
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

    /// Scripted events: `poll` answers from the queue and runs `on_poll` (a signal arriving).
    struct Script {
        queue: std::collections::VecDeque<Event>,
        polls: usize,
        on_poll: Box<dyn FnMut(usize)>,
        /// Wait out the timeout when no event is queued, as a terminal does.
        wait: bool,
    }

    impl Events for Script {
        fn poll(&mut self, timeout: Duration) -> std::io::Result<bool> {
            self.polls += 1;
            (self.on_poll)(self.polls);
            if self.wait && self.queue.is_empty() {
                std::thread::sleep(timeout);
            }
            Ok(!self.queue.is_empty())
        }
        fn read(&mut self) -> std::io::Result<Event> {
            self.queue.pop_front().ok_or_else(|| std::io::Error::other("no event"))
        }
    }

    fn script(keys: &[char], on_poll: impl FnMut(usize) + 'static) -> Script {
        let queue = keys
            .iter()
            .map(|&c| Event::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c))))
            .collect();
        Script { queue, polls: 0, on_poll: Box::new(on_poll), wait: false }
    }

    fn test_terminal() -> Terminal<ratatui::backend::TestBackend> {
        Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap()
    }

    #[test]
    fn app_loop_stops_on_a_signal_while_idle() {
        let (mut app, _d) = crate::tui::testkit::app();
        let stop = Arc::new(Stop::unregistered());
        let s = stop.clone();
        // No key ever comes; the signal arrives on the third tick.
        let mut events = script(&[], move |n| {
            if n == 3 {
                s.request(15);
            }
        });
        let exit = app_loop(&mut test_terminal(), &mut app, &mut events, &stop).unwrap();
        assert_eq!(exit, Exit::Signal(15));
        assert_eq!(events.polls, 3, "the flag is checked every tick");
        assert!(!app.should_quit());
    }

    #[test]
    fn a_note_half_typed_when_a_signal_arrives_is_saved() {
        let (mut app, dir) = crate::tui::testkit::app();
        let stop = Arc::new(Stop::unregistered());
        let s = stop.clone();
        // Checklist, next step, note on it, then a case note; the signal lands mid-word.
        let keys: Vec<char> = "cjnhalf wri".chars().collect();
        let mut events = script(&keys, move |n| {
            if n == 12 {
                s.request(15);
            }
        });
        assert_eq!(app_loop(&mut test_terminal(), &mut app, &mut events, &stop).unwrap(), Exit::Signal(15));
        let saved: Vec<_> = std::fs::read_dir(dir.path().join("cases")).unwrap().flatten().collect();
        assert_eq!(saved.len(), 1, "one case file");
        let case: crate::case::Case = serde_json::from_slice(&std::fs::read(saved[0].path()).unwrap()).unwrap();
        assert!(case.steps.values().any(|st| st.note == "half wri"), "{:?}", case.steps);
    }

    #[test]
    fn app_loop_draws_background_results_without_another_key() {
        let (mut app, _d) = crate::tui::testkit::app();
        app.set_grace(Duration::ZERO);
        let stop = Arc::new(Stop::unregistered());
        let s = stop.clone();
        // Timeline, then failures only; no key after that. Both tasks (opening, filter) ring the
        // bell when done; stop two ticks after that (or give up after a long while).
        let bell = app.context().bell.clone();
        let mut rung_at = None;
        let mut events = script(&['t', 'x'], move |n| {
            if rung_at.is_none() && bell.rings() >= 2 {
                rung_at = Some(n);
            }
            if rung_at.is_some_and(|r| n >= r + 2) || n > 600 {
                s.request(15);
            }
        });
        events.wait = true;
        let mut terminal = test_terminal();
        assert_eq!(app_loop(&mut terminal, &mut app, &mut events, &stop).unwrap(), Exit::Signal(15));
        assert!(!app.busy(), "the filter's result was taken");
        let screen: String = terminal.backend().buffer().content().iter().map(|c| c.symbol()).collect();
        assert!(screen.contains("filters: failures"), "{screen}");
        assert!(screen.contains("events · showing 1 "), "the result is drawn: {screen}");
    }

    #[test]
    fn app_loop_ends_on_q_and_on_a_signal_set_before_it_starts() {
        let (mut app, _d) = crate::tui::testkit::app();
        let stop = Stop::unregistered();
        let exit = app_loop(&mut test_terminal(), &mut app, &mut script(&['j', 'q'], |_| {}), &stop).unwrap();
        assert_eq!(exit, Exit::Done(()));
        let (mut app, _d) = crate::tui::testkit::app();
        stop.request(1);
        let mut events = script(&['q'], |_| {});
        assert_eq!(app_loop(&mut test_terminal(), &mut app, &mut events, &stop).unwrap(), Exit::Signal(1));
        assert_eq!(events.polls, 0, "nothing is read after a signal");
    }

    #[test]
    fn loading_loop_stops_on_a_signal_and_quits_on_q() {
        let (_tx, rx) = mpsc::channel::<Loaded>();
        let progress = Progress::default();
        let state = LoadingState { title: "t".into(), sample: Sample::default() };
        let stop = Stop::unregistered();
        let exit =
            loading_loop(&mut test_terminal(), state.clone(), &progress, &rx, &mut script(&['q'], |_| {}), &stop);
        assert!(matches!(exit.unwrap(), Exit::Quit));
        stop.request(1);
        let exit = loading_loop(&mut test_terminal(), state, &progress, &rx, &mut script(&[], |_| {}), &stop);
        assert!(matches!(exit.unwrap(), Exit::Signal(1)));
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

    #[test]
    fn the_hook_leaves_a_worker_panic_to_the_ui_thread() {
        install_panic_hook_with(fake_restore);
        let bell = Arc::new(super::super::work::Bell::default());
        let seen = bell.rings();
        let _t: super::super::work::Task<()> = super::super::work::Task::spawn(&bell, |_| panic!("worker boom"));
        assert!(bell.wait_past(seen, Some(Instant::now() + Duration::from_secs(10))));
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bell.raise_panic()));
        let p = r.unwrap_err();
        let msg = p.downcast_ref::<String>().cloned().unwrap_or_default();
        // The hook noted the place (the default hook would have printed it instead).
        assert!(msg.starts_with("background work failed: worker boom at src/tui/terminal.rs:"), "{msg}");
    }
}
