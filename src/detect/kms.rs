//! `kms-key-created`: every successful key creation (GCP `CreateCryptoKey`, AWS KMS `CreateKey`,
//! Azure Key Vault `KeyCreate` / `KeyImport` and `Microsoft.KeyVault/vaults/keys/write`), with the
//! evidence the alert guide sends an investigator to find: who and when (and whether outside
//! business hours), other keys the same principal created within 24 h, later use of the key, IAM
//! changes on the key or its ring / vault, rotation settings, and every source IP marked new or
//! known for the creator.
//!
//! Key creations are events, not anomalies: they alert whether or not they fall in the learning
//! period. Request details (key name, rotation) come from the facts loading extracted for the few
//! creation events ([`EventStore::facts`]); the detector reads no file.

use super::grants;
use super::profile::{Novelty, history_before, ip_novelty};
use super::score::Score;
use super::{Alert, Config, Evidence, Pivot, call_positions};
use crate::model::{Cloud, Event, Outcome, RequestFacts, Sym};
use crate::store::EventStore;
use crate::time::{DAY_US, format_rfc3339};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Key creations need their request details (key name, rotation, vault).
fn wants(store: &EventStore) -> Vec<u32> {
    creations(store)
}

/// Positions of the successful key creations, in time order.
fn creations(store: &EventStore) -> Vec<u32> {
    call_positions(store, is_creation_call, |e| e.outcome == Outcome::Success)
}

/// Is this call (cloud, service, operation) a key creation?
fn is_creation_call(cloud: Cloud, service: &str, op: &str) -> bool {
    match cloud {
        Cloud::Gcp => op.ends_with("KeyManagementService.CreateCryptoKey"),
        Cloud::Aws => op == "CreateKey" && service == "kms.amazonaws.com",
        Cloud::Azure => {
            op.eq_ignore_ascii_case("KeyCreate")
                || op.eq_ignore_ascii_case("KeyImport")
                || op.eq_ignore_ascii_case("Microsoft.KeyVault/vaults/keys/write")
        }
        Cloud::Windows => false,
    }
}

const GCP_USE: [&str; 8] = [
    ".Encrypt",
    ".Decrypt",
    ".AsymmetricSign",
    ".AsymmetricDecrypt",
    ".MacSign",
    ".MacVerify",
    ".RawEncrypt",
    ".RawDecrypt",
];
const AWS_USE: [&str; 8] =
    ["Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "Sign", "Verify", "GenerateMac", "VerifyMac"];
const AZURE_USE: [&str; 6] = ["KeyEncrypt", "KeyDecrypt", "KeySign", "KeyVerify", "KeyWrap", "KeyUnwrap"];

/// The created key's identity: its name, and the ring or vault that scopes IAM on it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyId {
    pub name: String,
    pub scope: String,
}

/// Works out which key an event created, from its request details (extracted at load).
pub fn key_of(store: &EventStore, e: &Event, facts: Option<&RequestFacts>) -> KeyId {
    let resource = store.str(e.resource).to_string();
    let get = |path: &str| facts.and_then(|f| f.get(path));
    match e.cloud {
        Cloud::Gcp => {
            let name = get("protoPayload.response.name")
                .map(str::to_string)
                .filter(|n| n.contains("/cryptoKeys/"))
                .or_else(|| resource.contains("/cryptoKeys/").then(|| resource.clone()))
                .or_else(|| {
                    let parent = get("protoPayload.request.parent")?;
                    let id = get("protoPayload.request.cryptoKeyId")?;
                    Some(format!("{parent}/cryptoKeys/{id}"))
                })
                .unwrap_or(resource);
            let name = match name.find("/cryptoKeyVersions/") {
                Some(p) => name[..p].to_string(),
                None => name,
            };
            let scope = name.split("/cryptoKeys/").next().unwrap_or(&name).to_string();
            KeyId { name, scope }
        }
        Cloud::Aws => KeyId { name: resource.clone(), scope: resource },
        _ => {
            let vault = get("resourceId").unwrap_or(&resource).to_string();
            let name = super::first_seen::resource_key(Cloud::Azure, &resource);
            KeyId { name, scope: vault.to_lowercase() }
        }
    }
}

