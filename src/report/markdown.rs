//! The Markdown report, written to read well on GitHub: a heading per section, tables for facts,
//! evidence, timeline, activity and files, a task list for the playbook.
//!
//! Every string that came from a log, a case note or an alert goes through
//! [`crate::text::markdown`], so pipes, backticks, brackets and control characters cannot break a
//! table or inject markup. Only the playbook's own step text is written as is (it carries `code`).

use super::{EventRow, IncidentReport, Report, StepReport};
use crate::text;
use std::io::{self, Write};

fn md(s: &str) -> String {
    let e = text::markdown(s);
    if e.trim().is_empty() { "-".into() } else { e }
}

fn row(w: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    writeln!(w, "| {} |", cells.join(" | "))
}

fn header(w: &mut dyn Write, names: &[&str]) -> io::Result<()> {
    writeln!(w)?;
    writeln!(w, "| {} |", names.join(" | "))?;
    writeln!(w, "|{}", "---|".repeat(names.len()))
}

/// Writes one alert's report as Markdown.
pub fn to_markdown(report: &Report, mut w: impl Write) -> io::Result<()> {
    write_report(report, &mut w)
}

/// Writes several reports as one Markdown document: an index table, then each report.
pub fn to_markdown_all(reports: &[Report], mut w: impl Write) -> io::Result<()> {
    let w: &mut dyn Write = &mut w;
    writeln!(w, "# trailwatch report: {} alert(s)", reports.len())?;
    header(w, &["Alert", "Severity", "Time", "Title", "Principal", "Status"])?;
    for r in reports {
        let status = r.case.as_ref().map_or("new", |c| c.status.label());
        row(
            w,
            &[
                md(&r.alert.id),
                md(&r.alert.severity),
                md(&r.alert.time),
                md(&r.alert.title),
                md(&r.alert.principal),
                status.into(),
            ],
        )?;
    }
    for r in reports {
        writeln!(w, "\n---\n")?;
        write_report(r, w)?;
    }
    Ok(())
}

/// Writes an incident's report as Markdown: the incident, its story, the merged evidence, then
/// each alert's report.
pub fn to_markdown_incident(r: &IncidentReport, mut w: impl Write) -> io::Result<()> {
    let w: &mut dyn Write = &mut w;
    writeln!(w, "# trailwatch incident {}: {}", md(&r.id), md(&r.title))?;
    header(w, &["Field", "Value"])?;
    for (k, v) in [
        ("Severity", md(&r.severity)),
        ("Span", format!("{} → {}", md(&r.from), md(&r.to))),
        ("Principals", r.principals.iter().map(|p| md(p)).collect::<Vec<_>>().join(", ")),
        ("Alerts", r.story.len().to_string()),
    ] {
        row(w, &[k.into(), v])?;
    }
    writeln!(w, "\n## The story\n")?;
    for (i, s) in r.story.iter().enumerate() {
        writeln!(
            w,
            "{}. {} — **{}** ({}, {}, {}; alert {}, {}): {}",
            i + 1,
            md(&s.time),
            md(&s.title),
            md(&s.severity),
            md(&s.detector),
            md(&s.status),
            md(&s.alert),
            md(&s.principal),
            md(&s.summary)
        )?;
    }
    writeln!(w, "\n## Evidence across the incident")?;
    header(w, &["Time", "Principal", "Operation", "Resource", "Source IP", "Why", "Record"])?;
    for e in &r.evidence {
        row(
            w,
            &[
                md(&e.time),
                md(&e.principal),
                md(&e.operation),
                md(&resource(e)),
                md(&e.source_ip),
                md(&e.why),
                md(&e.source),
            ],
        )?;
    }
    for report in &r.reports {
        writeln!(w, "\n---\n")?;
        write_report(report, w)?;
    }
    Ok(())
}

