//! An engine's result rows read back: alert rows (the columns of [`super::RESULT_COLUMNS`]) become
//! trailwatch alerts with the ids a local scan gives the same logs, and event rows (a `--slice`
//! result) become events, all in one store the views and reports read.
//!
//! Rows come as CSV with a header, JSON lines, or a JSON array, as engines' consoles and clients
//! export them; every value is read as text. An alert's id is built like the local detector's
//! ([`Alert::base`]): the detector, the principal, the cloud, the key parts and the trigger's time.
//! Severity is the detector's base (plus one for a failed first call): the context the local
//! scoring reads (history, address novelty, later use) stays with the engine.

use crate::detect::{self, Alert, Evidence, Pivot, Severity};
use crate::model::{Cloud, Event, Outcome, PrincipalKind, SourceRef, Sym};
use crate::store::{EventStore, FileInfo, Interner, Origin};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// One result row: column → text.
pub type Row = BTreeMap<String, String>;

/// Rows of a result file (CSV with a header, JSON lines or a JSON array).
pub fn read_rows(text: &str) -> Result<Vec<Row>, String> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let to_row = |v: Value| -> Result<Row, String> {
        match v {
            Value::Object(m) => Ok(m
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.to_ascii_lowercase(), s)
                })
                .collect()),
            _ => Err("a result row is not a JSON object".into()),
        }
    };
    if t.starts_with('[') {
        let v: Vec<Value> = serde_json::from_str(t).map_err(|e| format!("JSON array: {e}"))?;
        return v.into_iter().map(to_row).collect();
    }
    if t.starts_with('{') {
        return t
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)).and_then(to_row))
            .collect();
    }
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(t.as_bytes());
    let headers: Vec<String> =
        rd.headers().map_err(|e| format!("CSV header: {e}"))?.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| format!("CSV row {}: {e}", i + 2))?;
        out.push(headers.iter().cloned().zip(rec.iter().map(str::to_string)).collect());
    }
    Ok(out)
}

/// An engine's time text as µs (RFC 3339, or the `2026-10-09 00:27:46.9 UTC` BigQuery and the
/// `2026-10-09 00:27:46.900000+00:00` other consoles print).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix(" UTC").unwrap_or(s);
    crate::time::parse_time(s)
}

/// What a principal's name says it is (the engines return the name only).
fn kind_of(cloud: Cloud, p: &str) -> PrincipalKind {
    if p == crate::model::UNKNOWN_PRINCIPAL {
        PrincipalKind::Unknown
    } else if p.ends_with(".gserviceaccount.com")
        || p.starts_with("serviceAccount:")
        || p.contains(":assumed-role/")
        || p.contains(":role/")
        || p.ends_with(".amazonaws.com")
    {
        PrincipalKind::Service
    } else if p.contains('@') || p.contains(":user/") || p.contains(":root") {
        PrincipalKind::User
    } else if cloud == Cloud::Azure && p.len() == 36 && p.chars().filter(|&c| c == '-').count() == 4 {
        PrincipalKind::Service
    } else {
        PrincipalKind::Unknown
    }
}

/// Result files loaded: the store of their rows and the alerts among them.
pub struct Loaded {
    /// One event per row (an alert row's trigger, or a slice row).
    pub store: EventStore,
    /// The alerts, newest first, one per id.
    pub alerts: Vec<Alert>,
    /// Rows read.
    pub rows: usize,
    /// Rows that could not be read, with why.
    pub problems: Vec<String>,
}

/// Loads result files.
pub fn load(paths: &[&Path]) -> Result<Loaded, String> {
    let mut strings = Interner::new();
    let mut events: Vec<Event> = Vec::new();
    let mut files = Vec::new();
    let mut pending: Vec<(u64, Row)> = Vec::new();
    let mut problems = Vec::new();
    for (fi, path) in paths.iter().enumerate() {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = if path.extension().is_some_and(|x| x == "gz") {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut s)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            s
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let rows = read_rows(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut n = 0;
        for (line, row) in rows.into_iter().enumerate() {
            let cloud = row.get("cloud").and_then(|c| c.parse::<Cloud>().ok());
            let time = row.get("time").and_then(|t| parse_time(t));
            let (Some(cloud), Some(time)) = (cloud, time) else {
                problems.push(format!("{} row {}: no cloud or time", path.display(), line + 1));
                continue;
            };
            let get = |k: &str| row.get(k).map(String::as_str).unwrap_or("");
            let mut s = |k: &str| strings.intern(get(k));
            let principal = s("principal");
            let e = Event {
                time,
                cloud,
                principal_kind: kind_of(cloud, get("principal")),
                outcome: if get("outcome") == "failure" { Outcome::Failure } else { Outcome::Success },
                principal,
                service: s("service"),
                operation: s("operation"),
                resource: s("resource"),
                source_ip: s("source_ip"),
                user_agent: Sym::EMPTY,
                status: s("status"),
                region: Sym::EMPTY,
                computer: s("computer"),
                process: if cloud == Cloud::Windows { s("resource") } else { Sym::EMPTY },
                parent: Sym::EMPTY,
                command_line: Sym::EMPTY,
                target: Sym::EMPTY,
                flags: 0,
                src: SourceRef {
                    file: fi as u32,
                    line: line as u32 + 2,
                    index: SourceRef::NO_INDEX,
                    offset: events.len() as u64,
                    len: 0,
                },
            };
            if !get("detector").is_empty() {
                pending.push((events.len() as u64, row));
            }
            events.push(e);
            n += 1;
        }
        files.push(FileInfo {
            name: path.display().to_string(),
            origin: Origin::Disk(path.to_path_buf()),
            bytes: bytes.len() as u64,
            gzip: false,
            records: n,
            events: n,
            skipped: 0,
            ignored: 0,
            baseline: false,
        });
    }
    let rows = events.len();
    let store = EventStore::build(events, strings, files);
    let mut position = vec![0u32; rows];
    for (i, e) in store.events().iter().enumerate() {
        position[e.src.offset as usize] = i as u32;
    }
    let mut alerts: Vec<Alert> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (offset, row) in pending {
        let pos = position[offset as usize];
        match alert(&store, pos, &row) {
            Ok(a) => {
                if seen.insert(a.id.clone()) {
                    alerts.push(a);
                }
            }
            Err(why) => problems.push(why),
        }
    }
    alerts.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.id.cmp(&b.id)));
    Ok(Loaded { store, alerts, rows, problems })
}

