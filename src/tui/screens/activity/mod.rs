//! Activity vs engagement over 30 days: for the alert's principal (its operations, resources or
//! source IPs, cycled with `i`) or for the organisation (active principals, `o`), a bar per day
//! of events with new ids marked, the 1-day / 7-day engagement ratio, a table of the days and the
//! selected day's new values. Enter opens the principal's timeline at the selected day.
//!
//! Owns the view's state, keymap and update; the day rows come from
//! [`crate::activity::views`] for a range computed from `now` (as atuin takes `now` as an
//! argument), so drawing never depends on the wall clock. They are computed by a [`Task`] off the
//! keystroke (a busy principal's 30 days can hold millions of events) and kept per id kind, so
//! cycling back costs nothing. Drawing is in [`view`]. No IO here.

mod chart;
pub mod view;

use crate::activity::views::{DayRow, IdKind, default_range, org_days, principal_days};
use crate::model::Sym;
use crate::time::{DAY_US, start_of_day};
use crate::tui::context::Ctx;
use crate::tui::effect::{At, Effect, Open, Subject};
use crate::tui::keymap::{Binding, Key, NAV_KEYS, Nav, bind, bind_quiet, lookup};
use crate::tui::nav::Cursor;
use crate::tui::work::{Task, finished};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// What the activity view can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Move the selected day.
    Nav(Nav),
    /// Count the next kind of id (operation → resource → source IP).
    CycleId,
    /// Switch between the principal and the organisation.
    ToggleOrg,
    /// Open the timeline at the selected day.
    OpenDay,
}

/// The activity view's keys.
pub const KEYS: &[Binding<Action>] = &[
    bind(
        &[Key::Code(KeyCode::Enter)],
        Action::OpenDay,
        "open the principal's timeline at the selected day",
        "timeline",
    ),
    bind(&[Key::Char('i')], Action::CycleId, "count operations / resources / source IPs", "id"),
    bind(&[Key::Char('o')], Action::ToggleOrg, "the principal / the whole organisation", "org"),
    bind_quiet(&[Key::Char('h'), Key::Code(KeyCode::Left)], Action::Nav(Nav::Up), "previous day"),
    bind_quiet(&[Key::Char('l'), Key::Code(KeyCode::Right)], Action::Nav(Nav::Down), "next day"),
];

/// The activity view's state.
#[derive(Debug)]
pub struct ActivityState {
    /// The alert.
    pub alert: usize,
    /// The alert's principal.
    pub principal: Option<Sym>,
    /// What counts as an id for the principal.
    pub id: IdKind,
    /// Showing the organisation instead of the principal.
    pub org: bool,
    /// First and last day of the range (00:00 UTC).
    pub range: (i64, i64),
    /// One row per day of the range.
    pub rows: Vec<DayRow>,
    /// The selected day.
    pub cursor: Cursor,
    /// The alert's day.
    pub alert_day: i64,
    /// Day rows computed so far, by (organisation, id): cycling back costs nothing.
    cache: Vec<(RowsKey, Vec<DayRow>)>,
    /// The rows under way, with the key they are for.
    pub counting: Option<Task<(RowsKey, Vec<DayRow>)>>,
    /// The day to select when the rows land.
    want_day: i64,
    /// Whether the first rows were placed (the table scrolls to the alert's day once).
    placed: bool,
}

/// Which rows: the organisation's or the principal's, and what counts as an id.
type RowsKey = (bool, IdKind);

/// The 30-day range to show: the one ending on `now`'s day, or the one ending on the alert's day
/// when the alert falls outside it.
pub fn range_for(now: i64, alert_time: i64) -> (i64, i64) {
    let r = default_range(now);
    if alert_time < r.0 || alert_time >= r.1 + DAY_US { default_range(alert_time) } else { r }
}

