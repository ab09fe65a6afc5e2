//! `sensitive-operation`: operations that matter with no baseline at all — logging turned off,
//! an account leaving the organisation, a key made for another identity, an admin role granted,
//! a snapshot shared, a port opened to the internet, bulk secret reads, commands run on compute.
//!
//! Driven by the catalogue in `assets/catalogue/` ([`catalogue`]): an event matching an entry is
//! scored by the entry's parameter rules over its request facts (extracted at load), so an
//! ordinary policy attachment stays quiet while AdministratorAccess is high. Events of one
//! entry, principal, resource and outcome form one alert; a failed attempt stays visible at low
//! or more. Burst entries (secret reads) alert only when a principal's reads in a window pass a
//! floor that scales with its own busiest earlier window. Fires in a ten-minute export: with no
//! `--since` every loaded event counts.

pub mod catalogue;

use super::grants::{self, Granted, Reach};
use super::profile::{history_before, ip_novelty};
use super::{Alert, Config, Evidence, Pivot, Severity};
use crate::model::{Outcome, Sym};
use crate::store::EventStore;
use crate::time::format_rfc3339;
use catalogue::{Entry, catalogue};
use foldhash::{HashMap, HashMapExt};
use serde::Serialize;
use std::collections::BTreeMap;

/// The detector's registry entry.
pub(super) const SPEC: super::DetectorSpec = super::DetectorSpec {
    name: "sensitive-operation",
    short: "sensitive",
    title: "Sensitive Operation",
    playbook: include_str!("../../../assets/playbooks/sensitive-operation.toml"),
    pass: super::Pass::Own(detect),
    wants: Some(wants),
};

/// Repeats kept as evidence per alert.
const MAX_REPEATS: usize = 20;
/// Failed attempts from which repeated probing keeps the entry's severity.
const PROBING: usize = 5;
/// A burst must exceed this multiple of the principal's busiest earlier window.
const BURST_FACTOR: usize = 3;
/// An operation a principal did on this many distinct days, with nothing in its parameters
/// making it dangerous, is its routine: shown at low, as context.
const ROUTINE_DAYS: usize = 3;

/// The events whose call has a catalogue entry, with the entry, in time order.
fn entries(store: &EventStore) -> Vec<(u32, u16)> {
    let cat = catalogue();
    super::call_matches(store, |cloud, service, op| cat.find(cloud, service, op).map(|i| i as u16))
}

/// Events whose entry has parameter rules need their request facts.
fn wants(store: &EventStore) -> Vec<u32> {
    let cat = catalogue();
    entries(store).into_iter().filter(|&(_, ix)| cat.entry[ix as usize].needs_facts()).map(|(i, _)| i).collect()
}

/// Events of one entry, principal, resource and outcome, with the most severe first occurrence.
struct Group {
    entry: usize,
    positions: Vec<u32>,
    count: usize,
    severity: Severity,
    trigger: u32,
    reasons: Vec<String>,
}

