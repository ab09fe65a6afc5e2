//! Help: the keys of the screen underneath, generated from the same keymap tables that drive
//! it, then the navigation and global keys. A scrollable pop-up; any of `Esc`, `q`, `?` closes it.
//!
//! Owns only its scroll position; the sections are built by the app from the screen below.

use crate::tui::context::Ctx;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Binding, Key, NAV_KEYS, Nav, bind, bind_quiet, lookup};
use crate::tui::nav::Scroll;
use crate::tui::widgets::{centered, popup};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// What help can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Scroll.
    Nav(Nav),
    /// Close help.
    Close,
}

/// Help's keys.
pub const KEYS: &[Binding<Action>] = &[
    bind(&[Key::Code(KeyCode::Esc)], Action::Close, "close help", "close"),
    bind_quiet(&[Key::Char('q'), Key::Char('?')], Action::Close, "close help"),
];

/// A titled list of `(keys, description)`.
pub type Section = (String, Vec<(String, &'static str)>);

/// Help's state.
#[derive(Debug)]
pub struct HelpState {
    /// Name of the screen the keys belong to.
    pub title: String,
    /// The sections.
    pub sections: Vec<Section>,
    /// Scroll position.
    pub scroll: Scroll,
}

impl HelpState {
    /// Help with these sections.
    pub fn new(title: &str, sections: Vec<Section>) -> HelpState {
        let lines = sections.iter().map(|s| s.1.len() + 2).sum();
        HelpState { title: title.to_string(), sections, scroll: Scroll { top: 0, lines, height: 10 } }
    }

    /// The action of a key.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        lookup(KEYS, key).or_else(|| lookup(NAV_KEYS, key).map(Action::Nav))
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action, _cx: &mut Ctx) -> Option<Effect> {
        match action {
            Action::Nav(n) => self.scroll.nav(n),
            Action::Close => return Some(Effect::Back),
        }
        None
    }

    /// The pop-up's area in `area`.
    pub fn area(area: Rect) -> Rect {
        centered(area, 76, area.height.saturating_sub(2))
    }

    /// Fits the scroll to `area`.
    pub fn resize(&mut self, area: Rect) {
        self.scroll.height = usize::from(Self::area(area).height.saturating_sub(2));
    }
}

/// Help drawn from its state.
pub struct HelpView<'a> {
    /// Help's state.
    pub state: &'a HelpState,
    /// The shared context.
    pub cx: &'a Ctx,
}

impl Widget for HelpView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.cx.theme;
        let st = self.state;
        let inner = popup(HelpState::area(area), &format!(" keys · {} ", st.title), theme, buf);
        let mut lines = Vec::new();
        for (title, rows) in &st.sections {
            lines.push(Line::from(Span::styled(title.clone(), theme.header())));
            for (k, d) in rows {
                lines.push(Line::from(vec![Span::styled(format!("  {k:<16}"), theme.mark()), Span::raw(*d)]));
            }
            lines.push(Line::from(""));
        }
        let visible: Vec<Line> = lines.into_iter().skip(st.scroll.top).take(usize::from(inner.height)).collect();
        Paragraph::new(visible).render(inner, buf);
    }
}
