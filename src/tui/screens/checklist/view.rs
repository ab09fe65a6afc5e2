//! Drawing the checklist: a head with the playbook title and progress, the steps as `[ ]` /
//! `[x]` items grouped by phase (wrapped; scrolled so the selected step shows), and the selected
//! step's pane: its text, what the logs say, the events behind it and the note (or the note
//! input while editing).
//!
//! Reads [`ChecklistState`] and [`Ctx`]; changes nothing. Answers and notes are escaped.

use super::{ChecklistState, Phase};
use crate::time::format_short;
use crate::tui::context::Ctx;
use crate::tui::widgets::{clip, pane, safe};
use crate::tui::wrap::wrap;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Where each part of the checklist goes.
pub struct Areas {
    /// Title and progress.
    pub head: Rect,
    /// The steps.
    pub list: Rect,
    /// The selected step.
    pub step: Rect,
}

/// Lays the checklist out in `area`.
pub fn layout(area: Rect) -> Areas {
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(6)]).areas(area);
    let (list, step) = if area.width >= 100 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(55), Constraint::Min(30)]).areas(body);
        (l, r)
    } else {
        let [l, r] = Layout::vertical([Constraint::Percentage(55), Constraint::Min(5)]).areas(body);
        (l, r)
    };
    Areas { head, list, step }
}

/// The checklist drawn from its state.
pub struct ChecklistView<'a> {
    /// The checklist.
    pub state: &'a ChecklistState,
    /// The shared context.
    pub cx: &'a Ctx,
}

impl Widget for ChecklistView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let l = layout(area);
        let (done, total) = st.progress(cx);
        let (title, principal) = cx.alerts.get(st.alert).map_or((String::new(), String::new()), |a| {
            let pb = cx.cases.playbook(a.detector).map(|p| p.title.clone()).unwrap_or_else(|_| a.title.clone());
            (pb, clip(&a.principal, 60))
        });
        let head = vec![
            Line::from(vec![
                Span::styled(format!("checklist · {}", safe(&title)), theme.header()),
                Span::styled(format!("  {done}/{total} done"), theme.mark()),
                Span::raw(format!("  · status: {}", cx.cases.status(st.alert).label())),
            ]),
            Line::from(Span::styled(format!("{principal} · Space ticks · n notes · Enter evidence"), theme.dim())),
        ];
        Paragraph::new(head).render(l.head, buf);
        self.list(l.list, buf);
        self.step(l.step, buf);
    }
}

