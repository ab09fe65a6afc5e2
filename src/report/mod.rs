//! The case report: everything known about one alert, gathered once into a [`Report`] and written
//! as Markdown, JSON or a single self-contained HTML file.
//!
//! Owns what a report contains (the alert, its facts and enrichment, the playbook with the case's
//! ticks and what the logs say for each step, the principal's timeline around the alert, the
//! 30-day activity, the input files with their SHA-256, the settings and the version), the three
//! renderers and the escaping each needs, and writing reports to files. [`build`] only reads the
//! store, the alert and the case; renderers only read the [`Report`]. Log text is stored raw in
//! the [`Report`] and escaped by each renderer for its format. An incident's report
//! ([`IncidentReport`]) puts its span and combined story before its alerts' reports.

mod build;
mod html;
mod incident;
mod json;
mod markdown;
mod write;

pub use build::{activity_for, build, build_with_files, file_rows};
pub use html::{to_html, to_html_all, to_html_incident};
pub use incident::{IncidentReport, StoryRow, build_incident};
pub use json::{to_json, to_json_all, to_json_incident, write_json};
pub use markdown::{to_markdown, to_markdown_all, to_markdown_incident};
pub use write::{
    Destination, ExportError, build_all, default_file_name, render, render_all, render_incident, write_all,
    write_incident, write_one,
};

use crate::activity::views::DayRow;
use crate::case::Case;
use crate::time::DAY_US;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

/// trailwatch's version, for [`ReportContext::version`].
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Most timeline rows in one report; the rows nearest the trigger are kept.
pub const MAX_TIMELINE: usize = 500;
/// Most events listed under one playbook step.
pub const MAX_STEP_EVENTS: usize = 10;

/// Report output formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// Markdown that reads well on GitHub.
    #[default]
    Md,
    /// One JSON document with everything machine-readable.
    Json,
    /// One self-contained HTML file (inline CSS, no scripts, nothing fetched).
    Html,
}

impl Format {
    /// The file extension (`md`, `json`, `html`).
    pub fn ext(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Json => "json",
            Format::Html => "html",
        }
    }

    /// The format a file name's extension asks for (`.md`, `.markdown`, `.json`, `.html`, `.htm`).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" => Some(Format::Md),
            "json" => Some(Format::Json),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }
}

/// What the caller knows that the alert does not.
#[derive(Clone, Debug)]
pub struct ReportContext {
    /// The detection settings, as `detect::Config::describe` gives them.
    pub detect_settings: String,
    /// Half-width of the timeline around the alert (µs).
    pub window: i64,
    /// When the report is generated (µs since the epoch).
    pub generated_at: i64,
    /// trailwatch's version ([`VERSION`]).
    pub version: &'static str,
    /// The principal's daily activity (id = operation); empty = the 30 days ending on the alert's
    /// day, from [`activity_for`].
    pub activity: Vec<DayRow>,
}

impl Default for ReportContext {
    fn default() -> Self {
        ReportContext {
            detect_settings: String::new(),
            window: DAY_US,
            generated_at: chrono::Utc::now().timestamp_micros(),
            version: VERSION,
            activity: Vec::new(),
        }
    }
}

/// The alert as a report shows it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AlertInfo {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Detector name.
    pub detector: String,
    /// `low` … `critical`.
    pub severity: String,
    /// Why that severity.
    pub severity_reasons: Vec<String>,
    /// Trigger time, RFC 3339.
    pub time: String,
    /// Cloud.
    pub cloud: String,
    /// Who acted.
    pub principal: String,
    /// `user` / `service` / `unknown`.
    pub principal_kind: String,
    /// The fields that define the alert.
    pub key: Vec<(String, String)>,
    /// One sentence.
    pub summary: String,
    /// MITRE ATT&CK techniques.
    pub mitre: Vec<Mitre>,
}

/// A MITRE ATT&CK technique with its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mitre {
    /// `T1098`, `T1204.002`.
    pub id: String,
    /// `https://attack.mitre.org/techniques/T1204/002/`.
    pub url: String,
}

impl Mitre {
    /// A technique id with its ATT&CK page.
    pub fn new(id: &str) -> Self {
        Mitre { id: id.to_string(), url: format!("https://attack.mitre.org/techniques/{}/", id.replace('.', "/")) }
    }
}

