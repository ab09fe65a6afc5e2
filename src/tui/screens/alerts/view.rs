//! Drawing the alert queue: a header with counts per severity and detector, the filters, a
//! warning line for skipped records, the table (only the visible rows are built), the
//! optional list of skipped records and the selected row in full (`Space`).
//!
//! Reads [`QueueState`] and [`Ctx`]; changes nothing. Every log-derived string is escaped.

use super::{Grouping, QueueState, Sort};
use crate::detect::{DETECTORS, Severity};
use crate::time::format_short;
use crate::tui::context::Ctx;
use crate::tui::search::Query;
use crate::tui::widgets::{clip, highlight, pane, popup, row_popup, safe};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

/// The queue drawn from its state.
pub struct QueueView<'a> {
    /// The queue.
    pub state: &'a QueueState,
    /// The shared context.
    pub cx: &'a Ctx,
}

/// Lines above the table.
fn header_lines(cx: &Ctx) -> u16 {
    3 + u16::from(cx.report.skipped > 0) + u16::from(short_history(cx).is_some())
}

/// The banner for a history shorter than the learning period.
fn short_history(cx: &Ctx) -> Option<String> {
    cx.opts.detect.short_history(&cx.store, cx.now)
}

fn split(area: Rect, cx: &Ctx) -> (Rect, Rect) {
    let [head, table] = Layout::vertical([Constraint::Length(header_lines(cx)), Constraint::Min(3)]).areas(area);
    (head, table)
}

/// How many alert rows fit in the table drawn in `area`.
pub fn table_rows(area: Rect, _state: &QueueState, cx: &Ctx) -> usize {
    let (_, table) = split(area, cx);
    usize::from(table.height.saturating_sub(3)).max(1)
}

impl Widget for QueueView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (head, table) = split(area, self.cx);
        self.header(head, buf);
        self.table(table, buf);
        if self.state.show_skips {
            self.skips(area, buf);
        }
        if let Some(a) = self.state.selected().filter(|_| self.state.expanded) {
            let fields = row_fields(self.cx, a, self.state.grouping == Grouping::Incidents);
            row_popup(area, " the row in full (Space or Esc closes) ", &fields, self.cx.theme, buf);
        }
    }
}

/// Every field of a queue row, unclipped (escaped when drawn): an incident row of several alerts
/// speaks for its incident, any other row for its alert and the trigger event.
pub fn row_fields(cx: &Ctx, alert: usize, incidents: bool) -> Vec<(&'static str, String)> {
    let a = &cx.alerts[alert];
    let inc = &cx.incidents[cx.incident_of[alert]];
    let status = cx.cases.status(alert).label().to_string();
    if incidents && inc.alerts.len() > 1 {
        let titles: Vec<&str> = inc.alerts.iter().map(|&i| cx.alerts[i].title.as_str()).collect();
        return vec![
            ("incident", inc.id.clone()),
            ("title", inc.title.clone()),
            ("severity", inc.severity.as_str().to_string()),
            ("span", format!("{} → {}", format_short(inc.span.0), format_short(inc.span.1))),
            ("principals", inc.principals.join(", ")),
            ("alerts", format!("{}: {}", inc.alerts.len(), titles.join("; "))),
            ("status", status),
        ];
    }
    let mut fields = vec![
        ("alert", format!("{} · {} · {} · {}", a.id, a.severity.as_str(), a.detector, format_short(a.time))),
        ("title", a.title.clone()),
        ("principal", a.principal.clone()),
        ("summary", a.summary.clone()),
        ("key", a.key_text()),
    ];
    if let Some(e) = cx.event(a.trigger()) {
        let s = |sym| cx.s(sym).to_string();
        fields.extend([
            ("operation", s(e.operation)),
            ("resource", s(e.resource)),
            ("target", s(e.target)),
            ("source IP", s(e.source_ip)),
            ("computer", s(e.computer)),
            ("parent", s(e.parent)),
            ("command line", s(e.command_line)),
        ]);
    }
    fields.push(("case", format!("{status} · incident {} ({} alert(s))", inc.id, inc.alerts.len())));
    fields
}

