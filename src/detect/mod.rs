//! Detectors: the alert guides modelled over the event store.
//!
//! Owns the [`Alert`] every detector produces, the detection [`Config`] (learning period or
//! `--since`, business hours and time zone, burst thresholds), the baseline boundary, and running
//! the chosen detectors from the [`REGISTRY`]. Each detector lives in its own module and only
//! reads the store — its events and the request facts loading extracted — with "now" passed in:
//! none of them reads the wall clock or a file, draws, prints or writes. [`render`] turns alert
//! facts into the labelled lines every view shows.

mod bucket;
mod burst;
mod first_seen;
pub mod grants;
mod kms;
pub mod process_traits;
pub mod profile;
mod rare_process;
mod registry;
pub mod render;
pub mod score;
pub mod sensitive;

use crate::model::{Cloud, Event, PrincipalKind};
use crate::store::EventStore;
use crate::time::{DAY_US, format_rfc3339};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use registry::{DETECTORS, DetectorSpec, Pass, REGISTRY, spec};
pub use score::{BusinessHours, Severity};

/// Detection settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Length of the learning period counted from the earliest event (µs).
    pub learn: i64,
    /// Where detection starts; overrides `learn`.
    pub since: Option<i64>,
    /// Which detectors run (empty = all).
    pub detectors: Vec<String>,
    /// Alerts below this severity are dropped.
    pub min_severity: Severity,
    /// Working hours for the off-hours check.
    pub hours: BusinessHours,
    /// Burst: the hourly count must exceed this floor…
    pub burst_min: u64,
    /// …and this multiple of the principal's own mean hourly count for the call.
    pub burst_factor: f64,
    /// Alerts of one principal this close (µs) form one incident.
    pub incident_window: i64,
    /// Older logs were loaded only to learn from (`--baseline`): detection starts after them.
    pub baseline: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            learn: 7 * DAY_US,
            since: None,
            detectors: Vec::new(),
            min_severity: Severity::Low,
            hours: BusinessHours::default(),
            burst_min: 100,
            burst_factor: 10.0,
            incident_window: crate::incident::DEFAULT_WINDOW,
            baseline: false,
        }
    }
}

impl Config {
    /// Whether a detector is enabled.
    pub fn enabled(&self, name: &str) -> bool {
        self.detectors.is_empty() || self.detectors.iter().any(|d| d == name)
    }

    /// The instant detection starts for this store: `--since`; else the first event after the
    /// `--baseline` logs; else earliest event + learning (the earliest plausibly dated event as
    /// of `now`, in µs: see [`EventStore::anchor_span`]). `now` is an input: detection never
    /// reads the wall clock.
    pub fn detection_start(&self, store: &EventStore, now: i64) -> i64 {
        if let (None, Some(t)) = (self.since, store.after_baseline(now)) {
            return t;
        }
        match (self.since, store.anchor_span(now)) {
            (Some(s), _) => s,
            (None, Some((first, _))) => first.saturating_add(self.learn),
            (None, None) => 0,
        }
    }

    /// When the loaded history is shorter than the learning period (and no `--since` says where
    /// detection starts), what that means and what to do: the first-seen detectors learn from
    /// everything and can raise nothing. `None` when the history is long enough.
    pub fn short_history(&self, store: &EventStore, now: i64) -> Option<String> {
        if self.since.is_some() || store.after_baseline(now).is_some() {
            return None;
        }
        let (first, last) = store.anchor_span(now)?;
        (last - first < self.learn).then(|| {
            format!(
                "the logs span {}, shorter than the {} learning period: the first-seen detectors \
                 learn from all of it and raise nothing (the sensitive-operation catalogue still \
                 does). Give --since T to say where detection starts, or older logs to learn \
                 from with --baseline PATH",
                crate::time::format_span(last - first),
                crate::time::format_span(self.learn)
            )
        })
    }

    /// Where detectors that need no history (key and bucket creations, the sensitive-operation
    /// catalogue) start alerting: with `--since` or `--baseline` at detection start, everything
    /// before being baseline; otherwise from the first event, so a short export still alerts.
    pub fn alert_from(&self, start: i64) -> i64 {
        if self.since.is_some() || self.baseline { start } else { i64::MIN }
    }

