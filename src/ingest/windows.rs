//! Windows events, whatever carried them: Log Analytics `SecurityEvent` rows (flattened columns,
//! also inside a query API answer `{"data":[…]}`), the nested `System` / `EventData` JSON of evtx
//! converters (`#attributes`, `@Name`/`#text` shapes; also what [`super::evtx`] renders from a
//! native `.evtx` file), Winlogbeat / Elastic Agent documents (`winlog.*`, ECS `process.*`), and
//! the flat JSON lines of NXLog and the OTRF security datasets (`EventID`, `Channel`, `Hostname`
//! and the EventData fields at the top level).
//!
//! Every envelope is reduced to one [`Envelope`] (channel, event ID, provider, computer, time and
//! the EventData fields by name), and one rule decides what becomes an event: Security-channel
//! events, and Sysmon process creation (Event ID 1). Events of other channels (PowerShell, System,
//! other Sysmon IDs …) are counted as ignored by kind, `windows: CHANNEL ID`. The principal is the
//! `Account` column, else the target account for logon events and the subject account otherwise
//! (Sysmon: `User`); the process is `NewProcessName` / `Image`, its parent `ParentProcessName` /
//! `ParentImage`. Rows of other Log Analytics tables are counted as ignored.

use super::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind, SYSMON_PROVIDER, UNKNOWN_PRINCIPAL};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Event IDs whose `Target*` fields name the account that acted (logons and logoffs, Kerberos
/// and NTLM authentication of an account).
const TARGET_IS_ACTOR: [u32; 11] = [4624, 4625, 4634, 4647, 4648, 4672, 4778, 4768, 4769, 4771, 4776];

/// Event IDs that record a failure when their `Status` is not `0x0` (4625 always does), read
/// when the record carries no audit keywords.
const FAILURE_IDS: [u32; 4] = [4625, 4771, 4776, 4656];

/// Audit keyword bits (`Keywords` of the System section).
const AUDIT_FAILURE: u64 = 0x0010_0000_0000_0000;
const AUDIT_SUCCESS: u64 = 0x0020_0000_0000_0000;

/// The Security channel and its provider.
const SECURITY: &str = "Security";
const SECURITY_PROVIDER: &str = "Microsoft-Windows-Security-Auditing";

/// The Sysmon channel.
const SYSMON_CHANNEL: &str = "Microsoft-Windows-Sysmon/Operational";

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
    match (clean(domain), clean(user)) {
        (_, "") => String::new(),
        ("", u) => u.to_string(),
        (_, u) if u.contains('\\') => u.to_string(),
        (d, u) => format!("{d}\\{u}"),
    }
}

/// A field's value, or empty for Windows' `-` placeholder and for the error values a
/// spreadsheet leaves in a CSV it re-saved (`#NAME?`, `#VALUE!` …: not names of anyone).
fn clean(s: &str) -> &str {
    let s = s.trim();
    let spreadsheet_error = s.starts_with('#') && (s.ends_with('?') || s.ends_with('!') || s == "#N/A");
    if s == "-" || spreadsheet_error { "" } else { s }
}

