//! The JSON report: everything the other formats show, machine-readable — the alert exactly as
//! `scan --format jsonl` gives it, the case, every step with its state, answer and events, the
//! timeline, the activity, the files and their SHA-256.
//!
//! Written by [`write_json`], which besides JSON's own escaping of C0 controls writes DEL, C1
//! controls, bidirectional overrides and zero-width characters as `\uXXXX`, so a report `cat` to a
//! terminal cannot be used against it; the parsed values are unchanged.

use super::{IncidentReport, Report, VERSION};
use crate::text;
use serde_json::{Value, json};
use std::io::{self, Write};

/// One alert's report as a JSON value.
pub fn to_json(report: &Report) -> Value {
    // Serialising plain structs and `Value`s cannot fail.
    serde_json::to_value(report).unwrap_or_default()
}

/// Several reports as one JSON value: `{ "trailwatch": {version, generated_at}, "alerts": [...] }`.
pub fn to_json_all(reports: &[Report]) -> Value {
    let generated = reports.first().map(|r| r.generated_at.clone()).unwrap_or_default();
    let version = reports.first().map_or(VERSION.to_string(), |r| r.version.clone());
    json!({
        "trailwatch": { "version": version, "generated_at": generated },
        "alerts": reports.iter().map(to_json).collect::<Vec<_>>(),
    })
}

/// An incident's report as one JSON document: the incident (span, principals, story, merged
/// evidence) and each alert's report.
pub fn to_json_incident(r: &IncidentReport) -> Value {
    let first = r.reports.first();
    json!({
        "trailwatch": {
            "version": first.map_or(VERSION.to_string(), |r| r.version.clone()),
            "generated_at": first.map(|r| r.generated_at.clone()).unwrap_or_default(),
        },
        "incident": serde_json::to_value(r).unwrap_or_default(),
        "alerts": r.reports.iter().map(to_json).collect::<Vec<_>>(),
    })
}

/// Writes a JSON value pretty-printed, with every unsafe character escaped, and a final newline.
pub fn write_json(value: &Value, mut w: impl Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    w.write_all(text::json_safe(&text).as_bytes())?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_become_escapes() {
        let v = json!({ "p": "a\u{1b}[31m\u{7}b\u{202e}c\u{9b}d\u{e0041}", "n": "ünï" });
        let mut out = Vec::new();
        write_json(&v, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r"a\u001b[31m\u0007b\u202ec\u009bd\udb40\udc41"), "{text}");
        assert!(text.contains("ünï"));
        assert!(!text.chars().any(|c| c != '\n' && text::is_unsafe(c)));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
