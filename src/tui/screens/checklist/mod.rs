//! The checklist: the detector's playbook steps (investigate, then resolve) as `[ ]` / `[x]`
//! items with the evidence the logs give for each (`playbook::answer`), a note per step, and
//! progress such as `3/9`.
//!
//! The steps show at once; their answers come from a [`Task`] off the keystroke (a busy
//! principal's answers read millions of events), and until then each step says it is reading
//! the logs. Ticks and notes work meanwhile.
//!
//! Owns the checklist's state, keymap and update. Ticks and notes change the alert's case in
//! [`Ctx::cases`] and return `Effect::SaveCase`, so every change is saved at once by the loop
//! (a failed save is a status-bar error). Enter jumps to the step's evidence in the timeline.
//! Drawing is in [`view`]. No IO here.

pub mod view;

use crate::playbook::{self, StepAnswer};
use crate::tui::context::Ctx;
use crate::tui::effect::{At, Effect, Open, Subject};
use crate::tui::keymap::{Binding, Edit, Key, NAV_KEYS, Nav, bind, edit_action, lookup};
use crate::tui::nav::{Cursor, EditOutcome, LineInput};
use crate::tui::screens::alerts::timeline_at_trigger;
use crate::tui::work::{Task, finished};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// What the checklist can be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Move the selection.
    Nav(Nav),
    /// Tick or untick the selected step.
    ToggleItem,
    /// Write a note on the selected step.
    StartNote,
    /// Edit the note.
    Edit(Edit),
    /// Write a free note on the case (not tied to a step).
    StartCaseNote,
    /// Edit the free note.
    EditCaseNote(Edit),
    /// Open the timeline at the step's evidence.
    JumpToEvidence,
    /// Export the report.
    Export,
}

/// The checklist's keys.
pub const KEYS: &[Binding<Action>] = &[
    bind(&[Key::Char(' ')], Action::ToggleItem, "tick / untick the step (saved at once)", "tick"),
    bind(&[Key::Char('n')], Action::StartNote, "write a note on the step (Enter saves)", "note"),
    bind(&[Key::Char('N')], Action::StartCaseNote, "add a free note to the case (Enter saves)", "case note"),
    bind(&[Key::Code(KeyCode::Enter)], Action::JumpToEvidence, "open the timeline at the step's evidence", "evidence"),
    bind(&[Key::Char('e')], Action::Export, "export the report (md/json/html)", "export"),
];

/// Which part of the playbook a step is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Investigation.
    Investigate,
    /// Resolution.
    Resolve,
}

/// One step as the checklist shows it.
#[derive(Clone, Debug)]
pub struct Item {
    /// Investigate or resolve.
    pub phase: Phase,
    /// Stable step id.
    pub id: String,
    /// What to do.
    pub text: String,
    /// The pivot, if any.
    pub pivot: Option<String>,
    /// What the logs say.
    pub answer: StepAnswer,
}

/// The checklist's state.
#[derive(Debug)]
pub struct ChecklistState {
    /// The alert.
    pub alert: usize,
    /// The steps, investigation first.
    pub items: Vec<Item>,
    /// Selection over `items`.
    pub cursor: Cursor,
    /// The note input (of the selected step) while editing.
    pub note: LineInput,
    /// The free case-note input while editing.
    pub case_note: LineInput,
    /// Why there are no steps, if the playbook could not be had.
    pub problem: Option<String>,
    /// The answers under way (one per item, in order).
    pub answering: Option<Task<Vec<StepAnswer>>>,
}

impl ChecklistState {
    /// The checklist of an alert; each step's answer from the store comes from a task
    /// ([`ChecklistState::poll`] takes them).
    pub fn new(cx: &Ctx, alert: usize, area: Rect) -> ChecklistState {
        let mut items = Vec::new();
        let mut problem = None;
        let mut answering = None;
        match (cx.alerts.get(alert), cx.alerts.get(alert).map(|a| cx.cases.playbook(a.detector))) {
            (Some(a), Some(Ok(pb))) => {
                let steps: Vec<_> = pb
                    .investigate
                    .iter()
                    .map(|s| (Phase::Investigate, s))
                    .chain(pb.resolve.iter().map(|s| (Phase::Resolve, s)))
                    .collect();
                for (phase, s) in &steps {
                    items.push(Item {
                        phase: *phase,
                        id: s.id.clone(),
                        text: s.text.clone(),
                        pivot: s.pivot.clone(),
                        answer: StepAnswer::default(),
                    });
                }
                let steps: Vec<playbook::Step> = steps.into_iter().map(|(_, s)| s.clone()).collect();
                let (a, store) = (a.clone(), cx.store.clone());
                answering = Some(Task::spawn(&cx.bell, move |w| {
                    w.set_total(steps.len());
                    let mut out = Vec::with_capacity(steps.len());
                    for s in &steps {
                        out.push(playbook::answer(s, &a, &store));
                        if !w.step(1) {
                            return None;
                        }
                    }
                    Some(out)
                }));
            }
            (_, Some(Err(e))) => problem = Some(e.to_string()),
            _ => problem = Some("no such alert".into()),
        }
        let mut c = ChecklistState {
            alert,
            cursor: Cursor::new(items.len()),
            items,
            note: LineInput::default(),
            case_note: LineInput::default(),
            problem,
            answering,
        };
        c.resize(area);
        c
    }