fn is_use(store: &EventStore, e: &Event, key: &KeyId) -> bool {
    let op = store.str(e.operation);
    let res = store.str(e.resource);
    match e.cloud {
        Cloud::Gcp => res.starts_with(&key.name) && GCP_USE.iter().any(|u| op.ends_with(u)),
        Cloud::Aws => res == key.name && AWS_USE.iter().any(|u| op.starts_with(u)),
        Cloud::Azure => {
            res.to_lowercase().starts_with(&key.name) && AZURE_USE.iter().any(|u| op.eq_ignore_ascii_case(u))
        }
        Cloud::Windows => false,
    }
}

fn is_iam(store: &EventStore, e: &Event, key: &KeyId) -> bool {
    let op = store.str(e.operation);
    let res = store.str(e.resource);
    match e.cloud {
        Cloud::Gcp => op.ends_with("SetIamPolicy") && (res.starts_with(&key.name) || res == key.scope),
        Cloud::Aws => res == key.name && ["PutKeyPolicy", "CreateGrant", "RevokeGrant", "RetireGrant"].contains(&op),
        Cloud::Azure => {
            let l = op.to_ascii_lowercase();
            (l.contains("accesspolicies")
                || l.contains("roleassignments/write")
                || l == "vaultpatch"
                || l == "vaultput")
                && res.to_lowercase().starts_with(&key.scope)
        }
        Cloud::Windows => false,
    }
}

fn is_rotation(store: &EventStore, e: &Event, key: &KeyId) -> bool {
    let op = store.str(e.operation);
    let res = store.str(e.resource);
    match e.cloud {
        Cloud::Gcp => {
            res.starts_with(&key.name) && (op.ends_with("UpdateCryptoKey") || op.ends_with("CreateCryptoKeyVersion"))
        }
        Cloud::Aws => res == key.name && ["EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand"].contains(&op),
        Cloud::Azure => res.to_lowercase().starts_with(&key.name) && (op.contains("Rotat") || op.contains("rotat")),
        Cloud::Windows => false,
    }
}

/// Rotation settings in the creation request, if any.
fn rotation_in_request(facts: Option<&RequestFacts>) -> Option<String> {
    let f = facts?;
    let period = f.get("protoPayload.request.cryptoKey.rotationPeriod");
    let next = f.get("protoPayload.request.cryptoKey.nextRotationTime");
    match (period, next) {
        (None, None) => None,
        (p, n) => Some(format!(
            "rotationPeriod {}{}",
            p.map(describe_period).unwrap_or_else(|| "not set".into()),
            n.map(|n| format!(", nextRotationTime {n}")).unwrap_or_default()
        )),
    }
}

fn describe_period(p: &str) -> String {
    match p.trim_end_matches('s').parse::<f64>() {
        Ok(secs) => format!("{p} ({:.0} days)", secs / 86_400.0),
        Err(_) => p.to_string(),
    }
}

/// The detector's registry entry.
pub(super) const SPEC: super::DetectorSpec = super::DetectorSpec {
    name: "kms-key-created",
    short: "kms-key",
    title: "New Cloud KMS Key Created",
    playbook: include_str!("../../assets/playbooks/kms-key-created.toml"),
    pass: super::Pass::Own(detect),
    wants: Some(wants),
};

pub(super) fn detect(store: &EventStore, cfg: &Config, start: i64) -> Vec<Alert> {
    let events = store.events();
    let creations = creations(store);
    let org = grants::LazyOrg::new();
    let from = cfg.alert_from(start);
    creations
        .iter()
        .filter(|&&i| events[i as usize].time >= from)
        .map(|&i| build(store, cfg, start, &org, i, &creations))
        .collect()
}

struct Related {
    uses: Vec<u32>,
    iam: Vec<u32>,
    rotation: Vec<u32>,
}

