//! `api-burst`: the GCP guide's "alert when specific API calls exceed a threshold", per principal.
//!
//! Counts each principal's calls to each (service, method) per clock hour. The baseline is the
//! principal's own mean count for that call over the hours it made it before detection starts. An
//! hour after detection starts bursts when its count exceeds both `--burst-min` and
//! `--burst-factor` × that baseline; consecutive burst hours of the same call form one alert.

use super::score::{Score, is_destructive, is_iam_change, mitre_for};
use super::{Alert, Config, Evidence, Pivot, alert_id};
use crate::model::{Cloud, Sym};
use crate::store::EventStore;
use crate::time::{HOUR_US, format_rfc3339};
use foldhash::{HashMap, HashMapExt};
use serde_json::json;

type CallKey = (Sym, Sym, Sym);
/// A merged burst: key, first hour, last hour, positions, hourly counts, baseline mean.
type Episode = (CallKey, i64, i64, Vec<u32>, Vec<usize>, f64);

#[derive(Default)]
struct Baseline {
    calls: u64,
    hours: u64,
}

/// The detector's registry entry.
pub(super) const SPEC: super::DetectorSpec = super::DetectorSpec {
    name: "api-burst",
    short: "burst",
    title: "API Call Burst",
    playbook: include_str!("../../assets/playbooks/api-burst.toml"),
    pass: super::Pass::Own(detect),
    wants: None,
};

pub(super) fn detect(store: &EventStore, cfg: &Config, start: i64) -> Vec<Alert> {
    // Principals are independent: shards of them are counted on every core.
    let mut bursts = super::per_principal_shard(|shard, shards| shard_bursts(store, cfg, start, shard, shards));
    bursts.sort_by_key(|b| (b.0, b.1));
    // Merge consecutive hours of the same call.
    let mut merged: Vec<Episode> = Vec::new();
    for (k, hour, pos, mean) in bursts {
        match merged.last_mut() {
            Some(m) if m.0 == k && m.2 + 1 == hour => {
                m.2 = hour;
                m.4.push(pos.len());
                m.3.extend(pos);
            }
            _ => merged.push((k, hour, hour, pos.clone(), vec![pos.len()], mean)),
        }
    }
    merged
        .into_iter()
        .map(|(_, first, last, pos, counts, mean)| build(store, cfg, start, (first, last), &pos, &counts, mean))
        .collect()
}

/// One call of one principal, as the events are walked in time order.
struct Call {
    /// Calls and distinct active hours before detection starts.
    base: Baseline,
    last_base_hour: i64,
    /// The detection hour being counted, and its events.
    hour: i64,
    positions: Vec<u32>,
}

/// The bursting hours of the principals in one shard: (key, hour, positions, baseline mean).
fn shard_bursts(
    store: &EventStore,
    cfg: &Config,
    start: i64,
    shard: usize,
    shards: usize,
) -> Vec<(CallKey, i64, Vec<u32>, f64)> {
    let mut out = Vec::new();
    let mut ids: HashMap<CallKey, usize> = HashMap::new();
    let mut calls: Vec<Call> = Vec::new();
    // An hour closes when its call is next seen in a later hour, or at the end: baseline events
    // all come before detection ones (time order), so the mean is complete by then.
    let mut close = |key: CallKey, c: &mut Call| {
        let n = c.positions.len();
        if n == 0 {
            return;
        }
        let mean = c.base.calls as f64 / c.base.hours.max(1) as f64;
        if n as u64 > cfg.burst_min && n as f64 > cfg.burst_factor * mean {
            out.push((key, c.hour, std::mem::take(&mut c.positions), mean));
        } else {
            c.positions.clear();
        }
    };
    for (i, e) in store.events().iter().enumerate() {
        if e.cloud == Cloud::Windows || e.principal.is_empty() || !super::in_shard(e, shard, shards) {
            continue;
        }
        let key = (e.principal, store.key_of(e.cloud, e.service), store.key_of(e.cloud, e.operation));
        let hour = e.time.div_euclid(HOUR_US);
        let id = *ids.entry(key).or_insert_with(|| {
            calls.push(Call {
                base: Baseline::default(),
                last_base_hour: i64::MIN,
                hour: i64::MIN,
                positions: Vec::new(),
            });
            calls.len() - 1
        });
        let c = &mut calls[id];
        if e.time < start {
            c.base.calls += 1;
            if c.last_base_hour != hour {
                c.base.hours += 1;
                c.last_base_hour = hour;
            }
        } else {
            if c.hour != hour {
                close(key, c);
                c.hour = hour;
            }
            c.positions.push(i as u32);
        }
    }
    for (key, id) in ids {
        close(key, &mut calls[id]);
    }
    out
}