    /// Takes the answers once read; true when something changed.
    pub fn poll(&mut self) -> bool {
        let Some(answers) = finished(&mut self.answering) else {
            return false;
        };
        for (item, answer) in self.items.iter_mut().zip(answers) {
            item.answer = answer;
        }
        true
    }

    /// Whether the answers are being read.
    pub fn busy(&self) -> bool {
        self.answering.is_some()
    }

    /// The action of a key (the note input takes every key while it has focus).
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        if self.note.editing {
            return edit_action(key).map(Action::Edit);
        }
        if self.case_note.editing {
            return edit_action(key).map(Action::EditCaseNote);
        }
        lookup(KEYS, key).or_else(|| lookup(NAV_KEYS, key).map(Action::Nav))
    }

    /// The selected step.
    pub fn selected(&self) -> Option<&Item> {
        self.items.get(self.cursor.current()?)
    }

    /// Steps ticked and steps in total.
    pub fn progress(&self, cx: &Ctx) -> (usize, usize) {
        let case = cx.cases.case(self.alert);
        let done = self.items.iter().filter(|i| case.is_some_and(|c| c.is_done(&i.id))).count();
        (done, self.items.len())
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action, cx: &mut Ctx) -> Option<Effect> {
        let alert = self.alert;
        match action {
            Action::Nav(n) => self.cursor.nav(n),
            Action::ToggleItem => {
                let id = self.selected()?.id.clone();
                cx.cases.toggle_step(&cx.alerts, alert, &id);
                return Some(Effect::SaveCase { alert });
            }
            Action::StartNote => {
                let id = self.selected()?.id.clone();
                let current = cx.cases.case(alert).and_then(|c| c.step(&id)).map(|s| s.note.clone());
                self.note = LineInput { text: current.unwrap_or_default(), editing: true };
            }
            Action::Edit(e) => match self.note.edit(e) {
                EditOutcome::Submitted => {
                    let id = self.selected()?.id.clone();
                    let text = std::mem::take(&mut self.note.text);
                    cx.cases.set_note(&cx.alerts, alert, &id, &text);
                    return Some(Effect::SaveCase { alert });
                }
                EditOutcome::Cancelled => self.note = LineInput::default(),
                EditOutcome::Changed | EditOutcome::Unchanged => {}
            },
            Action::StartCaseNote => self.case_note = LineInput { text: String::new(), editing: true },
            Action::EditCaseNote(e) => match self.case_note.edit(e) {
                EditOutcome::Submitted => {
                    let text = std::mem::take(&mut self.case_note.text);
                    self.case_note = LineInput::default();
                    if !text.trim().is_empty() {
                        cx.cases.add_note(&cx.alerts, alert, &text);
                        return Some(Effect::SaveCase { alert });
                    }
                }
                EditOutcome::Cancelled => self.case_note = LineInput::default(),
                EditOutcome::Changed | EditOutcome::Unchanged => {}
            },
            Action::JumpToEvidence => return self.jump(cx),
            Action::Export => return Some(Effect::Open(Open::Export { alert, incident: false })),
        }
        None
    }

    /// Keeps a note still being typed (the process is stopping): a step note replaces the step's
    /// note, a case note is added, as if Enter had been pressed. Returns the save to perform.
    pub fn commit_drafts(&mut self, cx: &mut Ctx) -> Option<Effect> {
        let alert = self.alert;
        let mut changed = false;
        if self.note.editing
            && let Some(id) = self.selected().map(|i| i.id.clone())
        {
            let text = std::mem::take(&mut self.note.text);
            let old = cx.cases.case(alert).and_then(|c| c.step(&id)).map(|s| s.note.clone()).unwrap_or_default();
            if text != old {
                cx.cases.set_note(&cx.alerts, alert, &id, &text);
                changed = true;
            }
            self.note = LineInput::default();
        }
        if self.case_note.editing {
            let text = std::mem::take(&mut self.case_note.text);
            self.case_note = LineInput::default();
            if !text.trim().is_empty() {
                cx.cases.add_note(&cx.alerts, alert, &text);
                changed = true;
            }
        }
        changed.then_some(Effect::SaveCase { alert })
    }

    fn jump(&self, cx: &Ctx) -> Option<Effect> {
        let item = self.selected()?;
        if let Some(t) = &self.answering {
            return Some(Effect::Notify(format!("still reading the logs for the steps ({})", t.status())));
        }
        if let Some(&first) = item.answer.events.first() {
            let e = cx.event(first)?;
            let subject = Subject::Principal(cx.alert_principal(self.alert).unwrap_or(e.principal));
            let subject = if cx.store.principal_events(subject.sym()).binary_search(&first).is_ok() {
                subject
            } else {
                Subject::Principal(e.principal)
            };
            return Some(Effect::Open(Open::Timeline { alert: self.alert, subject, at: At::Event(first) }));
        }
        match item.pivot.as_deref() {
            Some("activity") => Some(Effect::Open(Open::Activity { alert: self.alert })),
            Some("timeline") | Some("baseline") => timeline_at_trigger(cx, self.alert),
            _ => Some(Effect::Notify("the logs hold no events for this step".into())),
        }
    }

    /// Fits the list to `area`.
    pub fn resize(&mut self, area: Rect) {
        let l = view::layout(area);
        self.cursor.set_height(usize::from(l.list.height.saturating_sub(2)) / 2);
    }
}

#[cfg(test)]
mod tests;
