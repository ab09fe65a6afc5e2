//! Drawing helpers every screen uses: log text made safe for the terminal, search-match
//! highlighting, bordered panes, centred pop-ups and the status bar.
//!
//! Every log-derived string goes through [`safe`] or [`clip`] (which call [`crate::text`])
//! before it becomes a `Span`, so no control, escape or bidi character reaches the terminal.
//! Read-only: these functions never change state.

use super::context::Ctx;
use super::search::Query;
use super::theme::Theme;
use crate::text;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

/// Log text with every unsafe character written as a visible escape.
pub fn safe(s: &str) -> String {
    text::escape(s).into_owned()
}

/// Log text escaped and shortened to `max` characters.
pub fn clip(s: &str, max: usize) -> String {
    text::clip(s, max)
}

/// A line of already-escaped text with the characters a query matches in `hl`.
pub fn highlight(shown: String, query: Option<&Query>, base: Style, hl: Style) -> Line<'static> {
    let Some(q) = query else {
        return Line::from(Span::styled(shown, base));
    };
    let idx = q.indices(&shown);
    if idx.is_empty() {
        return Line::from(Span::styled(shown, base));
    }
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_hl = false;
    let mut next = idx.iter().peekable();
    for (i, c) in shown.chars().enumerate() {
        let is_hl = next.peek() == Some(&&i);
        if is_hl {
            next.next();
        }
        if is_hl != run_hl && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), if run_hl { base.patch(hl) } else { base }));
        }
        run_hl = is_hl;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_hl { base.patch(hl) } else { base }));
    }
    Line::from(spans)
}

/// A bordered pane with a title; the border shows focus.
pub fn pane(title: impl Into<Line<'static>>, focused: bool, theme: Theme) -> Block<'static> {
    let block = Block::bordered().title(title).border_style(theme.border(focused));
    if focused { block.border_type(BorderType::Thick) } else { block }
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Clears a pop-up's area and draws its frame; returns the inner area.
pub fn popup(area: Rect, title: &str, theme: Theme, buf: &mut Buffer) -> Rect {
    Clear.render(area, buf);
    let block = pane(Line::from(title.to_string()), true, theme);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// The selected row in full, over the screen: each non-empty field as `label: value`, the value
/// escaped and wrapped to the pop-up's width; what the screen cannot hold is counted on its
/// last line.
pub fn row_popup(area: Rect, title: &str, fields: &[(&str, String)], theme: Theme, buf: &mut Buffer) {
    let w = area.width.saturating_sub(6).clamp(20, 110).min(area.width);
    let text_w = usize::from(w.saturating_sub(2));
    let mut lines = Vec::new();
    for (label, value) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        lines.extend(super::wrap::labelled(0, label, &safe(value), text_w, theme.header()));
    }
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX).min(area.height.saturating_sub(2)).max(3);
    let inner = popup(centered(area, w, h), title, theme, buf);
    // Cut short of room, the last line says how much is left out rather than hiding it.
    let room = usize::from(inner.height).max(1);
    if lines.len() > room {
        let left = lines.len() - room + 1;
        lines.truncate(room - 1);
        lines.push(Line::from(Span::styled(
            format!("… {left} more line(s): a larger terminal shows them"),
            theme.dim(),
        )));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// Splits a screen into body and a one-line status bar.
pub fn body_and_status(area: Rect) -> (Rect, Rect) {
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    (body, status)
}

/// The status bar: a message (error or info) if any, else the hints of the screen's keys.
pub fn status_bar(area: Rect, buf: &mut Buffer, theme: Theme, message: Option<&Message>, hints: &[(String, &str)]) {
    let line = match message {
        Some(m) => Line::from(Span::styled(safe(&m.text), if m.error { theme.error() } else { theme.header() })),
        None => {
            let mut spans = Vec::new();
            for (k, h) in hints {
                spans.push(Span::styled(k.clone(), Style::new().add_modifier(Modifier::BOLD)));
                spans.push(Span::raw(format!(" {h}  ")));
            }
            Line::from(spans)
        }
    };
    Paragraph::new(line).render(area, buf);
}

/// A status-bar message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The text (escaped when drawn).
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
}

impl Message {
    /// An informational message.
    pub fn info(text: impl Into<String>) -> Message {
        Message { text: text.into(), error: false }
    }

    /// An error message.
    pub fn error(text: impl Into<String>) -> Message {
        Message { text: text.into(), error: true }
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The raw-record pane: the event's record pretty-printed (escaped when it was cached), wrapped
/// and scrolled to `top`.
pub fn raw_pane(cx: &Ctx, event: Option<u32>, top: usize, focused: bool, area: Rect, buf: &mut Buffer) {
    let theme = cx.theme;
    let title = match event.and_then(|i| cx.event(i)) {
        Some(e) => format!(" raw record · {}:{} ", clip(&cx.file_name(e.src.file), 40), e.src.line),
        None => " raw record ".to_string(),
    };
    let block = pane(Line::from(title), focused, theme);
    let inner = block.inner(area);
    block.render(area, buf);
    let raw = event.and_then(|e| cx.raw.get(e));
    let text: Vec<Line> = match (event, raw.as_deref()) {
        (None, _) => vec![Line::from(Span::styled("no event selected", theme.dim()))],
        (Some(_), None) => vec![Line::from(Span::styled("reading the record…", theme.dim()))],
        (Some(_), Some(Ok(lines))) => lines.iter().map(|l| Line::from(l.as_str())).collect(),
        (Some(_), Some(Err(e))) => {
            vec![Line::from(Span::styled(format!("cannot read the record: {}", safe(e)), theme.error()))]
        }
    };
    let top = u16::try_from(top).unwrap_or(u16::MAX);
    Paragraph::new(text).wrap(Wrap { trim: false }).scroll((top, 0)).render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_splits_runs() {
        let q = Query::new("~ac").unwrap();
        let line = highlight("abc".into(), Some(&q), Style::new(), Style::new().add_modifier(Modifier::BOLD));
        let parts: Vec<&str> = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(parts, vec!["a", "b", "c"]);
        assert!(line.spans[0].style.add_modifier.contains(Modifier::BOLD));
        assert!(!line.spans[1].style.add_modifier.contains(Modifier::BOLD));
        // A substring query highlights each occurrence.
        let q = Query::new("ab").unwrap();
        let line = highlight("xabyab".into(), Some(&q), Style::new(), Style::new().add_modifier(Modifier::BOLD));
        let parts: Vec<&str> = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(parts, vec!["x", "ab", "y", "ab"]);
        assert!(line.spans[1].style.add_modifier.contains(Modifier::BOLD));
        assert!(line.spans[3].style.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn safe_escapes() {
        assert_eq!(safe("a\x1b[31m"), "a\\x1b[31m");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn a_row_too_long_for_the_screen_says_what_is_left_out() {
        let fields = [("a", "x ".repeat(400)), ("b", "end".to_string())];
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 10));
        row_popup(buf.area, " t ", &fields, Theme { color: false }, &mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(text.contains("more line(s)"), "{text}");
        let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
        row_popup(buf.area, " t ", &[("b", "end".to_string())], Theme { color: false }, &mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(text.contains("b: end") && !text.contains("more line(s)"), "{text}");
    }

    #[test]
    fn centered_fits() {
        let r = centered(Rect::new(0, 0, 10, 10), 20, 4);
        assert_eq!(r, Rect::new(0, 3, 10, 4));
    }
}