fn build(
    store: &EventStore,
    cfg: &Config,
    start: i64,
    (first_hour, last_hour): (i64, i64),
    pos: &[u32],
    counts: &[usize],
    mean: f64,
) -> Alert {
    let events = store.events();
    let e = &events[pos[0] as usize];
    let principal = store.str(e.principal).to_string();
    let (service, op) = (store.str(e.service), store.str(e.operation));
    let peak = counts.iter().copied().max().unwrap_or(0);
    let total = pos.len();
    let failures = pos.iter().filter(|&&i| events[i as usize].outcome == crate::model::Outcome::Failure).count();
    let hours = (last_hour - first_hour + 1) as usize;

    let mut score = Score::base(2, "burst of calls far above the principal's own rate");
    if peak as f64 > 10.0 * cfg.burst_factor * mean.max(1.0) {
        score.add(1, format!("peak {peak}/h is over 100× the baseline"));
    }
    if is_iam_change(op) || is_destructive(op) {
        score.add(1, format!("sensitive operation ({op})"));
    }
    if failures * 10 > total {
        score.add(1, format!("{failures} of {total} calls failed"));
    }
    let (severity, severity_reasons) = score.finish();
    let window = format!("{} – {}", format_rfc3339(first_hour * HOUR_US), format_rfc3339((last_hour + 1) * HOUR_US));
    let baseline_text = if mean > 0.0 {
        format!("baseline {mean:.1} calls per active hour before detection")
    } else {
        "no calls of this method before detection".to_string()
    };
    let summary = format!(
        "{principal} called {op} ({service}) {total} times in {hours} hour(s) from {} (peak {peak}/h); {baseline_text}",
        format_rfc3339(first_hour * HOUR_US)
    );
    let facts = vec![
        ("who".into(), format!("{principal} ({})", e.principal_kind.as_str())),
        ("what".into(), format!("{op} ({service})")),
        (
            "when".into(),
            format!("{window}{}", if cfg.hours.off_hours(e.time) { ", starting outside business hours" } else { "" }),
        ),
        ("count".into(), format!("{total} calls, peak {peak} in one hour, {failures} failed")),
        (
            "baseline".into(),
            format!(
                "{baseline_text}; thresholds > {} and > {}× baseline; {}",
                cfg.burst_min,
                cfg.burst_factor,
                cfg.describe_from(start)
            ),
        ),
    ];
    let step = (pos.len() / 30).max(1);
    let mut evidence = vec![Evidence::new(pos[0], Pivot::Trigger, "trigger: first call of the burst hour")];
    evidence.extend(
        pos.iter().skip(step).step_by(step).take(29).map(|&i| Evidence::new(i, Pivot::Burst, "call in the burst")),
    );
    let mitre = mitre_for(service, op);
    let t = format_rfc3339(first_hour * HOUR_US);
    Alert {
        id: alert_id(SPEC.name, &[&principal, e.cloud.as_str(), service, op, &t]),
        detector: SPEC.name,
        title: format!("{}: {op}", SPEC.title),
        severity,
        severity_reasons,
        time: e.time,
        cloud: e.cloud,
        principal,
        principal_kind: e.principal_kind,
        key: vec![("service".into(), service.into()), ("method".into(), op.into()), ("hour".into(), t.clone())],
        summary,
        evidence,
        mitre,
        facts,
        enrichment: json!({
            "window": window,
            "hourly_counts": counts,
            "total": total,
            "peak": peak,
            "baseline_per_hour": (mean * 10.0).round() / 10.0,
            "burst_min": cfg.burst_min,
            "burst_factor": cfg.burst_factor,
            "failures": failures,
            "off_hours": cfg.hours.off_hours(e.time),
        }),
        incident: None,
    }
}