impl QueueView<'_> {
    fn header(&self, area: Rect, buf: &mut Buffer) {
        let (cx, st, theme) = (self.cx, self.state, self.cx.theme);
        let mut first = vec![
            Span::styled("trailwatch", theme.header()),
            Span::raw(format!(" · {} · {} alerts  ", safe(&cx.opts.title), cx.alerts.len())),
            Span::styled(
                if cx.suppressed > 0 { format!("{} suppressed  ", cx.suppressed) } else { String::new() },
                theme.dim(),
            ),
        ];
        for s in Severity::ALL.iter().rev() {
            let n = cx.alerts.iter().filter(|a| a.severity == *s).count();
            first.push(Span::styled(s.as_str(), theme.severity(*s)));
            first.push(Span::raw(format!(" {n}  ")));
        }
        let by_detector: Vec<String> = DETECTORS
            .iter()
            .filter_map(|d| {
                let n = cx.alerts.iter().filter(|a| a.detector == *d).count();
                (n > 0).then(|| format!("{} {n}", short_detector(d)))
            })
            .collect();
        let detectors = match (cx.store.is_empty(), by_detector.is_empty()) {
            (true, _) => crate::session::NO_EVENTS.to_string(),
            (false, true) => "no alerts".to_string(),
            (false, false) => by_detector.join(" · "),
        };
        let search = if st.search.editing {
            format!("/{}▏", safe(&st.search.text))
        } else if st.search.text.is_empty() {
            "/ to search".to_string()
        } else {
            format!("/{}", safe(&st.search.text))
        };
        let listing = match st.grouping {
            Grouping::Incidents => format!("{} incidents (i: every alert)", cx.incidents.len()),
            Grouping::Alerts => "every alert (i: incidents)".to_string(),
            Grouping::Incident(k) => format!(
                "incident {} · {} alert(s) in order (Esc: incidents)",
                cx.incidents[k].id,
                cx.incidents[k].alerts.len()
            ),
        };
        let mut filters = format!(
            "{listing} · sort {} · min {} · detector {} · status {} · {}/{} shown · {search}",
            if st.sort == Sort::Severity { "severity" } else { "time" },
            st.min_severity.as_str(),
            st.detector.unwrap_or("all"),
            st.status.map_or("all", |s| s.label()),
            st.rows.len(),
            cx.alerts.len(),
        );
        if st.note.editing {
            let whose = match st.row_alerts(cx).map_or(0, |a| a.len()) {
                1 => "the alert's case".to_string(),
                n => format!("the cases of the incident's {n} alerts"),
            };
            filters = format!("note for {whose}: {}▏ (Enter saves, Esc cancels)", safe(&st.note.text));
        }
        if st.reason.editing {
            filters = format!(
                "suppress alerts like this one · reason: {}▏ (Enter saves, Esc cancels)",
                safe(&st.reason.text)
            );
        }
        let mut lines = vec![Line::from(first), Line::from(Span::styled(detectors, theme.dim())), Line::from(filters)];
        if let Some(note) = short_history(cx) {
            lines.push(Line::from(Span::styled(format!("⚠ {note}"), theme.mark())));
        }
        if let Some(first_skip) = cx.report.skips.first() {
            lines.push(Line::from(Span::styled(
                format!(
                    "⚠ {} record(s) skipped; first: {}  (w: list)",
                    cx.report.skipped,
                    clip(&short_skip(cx, first_skip), 200)
                ),
                theme.mark(),
            )));
        }
        Paragraph::new(lines).render(area, buf);
    }

    fn table(&self, area: Rect, buf: &mut Buffer) {
        let (cx, st, theme) = (self.cx, self.state, self.cx.theme);
        let wide = area.width >= 110;
        // The detector is always shown: in full on wide terminals, as a short tag otherwise.
        let full_detector = area.width >= 130;
        let query = Query::new(&st.search.text);
        let block = pane(" alerts ", !st.show_skips, theme);
        let inner_h = usize::from(area.height.saturating_sub(3));
        let window = st.cursor.window(inner_h);
        let rows: Vec<Row> = window
            .clone()
            .filter_map(|i| st.rows.get(i).map(|a| (i, *a)))
            .map(|(i, ai)| {
                let a = &cx.alerts[ai];
                let inc = &cx.incidents[cx.incident_of[ai]];
                // On the incident list a row of several alerts speaks for the incident.
                let group = st.grouping == Grouping::Incidents && inc.alerts.len() > 1;
                let severity = if group { inc.severity } else { a.severity };
                let time = format_short(if group { inc.span.0 } else { a.time });
                let time = time.get(if wide { 0..16 } else { 5..16 }).unwrap_or(&time).to_string();
                let mut cells =
                    vec![Cell::from(Span::styled(severity.as_str(), theme.severity(severity))), Cell::from(time)];
                let detector = if full_detector { a.detector } else { short_detector(a.detector) };
                let hl = theme.matched();
                if group {
                    cells.push(Cell::from(format!("{} alerts", inc.alerts.len())));
                    let who = match inc.principals.len() {
                        1 => inc.principals[0].clone(),
                        n => format!("{} +{}", inc.principals[0], n - 1),
                    };
                    cells.push(Cell::from(highlight(clip(&who, 120), query.as_ref(), Style::new(), hl)));
                    cells.push(Cell::from(highlight(clip(&inc.title, 300), query.as_ref(), Style::new(), hl)));
                } else {
                    cells.push(Cell::from(detector));
                    cells.push(Cell::from(highlight(clip(&a.principal, 120), query.as_ref(), Style::new(), hl)));
                    cells.push(Cell::from(highlight(clip(&a.summary, 300), query.as_ref(), Style::new(), hl)));
                }
                cells.push(Cell::from(status_label(cx.cases.status(ai))));
                let row = Row::new(cells);
                if i == st.cursor.sel { row.style(theme.selected(true)) } else { row }
            })
            .collect();
        let mut widths = vec![Constraint::Length(8), Constraint::Length(if wide { 16 } else { 11 })];
        let mut header = vec!["SEVERITY", "TIME (UTC)"];
        widths.push(Constraint::Length(if full_detector { 19 } else { 9 }));
        header.push("DETECTOR");
        widths.extend([Constraint::Fill(2), Constraint::Fill(3), Constraint::Length(13)]);
        header.extend(["PRINCIPAL", "SUMMARY", "STATUS"]);
        if st.rows.is_empty() {
            let msg = if cx.store.is_empty() {
                "No events: nothing was loaded from these paths."
            } else if cx.alerts.is_empty() {
                "No alerts: the detectors found nothing in these logs."
            } else {
                "No alert matches the filters (f severity, d detector, S status, Esc clears the search)."
            };
            let inner = block.inner(area);
            block.render(area, buf);
            Paragraph::new(Span::styled(msg, theme.dim())).render(inner, buf);
            return;
        }
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.header()))
            .block(block)
            .column_spacing(1)
            .render(area, buf);
    }

    fn skips(&self, area: Rect, buf: &mut Buffer) {
        let cx = self.cx;
        let popup_area = crate::tui::widgets::centered(area, area.width.saturating_sub(8), area.height / 2 + 4);
        let title = format!(" {} skipped record(s), first {} ", cx.report.skipped, cx.report.skips.len().min(50));
        let inner = popup(popup_area, &title, cx.theme, buf);
        let lines: Vec<Line> = cx
            .report
            .skips
            .iter()
            .take(usize::from(inner.height))
            .map(|s| Line::from(clip(&short_skip(cx, s), 400)))
            .collect();
        Paragraph::new(lines).render(inner, buf);
    }
}

/// A status in at most 13 columns.
pub fn status_label(s: crate::case::Status) -> &'static str {
    match s {
        crate::case::Status::FalsePositive => "false pos.",
        other => other.label(),
    }
}

/// `FILE:LINE: reason` with the file's last path component (escaped by the caller's `clip`).
fn short_skip(_cx: &Ctx, s: &crate::ingest::Skip) -> String {
    let file = std::path::Path::new(&s.file).file_name().map_or_else(|| s.file.clone(), |n| n.to_string_lossy().into());
    match s.line {
        Some(l) => format!("{file}:{l}: {}", s.reason),
        None => format!("{file}: {}", s.reason),
    }
}

/// A detector name in at most 9 columns, for narrow terminals.
pub fn short_detector(d: &str) -> &'static str {
    crate::detect::spec(d).map_or("other", |s| s.short)
}