pub(super) fn detect(store: &EventStore, cfg: &Config, start: i64) -> Vec<Alert> {
    let cat = catalogue();
    let events = store.events();
    // With `--since` or `--baseline`, earlier events are baseline only; otherwise every event
    // counts.
    let from = cfg.alert_from(start);
    let org = grants::LazyOrg::new();
    let mut groups: BTreeMap<(usize, Sym, Sym, Outcome), Group> = BTreeMap::new();
    let mut reads: BTreeMap<(usize, Sym), Vec<u32>> = BTreeMap::new();
    // Days on which each principal did each entry's operation with plain parameters.
    let mut plain_days: HashMap<(usize, Sym), Vec<i64>> = HashMap::new();
    for (i, ix) in entries(store) {
        let e = &events[i as usize];
        if e.time < from || store.is_baseline(i) {
            continue;
        }
        let ix = ix as usize;
        let entry = &cat.entry[ix];
        if entry.burst.is_some() {
            reads.entry((ix, e.principal)).or_default().push(i);
            continue;
        }
        let (severity, mut reasons) = entry.assess(store.facts(i), store.str(e.principal));
        let wide = widest_grant(store, &org, i);
        let severity = match (severity, &wide) {
            (s, Some(g)) => {
                let floor = if g.reach == Reach::Public { Severity::High } else { Severity::Medium };
                reasons.push(g.describe());
                s.map_or(floor, |s| s.max(floor))
            }
            (Some(s), None) => s,
            (None, None) => continue,
        };
        if reasons.is_empty() {
            let days = plain_days.entry((ix, e.principal)).or_default();
            let day = e.time.div_euclid(crate::time::DAY_US);
            if days.last() != Some(&day) {
                days.push(day);
            }
        }
        let key = (ix, e.principal, store.key_of(e.cloud, e.resource), e.outcome);
        let g = groups.entry(key).or_insert_with(|| Group {
            entry: ix,
            positions: Vec::new(),
            count: 0,
            severity,
            trigger: i,
            reasons: reasons.clone(),
        });
        g.count += 1;
        if g.positions.len() <= MAX_REPEATS {
            g.positions.push(i);
        }
        if severity > g.severity {
            (g.severity, g.trigger, g.reasons) = (severity, i, reasons);
        }
    }
    let mut out: Vec<Alert> = groups
        .into_values()
        .map(|mut g| {
            // Routine: plain parameters, and the principal does this on several days.
            let days = plain_days.get(&(g.entry, store.events()[g.trigger as usize].principal)).map_or(0, Vec::len);
            if g.reasons.is_empty() && days >= ROUTINE_DAYS && g.severity > Severity::Low {
                g.severity = Severity::Low;
                g.reasons.push(format!(
                    "routine for this principal: done on {days} days in the loaded logs with nothing dangerous in its parameters, so shown at low"
                ));
            }
            single(store, cfg, start, &org, g)
        })
        .collect();
    for ((ix, _), positions) in reads {
        out.extend(
            bursts(store, &cat.entry[ix], &positions)
                .into_iter()
                .map(|(b, threshold, items)| burst_alert(store, cfg, start, ix, &b, threshold, items)),
        );
    }
    out
}

/// The facts every sensitive-operation alert carries (the alert's `enrichment`).
#[derive(Serialize)]
struct Facts<'a> {
    catalogue_entry: &'a str,
    group: &'a str,
    technique: String,
    why: &'a str,
    source: &'a str,
    parameters: Vec<String>,
    attempts: usize,
    failed: bool,
    off_hours: bool,
    local_time: String,
    source_ip: &'a str,
    source_ip_new: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_ip_new_since: Option<String>,
    detection_start: String,
    in_learning_period: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    grants: Option<serde_json::Value>,
}

/// The access an event opened widest (outside the organisation or to everyone), if any.
fn widest_grant(store: &EventStore, org: &grants::LazyOrg, i: u32) -> Option<Granted> {
    let e = &store.events()[i as usize];
    if !grants::is_grant_op(e.cloud, store.str(e.service), store.str(e.operation)) {
        return None;
    }
    grants::made_by(store, org, &[i]).into_iter().map(|(_, g)| g).filter(Granted::opens_wide).max_by_key(|g| g.reach)
}

fn single(store: &EventStore, cfg: &Config, start: i64, org: &grants::LazyOrg, g: Group) -> Alert {
    let entry = &catalogue().entry[g.entry];
    let e = &store.events()[g.trigger as usize];
    let failed = e.outcome == Outcome::Failure;
    let mut severity = g.severity;
    let mut reasons = vec![format!("{}: {} (catalogue {})", entry.title, entry.why, entry.id)];
    reasons.extend(g.reasons.iter().cloned());
    if failed && g.count < PROBING {
        severity = lower(severity);
        reasons.push(format!("the call failed ({}): an attempt, shown one step lower", store.str(e.status)));
    } else if failed {
        reasons.push(format!("{} failed attempts: repeated probing keeps the severity", g.count));
    }
    let repeats: Vec<u32> = g.positions.iter().copied().filter(|&i| i != g.trigger).take(MAX_REPEATS).collect();
    let found = Found {
        entry: g.entry,
        trigger: g.trigger,
        severity,
        reasons,
        parameters: g.reasons,
        attempts: g.count,
        repeats,
    };
    build(store, cfg, start, Some(org), found)
}

