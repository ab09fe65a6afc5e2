//! The alert queue: every alert in a table, sorted and filtered, with a search and the
//! analyst's status per alert.
//!
//! Owns the queue's state (visible rows, cursor, sort, filters, search), its keymap and its
//! update; the table is drawn by [`view`]. A status change lands in the case (through
//! [`Ctx::cases`]) and asks the loop to save it; opening the detail, timeline, activity,
//! checklist or export picker is returned as an effect. No IO here.

pub mod view;

use crate::case::Status;
use crate::detect::Severity;
use crate::tui::context::Ctx;
use crate::tui::effect::{At, Effect, Open, Subject};
use crate::tui::keymap::{Binding, Edit, Key, NAV_KEYS, Nav, bind, bind_quiet, edit_action, lookup};
use crate::tui::nav::{Cursor, EditOutcome, LineInput};
use crate::tui::search::Query;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// How the queue is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Most severe first, then newest.
    Severity,
    /// Newest first.
    Time,
}

/// What the queue lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// One row per incident (its most prominent alert stands for it).
    Incidents,
    /// Every alert.
    Alerts,
    /// The alerts of one incident (index into [`Ctx::incidents`]), earliest first: its story.
    Incident(usize),
}

/// What the queue can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Move the selection.
    Nav(Nav),
    /// Open the selected alert's detail.
    OpenDetail,
    /// Open the principal timeline at the trigger.
    OpenTimeline,
    /// Open the activity-vs-engagement view.
    OpenActivity,
    /// Open the playbook checklist.
    OpenChecklist,
    /// Export the alert's report (format picker).
    Export,
    /// Toggle sorting by severity or time.
    ToggleSort,
    /// Raise the minimum severity shown (wraps to low).
    CycleSeverity,
    /// Show one detector, the next one, … then all.
    CycleDetector,
    /// Show one status, the next one, … then all.
    CycleStatusFilter,
    /// Start typing a search.
    StartSearch,
    /// Clear the search.
    ClearSearch,
    /// Edit the search text.
    Edit(Edit),
    /// Set the selected alert's status.
    SetStatus(Status),
    /// Put back the status the last change replaced.
    UndoStatus,
    /// Show or hide the list of skipped records.
    ToggleSkips,
    /// Switch between the incident list and every alert.
    ToggleGrouping,
    /// Back from one incident's alerts to the incident list.
    CloseIncident,
    /// Start typing the reason to suppress the selected alert's kind.
    StartSuppress,
    /// Edit the suppression reason.
    EditReason(Edit),
    /// Show the selected row (alert or incident) in full, or close it.
    Expand,
    /// Start typing a note for the selected row's case (an incident row: every alert's).
    StartNote,
    /// Edit the note.
    EditNote(Edit),
}

/// The queue's keys.
pub const KEYS: &[Binding<Action>] = &[
    bind(&[Key::Code(KeyCode::Enter)], Action::OpenDetail, "open the alert's detail", "detail"),
    bind(&[Key::Char('t')], Action::OpenTimeline, "principal timeline at the trigger", "timeline"),
    bind(&[Key::Char('a')], Action::OpenActivity, "activity vs engagement, 30 days", "activity"),
    bind(&[Key::Char('c')], Action::OpenChecklist, "playbook checklist", "checklist"),
    bind(&[Key::Char('e')], Action::Export, "export the report (of the incident on an incident row)", "export"),
    bind(&[Key::Char('/')], Action::StartSearch, "search (substring, smart case; ~ first: fuzzy)", "search"),
    bind_quiet(&[Key::Char('s')], Action::ToggleSort, "sort by severity / time"),
    bind_quiet(&[Key::Char('f')], Action::CycleSeverity, "cycle the minimum severity"),
    bind_quiet(&[Key::Char('d')], Action::CycleDetector, "cycle the detector filter"),
    bind_quiet(&[Key::Char('S')], Action::CycleStatusFilter, "cycle the status filter"),
    bind(&[Key::Char('1')], Action::SetStatus(Status::New), "mark new", "1-4 status"),
    bind_quiet(&[Key::Char('2')], Action::SetStatus(Status::Investigating), "mark investigating"),
    bind_quiet(&[Key::Char('3')], Action::SetStatus(Status::Resolved), "mark resolved"),
    bind_quiet(&[Key::Char('4')], Action::SetStatus(Status::FalsePositive), "mark false positive"),
    bind(&[Key::Char('u')], Action::UndoStatus, "undo the last status change or suppression", "undo"),
    bind_quiet(&[Key::Char('w')], Action::ToggleSkips, "show / hide the skipped records"),
    bind(&[Key::Char('i')], Action::ToggleGrouping, "incidents / every alert", "incidents"),
    bind(&[Key::Char('x')], Action::StartSuppress, "suppress alerts like this one (asks why)", "suppress"),
    bind_quiet(&[Key::Char('N')], Action::StartNote, "note on the case (on an incident row: every alert's)"),
    bind_quiet(&[Key::Char(' ')], Action::Expand, "the selected row in full (Space or Esc closes)"),
];

