//! The app without a terminal: the shared context, the stack of screens, and the glue between a
//! key and the screen on top.
//!
//! A key goes to the top screen's keymap, then to the global one; the resulting effect is either
//! navigation the app does itself (push, pop, status message) or returned to the caller (save a
//! case, write a report, quit), who runs it with [`App::perform`]. [`App::prepare`] reads back the
//! raw record the next frame shows. Drawing reads state only. Work that grows with the events
//! runs off the keystroke ([`super::work`]); [`App::poll_work`] takes what finished and
//! [`App::settle`] waits for it. Tests and benchmarks drive this type directly; [`super::run`]
//! drives it from a real terminal.

use super::TuiOptions;
use super::cases::Cases;
use super::context::Ctx;
use super::effect::{Effect, Open};
use super::keymap::{GLOBAL_KEYS, Global, lookup};
use super::screens::{Screen, ScreenKind, activity, alerts, checklist, detail, export, help, timeline};
use super::theme::Theme;
use super::widgets::{Message, body_and_status, status_bar};
use super::work::{Task, finished};
use crate::detect::Alert;
use crate::ingest::LoadReport;
use crate::report::{self, FileRow, Format, ReportContext};
use crate::store::EventStore;
use crossterm::event::{KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The app: context, screens, status message.
pub struct App {
    cx: Ctx,
    stack: Vec<Screen>,
    message: Option<Message>,
    quit: bool,
    area: Rect,
    files: Option<Arc<[FileRow]>>,
    grace: Duration,
    exporting: Option<Task<Written>>,
    /// Quit asked while a report was being written: quit once it is.
    quit_after_export: bool,
}

/// A report written off the keystroke: its path or why not, and the input files' rows (hashed
/// once per session, kept for the next report).
type Written = (Result<PathBuf, String>, Arc<[FileRow]>);

impl App {
    /// The app over a loaded store and its alerts, opening the case folder (`opts.cases_dir`, or
    /// the platform default) and reading the cases saved there. `now` (µs) anchors the activity
    /// range: pass the last event's time. Sized 80×24 until [`App::resize`].
    /// Alerts the folder's suppressions hide leave the queue and are counted in its header.
    pub fn new(store: Arc<EventStore>, report: LoadReport, alerts: Vec<Alert>, opts: TuiOptions, now: i64) -> App {
        let dir = opts.cases_dir.clone().or_else(crate::case::CaseStore::default_dir);
        let (alerts, suppressed, problem) = match dir.map(|d| crate::case::Suppressions::open(&d)) {
            Some(Ok(list)) => {
                let (kept, hidden) = list.apply(alerts, crate::time::wall_now_us());
                (kept, hidden, None)
            }
            Some(Err(e)) => (alerts, 0, Some(format!("suppressions not read: {e}"))),
            None => (alerts, 0, None),
        };
        let mut cases = Cases::open(opts.cases_dir.as_deref(), opts.playbooks_dir.as_deref(), &alerts);
        cases.problems.extend(problem);
        let mut app = Self::with_cases(store, report, alerts, opts, now, cases);
        app.cx.suppressed = suppressed;
        app
    }

    /// The app with cases kept in memory only (nothing is read or saved): for benchmarks.
    pub fn in_memory(
        store: Arc<EventStore>,
        report: LoadReport,
        alerts: Vec<Alert>,
        opts: TuiOptions,
        now: i64,
    ) -> App {
        let cases = Cases::in_memory(&alerts);
        Self::with_cases(store, report, alerts, opts, now, cases)
    }

    fn with_cases(
        store: Arc<EventStore>,
        report: LoadReport,
        alerts: Vec<Alert>,
        opts: TuiOptions,
        now: i64,
        cases: Cases,
    ) -> App {
        let message = cases.problems.first().map(|p| Message::error(p.clone()));
        let cx = Ctx::new(store, report, alerts, opts, now, Theme::from_env(), cases);
        let queue = alerts::QueueState::new(&cx);
        let mut app = App {
            cx,
            stack: vec![Screen::Alerts(queue)],
            message,
            quit: false,
            area: Rect::new(0, 0, 80, 24),
            files: None,
            grace: super::GRACE,
            exporting: None,
            quit_after_export: false,
        };
        app.resize(80, 24);
        app
    }

    /// Uses colour or not (the default follows `NO_COLOR`).
    pub fn set_color(&mut self, color: bool) {
        self.cx.theme = Theme { color };
    }

    /// Handles a key press (other key events are ignored); returns the effect the caller must run.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Effect> {
        if key.kind != KeyEventKind::Press {
            return None;
        }
        // Results that landed while the loop waited for this key count for it.
        self.poll_work();
        self.message = None;
        let top = self.stack.last_mut()?;
        let effect = match top.handle_key(&key, &mut self.cx) {
            Some(effect) => effect,
            None => match lookup(GLOBAL_KEYS, &key) {
                Some(Global::Quit) => Some(Effect::Quit),
                Some(Global::Back) => Some(Effect::Back),
                Some(Global::Help) => Some(Effect::Open(Open::Help)),
                None => None,
            },
        };
        if let Some(note) = self.cx.cases.take_note() {
            self.message = Some(Message::info(note));
        }
        self.apply(effect?)
    }

    /// Handles a mouse event (the wheel scrolls the main list or pane).
    pub fn handle_mouse(&mut self, m: MouseEvent) -> Option<Effect> {
        self.poll_work();
        let down = match m.kind {
            MouseEventKind::ScrollDown => true,
            MouseEventKind::ScrollUp => false,
            _ => return None,
        };
        let effect = self.stack.last_mut()?.scroll(down, &mut self.cx)?;
        self.apply(effect)
    }

    /// Does navigation itself; returns the effects the loop runs.
    fn apply(&mut self, effect: Effect) -> Option<Effect> {
        match effect {
            Effect::Back => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                }
                None
            }
            Effect::Open(o) => {
                self.push(o);
                None
            }
            Effect::Notify(m) => {
                self.message = Some(Message::info(m));
                None
            }
            Effect::Quit if self.exporting.is_some() && !self.quit_after_export => {
                self.quit_after_export = true;
                self.message = Some(Message::info("finishing the report before quitting (q again quits now)"));
                None
            }
            Effect::Quit => {
                self.quit = true;
                Some(Effect::Quit)
            }
            io => Some(io),
        }
    }

    fn body(&self) -> Rect {
        body_and_status(self.area).0
    }

    fn push(&mut self, o: Open) {
        let (cx, area) = (&self.cx, self.body());
        let screen = match o {
            Open::Detail { alert } => Screen::Detail(detail::DetailState::new(cx, alert, area)),
            Open::Timeline { alert, subject, at } => {
                Screen::Timeline(Box::new(timeline::TimelineState::new(cx, alert, subject, at, area)))
            }
            Open::Activity { alert } => Screen::Activity(activity::ActivityState::new(cx, alert, area)),
            Open::Checklist { alert } => Screen::Checklist(checklist::ChecklistState::new(cx, alert, area)),
            Open::Export { alert, incident } => Screen::Export(export::ExportState::new(alert, incident)),
            Open::Help => {
                let Some(top) = self.stack.last() else {
                    return;
                };
                let mut h = help::HelpState::new(top.kind().name(), top.help_sections());
                h.resize(area);
                Screen::Help(h)
            }
        };
        self.stack.push(screen);
    }

    /// Saves notes still being typed on any open checklist: called when a stop signal ends the
    /// session, so a half-written note is kept rather than lost.
    pub fn commit_drafts(&mut self) {
        let mut saves = Vec::new();
        for screen in &mut self.stack {
            if let Screen::Checklist(c) = screen
                && let Some(effect) = c.commit_drafts(&mut self.cx)
            {
                saves.push(effect);
            }
        }
        for effect in saves {
            self.perform(effect);
        }
    }

    /// Runs an effect that needs the outside world: saves a case (saying in the status bar if it
    /// failed) or starts writing a report (its outcome reaches the status bar when it lands).
    /// Never panics on IO errors.
    pub fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::SaveCase { alert } => {
                if let Err(e) = self.cx.cases.save(alert) {
                    self.message = Some(Message::error(format!("case not saved: {e}")));
                }
            }
            Effect::Suppress { alert, reason } => match self.suppress(alert, &reason) {
                Ok(m) => self.message = Some(Message::info(m)),
                Err(e) => self.message = Some(Message::error(format!("not suppressed: {e}"))),
            },
            Effect::Unsuppress { id, alerts } => match self.unsuppress(&id, &alerts) {
                Ok(m) => self.message = Some(Message::info(m)),
                Err(e) => {
                    self.message = Some(Message::error(format!("suppression not undone: {e} (u tries again)")));
                    self.cx.cases.suppressed(id, alerts);
                }
            },
            Effect::SaveCases { alerts } => {
                for alert in alerts {
                    if let Err(e) = self.cx.cases.save(alert) {
                        self.message = Some(Message::error(format!("case not saved: {e}")));
                    }
                }
            }
            Effect::Export { alert, incident, format } => {
                if matches!(self.stack.last(), Some(Screen::Export(_))) {
                    self.stack.pop();
                }
                if self.exporting.is_some() {
                    self.message = Some(Message::error("a report is still being written; try again when it is done"));
                    return;
                }
                match self.export(alert, incident, format) {
                    Ok(task) => self.exporting = Some(task),
                    Err(e) => self.message = Some(Message::error(format!("report not written: {e}"))),
                }
            }
            Effect::Quit => self.quit = true,
            other => {
                let _ = self.apply(other);
            }
        }
    }

    /// Stores a suppression of alerts like `alert` in the case folder and takes them out of the
    /// queue; says what it did and how to undo it.
    fn suppress(&mut self, alert: usize, reason: &str) -> Result<String, String> {
        use crate::case::{CaseStore, Suppression, Suppressions};
        let dir = self.cx.cases.dir().ok_or("the case folder could not be opened")?.to_path_buf();
        let a = self.cx.alerts.get(alert).ok_or("no such alert")?;
        let now = crate::time::wall_now_us();
        let sup = Suppression::of(a, reason, None, &CaseStore::analyst(), now);
        let mut list = Suppressions::open(&dir)?;
        let like: Vec<usize> =
            (0..self.cx.alerts.len()).filter(|&i| !self.cx.hidden[i] && sup.hides(&self.cx.alerts[i], now)).collect();
        // Saved first: an alert leaves the queue only once its suppression is on disk.
        let id = list.add(sup)?;
        for &i in &like {
            self.cx.hidden[i] = true;
        }
        let hidden = like.len();
        self.cx.suppressed += hidden;
        self.cx.cases.suppressed(id.clone(), like);
        self.refresh_queues();
        Ok(format!("{hidden} alert(s) suppressed as {id} (u undoes; later: trailwatch suppressions --remove {id})"))
    }

    /// Removes a suppression made in this session from the case folder (atomically, as it was
    /// saved) and brings the alerts it hid back to the queue; says what it did.
    fn unsuppress(&mut self, id: &str, alerts: &[usize]) -> Result<String, String> {
        let dir = self.cx.cases.dir().ok_or("the case folder could not be opened")?.to_path_buf();
        let mut list = crate::case::Suppressions::open(&dir)?;
        let removed = list.remove(id)?;
        let back = alerts.iter().filter(|&&a| self.cx.hidden.get(a).copied().unwrap_or(false)).count();
        for &a in alerts {
            if let Some(h) = self.cx.hidden.get_mut(a) {
                *h = false;
            }
        }
        self.cx.suppressed = self.cx.suppressed.saturating_sub(back);
        self.refresh_queues();
        Ok(if removed {
            format!("undone: suppression {id} removed, {back} alert(s) back in the queue")
        } else {
            format!("suppression {id} was already gone; {back} alert(s) back in the queue")
        })
    }

    /// Recomputes every queue on the stack (after alerts were hidden or brought back).
    fn refresh_queues(&mut self) {
        for screen in &mut self.stack {
            if let Screen::Alerts(q) = screen {
                q.refresh(&self.cx);
            }
        }
    }

    /// Starts writing a report off the keystroke: building it reads the alert's principal's
    /// events and, the first time, hashes every input file. With `incident`, the report is the
    /// alert's incident: its story, merged evidence and each alert's own report.
    fn export(&mut self, alert: usize, incident: bool, format: Format) -> Result<Task<Written>, String> {
        let cx = &self.cx;
        let members: Vec<usize> = match (incident, cx.incident_of.get(alert)) {
            (true, Some(&k)) => cx.incidents[k].alerts.clone(),
            _ => vec![alert],
        };
        let mut parts = Vec::new();
        for &i in &members {
            let a = cx.alerts.get(i).ok_or("no such alert")?.clone();
            let pb = cx.cases.playbook(a.detector)?.clone();
            parts.push((a, pb, cx.cases.case(i).cloned()));
        }
        let inc = incident.then(|| cx.incidents[cx.incident_of[alert]].clone());
        let ctx = ReportContext {
            detect_settings: crate::session::describe(&cx.store, &cx.opts.detect, cx.now),
            ..ReportContext::default()
        };
        let dir = cx.opts.report_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        let (store, files) = (cx.store.clone(), self.files.clone());
        Ok(Task::spawn_thread(&cx.bell, move |_| {
            let files = files.unwrap_or_else(|| report::file_rows(&store).into());
            let reports: Vec<report::Report> = parts
                .iter()
                .map(|(a, pb, case)| report::build_with_files(&store, a, case.as_ref(), pb, &ctx, &files))
                .collect();
            let written = std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))
                .and_then(|()| match &inc {
                    Some(inc) => {
                        let r = report::build_incident(inc, reports);
                        let path = dir.join(report::default_file_name(&r.id, format.ext()));
                        report::write_incident(&r, format, &path).map_err(|e| e.to_string()).map(|()| path)
                    }
                    None => {
                        let r = reports.first().ok_or("no report")?;
                        let path = dir.join(report::default_file_name(&r.alert.id, format.ext()));
                        report::write_one(r, format, &path).map_err(|e| e.to_string()).map(|()| path)
                    }
                });
            Some((written, files))
        }))
    }

    /// Takes a finished report's outcome into the status bar.
    fn poll_export(&mut self) -> bool {
        let Some((written, files)) = finished(&mut self.exporting) else {
            return false;
        };
        self.files = Some(files);
        self.message = Some(match written {
            Ok(path) => Message::info(format!("report written to {}", path.display())),
            Err(e) => Message::error(format!("report not written: {e}")),
        });
        if self.quit_after_export {
            self.quit = true;
        }
        true
    }

    /// Reads back the raw record the next frame shows, if it is not cached yet (file IO).
    pub fn prepare(&mut self) {
        let Some(screen) = self.stack.iter().rev().find(|s| !s.is_overlay()) else {
            return;
        };
        if let Some(e) = screen.raw_wanted(&self.cx) {
            let raw = self
                .cx
                .store
                .events()
                .get(e as usize)
                .map_or(Err("no such event".into()), |ev| self.cx.store.raw_pretty(ev));
            self.cx.raw.put(e, raw);
        }
    }

    /// Takes the results of finished background work on every screen; true when a screen
    /// changed.
    pub fn poll_work(&mut self) -> bool {
        let mut changed = self.poll_export();
        for s in &mut self.stack {
            changed |= s.poll(&self.cx);
        }
        changed
    }

    /// How long the loop waits after keys for the work they started before drawing (default
    /// [`super::GRACE`]).
    pub fn grace(&self) -> Duration {
        self.grace
    }

    /// Sets [`App::grace`] (tests set zero to see the loop draw results that land later).
    pub fn set_grace(&mut self, grace: Duration) {
        self.grace = grace;
    }

    /// Whether any screen has background work under way.
    pub fn busy(&self) -> bool {
        self.exporting.is_some() || self.stack.iter().any(Screen::busy)
    }

    /// Takes finished work, waiting up to `timeout` for the rest (`None`: until all is done);
    /// true when nothing is left under way.
    pub fn settle(&mut self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let bell = self.cx.bell.clone();
        super::work::settle(&bell, deadline, || {
            self.poll_work();
            self.busy()
        })
    }

    /// A key press followed by its effect, the background work it started (waited for) and the
    /// raw-record read: what tests use to step the app.
    pub fn press(&mut self, key: KeyEvent) {
        if let Some(e) = self.handle_key(key) {
            self.perform(e);
        }
        self.settle(None);
        self.prepare();
    }

    /// Lays every screen out for a terminal of `width`×`height`.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.area = Rect::new(0, 0, width, height);
        let body = self.body();
        for s in &mut self.stack {
            s.resize(body, &self.cx);
        }
    }

    /// Draws the top screen (with the screen under a pop-up) and the status bar.
    pub fn draw(&self, frame: &mut Frame) {
        let area = frame.area();
        let (body, status) = body_and_status(area);
        let buf = frame.buffer_mut();
        let base = self.stack.iter().rposition(|s| !s.is_overlay()).unwrap_or(0);
        for s in &self.stack[base..] {
            s.render(&self.cx, body, buf);
        }
        let mut hints = self.stack.last().map(Screen::hints).unwrap_or_default();
        if self.stack.len() == 1 {
            hints.retain(|(_, h)| *h != "back");
        }
        let writing = self.exporting.as_ref().map(|t| Message::info(format!("writing the report … {}", t.status())));
        status_bar(status, buf, self.cx.theme, self.message.as_ref().or(writing.as_ref()), &hints);
    }

    /// Whether the app asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The screen on top.
    pub fn screen(&self) -> ScreenKind {
        self.stack.last().map_or(ScreenKind::Alerts, Screen::kind)
    }

    /// How many screens are stacked.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The status-bar message, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_ref().map(|m| m.text.as_str())
    }

    /// The screen on top, for tests that look at its state.
    pub fn top(&self) -> Option<&Screen> {
        self.stack.last()
    }

    /// The shared context (store, alerts, cases).
    pub fn context(&self) -> &Ctx {
        &self.cx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testkit::{app, code, key};
    use crossterm::event::KeyCode;

    #[test]
    fn prepare_reads_the_raw_record_the_screen_shows() {
        let (mut app, _d) = app();
        app.press(key('i')); // every alert: Enter opens a detail
        app.press(code(KeyCode::Enter));
        let Some(Screen::Detail(d)) = app.top() else { panic!("detail expected") };
        let e = d.selected_event(&app.cx).unwrap();
        let raw = app.cx.raw.get(e).expect("read by press");
        let lines = raw.as_ref().as_ref().unwrap();
        assert_eq!(lines[0], "{");
        assert!(lines.iter().any(|l| l.contains("\"timestamp\"")));
    }

    #[test]
    fn back_at_the_root_stays_and_help_closes_with_its_own_keys() {
        let (mut app, _d) = app();
        app.press(code(KeyCode::Esc));
        assert_eq!(app.depth(), 1);
        app.press(key('?'));
        assert_eq!(app.screen(), ScreenKind::Help);
        app.press(key('q'));
        assert_eq!(app.screen(), ScreenKind::Alerts, "q closes help instead of quitting");
        assert!(!app.should_quit());
    }

    #[test]
    fn a_report_under_way_refuses_a_second_and_holds_quit_until_it_lands() {
        let (mut app, _d) = app();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let path = std::path::PathBuf::from("r.md");
        let files: Arc<[FileRow]> = Arc::from(Vec::new());
        app.exporting = Some(Task::spawn(&app.cx.bell, move |_| {
            let _ = wait.recv();
            Some((Ok(path), files))
        }));
        app.perform(Effect::Export { alert: 0, incident: false, format: Format::Md });
        assert_eq!(app.message(), Some("a report is still being written; try again when it is done"));
        if let Some(e) = app.handle_key(key('q')) {
            app.perform(e);
        }
        assert!(!app.should_quit(), "q waits for the report");
        assert_eq!(app.message(), Some("finishing the report before quitting (q again quits now)"));
        release.send(()).unwrap();
        assert!(app.settle(None));
        assert!(app.should_quit(), "and quits once it is written");
        assert_eq!(app.message(), Some("report written to r.md"));
    }

    #[test]
    fn notify_effects_reach_the_status_bar() {
        let (mut app, _d) = app();
        app.perform(Effect::Notify("hello".into()));
        assert_eq!(app.message(), Some("hello"));
        app.press(key('j'));
        assert_eq!(app.message(), None, "a key clears the message");
    }
}