/// One labelled piece of enrichment, made readable (rendered by [`crate::detect::render`]).
pub use crate::detect::render::Detail;

/// An event as a report lists it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EventRow {
    /// Position in the store.
    pub position: u32,
    /// RFC 3339.
    pub time: String,
    /// Cloud.
    pub cloud: String,
    /// Who acted.
    pub principal: String,
    /// Service.
    pub service: String,
    /// Operation.
    pub operation: String,
    /// Resource.
    pub resource: String,
    /// Source IP.
    pub source_ip: String,
    /// `success` / `failure`.
    pub outcome: String,
    /// Status text.
    pub status: String,
    /// Windows: computer and process.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub computer: String,
    /// Windows: process.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub process: String,
    /// Windows: parent process.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub parent: String,
    /// Windows: command line.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub command_line: String,
    /// A secondary target (the policy attached, the user given a key, the member granted).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// `file:line` of the original record.
    pub source: String,
    /// The evidence pivot the event answers (`trigger`, `key-use` …), empty if not evidence.
    pub mark: String,
    /// Why it is evidence.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub why: String,
}

/// A playbook step with the case's state and the logs' answer.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StepReport {
    /// `investigate` or `resolve`.
    pub phase: &'static str,
    /// Step id.
    pub id: String,
    /// What to do.
    pub text: String,
    /// The pivot answering it.
    pub pivot: Option<String>,
    /// Ticked.
    pub done: bool,
    /// Ticked by.
    pub by: Option<String>,
    /// Ticked at.
    pub at: Option<String>,
    /// The analyst's note.
    pub note: String,
    /// What the logs say (empty when the logs cannot answer).
    pub answer: String,
    /// How many events back the answer.
    pub event_count: usize,
    /// The first [`MAX_STEP_EVENTS`] of them.
    pub events: Vec<EventRow>,
}

/// The principal's events around the alert.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timeline {
    /// Window start, RFC 3339.
    pub from: String,
    /// Window end, RFC 3339.
    pub to: String,
    /// Events in the window.
    pub total: usize,
    /// The rows shown (all, or the [`MAX_TIMELINE`] nearest the trigger).
    pub rows: Vec<EventRow>,
}

/// One day of the principal's activity.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ActivityRow {
    /// `2024-03-06`.
    pub date: String,
    /// Events.
    pub count: i64,
    /// Distinct operations.
    pub dcount: i64,
    /// Operations first seen that day (within the range).
    pub new: i64,
    /// 1-day / 7-day engagement ratio (0–1).
    pub ratio: f64,
    /// The new operations.
    pub new_values: Vec<String>,
    /// The alert happened that day.
    pub alert_day: bool,
}

/// An input file and its checksum.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FileRow {
    /// The name given.
    pub name: String,
    /// SHA-256 of the bytes as stored (compressed for gzip), hex; `None` if unreadable.
    pub sha256: Option<String>,
    /// Why it could not be hashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Size.
    pub bytes: u64,
    /// Gzip-compressed.
    pub gzip: bool,
    /// Records found.
    pub records: u64,
    /// Events loaded.
    pub events: u64,
    /// Records skipped.
    pub skipped: u64,
    /// Records ignored (valid, not modelled).
    pub ignored: u64,
    /// Evidence of this alert came from this file.
    pub holds_evidence: bool,
}

/// The input files a person reads one by one (those holding evidence or problems) and one line
/// for all the others, so a report over thousands of files stays readable.
pub struct FileTable<'a> {
    /// Files listed row by row.
    pub shown: Vec<&'a FileRow>,
    /// The others, summarised.
    pub rest: Option<RestOfFiles>,
}

/// Files of a load summarised as one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestOfFiles {
    /// How many.
    pub files: usize,
    /// Their bytes, records and events.
    pub bytes: u64,
    /// Records found.
    pub records: u64,
    /// Events loaded.
    pub events: u64,
    /// SHA-256 of their checksum list as `sha256sum` prints it (`<hash>  <name>` lines, load
    /// order): one value that pins every one of them.
    pub sha256: String,
}

