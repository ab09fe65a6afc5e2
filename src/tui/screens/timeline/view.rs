//! Drawing the timeline: a head with the subject, counts and filters; a per-day sparkline with
//! the selected day highlighted; the event list (only the visible rows are built, whatever the
//! timeline's length) with cloud columns, or Windows ones (account, computer, process, parent,
//! command line) when every event is a Windows one; the raw-record pane; the pivot chooser
//! when open; and the selected event in full (`Space`).
//!
//! Reads [`TimelineState`] and [`Ctx`]; changes nothing. Every log-derived string is escaped.

use super::filter::{EVIDENCE, FIRST_SEEN, TRIGGER};
use super::{Focus, TimelineState};
use crate::model::{Cloud, Event, Outcome};
use crate::text::{clip_middle, short_operation};
use crate::time::{format_day, format_rfc3339, format_short, start_of_day};
use crate::tui::context::Ctx;
use crate::tui::effect::Subject;
use crate::tui::search::Query;
use crate::tui::widgets::{centered, clip, highlight, pane, popup, raw_pane, row_popup, safe, thousands};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Sparkline, SparklineBar, Table, Widget};

/// Where each part of the timeline goes.
pub struct Areas {
    /// Subject, counts, filters.
    pub head: Rect,
    /// The per-day sparkline.
    pub spark: Rect,
    /// The event list.
    pub list: Rect,
    /// The raw record.
    pub raw: Rect,
}

/// Lays the timeline out in `area`.
pub fn layout(area: Rect) -> Areas {
    let [head, spark, body] =
        Layout::vertical([Constraint::Length(2), Constraint::Length(3), Constraint::Min(6)]).areas(area);
    let (list, raw) = if area.width >= 140 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(62), Constraint::Min(20)]).areas(body);
        (l, r)
    } else {
        let [l, r] = Layout::vertical([Constraint::Percentage(60), Constraint::Min(4)]).areas(body);
        (l, r)
    };
    Areas { head, spark, list, raw }
}

/// The timeline drawn from its state.
pub struct TimelineView<'a> {
    /// The timeline.
    pub state: &'a TimelineState,
    /// The shared context.
    pub cx: &'a Ctx,
}

impl Widget for TimelineView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = layout(area);
        self.head(l.head, buf);
        self.spark(l.spark, buf);
        self.list(l.list, buf);
        let st = self.state;
        raw_pane(self.cx, st.selected_event(), st.raw.top, st.focus == Focus::Raw, l.raw, buf);
        if st.chooser.is_some() {
            self.chooser(area, buf);
        }
        if let Some(i) = st.selected_event().filter(|_| st.expanded) {
            let title = " the event in full (Space or Esc closes) ";
            row_popup(area, title, &event_fields(self.cx, i), self.cx.theme, buf);
        }
    }
}

/// Every field of an event worth reading, unclipped (escaped when drawn), in reading order;
/// empty ones are left out when drawn.
pub fn event_fields(cx: &Ctx, i: u32) -> Vec<(&'static str, String)> {
    let Some(e) = cx.event(i) else { return Vec::new() };
    let s = |sym| cx.s(sym).to_string();
    let baseline = if cx.store.is_baseline(i) { "yes: learned from, never alerted on (--baseline)" } else { "" };
    vec![
        ("time", format_rfc3339(e.time)),
        ("cloud", e.cloud.as_str().to_string()),
        ("outcome", e.outcome.as_str().to_string()),
        ("principal", format!("{} ({})", cx.s(e.principal), e.principal_kind.as_str())),
        ("service", s(e.service)),
        ("operation", s(e.operation)),
        ("resource", s(e.resource)),
        ("target", s(e.target)),
        ("source IP", s(e.source_ip)),
        ("user agent", s(e.user_agent)),
        ("status", s(e.status)),
        ("region", s(e.region)),
        ("computer", s(e.computer)),
        ("process", s(e.process)),
        ("parent", s(e.parent)),
        ("command line", s(e.command_line)),
        ("access changes", cx.access_changes(i).unwrap_or_default()),
        ("baseline", baseline.to_string()),
        ("record", format!("{}:{}", cx.file_name(e.src.file), e.src.line)),
    ]
}

