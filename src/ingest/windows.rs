//! Windows Security events: Log Analytics `SecurityEvent` rows (flattened columns, also inside a
//! query API answer `{"data":[…]}`), and the nested `System` / `EventData` JSON written by evtx
//! converters (`#attributes`, `@Name`/`#text` shapes) and event forwarders.
//!
//! The principal is the `Account` column, else the target account for logon events and the
//! subject account otherwise; the process is `NewProcessName`, else `ProcessName`. Rows of other
//! Log Analytics tables are counted as ignored.

use super::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Event IDs whose `Target*` fields name the account that acted (logons and logoffs).
const TARGET_IS_ACTOR: [u32; 7] = [4624, 4625, 4634, 4647, 4648, 4672, 4778];

/// Event IDs that record a failure.
const FAILURE_IDS: [u32; 4] = [4625, 4771, 4776, 4656];

/// Principal kind of a Windows account name.
pub fn principal_kind(account: &str) -> PrincipalKind {
    let name = account.rsplit('\\').next().unwrap_or(account).to_ascii_uppercase();
    if name.ends_with('$') || ["SYSTEM", "LOCAL SERVICE", "NETWORK SERVICE", "ANONYMOUS LOGON"].contains(&name.as_str())
    {
        PrincipalKind::Service
    } else if name.is_empty() || name == "-" {
        PrincipalKind::Unknown
    } else {
        PrincipalKind::User
    }
}

fn join_account(domain: &str, user: &str) -> String {
    match (domain.trim(), user.trim()) {
        (_, "" | "-") => String::new(),
        ("" | "-", u) => u.to_string(),
        (d, u) => format!("{d}\\{u}"),
    }
}

fn clean(s: &str) -> &str {
    let s = s.trim();
    if s == "-" { "" } else { s }
}

struct Fields {
    time: Option<String>,
    event_id: u32,
    computer: String,
    account: String,
    provider: String,
    process: String,
    ip: String,
    object: String,
    status: String,
}

pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    if let Some(t) = p.Type.non_empty()
        && t != "SecurityEvent"
        && p.System.is_none()
    {
        return Ok(Parsed::Ignored(format!("log analytics: {t} row")));
    }
    let f = if p.TimeGenerated.is_some() && p.System.is_none() { flat(&p)? } else { nested(&p)? };
    let time = require_time(
        if p.TimeGenerated.is_some() { "TimeGenerated" } else { "System.TimeCreated" },
        f.time.as_deref(),
    )?;
    let outcome =
        if FAILURE_IDS.contains(&f.event_id) && f.status != "0x0" { Outcome::Failure } else { Outcome::Success };
    let kind = principal_kind(&f.account);
    Ok(Parsed::Event(Box::new(Draft {
        time,
        cloud: Some(Cloud::Windows),
        principal_kind: Some(kind),
        outcome: Some(outcome),
        principal: Cow::Owned(f.account),
        service: Cow::Owned(if f.provider.is_empty() {
            "Microsoft-Windows-Security-Auditing".into()
        } else {
            f.provider
        }),
        operation: Cow::Owned(f.event_id.to_string()),
        resource: Cow::Owned(f.object),
        source_ip: Cow::Owned(f.ip),
        status: Cow::Owned(f.status),
        computer: Cow::Owned(f.computer),
        process: Cow::Owned(f.process),
        ..Draft::default()
    })))
}

fn parse_id(s: &str) -> Result<u32, String> {
    s.trim().parse().map_err(|_| format!("EventID is not a number: {:?}", crate::text::clip(s, 20)))
}

