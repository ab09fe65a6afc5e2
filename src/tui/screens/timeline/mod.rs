//! The timeline: every event of a subject (the alert's principal, or a resource, source IP or
//! computer pivoted to) in time order, with first-seen events and the alert's evidence marked,
//! filters, day and mark jumps, a raw-record pane and a per-day sparkline.
//!
//! Owns the timeline's state, keymap and update; data work (positions, marks, filters, day
//! counts) is in [`filter`], drawing in [`view`]. State holds `u32` positions only, and the view
//! draws only the visible rows, so moving costs the same at ten million events. Work that grows
//! with the subject's events (finding them for a pivot, the marks, each filter) runs as a
//! [`Task`] off the keystroke: a principal's rows show at once, the head says how far the work
//! got, and a filter's result replaces the shown rows when it lands, keeping the selected event.
//! `p` opens a small chooser; the pivot opens a new timeline on the stack, so `Esc` comes back.
//! No IO here.

pub mod filter;
pub mod view;

use crate::model::Sym;
use crate::time::{DAY_US, start_of_day};
use crate::tui::context::Ctx;
use crate::tui::effect::{At, Effect, Open, Subject};
use crate::tui::keymap::{Binding, Edit, Key, NAV_KEYS, Nav, bind, bind_quiet, edit_action, lookup};
use crate::tui::nav::{Cursor, EditOutcome, LineInput, Scroll};
use crate::tui::work::{Task, finished};
use crossterm::event::{KeyCode, KeyEvent};
use filter::{Filters, Positions, View};
use ratatui::layout::Rect;
use std::sync::Arc;

/// Which pane has focus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The event list.
    List,
    /// The raw record.
    Raw,
}

/// What the timeline can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Move in the focused pane.
    Nav(Nav),
    /// Switch focus between the list and the raw record.
    ToggleFocus,
    /// Show the selected event's raw record (focus it).
    Inspect,
    /// Start typing a filter.
    StartSearch,
    /// Edit the filter text.
    Edit(Edit),
    /// Only failed calls, or all.
    ToggleFailures,
    /// Only first-seen events, or all.
    ToggleFirstSeen,
    /// Only the selected event's service, or all.
    ToggleService,
    /// Clear every filter.
    ClearFilters,
    /// First event of the previous day with events.
    PrevDay,
    /// First event of the next day with events.
    NextDay,
    /// Next marked event (first seen or evidence).
    NextMark,
    /// Previous marked event.
    PrevMark,
    /// Open the pivot chooser.
    Pivot,
    /// In the chooser: pick option `n`.
    PivotPick(usize),
    /// In the chooser: move the selection.
    PivotNav(Nav),
    /// In the chooser: take the selected option.
    PivotTake,
    /// Close the chooser.
    PivotCancel,
    /// Show the selected event in full, or close it.
    Expand,
}

/// The timeline's keys.
pub const KEYS: &[Binding<Action>] = &[
    bind(&[Key::Char('/')], Action::StartSearch, "filter (substring, smart case; ~ first: fuzzy)", "filter"),
    bind(&[Key::Char('x')], Action::ToggleFailures, "only failed calls / all", "fail"),
    bind(&[Key::Char('n')], Action::ToggleFirstSeen, "only first-seen events / all", "new"),
    bind(&[Key::Char('v')], Action::ToggleService, "only the selected event's service / all", "service"),
    bind_quiet(&[Key::Char('X')], Action::ClearFilters, "clear every filter"),
    bind(&[Key::Char('['), Key::Char(']')], Action::NextDay, "previous / next day", "day"),
    bind(&[Key::Char('m'), Key::Char('M')], Action::NextMark, "next / previous marked event", "mark"),
    bind(&[Key::Char('p')], Action::Pivot, "pivot to the event's resource, source IP, computer …", "pivot"),
    bind(&[Key::Code(KeyCode::Tab)], Action::ToggleFocus, "switch between the list and the raw record", "pane"),
    bind_quiet(&[Key::Char(' ')], Action::Expand, "the selected event in full (Space or Esc closes)"),
    bind_quiet(&[Key::Code(KeyCode::Enter)], Action::Inspect, "read the selected event's raw record"),
];

/// Keys whose binding above is shared with a twin (help lists them together).
fn twin(key: &KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char('[') => Some(Action::PrevDay),
        KeyCode::Char('M') => Some(Action::PrevMark),
        _ => None,
    }
}

/// One pivot the chooser offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PivotOption {
    /// Shortcut key.
    pub key: char,
    /// The new timeline's subject.
    pub subject: Subject,
}

/// The open pivot chooser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chooser {
    /// What can be pivoted to.
    pub options: Vec<PivotOption>,
    /// The highlighted option.
    pub sel: usize,
}

