//! Azure: the operation catalogue ([`Op`]), the Azure principals and their habits
//! ([`roster`]), and the writers of three diagnostic-settings streams, each as hourly
//! `PT1H.json` blobs under `azure/{activity,keyvault,signin}/y=YYYY/m=MM/d=DD/h=HH/`:
//! Activity Log records (Start + Success/Failure pairs sharing a correlationId,
//! `identity.claims`), Key Vault `AuditEvent` records (`identity.claim`, singular) and Entra
//! `SignInLogs` records (`identity` a display name). Most hours hold one record per line, as
//! Azure writes to storage (Activity ids then UPPER case, as in the real export); some hours
//! are a single one-line `{"records":[…]}` document (as Event Hubs delivers it) with mixed-case
//! ids — both forms exist in the wild. Every third day's sign-ins are written as a Microsoft
//! Graph page of `signIn` objects instead (the Entra portal's "Download JSON" and the API's form).

use crate::generate::CloudWorld;
use crate::generate::org::Slot;
use crate::generate::util::*;
mod render;
mod roster;

pub(crate) use roster::{CORE, roster};

use anyhow::Result;
use std::path::Path;

pub(crate) const SUB: &str = "6f1c2b7e-3d4a-4c59-9e21-8b7a0d3f5c14";
const TENANT: &str = "a3d9e8f1-2c4b-4f6a-8e1d-7b5c9a0f2e63";

/// Azure operations the generator knows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    VmWrite,
    VmStart,
    VmRestart,
    VmDeallocate,
    VmRunCommand,
    SiteWrite,
    SiteRestart,
    StorageListKeys,
    DeploymentWrite,
    NsgRuleWrite,
    KvSecretGet,
    KvSecretList,
    KvKeyGet,
    KvKeyList,
    KvKeyEncrypt,
    KvKeyDecrypt,
    KvVaultGet,
    KvKeyCreate,
    SignIn,
}

const ALL: [Op; 19] = [
    Op::VmWrite,
    Op::VmStart,
    Op::VmRestart,
    Op::VmDeallocate,
    Op::VmRunCommand,
    Op::SiteWrite,
    Op::SiteRestart,
    Op::StorageListKeys,
    Op::DeploymentWrite,
    Op::NsgRuleWrite,
    Op::KvSecretGet,
    Op::KvSecretList,
    Op::KvKeyGet,
    Op::KvKeyList,
    Op::KvKeyEncrypt,
    Op::KvKeyDecrypt,
    Op::KvVaultGet,
    Op::KvKeyCreate,
    Op::SignIn,
];

/// Output stream of an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Activity,
    KeyVault,
    SignIn,
}

impl Op {
    pub(crate) fn code(self) -> u16 {
        self as u16
    }
    fn from_code(c: u16) -> Op {
        ALL.get(usize::from(c)).copied().unwrap_or(Op::SignIn)
    }
    fn stream(self) -> Stream {
        match self as u16 {
            x if x < Op::KvSecretGet as u16 => Stream::Activity,
            x if x < Op::SignIn as u16 => Stream::KeyVault,
            _ => Stream::SignIn,
        }
    }
    /// Activity: (operationName, legacy category, RBAC role, success status code).
    fn activity(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Op::VmWrite => ("Microsoft.Compute/virtualMachines/write", "Write", "Virtual Machine Contributor", "OK"),
            Op::VmStart => {
                ("Microsoft.Compute/virtualMachines/start/action", "Action", "Virtual Machine Contributor", "Accepted")
            }
            Op::VmRestart => (
                "Microsoft.Compute/virtualMachines/restart/action",
                "Action",
                "Virtual Machine Contributor",
                "Accepted",
            ),
            Op::VmDeallocate => (
                "Microsoft.Compute/virtualMachines/deallocate/action",
                "Action",
                "Virtual Machine Contributor",
                "Accepted",
            ),
            Op::VmRunCommand => (
                "Microsoft.Compute/virtualMachines/runCommand/action",
                "Action",
                "Virtual Machine Contributor",
                "Accepted",
            ),
            Op::SiteWrite => ("Microsoft.Web/sites/write", "Write", "Website Contributor", "OK"),
            Op::SiteRestart => ("Microsoft.Web/sites/restart/action", "Action", "Website Contributor", "OK"),
            Op::StorageListKeys => {
                ("Microsoft.Storage/storageAccounts/listKeys/action", "Action", "Storage Account Contributor", "OK")
            }
            Op::DeploymentWrite => ("Microsoft.Resources/deployments/write", "Write", "Contributor", "Created"),
            Op::NsgRuleWrite => (
                "Microsoft.Network/networkSecurityGroups/securityRules/write",
                "Write",
                "Network Contributor",
                "Created",
            ),
            _ => ("", "", "", ""),
        }
    }
    fn kv_name(self) -> &'static str {
        match self {
            Op::KvSecretGet => "SecretGet",
            Op::KvSecretList => "SecretList",
            Op::KvKeyGet => "KeyGet",
            Op::KvKeyList => "KeyList",
            Op::KvKeyEncrypt => "KeyEncrypt",
            Op::KvKeyDecrypt => "KeyDecrypt",
            Op::KvVaultGet => "VaultGet",
            _ => "KeyCreate",
        }
    }
}

/// Records one call of `op` produces (Activity writes Start + Success).
pub(crate) fn records_of(op: u16) -> u8 {
    if Op::from_code(op).stream() == Stream::Activity { 2 } else { 1 }
}