impl ChecklistView<'_> {
    fn list(&self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let block = pane(" steps ", !st.note.editing, theme);
        let inner = block.inner(area);
        block.render(area, buf);
        if let Some(p) = &st.problem {
            Paragraph::new(Span::styled(format!("no checklist: {}", safe(p)), theme.error())).render(inner, buf);
            return;
        }
        let width = usize::from(inner.width).max(12);
        let case = cx.cases.case(st.alert);
        let mut lines: Vec<Line> = Vec::new();
        let mut sel_range = (0, 0);
        let mut phase = None;
        for (i, item) in st.items.iter().enumerate() {
            if phase != Some(item.phase) {
                phase = Some(item.phase);
                let name = if item.phase == Phase::Investigate { "INVESTIGATE" } else { "RESOLVE" };
                lines.push(Line::from(Span::styled(name, theme.header())));
            }
            let done = case.is_some_and(|c| c.is_done(&item.id));
            let has_note = case.and_then(|c| c.step(&item.id)).is_some_and(|s| !s.note.is_empty());
            let box_ = if done { "[x]" } else { "[ ]" };
            let flags = format!(
                "{}{}",
                if item.answer.events.is_empty() { "" } else { " ●" },
                if has_note { " ✎" } else { "" }
            );
            let text = format!("{}{flags}", safe(&item.text));
            let start = lines.len();
            let style = if i == st.cursor.sel { theme.selected(!st.note.editing) } else { Style::new() };
            let style = if done && i != st.cursor.sel { theme.dim() } else { style };
            for (k, piece) in wrap(&text, width.saturating_sub(4)).into_iter().enumerate() {
                let lead = if k == 0 { box_ } else { "   " };
                lines.push(Line::styled(format!("{lead} {piece}"), style));
            }
            if i == st.cursor.sel {
                sel_range = (start, lines.len());
            }
        }
        let h = usize::from(inner.height);
        let mut top = sel_range.1.saturating_sub(h);
        if sel_range.0 < top {
            top = sel_range.0;
        }
        let top = if st.cursor.sel == 0 { 0 } else { top };
        let visible: Vec<Line> = lines.into_iter().skip(top).take(h).collect();
        Paragraph::new(visible).render(inner, buf);
    }

    /// The case's free notes (newest last) and the input while one is written.
    fn case_notes(&self, width: usize) -> Vec<Line<'static>> {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let notes = cx.cases.case(st.alert).map(|c| c.notes.as_slice()).unwrap_or_default();
        let mut out = vec![
            Line::from(""),
            Line::from(Span::styled(format!("CASE NOTES ({}) · N adds one", notes.len()), theme.header())),
        ];
        for n in notes.iter().rev().take(5).rev() {
            let text = format!("{} {}: {}", n.at.get(5..16).unwrap_or(&n.at), safe(&n.by), safe(&n.text));
            out.extend(wrap(&text, width).into_iter().map(Line::from));
        }
        if st.case_note.editing {
            out.push(Line::from(vec![
                Span::styled("new note: ", theme.header()),
                Span::raw(format!("{}▏", safe(&st.case_note.text))),
            ]));
        }
        out
    }

    fn step(&self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let block = pane(format!(" step {}/{} ", st.cursor.sel + 1, st.items.len()), st.note.editing, theme);
        let inner = block.inner(area);
        block.render(area, buf);
        let Some(item) = st.selected() else {
            return;
        };
        let width = usize::from(inner.width).max(12);
        let mut lines: Vec<Line> = wrap(&safe(&item.text), width).into_iter().map(Line::from).collect();
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("WHAT THE LOGS SAY", theme.header())));
        if let Some(t) = &st.answering {
            lines.push(Line::from(Span::styled(format!("reading the logs … {}", t.status()), theme.dim())));
        } else if item.answer.summary.is_empty() {
            lines.push(Line::from(Span::styled("nothing: check this outside the logs", theme.dim())));
        } else {
            lines.extend(wrap(&safe(&item.answer.summary), width).into_iter().map(Line::from));
        }
        let case = cx.cases.case(st.alert).and_then(|c| c.step(&item.id));
        let note_lines = if st.note.editing {
            vec![Line::from(vec![
                Span::styled("note: ", theme.header()),
                Span::raw(format!("{}▏", safe(&st.note.text))),
            ])]
        } else {
            match case.map(|s| s.note.as_str()).filter(|n| !n.is_empty()) {
                Some(n) => wrap(&format!("note: {}", safe(n)), width).into_iter().map(Line::from).collect(),
                None => vec![Line::from(Span::styled("no note (n to write one)", theme.dim()))],
            }
        };
        let room = usize::from(inner.height).saturating_sub(lines.len() + note_lines.len() + 2);
        if !item.answer.events.is_empty() && room > 0 {
            lines.push(Line::from(Span::styled(
                format!("EVENTS ({}) · Enter opens the first", item.answer.events.len()),
                theme.header(),
            )));
            for &i in item.answer.events.iter().take(room.saturating_sub(1)) {
                if let Some(e) = cx.event(i) {
                    let t = format_short(e.time);
                    let what = format!(
                        "{} {} {}",
                        t.get(5..16).unwrap_or(""),
                        safe(cx.s(e.operation)),
                        safe(cx.s(e.resource))
                    );
                    lines.push(Line::from(clip(&what, width)));
                }
            }
        }
        lines.push(Line::from(""));
        lines.extend(note_lines);
        lines.extend(self.case_notes(width));
        Paragraph::new(lines).render(inner, buf);
    }
}
