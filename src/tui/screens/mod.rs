//! The screens, one module each, and the [`Screen`] enum the app keeps on its stack.
//!
//! Each screen module owns a state struct, an `Action` enum, a keymap table, an
//! `update(&mut self, Action, &mut Ctx) -> Option<Effect>` that does no IO, and a widget that
//! borrows the state. This file only dispatches: key → the screen's action → its update, state →
//! its widget, and gathers each screen's keymap for the footer and help.

pub mod activity;
pub mod alerts;
pub mod checklist;
pub mod detail;
pub mod export;
pub mod help;
pub mod loading;
pub mod timeline;

use super::context::Ctx;
use super::effect::Effect;
use super::keymap::{self, Binding, EDIT_KEYS, GLOBAL_KEYS, NAV_KEYS};
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

/// Which screen is which (for tests and titles).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScreenKind {
    /// The alert queue.
    Alerts,
    /// An alert's detail.
    Detail,
    /// A timeline.
    Timeline,
    /// Activity vs engagement.
    Activity,
    /// The playbook checklist.
    Checklist,
    /// The keys.
    Help,
    /// The export format picker.
    Export,
}

impl ScreenKind {
    /// The screen's name.
    pub fn name(self) -> &'static str {
        match self {
            ScreenKind::Alerts => "alert queue",
            ScreenKind::Detail => "alert detail",
            ScreenKind::Timeline => "timeline",
            ScreenKind::Activity => "activity vs engagement",
            ScreenKind::Checklist => "checklist",
            ScreenKind::Help => "help",
            ScreenKind::Export => "export",
        }
    }
}

/// A screen on the app's stack.
#[derive(Debug)]
pub enum Screen {
    /// The alert queue.
    Alerts(alerts::QueueState),
    /// An alert's detail.
    Detail(detail::DetailState),
    /// A timeline.
    Timeline(Box<timeline::TimelineState>),
    /// Activity vs engagement.
    Activity(activity::ActivityState),
    /// The playbook checklist.
    Checklist(checklist::ChecklistState),
    /// The keys.
    Help(help::HelpState),
    /// The export format picker.
    Export(export::ExportState),
}

/// Runs a screen's own keymap: `Some(effect-or-none)` when the key meant something to it.
fn run<A>(action: Option<A>, update: impl FnOnce(A) -> Option<Effect>) -> Option<Option<Effect>> {
    action.map(update)
}

/// The help rows of a table.
fn rows<A>(t: &[Binding<A>]) -> Vec<(String, &'static str)> {
    keymap::help_rows(t)
}

impl Screen {
    /// Which screen this is.
    pub fn kind(&self) -> ScreenKind {
        match self {
            Screen::Alerts(_) => ScreenKind::Alerts,
            Screen::Detail(_) => ScreenKind::Detail,
            Screen::Timeline(_) => ScreenKind::Timeline,
            Screen::Activity(_) => ScreenKind::Activity,
            Screen::Checklist(_) => ScreenKind::Checklist,
            Screen::Help(_) => ScreenKind::Help,
            Screen::Export(_) => ScreenKind::Export,
        }
    }

    /// Pop-ups are drawn over the screen below them.
    pub fn is_overlay(&self) -> bool {
        matches!(self, Screen::Help(_) | Screen::Export(_))
    }

    /// Whether a text input has focus (keys type instead of acting).
    pub fn editing(&self) -> bool {
        match self {
            Screen::Alerts(s) => s.search.editing || s.reason.editing || s.note.editing,
            Screen::Timeline(s) => s.search.editing,
            Screen::Checklist(s) => s.note.editing,
            _ => false,
        }
    }

    /// Maps a key to the screen's action and runs it; `None` when the key is not the screen's.
    pub fn handle_key(&mut self, key: &KeyEvent, cx: &mut Ctx) -> Option<Option<Effect>> {
        match self {
            Screen::Alerts(s) => run(s.action(key), |a| s.update(a, cx)),
            Screen::Detail(s) => run(s.action(key), |a| s.update(a, cx)),
            Screen::Timeline(s) => run(s.action(key), |a| s.update(a, cx)),
            Screen::Activity(s) => run(s.action(key), |a| s.update(a, cx)),
            Screen::Checklist(s) => run(s.action(key), |a| s.update(a, cx)),
            Screen::Help(s) => run(s.action(key), |a| s.update(a, cx)),
            Screen::Export(s) => run(s.action(key), |a| s.update(a, cx)),
        }
    }

