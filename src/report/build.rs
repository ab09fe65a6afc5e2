//! Gathering a [`Report`]: the alert, the case's ticks, each step's answer, the timeline, the
//! activity and the input files' checksums. Reads only; log text stays raw.

use super::{
    ActivityRow, AlertInfo, EventRow, FileRow, MAX_STEP_EVENTS, MAX_TIMELINE, Mitre, Progress, Report, ReportContext,
    StepReport, Timeline,
};
use crate::activity::views::{DayRow, IdKind, default_range, principal_days};
use crate::case::Case;
use crate::detect::Alert;
use crate::playbook::{self, Playbook, Step};
use crate::store::{EventStore, Origin};
use crate::time::{format_day, format_rfc3339, start_of_day};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;

/// The principal's daily activity (id = operation) over the 30 days ending on the alert's day.
pub fn activity_for(store: &EventStore, alert: &Alert) -> Vec<DayRow> {
    let Some(p) = store.lookup(&alert.principal) else {
        return Vec::new();
    };
    let (start, end) = default_range(alert.time);
    principal_days(store, p, IdKind::Operation, start, end)
}

/// Builds the report of one alert. Hashes every input file; to report many alerts over the same
/// store, compute [`file_rows`] once and use [`build_with_files`].
pub fn build(
    store: &EventStore,
    alert: &Alert,
    case: Option<&Case>,
    playbook: &Playbook,
    ctx: &ReportContext,
) -> Report {
    build_with_files(store, alert, case, playbook, ctx, &file_rows(store))
}

/// Builds the report of one alert with input-file rows computed beforehand.
pub fn build_with_files(
    store: &EventStore,
    alert: &Alert,
    case: Option<&Case>,
    playbook: &Playbook,
    ctx: &ReportContext,
    files: &[FileRow],
) -> Report {
    let marks: HashMap<u32, (&str, &str)> =
        alert.evidence.iter().rev().map(|e| (e.event, (e.pivot.as_str(), e.why.as_str()))).collect();
    let row = |i: u32| event_row(store, i, &marks);
    let mut warnings = Vec::new();
    if alert.evidence.iter().any(|e| e.event as usize >= store.len()) {
        warnings.push("some evidence events are not in the loaded logs (were other files loaded?)".to_string());
    }
    let steps: Vec<StepReport> = playbook
        .investigate
        .iter()
        .map(|s| ("investigate", s))
        .chain(playbook.resolve.iter().map(|s| ("resolve", s)))
        .map(|(phase, s)| step_report(phase, s, alert, store, case, &row))
        .collect();
    let evidence_files: std::collections::BTreeSet<u32> =
        alert.evidence.iter().filter_map(|e| store.events().get(e.event as usize)).map(|e| e.src.file).collect();
    let files: Vec<FileRow> = files
        .iter()
        .enumerate()
        .map(|(i, f)| FileRow { holds_evidence: evidence_files.contains(&(i as u32)), ..f.clone() })
        .collect();
    warnings.extend(files.iter().filter_map(|f| f.error.as_ref().map(|e| format!("could not hash {}: {e}", f.name))));
    let activity = if ctx.activity.is_empty() { activity_for(store, alert) } else { ctx.activity.clone() };
    Report {
        alert: alert_info(alert),
        alert_json: alert.to_json(store),
        facts: alert.facts.clone(),
        enrichment: crate::detect::render::details(&alert.enrichment),
        case: case.cloned(),
        playbook_title: playbook.title.clone(),
        playbook_why: playbook.why.trim().to_string(),
        progress: {
            let (done, total) = case.map_or((0, playbook.len()), |c| c.progress(playbook));
            Progress { done, total }
        },
        steps,
        evidence: alert.evidence.iter().filter(|e| (e.event as usize) < store.len()).map(|e| row(e.event)).collect(),
        timeline: timeline(store, alert, ctx.window, &row),
        activity: activity_rows(store, &activity, alert.time),
        files,
        detect_settings: ctx.detect_settings.clone(),
        version: ctx.version.to_string(),
        generated_at: format_rfc3339(ctx.generated_at),
        warnings,
    }
}

fn alert_info(a: &Alert) -> AlertInfo {
    AlertInfo {
        id: a.id.clone(),
        title: a.title.clone(),
        detector: a.detector.to_string(),
        severity: a.severity.as_str().to_string(),
        severity_reasons: a.severity_reasons.clone(),
        time: format_rfc3339(a.time),
        cloud: a.cloud.as_str().to_string(),
        principal: a.principal.clone(),
        principal_kind: a.principal_kind.as_str().to_string(),
        key: a.key.clone(),
        summary: a.summary.clone(),
        mitre: a.mitre.iter().map(|m| Mitre::new(m)).collect(),
    }
}