fn flat(p: &Probe<'_>) -> Result<Fields, String> {
    let event_id = parse_id(p.EventID.as_str())?;
    let account = match p.Account.non_empty().map(clean).filter(|s| !s.is_empty()) {
        Some(a) => a.to_string(),
        None if TARGET_IS_ACTOR.contains(&event_id) => {
            join_account(p.TargetDomainName.as_str(), p.TargetUserName.as_str())
        }
        None => join_account(p.SubjectDomainName.as_str(), p.SubjectUserName.as_str()),
    };
    let process = [p.NewProcessName.as_str(), p.ProcessName.as_str()]
        .into_iter()
        .map(clean)
        .find(|s| !s.is_empty())
        .unwrap_or("");
    Ok(Fields {
        time: p.TimeGenerated.as_deref().map(str::to_string),
        event_id,
        computer: p.Computer.as_str().to_string(),
        account,
        provider: p.EventSourceName.as_str().to_string(),
        process: process.to_string(),
        ip: clean(p.IpAddress.as_str()).to_string(),
        object: clean(p.ObjectName.as_str()).to_string(),
        status: p.status.as_str().to_string(),
    })
}

/// Text of a node in any converter's shape: a scalar, `{"#text": …}`, `{"Value": …}`.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Object(m) => {
            ["#text", "Value", "value", "$", "#value"].iter().find_map(|k| m.get(*k)).map(text_of).unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// An attribute in any converter's shape: `{"#attributes": {k}}`, `{"@k"}`, `{"k"}`.
fn attr(v: Option<&Value>, key: &str) -> String {
    let Some(Value::Object(m)) = v else {
        return v.map(text_of).unwrap_or_default();
    };
    if let Some(Value::Object(a)) = m.get("#attributes")
        && let Some(x) = a.get(key)
    {
        return text_of(x);
    }
    m.get(&format!("@{key}")).or_else(|| m.get(key)).map(text_of).unwrap_or_default()
}

/// `EventData` as name → value, from a plain object or a `Data` list of named items.
fn event_data(v: Option<&Value>) -> Map<String, Value> {
    let Some(Value::Object(m)) = v else {
        return Map::new();
    };
    let items = match m.get("Data") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => return m.clone(),
    };
    let mut out = Map::new();
    for item in items {
        let name = attr(Some(&item), "Name");
        if !name.is_empty() {
            out.insert(name, Value::String(text_of(&item)));
        }
    }
    out
}

fn nested(p: &Probe<'_>) -> Result<Fields, String> {
    let parse = |r: Option<&serde_json::value::RawValue>| -> Result<Option<Value>, String> {
        r.map(|r| serde_json::from_str::<Value>(r.get()).map_err(|e| super::frame::json_reason(&e))).transpose()
    };
    let event = parse(p.Event)?;
    let system = parse(p.System)?.or_else(|| event.as_ref().and_then(|e| e.get("System").cloned()));
    let data_v = parse(p.EventData)?.or_else(|| event.as_ref().and_then(|e| e.get("EventData").cloned()));
    let Some(system) = system else {
        return Err("Windows event without a System section".into());
    };
    let data = event_data(data_v.as_ref());
    let get = |k: &str| data.get(k).map(text_of).map(|s| clean(&s).to_string()).unwrap_or_default();
    let event_id = parse_id(&text_of(system.get("EventID").unwrap_or(&Value::Null)))?;
    let time = match system.get("TimeCreated") {
        Some(Value::String(s)) => Some(s.clone()),
        other => Some(attr(other, "SystemTime")).filter(|s| !s.is_empty()),
    };
    let account = if TARGET_IS_ACTOR.contains(&event_id) {
        join_account(&get("TargetDomainName"), &get("TargetUserName"))
    } else {
        join_account(&get("SubjectDomainName"), &get("SubjectUserName"))
    };
    let process = [get("NewProcessName"), get("ProcessName")].into_iter().find(|s| !s.is_empty()).unwrap_or_default();
    Ok(Fields {
        time,
        event_id,
        computer: system.get("Computer").map(text_of).unwrap_or_default(),
        account,
        provider: attr(system.get("Provider"), "Name"),
        process,
        ip: get("IpAddress"),
        object: get("ObjectName"),
        status: get("Status"),
    })
}