    /// A one-line description of the baseline, for reports and summaries.
    pub fn describe(&self, store: &EventStore, now: i64) -> String {
        self.describe_from(self.detection_start(store, now))
    }

    /// [`Config::describe`] for a detection start already worked out.
    pub fn describe_from(&self, start: i64) -> String {
        let start = format_rfc3339(start);
        match self.since {
            Some(_) => {
                format!("detection from {start} (--since); everything before is baseline; {}", self.hours.describe())
            }
            None if self.baseline => format!(
                "learning from the --baseline logs; detection from {start}, the first event after them; {}",
                self.hours.describe()
            ),
            None => format!(
                "learning period {} days from the earliest event; detection from {start}; {}",
                self.learn as f64 / DAY_US as f64,
                self.hours.describe()
            ),
        }
    }
}

/// Which playbook step an evidence event answers (the playbooks' evidence pivots).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pivot {
    /// The event that raised the alert.
    Trigger,
    /// The same thing again after the first.
    Repeat,
    /// Another key created by the same principal within 24 h.
    OtherKeys,
    /// An IAM change on the key or its ring / vault.
    IamChanges,
    /// A rotation setting change.
    Rotation,
    /// A use of the key.
    KeyUse,
    /// Activity in the new bucket.
    BucketActivity,
    /// A call of the burst.
    Burst,
    /// A later run of the process.
    LaterRuns,
}

impl Pivot {
    /// Every pivot, in the playbooks' order.
    pub const ALL: [Pivot; 9] = [
        Pivot::Trigger,
        Pivot::Repeat,
        Pivot::OtherKeys,
        Pivot::IamChanges,
        Pivot::Rotation,
        Pivot::KeyUse,
        Pivot::BucketActivity,
        Pivot::Burst,
        Pivot::LaterRuns,
    ];

    /// The name playbooks use (`trigger`, `other-keys` …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Pivot::Trigger => "trigger",
            Pivot::Repeat => "repeat",
            Pivot::OtherKeys => "other-keys",
            Pivot::IamChanges => "iam-changes",
            Pivot::Rotation => "rotation",
            Pivot::KeyUse => "key-use",
            Pivot::BucketActivity => "bucket-activity",
            Pivot::Burst => "burst",
            Pivot::LaterRuns => "later-runs",
        }
    }
}

impl PartialEq<&str> for Pivot {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Why an event is evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    /// Position of the event in the store.
    pub event: u32,
    /// Why it matters to this alert.
    pub why: String,
    /// Which playbook pivot it answers.
    pub pivot: Pivot,
}

impl Evidence {
    /// Evidence for a pivot.
    pub fn new(event: u32, pivot: Pivot, why: impl Into<String>) -> Self {
        Evidence { event, why: why.into(), pivot }
    }
}

/// One alert.
#[derive(Clone, Debug)]
pub struct Alert {
    /// Stable id: the same data gives the same id on every run and machine.
    pub id: String,
    /// Detector name.
    pub detector: &'static str,
    /// Title, as the alert guides name it.
    pub title: String,
    /// Scored severity.
    pub severity: Severity,
    /// What raised (or lowered) the severity.
    pub severity_reasons: Vec<String>,
    /// Time of the trigger event.
    pub time: i64,
    /// Cloud of the trigger event.
    pub cloud: Cloud,
    /// Who acted.
    pub principal: String,
    /// User / service / unknown.
    pub principal_kind: PrincipalKind,
    /// The fields that were new (or that define the alert), in order.
    pub key: Vec<(String, String)>,
    /// One sentence a person reads.
    pub summary: String,
    /// Event references with why each is evidence; the first is the trigger.
    pub evidence: Vec<Evidence>,
    /// MITRE ATT&CK technique ids.
    pub mitre: Vec<&'static str>,
    /// Key facts: who, what, when, from where, against which baseline.
    pub facts: Vec<(String, String)>,
    /// Detector-specific enrichment (key use, IAM changes, rotation, IPs …).
    pub enrichment: Value,
    /// The incident it belongs to, once alerts are grouped ([`crate::incident::group`]).
    pub incident: Option<String>,
}