fn write_report(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let a = &r.alert;
    writeln!(w, "# {}", md(&a.title))?;
    writeln!(w)?;
    writeln!(
        w,
        "**Severity: {}** · detector {} · {} · {}",
        md(&a.severity.to_uppercase()),
        md(&a.detector),
        md(&a.cloud),
        md(&a.time)
    )?;
    writeln!(w)?;
    writeln!(w, "> {}", md(&a.summary))?;
    header(w, &["Alert", ""])?;
    let key: Vec<String> = a.key.iter().map(|(k, v)| format!("{}={}", md(k), md(v))).collect();
    let mitre: Vec<String> = a.mitre.iter().map(|m| format!("[{}]({})", md(&m.id), m.url)).collect();
    row(w, &["Id".into(), md(&a.id)])?;
    row(w, &["Principal".into(), format!("{} ({})", md(&a.principal), md(&a.principal_kind))])?;
    row(w, &["Key".into(), if key.is_empty() { "-".into() } else { key.join("<br>") }])?;
    row(w, &["MITRE ATT&CK".into(), if mitre.is_empty() { "-".into() } else { mitre.join(", ") }])?;
    match &r.case {
        Some(c) => {
            let case = format!(
                "{} · owned by {} · opened {} · updated {}",
                c.status.label(),
                md(&c.analyst),
                md(&c.created),
                md(&c.updated)
            );
            row(w, &["Case".into(), case])?;
        }
        None => row(w, &["Case".into(), "no case opened yet".into()])?,
    }
    row(w, &["Progress".into(), format!("{} of {} steps done", r.progress.done, r.progress.total)])?;

    writeln!(w, "\n## Why this severity\n")?;
    for reason in &a.severity_reasons {
        writeln!(w, "- {}", md(reason))?;
    }
    writeln!(w, "\n## Key facts")?;
    header(w, &["Fact", "Value"])?;
    for (k, v) in &r.facts {
        row(w, &[md(k), md(v)])?;
    }
    if !r.enrichment.is_empty() {
        writeln!(w, "\n## Enrichment")?;
        header(w, &["Detail", "Value"])?;
        for d in &r.enrichment {
            let lines: Vec<String> = d.lines.iter().map(|l| md(l)).collect();
            row(w, &[md(&d.label), lines.join("<br>")])?;
        }
    }
    write_playbook(r, w)?;
    write_events(r, w)?;
    write_activity_files(r, w)
}

fn write_playbook(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Playbook: {}\n", md(&r.playbook_title))?;
    writeln!(w, "{}", md(&r.playbook_why))?;
    for (phase, heading) in [("investigate", "Investigate"), ("resolve", "Resolve")] {
        writeln!(w, "\n### {heading}\n")?;
        for s in r.steps.iter().filter(|s| s.phase == phase) {
            write_step(s, w)?;
        }
    }
    if let Some(c) = r.case.as_ref().filter(|c| !c.notes.is_empty()) {
        writeln!(w, "\n## Notes\n")?;
        for n in &c.notes {
            writeln!(w, "- **{} · {}**: {}", md(&n.at), md(&n.by), md(&n.text))?;
        }
    }
    Ok(())
}

fn write_step(s: &StepReport, w: &mut dyn Write) -> io::Result<()> {
    let tick = if s.done { "x" } else { " " };
    let by = match (&s.by, &s.at) {
        (Some(by), Some(at)) if s.done => format!(" — done by {} at {}", md(by), md(at)),
        (Some(by), None) if s.done => format!(" — done by {}", md(by)),
        _ => String::new(),
    };
    // The step text is the playbook's own; only a newline could break the list item.
    writeln!(w, "- [{tick}] {} ({}){by}", s.text.replace(['\n', '\r'], " "), md(&s.id))?;
    if !s.answer.is_empty() {
        writeln!(w, "  - **From the logs:** {}", md(&s.answer))?;
        for e in &s.events {
            writeln!(w, "    - {}", event_line(e))?;
        }
        if s.event_count > s.events.len() {
            writeln!(w, "    - … and {} more", s.event_count - s.events.len())?;
        }
    }
    if !s.note.is_empty() {
        writeln!(w, "  - **Note:** {}", md(&s.note))?;
    }
    Ok(())
}

