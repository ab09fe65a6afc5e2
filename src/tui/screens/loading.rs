//! The loading screen: a gauge of bytes read, files done, events loaded and events per second,
//! sampled from the ingest [`Progress`] counters while the load runs on a worker thread; once the
//! files are read, the step under way ("indexing…", "extracting request facts…", "running
//! detectors…", "grouping incidents…") until the session is ready.
//!
//! Owns a plain sample of the counters (taken by the loop, so drawing never touches atomics or
//! the clock) and its single action; the widget only reads the sample.

use crate::ingest::{Phase, Progress};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Binding, GLOBAL_KEYS, Global, lookup};
use crate::tui::theme::Theme;
use crate::tui::widgets::{centered, pane, safe, thousands};
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Widget};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What the loading screen can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    /// Record a new sample of the counters.
    Sample(Sample),
    /// Give up and leave.
    Quit,
}

/// The loading screen's keys (only quitting).
pub const KEYS: &[Binding<Global>] = GLOBAL_KEYS;

/// The counters at one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    /// Bytes read.
    pub bytes_done: u64,
    /// Bytes to read.
    pub bytes_total: u64,
    /// Files read.
    pub files_done: u64,
    /// Files to read.
    pub files_total: u64,
    /// Events loaded so far.
    pub events: u64,
    /// Seconds since the load started.
    pub elapsed: f64,
    /// The step under way.
    pub phase: Phase,
}

impl Sample {
    /// Reads the counters.
    pub fn take(p: &Progress, elapsed: Duration) -> Sample {
        Sample {
            bytes_done: p.bytes_done.load(Ordering::Relaxed),
            bytes_total: p.bytes_total.load(Ordering::Relaxed),
            files_done: p.files_done.load(Ordering::Relaxed),
            files_total: p.files_total.load(Ordering::Relaxed),
            events: p.events.load(Ordering::Relaxed),
            elapsed: elapsed.as_secs_f64(),
            phase: p.phase(),
        }
    }

    /// Fraction of bytes read, in [0, 1].
    pub fn ratio(&self) -> f64 {
        if self.bytes_total == 0 { 0.0 } else { (self.bytes_done as f64 / self.bytes_total as f64).clamp(0.0, 1.0) }
    }

    /// Events loaded per second.
    pub fn rate(&self) -> f64 {
        if self.elapsed > 0.0 { self.events as f64 / self.elapsed } else { 0.0 }
    }
}

/// The loading screen's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadingState {
    /// What is being loaded (the demo, the paths).
    pub title: String,
    /// The latest sample.
    pub sample: Sample,
}

impl LoadingState {
    /// The action of a key.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        matches!(lookup(GLOBAL_KEYS, key), Some(Global::Quit | Global::Back)).then_some(Action::Quit)
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Sample(s) => self.sample = s,
            Action::Quit => return Some(Effect::Quit),
        }
        None
    }
}

/// The loading screen drawn from its state.
pub struct LoadingView<'a> {
    /// The state.
    pub state: &'a LoadingState,
    /// Styles.
    pub theme: Theme,
}

impl Widget for LoadingView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let s = &self.state.sample;
        let box_area = centered(area, 72, 9);
        let block = pane(Line::from(format!(" trailwatch · loading {} ", safe(&self.state.title))), true, self.theme);
        let inner = block.inner(box_area);
        block.render(box_area, buf);
        let [gauge, _, files, events, _, hint] = Layout::vertical([Constraint::Length(1); 6]).areas(inner);
        let mb = |b: u64| b as f64 / 1e6;
        let label = format!("{:.0} %", s.ratio() * 100.0);
        Gauge::default().ratio(s.ratio()).label(label).gauge_style(self.theme.bar()).render(gauge, buf);
        Paragraph::new(format!(
            "{:.1} / {:.1} MB · files {} / {}",
            mb(s.bytes_done),
            mb(s.bytes_total),
            s.files_done,
            s.files_total
        ))
        .render(files, buf);
        let status = if s.phase == Phase::Reading { String::new() } else { format!("· {}", s.phase.label()) };
        Paragraph::new(format!(
            "events {} · {} events/s · {:.1} s {status}",
            thousands(s.events),
            thousands(s.rate() as u64),
            s.elapsed
        ))
        .render(events, buf);
        Paragraph::new(Span::styled("q quits", self.theme.dim())).render(hint, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn samples_and_quits() {
        let p = Progress::default();
        p.bytes_total.store(2_000_000, Ordering::Relaxed);
        p.bytes_done.store(500_000, Ordering::Relaxed);
        p.events.store(1000, Ordering::Relaxed);
        let s = Sample::take(&p, Duration::from_secs(2));
        assert_eq!(s.ratio(), 0.25);
        assert_eq!(s.rate(), 500.0);
        let mut st = LoadingState::default();
        assert_eq!(st.update(Action::Sample(s)), None);
        let q = st.action(&KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE));
        assert_eq!(q, Some(Action::Quit));
        assert_eq!(st.update(Action::Quit), Some(Effect::Quit));
    }

    #[test]
    fn the_sample_carries_the_phase() {
        let p = Progress::default();
        assert_eq!(Sample::take(&p, Duration::ZERO).phase, Phase::Reading);
        p.set_phase(Phase::Facts);
        assert_eq!(Sample::take(&p, Duration::ZERO).phase, Phase::Facts);
    }

    #[test]
    fn a_load_ends_on_its_facts_and_a_session_on_its_incidents() {
        use crate::ingest::{Input, LoadOptions};
        use std::sync::Arc;
        let line = r#"{"timestamp":"2026-10-01T09:00:00Z","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","methodName":"storage.objects.list","serviceName":"storage.googleapis.com","authenticationInfo":{"principalEmail":"a@example.com"},"resourceName":"projects/_/buckets/b"}}"#;
        let inputs = [Input::Memory { name: "x.jsonl".into(), bytes: line.as_bytes().to_vec().into() }];
        let progress = Arc::new(Progress::default());
        let load = LoadOptions { progress: Some(progress.clone()), ..LoadOptions::default() };
        let (store, _) = crate::ingest::load(&inputs, &load);
        assert_eq!(store.len(), 1);
        assert_eq!(progress.phase(), Phase::Facts);
        let progress = Arc::new(Progress::default());
        let load = LoadOptions { progress: Some(progress.clone()), ..LoadOptions::default() };
        let _ = crate::session::Session::open(&inputs, &load, Some(&crate::detect::Config::default()));
        assert_eq!(progress.phase(), Phase::Grouping);
        assert!(progress.done.load(Ordering::Relaxed));
    }
}