impl Alert {
    /// A bare alert for unit tests: detector `new-api-call`, medium, at `time`, no evidence.
    #[cfg(test)]
    pub(crate) fn for_test(id: &str, principal: &str, time: i64) -> Alert {
        Alert {
            id: id.into(),
            detector: "new-api-call",
            title: format!("alert {id}"),
            severity: Severity::Medium,
            severity_reasons: Vec::new(),
            time,
            cloud: Cloud::Gcp,
            principal: principal.into(),
            principal_kind: PrincipalKind::User,
            key: Vec::new(),
            summary: String::new(),
            evidence: Vec::new(),
            mitre: Vec::new(),
            facts: Vec::new(),
            enrichment: Value::Null,
            incident: None,
        }
    }

    /// The parts every detector fills the same way, from the trigger event `e`: the id (the
    /// detector, the principal, the cloud, `key_parts` and the event's time), time, cloud and who.
    /// The detector sets the rest with `..Alert::base(…)`.
    pub fn base(detector: &'static str, e: &Event, principal: String, title: String, key_parts: &[&str]) -> Alert {
        let t = format_rfc3339(e.time);
        let mut parts = vec![principal.as_str(), e.cloud.as_str()];
        parts.extend_from_slice(key_parts);
        parts.push(&t);
        Alert {
            id: alert_id(detector, &parts),
            detector,
            title,
            severity: Severity::Low,
            severity_reasons: Vec::new(),
            time: e.time,
            cloud: e.cloud,
            principal,
            principal_kind: e.principal_kind,
            key: Vec::new(),
            summary: String::new(),
            evidence: Vec::new(),
            mitre: Vec::new(),
            facts: Vec::new(),
            enrichment: Value::Null,
            incident: None,
        }
    }

    /// The trigger event's position in the store.
    pub fn trigger(&self) -> u32 {
        self.evidence.first().map_or(0, |e| e.event)
    }

    /// The key rendered as `a=b, c=d`.
    pub fn key_text(&self) -> String {
        self.key.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
    }

    /// The alert as one JSON object (the `scan --format jsonl` contract).
    pub fn to_json(&self, store: &EventStore) -> Value {
        let key: serde_json::Map<String, Value> = self.key.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let facts: serde_json::Map<String, Value> = self.facts.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let evidence: Vec<Value> = self
            .evidence
            .iter()
            .map(|ev| {
                let e = &store.events()[ev.event as usize];
                let mut v = event_ref(store, e);
                v["why"] = json!(ev.why);
                v["pivot"] = json!(ev.pivot.as_str());
                v
            })
            .collect();
        json!({
            "id": self.id,
            "detector": self.detector,
            "title": self.title,
            "severity": self.severity.as_str(),
            "severity_reasons": self.severity_reasons,
            "time": format_rfc3339(self.time),
            "cloud": self.cloud.as_str(),
            "principal": self.principal,
            "principal_kind": self.principal_kind.as_str(),
            "key": key,
            "summary": self.summary,
            "evidence": evidence,
            "mitre": self.mitre,
            "facts": facts,
            "enrichment": self.enrichment,
            "incident": self.incident,
        })
    }
}

/// A compact reference to an event (time, what, where it came from).
pub fn event_ref(store: &EventStore, e: &Event) -> Value {
    let file = store.files().get(e.src.file as usize).map_or("", |f| f.name.as_str());
    let mut source = json!({ "file": file, "line": e.src.line });
    if let Some(i) = e.src.array_index() {
        source["index"] = json!(i);
    }
    json!({
        "time": format_rfc3339(e.time),
        "principal": store.str(e.principal),
        "service": store.str(e.service),
        "operation": store.str(e.operation),
        "resource": store.str(e.resource),
        "source_ip": store.str(e.source_ip),
        "outcome": e.outcome.as_str(),
        "source": source,
    })
}