/// The timeline's state.
#[derive(Debug)]
pub struct TimelineState {
    /// The alert whose evidence is marked.
    pub alert: usize,
    /// Whose events.
    pub subject: Subject,
    /// Store positions of the subject's events, in time order (empty until found, for a pivot).
    pub base: Positions,
    /// Marks per entry of `base` (empty until computed).
    pub marks: Arc<[u8]>,
    /// The entries of `base` shown: those that pass the filters applied.
    pub view: View,
    /// Selection over `view`.
    pub cursor: Cursor,
    /// The filters asked for (`view` shows them once their task lands).
    pub filters: Filters,
    /// The filters `view` reflects.
    applied: Filters,
    /// The filter input.
    pub search: LineInput,
    /// Events per day over `view`.
    pub days: Vec<(i64, u64)>,
    /// Events per day over `base` (for clearing filters without recounting).
    all_days: Vec<(i64, u64)>,
    /// Focused pane.
    pub focus: Focus,
    /// Scroll of the raw record.
    pub raw: Scroll,
    /// Text width of the raw pane.
    pub raw_width: usize,
    /// The pivot chooser, when open.
    pub chooser: Option<Chooser>,
    /// Finding the events (a pivot), marking them and counting days, with where to open.
    pub opening: Option<Task<Opened>>,
    /// Where to put the cursor once the events are found.
    open_at: Option<At>,
    /// The filter under way.
    pub filtering: Option<Task<Filtered>>,
    /// Every event is a Windows one (the list then shows Windows columns); `None` until the
    /// opening task has looked.
    pub windows: Option<bool>,
    /// The selected event is shown in full.
    pub expanded: bool,
}

/// What opening a timeline computes off the keystroke.
#[derive(Debug)]
pub struct Opened {
    base: Option<Positions>,
    windows: bool,
    marks: Arc<[u8]>,
    days: Vec<(i64, u64)>,
}

/// A filter's result.
#[derive(Debug)]
pub struct Filtered {
    filters: Filters,
    view: View,
    days: Vec<(i64, u64)>,
}

impl TimelineState {
    /// The timeline of `subject`, opened at `at`, laid out for `area`. A principal's events show
    /// at once (the store indexes them); their marks, and another subject's events, come from a
    /// task.
    pub fn new(cx: &Ctx, alert: usize, subject: Subject, at: At, area: Rect) -> TimelineState {
        let indexed = filter::indexed(&cx.store, subject);
        let base = indexed.clone().unwrap_or_default();
        let (store, a) = (cx.store.clone(), cx.alerts.get(alert).cloned());
        let opening = Task::spawn(&cx.bell, move |w| {
            let found = indexed.is_none();
            let base = match indexed {
                Some(b) => b,
                None => filter::positions_with(&store, subject, w)?,
            };
            w.set_phase(1);
            let marks = filter::marks_with(&store, &base, a.as_ref(), w)?;
            let days = filter::day_counts(&store, &base, &View::All(base.len() as u32));
            let windows = filter::all_windows(&store, &base);
            Some(Opened { base: found.then_some(base), windows, marks: marks.into(), days })
        });
        let mut t = TimelineState {
            alert,
            subject,
            cursor: Cursor::new(base.len()),
            view: View::All(base.len() as u32),
            base,
            marks: Arc::from(Vec::new()),
            filters: Filters::default(),
            applied: Filters::default(),
            search: LineInput::default(),
            days: Vec::new(),
            all_days: Vec::new(),
            focus: Focus::List,
            raw: Scroll::default(),
            raw_width: 40,
            chooser: None,
            opening: Some(opening),
            open_at: None,
            filtering: None,
            windows: None,
            expanded: false,
        };
        t.resize(area);
        if t.base.is_empty() {
            t.open_at = Some(at);
        } else {
            t.go_to(cx, at);
        }
        t
    }

    /// Takes the results of finished tasks; true when something changed.
    pub fn poll(&mut self, cx: &Ctx) -> bool {
        let mut changed = false;
        if let Some(o) = finished(&mut self.opening) {
            if let Some(base) = o.base {
                self.base = base;
                self.view = View::All(self.base.len() as u32);
                self.cursor.set_len(self.view.len());
            }
            self.marks = o.marks;
            self.windows = Some(o.windows);
            self.days = o.days.clone();
            self.all_days = o.days;
            if let Some(at) = self.open_at.take() {
                self.go_to(cx, at);
            }
            if self.filters != self.applied {
                self.start_filter(cx);
            }
            changed = true;
        }
        if let Some(f) = finished(&mut self.filtering) {
            let (keep, top) = (self.selected_event(), self.raw.top);
            self.view = f.view;
            self.days = f.days;
            self.applied = f.filters;
            self.cursor.set_len(self.view.len());
            if let Some(e) = keep {
                self.go_to(cx, At::Event(e));
            }
            if self.selected_event() == keep {
                self.raw.top = top;
            }
            changed = true;
        }
        changed
    }