/// What every envelope yields: where the event came from and its EventData fields by name.
#[derive(Default)]
struct Envelope {
    /// The names of the envelope fields that were found, for reasons.
    found: Vec<&'static str>,
    channel: String,
    event_id: Option<String>,
    provider: String,
    computer: String,
    /// (field name, value) of the time.
    time: Option<(&'static str, String)>,
    /// EventData fields (and, for flat forms, every top-level field).
    data: Map<String, Value>,
    /// Fallbacks from ECS fields of Winlogbeat / Elastic Agent documents.
    ecs: Ecs,
    /// Log Analytics `Account` column.
    account: String,
    /// What the audit keywords say: `Some(true)` for Audit Failure, `Some(false)` for Audit
    /// Success, `None` when the record does not say.
    audit_failure: Option<bool>,
}

/// Audit success or failure from `Keywords` in any shipper's shape: a hex string
/// (`0x8010000000000000`), a signed or unsigned decimal (NXLog), a list of names (Winlogbeat
/// `["Audit Failure"]`) or an NXLog `EventType` (`AUDIT_FAILURE`).
fn audit_failure(v: Option<&Value>) -> Option<bool> {
    let bits = match v? {
        Value::Array(a) => {
            let names: Vec<String> = a.iter().map(|x| text_of(x).to_ascii_lowercase()).collect();
            return if names.iter().any(|n| n == "audit failure") {
                Some(true)
            } else if names.iter().any(|n| n == "audit success") {
                Some(false)
            } else {
                None
            };
        }
        Value::Number(n) => n.as_u64().or_else(|| n.as_i64().map(|i| i as u64))?,
        Value::String(s) => {
            let s = s.trim();
            match s.to_ascii_uppercase().as_str() {
                "AUDIT_FAILURE" | "AUDIT FAILURE" => return Some(true),
                "AUDIT_SUCCESS" | "AUDIT SUCCESS" => return Some(false),
                _ => {}
            }
            match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16).ok()?,
                None => s.parse::<u64>().ok().or_else(|| s.parse::<i64>().ok().map(|i| i as u64))?,
            }
        }
        _ => return None,
    };
    if bits & AUDIT_FAILURE != 0 {
        Some(true)
    } else if bits & AUDIT_SUCCESS != 0 {
        Some(false)
    } else {
        None
    }
}

#[derive(Default)]
struct Ecs {
    user: String,
    process: String,
    parent: String,
    command_line: String,
    source_ip: String,
}

pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    if let Some(t) = p.Type.non_empty()
        && t != "SecurityEvent"
        && p.System.is_none()
    {
        return Ok(Parsed::Ignored(format!("log analytics: {t} row")));
    }
    let record: Map<String, Value> = match serde_json::from_str::<Value>(p.text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err("Windows event is not a JSON object".into()),
        Err(e) => return Err(super::frame::json_reason(&e)),
    };
    let env = if record.contains_key("winlog") {
        winlogbeat(record)?
    } else if record.contains_key("System") || record.contains_key("Event") {
        nested(record)?
    } else {
        flat(record)
    };
    build(env)
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

/// The first of `keys` present in `m` with a non-empty text, and its key.
fn first<'k>(m: &Map<String, Value>, keys: &[&'k str]) -> Option<(&'k str, String)> {
    keys.iter().find_map(|k| m.get(*k).map(text_of).filter(|s| !s.trim().is_empty()).map(|s| (*k, s)))
}

/// A string at a dotted path in nested objects (or under the dotted key itself).
fn path(m: &Map<String, Value>, dotted: &str) -> String {
    if let Some(v) = m.get(dotted) {
        return text_of(v);
    }
    let mut parts = dotted.split('.');
    let Some(mut cur) = parts.next().and_then(|k| m.get(k)) else {
        return String::new();
    };
    for k in parts {
        match cur.get(k) {
            Some(v) => cur = v,
            None => return String::new(),
        }
    }
    text_of(cur)
}

/// The nested `Event` / `System` / `EventData` form (evtx converters, event forwarders).
fn nested(record: Map<String, Value>) -> Result<Envelope, String> {
    let event = record.get("Event").and_then(Value::as_object);
    let system = record.get("System").or_else(|| event.and_then(|e| e.get("System")));
    let data_v = record.get("EventData").or_else(|| event.and_then(|e| e.get("EventData")));
    let user_data = record.get("UserData").or_else(|| event.and_then(|e| e.get("UserData")));
    let Some(Value::Object(system)) = system else {
        return Err("Windows event without a System section".into());
    };
    let mut env = Envelope { found: vec!["System"], ..Envelope::default() };
    let mut data = event_data(data_v);
    if data.is_empty() {
        // UserData holds one element named by the provider, whose children are the fields.
        if let Some(Value::Object(u)) = user_data
            && let Some(Value::Object(inner)) = u.values().find(|v| v.is_object())
        {
            data = inner.clone();
        }
    }
    env.data = data;
    env.event_id = system.get("EventID").map(text_of).filter(|s| !s.is_empty());
    env.channel = system.get("Channel").map(text_of).unwrap_or_default();
    env.provider = attr(system.get("Provider"), "Name");
    env.computer = system.get("Computer").map(text_of).unwrap_or_default();
    env.audit_failure = audit_failure(system.get("Keywords"));
    env.time = match system.get("TimeCreated") {
        Some(Value::String(s)) => Some(s.clone()),
        other => Some(attr(other, "SystemTime")).filter(|s| !s.is_empty()),
    }
    .map(|t| ("System.TimeCreated", t));
    Ok(env)
}