/// How a subject's value reads in a title.
pub fn subject_label(cx: &Ctx, s: Subject) -> String {
    format!("{} {}", s.kind(), clip(cx.s(s.sym()), 80))
}

impl TimelineView<'_> {
    fn head(&self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let mut filters = Vec::new();
        if st.filters.failures {
            filters.push("failures".to_string());
        }
        if st.filters.first_seen {
            filters.push("first-seen".to_string());
        }
        if let Some(s) = st.filters.service {
            filters.push(format!("service={}", clip(cx.s(s), 40)));
        }
        let search = if st.search.editing {
            format!("/{}▏", safe(&st.search.text))
        } else if !st.filters.query.is_empty() {
            format!("/{}", safe(&st.filters.query))
        } else {
            String::new()
        };
        if !search.is_empty() {
            filters.push(search);
        }
        let filters = if filters.is_empty() { "none".to_string() } else { filters.join(", ") };
        let counts = match (&st.opening, &st.filtering) {
            (Some(t), _) if st.base.is_empty() && t.phase() == 0 => format!(" · finding its events … {}", t.status()),
            (Some(t), _) if st.base.is_empty() => format!(" · marking its events … {}", t.status()),
            (Some(t), _) => format!(" · {} events · marking … {}", thousands(st.base.len() as u64), t.status()),
            (None, Some(t)) => format!(" · {} events · filtering … {}", thousands(st.base.len() as u64), t.status()),
            (None, None) => {
                format!(" · {} events · showing {}", thousands(st.base.len() as u64), thousands(st.view.len() as u64))
            }
        };
        let lines = vec![
            Line::from(vec![
                Span::styled(format!("timeline · {}", subject_label(cx, st.subject)), theme.header()),
                Span::raw(counts),
            ]),
            Line::from(vec![
                Span::raw(format!("filters: {filters}  ")),
                Span::styled("◆ trigger  ● evidence  + first seen  ✗ failed", theme.dim()),
            ]),
        ];
        Paragraph::new(lines).render(area, buf);
    }

    fn spark(&self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let sel_day = st.selected_event().and_then(|e| cx.event(e)).map(|e| start_of_day(e.time));
        let [label, bars] = Layout::vertical([Constraint::Length(1), Constraint::Length(2)]).areas(area);
        if st.days.is_empty() {
            let text = if st.opening.is_some() { "counting events per day …" } else { "no events" };
            Paragraph::new(Span::styled(text, theme.dim())).render(label, buf);
            return;
        }
        let w = usize::from(bars.width).max(1);
        // Up to four columns per day when few days are shown (three bars and a gap).
        let per_day = (w / st.days.len().max(1)).clamp(1, 4);
        let w = w / per_day;
        let sel_idx = sel_day.and_then(|d| st.days.iter().position(|(day, _)| *day == d)).unwrap_or(0);
        let start = sel_idx.saturating_sub(w / 2).min(st.days.len().saturating_sub(w));
        let shown = &st.days[start..(start + w).min(st.days.len())];
        let sel_count = st.days.get(sel_idx).map_or(0, |d| d.1);
        let text = format!(
            "per day {} … {} · selected day {}: {} event(s)",
            shown.first().map_or(String::new(), |d| format_day(d.0)),
            shown.last().map_or(String::new(), |d| format_day(d.0)),
            sel_day.map_or(String::new(), format_day),
            thousands(sel_count)
        );
        Paragraph::new(Span::styled(text, theme.dim())).render(label, buf);
        let data: Vec<SparklineBar> = shown
            .iter()
            .flat_map(|(day, n)| {
                let bar = SparklineBar::from(*n);
                let bar = if Some(*day) == sel_day { bar.style(Some(theme.mark())) } else { bar };
                let mut v = vec![bar; per_day.saturating_sub(1).max(1)];
                if per_day >= 3 {
                    v.push(SparklineBar::from(None));
                }
                v
            })
            .collect();
        Sparkline::default().data(data).style(theme.bar()).render(bars, buf);
    }

    fn list(&self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let theme = cx.theme;
        let focused = st.focus == Focus::List;
        let pos = if st.view.is_empty() { 0 } else { st.cursor.sel + 1 };
        let block = pane(Line::from(format!(" events {pos}/{} ", thousands(st.view.len() as u64))), focused, theme);
        if st.view.is_empty() {
            let inner = block.inner(area);
            block.render(area, buf);
            let msg = if st.opening.is_some() {
                "finding the events …"
            } else if st.base.is_empty() {
                "no events"
            } else {
                "no event passes the filters (X clears them)"
            };
            Paragraph::new(Span::styled(msg, theme.dim())).render(inner, buf);
            return;
        }
        let query = Query::new(&st.filters.query);
        let h = usize::from(area.height.saturating_sub(3));
        let rows = || {
            st.cursor.window(h).filter_map(|i| {
                let k = st.view.get(i)? as usize;
                Some((i, k, cx.event(*st.base.get(k)?)?))
            })
        };
        // Windows columns once the whole timeline is known to be Windows events; until then,
        // when every row in view is.
        let windows = st.windows.unwrap_or_else(|| rows().all(|(_, _, e)| e.cloud == Cloud::Windows));
        let win_cols = if windows { windows_columns(cx, rows().map(|r| r.2), area) } else { Vec::new() };
        let (widths, header): (Vec<Constraint>, Vec<&str>) = if windows {
            let mut widths = vec![Constraint::Length(1), Constraint::Length(14), Constraint::Length(1)];
            let mut header = vec!["", "TIME (UTC)", ""];
            widths.extend(win_cols.iter().map(|c| c.1));
            header.extend(win_cols.iter().map(|c| c.0.header()));
            (widths, header)
        } else {
            cloud_columns(st.subject)
        };
        // The columns as the table will lay them out: long values are cut to fit, paths in the
        // middle, so both ends stay in view.
        let cols = Layout::horizontal(widths.clone()).spacing(1).split(block.inner(area));
        let width = |c: usize| usize::from(cols.get(c).map_or(1, |r| r.width)).max(1);
        let by_principal = matches!(st.subject, Subject::Principal(_));
        let hl = theme.matched();
        let cell = |text: String| Cell::from(highlight(text, query.as_ref(), Style::new(), hl));
        let table_rows: Vec<Row> = rows()
            .filter_map(|(i, k, e)| {
                let m = st.marks.get(k).copied().unwrap_or(0);
                let mark = if m & TRIGGER != 0 {
                    "◆"
                } else if m & EVIDENCE != 0 {
                    "●"
                } else if m & FIRST_SEEN != 0 {
                    "+"
                } else {
                    " "
                };
                let failed = e.outcome == Outcome::Failure;
                let mut cells = vec![
                    Cell::from(Span::styled(mark, theme.mark())),
                    Cell::from(format_short(e.time).get(5..).unwrap_or("").to_string()),
                    Cell::from(Span::styled(if failed { "✗" } else { " " }, theme.failure())),
                ];
                if windows {
                    cells.extend(win_cols.iter().enumerate().map(|(c, (col, _))| cell(col.text(cx, e, width(c + 3)))));
                } else {
                    let who = if by_principal { e.service } else { e.principal };
                    cells.extend([
                        cell(clip(cx.s(who), width(3))),
                        cell(clip(&short_operation(cx.s(e.operation)), width(4))),
                        cell(acted_on(cx, *st.base.get(k)?, e, width(5))),
                        cell(clip(cx.s(e.source_ip), 40)),
                    ]);
                }
                let row = Row::new(cells);
                Some(if i == st.cursor.sel {
                    row.style(theme.selected(focused))
                } else if cx.store.is_baseline(*st.base.get(k)?) {
                    // Baseline logs (`--baseline`) teach; they are shown, dimmed.
                    row.style(theme.dim())
                } else {
                    row
                })
            })
            .collect();
        Table::new(table_rows, widths)
            .header(Row::new(header).style(theme.header()))
            .block(block)
            .column_spacing(1)
            .render(area, buf);
    }

    fn chooser(&self, area: Rect, buf: &mut Buffer) {
        let (st, cx) = (self.state, self.cx);
        let Some(ch) = &st.chooser else {
            return;
        };
        let h = u16::try_from(ch.options.len()).unwrap_or(4) + 3;
        let inner = popup(centered(area, 70, h), " pivot to … (Enter, or the key; Esc cancels) ", cx.theme, buf);
        let lines: Vec<Line> = ch
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let text = format!(" {}  {}", o.key, subject_label(cx, o.subject));
                if i == ch.sel { Line::styled(text, cx.theme.selected(true)) } else { Line::from(text) }
            })
            .collect();
        Paragraph::new(lines).render(inner, buf);
    }
}

