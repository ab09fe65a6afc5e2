//! The timeline: every event of a subject (the alert's principal, or a resource, source IP or
//! computer pivoted to) in time order, with first-seen events and the alert's evidence marked,
//! filters, day and mark jumps, a raw-record pane and a per-day sparkline.
//!
//! Owns the timeline's state, keymap and update; data work (positions, marks, filters, day
//! counts) is in [`filter`], drawing in [`view`]. State holds `u32` positions only, and the view
//! draws only the visible rows, so a keystroke costs the same at a million events. `p` opens a
//! small chooser; the pivot opens a new timeline on the stack, so `Esc` comes back. No IO here.

pub mod filter;
pub mod view;

use crate::model::Sym;
use crate::time::{DAY_US, start_of_day};
use crate::tui::context::Ctx;
use crate::tui::effect::{At, Effect, Open, Subject};
use crate::tui::keymap::{Binding, Edit, Key, NAV_KEYS, Nav, bind, bind_quiet, edit_action, lookup};
use crate::tui::nav::{Cursor, EditOutcome, LineInput, Scroll};
use crossterm::event::{KeyCode, KeyEvent};
use filter::Filters;
use ratatui::layout::Rect;

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
    /// Start typing a fuzzy filter.
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
}

/// The timeline's keys.
pub const KEYS: &[Binding<Action>] = &[
    bind(&[Key::Char('/')], Action::StartSearch, "fuzzy filter (all terms must match a field)", "filter"),
    bind(&[Key::Char('x')], Action::ToggleFailures, "only failed calls / all", "fail"),
    bind(&[Key::Char('n')], Action::ToggleFirstSeen, "only first-seen events / all", "new"),
    bind(&[Key::Char('v')], Action::ToggleService, "only the selected event's service / all", "service"),
    bind_quiet(&[Key::Char('X')], Action::ClearFilters, "clear every filter"),
    bind(&[Key::Char('['), Key::Char(']')], Action::NextDay, "previous / next day", "day"),
    bind(&[Key::Char('m'), Key::Char('M')], Action::NextMark, "next / previous marked event", "mark"),
    bind(&[Key::Char('p')], Action::Pivot, "pivot to the event's resource, source IP, computer …", "pivot"),
    bind(&[Key::Code(KeyCode::Tab)], Action::ToggleFocus, "switch between the list and the raw record", "pane"),
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
    /// Store positions of the subject's events, in time order.
    pub base: Vec<u32>,
    /// Marks per entry of `base`.
    pub marks: Vec<u8>,
    /// Indices into `base` that pass the filters.
    pub view: Vec<u32>,
    /// Selection over `view`.
    pub cursor: Cursor,
    /// The filters in force.
    pub filters: Filters,
    /// The filter input.
    pub search: LineInput,
    /// Events per day over `view`.
    pub days: Vec<(i64, u64)>,
    /// Focused pane.
    pub focus: Focus,
    /// Scroll of the raw record.
    pub raw: Scroll,
    /// Text width of the raw pane.
    pub raw_width: usize,
    /// The pivot chooser, when open.
    pub chooser: Option<Chooser>,
}

impl TimelineState {
    /// The timeline of `subject`, opened at `at`, laid out for `area`.
    pub fn new(cx: &Ctx, alert: usize, subject: Subject, at: At, area: Rect) -> TimelineState {
        let base = filter::positions(&cx.store, subject);
        let marks = filter::marks(&cx.store, &base, cx.alerts.get(alert));
        let view: Vec<u32> = (0..base.len() as u32).collect();
        let days = filter::day_counts(&cx.store, &base, &view);
        let mut t = TimelineState {
            alert,
            subject,
            cursor: Cursor::new(view.len()),
            base,
            marks,
            view,
            filters: Filters::default(),
            search: LineInput::default(),
            days,
            focus: Focus::List,
            raw: Scroll::default(),
            raw_width: 40,
            chooser: None,
        };
        t.resize(area);
        t.go_to(cx, at);
        t
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
        twin(key).or_else(|| lookup(KEYS, key)).or_else(|| lookup(NAV_KEYS, key).map(Action::Nav))
    }

    /// The store position of the selected event.
    pub fn selected_event(&self) -> Option<u32> {
        let k = *self.view.get(self.cursor.current()?)?;
        self.base.get(k as usize).copied()
    }

    fn time_at(&self, cx: &Ctx, i: usize) -> i64 {
        self.view.get(i).and_then(|&k| cx.event(self.base[k as usize])).map_or(0, |e| e.time)
    }

    /// Moves the cursor to an event (or the nearest shown one) or an instant.
    pub fn go_to(&mut self, cx: &Ctx, at: At) {
        let i = match at {
            At::Event(e) => {
                let k = self.base.partition_point(|&p| p < e) as u32;
                self.view.partition_point(|&v| v < k)
            }
            At::Time(t) => self.view.partition_point(|&k| cx.event(self.base[k as usize]).is_some_and(|e| e.time < t)),
        };
        self.cursor.select(i);
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
            Action::NextMark | Action::PrevMark => self.jump_mark(action == Action::NextMark),
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
        }
        if self.cursor.sel != before {
            self.raw.top = 0;
        }
        None
    }

    /// Re-applies filters, narrowing the current result when the new filters only narrow it.
    fn refilter(&mut self, cx: &Ctx, f: Filters) {
        let keep = self.selected_event();
        let from = f.narrows(&self.filters).then_some(self.view.as_slice());
        self.view = if f.any() {
            filter::apply(&cx.store, &self.base, &self.marks, &f, from)
        } else {
            (0..self.base.len() as u32).collect()
        };
        self.filters = f;
        self.days = filter::day_counts(&cx.store, &self.base, &self.view);
        self.cursor.set_len(self.view.len());
        if let Some(e) = keep {
            self.go_to(cx, At::Event(e));
        }
    }

    fn prev_day(&mut self, cx: &Ctx) {
        let day = start_of_day(self.time_at(cx, self.cursor.sel));
        let first_of_day =
            self.view.partition_point(|&k| cx.event(self.base[k as usize]).is_some_and(|e| e.time < day));
        if first_of_day == 0 {
            self.cursor.select(0);
            return;
        }
        let prev = start_of_day(self.time_at(cx, first_of_day - 1));
        self.go_to(cx, At::Time(prev));
    }

    fn jump_mark(&mut self, forward: bool) {
        let marked = |i: &usize| self.view.get(*i).is_some_and(|&k| self.marks[k as usize] != 0);
        let found = if forward {
            (self.cursor.sel + 1..self.view.len()).find(marked)
        } else {
            (0..self.cursor.sel).rev().find(marked)
        };
        if let Some(i) = found {
            self.cursor.select(i);
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