/// One step down, never below low: a denied attempt stays visible.
fn lower(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        _ => Severity::Low,
    }
}

/// Bursts of one principal's reads: (positions, threshold, items read) per episode. The
/// threshold is the floor, or [`BURST_FACTOR`] × the busiest window that ended before the
/// current one began. A call counts as the items it names when the entry says which field
/// lists them (`weight`: ten parameter names in one `GetParameters` are ten reads).
fn bursts(store: &EventStore, entry: &Entry, positions: &[u32]) -> Vec<(Vec<u32>, usize, usize)> {
    let Some(b) = &entry.burst else { return Vec::new() };
    let window = i64::from(b.window_minutes) * 60 * 1_000_000;
    let time = |k: usize| store.events()[positions[k] as usize].time;
    // prefix[k]: items read by the first k calls.
    let mut prefix = Vec::with_capacity(positions.len() + 1);
    prefix.push(0usize);
    for &i in positions {
        let w = match (&b.weight, store.facts(i)) {
            (Some(field), Some(f)) => f.values(field).filter(|v| !v.is_empty()).count().max(1),
            _ => 1,
        };
        prefix.push(prefix.last().copied().unwrap_or(0) + w);
    }
    let items = |lo: usize, hi: usize| prefix[hi + 1] - prefix[lo];
    // counts[k]: items read in the window ending at call k.
    let mut counts: Vec<usize> = Vec::with_capacity(positions.len());
    let mut out = Vec::new();
    let (mut lo, mut seen, mut busiest, mut j) = (0usize, 0usize, 0usize, 0usize);
    while j < positions.len() {
        while time(j) - time(lo) >= window {
            lo += 1;
        }
        while seen < lo {
            busiest = busiest.max(counts[seen]);
            seen += 1;
        }
        counts.push(items(lo, j));
        let threshold = (b.floor as usize).max(BURST_FACTOR * busiest);
        if counts[j] < threshold {
            j += 1;
            continue;
        }
        // The episode runs while reads keep coming within a window of each other.
        let mut end = j;
        while end + 1 < positions.len() && time(end + 1) - time(end) < window {
            end += 1;
            counts.push(items(lo, end));
        }
        out.push((positions[lo..=end].to_vec(), threshold, items(lo, end)));
        j = end + 1;
    }
    out
}

fn burst_alert(
    store: &EventStore,
    cfg: &Config,
    start: i64,
    ix: usize,
    b: &[u32],
    threshold: usize,
    items: usize,
) -> Alert {
    let entry = &catalogue().entry[ix];
    let burst = entry.burst.as_ref();
    let severity = burst.and_then(|b| b.severity.severity()).unwrap_or(Severity::Medium);
    let minutes = burst.map_or(0, |b| b.window_minutes);
    let resources: std::collections::BTreeSet<Sym> = b.iter().map(|&i| store.events()[i as usize].resource).collect();
    let calls = if items == b.len() { String::new() } else { format!(" in {} calls", b.len()) };
    let detail = format!(
        "{items} reads{calls} of {} resource(s) within {minutes} min windows (threshold {threshold}: the floor, or {BURST_FACTOR}× the principal's busiest earlier window)",
        resources.len()
    );
    let reasons = vec![format!("{}: {} (catalogue {})", entry.title, entry.why, entry.id), detail.clone()];
    let repeats: Vec<u32> = b[1..].iter().copied().take(MAX_REPEATS * 2).collect();
    let found =
        Found { entry: ix, trigger: b[0], severity, reasons, parameters: vec![detail], attempts: b.len(), repeats };
    build(store, cfg, start, None, found)
}