/// The alert of one result row whose trigger event sits at `pos`.
fn alert(store: &EventStore, pos: u32, row: &Row) -> Result<Alert, String> {
    let e = &store.events()[pos as usize];
    let get = |k: &str| row.get(k).map(String::as_str).unwrap_or("");
    let name = get("detector");
    let spec = detect::spec(name).ok_or_else(|| format!("unknown detector {name:?} in a result row"))?;
    let (service, op, resource) = (get("service"), get("operation"), get("resource"));
    let (key, points, what): (Vec<(String, String)>, i32, String) = match spec.name {
        "new-api-call" => (
            vec![("service".into(), service.into()), ("method".into(), op.into())],
            i32::from(e.outcome == Outcome::Failure),
            format!("first call of {op} ({service})"),
        ),
        "new-resource-access" => (
            vec![("resource".into(), resource.into())],
            i32::from(e.outcome == Outcome::Failure),
            format!("first action on {resource} (via {op})"),
        ),
        "kms-key-created" => (vec![("key".into(), get("key").into())], 1, format!("KMS key {} created", get("key"))),
        "bucket-created" => (vec![("bucket".into(), resource.into())], 1, format!("bucket {resource} created")),
        "rare-process" => (
            vec![
                ("process".into(), resource.into()),
                ("computer".into(), get("computer").into()),
                ("account".into(), get("principal").into()),
            ],
            2,
            format!("first run of {resource} on {}", get("computer")),
        ),
        other => (vec![("key".into(), get("key").into())], 1, format!("{other}: {}", get("key"))),
    };
    let principal = store.str(e.principal).to_string();
    let parts: Vec<&str> = key.iter().map(|(_, v)| v.as_str()).collect();
    let mut base = Alert::base(spec.name, e, principal.clone(), spec.title.into(), &parts);
    if spec.name == "rare-process" {
        // The local detector's id: account, computer, process and time, without the cloud.
        let time = crate::time::format_rfc3339(e.time);
        base.id = detect::alert_id(spec.name, &[&principal, get("computer"), resource, &time]);
    }
    let baseline = get("baseline");
    let summary =
        format!("{what} by {principal}{}", if baseline.is_empty() { String::new() } else { format!(" ({baseline})") });
    let facts = vec![
        ("who".into(), format!("{principal} ({})", e.principal_kind.as_str())),
        ("what".into(), format!("{op} on {}", if resource.is_empty() { "-" } else { resource })),
        ("when".into(), crate::time::format_rfc3339(e.time)),
        ("from where".into(), get("source_ip").to_string()),
        ("outcome".into(), e.outcome.as_str().to_string()),
        ("baseline".into(), format!("{baseline} (computed by the engine)")),
    ];
    let mut reasons = vec![format!("{} (base {})", spec.title, points.min(1))];
    if e.outcome == Outcome::Failure && spec.name.starts_with("new-") {
        reasons.push("the call failed (+1)".into());
    }
    Ok(Alert {
        severity: Severity::from_score(points),
        severity_reasons: reasons,
        key,
        summary,
        evidence: vec![Evidence::new(pos, Pivot::Trigger, "trigger: the event the engine returned")],
        mitre: if spec.name.starts_with("new-") { vec!["T1078.004"] } else { Vec::new() },
        facts,
        enrichment: json!({
            "engine": true,
            "repeats": get("repeats"),
            "first_seen": get("first_seen"),
            "baseline": baseline,
            "key": get("key"),
        }),
        ..base
    })
}