fn event_line(e: &EventRow) -> String {
    let mut parts = vec![md(&e.time), md(&e.principal), md(&e.operation)];
    for x in [&e.resource, &e.source_ip, &e.computer] {
        if !x.is_empty() {
            parts.push(md(x));
        }
    }
    if e.outcome == "failure" {
        parts.push(format!("failed ({})", md(&e.status)));
    }
    parts.join(" · ")
}

fn write_events(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Evidence")?;
    header(w, &["Time", "Pivot", "Principal", "Operation", "Resource", "Source IP", "Outcome", "Why", "Record"])?;
    for e in &r.evidence {
        row(
            w,
            &[
                md(&e.time),
                md(&e.mark),
                md(&e.principal),
                md(&e.operation),
                md(&resource(e)),
                md(&e.source_ip),
                md(&e.outcome),
                md(&e.why),
                md(&e.source),
            ],
        )?;
    }
    let t = &r.timeline;
    writeln!(w, "\n## Timeline\n")?;
    let shown = if t.rows.len() < t.total {
        format!(", the {} nearest the trigger shown", t.rows.len())
    } else {
        String::new()
    };
    writeln!(w, "{} event(s) by {} from {} to {}{shown}.", t.total, md(&r.alert.principal), md(&t.from), md(&t.to))?;
    header(w, &["", "Time", "Operation", "Service", "Resource", "Source IP", "Outcome", "Status"])?;
    for e in &t.rows {
        let mark = match e.mark.as_str() {
            "" => String::new(),
            "trigger" => "**▶ trigger**".into(),
            m => format!("● {}", md(m)),
        };
        row(
            w,
            &[
                mark,
                md(&e.time),
                md(&e.operation),
                md(&e.service),
                md(&resource(e)),
                md(&e.source_ip),
                md(&e.outcome),
                md(&e.status),
            ],
        )?;
    }
    Ok(())
}

/// The resource (or the Windows process) and the secondary target.
fn resource(e: &EventRow) -> String {
    crate::output::acted_on(&e.resource, &e.target, &e.process, &e.computer)
}

fn write_activity_files(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Activity (30 days)")?;
    header(w, &["Date", "Events", "Distinct operations", "New", "Ratio", "New operations"])?;
    for d in &r.activity {
        let date = if d.alert_day { format!("**{}** (alert)", d.date) } else { d.date.clone() };
        let new: Vec<String> = d.new_values.iter().take(5).map(|v| md(v)).collect();
        let more = d.new_values.len().saturating_sub(5);
        let new = if more > 0 { format!("{} +{more} more", new.join(", ")) } else { new.join(", ") };
        row(
            w,
            &[
                date,
                d.count.to_string(),
                d.dcount.to_string(),
                d.new.to_string(),
                format!("{:.1} %", d.ratio * 100.0),
                new,
            ],
        )?;
    }
    writeln!(w, "\n## Input files")?;
    header(w, &["File", "SHA-256", "Bytes", "Records", "Events", "Skipped", "Ignored", "Evidence"])?;
    let table = super::FileTable::of(&r.files);
    for f in &table.shown {
        let sha = f.sha256.clone().unwrap_or_else(|| format!("unreadable: {}", f.error.as_deref().unwrap_or("?")));
        let counts = [f.bytes, f.records, f.events, f.skipped, f.ignored].map(|n| n.to_string());
        let mut cells = vec![md(&f.name), md(&sha)];
        cells.extend(counts);
        cells.push(if f.holds_evidence { "yes".into() } else { String::new() });
        row(w, &cells)?;
    }
    if let Some(rest) = &table.rest {
        writeln!(
            w,
            "\n{} other file(s) without evidence or skipped records: {} bytes, {} records, {} events. \
             SHA-256 of their `sha256sum` list (load order): `{}`; the JSON report lists each.",
            rest.files, rest.bytes, rest.records, rest.events, rest.sha256
        )?;
    }
    writeln!(w, "\n## About this report\n")?;
    writeln!(w, "- Detection settings: {}", md(&r.detect_settings))?;
    writeln!(w, "- Generated by trailwatch {} at {}", md(&r.version), md(&r.generated_at))?;
    for warning in &r.warnings {
        writeln!(w, "- Warning: {}", md(warning))?;
    }
    Ok(())
}
