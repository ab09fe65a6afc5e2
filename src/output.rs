//! Headless timeline output: events as a table, JSON Lines, CSV or Timesketch JSONL.
//!
//! Owns the JSONL field names (a contract: `time`, `cloud`, `principal`, `principal_kind`,
//! `service`, `operation`, `resource`, `source_ip`, `user_agent`, `outcome`, `status`, `source`,
//! and where the record has them `computer`, `process`, `parent`, `command_line`, `target`, `lossy`)
//! and the escaping each format needs. Writes to any `io::Write`; never reads files itself.
//! The other commands' formatters sit beside it: [`alerts`] (`scan`) and [`rows`] (`activity`,
//! `hunt`).

pub mod alerts;
pub mod rows;

use crate::model::Event;
use crate::store::EventStore;
use crate::text;
use crate::time::{format_rfc3339, format_short};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};

/// The output formats of `events`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EventFormat {
    /// Aligned columns for a person.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header.
    Csv,
    /// JSON Lines that Timesketch imports.
    Timesketch,
}

/// Where an event came from, as the JSONL contract spells it.
#[derive(Serialize)]
pub struct SourceJson<'a> {
    pub file: &'a str,
    pub line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
}

/// An event as the JSONL contract spells it, borrowing from the store (no tree is built).
#[derive(Serialize)]
pub struct EventJson<'a> {
    pub time: String,
    pub cloud: &'static str,
    pub principal: &'a str,
    pub principal_kind: &'static str,
    pub service: &'a str,
    pub operation: &'a str,
    pub resource: &'a str,
    pub source_ip: &'a str,
    pub user_agent: &'a str,
    pub outcome: &'static str,
    pub status: &'a str,
    pub region: &'a str,
    pub source: SourceJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub parent: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub command_line: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub target: &'a str,
    /// The record held bytes that are not UTF-8 (read as U+FFFD).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lossy: bool,
}

impl<'a> EventJson<'a> {
    /// The event's JSONL form.
    pub fn new(store: &'a EventStore, e: &Event) -> Self {
        let file = store.files().get(e.src.file as usize).map_or("", |f| f.name.as_str());
        let windows = !e.computer.is_empty() || !e.process.is_empty();
        EventJson {
            time: format_rfc3339(e.time),
            cloud: e.cloud.as_str(),
            principal: store.str(e.principal),
            principal_kind: e.principal_kind.as_str(),
            service: store.str(e.service),
            operation: store.str(e.operation),
            resource: store.str(e.resource),
            source_ip: store.str(e.source_ip),
            user_agent: store.str(e.user_agent),
            outcome: e.outcome.as_str(),
            status: store.str(e.status),
            region: store.str(e.region),
            source: SourceJson { file, line: e.src.line, index: e.src.array_index() },
            computer: windows.then(|| store.str(e.computer)),
            process: windows.then(|| store.str(e.process)),
            parent: store.str(e.parent),
            command_line: store.str(e.command_line),
            target: store.str(e.target),
            lossy: e.is_lossy(),
        }
    }
}

/// An event as the JSONL contract spells it, as a JSON value.
pub fn event_json(store: &EventStore, e: &Event) -> Value {
    serde_json::to_value(EventJson::new(store, e)).unwrap_or(Value::Null)
}

/// CSV column names.
pub const CSV_HEADER: [&str; 18] = [
    "time",
    "cloud",
    "principal",
    "principal_kind",
    "service",
    "operation",
    "resource",
    "source_ip",
    "user_agent",
    "outcome",
    "status",
    "region",
    "computer",
    "process",
    "parent",
    "command_line",
    "target",
    "source",
];