impl ActivityState {
    /// The view for an alert, opened on the alert's day.
    pub fn new(cx: &Ctx, alert: usize, area: Rect) -> ActivityState {
        let alert_time = cx.alerts.get(alert).map_or(cx.now, |a| a.time);
        let mut s = ActivityState {
            alert,
            principal: cx.alert_principal(alert),
            id: IdKind::Operation,
            org: false,
            range: range_for(cx.now, alert_time),
            rows: Vec::new(),
            cursor: Cursor::new(0),
            alert_day: start_of_day(alert_time),
            cache: Vec::new(),
            counting: None,
            want_day: start_of_day(alert_time),
            placed: false,
        };
        s.resize(area);
        s.recompute(cx);
        s
    }

    /// Takes the rows once counted; true when something changed.
    pub fn poll(&mut self) -> bool {
        let Some((key, rows)) = finished(&mut self.counting) else {
            return false;
        };
        self.cache.push((key, rows.clone()));
        self.show(rows);
        true
    }

    /// Whether rows are being counted.
    pub fn busy(&self) -> bool {
        self.counting.is_some()
    }

    fn show(&mut self, rows: Vec<DayRow>) {
        self.rows = rows;
        self.cursor.set_len(self.rows.len());
        let day = self.rows.iter().position(|r| r.day == self.want_day).unwrap_or(0);
        if !self.placed && !self.rows.is_empty() {
            // The alert's day at the top where it fits, so the days after it show too.
            self.cursor.offset = day;
            self.placed = true;
        }
        self.cursor.select(day);
    }

    /// The action of a key.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        lookup(KEYS, key).or_else(|| lookup(NAV_KEYS, key).map(Action::Nav))
    }

    /// The selected day's row.
    pub fn selected(&self) -> Option<&DayRow> {
        self.rows.get(self.cursor.current()?)
    }

    /// Shows the rows of the current key: from the cache, or counted by a task (which replaces
    /// one under way: that one's result is dropped, and it stops if it has not started). The
    /// selected day stays selected.
    fn recompute(&mut self, cx: &Ctx) {
        if let Some(r) = self.selected() {
            self.want_day = r.day;
        }
        let (start, end) = self.range;
        let key = (self.org, if self.org { IdKind::Principal } else { self.id });
        if let Some((_, rows)) = self.cache.iter().find(|(k, _)| *k == key) {
            self.counting = None;
            let rows = rows.clone();
            self.show(rows);
            return;
        }
        self.rows = Vec::new();
        self.cursor.set_len(0);
        let (store, org, principal, id) = (cx.store.clone(), self.org, self.principal, self.id);
        let task = Task::spawn(&cx.bell, move |_| {
            let rows = match (org, principal) {
                (true, _) => org_days(&store, start, end),
                (false, Some(p)) => principal_days(&store, p, id, start, end),
                (false, None) => Vec::new(),
            };
            Some((key, rows))
        });
        self.counting = Some(task);
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action, cx: &mut Ctx) -> Option<Effect> {
        match action {
            Action::Nav(n) => self.cursor.nav(n),
            Action::CycleId => {
                let cycle = IdKind::PRINCIPAL_CYCLE;
                let i = cycle.iter().position(|k| *k == self.id).unwrap_or(0);
                self.id = cycle[(i + 1) % cycle.len()];
                self.org = false;
                self.recompute(cx);
            }
            Action::ToggleOrg => {
                self.org = !self.org;
                self.recompute(cx);
            }
            Action::OpenDay => {
                // While rows are counted, the day that was selected (or the alert's).
                let day = self.selected().map_or(self.want_day, |r| r.day);
                let Some(p) = self.principal else {
                    return Some(Effect::Notify("the alert's principal has no events in the loaded logs".into()));
                };
                let subject = Subject::Principal(p);
                return Some(Effect::Open(Open::Timeline { alert: self.alert, subject, at: At::Time(day) }));
            }
        }
        None
    }

    /// Fits the day table to `area`.
    pub fn resize(&mut self, area: Rect) {
        let l = view::layout(area);
        self.cursor.set_height(usize::from(l.table.height.saturating_sub(3)));
    }
}

#[cfg(test)]
mod tests;