fn related(store: &EventStore, trigger: u32, key: &KeyId) -> Related {
    let mut r = Related { uses: Vec::new(), iam: Vec::new(), rotation: Vec::new() };
    let events = store.events();
    for (i, e) in events.iter().enumerate().skip(trigger as usize + 1) {
        if e.cloud != events[trigger as usize].cloud {
            continue;
        }
        if is_use(store, e, key) {
            r.uses.push(i as u32);
        } else if is_iam(store, e, key) {
            r.iam.push(i as u32);
        } else if is_rotation(store, e, key) {
            r.rotation.push(i as u32);
        }
    }
    r
}

fn build(
    store: &EventStore,
    cfg: &Config,
    start: i64,
    org: &grants::LazyOrg,
    trigger: u32,
    creations: &[u32],
) -> Alert {
    let events = store.events();
    let e = &events[trigger as usize];
    let facts = store.facts(trigger);
    let key = key_of(store, e, facts);
    let principal = store.str(e.principal).to_string();
    let rel = related(store, trigger, &key);
    let others: Vec<u32> = creations
        .iter()
        .copied()
        .filter(|&c| {
            c != trigger
                && events[c as usize].principal == e.principal
                && (events[c as usize].time - e.time).abs() <= DAY_US
        })
        .collect();

    // Source IPs of the creation, the key's use and IAM changes, each new or known for the creator.
    let mut ips: BTreeMap<Sym, (Novelty, Vec<&'static str>)> = BTreeMap::new();
    for (list, role) in [(&vec![trigger], "creation"), (&rel.uses, "key use"), (&rel.iam, "IAM change")] {
        for &i in list {
            let ev = &events[i as usize];
            if ev.source_ip.is_empty() {
                continue;
            }
            let novelty = ip_novelty(store, e.principal, ev.source_ip, e.time, start);
            let entry = ips.entry(ev.source_ip).or_insert((novelty, Vec::new()));
            if !entry.1.contains(&role) {
                entry.1.push(role);
            }
        }
    }
    // Who was given access: the creation's own key policy, then every later change.
    let changes: Vec<u32> = std::iter::once(trigger).chain(rel.iam.iter().copied()).collect();
    let granted = grants::made_by(store, org, &changes);
    let wide: Vec<&grants::Granted> = granted.iter().map(|(_, g)| g).filter(|g| g.opens_wide()).collect();
    let rotation_req = rotation_in_request(facts);
    let off_hours = cfg.hours.off_hours(e.time);

    let mut score = Score::base(1, "a KMS key was created");
    if off_hours {
        score.add(1, format!("created outside business hours ({})", cfg.hours.local(e.time)));
    }
    if !others.is_empty() {
        score.add(1, format!("{} other key(s) created by the same principal within 24 h", others.len()));
    }
    if !rel.iam.is_empty() {
        score.add(1, format!("{} IAM change(s) on the key or its ring/vault", rel.iam.len()));
    }
    if let Some(g) = wide.first() {
        let more = if wide.len() > 1 { format!(" (and {} more)", wide.len() - 1) } else { String::new() };
        score.add(2, format!("access to the key {}: {} {}{more}", g.reach.as_str(), g.grant.member, g.grant.access));
    }
    if rotation_req.is_none() && rel.rotation.is_empty() {
        score.add(1, "no rotation configured");
    }
    if ip_novelty(store, e.principal, e.source_ip, e.time, start).is_new() {
        score.add(1, format!("created from {}, an IP the principal never used before", store.str(e.source_ip)));
    }
    let new_use_ips = ips.iter().filter(|(_, (n, roles))| n.is_new() && roles.contains(&"key use")).count();
    if new_use_ips > 0 {
        score.add(1, format!("key used from {new_use_ips} IP(s) new to the creator"));
    }
    let (severity, severity_reasons) = score.finish();

    let users: std::collections::BTreeSet<&str> =
        rel.uses.iter().map(|&i| store.str(events[i as usize].principal)).collect();
    let use_summary = match (rel.uses.first(), rel.uses.last()) {
        (Some(&f), Some(&l)) => json!({
            "count": rel.uses.len(),
            "by": users,
            "first": format_rfc3339(events[f as usize].time),
            "last": format_rfc3339(events[l as usize].time),
            "operations": rel.uses.iter().map(|&i| store.str(events[i as usize].operation)).collect::<std::collections::BTreeSet<_>>(),
        }),
        _ => json!({ "count": 0 }),
    };
    let rotation = match (&rotation_req, rel.rotation.first()) {
        (Some(r), _) => format!("set in the creation request: {r}"),
        (None, Some(&i)) => {
            format!("{} at {}", store.str(events[i as usize].operation), format_rfc3339(events[i as usize].time))
        }
        (None, None) => "none: the request sets no rotation and no later rotation change was seen".into(),
    };
    let ip_list: Vec<Value> = ips
        .iter()
        .map(|(ip, (novelty, roles))| {
            let (known, since) = novelty.fields();
            let mut v = json!({ "ip": store.str(*ip), "known": known, "seen_in": roles });
            if let Some(t) = since {
                v["new_since"] = json!(t);
            }
            v
        })
        .collect();
    let history = history_before(store, e.principal, e.time);
    let summary = format!(
        "{principal} created KMS key {} at {}{}; used {} time(s) since, {} IAM change(s), rotation {}",
        key.name,
        cfg.hours.local(e.time),
        if off_hours { " (outside business hours)" } else { "" },
        rel.uses.len(),
        rel.iam.len(),
        if rotation_req.is_some() || !rel.rotation.is_empty() { "configured" } else { "not configured" }
    );
    let facts = vec![
        ("who".into(), format!("{principal} ({})", e.principal_kind.as_str())),
        ("what".into(), format!("{} created {}", store.str(e.operation), key.name)),
        (
            "when".into(),
            format!(
                "{} ({}){}",
                format_rfc3339(e.time),
                cfg.hours.local(e.time),
                if off_hours { ", outside business hours" } else { "" }
            ),
        ),
        ("from where".into(), format!("{} · {}", store.str(e.source_ip), store.str(e.user_agent))),
        ("key use".into(), format!("{} use(s) by {} principal(s)", rel.uses.len(), users.len())),
        ("IAM changes".into(), rel.iam.len().to_string()),
        (
            "access".into(),
            grants::facts_line(store, &granted, "no access change on the key or its ring / vault in the loaded logs"),
        ),
        ("rotation".into(), rotation.clone()),
        ("other keys within 24 h".into(), others.len().to_string()),
        ("baseline".into(), format!("{}; {}", history.describe(), cfg.describe_from(start))),
    ];
    let mut evidence =
        vec![Evidence::new(trigger, Pivot::Trigger, "trigger: the key creation (who created it and when)")];
    evidence.extend(
        others
            .iter()
            .map(|&i| Evidence::new(i, Pivot::OtherKeys, "another key created by the same principal within 24 h")),
    );
    evidence.extend(
        rel.iam
            .iter()
            .take(20)
            .map(|&i| Evidence::new(i, Pivot::IamChanges, "IAM change on the key or its ring / vault")),
    );
    evidence.extend(rel.rotation.iter().take(5).map(|&i| Evidence::new(i, Pivot::Rotation, "rotation setting change")));
    evidence.extend(rel.uses.iter().take(30).map(|&i| Evidence::new(i, Pivot::KeyUse, "use of the key")));
    let mut mitre = Vec::new();
    if !rel.iam.is_empty() || !wide.is_empty() {
        mitre.push("T1098");
    }
    if new_use_ips > 0 {
        mitre.push("T1486");
    }
    let enrichment = json!({
        "key": key.name,
        "key_scope": key.scope,
        "off_hours": off_hours,
        "local_time": cfg.hours.local(e.time),
        "other_keys_24h": others.iter().map(|&i| super::event_ref(store, &events[i as usize])).collect::<Vec<_>>(),
        "use": use_summary,
        "iam_changes": rel.iam.iter().map(|&i| super::event_ref(store, &events[i as usize])).collect::<Vec<_>>(),
        "grants": grants::to_json(store, &granted),
        "rotation": rotation,
        "source_ips": ip_list,
        "in_learning_period": e.time < start,
    });
    let base = Alert::base(SPEC.name, e, principal, SPEC.title.into(), &[&key.name]);
    Alert {
        severity,
        severity_reasons,
        key: vec![("key".into(), key.name.clone())],
        summary,
        evidence,
        mitre,
        facts,
        enrichment,
        ..base
    }
}
