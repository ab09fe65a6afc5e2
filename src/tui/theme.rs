//! Colours and emphasis, with a monochrome variant for `NO_COLOR`.
//!
//! Owns every style the screens use, so severity colours and the selection look are decided in
//! one place. With `NO_COLOR` set (to anything but the empty string) no colour is used at all:
//! emphasis is bold, reverse and underline only. Pure values; reads the environment only in
//! [`Theme::from_env`].

use crate::detect::Severity;
use ratatui::style::{Color, Modifier, Style};

/// The styles of one run of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Whether colours may be used.
    pub color: bool,
}

impl Theme {
    /// Colour unless the `NO_COLOR` environment variable is set and not empty.
    pub fn from_env() -> Theme {
        Theme { color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) }
    }

    /// The style of a severity label.
    pub fn severity(self, s: Severity) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        if !self.color {
            return match s {
                Severity::Critical => bold.add_modifier(Modifier::REVERSED),
                Severity::High => bold,
                Severity::Medium | Severity::Low => Style::new(),
            };
        }
        match s {
            Severity::Critical => bold.fg(Color::Magenta),
            Severity::High => Style::new().fg(Color::Red),
            Severity::Medium => Style::new().fg(Color::Yellow),
            Severity::Low => Style::new().fg(Color::Blue),
        }
    }

    /// The selected row of a list.
    pub fn selected(self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// Characters a search matched.
    pub fn matched(self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        if self.color { s.fg(Color::Cyan) } else { s }
    }

    /// Column headers and section titles.
    pub fn header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Secondary text (labels, empty states).
    pub fn dim(self) -> Style {
        if self.color { Style::new().fg(Color::DarkGray) } else { Style::new() }
    }

    /// An error in the status bar.
    pub fn error(self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if self.color { s.fg(Color::Red) } else { s.add_modifier(Modifier::REVERSED) }
    }

    /// Something the analyst should notice (evidence, first-seen, new values, the alert's day).
    pub fn mark(self) -> Style {
        if self.color { Style::new().fg(Color::Yellow) } else { Style::new().add_modifier(Modifier::BOLD) }
    }

    /// A failed call.
    pub fn failure(self) -> Style {
        if self.color { Style::new().fg(Color::Red) } else { Style::new().add_modifier(Modifier::UNDERLINED) }
    }

    /// The border of the pane that has focus.
    pub fn border(self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => Style::new(),
        }
    }

    /// Bars of a chart.
    pub fn bar(self) -> Style {
        if self.color { Style::new().fg(Color::Green) } else { Style::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_colours() {
        let t = Theme { color: true };
        assert_eq!(t.severity(Severity::Critical).fg, Some(Color::Magenta));
        assert!(t.severity(Severity::Critical).add_modifier.contains(Modifier::BOLD));
        assert_eq!(t.severity(Severity::High).fg, Some(Color::Red));
        assert_eq!(t.severity(Severity::Medium).fg, Some(Color::Yellow));
        assert_eq!(t.severity(Severity::Low).fg, Some(Color::Blue));
    }

    #[test]
    fn no_color_uses_emphasis_only() {
        let t = Theme { color: false };
        for s in Severity::ALL {
            assert_eq!(t.severity(s).fg, None);
        }
        for s in [t.matched(), t.error(), t.mark(), t.failure(), t.border(true), t.bar(), t.dim()] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert!(t.severity(Severity::Critical).add_modifier.contains(Modifier::REVERSED));
    }
}