/// Winlogbeat / Elastic Agent: `winlog.*` with ECS fields beside it.
fn winlogbeat(record: Map<String, Value>) -> Result<Envelope, String> {
    let Some(Value::Object(w)) = record.get("winlog") else {
        return Err("wrong type in `winlog`: expected an object".into());
    };
    let mut env = Envelope { found: vec!["winlog"], ..Envelope::default() };
    env.event_id = first(w, &["event_id"]).map(|x| x.1).or_else(|| Some(path(&record, "event.code")));
    env.event_id = env.event_id.filter(|s| !s.is_empty());
    env.channel = path(w, "channel");
    env.provider = path(w, "provider_name");
    env.computer = first(w, &["computer_name"]).map(|x| x.1).unwrap_or_else(|| path(&record, "host.name"));
    env.time = record.get("@timestamp").map(text_of).filter(|s| !s.is_empty()).map(|t| ("@timestamp", t));
    env.audit_failure = audit_failure(w.get("keywords"));
    let mut data = match w.get("event_data") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    if let Some(Value::Object(u)) = w.get("user_data") {
        for (k, v) in u {
            data.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    env.data = data;
    env.ecs = Ecs {
        user: join_account(&path(&record, "user.domain"), &path(&record, "user.name")),
        process: path(&record, "process.executable"),
        parent: path(&record, "process.parent.executable"),
        command_line: path(&record, "process.command_line"),
        source_ip: path(&record, "source.ip"),
    };
    Ok(env)
}

/// Flat JSON: Log Analytics rows, NXLog, OTRF datasets, Winlogbeat 6 (`event_id`, `log_name`,
/// `event_data`): the EventData fields sit at the top level (or under `event_data`).
fn flat(record: Map<String, Value>) -> Envelope {
    let mut env = Envelope::default();
    let note = |found: &mut Vec<&'static str>, hit: Option<(&'static str, String)>| {
        hit.map(|(k, v)| {
            found.push(k);
            v
        })
    };
    let mut found = Vec::new();
    env.event_id = note(&mut found, first(&record, &["EventID", "event_id", "EventId"]));
    env.channel = note(&mut found, first(&record, &["Channel", "log_name", "EventLog"])).unwrap_or_default();
    env.provider =
        note(&mut found, first(&record, &["SourceName", "ProviderName", "EventSourceName", "Provider", "source_name"]))
            .unwrap_or_default();
    env.computer =
        note(&mut found, first(&record, &["Computer", "Hostname", "HostName", "computer_name"])).unwrap_or_default();
    env.time = first(&record, &["@timestamp", "TimeCreated", "EventTime", "TimeGenerated"]);
    if let Some((k, _)) = &env.time {
        found.push(k);
    }
    env.account = record.get("Account").map(text_of).map(|s| clean(&s).to_string()).unwrap_or_default();
    env.audit_failure = audit_failure(record.get("Keywords"))
        .or_else(|| audit_failure(record.get("EventType")))
        .or_else(|| audit_failure(record.get("keywords")));
    let mut data = record;
    if let Some(Value::Object(inner)) = data.remove("event_data") {
        for (k, v) in inner {
            data.entry(k).or_insert(v);
        }
    }
    env.data = data;
    env.found = found;
    env
}

/// What a record that cannot be read still showed, for its reason.
fn unknown_envelope(env: &Envelope, missing: &str) -> String {
    let found = if env.found.is_empty() { "no Windows fields".to_string() } else { list(&env.found) };
    format!("Windows event in an unknown envelope: {found} found, {missing}")
}

fn list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn parse_id(s: &str) -> Result<u32, String> {
    s.trim().parse().map_err(|_| format!("EventID is not a number: {:?}", crate::text::clip(s, 20)))
}

/// Which modelled kind an event is, from its channel (or, when absent, its provider).
enum Kind {
    Security,
    SysmonProcess,
}

fn kind_of(channel: &str, provider: &str, id: u32) -> Result<Kind, String> {
    let sysmon = channel.eq_ignore_ascii_case(SYSMON_CHANNEL)
        || (channel.is_empty() && provider.eq_ignore_ascii_case(SYSMON_PROVIDER));
    if sysmon {
        return if id == 1 { Ok(Kind::SysmonProcess) } else { Err(format!("windows: {SYSMON_CHANNEL} {id}")) };
    }
    if channel.eq_ignore_ascii_case(SECURITY)
        || (channel.is_empty()
            && (provider.is_empty()
                || provider.eq_ignore_ascii_case(SECURITY_PROVIDER)
                || provider.eq_ignore_ascii_case("Microsoft-Windows-Eventlog")))
    {
        return Ok(Kind::Security);
    }
    let what = if channel.is_empty() { provider } else { channel };
    Err(format!("windows: {what} {id}"))
}

fn build(env: Envelope) -> Result<Parsed<'static>, String> {
    let Some(id_text) = env.event_id.as_deref() else {
        return Err(unknown_envelope(&env, "no EventID"));
    };
    let event_id = parse_id(id_text)?;
    let kind = match kind_of(&env.channel, &env.provider, event_id) {
        Ok(k) => k,
        Err(ignored) => return Ok(Parsed::Ignored(ignored)),
    };
    let Some((time_field, time_text)) = env.time.as_ref() else {
        return Err(unknown_envelope(&env, "no time field"));
    };
    let time = require_time(time_field, Some(time_text))?;
    let get = |k: &str| env.data.get(k).map(text_of).map(|s| clean(&s).to_string()).unwrap_or_default();
    // A command line is kept as written (trailing spaces and all), only a lone `-` is dropped.
    let get_raw = |k: &str| env.data.get(k).map(text_of).filter(|s| s.trim() != "-").unwrap_or_default();
    let or = |a: String, b: &str| if a.is_empty() { b.to_string() } else { a };
    let (account, process, parent, command_line, service) = match kind {
        Kind::Security => {
            let target = || join_account(&get("TargetDomainName"), &get("TargetUserName"));
            let subject = || join_account(&get("SubjectDomainName"), &get("SubjectUserName"));
            let account = if !env.account.is_empty() {
                env.account.clone()
            } else if TARGET_IS_ACTOR.contains(&event_id) {
                or(target(), &subject())
            } else {
                or(subject(), &target())
            };
            let process = [get("NewProcessName"), get("ProcessName")].into_iter().find(|s| !s.is_empty());
            let provider = if env.provider.is_empty() { SECURITY_PROVIDER.to_string() } else { env.provider.clone() };
            (account, process.unwrap_or_default(), get("ParentProcessName"), get_raw("CommandLine"), provider)
        }
        Kind::SysmonProcess => {
            (get("User"), get("Image"), get("ParentImage"), get_raw("CommandLine"), SYSMON_PROVIDER.to_string())
        }
    };
    let account = or(account, &env.ecs.user);
    let process = or(process, &env.ecs.process);
    let parent = or(parent, &env.ecs.parent);
    let command_line = or(command_line, &env.ecs.command_line);
    let status = get("Status");
    let failed = env.audit_failure.unwrap_or_else(|| {
        event_id == 4625 || (FAILURE_IDS.contains(&event_id) && !status.is_empty() && status != "0x0")
    });
    let outcome = if failed { Outcome::Failure } else { Outcome::Success };
    let kind = principal_kind(&account);
    let principal = if account.is_empty() { UNKNOWN_PRINCIPAL.to_string() } else { account };
    Ok(Parsed::Event(Box::new(Draft {
        time,
        cloud: Some(Cloud::Windows),
        principal_kind: Some(kind),
        outcome: Some(outcome),
        principal: Cow::Owned(principal),
        service: Cow::Owned(service),
        operation: Cow::Owned(event_id.to_string()),
        resource: Cow::Owned(get("ObjectName")),
        source_ip: Cow::Owned(or(get("IpAddress"), &env.ecs.source_ip)),
        status: Cow::Owned(status),
        computer: Cow::Owned(env.computer),
        process: Cow::Owned(process),
        parent: Cow::Owned(parent),
        command_line: Cow::Owned(command_line),
        ..Draft::default()
    })))
}
