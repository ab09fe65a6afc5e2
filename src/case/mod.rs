//! Case state: what an analyst did about one alert — its status, the playbook steps ticked (by
//! whom, when, with a note) and free notes — and where that state lives on disk.
//!
//! [`Case`] is plain data with small update methods the TUI calls; [`CaseStore`] keeps one JSON
//! file per case, written atomically, and sets corrupt files aside instead of overwriting them.
//! Alert ids are stable across runs, so a case follows its alert from one load of the logs to the
//! next. Nothing here reads logs, draws or decides what a step means.

mod store;
pub mod suppress;

pub use store::{CaseError, CaseStore, Loaded, write_atomic};
pub use suppress::{Suppression, Suppressions};

use crate::detect::Alert;
use crate::playbook::Playbook;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a case stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nobody has looked yet.
    #[default]
    New,
    /// Someone is working on it.
    Investigating,
    /// Dealt with: the activity was malicious or unwanted and has been contained.
    Resolved,
    /// The alert was wrong or the activity expected.
    FalsePositive,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 4] = [Status::New, Status::Investigating, Status::Resolved, Status::FalsePositive];

    /// The name as stored and shown (`false_positive`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Investigating => "investigating",
            Status::Resolved => "resolved",
            Status::FalsePositive => "false_positive",
        }
    }

    /// A label for people (`false positive`).
    pub fn label(self) -> &'static str {
        match self {
            Status::FalsePositive => "false positive",
            s => s.as_str(),
        }
    }

    /// True for the two closing statuses.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Resolved | Status::FalsePositive)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The state of one playbook step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepState {
    /// Ticked.
    #[serde(default)]
    pub done: bool,
    /// Who ticked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When it was ticked (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The analyst's note on the step.
    #[serde(default)]
    pub note: String,
}

/// A free note on the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// When (RFC 3339).
    pub at: String,
    /// Who wrote it.
    pub by: String,
    /// What it says.
    pub text: String,
}

/// An analyst's case for one alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The alert's stable id.
    pub alert_id: String,
    /// The detector that raised it.
    pub detector: String,
    /// Where it stands.
    #[serde(default)]
    pub status: Status,
    /// Who owns it (defaults to `$USER`).
    #[serde(default)]
    pub analyst: String,
    /// When the case was opened (RFC 3339).
    pub created: String,
    /// Last change (RFC 3339).
    pub updated: String,
    /// Step states by step id.
    #[serde(default)]
    pub steps: BTreeMap<String, StepState>,
    /// Free notes, oldest first.
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// The current time as RFC 3339 (UTC, seconds).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The analyst name to use by default: `$USER`, else `$USERNAME`, else `analyst`.
pub fn default_analyst() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "analyst".into())
}

impl Case {
    /// A fresh case for an alert, owned by [`default_analyst`].
    pub fn new(alert: &Alert) -> Self {
        Self::for_id(&alert.id, alert.detector)
    }

    /// A fresh case for an alert id and detector.
    pub fn for_id(alert_id: &str, detector: &str) -> Self {
        let now = now_rfc3339();
        Case {
            alert_id: alert_id.into(),
            detector: detector.into(),
            status: Status::New,
            analyst: default_analyst(),
            created: now.clone(),
            updated: now,
            steps: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    fn touch(&mut self) {
        self.updated = now_rfc3339();
    }

    /// Sets the status. Returns whether it changed.
    pub fn set_status(&mut self, status: Status) -> bool {
        if self.status == status {
            return false;
        }
        self.status = status;
        self.touch();
        true
    }

    /// Ticks or unticks a step, recording who ticked it and when; returns the new state. Ticking
    /// the first step of a new case moves it to `investigating`.
    pub fn toggle_step(&mut self, step_id: &str, analyst: &str) -> bool {
        let now = now_rfc3339();
        let st = self.steps.entry(step_id.to_string()).or_default();
        st.done = !st.done;
        let done = st.done;
        if done {
            st.by = Some(analyst.to_string());
            st.at = Some(now);
        } else {
            st.by = None;
            st.at = None;
        }
        if done && self.status == Status::New {
            self.status = Status::Investigating;
        }
        self.touch();
        done
    }

    /// Sets (or clears, with an empty text) a step's note.
    pub fn set_step_note(&mut self, step_id: &str, note: &str) {
        self.steps.entry(step_id.to_string()).or_default().note = note.trim_end().to_string();
        self.touch();
    }

    /// Adds a free note.
    pub fn add_note(&mut self, analyst: &str, text: &str) {
        self.notes.push(Note { at: now_rfc3339(), by: analyst.to_string(), text: text.trim_end().to_string() });
        self.touch();
    }

    /// The state of a step, if it was ever touched.
    pub fn step(&self, step_id: &str) -> Option<&StepState> {
        self.steps.get(step_id)
    }

    /// Whether a step is ticked.
    pub fn is_done(&self, step_id: &str) -> bool {
        self.steps.get(step_id).is_some_and(|s| s.done)
    }

    /// Steps ticked and steps in total, counting only the playbook's steps (a tick on a step a
    /// newer playbook dropped does not count).
    pub fn progress(&self, playbook: &Playbook) -> (usize, usize) {
        let done = playbook.steps().filter(|s| self.is_done(&s.id)).count();
        (done, playbook.len())
    }
}