/// A stable alert id from the detector and what defines the alert.
pub fn alert_id(detector: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(detector.as_bytes());
    for p in parts {
        h.update([0u8]);
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let prefix: String = detector.split('-').filter_map(|w| w.chars().next()).collect();
    format!("{prefix}-{hex}")
}

/// Runs the enabled detectors and returns alerts, newest first, above the minimum severity.
/// `now` (µs) is the moment the run is for, as the caller knows it: see [`Config::detection_start`].
pub fn run(store: &EventStore, cfg: &Config, now: i64) -> Vec<Alert> {
    let start = cfg.detection_start(store, now);
    // Detectors are independent readers of the store: they run in parallel and their alerts are
    // gathered in a fixed order, so the result does not depend on scheduling.
    let passes: Vec<Detect> = REGISTRY
        .iter()
        .filter_map(|s| match s.pass {
            Pass::Own(detect) => registry::pass_wanted(s.name, cfg).then_some(detect),
            Pass::SharedWith(_) => None,
        })
        .collect();
    use rayon::prelude::*;
    let mut alerts: Vec<Alert> =
        passes.par_iter().map(|detect| detect(store, cfg, start)).collect::<Vec<_>>().into_iter().flatten().collect();
    // Baseline logs teach; they never raise an alert of their own.
    alerts.retain(|a| a.severity >= cfg.min_severity && !store.is_baseline(a.trigger()));
    alerts.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.id.cmp(&b.id)));
    alerts
}

/// The events whose request facts the detectors need: each registry entry's wants, plus every
/// access change ([`grants`]), which the kms, bucket and sensitive-operation alerts all read.
pub fn wanted(store: &EventStore) -> Vec<u32> {
    let mut out: Vec<u32> = REGISTRY.iter().filter_map(|s| s.wants).flat_map(|w| w(store)).collect();
    out.extend(grants::wants(store));
    out.sort_unstable();
    out.dedup();
    out
}

/// A detector pass: reads the store from detection start (µs) and returns its alerts.
pub type Detect = fn(&EventStore, &Config, i64) -> Vec<Alert>;

/// Runs `pass` once per shard of the principals on every core and gathers what the passes
/// return. A pass walks every event in time order and keeps those of its own principals
/// ([`in_shard`]): state kept per principal (first-seen sets, hourly counts) splits without
/// locks, and each pass still reads the events front to back, as the memory likes.
pub(crate) fn per_principal_shard<T: Send>(pass: impl Fn(usize, usize) -> Vec<T> + Sync) -> Vec<T> {
    use rayon::prelude::*;
    let shards = rayon::current_num_threads().max(1);
    (0..shards).into_par_iter().flat_map_iter(|shard| pass(shard, shards)).collect()
}

/// Is `e`'s principal in shard `shard` of `shards` (see [`per_principal_shard`])?
pub(crate) fn in_shard(e: &Event, shard: usize, shards: usize) -> bool {
    e.principal.0 as usize % shards == shard
}

/// The events whose call (cloud, service, operation) `ask` answers, with the answer, in time
/// order. `ask` runs once per distinct call (a million events hold a few hundred) and only the
/// matching calls' events are touched, through the store's call index.
pub(crate) fn call_matches<T: Copy>(store: &EventStore, ask: impl Fn(Cloud, &str, &str) -> Option<T>) -> Vec<(u32, T)> {
    let mut out: Vec<(u32, T)> = Vec::new();
    for ((cloud, service, op), positions) in store.calls() {
        if let Some(v) = ask(cloud, store.str(service), store.str(op)) {
            out.extend(positions.iter().map(|&i| (i, v)));
        }
    }
    out.sort_unstable_by_key(|&(i, _)| i);
    out
}

/// Positions, in time order, of the events whose call `is_call` accepts (see [`call_matches`])
/// and that `keep` accepts.
pub(crate) fn call_positions(
    store: &EventStore,
    is_call: impl Fn(Cloud, &str, &str) -> bool,
    keep: impl Fn(&Event) -> bool,
) -> Vec<u32> {
    let events = store.events();
    call_matches(store, |c, s, o| is_call(c, s, o).then_some(()))
        .into_iter()
        .map(|(i, ())| i)
        .filter(|&i| keep(&events[i as usize]))
        .collect()
}
