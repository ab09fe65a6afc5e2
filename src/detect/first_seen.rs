//! `new-api-call` and `new-resource-access`: the first time a principal calls a (service, method)
//! or acts on a resource, measured against everything it did before detection starts.
//!
//! One pass over the store in time order. Keys seen before detection starts are known; the first
//! occurrence after that of an unknown key raises one alert and later repeats become its evidence.
//! Failed calls count like successful ones: a denied first attempt is exactly the probing an
//! analyst wants to see (it raises the severity), and a call denied during learning was still
//! tried. Azure operations and resource IDs compare case-insensitively; resources are compared at
//! the level an analyst means (a bucket, not each object; a key, not each key version).

use super::profile::{history_before, ip_novelty};
use super::score::{Score, is_destructive, is_iam_change, is_key_op, mitre_for};
use super::{Alert, Config, Evidence, Pivot};
use crate::model::{Cloud, Event, Outcome, PrincipalKind, Sym};
use crate::store::EventStore;
use crate::time::format_rfc3339;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde_json::json;

/// Repeats kept as evidence per alert.
const MAX_REPEATS: usize = 20;

/// The level at which resources are compared: object → bucket, key version → key, and Azure IDs
/// case-folded. Returns the comparison key.
pub fn resource_key(cloud: Cloud, resource: &str) -> String {
    match cloud {
        Cloud::Gcp => {
            if let Some(p) = resource.find("/objects/") {
                return resource[..p].to_string();
            }
            if let Some(p) = resource.find("/cryptoKeyVersions/") {
                return resource[..p].to_string();
            }
            resource.to_string()
        }
        Cloud::Aws => match resource.strip_prefix("arn:aws:s3:::") {
            Some(rest) => format!("arn:aws:s3:::{}", rest.split('/').next().unwrap_or(rest)),
            None => resource.to_string(),
        },
        Cloud::Azure => {
            let l = resource.to_lowercase();
            match l.find("/keys/").or_else(|| l.find("/secrets/")).or_else(|| l.find("/certificates/")) {
                Some(p) if l.starts_with("https://") => {
                    let rest = &l[p + 1..];
                    let mut parts = rest.split('/');
                    let (kind, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                    format!("{}{kind}/{name}", &l[..p + 1])
                }
                _ => l,
            }
        }
        Cloud::Windows => resource.to_string(),
    }
}

fn note(pending: &mut [Pending], slot: Option<usize>, i: u32) {
    if let Some(p) = slot.and_then(|s| pending.get_mut(s)) {
        p.repeat_count += 1;
        if p.repeats.len() < MAX_REPEATS {
            p.repeats.push(i);
        }
    }
}

struct Pending {
    detector: &'static str,
    trigger: u32,
    repeats: Vec<u32>,
    repeat_count: usize,
}

/// `new-api-call`'s registry entry: its pass also raises `new-resource-access`.
pub(super) const NEW_API_CALL: super::DetectorSpec = super::DetectorSpec {
    name: "new-api-call",
    short: "new-api",
    title: "New API Call",
    playbook: include_str!("../../assets/playbooks/new-api-call.toml"),
    pass: super::Pass::Own(detect),
    wants: None,
};

/// `new-resource-access`'s registry entry.
pub(super) const NEW_RESOURCE_ACCESS: super::DetectorSpec = super::DetectorSpec {
    name: "new-resource-access",
    short: "new-res",
    title: "New API Call Accessed Resource for the First Time",
    playbook: include_str!("../../assets/playbooks/new-resource-access.toml"),
    pass: super::Pass::SharedWith("new-api-call"),
    wants: None,
};

pub(super) fn detect(store: &EventStore, cfg: &Config, start: i64) -> Vec<Alert> {
    use rayon::prelude::*;
    let mut pending = super::per_principal_shard(|shard, shards| first_times(store, cfg, start, shard, shards));
    // In event order, as one pass would have found them.
    pending.sort_by_key(|p| (p.trigger, p.detector));
    pending.into_par_iter().map(|p| build(store, cfg, start, p)).collect()
}

/// The first API calls and resource accesses after `start` of the principals in one shard.
fn first_times(store: &EventStore, cfg: &Config, start: i64, shard: usize, shards: usize) -> Vec<Pending> {
    let (want_api, want_res) = (cfg.enabled("new-api-call"), cfg.enabled("new-resource-access"));
    let mut known_api: HashSet<(Sym, Sym, Sym)> = HashSet::new();
    let mut known_res: HashSet<(Sym, u32)> = HashSet::new();
    let mut open_api: HashMap<(Sym, Sym, Sym), usize> = HashMap::new();
    let mut open_res: HashMap<(Sym, u32), usize> = HashMap::new();
    let mut res_ids: HashMap<Sym, u32> = HashMap::new();
    let mut res_names: HashMap<String, u32> = HashMap::new();
    let mut pending: Vec<Pending> = Vec::new();

    for (i, e) in store.events().iter().enumerate() {
        if e.cloud == Cloud::Windows || e.principal.is_empty() || !super::in_shard(e, shard, shards) {
            continue;
        }
        let detecting = e.time >= start;
        if want_api && !e.operation.is_empty() {
            let k = (e.principal, store.key_of(e.cloud, e.service), store.key_of(e.cloud, e.operation));
            if !detecting {
                known_api.insert(k);
            } else if known_api.insert(k) {
                open_api.insert(k, pending.len());
                pending.push(Pending {
                    detector: "new-api-call",
                    trigger: i as u32,
                    repeats: Vec::new(),
                    repeat_count: 0,
                });
            } else {
                note(&mut pending, open_api.get(&k).copied(), i as u32);
            }
        }
        if want_res && !e.resource.is_empty() {
            let rid = *res_ids.entry(e.resource).or_insert_with(|| {
                let name = resource_key(e.cloud, store.str(e.resource));
                let n = res_names.len() as u32;
                *res_names.entry(name).or_insert(n)
            });
            let k = (e.principal, rid);
            if !detecting {
                known_res.insert(k);
            } else if known_res.insert(k) {
                open_res.insert(k, pending.len());
                pending.push(Pending {
                    detector: "new-resource-access",
                    trigger: i as u32,
                    repeats: Vec::new(),
                    repeat_count: 0,
                });
            } else {
                note(&mut pending, open_res.get(&k).copied(), i as u32);
            }
        }
    }
    pending
}

fn title(detector: &str, cloud: Cloud) -> String {
    match (detector, cloud) {
        ("new-api-call", Cloud::Gcp) => "New GCP API Call".into(),
        ("new-api-call", Cloud::Aws) => "New AWS API Call".into(),
        ("new-api-call", _) => "New Azure API Call".into(),
        (_, Cloud::Azure) => "New Azure API Call Invoked by User Accessed Resource for the First Time".into(),
        (_, Cloud::Gcp) => "New GCP API Call Accessed Resource for the First Time".into(),
        _ => "New AWS API Call Accessed Resource for the First Time".into(),
    }
}

fn build(store: &EventStore, cfg: &Config, start: i64, p: Pending) -> Alert {
    let e: &Event = &store.events()[p.trigger as usize];
    let principal = store.str(e.principal).to_string();
    let (service, op, resource) = (store.str(e.service), store.str(e.operation), store.str(e.resource));
    let history = history_before(store, e.principal, e.time);
    let novelty = ip_novelty(store, e.principal, e.source_ip, e.time, start);
    // With no earlier activity every address is new: that alone raises nothing.
    let ip_new = history.calls > 0 && novelty.is_new();
    let api = p.detector == "new-api-call";

    let mut score = Score::base(
        0,
        if api { "first call of this API by the principal" } else { "first action on this resource by the principal" },
    );
    if is_iam_change(op) {
        score.add(2, format!("IAM / credential change ({op})"));
    }
    if is_key_op(service, op) {
        score.add(1, "key-management operation");
    }
    if is_destructive(op) {
        score.add(2, format!("delete or logging change ({op})"));
    }
    if e.outcome == Outcome::Failure {
        score.add(1, format!("the call failed ({})", store.str(e.status)));
    }
    if e.principal_kind == PrincipalKind::User && cfg.hours.off_hours(e.time) {
        score.add(1, format!("outside business hours ({})", cfg.hours.local(e.time)));
    }
    if ip_new {
        score.add(1, format!("source IP {} never used by the principal before", store.str(e.source_ip)));
    }
    if history.calls == 0 {
        score.note("the principal has no earlier activity: everything it does is new");
    }
    let (severity, severity_reasons) = score.finish();

    let key: Vec<(String, String)> = if api {
        vec![("service".into(), service.into()), ("method".into(), op.into())]
    } else {
        vec![("resource".into(), resource.into())]
    };
    let what = if api { format!("{op} ({service})") } else { format!("{resource} (via {op})") };
    let summary = format!(
        "first {} {what} by {principal} {}{}",
        if api { "call of" } else { "action on" },
        history.describe(),
        if p.repeat_count > 0 { format!("; repeated {} more times since", p.repeat_count) } else { String::new() }
    );
    let mut mitre = vec!["T1078.004"];
    mitre.extend(mitre_for(service, op));

    let facts = vec![
        ("who".into(), format!("{principal} ({})", e.principal_kind.as_str())),
        ("what".into(), if api { what.clone() } else { format!("{op} on {resource}") }),
        ("when".into(), super::profile::when(cfg, e)),
        ("from where".into(), super::profile::from_where(store, e, novelty)),
        ("outcome".into(), format!("{} {}", e.outcome.as_str(), store.str(e.status)).trim().to_string()),
        (
            "what was new".into(),
            if api { format!("the ({service}, {op}) pair") } else { format!("the resource {resource}") },
        ),
        ("baseline".into(), format!("{}; {}", history.describe(), cfg.describe_from(start))),
    ];
    let mut evidence = vec![Evidence::new(
        p.trigger,
        Pivot::Trigger,
        if api { "trigger: first call of this API by the principal" } else { "trigger: first action on this resource" },
    )];
    evidence.extend(p.repeats.iter().map(|&i| Evidence::new(i, Pivot::Repeat, "repeat after the first occurrence")));
    let enrichment = json!({
        "repeats": p.repeat_count,
        "source_ip": store.str(e.source_ip),
        "source_ip_new": novelty.is_new(),
        "source_ip_new_since": novelty.fields().1,
        "history": { "calls": history.calls, "services": history.services, "days": (history.days * 10.0).round() / 10.0 },
        "detection_start": format_rfc3339(start),
        "off_hours": cfg.hours.off_hours(e.time),
    });
    let key_parts: Vec<&str> = key.iter().map(|(_, v)| v.as_str()).collect();
    let base = Alert::base(p.detector, e, principal, title(p.detector, e.cloud), &key_parts);
    Alert { severity, severity_reasons, key, summary, evidence, mitre, facts, enrichment, ..base }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_levels() {
        assert_eq!(resource_key(Cloud::Gcp, "projects/_/buckets/b1/objects/a/b.txt"), "projects/_/buckets/b1");
        assert_eq!(
            resource_key(Cloud::Gcp, "projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/3"),
            "projects/p/locations/global/keyRings/r/cryptoKeys/k"
        );
        assert_eq!(resource_key(Cloud::Aws, "arn:aws:s3:::bkt/path/obj"), "arn:aws:s3:::bkt");
        assert_eq!(
            resource_key(Cloud::Azure, "/SUBSCRIPTIONS/A/RESOURCEGROUPS/B"),
            "/subscriptions/a/resourcegroups/b"
        );
        assert_eq!(
            resource_key(Cloud::Azure, "https://V.vault.azure.net/keys/K1/abc123"),
            "https://v.vault.azure.net/keys/k1"
        );
    }
}