/// Quotes a CSV cell. Cells a spreadsheet would run as a formula get a leading `'`.
pub fn csv_cell(s: &str) -> String {
    let s =
        if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.len() > 1 { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// What an event acted on, in one line: its resource, or for Windows the process on its
/// computer, followed by the secondary target (`→ policy/AdministratorAccess`). Plain text: each
/// view escapes it for its medium. The timeline, the Markdown and the HTML report use it.
pub fn acted_on(resource: &str, target: &str, process: &str, computer: &str) -> String {
    let mut s = if resource.is_empty() && !process.is_empty() {
        if computer.is_empty() { process.to_string() } else { format!("{process} on {computer}") }
    } else {
        resource.to_string()
    };
    if !target.is_empty() && target != resource {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str("→ ");
        s.push_str(target);
    }
    s
}

/// A one-line human description of an event (Timesketch `message`, timeline rows).
pub fn describe(store: &EventStore, e: &Event) -> String {
    let mut s = format!("{} {} {}", store.str(e.principal), store.str(e.operation), store.str(e.resource));
    if e.outcome == crate::model::Outcome::Failure {
        s.push_str(&format!(" [failed: {}]", store.str(e.status)));
    }
    s.trim().to_string()
}

/// Writes events in the chosen format. The table cuts long values to its columns only when
/// `fit` (a person reading a terminal); piped or redirected, every value is written whole.
pub fn write_events(
    out: &mut dyn Write,
    store: &EventStore,
    positions: &[u32],
    format: EventFormat,
    fit: bool,
) -> io::Result<()> {
    let cut = |s: &str, max: usize| if fit { text::clip(s, max) } else { text::escape(s).into_owned() };
    let events = store.events();
    match format {
        EventFormat::Jsonl => {
            for &i in positions {
                text::write_json_line(out, &EventJson::new(store, &events[i as usize]))?;
            }
        }
        EventFormat::Timesketch => {
            for &i in positions {
                let e = &events[i as usize];
                let mut v = event_json(store, e);
                v["message"] = json!(describe(store, e));
                v["datetime"] = v["time"].clone();
                v["timestamp_desc"] = json!("Event Time");
                text::write_json_line(out, &v)?;
            }
        }
        EventFormat::Csv => {
            writeln!(out, "{}", CSV_HEADER.join(","))?;
            for &i in positions {
                let e = &events[i as usize];
                let file = store.files().get(e.src.file as usize).map_or("", |f| f.name.as_str());
                let cells = [
                    format_rfc3339(e.time),
                    e.cloud.as_str().into(),
                    store.str(e.principal).into(),
                    e.principal_kind.as_str().into(),
                    store.str(e.service).into(),
                    store.str(e.operation).into(),
                    store.str(e.resource).into(),
                    store.str(e.source_ip).into(),
                    store.str(e.user_agent).into(),
                    e.outcome.as_str().into(),
                    store.str(e.status).into(),
                    store.str(e.region).into(),
                    store.str(e.computer).into(),
                    store.str(e.process).into(),
                    store.str(e.parent).into(),
                    store.str(e.command_line).into(),
                    store.str(e.target).into(),
                    format!("{file}:{}", e.src.line),
                ];
                let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
                writeln!(out, "{}", line.join(","))?;
            }
        }
        EventFormat::Table => {
            writeln!(
                out,
                "{:<19}  {:<7}  {:<36}  {:<28}  {:<40}  {:<15}  OUTCOME / RESOURCE",
                "TIME", "CLOUD", "PRINCIPAL", "SERVICE", "OPERATION", "SOURCE IP",
            )?;
            for &i in positions {
                let e = &events[i as usize];
                let outcome = if e.outcome == crate::model::Outcome::Failure {
                    format!("FAILED {} ", cut(store.str(e.status), 30))
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "{:<19}  {:<7}  {:<36}  {:<28}  {:<40}  {:<15}  {}{}",
                    format_short(e.time),
                    e.cloud.as_str(),
                    cut(store.str(e.principal), 36),
                    cut(store.str(e.service), 28),
                    cut(store.str(e.operation), 40),
                    cut(store.str(e.source_ip), 15),
                    outcome,
                    cut(store.str(e.resource), 80),
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-"), "-");
    }

    #[test]
    fn acted_on_names_resource_process_and_target() {
        assert_eq!(
            acted_on("user/bob", "arn:aws:iam::aws:policy/AdministratorAccess", "", ""),
            "user/bob → arn:aws:iam::aws:policy/AdministratorAccess"
        );
        assert_eq!(acted_on("", "", "C:\\w\\cmd.exe", "PC1"), "C:\\w\\cmd.exe on PC1");
        assert_eq!(acted_on("r", "r", "", ""), "r");
        assert_eq!(acted_on("", "t", "", ""), "→ t");
    }
}