/// The resource cell: any access change first (who got what: it tells more than the resource,
/// which the alert names), then the resource cut in the middle if there is room.
fn acted_on(cx: &Ctx, i: u32, e: &Event, width: usize) -> String {
    let target = crate::output::acted_on(cx.s(e.resource), cx.s(e.target), cx.s(e.process), "");
    match cx.access_changes(i) {
        Some(change) => {
            let change = clip(&change, width);
            let rest = width.saturating_sub(change.chars().count() + 3);
            if rest < 12 { change } else { format!("{change} · {}", clip_middle(&target, rest)) }
        }
        None => clip_middle(&target, width),
    }
}

/// The columns of a cloud timeline: mark, time, failure, who (the service on a principal's
/// timeline), operation, resource, source IP.
fn cloud_columns(subject: Subject) -> (Vec<Constraint>, Vec<&'static str>) {
    let widths = vec![
        Constraint::Length(1),
        Constraint::Length(14),
        Constraint::Length(1),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Length(15),
    ];
    let who = if matches!(subject, Subject::Principal(_)) { "SERVICE" } else { "PRINCIPAL" };
    (widths, vec!["", "TIME (UTC)", "", who, "OPERATION", "RESOURCE", "SOURCE IP"])
}

/// A column of a Windows timeline (after mark, time and failure).
#[derive(Clone, Copy, PartialEq, Eq)]
enum WinCol {
    Event,
    Account,
    Computer,
    Process,
    Parent,
    CommandLine,
}