    /// Whether work is under way.
    pub fn busy(&self) -> bool {
        self.opening.is_some() || self.filtering.is_some()
    }

    /// The action of a key (the chooser, then the filter input, take keys first).
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        if let Some(ch) = &self.chooser {
            return match key.code {
                KeyCode::Enter => Some(Action::PivotTake),
                KeyCode::Esc => Some(Action::PivotCancel),
                KeyCode::Char(c) if ch.options.iter().any(|o| o.key == c) => {
                    ch.options.iter().position(|o| o.key == c).map(Action::PivotPick)
                }
                _ => lookup(NAV_KEYS, key).map(Action::PivotNav),
            };
        }
        if self.search.editing {
            return edit_action(key).map(Action::Edit);
        }
        if self.expanded && key.code == KeyCode::Esc {
            return Some(Action::Expand);
        }
        twin(key).or_else(|| lookup(KEYS, key)).or_else(|| lookup(NAV_KEYS, key).map(Action::Nav))
    }

    /// The store position of the selected event.
    pub fn selected_event(&self) -> Option<u32> {
        let k = self.view.get(self.cursor.current()?)?;
        self.base.get(k as usize).copied()
    }

    fn time_at(&self, cx: &Ctx, i: usize) -> i64 {
        self.view.get(i).and_then(|k| cx.event(self.base[k as usize])).map_or(0, |e| e.time)
    }

    /// Moves the cursor to an event (or the nearest shown one) or an instant.
    pub fn go_to(&mut self, cx: &Ctx, at: At) {
        let i = match at {
            At::Event(e) => {
                let k = self.base.partition_point(|&p| p < e) as u32;
                self.view.partition_point(|v| v < k)
            }
            At::Time(t) => self.view.partition_point(|k| cx.event(self.base[k as usize]).is_some_and(|e| e.time < t)),
        };
        self.cursor.center(i);
        self.raw.top = 0;
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action, cx: &mut Ctx) -> Option<Effect> {
        let before = self.cursor.sel;
        match action {
            Action::Nav(n) if self.focus == Focus::Raw => {
                self.raw.set_lines(self.raw_lines(cx));
                self.raw.nav(n);
            }
            Action::Nav(n) => self.cursor.nav(n),
            Action::ToggleFocus => {
                self.focus = if self.focus == Focus::List { Focus::Raw } else { Focus::List };
            }
            Action::Inspect => self.focus = Focus::Raw,
            Action::StartSearch => self.search.start(),
            Action::Edit(e) => {
                let outcome = self.search.edit(e);
                if outcome == EditOutcome::Cancelled {
                    self.search.text.clear();
                }
                if outcome == EditOutcome::Changed || self.filters.query != self.search.text {
                    let f = Filters { query: self.search.text.clone(), ..self.filters.clone() };
                    self.refilter(cx, f);
                }
            }
            Action::ToggleFailures => {
                let f = Filters { failures: !self.filters.failures, ..self.filters.clone() };
                self.refilter(cx, f);
            }
            Action::ToggleFirstSeen => {
                let f = Filters { first_seen: !self.filters.first_seen, ..self.filters.clone() };
                self.refilter(cx, f);
            }
            Action::ToggleService => {
                let service = match self.filters.service {
                    Some(_) => None,
                    None => Some(self.selected_event().and_then(|e| cx.event(e)).map(|e| e.service)?),
                };
                self.refilter(cx, Filters { service, ..self.filters.clone() });
            }
            Action::ClearFilters => {
                self.search = LineInput::default();
                self.refilter(cx, Filters::default());
            }
            Action::PrevDay => self.prev_day(cx),
            Action::NextDay => {
                let next = start_of_day(self.time_at(cx, self.cursor.sel)) + DAY_US;
                self.go_to(cx, At::Time(next));
            }
            Action::NextMark | Action::PrevMark => {
                if let Some(effect) = self.jump_mark(action == Action::NextMark) {
                    return Some(effect);
                }
            }
            Action::Pivot => return self.open_chooser(cx),
            Action::PivotNav(n) => {
                if let Some(ch) = &mut self.chooser {
                    let mut c = Cursor { len: ch.options.len(), sel: ch.sel, offset: 0, height: 10 };
                    c.nav(n);
                    ch.sel = c.sel;
                }
            }
            Action::PivotPick(i) => return self.pivot(i),
            Action::PivotTake => return self.pivot(self.chooser.as_ref().map_or(0, |c| c.sel)),
            Action::PivotCancel => self.chooser = None,
            Action::Expand => self.expanded = !self.expanded && self.selected_event().is_some(),
        }
        if self.cursor.sel != before {
            self.raw.top = 0;
        }
        None
    }

    /// Asks for new filters: applied at once when they clear everything, else by a task (after
    /// the opening one) that narrows the current result when the new filters only narrow it. A
    /// filter still under way is dropped, which cancels it.
    fn refilter(&mut self, cx: &Ctx, f: Filters) {
        self.filters = f;
        if self.opening.is_some() {
            self.filtering = None;
            return;
        }
        self.start_filter(cx);
    }

    fn start_filter(&mut self, cx: &Ctx) {
        let f = self.filters.clone();
        if f == self.applied || !f.any() {
            self.filtering = None;
            if f != self.applied {
                let keep = self.selected_event();
                self.view = View::All(self.base.len() as u32);
                self.days = self.all_days.clone();
                self.applied = f;
                self.cursor.set_len(self.view.len());
                if let Some(e) = keep {
                    self.go_to(cx, At::Event(e));
                }
            }
            return;
        }
        let from = match &self.view {
            View::Only(v) if f.narrows(&self.applied) => Some(v.clone()),
            _ => None,
        };
        let (store, base, marks) = (cx.store.clone(), self.base.clone(), self.marks.clone());
        self.filtering = Some(Task::spawn(&cx.bell, move |w| {
            let kept = filter::apply_with(&store, &base, &marks, &f, from.as_deref(), w)?;
            let view = View::Only(kept.into());
            let days = filter::day_counts(&store, &base, &view);
            Some(Filtered { filters: f, view, days })
        }));
    }

    fn prev_day(&mut self, cx: &Ctx) {
        let day = start_of_day(self.time_at(cx, self.cursor.sel));
        let first_of_day = self.view.partition_point(|k| cx.event(self.base[k as usize]).is_some_and(|e| e.time < day));
        if first_of_day == 0 {
            self.cursor.select(0);
            return;
        }
        let prev = start_of_day(self.time_at(cx, first_of_day - 1));
        self.go_to(cx, At::Time(prev));
    }

    fn jump_mark(&mut self, forward: bool) -> Option<Effect> {
        if let Some(t) = &self.opening {
            return Some(Effect::Notify(format!("still marking first-seen events ({})", t.status())));
        }
        let marked = |i: &usize| self.view.get(*i).is_some_and(|k| self.marks.get(k as usize).is_some_and(|m| *m != 0));
        let found = if forward {
            (self.cursor.sel + 1..self.view.len()).find(marked)
        } else {
            (0..self.cursor.sel).rev().find(marked)
        };
        match found {
            Some(i) => {
                self.cursor.center(i);
                None
            }
            None if forward => Some(Effect::Notify("no marked event after this one (M goes back)".into())),
            None => Some(Effect::Notify("no marked event before this one (m goes forward)".into())),
        }
    }

    fn open_chooser(&mut self, cx: &Ctx) -> Option<Effect> {
        let e = *cx.event(self.selected_event()?)?;
        let mut options = Vec::new();
        let mut offer = |key: char, subject: Subject, value: Sym| {
            if !value.is_empty() && subject != self.subject {
                options.push(PivotOption { key, subject });
            }
        };
        offer('r', Subject::Resource(e.resource), e.resource);
        offer('i', Subject::SourceIp(e.source_ip), e.source_ip);
        offer('c', Subject::Computer(e.computer), e.computer);
        offer('u', Subject::Principal(e.principal), e.principal);
        if options.is_empty() {
            return Some(Effect::Notify("nothing to pivot to from this event".into()));
        }
        self.chooser = Some(Chooser { options, sel: 0 });
        None
    }

    fn pivot(&mut self, i: usize) -> Option<Effect> {
        let ch = self.chooser.take()?;
        let subject = ch.options.get(i)?.subject;
        let at = At::Event(self.selected_event()?);
        Some(Effect::Open(Open::Timeline { alert: self.alert, subject, at }))
    }

    fn raw_lines(&self, cx: &Ctx) -> usize {
        match self.selected_event().and_then(|e| cx.raw.get(e)).as_deref() {
            Some(Ok(lines)) => lines.iter().map(|l| l.chars().count().div_ceil(self.raw_width.max(1)).max(1)).sum(),
            _ => 1,
        }
    }

    /// Fits the panes to `area`.
    pub fn resize(&mut self, area: Rect) {
        let l = view::layout(area);
        self.cursor.set_height(usize::from(l.list.height.saturating_sub(3)));
        self.raw.height = usize::from(l.raw.height.saturating_sub(2));
        self.raw_width = usize::from(l.raw.width.saturating_sub(2));
    }
}

#[cfg(test)]
mod tests;
