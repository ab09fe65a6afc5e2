//! Answering a playbook step from the logs: a pivot name in, a one-line finding and the event
//! positions behind it out.
//!
//! Evidence pivots read the alert's evidence (and the enrichment's totals, since evidence lists
//! are capped); data pivots read the enrichment, the facts, the store's per-principal index and
//! the activity views. Summaries carry raw log text: whoever shows them escapes them.

use super::{EVIDENCE_PIVOTS, Step};
use crate::activity::views::{IdKind, default_range, principal_days};
use crate::detect::Alert;
use crate::detect::profile::ip_novelty;
use crate::detect::render::novelty_text;
use crate::model::{Event, Outcome, Sym};
use crate::store::EventStore;
use crate::time::{HOUR_US, format_rfc3339, start_of_day};
use serde_json::Value;
use std::collections::BTreeSet;

/// How far either side of the alert the `timeline` pivot looks.
pub const AROUND: i64 = HOUR_US;
/// Most items named in one summary line.
const LIST_MAX: usize = 5;

/// What the logs say about one step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepAnswer {
    /// One line, e.g. `12 uses by 2 principals, from 198.51.100.7 (new)`; empty for a step the
    /// logs cannot answer. Raw log text: escape before showing.
    pub summary: String,
    /// Store positions of the events behind the answer, in time order, to jump to.
    pub events: Vec<u32>,
}

impl StepAnswer {
    fn new(summary: impl Into<String>, events: Vec<u32>) -> Self {
        StepAnswer { summary: summary.into(), events }
    }
}

/// Answers a step for an alert from the store. A step without a pivot gets an empty answer.
pub fn answer(step: &Step, alert: &Alert, store: &EventStore) -> StepAnswer {
    let Some(pivot) = step.pivot.as_deref() else {
        return StepAnswer::default();
    };
    match pivot {
        "trigger" => trigger(alert, store),
        "source-ips" => source_ips(alert, store),
        "timeline" => timeline(alert, store),
        "activity" => activity(alert, store),
        "baseline" => baseline(alert),
        "hosts" => hosts(alert, store),
        p if EVIDENCE_PIVOTS.contains(&p) => evidence(p, alert, store),
        p => StepAnswer::new(format!("unknown pivot {p:?}"), Vec::new()),
    }
}

/// Positions of the evidence for a pivot that exist in this store.
fn evidence_for(alert: &Alert, store: &EventStore, pivot: &str) -> Vec<u32> {
    alert.evidence.iter().filter(|e| e.pivot == pivot && (e.event as usize) < store.len()).map(|e| e.event).collect()
}

fn event(store: &EventStore, i: u32) -> &Event {
    &store.events()[i as usize]
}

/// `a, b, c +2 more`.
fn list<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> String {
    let all: Vec<S> = items.into_iter().collect();
    let mut out: Vec<&str> = all.iter().take(LIST_MAX).map(AsRef::as_ref).collect();
    let more = all.len().saturating_sub(LIST_MAX);
    let more = if more > 0 { format!(" +{more} more") } else { String::new() };
    if out.is_empty() {
        out.push("-");
    }
    format!("{}{more}", out.join(", "))
}

fn plural(n: u64, word: &str) -> String {
    let suffix = match (n, word.ends_with('s')) {
        (1, _) => "",
        (_, true) => "es",
        _ => "s",
    };
    format!("{n} {word}{suffix}")
}

fn count_at(v: &Value, path: &[&str]) -> Option<u64> {
    path.iter().try_fold(v, |cur, p| cur.get(p))?.as_u64()
}

/// The distinct values of a field over positions, in first-seen order.
fn distinct(store: &EventStore, positions: &[u32], f: impl Fn(&Event) -> Sym) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for &i in positions {
        let s = f(event(store, i));
        if !s.is_empty() && seen.insert(s) {
            out.push(store.str(s).to_string());
        }
    }
    out
}