/// The queue's state.
#[derive(Debug)]
pub struct QueueState {
    /// Alert indices shown, in order.
    pub rows: Vec<usize>,
    /// Selection over `rows`.
    pub cursor: Cursor,
    /// Ordering.
    pub sort: Sort,
    /// Alerts below this are hidden.
    pub min_severity: Severity,
    /// Only this detector, if set.
    pub detector: Option<&'static str>,
    /// Only this status, if set.
    pub status: Option<Status>,
    /// The search input.
    pub search: LineInput,
    /// The list of skipped records is open.
    pub show_skips: bool,
    /// Incidents, every alert, or one incident's alerts.
    pub grouping: Grouping,
    /// The reason typed for a suppression (`x`).
    pub reason: LineInput,
    /// The selected row is shown in full.
    pub expanded: bool,
    /// The note typed for the selected row's case (`N`).
    pub note: LineInput,
}

impl QueueState {
    /// The queue over every alert, most severe first.
    pub fn new(cx: &Ctx) -> QueueState {
        let mut q = QueueState {
            rows: Vec::new(),
            cursor: Cursor::new(0),
            sort: Sort::Severity,
            min_severity: Severity::Low,
            detector: None,
            status: None,
            search: LineInput::default(),
            show_skips: false,
            grouping: Grouping::Incidents,
            reason: LineInput::default(),
            expanded: false,
            note: LineInput::default(),
        };
        q.refresh(cx);
        q
    }

