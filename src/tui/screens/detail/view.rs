//! Drawing the alert detail: a two-line head, the summary pane, the evidence list (only the
//! visible rows are built) and the raw-record pane, side by side from 100 columns, stacked below.
//!
//! [`summary_lines`] builds the summary text (playbook, facts, severity reasons, enrichment,
//! MITRE) escaped and wrapped; the widget only reads state and context.

use super::{DetailState, Pane};
use crate::time::format_short;
use crate::tui::context::Ctx;
use crate::tui::widgets::{clip, pane, raw_pane, safe};
use crate::tui::wrap::{labelled, wrap};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

/// Where each part of the detail goes.
pub struct Areas {
    /// The two-line head.
    pub head: Rect,
    /// The summary pane.
    pub summary: Rect,
    /// The evidence pane.
    pub evidence: Rect,
    /// The raw-record pane.
    pub raw: Rect,
}

/// Lays the detail out in `area`.
pub fn layout(area: Rect) -> Areas {
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(6)]).areas(area);
    if area.width >= 100 {
        let [summary, right] = Layout::horizontal([Constraint::Percentage(55), Constraint::Min(20)]).areas(body);
        let [evidence, raw] = Layout::vertical([Constraint::Percentage(40), Constraint::Min(4)]).areas(right);
        Areas { head, summary, evidence, raw }
    } else {
        let [summary, evidence, raw] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(25), Constraint::Min(4)]).areas(body);
        Areas { head, summary, evidence, raw }
    }
}

/// The summary text of an alert, escaped and wrapped to `width` columns.
pub fn summary_lines(cx: &Ctx, alert: usize, width: usize) -> Vec<Line<'static>> {
    let Some(a) = cx.alerts.get(alert) else {
        return vec![Line::from("no such alert")];
    };
    let theme = cx.theme;
    let h = theme.header();
    let label = theme.dim();
    let mut out: Vec<Line<'static>> = Vec::new();
    let section = |out: &mut Vec<Line<'static>>, title: &str| {
        if !out.is_empty() {
            out.push(Line::from(""));
        }
        out.push(Line::from(Span::styled(title.to_string(), h)));
    };
    section(&mut out, "WHAT HAPPENED");
    out.extend(wrap(&safe(&a.summary), width.max(10)).into_iter().map(Line::from));
    section(&mut out, "WHY IT MATTERS");
    let why = match cx.cases.playbook(a.detector) {
        Ok(pb) => pb.why.clone(),
        Err(e) => format!("(no playbook: {e})"),
    };
    for para in why.lines() {
        out.extend(wrap(&safe(para.trim()), width.max(10)).into_iter().map(Line::from));
    }
    section(&mut out, "KEY FACTS");
    for (k, v) in &a.facts {
        out.extend(labelled(0, &safe(k), &safe(v), width, label));
    }
    section(&mut out, &format!("SEVERITY: {}", a.severity.as_str().to_uppercase()));
    for r in &a.severity_reasons {
        out.extend(labelled(0, "", &format!("• {}", safe(r)), width, label));
    }
    section(&mut out, "WHAT WAS NEW");
    for (k, v) in &a.key {
        out.extend(labelled(0, &safe(k), &safe(v), width, label));
    }
    section(&mut out, "ENRICHMENT");
    for d in crate::detect::render::details(&a.enrichment) {
        match d.lines.as_slice() {
            [one] => out.extend(labelled(0, &safe(&d.label), &safe(one), width, label)),
            many => {
                out.extend(labelled(0, &safe(&d.label), "", width, label));
                for l in many {
                    out.extend(labelled(2, "", &format!("• {}", safe(l)), width, label));
                }
            }
        }
    }
    section(&mut out, "MITRE ATT&CK");
    let mitre = if a.mitre.is_empty() { "none mapped".to_string() } else { a.mitre.join(", ") };
    out.push(Line::from(mitre));
    out
}

/// The detail drawn from its state.
pub struct DetailView<'a> {
    /// The detail.
    pub state: &'a DetailState,
    /// The shared context.
    pub cx: &'a Ctx,
}

impl Widget for DetailView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let Some(a) = cx.alerts.get(st.alert) else {
            return;
        };
        let theme = cx.theme;
        let l = layout(area);
        let head = vec![
            Line::from(vec![
                Span::styled(format!(" {} ", a.severity.as_str().to_uppercase()), theme.severity(a.severity)),
                Span::styled(format!(" {}", safe(&a.title)), theme.header()),
                Span::raw(format!("  · status: {}", cx.cases.status(st.alert).label())),
            ]),
            Line::from(Span::styled(
                format!(
                    "{} · {} · {} · {} UTC · {}",
                    clip(&a.principal, 60),
                    a.detector,
                    a.cloud.as_str(),
                    format_short(a.time),
                    safe(&a.id)
                ),
                theme.dim(),
            )),
        ];
        Paragraph::new(head).render(l.head, buf);

        let block = pane(" summary ", st.focus == Pane::Summary, theme);
        let inner = block.inner(l.summary);
        block.render(l.summary, buf);
        let top = st.summary.top.min(st.lines.len());
        let visible: Vec<Line> = st.lines[top..].iter().take(usize::from(inner.height)).cloned().collect();
        Paragraph::new(visible).render(inner, buf);

        self.evidence(l.evidence, buf);
        raw_pane(cx, st.selected_event(cx), st.raw.top, st.focus == Pane::Raw, l.raw, buf);
    }
}

impl DetailView<'_> {
    fn evidence(&self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let Some(a) = cx.alerts.get(st.alert) else {
            return;
        };
        let focused = st.focus == Pane::Evidence;
        let title = format!(" evidence {}/{} · Enter: timeline ", st.evidence.sel + 1, a.evidence.len());
        let block = pane(Line::from(title), focused, theme);
        let h = usize::from(area.height.saturating_sub(2));
        let wide = area.width >= 70;
        let rows: Vec<Row> = st
            .evidence
            .window(h)
            .filter_map(|i| a.evidence.get(i).map(|ev| (i, ev)))
            .map(|(i, ev)| {
                let (time, what) = match cx.event(ev.event) {
                    Some(e) => (
                        format_short(e.time).get(5..16).unwrap_or("").to_string(),
                        format!("{} {}", safe(cx.s(e.operation)), clip(cx.s(e.resource), 80)),
                    ),
                    None => (String::new(), "(event not loaded)".into()),
                };
                let mark = if ev.pivot == "trigger" { "◆" } else { "•" };
                let mut cells = vec![
                    Cell::from(Span::styled(mark, theme.mark())),
                    Cell::from(time),
                    Cell::from(Span::styled(ev.pivot.as_str(), theme.dim())),
                    Cell::from(what),
                ];
                if wide {
                    cells.push(Cell::from(safe(&ev.why)));
                }
                let row = Row::new(cells);
                if i == st.evidence.sel { row.style(theme.selected(focused)) } else { row.style(Style::new()) }
            })
            .collect();
        let mut widths =
            vec![Constraint::Length(1), Constraint::Length(11), Constraint::Length(11), Constraint::Fill(3)];
        if wide {
            widths.push(Constraint::Fill(2));
        }
        Table::new(rows, widths).block(block).column_spacing(1).render(area, buf);
    }
}