fn trigger(alert: &Alert, store: &EventStore) -> StepAnswer {
    let t = alert.trigger();
    if t as usize >= store.len() {
        return StepAnswer::new("the trigger event is not in the loaded logs", Vec::new());
    }
    let e = event(store, t);
    let mut s = format!(
        "{} ({}) by {} at {}",
        store.str(e.operation),
        store.str(e.service),
        store.str(e.principal),
        format_rfc3339(e.time)
    );
    if !e.resource.is_empty() {
        s.push_str(&format!(" on {}", store.str(e.resource)));
    }
    if !e.source_ip.is_empty() {
        s.push_str(&format!(" from {}", store.str(e.source_ip)));
    }
    if !e.computer.is_empty() {
        s.push_str(&format!(" on computer {}", store.str(e.computer)));
    }
    match e.outcome {
        Outcome::Success => s.push_str(", succeeded"),
        Outcome::Failure => s.push_str(&format!(", failed ({})", store.str(e.status))),
    }
    if alert.enrichment.get("off_hours").and_then(Value::as_bool) == Some(true) {
        s.push_str(", outside business hours");
    }
    if let Some(hints) = alert.enrichment.get("public_access").and_then(Value::as_array) {
        let hints: Vec<&str> = hints.iter().filter_map(Value::as_str).collect();
        s.push_str(&if hints.is_empty() {
            "; no public access requested".to_string()
        } else {
            format!("; public access requested ({})", hints.join(", "))
        });
    }
    StepAnswer::new(s, vec![t])
}

/// The access changes an alert carries (`grants`), widest reach first, one clause each.
fn grants_text(en: &Value) -> Option<String> {
    let grants = en.get("grants")?.as_array().filter(|g| !g.is_empty())?;
    let mut lines: Vec<(bool, String)> = grants
        .iter()
        .map(|g| {
            let reach = g["reach"].as_str().unwrap_or("");
            let wide = matches!(reach, "outside" | "public") && g["change"] != "remove";
            (wide, crate::detect::render::grant_line(g))
        })
        .collect();
    lines.sort_by_key(|(wide, _)| !wide);
    let wide = lines.iter().filter(|(w, _)| *w).count();
    let head = match wide {
        0 => "who was given access".to_string(),
        n => format!("{n} opened outside the organisation or to everyone"),
    };
    Some(format!("{head}: {}", lines.into_iter().map(|(_, l)| l).collect::<Vec<_>>().join("; ")))
}

fn evidence(pivot: &str, alert: &Alert, store: &EventStore) -> StepAnswer {
    let ev = evidence_for(alert, store, pivot);
    let en = &alert.enrichment;
    let principals = distinct(store, &ev, |e| e.principal);
    let ops = distinct(store, &ev, |e| e.operation);
    let last = ev.last().map(|&i| format_rfc3339(event(store, i).time)).unwrap_or_default();
    let shown = |total: u64| {
        if (ev.len() as u64) < total { format!(" ({} shown)", ev.len()) } else { String::new() }
    };
    let summary = match pivot {
        "trigger" => return trigger(alert, store),
        "repeat" => match count_at(en, &["repeats"]).unwrap_or(ev.len() as u64) {
            0 => "not repeated after the first occurrence".to_string(),
            n => format!("repeated {} after the first, last at {last}{}", plural(n, "time"), shown(n)),
        },
        "other-keys" if ev.is_empty() => "no other key created by the same principal within 24 h".to_string(),
        "other-keys" => format!(
            "{} created by the same principal within 24 h: {}",
            plural(ev.len() as u64, "other key"),
            list(distinct(store, &ev, |e| e.resource))
        ),
        "iam-changes" if ev.is_empty() => "no IAM change on the key or its ring / vault in the loaded logs".to_string(),
        "iam-changes" => {
            let mut s = format!("{} by {}: {}", plural(ev.len() as u64, "IAM change"), list(&principals), list(&ops));
            if let Some(granted) = grants_text(en) {
                s.push_str(&format!("; {granted}"));
            }
            s
        }
        "rotation" => {
            let text = en.get("rotation").and_then(Value::as_str).unwrap_or("no rotation information").to_string();
            if ev.is_empty() { text } else { format!("{text}; {} in the logs", plural(ev.len() as u64, "change")) }
        }
        "key-use" => key_use(en, &ev, &principals, &shown),
        "bucket-activity" => {
            let n = count_at(en, &["later_events"]).unwrap_or(ev.len() as u64);
            let activity = if n == 0 {
                "nothing happened in the bucket after its creation in the loaded logs".to_string()
            } else {
                let by: Vec<String> = en
                    .get("later_principals")
                    .and_then(Value::as_array)
                    .map_or(principals, |a| a.iter().filter_map(Value::as_str).map(str::to_string).collect());
                format!("{} by {}: {}{}", plural(n, "later event"), list(&by), list(&ops), shown(n))
            };
            // Access given on the bucket afterwards is the part of its activity that matters most.
            match grants_text(en) {
                Some(granted) => format!("{activity}; {granted}"),
                None => activity,
            }
        }
        "burst" => format!(
            "{} calls in {}, peak {}/h, {} failed; baseline {}/h",
            count_at(en, &["total"]).unwrap_or(ev.len() as u64),
            en.get("window").and_then(Value::as_str).unwrap_or("-"),
            count_at(en, &["peak"]).unwrap_or(0),
            count_at(en, &["failures"]).unwrap_or(0),
            en.get("baseline_per_hour").and_then(Value::as_f64).unwrap_or(0.0)
        ),
        "later-runs" => match count_at(en, &["runs"]).unwrap_or(ev.len() as u64 + 1).saturating_sub(1) {
            0 => "no run after the first".to_string(),
            n => format!("{} after the first, last at {last}{}", plural(n, "run"), shown(n)),
        },
        _ => format!("{} in the evidence", plural(ev.len() as u64, "event")),
    };
    StepAnswer::new(summary, ev)
}