/// Files listed one by one when no more than this many.
const FILES_LISTED: usize = 20;

impl FileTable<'_> {
    /// Splits `files`: all of them when few, else those with evidence, skips or no checksum.
    pub fn of(files: &[FileRow]) -> FileTable<'_> {
        if files.len() <= FILES_LISTED {
            return FileTable { shown: files.iter().collect(), rest: None };
        }
        let notable = |f: &FileRow| f.holds_evidence || f.skipped > 0 || f.sha256.is_none();
        let (shown, rest): (Vec<&FileRow>, Vec<&FileRow>) = files.iter().partition(|f| notable(f));
        let mut manifest = Sha256::new();
        for f in &rest {
            manifest.update(format!("{}  {}\n", f.sha256.as_deref().unwrap_or_default(), f.name));
        }
        let rest = (!rest.is_empty()).then(|| RestOfFiles {
            files: rest.len(),
            bytes: rest.iter().map(|f| f.bytes).sum(),
            records: rest.iter().map(|f| f.records).sum(),
            events: rest.iter().map(|f| f.events).sum(),
            sha256: manifest.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        });
        FileTable { shown, rest }
    }
}

/// Steps ticked out of the playbook's steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Ticked.
    pub done: usize,
    /// In the playbook.
    pub total: usize,
}

/// Everything a case report shows, log text still raw.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// The alert, readable.
    #[serde(skip)]
    pub alert: AlertInfo,
    /// The alert as `scan --format jsonl` gives it (evidence refs, raw enrichment).
    #[serde(rename = "alert")]
    pub alert_json: Value,
    /// Key facts.
    #[serde(skip)]
    pub facts: Vec<(String, String)>,
    /// Enrichment, readable.
    #[serde(skip)]
    pub enrichment: Vec<Detail>,
    /// The case, if one exists.
    pub case: Option<Case>,
    /// Playbook title.
    pub playbook_title: String,
    /// Why the alert matters.
    pub playbook_why: String,
    /// Steps ticked against the playbook.
    pub progress: Progress,
    /// The playbook's steps.
    pub steps: Vec<StepReport>,
    /// Every evidence event.
    pub evidence: Vec<EventRow>,
    /// The principal's timeline around the alert.
    pub timeline: Timeline,
    /// The principal's 30-day activity.
    pub activity: Vec<ActivityRow>,
    /// Input files.
    pub files: Vec<FileRow>,
    /// Detection settings.
    pub detect_settings: String,
    /// trailwatch version.
    pub version: String,
    /// Generation time, RFC 3339.
    pub generated_at: String,
    /// Problems met while building (unreadable files, missing events).
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(i: usize) -> FileRow {
        FileRow {
            name: format!("logs/{i:04}.json.gz"),
            sha256: Some(format!("{i:064x}")),
            bytes: 100,
            records: 10,
            events: 9,
            ignored: 1,
            ..FileRow::default()
        }
    }

    #[test]
    fn many_files_list_the_notable_ones_and_pin_the_rest_with_one_hash() {
        let few: Vec<FileRow> = (0..FILES_LISTED).map(file).collect();
        let t = FileTable::of(&few);
        assert_eq!((t.shown.len(), t.rest), (FILES_LISTED, None), "a few files are all listed");

        let mut many: Vec<FileRow> = (0..3000).map(file).collect();
        many[7].holds_evidence = true;
        many[99].skipped = 2;
        many[1234].sha256 = None;
        let t = FileTable::of(&many);
        let shown: Vec<&str> = t.shown.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(shown, ["logs/0007.json.gz", "logs/0099.json.gz", "logs/1234.json.gz"]);
        let rest = t.rest.expect("the others are summarised");
        assert_eq!((rest.files, rest.bytes, rest.records, rest.events), (2997, 299_700, 29_970, 26_973));
        // The hash is `sha256sum`'s list of the others, hashed: reproducible with the tools.
        let list: String = many
            .iter()
            .enumerate()
            .filter(|(i, _)| ![7, 99, 1234].contains(i))
            .map(|(_, f)| format!("{}  {}\n", f.sha256.as_deref().unwrap(), f.name))
            .collect();
        let want: String = Sha256::digest(list.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(rest.sha256, want);
    }
}
