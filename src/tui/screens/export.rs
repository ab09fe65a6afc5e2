//! The export picker: a small pop-up to choose the report format (Markdown, JSON, HTML); Enter
//! takes the highlighted one, Markdown by default. Returns `Effect::Export`, which the loop runs
//! through [`crate::report`]; the status bar then says where the file went.
//!
//! Owns only the highlighted format.

use crate::tui::context::Ctx;
use crate::tui::effect::{Effect, FORMATS, format_label};
use crate::tui::keymap::{Binding, Key, NAV_KEYS, Nav, bind, lookup};
use crate::tui::widgets::{centered, popup, safe};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

/// What the picker can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Move the highlight.
    Nav(Nav),
    /// Export in the highlighted format.
    Choose,
}

/// The picker's keys.
pub const KEYS: &[Binding<Action>] =
    &[bind(&[Key::Code(KeyCode::Enter)], Action::Choose, "write the report in the highlighted format", "export")];

/// The picker's state.
#[derive(Debug)]
pub struct ExportState {
    /// The alert to export.
    pub alert: usize,
    /// Export the alert's incident instead.
    pub incident: bool,
    /// Index into [`FORMATS`].
    pub sel: usize,
}

impl ExportState {
    /// The picker for an alert (or its incident), Markdown highlighted.
    pub fn new(alert: usize, incident: bool) -> ExportState {
        ExportState { alert, incident, sel: 0 }
    }

    /// The action of a key.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        lookup(KEYS, key).or_else(|| lookup(NAV_KEYS, key).map(Action::Nav))
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action, _cx: &mut Ctx) -> Option<Effect> {
        match action {
            Action::Nav(Nav::Top) => self.sel = 0,
            Action::Nav(Nav::Up | Nav::PageUp) => self.sel = self.sel.saturating_sub(1),
            Action::Nav(Nav::Bottom) => self.sel = FORMATS.len() - 1,
            Action::Nav(Nav::Down | Nav::PageDown) => self.sel = (self.sel + 1).min(FORMATS.len() - 1),
            Action::Choose => {
                return Some(Effect::Export { alert: self.alert, incident: self.incident, format: FORMATS[self.sel] });
            }
        }
        None
    }
}

/// The picker drawn from its state.
pub struct ExportView<'a> {
    /// The picker.
    pub state: &'a ExportState,
    /// The shared context.
    pub cx: &'a Ctx,
}

impl Widget for ExportView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let title = if st.incident { " export the incident's report " } else { " export report " };
        let inner = popup(centered(area, 60, 8), title, cx.theme, buf);
        let id = match (st.incident, cx.incident_of.get(st.alert)) {
            (true, Some(&k)) => safe(&cx.incidents[k].id),
            _ => cx.alerts.get(st.alert).map_or(String::new(), |a| safe(&a.id)),
        };
        let dir = cx.opts.report_dir.as_ref().map_or_else(|| ".".to_string(), |d| safe(&d.display().to_string()));
        let mut lines = vec![Line::from(format!(" to {dir}/trailwatch-{id}.<ext>"))];
        for (i, f) in FORMATS.iter().enumerate() {
            let text = format!(" {} {:<9} .{}", if i == st.sel { "▶" } else { " " }, format_label(*f), f.ext());
            lines.push(if i == st.sel { Line::styled(text, cx.theme.selected(true)) } else { Line::from(text) });
        }
        lines.push(Line::styled(" Enter writes · Esc cancels", cx.theme.dim()));
        Paragraph::new(lines).render(inner, buf);
    }
}
