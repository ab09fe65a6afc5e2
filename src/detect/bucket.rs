//! `bucket-created`: storage containers coming into existence — GCP `storage.buckets.create`, AWS
//! S3 `CreateBucket`, Azure storage account and blob container creation — with who, when (and
//! whether outside business hours), from where (new or known IP), public-access hints from the
//! request, and what happened in the bucket afterwards.
//!
//! Azure logs `write` for both creation and update: a write counts as a creation when its status
//! says `Created`, or when it is the first successful write of that resource in the loaded logs.
//! Like key creations these are events, not anomalies: they alert in the learning period too.

use super::grants;
use super::profile::{history_before, ip_novelty};
use super::score::Score;
use super::{Alert, Config, Evidence, Pivot, call_positions};
use crate::model::{Cloud, Event, Outcome, RequestFacts, Sym};
use crate::store::EventStore;
use crate::time::format_rfc3339;
use foldhash::{HashSet, HashSetExt};
use serde_json::json;

fn azure_storage_write(op: &str) -> bool {
    let l = op.to_ascii_lowercase();
    l == "microsoft.storage/storageaccounts/write"
        || l == "microsoft.storage/storageaccounts/blobservices/containers/write"
}

/// Storage creations and writes need their request details (public-access hints).
fn wants(store: &EventStore) -> Vec<u32> {
    writes(store)
}

/// Positions of the successful storage creations and writes, in time order.
fn writes(store: &EventStore) -> Vec<u32> {
    call_positions(store, is_storage_write, |e| e.outcome == Outcome::Success)
}

/// Does this call (cloud, service, operation) create or write a bucket, container or account?
fn is_storage_write(cloud: Cloud, service: &str, op: &str) -> bool {
    match cloud {
        Cloud::Gcp => op == "storage.buckets.create",
        Cloud::Aws => op == "CreateBucket" && service == "s3.amazonaws.com",
        Cloud::Azure => azure_storage_write(op),
        Cloud::Windows => false,
    }
}

/// Markers of public access in a creation request, as named in the alert.
fn public_hints(facts: Option<&RequestFacts>) -> Vec<&'static str> {
    let Some(f) = facts else { return Vec::new() };
    let is = |field: &str, value: &str| f.values(field).any(|v| v.eq_ignore_ascii_case(value));
    let mut out = Vec::new();
    for (hint, found) in [
        ("allUsers", f.any_value("allUsers")),
        ("allAuthenticatedUsers", f.any_value("allAuthenticatedUsers")),
        ("public-read", f.leaves.iter().any(|(_, v)| v.starts_with("public-read"))),
        ("\"publicAccess\":\"Container\"", is("publicAccess", "Container")),
        ("\"publicAccess\":\"Blob\"", is("publicAccess", "Blob")),
        ("\"allowBlobPublicAccess\":true", is("allowBlobPublicAccess", "true")),
    ] {
        if found {
            out.push(hint);
        }
    }
    out
}

/// The detector's registry entry.
pub(super) const SPEC: super::DetectorSpec = super::DetectorSpec {
    name: "bucket-created",
    short: "bucket",
    title: "Cloud Storage Bucket Created",
    playbook: include_str!("../../assets/playbooks/bucket-created.toml"),
    pass: super::Pass::Own(detect),
    wants: Some(wants),
};

pub(super) fn detect(store: &EventStore, cfg: &Config, start: i64) -> Vec<Alert> {
    let events = store.events();
    let mut seen_azure: HashSet<Sym> = HashSet::new();
    let mut out = Vec::new();
    let org = grants::LazyOrg::new();
    for i in writes(store) {
        let e = &events[i as usize];
        let created = match e.cloud {
            Cloud::Azure => {
                let status = store.str(e.status);
                if status.starts_with("Start") || status.starts_with("Accept") {
                    false
                } else {
                    let first = seen_azure.insert(store.fold(e.resource));
                    status.contains("Created") || first
                }
            }
            _ => true,
        };
        if created && e.time >= cfg.alert_from(start) {
            out.push(build(store, cfg, start, &org, i));
        }
    }
    out
}

