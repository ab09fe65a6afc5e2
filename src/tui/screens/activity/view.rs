//! Drawing the activity view: a head naming what is counted and the range, the day chart, the
//! day table (only visible rows) and the selected day's new values.
//!
//! Reads [`ActivityState`] and [`Ctx`]; changes nothing. New values are log text: escaped.

use super::ActivityState;
use super::chart::DayChart;
use crate::time::format_day;
use crate::tui::context::Ctx;
use crate::tui::widgets::{clip, pane};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

/// Where each part of the view goes.
pub struct Areas {
    /// What is counted, the range.
    pub head: Rect,
    /// The chart.
    pub chart: Rect,
    /// The day table.
    pub table: Rect,
    /// The selected day's new values.
    pub values: Rect,
}

/// Lays the view out in `area`.
pub fn layout(area: Rect) -> Areas {
    let chart_h = if area.height >= 28 { 12 } else { 9 };
    let [head, chart, bottom] =
        Layout::vertical([Constraint::Length(3), Constraint::Length(chart_h), Constraint::Min(5)]).areas(area);
    let [table, values] = Layout::horizontal([Constraint::Length(52), Constraint::Min(20)]).areas(bottom);
    Areas { head, chart, table, values }
}

/// The activity view drawn from its state.
pub struct ActivityView<'a> {
    /// The view's state.
    pub state: &'a ActivityState,
    /// The shared context.
    pub cx: &'a Ctx,
}

impl Widget for ActivityView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let l = layout(area);
        let who = match (st.org, st.principal) {
            (true, _) => "organisation · active principals per day".to_string(),
            (false, Some(p)) => format!("principal {} · distinct {} per day", clip(cx.s(p), 60), st.id.as_str()),
            (false, None) => "the alert's principal has no events".to_string(),
        };
        let kind = if st.org { "principals" } else { st.id.as_str() };
        // What the columns mean, and the selected day's ratio in words.
        let legend = match st.selected() {
            Some(r) if r.outer > 0 => format!(
                "RATIO = the day's distinct ÷ the 7 days' (here {}/{}: {}) · DCOUNT distinct {kind}s · \
                 NEW first seen in range",
                r.inner,
                r.outer,
                if r.ratio >= 0.999 {
                    "all of the week's in this day"
                } else if r.ratio >= 0.5 {
                    "most of the week's in this day"
                } else {
                    "routine, spread over the week"
                }
            ),
            _ => {
                format!("RATIO = the day's distinct ÷ the 7 days' · DCOUNT distinct {kind}s · NEW first seen in range")
            }
        };
        let head = vec![
            Line::from(Span::styled(format!("activity vs engagement · {who}"), theme.header())),
            Line::from(Span::styled(clip(&legend, usize::from(l.head.width).max(1)), theme.dim())),
            Line::from(Span::styled(
                format!(
                    "{} … {} (UTC) · ! alert day {} · i: id kind · o: organisation · Enter: timeline",
                    format_day(st.range.0),
                    format_day(st.range.1),
                    format_day(st.alert_day)
                ),
                theme.dim(),
            )),
        ];
        Paragraph::new(head).render(l.head, buf);

        let block = pane(" events per day · new ids · 1-day/7-day ratio ", false, theme);
        let inner = block.inner(l.chart);
        block.render(l.chart, buf);
        if let Some(t) = &st.counting {
            let text = format!("counting the events of the 30 days … {}", t.status());
            Paragraph::new(Span::styled(text, theme.dim())).render(inner, buf);
        } else {
            DayChart { rows: &st.rows, sel: st.cursor.sel, alert_day: st.alert_day, theme }.render(inner, buf);
        }

        self.table(l.table, buf);
        self.values(l.values, buf);
    }
}

impl ActivityView<'_> {
    fn table(&self, area: Rect, buf: &mut Buffer) {
        let (st, theme) = (self.state, self.cx.theme);
        let h = usize::from(area.height.saturating_sub(3));
        let rows: Vec<Row> = st
            .cursor
            .window(h)
            .filter_map(|i| st.rows.get(i).map(|r| (i, r)))
            .map(|(i, r)| {
                let mark = if r.day == st.alert_day { "!" } else { " " };
                let row = Row::new(vec![
                    Cell::from(Span::styled(mark, theme.mark())),
                    Cell::from(format_day(r.day)),
                    Cell::from(format!("{:>7}", r.count)),
                    Cell::from(format!("{:>6}", r.dcount)),
                    Cell::from(Span::styled(
                        format!("{:>5}", r.new_dcount),
                        if r.new_dcount > 0 { theme.mark() } else { theme.dim() },
                    )),
                    Cell::from(format!("{:>6.1}%", r.ratio * 100.0)),
                ]);
                if i == st.cursor.sel { row.style(theme.selected(true)) } else { row }
            })
            .collect();
        let widths = [
            Constraint::Length(1),
            Constraint::Length(10),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(7),
        ];
        Table::new(rows, widths)
            .header(Row::new(["", "DATE", "  COUNT", "DCOUNT", "  NEW", "  RATIO"]).style(theme.header()))
            .block(pane(" days ", true, theme))
            .column_spacing(1)
            .render(area, buf);
    }

    fn values(&self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let Some(r) = st.selected() else {
            pane(" new ", false, theme).render(area, buf);
            return;
        };
        let kind = if st.org { "principals" } else { st.id.as_str() };
        let title = format!(" new {kind} on {} ({}) ", format_day(r.day), r.new_values.len());
        let block = pane(Line::from(title), false, theme);
        let inner = block.inner(area);
        block.render(area, buf);
        let w = usize::from(inner.width).max(4);
        let mut lines: Vec<Line> = r
            .new_values
            .iter()
            .take(usize::from(inner.height))
            .map(|v| Line::from(crate::text::clip_middle(cx.s(*v), w)))
            .collect();
        if lines.is_empty() {
            lines.push(Line::from(Span::styled("nothing new that day", theme.dim())));
        } else if r.new_values.len() > usize::from(inner.height) && !lines.is_empty() {
            let more = r.new_values.len() - usize::from(inner.height) + 1;
            lines.pop();
            lines.push(Line::from(Span::styled(format!("… {more} more"), theme.dim())));
        }
        Paragraph::new(lines).render(inner, buf);
    }
}