/// The columns of a Windows timeline: mark, time, failure, event id, account, computer,
/// process, parent and command line. Event id, account, computer and parent take the width
/// their values in view need (within bounds; the parent its program's name); process (2 parts)
/// and command line (3 parts: it tells most) share the rest. Under 110 columns the computer and
/// the parent give their room to the others (the expanded row shows them).
fn windows_columns<'e>(cx: &Ctx, shown: impl Iterator<Item = &'e Event>, area: Rect) -> Vec<(WinCol, Constraint)> {
    let wide = area.width >= 110;
    let (mut op, mut account, mut computer, mut parent) = (5, 7, 8, 10);
    for e in shown {
        let len = |s| crate::text::escape(cx.s(s)).chars().count();
        op = op.max(short_operation(cx.s(e.operation)).chars().count());
        account = account.max(len(e.principal));
        computer = computer.max(len(e.computer));
        let name = cx.s(e.parent).rsplit(['\\', '/']).next().unwrap_or("");
        parent = parent.max(crate::text::escape(name).chars().count() + 2);
    }
    let len = |n: usize, max: usize| Constraint::Length(u16::try_from(n.min(max)).unwrap_or(1));
    let mut cols = vec![(WinCol::Event, len(op, 8)), (WinCol::Account, len(account, if wide { 24 } else { 14 }))];
    if wide {
        cols.push((WinCol::Computer, len(computer, 20)));
    }
    cols.push((WinCol::Process, Constraint::Fill(2)));
    if wide {
        cols.push((WinCol::Parent, len(parent, 24)));
    }
    cols.push((WinCol::CommandLine, Constraint::Fill(3)));
    cols
}

impl WinCol {
    fn header(self) -> &'static str {
        match self {
            WinCol::Event => "EVENT",
            WinCol::Account => "ACCOUNT",
            WinCol::Computer => "COMPUTER",
            WinCol::Process => "PROCESS",
            WinCol::Parent => "PARENT",
            WinCol::CommandLine => "COMMAND LINE",
        }
    }

    /// The cell's text cut to `w`: paths in the middle, the rest at the end.
    fn text(self, cx: &Ctx, e: &Event, w: usize) -> String {
        match self {
            WinCol::Event => clip(&short_operation(cx.s(e.operation)), w),
            WinCol::Account => clip(cx.s(e.principal), w),
            WinCol::Computer => clip(cx.s(e.computer), w),
            WinCol::Process => clip_middle(cx.s(e.process), w),
            WinCol::Parent => clip_middle(cx.s(e.parent), w),
            WinCol::CommandLine => clip(cx.s(e.command_line), w),
        }
    }
}