fn build(store: &EventStore, cfg: &Config, start: i64, org: &grants::LazyOrg, trigger: u32) -> Alert {
    let events = store.events();
    let e: &Event = &events[trigger as usize];
    let principal = store.str(e.principal).to_string();
    let bucket = store.str(e.resource).to_string();
    let public = public_hints(store.facts(trigger));
    let off_hours = cfg.hours.off_hours(e.time);
    let novelty = ip_novelty(store, e.principal, e.source_ip, e.time, start);
    let ip_new = novelty.is_new();

    // What happened in the bucket afterwards.
    let folded = store.key_of(e.cloud, e.resource);
    let later: Vec<u32> = events
        .iter()
        .enumerate()
        .skip(trigger as usize + 1)
        .filter(|(_, x)| {
            x.cloud == e.cloud && {
                let r = store.str(x.resource);
                store.key_of(x.cloud, x.resource) == folded
                    || (!bucket.is_empty() && r.len() > bucket.len() && r.starts_with(&bucket))
            }
        })
        .map(|(i, _)| i as u32)
        .collect();
    let changes: Vec<u32> = later
        .iter()
        .copied()
        .filter(|&i| {
            let x = &events[i as usize];
            grants::is_grant_op(x.cloud, store.str(x.service), store.str(x.operation))
        })
        .collect();
    let granted = grants::made_by(store, org, &changes);
    let wide: Vec<&grants::Granted> = granted.iter().map(|(_, g)| g).filter(|g| g.opens_wide()).collect();
    let writers: std::collections::BTreeSet<&str> =
        later.iter().map(|&i| store.str(events[i as usize].principal)).collect();

    let mut score = Score::base(1, "a storage bucket was created");
    if off_hours && e.principal_kind == crate::model::PrincipalKind::User {
        score.add(1, format!("created outside business hours ({})", cfg.hours.local(e.time)));
    }
    if ip_new {
        score.add(1, format!("created from {}, an IP the principal never used before", store.str(e.source_ip)));
    }
    if !public.is_empty() {
        score.add(2, format!("public access requested ({})", public.join(", ")));
    }
    if let Some(g) = wide.first() {
        let more = if wide.len() > 1 { format!(" (and {} more)", wide.len() - 1) } else { String::new() };
        score.add(2, format!("access to the bucket {}: {} {}{more}", g.reach.as_str(), g.grant.member, g.grant.access));
    }
    let (severity, severity_reasons) = score.finish();
    let history = history_before(store, e.principal, e.time);
    let summary = format!(
        "{principal} created bucket {bucket} at {}{} from {}{}; {} later event(s) on it",
        cfg.hours.local(e.time),
        if off_hours { " (outside business hours)" } else { "" },
        store.str(e.source_ip),
        if ip_new { " (new IP)" } else { "" },
        later.len()
    );
    let facts = vec![
        ("who".into(), format!("{principal} ({})", e.principal_kind.as_str())),
        ("what".into(), format!("{} created {bucket}", store.str(e.operation))),
        ("when".into(), super::profile::when(cfg, e)),
        ("from where".into(), super::profile::from_where(store, e, novelty)),
        ("region".into(), store.str(e.region).to_string()),
        ("public access".into(), if public.is_empty() { "none requested".into() } else { public.join(", ") }),
        ("access".into(), grants::facts_line(store, &granted, "no access change on the bucket in the loaded logs")),
        ("later activity".into(), format!("{} event(s) by {} principal(s)", later.len(), writers.len())),
        ("baseline".into(), format!("{}; {}", history.describe(), cfg.describe_from(start))),
    ];
    let mut evidence = vec![Evidence::new(trigger, Pivot::Trigger, "trigger: the bucket creation")];
    evidence
        .extend(later.iter().take(30).map(|&i| Evidence::new(i, Pivot::BucketActivity, "activity in the new bucket")));
    let base = Alert::base(SPEC.name, e, principal, SPEC.title.into(), &[&bucket]);
    Alert {
        severity,
        severity_reasons,
        key: vec![("bucket".into(), bucket.clone())],
        summary,
        evidence,
        mitre: if public.is_empty() && wide.is_empty() { vec![] } else { vec!["T1537"] },
        facts,
        enrichment: json!({
            "bucket": bucket,
            "off_hours": off_hours,
            "local_time": cfg.hours.local(e.time),
            "source_ip": store.str(e.source_ip),
            "source_ip_new": ip_new,
            "source_ip_new_since": novelty.fields().1,
            "detection_start": format_rfc3339(start),
            "public_access": public,
            "grants": grants::to_json(store, &granted),
            "later_events": later.len(),
            "later_principals": writers,
            "in_learning_period": e.time < start,
        }),
        ..base
    }
}