fn step_report(
    phase: &'static str,
    step: &Step,
    alert: &Alert,
    store: &EventStore,
    case: Option<&Case>,
    row: &dyn Fn(u32) -> EventRow,
) -> StepReport {
    let ans = playbook::answer(step, alert, store);
    let state = case.and_then(|c| c.step(&step.id));
    StepReport {
        phase,
        id: step.id.clone(),
        text: step.text.clone(),
        pivot: step.pivot.clone(),
        done: state.is_some_and(|s| s.done),
        by: state.and_then(|s| s.by.clone()),
        at: state.and_then(|s| s.at.clone()),
        note: state.map(|s| s.note.clone()).unwrap_or_default(),
        answer: ans.summary,
        event_count: ans.events.len(),
        events: ans.events.iter().take(MAX_STEP_EVENTS).map(|&i| row(i)).collect(),
    }
}

/// An event as a row, marked with its evidence pivot if it is evidence.
fn event_row(store: &EventStore, i: u32, marks: &HashMap<u32, (&str, &str)>) -> EventRow {
    let Some(e) = store.events().get(i as usize) else {
        return EventRow { position: i, ..EventRow::default() };
    };
    let file = store.files().get(e.src.file as usize).map_or("", |f| f.name.as_str());
    let mut source = format!("{file}:{}", e.src.line);
    if let Some(ix) = e.src.array_index() {
        source.push_str(&format!("#{ix}"));
    }
    let (mark, why) = marks.get(&i).copied().unwrap_or(("", ""));
    EventRow {
        position: i,
        time: format_rfc3339(e.time),
        cloud: e.cloud.as_str().to_string(),
        principal: store.str(e.principal).to_string(),
        service: store.str(e.service).to_string(),
        operation: store.str(e.operation).to_string(),
        resource: store.str(e.resource).to_string(),
        source_ip: store.str(e.source_ip).to_string(),
        outcome: e.outcome.as_str().to_string(),
        status: store.str(e.status).to_string(),
        computer: store.str(e.computer).to_string(),
        process: store.str(e.process).to_string(),
        parent: store.str(e.parent).to_string(),
        command_line: store.str(e.command_line).to_string(),
        target: store.str(e.target).to_string(),
        source,
        mark: mark.to_string(),
        why: why.to_string(),
    }
}

/// The principal's events within ±window of the alert, at most [`MAX_TIMELINE`] nearest the trigger.
fn timeline(store: &EventStore, alert: &Alert, window: i64, row: &dyn Fn(u32) -> EventRow) -> Timeline {
    let window = window.max(0);
    let (from, to) = (alert.time.saturating_sub(window), alert.time.saturating_add(window));
    let all = store.lookup(&alert.principal).map_or(&[][..], |p| store.principal_events(p));
    let slice = store.slice_by_time(all, from, to.saturating_add(1));
    let trigger = alert.trigger();
    let centre = slice.partition_point(|&i| i < trigger);
    let start = centre.saturating_sub(MAX_TIMELINE / 2).min(slice.len().saturating_sub(MAX_TIMELINE));
    let shown = &slice[start..(start + MAX_TIMELINE).min(slice.len())];
    Timeline {
        from: format_rfc3339(from),
        to: format_rfc3339(to),
        total: slice.len(),
        rows: shown.iter().map(|&i| row(i)).collect(),
    }
}

fn activity_rows(store: &EventStore, rows: &[DayRow], alert_time: i64) -> Vec<ActivityRow> {
    let day = start_of_day(alert_time);
    rows.iter()
        .map(|r| ActivityRow {
            date: format_day(r.day),
            count: r.count,
            dcount: r.dcount,
            new: r.new_dcount,
            ratio: r.ratio,
            new_values: r.new_values.iter().map(|s| store.str(*s).to_string()).collect(),
            alert_day: r.day == day,
        })
        .collect()
}

/// Every input file with its SHA-256 (streamed from disk; in-memory inputs hash their bytes).
pub fn file_rows(store: &EventStore) -> Vec<FileRow> {
    store
        .files()
        .par_iter()
        .map(|f| {
            let (sha256, error) = match sha256_of(&f.origin) {
                Ok(h) => (Some(h), None),
                Err(e) => (None, Some(e.to_string())),
            };
            FileRow {
                name: f.name.clone(),
                sha256,
                error,
                bytes: f.bytes,
                gzip: f.gzip,
                records: f.records,
                events: f.events,
                skipped: f.skipped,
                ignored: f.ignored,
                holds_evidence: false,
            }
        })
        .collect()
}

fn sha256_of(origin: &Origin) -> std::io::Result<String> {
    let mut h = Sha256::new();
    match origin {
        Origin::Memory(bytes) => h.update(bytes),
        Origin::Disk(path) => {
            let mut f = std::fs::File::open(path)?;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match f.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => h.update(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
