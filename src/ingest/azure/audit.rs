//! Entra ID audit logs (directory audit) in every form they are exported in: diagnostic-settings
//! records (`category` `AuditLogs`, the audit in `properties`), Microsoft Graph `directoryAudit`
//! objects and Log Analytics `AuditLogs` rows (`InitiatedBy` / `TargetResources` /
//! `AdditionalDetails` as JSON or as JSON text).
//!
//! All forms give one event: operation the activity as the log names it (`Add member to role`,
//! `Add service principal credentials`, `Consent to application` …), service the Entra service
//! that logged it (`Core Directory`, `PIM` …), principal the initiator (user UPN, else the app's
//! display name or service principal ID), resource the first target (a user's UPN, else its display
//! name, else its ID), target the secondary target: the credential added, the role, app role,
//! permission scope or group granted, else the second target. A `result` of failure or timeout is
//! a failure, with the result reason as status.

use super::{Lax, dynamic, first, owned};
use crate::ingest::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind, UNKNOWN_PRINCIPAL};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct User {
    id: Lax,
    displayName: Lax,
    userPrincipalName: Lax,
    ipAddress: Lax,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct App {
    appId: Lax,
    displayName: Lax,
    servicePrincipalId: Lax,
    servicePrincipalName: Lax,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Initiator {
    user: Option<User>,
    app: Option<App>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct Modified {
    displayName: Lax,
    oldValue: Lax,
    newValue: Lax,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct Target {
    id: Lax,
    displayName: Lax,
    #[serde(alias = "Type")]
    r#type: Lax,
    userPrincipalName: Lax,
    modifiedProperties: Vec<Modified>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Detail {
    key: Lax,
    value: Lax,
}

/// A `directoryAudit`: Graph / diagnostic `properties` names, Log Analytics column names as aliases.
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
pub(super) struct DirectoryAudit {
    #[serde(alias = "ActivityDateTime")]
    activityDateTime: Lax,
    #[serde(alias = "TimeGenerated [UTC]")]
    TimeGenerated: Lax,
    #[serde(alias = "ActivityDisplayName")]
    activityDisplayName: Lax,
    OperationName: Lax,
    #[serde(alias = "Result")]
    result: Lax,
    #[serde(alias = "ResultReason")]
    resultReason: Lax,
    ResultDescription: Lax,
    #[serde(alias = "LoggedByService")]
    loggedByService: Lax,
    #[serde(alias = "InitiatedBy", deserialize_with = "dynamic")]
    initiatedBy: Initiator,
    #[serde(alias = "TargetResources", deserialize_with = "dynamic")]
    targetResources: Vec<Target>,
    #[serde(alias = "AdditionalDetails", deserialize_with = "dynamic")]
    additionalDetails: Vec<Detail>,
    userAgent: Lax,
    Identity: Lax,
}

/// What the record around the audit says (diagnostic records).
#[derive(Default)]
struct Outer<'a> {
    time: Option<(&'static str, &'a str)>,
    operation: Option<&'a str>,
    caller_ip: Option<&'a str>,
    identity: Option<String>,
}

/// A diagnostic-settings `AuditLogs` record.
pub(super) fn diagnostic(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    let Some(props) = super::dynamic_text(p.properties) else {
        return Err("Entra audit record (category AuditLogs) without a `properties` object".into());
    };
    let a: DirectoryAudit = serde_json::from_str(&props)
        .map_err(|e| format!("Entra audit record: `properties` is not an audit object: {e}"))?;
    let identity =
        p.identity.filter(|r| r.get().starts_with('"')).and_then(|r| serde_json::from_str::<String>(r.get()).ok());
    let outer = Outer {
        time: p.time.as_deref().map(|t| ("time", t)),
        operation: p.operationName.non_empty(),
        caller_ip: p.callerIpAddress.non_empty(),
        identity,
    };
    Ok(Parsed::Event(Box::new(draft(&a, &outer)?)))
}

/// A Graph `directoryAudit` object.
pub(super) fn graph(text: &str) -> Result<Parsed<'static>, String> {
    let a: DirectoryAudit = serde_json::from_str(text)
        .map_err(|e| format!("Graph directoryAudit: {}", super::super::frame::json_reason(&e)))?;
    if a.activityDisplayName.get().is_none() && a.OperationName.get().is_none() {
        return Err("Graph directoryAudit: activityDateTime found but no activityDisplayName".into());
    }
    Ok(Parsed::Event(Box::new(draft(&a, &Outer::default())?)))
}

/// A Log Analytics `AuditLogs` row.
pub(super) fn row(text: &str) -> Result<Parsed<'static>, String> {
    let a: DirectoryAudit =
        serde_json::from_str(text).map_err(|e| format!("AuditLogs row: {}", super::super::frame::json_reason(&e)))?;
    let outer = Outer { identity: a.Identity.get().map(str::to_string), ..Outer::default() };
    Ok(Parsed::Event(Box::new(draft(&a, &outer)?)))
}

fn draft(a: &DirectoryAudit, o: &Outer<'_>) -> Result<Draft<'static>, String> {
    // The activity's own time first, so that every form of one record gets the same time.
    let (field, value) = if let Some(t) = a.activityDateTime.get() {
        ("activityDateTime", t)
    } else if let Some((f, t)) = o.time {
        (f, t)
    } else {
        ("TimeGenerated", a.TimeGenerated.get().unwrap_or(""))
    };
    let time = require_time(field, Some(value).filter(|v| !v.trim().is_empty()))?;

    let user = a.initiatedBy.user.as_ref();
    let app = a.initiatedBy.app.as_ref();
    let empty = Lax::default();
    let u = |f: fn(&User) -> &Lax| user.map_or(&empty, f);
    let ap = |f: fn(&App) -> &Lax| app.map_or(&empty, f);
    let principal = first(&[
        u(|x| &x.userPrincipalName),
        ap(|x| &x.displayName),
        ap(|x| &x.servicePrincipalId),
        ap(|x| &x.appId),
        ap(|x| &x.servicePrincipalName),
        u(|x| &x.displayName),
        u(|x| &x.id),
    ])
    .or(o.identity.as_deref().filter(|i| !i.trim().is_empty()));
    let has_user =
        user.is_some_and(|x| [&x.userPrincipalName, &x.id, &x.displayName].iter().any(|l| l.get().is_some()));
    let has_app = app.is_some_and(|x| {
        [&x.displayName, &x.servicePrincipalId, &x.appId, &x.servicePrincipalName].iter().any(|l| l.get().is_some())
    });
    let kind = match principal {
        None => PrincipalKind::Unknown,
        Some(_) if has_user => PrincipalKind::User,
        Some(_) if has_app => PrincipalKind::Service,
        Some(_) => PrincipalKind::Unknown,
    };
    let principal = principal.map(owned).unwrap_or(Cow::Borrowed(UNKNOWN_PRINCIPAL));

    let operation = first(&[&a.activityDisplayName, &a.OperationName]).or(o.operation).unwrap_or("");
    let result = a.result.get().unwrap_or("");
    let failed = ["failure", "timeout"].iter().any(|r| r.eq_ignore_ascii_case(result));
    let status = first(&[&a.resultReason, &a.ResultDescription]).unwrap_or(result);
    let resource = a.targetResources.first().map(name_of).unwrap_or_default();
    let source_ip =
        first(&[u(|x| &x.ipAddress)]).or(o.caller_ip).filter(|ip| !ip.eq_ignore_ascii_case("<null>")).unwrap_or("");
    let user_agent = first(&[&a.userAgent]).or_else(|| {
        a.additionalDetails.iter().find(|d| d.key.0.eq_ignore_ascii_case("User-Agent")).and_then(|d| d.value.get())
    });

    Ok(Draft {
        time,
        cloud: Some(Cloud::Azure),
        principal_kind: Some(kind),
        outcome: Some(if failed { Outcome::Failure } else { Outcome::Success }),
        principal,
        service: owned(first(&[&a.loggedByService]).unwrap_or("Microsoft.aadiam")),
        operation: owned(operation),
        resource: owned(&resource),
        source_ip: owned(source_ip),
        user_agent: owned(user_agent.unwrap_or("")),
        status: owned(status),
        target: Cow::Owned(secondary(&a.targetResources)),
        ..Draft::default()
    })
}

/// How a target is named: a user by UPN, anything else by display name, then ID.
fn name_of(t: &Target) -> String {
    let user = t.r#type.0.eq_ignore_ascii_case("User");
    let named = if user {
        first(&[&t.userPrincipalName, &t.displayName, &t.id])
    } else {
        first(&[&t.displayName, &t.userPrincipalName, &t.id])
    };
    named.unwrap_or("").to_string()
}

/// Modified properties that name what was granted, in order of preference.
const GRANTED: [&str; 6] = [
    "Role.DisplayName",
    "AppRole.Value",
    "AppRole.DisplayName",
    "DelegatedPermissionGrant.Scope",
    "Group.DisplayName",
    "RoleDefinition.DisplayName",
];

/// The secondary target: a credential added, what was granted, else the second target.
fn secondary(targets: &[Target]) -> String {
    let props = || targets.iter().flat_map(|t| t.modifiedProperties.iter());
    if let Some(key) = props().filter(|m| m.displayName.0 == "KeyDescription").find_map(added_key) {
        return key;
    }
    for name in GRANTED {
        if let Some(v) = props().find(|m| m.displayName.0 == name).and_then(|m| unquote(&m.newValue.0)) {
            return v;
        }
    }
    targets.get(1).map(name_of).unwrap_or_default()
}

/// A modified property's value without its JSON quoting (`"\"Global Administrator\""`).
fn unquote(v: &str) -> Option<String> {
    let v = v.trim();
    let s = serde_json::from_str::<String>(v).unwrap_or_else(|_| v.to_string());
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The first key description in `newValue` that is not in `oldValue`, without its brackets.
fn added_key(m: &Modified) -> Option<String> {
    let list = |v: &str| serde_json::from_str::<Vec<String>>(v.trim()).unwrap_or_default();
    let old = list(&m.oldValue.0);
    list(&m.newValue.0)
        .into_iter()
        .find(|k| !old.contains(k))
        .map(|k| k.trim().trim_start_matches('[').trim_end_matches(']').to_string())
        .filter(|k| !k.is_empty())
}

/// True when a Log Analytics row without `Type` has the columns of `AuditLogs`.
pub(super) fn looks_like_row(m: &super::log_analytics::Markers<'_>) -> bool {
    m.LoggedByService.is_some() && (m.InitiatedBy.is_some() || m.TargetResources.is_some())
}