    /// The action of a key (the search input takes every key while it has focus).
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        if self.search.editing {
            return edit_action(key).map(Action::Edit);
        }
        if self.reason.editing {
            return edit_action(key).map(Action::EditReason);
        }
        if self.note.editing {
            return edit_action(key).map(Action::EditNote);
        }
        if key.code == KeyCode::Esc && self.expanded {
            return Some(Action::Expand);
        }
        if key.code == KeyCode::Esc && self.show_skips {
            return Some(Action::ToggleSkips);
        }
        if key.code == KeyCode::Esc && !self.search.text.is_empty() {
            return Some(Action::ClearSearch);
        }
        if key.code == KeyCode::Esc && matches!(self.grouping, Grouping::Incident(_)) {
            return Some(Action::CloseIncident);
        }
        lookup(KEYS, key).or_else(|| lookup(NAV_KEYS, key).map(Action::Nav))
    }

    /// The selected alert.
    pub fn selected(&self) -> Option<usize> {
        self.cursor.current().and_then(|i| self.rows.get(i).copied())
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action, cx: &mut Ctx) -> Option<Effect> {
        let sel = self.selected();
        let open = |o: fn(usize) -> Open| sel.map(|a| Effect::Open(o(a)));
        match action {
            Action::Nav(n) => self.cursor.nav(n),
            Action::OpenDetail => {
                // An incident of several alerts opens as its alerts, in the order they happened.
                if let (Grouping::Incidents, Some(a)) = (self.grouping, sel) {
                    let k = cx.incident_of[a];
                    if cx.incidents[k].alerts.len() > 1 {
                        self.grouping = Grouping::Incident(k);
                        self.refresh(cx);
                        self.cursor.select(0);
                        return None;
                    }
                }
                return open(|alert| Open::Detail { alert });
            }
            Action::StartSuppress => {
                if sel.is_some() {
                    self.reason = LineInput::default();
                    self.reason.start();
                }
            }
            Action::EditReason(e) => match self.reason.edit(e) {
                EditOutcome::Submitted => {
                    let reason = std::mem::take(&mut self.reason.text).trim().to_string();
                    if reason.is_empty() {
                        return Some(Effect::Notify("not suppressed: a suppression needs a reason".into()));
                    }
                    return sel.map(|alert| Effect::Suppress { alert, reason });
                }
                EditOutcome::Cancelled => self.reason = LineInput::default(),
                _ => {}
            },
            Action::ToggleGrouping => {
                self.grouping = match self.grouping {
                    Grouping::Alerts => Grouping::Incidents,
                    _ => Grouping::Alerts,
                };
                self.refresh(cx);
            }
            Action::CloseIncident => {
                let back_to = sel;
                self.grouping = Grouping::Incidents;
                self.refresh(cx);
                if let Some(pos) =
                    back_to.and_then(|a| self.rows.iter().position(|&r| cx.incident_of[r] == cx.incident_of[a]))
                {
                    self.cursor.select(pos);
                }
            }
            Action::OpenActivity => return open(|alert| Open::Activity { alert }),
            Action::OpenChecklist => return open(|alert| Open::Checklist { alert }),
            Action::Export => {
                // On the incident list, a row of several alerts exports the incident's report.
                let incident = self.grouping == Grouping::Incidents
                    && sel.is_some_and(|a| cx.incidents[cx.incident_of[a]].alerts.len() > 1);
                return sel.map(|alert| Effect::Open(Open::Export { alert, incident }));
            }
            Action::OpenTimeline => return sel.and_then(|a| timeline_at_trigger(cx, a)),
            Action::ToggleSort => {
                self.sort = if self.sort == Sort::Severity { Sort::Time } else { Sort::Severity };
                self.refresh(cx);
            }
            Action::CycleSeverity => {
                let i = Severity::ALL.iter().position(|s| *s == self.min_severity).unwrap_or(0);
                self.min_severity = Severity::ALL[(i + 1) % Severity::ALL.len()];
                self.refresh(cx);
            }
            Action::CycleDetector => {
                let present = detectors_present(cx);
                self.detector = match self.detector.and_then(|d| present.iter().position(|p| *p == d)) {
                    None => present.first().copied(),
                    Some(i) => present.get(i + 1).copied(),
                };
                self.refresh(cx);
            }
            Action::CycleStatusFilter => {
                self.status = match self.status.and_then(|s| Status::ALL.iter().position(|x| *x == s)) {
                    None => Some(Status::ALL[0]),
                    Some(i) => Status::ALL.get(i + 1).copied(),
                };
                self.refresh(cx);
            }
            Action::StartSearch => self.search.start(),
            Action::ClearSearch => {
                self.search = LineInput::default();
                self.refresh(cx);
            }
            Action::Edit(e) => {
                let outcome = self.search.edit(e);
                if outcome == EditOutcome::Cancelled {
                    self.search.text.clear();
                }
                if matches!(outcome, EditOutcome::Changed | EditOutcome::Cancelled) {
                    self.refresh(cx);
                    self.cursor.select(0);
                }
            }
            Action::SetStatus(s) => {
                let a = sel?;
                // On the incident list a status is the incident's: every one of its alerts.
                if self.grouping == Grouping::Incidents {
                    let members = self.row_alerts(cx)?;
                    return cx
                        .cases
                        .set_status_many(&cx.alerts, &members, s)
                        .map(|alerts| Effect::SaveCases { alerts });
                }
                return set_status(cx, a, s);
            }
            Action::UndoStatus => return undo(cx),
            Action::ToggleSkips => self.show_skips = !self.show_skips && !cx.report.skips.is_empty(),
            Action::Expand => self.expanded = !self.expanded && sel.is_some(),
            Action::StartNote => {
                if sel.is_some() {
                    self.note = LineInput::default();
                    self.note.start();
                }
            }
            Action::EditNote(e) => match self.note.edit(e) {
                EditOutcome::Submitted => {
                    let text = std::mem::take(&mut self.note.text).trim().to_string();
                    if text.is_empty() {
                        return Some(Effect::Notify("no note added: it was empty".into()));
                    }
                    let which = self.row_alerts(cx)?;
                    let alerts = cx.cases.add_note_many(&cx.alerts, &which, &text);
                    return Some(Effect::SaveCases { alerts });
                }
                EditOutcome::Cancelled => self.note = LineInput::default(),
                _ => {}
            },
        }
        None
    }

    /// The alerts the selected row stands for: on the incident list, every alert of its
    /// incident; elsewhere, the alert.
    pub fn row_alerts(&self, cx: &Ctx) -> Option<Vec<usize>> {
        let a = self.selected()?;
        Some(match self.grouping {
            Grouping::Incidents => cx.incidents[cx.incident_of[a]].alerts.clone(),
            _ => vec![a],
        })
    }

    /// Recomputes the visible rows, keeping the selected alert selected when it is still shown.
    pub fn refresh(&mut self, cx: &Ctx) {
        let keep = self.selected();
        let query = Query::new(&self.search.text);
        let mut rows: Vec<(usize, i64)> = cx
            .alerts
            .iter()
            .enumerate()
            .filter(|(i, _)| !cx.hidden.get(*i).copied().unwrap_or(false))
            .filter(|(_, a)| a.severity >= self.min_severity)
            .filter(|(_, a)| self.detector.is_none_or(|d| a.detector == d))
            .filter(|(i, _)| self.status.is_none_or(|s| cx.cases.status(*i) == s))
            .filter_map(|(i, a)| match &query {
                None => Some((i, 0)),
                Some(q) => q.score_fields(&search_fields(cx, a)).map(|s| (i, s)),
            })
            .collect();
        let alerts = &cx.alerts;
        // A search ranks by match quality first (as fzf does), then by the chosen order.
        match self.sort {
            Sort::Severity => rows.sort_by(|(a, sa), (b, sb)| {
                sb.cmp(sa)
                    .then(alerts[*b].severity.cmp(&alerts[*a].severity))
                    .then(alerts[*b].time.cmp(&alerts[*a].time))
                    .then(a.cmp(b))
            }),
            Sort::Time => {
                rows.sort_by(|(a, sa), (b, sb)| sb.cmp(sa).then(alerts[*b].time.cmp(&alerts[*a].time)).then(a.cmp(b)))
            }
        }
        self.rows = match self.grouping {
            Grouping::Alerts => rows.into_iter().map(|(i, _)| i).collect(),
            Grouping::Incident(k) => {
                let mut story: Vec<usize> =
                    rows.into_iter().map(|(i, _)| i).filter(|&i| cx.incident_of[i] == k).collect();
                story.sort_by_key(|&i| (alerts[i].time, i));
                story
            }
            // The first row of each incident in the chosen order stands for it.
            Grouping::Incidents => {
                let mut seen = vec![false; cx.incidents.len()];
                rows.into_iter()
                    .map(|(i, _)| i)
                    .filter(|&i| !std::mem::replace(&mut seen[cx.incident_of[i]], true))
                    .collect()
            }
        };
        self.cursor.set_len(self.rows.len());
        if let Some(pos) = keep.and_then(|k| self.rows.iter().position(|r| *r == k)) {
            self.cursor.select(pos);
        }
    }

    /// Fits the cursor to the table's height in `area`.
    pub fn resize(&mut self, area: Rect, cx: &Ctx) {
        self.cursor.set_height(view::table_rows(area, self, cx));
    }
}