/// What an alert is built from: the entry, the trigger, the scored severity and the events.
struct Found {
    entry: usize,
    trigger: u32,
    severity: Severity,
    reasons: Vec<String>,
    parameters: Vec<String>,
    attempts: usize,
    repeats: Vec<u32>,
}

fn build(store: &EventStore, cfg: &Config, start: i64, org: Option<&grants::LazyOrg>, f: Found) -> Alert {
    let Found { entry: ix, trigger, severity, reasons: severity_reasons, parameters, attempts, repeats } = f;
    let entry = &catalogue().entry[ix];
    let e = &store.events()[trigger as usize];
    let principal = store.str(e.principal).to_string();
    let op = store.str(e.operation);
    let resource = store.str(e.resource);
    let novelty = ip_novelty(store, e.principal, e.source_ip, e.time, start);
    let off_hours = cfg.hours.off_hours(e.time);
    let failed = e.outcome == Outcome::Failure;
    let history = history_before(store, e.principal, e.time);
    let on = if resource.is_empty() { String::new() } else { format!(" on {resource}") };
    let summary = format!(
        "{}{op}{on}: {}{}",
        if failed { "tried " } else { "" },
        entry.why,
        if attempts > 1 { format!(" ({attempts} times)") } else { String::new() }
    );
    let technique = format!("{} {}", entry.technique, entry.technique_name);
    let mut facts = vec![
        ("who".into(), format!("{principal} ({})", e.principal_kind.as_str())),
        ("what".into(), format!("{op} ({}){on}", store.str(e.service))),
        ("when".into(), super::profile::when(cfg, e)),
        ("from where".into(), super::profile::from_where(store, e, novelty)),
        ("outcome".into(), format!("{} {}", e.outcome.as_str(), store.str(e.status)).trim().to_string()),
        ("why it matters".into(), entry.why.clone()),
        ("technique".into(), technique.clone()),
    ];
    if !parameters.is_empty() {
        facts.push(("parameters".into(), parameters.join("; ")));
    }
    let granted = match org {
        Some(org) if grants::is_grant_op(e.cloud, store.str(e.service), op) => grants::made_by(store, org, &[trigger]),
        _ => Vec::new(),
    };
    if !granted.is_empty() {
        facts.push(("access".into(), grants::facts_line(store, &granted, "")));
    }
    facts.push(("source".into(), entry.source.clone()));
    facts.push(("baseline".into(), format!("{}; {}", history.describe(), cfg.describe_from(start))));
    let mut evidence = vec![Evidence::new(trigger, Pivot::Trigger, format!("trigger: {}", entry.title))];
    evidence.extend(repeats.iter().map(|&i| Evidence::new(i, Pivot::Repeat, "the same operation again")));
    let enrichment = serde_json::to_value(Facts {
        catalogue_entry: &entry.id,
        group: &entry.group,
        technique,
        why: &entry.why,
        source: &entry.source,
        parameters,
        attempts,
        failed,
        off_hours,
        local_time: cfg.hours.local(e.time),
        source_ip: store.str(e.source_ip),
        source_ip_new: novelty.is_new(),
        source_ip_new_since: novelty.fields().1,
        detection_start: format_rfc3339(start),
        in_learning_period: e.time < start,
        grants: (!granted.is_empty()).then(|| grants::to_json(store, &granted)),
    })
    .unwrap_or_default();
    let mut key = vec![("operation".to_string(), op.to_string())];
    if !resource.is_empty() {
        key.push(("resource".into(), resource.to_string()));
    }
    let title = format!("Sensitive Operation: {}", entry.title);
    let base = Alert::base(SPEC.name, e, principal, title, &[entry.id.as_str(), resource]);
    Alert {
        severity,
        severity_reasons,
        key,
        summary,
        evidence,
        mitre: vec![catalogue().entry[ix].technique.as_str()],
        facts,
        enrichment,
        ..base
    }
}
