//! What an `update` asks for, as data: navigation the app does itself (open a screen, go back)
//! and side effects the event loop runs (save a case, write a report, quit).
//!
//! Keeping effects as values is what lets every screen be tested without a terminal or a disk
//! (atuin's FSM does the same). Plain enums; nothing here runs anything.

use crate::model::Sym;
use crate::report::Format;

/// The label of a report format in the picker.
pub fn format_label(f: Format) -> &'static str {
    match f {
        Format::Md => "Markdown",
        Format::Json => "JSON",
        Format::Html => "HTML",
    }
}

/// The formats the picker offers, default first.
pub const FORMATS: [Format; 3] = [Format::Md, Format::Json, Format::Html];

/// Whose events a timeline shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Everything a principal did.
    Principal(Sym),
    /// Everything done to a resource and to what lies under it (key versions, objects).
    Resource(Sym),
    /// Everything from a source IP.
    SourceIp(Sym),
    /// Everything on a Windows computer.
    Computer(Sym),
}

impl Subject {
    /// The kind, for titles (`principal`, `resource` …).
    pub fn kind(self) -> &'static str {
        match self {
            Subject::Principal(_) => "principal",
            Subject::Resource(_) => "resource (and under it)",
            Subject::SourceIp(_) => "source IP",
            Subject::Computer(_) => "computer",
        }
    }

    /// The value.
    pub fn sym(self) -> Sym {
        match self {
            Subject::Principal(s) | Subject::Resource(s) | Subject::SourceIp(s) | Subject::Computer(s) => s,
        }
    }
}

/// Where a timeline opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// At this event (store position).
    Event(u32),
    /// At the first event at or after this instant (µs), e.g. a day's start.
    Time(i64),
}

/// A screen to open on top of the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    /// An alert's detail.
    Detail {
        /// Alert index.
        alert: usize,
    },
    /// A timeline.
    Timeline {
        /// The alert it belongs to (its evidence is marked).
        alert: usize,
        /// Whose events.
        subject: Subject,
        /// Where the cursor starts.
        at: At,
    },
    /// The activity-vs-engagement view of an alert's principal.
    Activity {
        /// Alert index.
        alert: usize,
    },
    /// The playbook checklist of an alert.
    Checklist {
        /// Alert index.
        alert: usize,
    },
    /// The export format picker for an alert, or for its whole incident.
    Export {
        /// Alert index.
        alert: usize,
        /// Report the alert's incident (all its alerts, one story) rather than the alert.
        incident: bool,
    },
    /// The keys of the current screen.
    Help,
}

/// Something an update asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Leave the app (the loop restores the terminal).
    Quit,
    /// Close the current screen.
    Back,
    /// Open a screen on top.
    Open(Open),
    /// Save an alert's case through the case store.
    SaveCase {
        /// Alert index.
        alert: usize,
    },
    /// Save several alerts' cases (an incident's status).
    SaveCases {
        /// Alert indices.
        alerts: Vec<usize>,
    },
    /// Store a suppression of alerts like this one, with the analyst's reason.
    Suppress {
        /// Alert index.
        alert: usize,
        /// Why it is a known false positive.
        reason: String,
    },
    /// Remove a suppression made in this session and bring its alerts back to the queue.
    Unsuppress {
        /// The suppression's id.
        id: String,
        /// The alerts it hid.
        alerts: Vec<usize>,
    },
    /// Write an alert's report, or its incident's.
    Export {
        /// Alert index.
        alert: usize,
        /// Report the alert's incident rather than the alert.
        incident: bool,
        /// In which format.
        format: Format,
    },
    /// Show a message in the status bar.
    Notify(String),
}

impl Effect {
    /// Whether the loop (not the app) runs this effect.
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            Effect::Quit
                | Effect::SaveCase { .. }
                | Effect::SaveCases { .. }
                | Effect::Suppress { .. }
                | Effect::Unsuppress { .. }
                | Effect::Export { .. }
        )
    }
}