fn key_use(en: &Value, ev: &[u32], principals: &[String], shown: &dyn Fn(u64) -> String) -> String {
    let n = count_at(en, &["use", "count"]).unwrap_or(ev.len() as u64);
    if n == 0 {
        return "no use of the key in the loaded logs".to_string();
    }
    let by: Vec<String> = en
        .get("use")
        .and_then(|u| u.get("by"))
        .and_then(Value::as_array)
        .map_or_else(|| principals.to_vec(), |a| a.iter().filter_map(Value::as_str).map(str::to_string).collect());
    let ips: Vec<String> = en
        .get("source_ips")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|ip| ip["seen_in"].as_array().is_some_and(|r| r.iter().any(|r| r == "key use")))
        .map(|ip| {
            format!(
                "{} ({})",
                ip["ip"].as_str().unwrap_or("?"),
                novelty_text(ip["known"].as_bool(), ip["new_since"].as_str(), false)
            )
        })
        .collect();
    let from = if ips.is_empty() { String::new() } else { format!(", from {}", list(&ips)) };
    format!("{} by {} ({}){from}{}", plural(n, "use"), plural(by.len() as u64, "principal"), list(&by), shown(n))
}

fn source_ips(alert: &Alert, store: &EventStore) -> StepAnswer {
    let positions: Vec<u32> = alert.evidence.iter().map(|e| e.event).filter(|&i| (i as usize) < store.len()).collect();
    let principal = store.lookup(&alert.principal).unwrap_or(Sym::EMPTY);
    // "Known" means used in the baseline: the alert says where detection started.
    let start = alert
        .enrichment
        .get("detection_start")
        .and_then(Value::as_str)
        .and_then(crate::time::parse_time)
        .unwrap_or(alert.time);
    // The first evidence event from each address.
    let mut first: Vec<(Sym, u32)> = Vec::new();
    for &i in &positions {
        let ip = event(store, i).source_ip;
        if !ip.is_empty() && !first.iter().any(|(s, _)| *s == ip) {
            first.push((ip, i));
        }
    }
    let items: Vec<String> = match alert.enrichment.get("source_ips").and_then(Value::as_array) {
        Some(ips) => ips
            .iter()
            .map(|ip| {
                let roles: Vec<&str> =
                    ip["seen_in"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let roles = if roles.is_empty() { String::new() } else { format!(", {}", roles.join(" + ")) };
                format!(
                    "{} ({}{roles})",
                    ip["ip"].as_str().unwrap_or("?"),
                    novelty_text(ip["known"].as_bool(), ip["new_since"].as_str(), false)
                )
            })
            .collect(),
        None => first
            .iter()
            .map(|&(ip, _)| {
                let (known, since) = ip_novelty(store, principal, ip, alert.time, start).fields();
                format!("{} ({})", store.str(ip), novelty_text(Some(known), since.as_deref(), false))
            })
            .collect(),
    };
    if items.is_empty() {
        return StepAnswer::new("no source address in the evidence", Vec::new());
    }
    let new = items.iter().filter(|s| s.contains("(new")).count() as u64;
    let summary = format!("{}, {} new to the principal: {}", plural(items.len() as u64, "address"), new, list(&items));
    let mut events: Vec<u32> = first.into_iter().map(|(_, i)| i).collect();
    events.sort_unstable();
    StepAnswer::new(summary, events)
}

fn timeline(alert: &Alert, store: &EventStore) -> StepAnswer {
    let Some(p) = store.lookup(&alert.principal) else {
        return StepAnswer::new("the principal has no events in the loaded logs", Vec::new());
    };
    let around = store.slice_by_time(store.principal_events(p), alert.time - AROUND, alert.time + AROUND + 1);
    let events = store.events();
    let before = around.iter().filter(|&&i| events[i as usize].time < alert.time).count() as u64;
    let failed = around.iter().filter(|&&i| events[i as usize].outcome == Outcome::Failure).count() as u64;
    let ops = distinct(store, around, |e| e.operation);
    let summary = format!(
        "{} by the principal within ±{} h ({before} before, {} from the alert on), {}, {failed} failed: {}",
        plural(around.len() as u64, "event"),
        AROUND / HOUR_US,
        around.len() as u64 - before,
        plural(ops.len() as u64, "operation"),
        list(&ops)
    );
    StepAnswer::new(summary, around.to_vec())
}

fn activity(alert: &Alert, store: &EventStore) -> StepAnswer {
    let Some(p) = store.lookup(&alert.principal) else {
        return StepAnswer::new("the principal has no events in the loaded logs", Vec::new());
    };
    let (start, end) = default_range(alert.time);
    let rows = principal_days(store, p, IdKind::Operation, start, end);
    let active = rows.iter().filter(|r| r.count > 0).count() as u64;
    let total: i64 = rows.iter().map(|r| r.count).sum();
    let distinct_ops = rows.last().map_or(0, |r| r.aggregated_dcount);
    let Some(day) = rows.iter().find(|r| r.day == start_of_day(alert.time)) else {
        return StepAnswer::new("no activity rows for the alert day", Vec::new());
    };
    // The first event of each operation first seen on the alert day.
    let day_events = store.slice_by_time(store.principal_events(p), day.day, day.day + crate::time::DAY_US);
    let mut jumps = Vec::new();
    for v in &day.new_values {
        if let Some(&i) = day_events.iter().find(|&&i| IdKind::Operation.of(store, event(store, i)) == *v) {
            jumps.push(i);
        }
    }
    jumps.sort_unstable();
    let new_names: Vec<&str> = day.new_values.iter().map(|s| store.str(*s)).collect();
    let summary = format!(
        "active on {active} of {} days ({} events, {distinct_ops} distinct operations); on the alert day {} events, \
         {} distinct, {} new{}",
        rows.len(),
        total,
        day.count,
        day.dcount,
        day.new_dcount,
        if new_names.is_empty() { String::new() } else { format!(": {}", list(&new_names)) }
    );
    StepAnswer::new(summary, jumps)
}

fn baseline(alert: &Alert) -> StepAnswer {
    let fact = alert.facts.iter().find(|(k, _)| k == "baseline").map(|(_, v)| v.as_str());
    StepAnswer::new(fact.unwrap_or("no baseline recorded for this alert"), Vec::new())
}

fn hosts(alert: &Alert, store: &EventStore) -> StepAnswer {
    let process = alert.key.iter().find(|(k, _)| k == "process").map(|(_, v)| v.as_str());
    let Some(sym) = process.and_then(|p| store.lookup(p)) else {
        return StepAnswer::new("this alert names no process", Vec::new());
    };
    // Per computer, in first-seen order: first run and run count.
    let mut per_host: Vec<(Sym, u32, u64)> = Vec::new();
    for (i, e) in store.events().iter().enumerate() {
        if e.process != sym || !store.is_process_creation(e) {
            continue;
        }
        match per_host.iter_mut().find(|h| h.0 == e.computer) {
            Some(h) => h.2 += 1,
            None => per_host.push((e.computer, i as u32, 1)),
        }
    }
    let items: Vec<String> = per_host
        .iter()
        .map(|(c, first, n)| {
            format!("{} ({}, first {})", store.str(*c), plural(*n, "run"), format_rfc3339(event(store, *first).time))
        })
        .collect();
    let summary = format!("runs on {}: {}", plural(per_host.len() as u64, "host"), list(&items));
    StepAnswer::new(summary, per_host.iter().map(|h| h.1).collect())
}
