//! The alert detail: why it matters (the playbook), key facts, severity reasons, enrichment and
//! MITRE ids in a scrollable summary; the evidence events in a list; the selected evidence
//! event's raw record, pretty-printed, in a third pane.
//!
//! Owns the detail's state (focus, scroll positions, the wrapped summary), keymap and update.
//! Enter on an evidence event opens the timeline there. The summary text is built in
//! [`view::summary_lines`] at layout time because wrapping needs the width. No IO here.

pub mod view;

use crate::case::Status;
use crate::tui::context::Ctx;
use crate::tui::effect::{At, Effect, Open, Subject};
use crate::tui::keymap::{Binding, Key, NAV_KEYS, Nav, bind, bind_quiet, lookup};
use crate::tui::nav::{Cursor, Scroll};
use crate::tui::screens::alerts::{set_status, timeline_at_trigger};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Which pane has focus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    /// The summary text.
    Summary,
    /// The evidence list.
    Evidence,
    /// The raw record.
    Raw,
}

/// What the detail can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Scroll or move in the focused pane.
    Nav(Nav),
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Open the timeline at the selected evidence event.
    OpenEvidence,
    /// Open the principal timeline at the trigger.
    OpenTimeline,
    /// Open the activity view.
    OpenActivity,
    /// Open the checklist.
    OpenChecklist,
    /// Export the report.
    Export,
    /// Set the alert's status.
    SetStatus(Status),
    /// Move the alert to the next status.
    UndoStatus,
}

/// The detail's keys.
pub const KEYS: &[Binding<Action>] = &[
    bind(&[Key::Code(KeyCode::Enter)], Action::OpenEvidence, "open the timeline at the selected evidence", "open"),
    bind(&[Key::Code(KeyCode::Tab)], Action::FocusNext, "focus the next pane", "pane"),
    bind_quiet(&[Key::Code(KeyCode::BackTab)], Action::FocusPrev, "focus the previous pane"),
    bind(&[Key::Char('t')], Action::OpenTimeline, "principal timeline at the trigger", "timeline"),
    bind(&[Key::Char('a')], Action::OpenActivity, "activity vs engagement, 30 days", "activity"),
    bind(&[Key::Char('c')], Action::OpenChecklist, "playbook checklist", "checklist"),
    bind(&[Key::Char('e')], Action::Export, "export the report (md/json/html)", "export"),
    bind(&[Key::Char('1')], Action::SetStatus(Status::New), "mark new", "1-4 status"),
    bind_quiet(&[Key::Char('2')], Action::SetStatus(Status::Investigating), "mark investigating"),
    bind_quiet(&[Key::Char('3')], Action::SetStatus(Status::Resolved), "mark resolved"),
    bind_quiet(&[Key::Char('4')], Action::SetStatus(Status::FalsePositive), "mark false positive"),
    bind(&[Key::Char('u')], Action::UndoStatus, "undo the last status change or suppression", "undo"),
];

/// The detail's state.
#[derive(Debug)]
pub struct DetailState {
    /// The alert shown.
    pub alert: usize,
    /// The focused pane.
    pub focus: Pane,
    /// The summary, wrapped to the pane's width.
    pub lines: Vec<Line<'static>>,
    /// Scroll position of the summary.
    pub summary: Scroll,
    /// Selection in the evidence list.
    pub evidence: Cursor,
    /// Scroll position of the raw record.
    pub raw: Scroll,
    /// Width of the raw pane's text (for counting wrapped lines).
    pub raw_width: usize,
}

impl DetailState {
    /// The detail of an alert, laid out for `area`.
    pub fn new(cx: &Ctx, alert: usize, area: Rect) -> DetailState {
        let n = cx.alerts.get(alert).map_or(0, |a| a.evidence.len());
        let mut d = DetailState {
            alert,
            focus: Pane::Evidence,
            lines: Vec::new(),
            summary: Scroll::default(),
            evidence: Cursor::new(n),
            raw: Scroll::default(),
            raw_width: 40,
        };
        d.resize(area, cx);
        d
    }

    /// The action of a key.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        lookup(KEYS, key).or_else(|| lookup(NAV_KEYS, key).map(Action::Nav))
    }

    /// The store position of the selected evidence event.
    pub fn selected_event(&self, cx: &Ctx) -> Option<u32> {
        let a = cx.alerts.get(self.alert)?;
        a.evidence.get(self.evidence.current()?).map(|e| e.event).filter(|e| (*e as usize) < cx.store.len())
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action, cx: &mut Ctx) -> Option<Effect> {
        let alert = self.alert;
        match action {
            Action::Nav(n) => match self.focus {
                Pane::Summary => self.summary.nav(n),
                Pane::Evidence => {
                    let before = self.evidence.sel;
                    self.evidence.nav(n);
                    if self.evidence.sel != before {
                        self.raw.top = 0;
                    }
                }
                Pane::Raw => {
                    self.raw.set_lines(self.raw_lines(cx));
                    self.raw.nav(n);
                }
            },
            Action::FocusNext | Action::FocusPrev => {
                let order = [Pane::Summary, Pane::Evidence, Pane::Raw];
                let i = order.iter().position(|p| *p == self.focus).unwrap_or(0);
                let step = if action == Action::FocusNext { 1 } else { order.len() - 1 };
                self.focus = order[(i + step) % order.len()];
            }
            Action::OpenEvidence => {
                let event = self.selected_event(cx)?;
                let e = cx.event(event)?;
                let subject = Subject::Principal(cx.alert_principal(alert).unwrap_or(e.principal));
                return Some(Effect::Open(Open::Timeline { alert, subject, at: At::Event(event) }));
            }
            Action::OpenTimeline => return timeline_at_trigger(cx, alert),
            Action::OpenActivity => return Some(Effect::Open(Open::Activity { alert })),
            Action::OpenChecklist => return Some(Effect::Open(Open::Checklist { alert })),
            Action::Export => return Some(Effect::Open(Open::Export { alert, incident: false })),
            Action::SetStatus(s) => return set_status(cx, alert, s),
            Action::UndoStatus => return crate::tui::screens::alerts::undo(cx),
        }
        None
    }

    /// Wrapped line count of the selected raw record (0 until it is read).
    fn raw_lines(&self, cx: &Ctx) -> usize {
        let Some(raw) = self.selected_event(cx).and_then(|e| cx.raw.get(e)) else {
            return 0;
        };
        match raw.as_ref() {
            Ok(lines) => lines.iter().map(|l| l.chars().count().div_ceil(self.raw_width.max(1)).max(1)).sum(),
            Err(_) => 1,
        }
    }

    /// Re-wraps the summary and fits the panes to `area`.
    pub fn resize(&mut self, area: Rect, cx: &Ctx) {
        let l = view::layout(area);
        self.lines = view::summary_lines(cx, self.alert, usize::from(l.summary.width.saturating_sub(2)));
        self.summary.lines = self.lines.len();
        self.summary.height = usize::from(l.summary.height.saturating_sub(2));
        self.summary.set_lines(self.lines.len());
        self.evidence.set_height(usize::from(l.evidence.height.saturating_sub(2)));
        self.raw.height = usize::from(l.raw.height.saturating_sub(2));
        self.raw_width = usize::from(l.raw.width.saturating_sub(2));
    }
}

#[cfg(test)]
mod tests;
