//! Writing reports: choosing the renderer for a [`Format`], writing files atomically, and
//! `report --all` (every alert in one file, or one file per alert in a folder), and an
//! incident's report (`report --incident`).

use super::{Format, IncidentReport, Report, ReportContext, build_with_files, file_rows, html, json, markdown};
use crate::case::{CaseStore, write_atomic};
use crate::detect::Alert;
use crate::playbook::{self, PlaybookError};
use crate::store::EventStore;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing the file failed (the previous file, if any, is intact).
    #[error("cannot write report {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The output folder could not be created.
    #[error("cannot create folder {}: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// An alert's playbook could not be loaded.
    #[error(transparent)]
    Playbook(#[from] PlaybookError),
}

/// Where `report --all` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Every alert in one file.
    File(PathBuf),
    /// One file per alert in this folder, named by [`default_file_name`].
    Folder(PathBuf),
}

/// `trailwatch-<alert id>.<ext>`, with any character other than letters, digits, `-`, `_` and `.`
/// in the id replaced by `_`, so the name stays in the folder it is joined to.
pub fn default_file_name(alert_id: &str, ext: &str) -> String {
    let id: String = alert_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    format!("trailwatch-{id}.{ext}")
}

/// Renders one report in a format.
pub fn render(report: &Report, format: Format, w: impl Write) -> io::Result<()> {
    match format {
        Format::Md => markdown::to_markdown(report, w),
        Format::Json => json::write_json(&json::to_json(report), w),
        Format::Html => html::to_html(report, w),
    }
}

/// Renders several reports as one document in a format.
pub fn render_all(reports: &[Report], format: Format, w: impl Write) -> io::Result<()> {
    match format {
        Format::Md => markdown::to_markdown_all(reports, w),
        Format::Json => json::write_json(&json::to_json_all(reports), w),
        Format::Html => html::to_html_all(reports, w),
    }
}

/// Renders an incident's report (the incident, its story, then each alert's report) in a format.
pub fn render_incident(report: &IncidentReport, format: Format, w: impl Write) -> io::Result<()> {
    match format {
        Format::Md => markdown::to_markdown_incident(report, w),
        Format::Json => json::write_json(&json::to_json_incident(report), w),
        Format::Html => html::to_html_incident(report, w),
    }
}

/// Writes an incident's report to a file, atomically.
pub fn write_incident(report: &IncidentReport, format: Format, path: &Path) -> Result<(), ExportError> {
    write_file(path, |buf| render_incident(report, format, buf))
}

fn write_file(path: &Path, render: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> Result<(), ExportError> {
    let mut buf = Vec::new();
    render(&mut buf)
        .and_then(|()| write_atomic(path, &buf))
        .map_err(|source| ExportError::Write { path: path.into(), source })
}

/// Writes one report to a file, atomically.
pub fn write_one(report: &Report, format: Format, path: &Path) -> Result<(), ExportError> {
    write_file(path, |buf| render(report, format, buf))
}

/// Builds the report of every alert: each with its case from `cases` (a corrupt or unreadable
/// case file becomes a warning in that report), its playbook (from `playbook_dir` or built in),
/// and its own 30-day activity. Input files are hashed once.
pub fn build_all(
    store: &EventStore,
    alerts: &[Alert],
    ctx: &ReportContext,
    cases: Option<&CaseStore>,
    playbook_dir: Option<&Path>,
) -> Result<Vec<Report>, ExportError> {
    let files = file_rows(store);
    let ctx = ReportContext { activity: Vec::new(), ..ctx.clone() };
    alerts
        .iter()
        .map(|alert| {
            let pb = playbook::load(alert.detector, playbook_dir)?;
            let (case, problem) = match cases.map(|c| c.load(&alert.id)) {
                None | Some(Ok(None)) => (None, None),
                Some(Ok(Some(case))) => (Some(case), None),
                Some(Err(e)) => (None, Some(e.to_string())),
            };
            let mut report = build_with_files(store, alert, case.as_ref(), &pb, &ctx, &files);
            report.warnings.extend(problem);
            Ok(report)
        })
        .collect()
}

/// `report --all`: writes every alert's report to one file or to one file per alert in a folder
/// (created if needed). Returns the files written.
pub fn write_all(
    store: &EventStore,
    alerts: &[Alert],
    ctx: &ReportContext,
    cases: Option<&CaseStore>,
    playbook_dir: Option<&Path>,
    format: Format,
    dest: &Destination,
) -> Result<Vec<PathBuf>, ExportError> {
    let reports = build_all(store, alerts, ctx, cases, playbook_dir)?;
    match dest {
        Destination::File(path) => {
            write_file(path, |buf| render_all(&reports, format, buf))?;
            Ok(vec![path.clone()])
        }
        Destination::Folder(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| ExportError::Folder { path: dir.clone(), source })?;
            reports
                .iter()
                .map(|r| {
                    let path = dir.join(default_file_name(&r.alert.id, format.ext()));
                    write_one(r, format, &path).map(|()| path)
                })
                .collect()
        }
    }
}