/// `/subscriptions/<sub>/resourceGroups/<rg>/providers/<path>`.
pub(crate) fn rid(rg: &str, path: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/{path}")
}
pub(crate) fn vault_rid(name: &str) -> String {
    rid(if name.contains("sec") { "sec-rg" } else { "prod-rg" }, &format!("Microsoft.KeyVault/vaults/{name}"))
}
/// `https://<vault>.vault.azure.net/<path>/<version>` with a stable version per object.
pub(crate) fn kv_object_id(vault: &str, path: &str) -> String {
    let v = hash_str(&format!("{vault}/{path}"));
    format!("https://{vault}.vault.azure.net/{path}/{:016x}{:016x}", v, mix(v))
}

const PORTAL: (&str, &str) = ("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c");
const OFFICE: (&str, &str) = ("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c");
const CLI_APP: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";

/// Time between an operation's Start and its Success/Failure record.
fn duration(id: u64) -> i64 {
    (1 + (id >> 8) % 40) as i64 * SEC + (id % 999_983) as i64
}

/// Writes day `d`: the calls are expanded into records, split by stream and hour.
pub(crate) fn write_day(w: &CloudWorld, d: u32, out: &Path) -> Result<Stats> {
    let day_end = (w.span.day_start(d) + DAY).min(w.span.end) - 1;
    let mut streams: [Vec<Slot>; 3] = [vec![], vec![], vec![]];
    for s in w.day_items(d) {
        let op = Op::from_code(w.call(&s).op);
        match op.stream() {
            Stream::Activity => {
                streams[0].push(Slot { phase: 1, ..s });
                streams[0].push(Slot { phase: 2, t: (s.t + duration(s.id)).min(day_end), ..s });
            }
            Stream::KeyVault => streams[1].push(s),
            Stream::SignIn => streams[2].push(s),
        }
    }
    let mut total = Stats::default();
    for (k, items) in streams.iter_mut().enumerate() {
        items.sort_unstable_by_key(|s| (s.t, s.id, s.phase));
        total.add(write_stream(w, d, k, items, out)?);
    }
    Ok(total)
}

fn write_stream(w: &CloudWorld, d: u32, k: usize, items: &[Slot], out: &Path) -> Result<Stats> {
    let dir = ["azure/activity", "azure/keyvault", "azure/signin"][k];
    let mut total = Stats::default();
    let mut b = Vec::with_capacity(1 << 16);
    let mut i = 0;
    while i < items.len() {
        let hour = (items[i].t - w.span.day_start(d)) / HOUR;
        let j =
            items[i..].iter().position(|s| (s.t - w.span.day_start(d)) / HOUR != hour).map_or(items.len(), |n| i + n);
        let records_form =
            hash(&[w.seed, k as u64, u64::from(d), hour as u64, 0xa2]).is_multiple_of(if k == 1 { 4 } else { 6 });
        let mut name = Vec::with_capacity(64);
        raw(&mut name, dir);
        let c = civil(items[i].t);
        raw(&mut name, "/y=");
        push_pad(&mut name, c.y.max(0) as u64, 4);
        raw(&mut name, "/m=");
        push_pad(&mut name, u64::from(c.mo), 2);
        raw(&mut name, "/d=");
        push_pad(&mut name, u64::from(c.d), 2);
        raw(&mut name, "/h=");
        push_pad(&mut name, u64::from(c.h), 2);
        raw(&mut name, "/PT1H.json");
        let mut sink = Sink::create(out, &String::from_utf8_lossy(&name), w.gzip)?;
        // Every third day's sign-ins come as the Entra portal's and Graph's form: a page of
        // `signIn` objects.
        if k == 2 && d % 3 == 2 {
            let mut page = Vec::with_capacity(1 << 16);
            for s in &items[i..j] {
                render::signin_record(&mut page, &w.call(s));
                page.push(b'\n');
                sink.records += 1;
            }
            sink.write(&graph_page(&page))?;
            total.add(sink.finish()?);
            i = j;
            continue;
        }
        if records_form {
            raw(&mut b, "{\"records\":[");
        }
        for (n, s) in items[i..j].iter().enumerate() {
            if records_form && n > 0 {
                b.push(b',');
            }
            let call = w.call(s);
            match k {
                0 => render::activity(&mut b, &call, records_form),
                1 => render::keyvault(&mut b, &call),
                _ => render::signin_record(&mut b, &call),
            }
            if !records_form {
                b.push(b'\n');
            }
            sink.records += 1;
            if b.len() > 60_000 {
                sink.write(&b)?;
                b.clear();
            }
        }
        if records_form {
            raw(&mut b, "]}\n");
        }
        sink.write(&b)?;
        b.clear();
        total.add(sink.finish()?);
        i = j;
    }
    Ok(total)
}

/// Diagnostic `SignInLogs` records (one per line) as a Microsoft Graph page of `signIn` objects:
/// the record's `properties` are the signIn resource; Graph adds `status` from the result.
fn graph_page(lines: &[u8]) -> Vec<u8> {
    use serde_json::{Value, json};
    let value: Vec<Value> = lines
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
        .map(|rec| {
            let mut p = rec["properties"].clone();
            let code: i64 = rec["resultType"].as_str().and_then(|c| c.parse().ok()).unwrap_or(0);
            let reason = if code == 0 { "Other." } else { rec["resultDescription"].as_str().unwrap_or("") };
            p["status"] = json!({"errorCode": code, "failureReason": reason, "additionalDetails": null});
            p
        })
        .collect();
    let page =
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns", "value": value});
    let mut out = serde_json::to_vec(&page).unwrap_or_default();
    out.push(b'\n');
    out
}