/// What the queue's search looks in: who, what the alert says, and the trigger event's
/// operation, resource, target and source address.
fn search_fields<'a>(cx: &'a Ctx, a: &'a crate::detect::Alert) -> Vec<std::borrow::Cow<'a, str>> {
    let mut fields: Vec<std::borrow::Cow<'a, str>> =
        vec![a.principal.as_str().into(), a.title.as_str().into(), a.key_text().into(), a.summary.as_str().into()];
    if let Some(e) = cx.event(a.trigger()) {
        fields.extend([e.operation, e.resource, e.target, e.source_ip, e.service].map(|s| cx.s(s).into()));
    }
    fields
}

/// The detectors that raised at least one alert, in the contract's order.
fn detectors_present(cx: &Ctx) -> Vec<&'static str> {
    crate::detect::DETECTORS.iter().copied().filter(|d| cx.alerts.iter().any(|a| a.detector == *d)).collect()
}

/// Sets an alert's status and asks for the case to be saved.
pub fn set_status(cx: &mut Ctx, alert: usize, status: Status) -> Option<Effect> {
    cx.cases.set_status(&cx.alerts, alert, status).then_some(Effect::SaveCase { alert })
}

/// Undoes the last change: a suppression made just before (removed from the case folder by the
/// loop, its alerts back in the queue), else the last status change.
pub fn undo(cx: &mut Ctx) -> Option<Effect> {
    if let Some((id, alerts)) = cx.cases.take_suppression() {
        return Some(Effect::Unsuppress { id, alerts });
    }
    cx.cases.undo_status(&cx.alerts).map(|alerts| Effect::SaveCases { alerts })
}

/// Opens the alert's principal timeline at its trigger event.
pub fn timeline_at_trigger(cx: &Ctx, alert: usize) -> Option<Effect> {
    let Some(p) = cx.alert_principal(alert) else {
        return Some(Effect::Notify("the alert's principal has no events in the loaded logs".into()));
    };
    let at = At::Event(cx.alerts.get(alert)?.trigger());
    Some(Effect::Open(Open::Timeline { alert, subject: Subject::Principal(p), at }))
}

#[cfg(test)]
mod tests;
