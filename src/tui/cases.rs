//! The analyst's cases as the TUI holds them: one optional [`Case`] per alert, the playbook of
//! each detector, and the [`CaseStore`] folder they are saved to.
//!
//! Changes (status, ticks, notes) are made in memory by the screens' updates; saving is a
//! separate call the event loop makes when an update returns `Effect::SaveCase`, so a failed
//! save becomes a status-bar message and the in-memory state stays as the analyst left it.
//! Opening the folder and reading existing cases happens once, in [`Cases::open`].

use crate::case::{Case, CaseStore, Status};
use crate::detect::{Alert, DETECTORS};
use crate::playbook::{self, Playbook};
use std::path::{Path, PathBuf};

/// Cases, playbooks and where cases are saved.
pub struct Cases {
    store: Result<CaseStore, String>,
    cases: Vec<Option<Case>>,
    playbooks: Vec<(&'static str, Result<Playbook, String>)>,
    /// Who ticks steps.
    pub analyst: String,
    /// Problems met while opening the folder or reading cases, for the status bar.
    pub problems: Vec<String>,
    /// The last status change, to undo: each alert it changed and its status before.
    last_change: Vec<(usize, Status)>,
    /// The last change was a suppression made in this session: its id and the alerts it hid.
    last_suppression: Option<(String, Vec<usize>)>,
    /// What the last status change or undo did, for the status bar (taken once).
    note: Option<String>,
}

impl Cases {
    /// Opens the case folder (`dir`, or the platform default) and reads the cases of `alerts`;
    /// playbooks come from `playbooks` (or the user's playbook folder) where it has one.
    pub fn open(dir: Option<&Path>, playbooks: Option<&Path>, alerts: &[Alert]) -> Cases {
        let store = match dir {
            Some(d) => CaseStore::open(d),
            None => CaseStore::open_default(),
        }
        .map_err(|e| e.to_string());
        let mut cases = Cases::in_memory(alerts);
        let user = playbooks.map(Path::to_path_buf).or_else(playbook::default_user_dir);
        cases.playbooks =
            DETECTORS.iter().map(|d| (*d, playbook::load(d, user.as_deref()).map_err(|e| e.to_string()))).collect();
        match &store {
            Ok(s) => {
                let (mut found, problems) = s.load_all();
                cases.problems.extend(problems.iter().map(ToString::to_string));
                for (slot, a) in cases.cases.iter_mut().zip(alerts) {
                    *slot = found.remove(&a.id);
                }
            }
            Err(e) => cases.problems.push(format!("cases will not be saved: {e}")),
        }
        cases.store = store;
        cases
    }

    /// Cases kept in memory only (saving reports an error): for tests and benchmarks.
    pub fn in_memory(alerts: &[Alert]) -> Cases {
        let playbooks = DETECTORS.iter().map(|d| (*d, playbook::load(d, None).map_err(|e| e.to_string()))).collect();
        Cases {
            store: Err("no case folder".into()),
            cases: vec![None; alerts.len()],
            playbooks,
            analyst: CaseStore::analyst(),
            problems: Vec::new(),
            last_change: Vec::new(),
            last_suppression: None,
            note: None,
        }
    }

    /// The case folder, when it could be opened.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.store.as_ref().ok().map(|s| s.dir())
    }

    /// An alert's case, if it was ever changed or saved.
    pub fn case(&self, alert: usize) -> Option<&Case> {
        self.cases.get(alert).and_then(Option::as_ref)
    }

    fn case_mut(&mut self, alerts: &[Alert], alert: usize) -> Option<&mut Case> {
        let a = alerts.get(alert)?;
        let slot = self.cases.get_mut(alert)?;
        Some(slot.get_or_insert_with(|| Case::new(a)))
    }

    /// An alert's status (`new` without a case).
    pub fn status(&self, alert: usize) -> Status {
        self.case(alert).map_or(Status::New, |c| c.status)
    }

    /// Sets an alert's status; returns whether it changed.
    /// The change is remembered for [`Self::undo_status`] and said in [`Self::take_note`].
    pub fn set_status(&mut self, alerts: &[Alert], alert: usize, status: Status) -> bool {
        let before = self.status(alert);
        if before == status || !self.case_mut(alerts, alert).is_some_and(|c| c.set_status(status)) {
            return false;
        }
        self.last_change = vec![(alert, before)];
        self.last_suppression = None;
        self.note = Some(format!("{}: {} → {} (u undoes)", alerts[alert].title, before.label(), status.label()));
        true
    }

