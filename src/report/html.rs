//! The HTML report: one self-contained file — inline CSS, no scripts, nothing fetched, no links
//! out (MITRE pages appear as plain text) — with a content security policy that forbids scripts
//! and remote loads even if something slipped through.
//!
//! Every string that came from a log, a case or an alert is escaped with [`crate::text::html`],
//! which also makes control and bidirectional characters visible. Playbook text is escaped too;
//! its `code` spans are then turned into `<code>`.

use super::{EventRow, IncidentReport, Report, StepReport};
use crate::text;
use std::io::{self, Write};

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;color:#222}\
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;margin-top:1.8em}\
table{border-collapse:collapse;margin:.6em 0;width:100%}th,td{border:1px solid #ddd;padding:.25em .5em;\
text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f4f4f4}\
tr.trigger td{background:#fde2e2;font-weight:600}tr.evidence td{background:#fff6d6}tr.today td{font-weight:600}\
.sev{display:inline-block;padding:.1em .6em;border-radius:.3em;color:#fff;background:#777}\
.sev-medium{background:#c79100}.sev-high{background:#d9480f}.sev-critical{background:#a61e4d}\
blockquote{border-left:4px solid #ccc;margin:1em 0;padding:.2em 1em;color:#444}\
ul.steps{list-style:none;padding-left:0}ul.steps>li{margin:.6em 0}.box{font-size:1.1em;margin-right:.4em}\
.answer{color:#0b5394}.meta{color:#666;font-size:.9em}code{background:#f4f4f4;padding:0 .2em}\
section.alert{page-break-before:always}";

fn h(s: &str) -> String {
    text::html(s)
}

/// Escaped text with its `code` spans rendered as `<code>`.
fn h_code(s: &str) -> String {
    let escaped = h(s);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len() < 3 {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (i, p) in parts.iter().enumerate() {
        match (i % 2, i + 1 == parts.len()) {
            (1, false) => out.push_str(&format!("<code>{p}</code>")),
            (1, true) => out.push_str(&format!("`{p}")),
            _ => out.push_str(p),
        }
    }
    out
}

/// Writes one alert's report as a complete HTML document.
pub fn to_html(report: &Report, w: impl Write) -> io::Result<()> {
    to_html_all(std::slice::from_ref(report), w)
}

/// Writes several reports into one HTML document, with an index when there is more than one.
pub fn to_html_all(reports: &[Report], mut w: impl Write) -> io::Result<()> {
    let w: &mut dyn Write = &mut w;
    let title = match reports {
        [one] => format!("trailwatch: {}", one.alert.title),
        many => format!("trailwatch report: {} alerts", many.len()),
    };
    doc_start(w, &title)?;
    if reports.len() != 1 {
        writeln!(w, "<h1>{}</h1>", h(&title))?;
        index(w, reports)?;
    }
    for r in reports {
        write_report(r, w)?;
    }
    writeln!(w, "</body></html>")
}

/// Writes an incident's report as one HTML document: the incident, its story, the merged
/// evidence, then each alert's report.
pub fn to_html_incident(r: &IncidentReport, mut w: impl Write) -> io::Result<()> {
    let w: &mut dyn Write = &mut w;
    doc_start(w, &format!("trailwatch incident {}: {}", r.id, r.title))?;
    writeln!(w, "<h1>{}</h1>", h(&r.title))?;
    writeln!(w, "<p><span class=\"sev sev-{0}\">{0}</span> incident {1}</p>\n<table>", h(&r.severity), h(&r.id))?;
    let principals: Vec<String> = r.principals.iter().map(|p| h(p)).collect();
    for (k, v) in [
        ("Span", format!("{} → {}", h(&r.from), h(&r.to))),
        ("Principals", principals.join("<br>")),
        ("Alerts", r.story.len().to_string()),
    ] {
        writeln!(w, "<tr><th>{k}</th><td>{v}</td></tr>")?;
    }
    writeln!(w, "</table>\n<h2>The story</h2>\n<ol>")?;
    for s in &r.story {
        writeln!(
            w,
            "<li>{} — <b>{}</b> ({}, {}, {}; alert {}, {}): {}</li>",
            h(&s.time),
            h(&s.title),
            h(&s.severity),
            h(&s.detector),
            h(&s.status),
            h(&s.alert),
            h(&s.principal),
            h(&s.summary)
        )?;
    }
    writeln!(w, "</ol>\n<h2>Evidence across the incident</h2>")?;
    head(w, &["Time", "Principal", "Operation", "Resource", "Source IP", "Why", "Record"])?;
    for e in &r.evidence {
        cells(
            w,
            "",
            &[h(&e.time), h(&e.principal), h(&e.operation), h(&resource(e)), h(&e.source_ip), h(&e.why), h(&e.source)],
        )?;
    }
    writeln!(w, "</table>")?;
    for report in &r.reports {
        write_report(report, w)?;
    }
    writeln!(w, "</body></html>")
}

/// The document's head: the content security policy, the title and the inline style.
fn doc_start(w: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    writeln!(
        w,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    )?;
    writeln!(w, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")?;
    writeln!(w, "<title>{}</title>\n<style>{STYLE}</style></head><body>", h(title))
}

/// A table of the reports: id, severity, time, title, principal, status.
fn index(w: &mut dyn Write, reports: &[Report]) -> io::Result<()> {
    writeln!(
        w,
        "<table><tr><th>Alert</th><th>Severity</th><th>Time</th><th>Title</th><th>Principal</th><th>Status</th></tr>"
    )?;
    for r in reports {
        let status = r.case.as_ref().map_or("new", |c| c.status.label());
        writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            h(&r.alert.id),
            h(&r.alert.severity),
            h(&r.alert.time),
            h(&r.alert.title),
            h(&r.alert.principal)
        )?;
    }
    writeln!(w, "</table>")
}

fn write_report(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let a = &r.alert;
    writeln!(w, "<section class=\"alert\">\n<h1>{}</h1>", h(&a.title))?;
    writeln!(
        w,
        "<p><span class=\"sev sev-{0}\">{0}</span> detector {1} · {2} · {3}</p>",
        h(&a.severity),
        h(&a.detector),
        h(&a.cloud),
        h(&a.time)
    )?;
    writeln!(w, "<blockquote>{}</blockquote>\n<table>", h(&a.summary))?;
    let key: Vec<String> = a.key.iter().map(|(k, v)| format!("{}={}", h(k), h(v))).collect();
    let mitre: Vec<String> = a.mitre.iter().map(|m| format!("{} ({})", h(&m.id), h(&m.url))).collect();
    let case = match &r.case {
        Some(c) => format!(
            "{} · owned by {} · opened {} · updated {}",
            c.status.label(),
            h(&c.analyst),
            h(&c.created),
            h(&c.updated)
        ),
        None => "no case opened yet".into(),
    };
    for (k, v) in [
        ("Id", h(&a.id)),
        ("Principal", format!("{} ({})", h(&a.principal), h(&a.principal_kind))),
        ("Key", key.join("<br>")),
        ("MITRE ATT&amp;CK", mitre.join("<br>")),
        ("Case", case),
        ("Progress", format!("{} of {} steps done", r.progress.done, r.progress.total)),
    ] {
        writeln!(w, "<tr><th>{k}</th><td>{v}</td></tr>")?;
    }
    writeln!(w, "</table>\n<h2>Why this severity</h2>\n<ul>")?;
    for reason in &a.severity_reasons {
        writeln!(w, "<li>{}</li>", h(reason))?;
    }
    writeln!(w, "</ul>\n<h2>Key facts</h2>\n<table>")?;
    for (k, v) in &r.facts {
        writeln!(w, "<tr><th>{}</th><td>{}</td></tr>", h(k), h(v))?;
    }
    writeln!(w, "</table>")?;
    if !r.enrichment.is_empty() {
        writeln!(w, "<h2>Enrichment</h2>\n<table>")?;
        for d in &r.enrichment {
            let lines: Vec<String> = d.lines.iter().map(|l| h(l)).collect();
            writeln!(w, "<tr><th>{}</th><td>{}</td></tr>", h(&d.label), lines.join("<br>"))?;
        }
        writeln!(w, "</table>")?;
    }
    write_playbook(r, w)?;
    write_events(r, w)?;
    write_activity_files(r, w)?;
    writeln!(w, "</section>")
}

fn write_playbook(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<h2>Playbook: {}</h2>\n<p>{}</p>", h(&r.playbook_title), h(&r.playbook_why))?;
    for (phase, heading) in [("investigate", "Investigate"), ("resolve", "Resolve")] {
        writeln!(w, "<h3>{heading}</h3>\n<ul class=\"steps\">")?;
        for s in r.steps.iter().filter(|s| s.phase == phase) {
            write_step(s, w)?;
        }
        writeln!(w, "</ul>")?;
    }
    if let Some(c) = r.case.as_ref().filter(|c| !c.notes.is_empty()) {
        writeln!(w, "<h2>Notes</h2>\n<ul>")?;
        for n in &c.notes {
            writeln!(w, "<li><span class=\"meta\">{} · {}</span><br>{}</li>", h(&n.at), h(&n.by), h(&n.text))?;
        }
        writeln!(w, "</ul>")?;
    }
    Ok(())
}

fn write_step(s: &StepReport, w: &mut dyn Write) -> io::Result<()> {
    let tick = if s.done { "☑" } else { "☐" };
    let by = match (&s.by, &s.at) {
        (Some(by), Some(at)) if s.done => format!(" <span class=\"meta\">done by {} at {}</span>", h(by), h(at)),
        (Some(by), None) if s.done => format!(" <span class=\"meta\">done by {}</span>", h(by)),
        _ => String::new(),
    };
    writeln!(
        w,
        "<li><span class=\"box\">{tick}</span>{} <span class=\"meta\">({})</span>{by}",
        h_code(&s.text),
        h(&s.id)
    )?;
    if !s.answer.is_empty() {
        writeln!(w, "<div class=\"answer\">From the logs: {}</div>", h(&s.answer))?;
        if !s.events.is_empty() {
            writeln!(w, "<ul>")?;
            for e in &s.events {
                writeln!(w, "<li>{}</li>", event_line(e))?;
            }
            if s.event_count > s.events.len() {
                writeln!(w, "<li>… and {} more</li>", s.event_count - s.events.len())?;
            }
            writeln!(w, "</ul>")?;
        }
    }
    if !s.note.is_empty() {
        writeln!(w, "<div>Note: {}</div>", h(&s.note))?;
    }
    writeln!(w, "</li>")
}

fn event_line(e: &EventRow) -> String {
    let mut parts = vec![h(&e.time), h(&e.principal), h(&e.operation)];
    for x in [&e.resource, &e.source_ip, &e.computer] {
        if !x.is_empty() {
            parts.push(h(x));
        }
    }
    if e.outcome == "failure" {
        parts.push(format!("failed ({})", h(&e.status)));
    }
    parts.join(" · ")
}

fn resource(e: &EventRow) -> String {
    h(&crate::output::acted_on(&e.resource, &e.target, &e.process, &e.computer))
}

fn cells(w: &mut dyn Write, class: &str, cells: &[String]) -> io::Result<()> {
    let class = if class.is_empty() { String::new() } else { format!(" class=\"{class}\"") };
    writeln!(w, "<tr{class}><td>{}</td></tr>", cells.join("</td><td>"))
}

fn head(w: &mut dyn Write, names: &[&str]) -> io::Result<()> {
    writeln!(w, "<table><tr><th>{}</th></tr>", names.join("</th><th>"))
}

fn write_events(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<h2>Evidence</h2>")?;
    head(w, &["Time", "Pivot", "Principal", "Operation", "Resource", "Source IP", "Outcome", "Why", "Record"])?;
    for e in &r.evidence {
        let class = if e.mark == "trigger" { "trigger" } else { "" };
        cells(
            w,
            class,
            &[
                h(&e.time),
                h(&e.mark),
                h(&e.principal),
                h(&e.operation),
                resource(e),
                h(&e.source_ip),
                h(&e.outcome),
                h(&e.why),
                h(&e.source),
            ],
        )?;
    }
    let t = &r.timeline;
    let shown = if t.rows.len() < t.total {
        format!(", the {} nearest the trigger shown", t.rows.len())
    } else {
        String::new()
    };
    writeln!(
        w,
        "</table>\n<h2>Timeline</h2>\n<p>{} event(s) by {} from {} to {}{shown}.</p>",
        t.total,
        h(&r.alert.principal),
        h(&t.from),
        h(&t.to)
    )?;
    head(w, &["", "Time", "Operation", "Service", "Resource", "Source IP", "Outcome", "Status"])?;
    for e in &t.rows {
        let (class, mark) = match e.mark.as_str() {
            "" => ("", String::new()),
            "trigger" => ("trigger", "▶ trigger".to_string()),
            m => ("evidence", format!("● {}", h(m))),
        };
        cells(
            w,
            class,
            &[
                mark,
                h(&e.time),
                h(&e.operation),
                h(&e.service),
                resource(e),
                h(&e.source_ip),
                h(&e.outcome),
                h(&e.status),
            ],
        )?;
    }
    writeln!(w, "</table>")
}

fn write_activity_files(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<h2>Activity (30 days)</h2>")?;
    head(w, &["Date", "Events", "Distinct operations", "New", "Ratio", "New operations"])?;
    for d in &r.activity {
        let new: Vec<String> = d.new_values.iter().map(|v| h(v)).collect();
        let date = if d.alert_day { format!("{} (alert)", h(&d.date)) } else { h(&d.date) };
        let row = [
            date,
            d.count.to_string(),
            d.dcount.to_string(),
            d.new.to_string(),
            format!("{:.1} %", d.ratio * 100.0),
            new.join(", "),
        ];
        cells(w, if d.alert_day { "today" } else { "" }, &row)?;
    }
    writeln!(w, "</table>\n<h2>Input files</h2>")?;
    head(w, &["File", "SHA-256", "Bytes", "Records", "Events", "Skipped", "Ignored", "Evidence"])?;
    let table = super::FileTable::of(&r.files);
    for f in &table.shown {
        let sha = match (&f.sha256, &f.error) {
            (Some(s), _) => format!("<code>{}</code>", h(s)),
            (None, e) => format!("unreadable: {}", h(e.as_deref().unwrap_or("?"))),
        };
        let mut row = vec![h(&f.name), sha];
        row.extend([f.bytes, f.records, f.events, f.skipped, f.ignored].map(|n| n.to_string()));
        row.push(if f.holds_evidence { "yes".into() } else { String::new() });
        cells(w, "", &row)?;
    }
    writeln!(w, "</table>")?;
    if let Some(rest) = &table.rest {
        writeln!(
            w,
            "<p>{} other file(s) without evidence or skipped records: {} bytes, {} records, {} events. \
             SHA-256 of their <code>sha256sum</code> list (load order): <code>{}</code>; the JSON report \
             lists each.</p>",
            rest.files,
            rest.bytes,
            rest.records,
            rest.events,
            h(&rest.sha256)
        )?;
    }
    writeln!(w, "<h2>About this report</h2>\n<ul>")?;
    writeln!(w, "<li>Detection settings: {}</li>", h(&r.detect_settings))?;
    writeln!(w, "<li>Generated by trailwatch {} at {}</li>", h(&r.version), h(&r.generated_at))?;
    for warning in &r.warnings {
        writeln!(w, "<li>Warning: {}</li>", h(warning))?;
    }
    writeln!(w, "</ul>")
}