    /// Scrolls the screen's main list (mouse wheel).
    pub fn scroll(&mut self, down: bool, cx: &mut Ctx) -> Option<Effect> {
        let n = if down { keymap::Nav::Down } else { keymap::Nav::Up };
        match self {
            Screen::Alerts(s) => s.update(alerts::Action::Nav(n), cx),
            Screen::Detail(s) => s.update(detail::Action::Nav(n), cx),
            Screen::Timeline(s) if s.chooser.is_none() => s.update(timeline::Action::Nav(n), cx),
            Screen::Activity(s) => s.update(activity::Action::Nav(n), cx),
            Screen::Checklist(s) if !s.note.editing => s.update(checklist::Action::Nav(n), cx),
            Screen::Help(s) => s.update(help::Action::Nav(n), cx),
            _ => None,
        }
    }

    /// Takes the results of the screen's finished background work; true when it changed.
    pub fn poll(&mut self, cx: &Ctx) -> bool {
        match self {
            Screen::Timeline(s) => s.poll(cx),
            Screen::Activity(s) => s.poll(),
            Screen::Checklist(s) => s.poll(),
            _ => false,
        }
    }

    /// Whether the screen has background work under way.
    pub fn busy(&self) -> bool {
        match self {
            Screen::Timeline(s) => s.busy(),
            Screen::Activity(s) => s.busy(),
            Screen::Checklist(s) => s.busy(),
            _ => false,
        }
    }

    /// Fits the screen to a new size.
    pub fn resize(&mut self, area: Rect, cx: &Ctx) {
        match self {
            Screen::Alerts(s) => s.resize(area, cx),
            Screen::Detail(s) => s.resize(area, cx),
            Screen::Timeline(s) => s.resize(area),
            Screen::Activity(s) => s.resize(area),
            Screen::Checklist(s) => s.resize(area),
            Screen::Help(s) => s.resize(area),
            Screen::Export(_) => {}
        }
    }

    /// The event whose raw record the screen shows, if it is not read yet.
    pub fn raw_wanted(&self, cx: &Ctx) -> Option<u32> {
        let e = match self {
            Screen::Detail(s) => s.selected_event(cx),
            Screen::Timeline(s) => s.selected_event(),
            _ => None,
        }?;
        cx.raw.get(e).is_none().then_some(e)
    }

    /// Draws the screen.
    pub fn render(&self, cx: &Ctx, area: Rect, buf: &mut Buffer) {
        match self {
            Screen::Alerts(state) => alerts::view::QueueView { state, cx }.render(area, buf),
            Screen::Detail(state) => detail::view::DetailView { state, cx }.render(area, buf),
            Screen::Timeline(state) => timeline::view::TimelineView { state, cx }.render(area, buf),
            Screen::Activity(state) => activity::view::ActivityView { state, cx }.render(area, buf),
            Screen::Checklist(state) => checklist::view::ChecklistView { state, cx }.render(area, buf),
            Screen::Help(state) => help::HelpView { state, cx }.render(area, buf),
            Screen::Export(state) => export::ExportView { state, cx }.render(area, buf),
        }
    }

    /// The footer hints: the screen's own, then the global ones.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        if self.editing() {
            return keymap::hints(EDIT_KEYS);
        }
        let mut h = match self {
            Screen::Alerts(_) => keymap::hints(alerts::KEYS),
            Screen::Detail(_) => keymap::hints(detail::KEYS),
            Screen::Timeline(_) => keymap::hints(timeline::KEYS),
            Screen::Activity(_) => keymap::hints(activity::KEYS),
            Screen::Checklist(_) => keymap::hints(checklist::KEYS),
            Screen::Help(_) => return keymap::hints(help::KEYS),
            Screen::Export(_) => keymap::hints(export::KEYS),
        };
        h.extend(keymap::hints(GLOBAL_KEYS));
        h
    }

    /// The sections help shows for this screen.
    pub fn help_sections(&self) -> Vec<help::Section> {
        let own = match self {
            Screen::Alerts(_) => rows(alerts::KEYS),
            Screen::Detail(_) => rows(detail::KEYS),
            Screen::Timeline(_) => rows(timeline::KEYS),
            Screen::Activity(_) => rows(activity::KEYS),
            Screen::Checklist(_) => rows(checklist::KEYS),
            Screen::Help(_) => rows(help::KEYS),
            Screen::Export(_) => rows(export::KEYS),
        };
        let mut sections = vec![(self.kind().name().to_string(), own), ("moving".to_string(), rows(NAV_KEYS))];
        if matches!(self, Screen::Alerts(_) | Screen::Timeline(_) | Screen::Checklist(_)) {
            sections.push(("typing a search or note".to_string(), rows(EDIT_KEYS)));
        }
        sections.push(("everywhere".to_string(), rows(GLOBAL_KEYS)));
        sections
    }
}