    /// Sets the status of several alerts (an incident's) as one change, undone as one;
    /// returns the alerts whose case changed.
    pub fn set_status_many(&mut self, alerts: &[Alert], which: &[usize], status: Status) -> Option<Vec<usize>> {
        let mut changed = Vec::new();
        for &a in which {
            let before = self.status(a);
            if before != status && self.case_mut(alerts, a).is_some_and(|c| c.set_status(status)) {
                changed.push((a, before));
            }
        }
        if changed.is_empty() {
            return None;
        }
        self.note = Some(format!("{} alert(s) of the incident → {} (u undoes)", changed.len(), status.label()));
        let saved = changed.iter().map(|(a, _)| *a).collect();
        self.last_change = changed;
        self.last_suppression = None;
        Some(saved)
    }

    /// Puts back the statuses the last change replaced; returns the alerts whose case changed.
    pub fn undo_status(&mut self, alerts: &[Alert]) -> Option<Vec<usize>> {
        let changes = std::mem::take(&mut self.last_change);
        if changes.is_empty() {
            self.note = Some("no status change to undo".into());
            return None;
        }
        let mut undone = Vec::new();
        for &(alert, before) in &changes {
            let now = self.status(alert);
            if self.case_mut(alerts, alert).is_some_and(|c| c.set_status(before)) {
                undone.push(alert);
                self.note = Some(match changes.len() {
                    1 => format!("undone: {} is {} again (was {})", alerts[alert].title, before.label(), now.label()),
                    n => format!("undone: {n} alerts are back to their earlier status"),
                });
            }
        }
        (!undone.is_empty()).then_some(undone)
    }

    /// Remembers a suppression just saved (its id, the alerts it hid) as the change `u` undoes.
    pub fn suppressed(&mut self, id: String, alerts: Vec<usize>) {
        self.last_change.clear();
        self.last_suppression = Some((id, alerts));
    }

    /// The suppression to undo, when it was the last change (taken: undone once).
    pub fn take_suppression(&mut self) -> Option<(String, Vec<usize>)> {
        self.last_suppression.take()
    }

    /// What the last status change or undo did, once.
    pub fn take_note(&mut self) -> Option<String> {
        self.note.take()
    }

    /// Ticks or unticks a step; returns the new state.
    pub fn toggle_step(&mut self, alerts: &[Alert], alert: usize, step: &str) -> bool {
        let analyst = self.analyst.clone();
        self.case_mut(alerts, alert).is_some_and(|c| c.toggle_step(step, &analyst))
    }

    /// Sets a step's note.
    pub fn set_note(&mut self, alerts: &[Alert], alert: usize, step: &str, note: &str) {
        if let Some(c) = self.case_mut(alerts, alert) {
            c.set_step_note(step, note);
        }
    }

    /// Adds a free note to the case (by the analyst, now).
    pub fn add_note(&mut self, alerts: &[Alert], alert: usize, text: &str) {
        let analyst = self.analyst.clone();
        if let Some(c) = self.case_mut(alerts, alert) {
            c.add_note(&analyst, text);
        }
    }

    /// Adds the same free note to several alerts' cases (an incident's); returns the alerts
    /// whose case took it, and says so in [`Self::take_note`].
    pub fn add_note_many(&mut self, alerts: &[Alert], which: &[usize], text: &str) -> Vec<usize> {
        let mut added = Vec::new();
        for &a in which {
            if a < alerts.len() {
                self.add_note(alerts, a, text);
                added.push(a);
            }
        }
        self.note = Some(match added.len() {
            1 => format!("note added to the case of {}", alerts[added[0]].title),
            n => format!("note added to the cases of the incident's {n} alerts"),
        });
        added
    }

    /// The playbook of a detector, or why there is none.
    pub fn playbook(&self, detector: &str) -> Result<&Playbook, &str> {
        match self.playbooks.iter().find(|(d, _)| *d == detector) {
            Some((_, Ok(pb))) => Ok(pb),
            Some((_, Err(e))) => Err(e),
            None => Err("unknown detector"),
        }
    }

    /// Writes an alert's case to the folder; returns the file written.
    pub fn save(&self, alert: usize) -> Result<PathBuf, String> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        let case = self.case(alert).ok_or("nothing to save")?;
        store.save(case).map_err(|e| e.to_string())
    }
}
