//! Entra ID sign-ins in every form they are exported in: diagnostic-settings records
//! (`category` `SignInLogs`, `NonInteractiveUserSignInLogs`, `ServicePrincipalSignInLogs`,
//! `ManagedIdentitySignInLogs`, the sign-in in `properties`), Microsoft Graph `signIn` objects
//! (the portal's "Download JSON", API pages, collection tools' JSON lines) and Log Analytics rows
//! of `SigninLogs`, `AADNonInteractiveUserSignInLogs`, `AADServicePrincipalSignInLogs` and
//! `AADManagedIdentitySignInLogs` (PascalCase columns, dynamic columns as JSON or JSON text).
//!
//! All forms give one event: service `Microsoft.aadiam`, operation `Sign-in activity`, principal
//! the user's UPN (else the service principal's name, else an ID), resource the application signed
//! in to, target the resource it asked for a token to; region the country. A non-zero error code
//! is a failure with status `code: reason`; a risky sign-in says so in its status.

use super::{Lax, dynamic, first, owned};
use crate::ingest::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind, UNKNOWN_PRINCIPAL};
use serde::Deserialize;
use std::borrow::Cow;

/// Diagnostic-settings categories of sign-in records.
pub(super) const CATEGORIES: [&str; 4] =
    ["SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs"];

/// Log Analytics tables of sign-ins.
pub(super) const TABLES: [&str; 5] = [
    "SigninLogs",
    "AADNonInteractiveUserSignInLogs",
    "AADServicePrincipalSignInLogs",
    "AADManagedIdentitySignInLogs",
    "NonInteractiveUserSignInLogs",
];

const SERVICE: &str = "Microsoft.aadiam";
const OPERATION: &str = "Sign-in activity";

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct Status {
    #[serde(alias = "ErrorCode")]
    errorCode: Lax,
    #[serde(alias = "FailureReason")]
    failureReason: Lax,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct Location {
    city: Lax,
    state: Lax,
    countryOrRegion: Lax,
}

/// A `signIn`: Graph / diagnostic `properties` names, Log Analytics column names as aliases.
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
pub(super) struct SignIn {
    #[serde(alias = "CreatedDateTime")]
    createdDateTime: Lax,
    #[serde(alias = "TimeGenerated [UTC]")]
    TimeGenerated: Lax,
    #[serde(alias = "UserPrincipalName")]
    userPrincipalName: Lax,
    #[serde(alias = "UserId")]
    userId: Lax,
    #[serde(alias = "UserDisplayName")]
    userDisplayName: Lax,
    #[serde(alias = "AppDisplayName")]
    appDisplayName: Lax,
    #[serde(alias = "AppId")]
    appId: Lax,
    #[serde(alias = "ResourceDisplayName")]
    resourceDisplayName: Lax,
    #[serde(alias = "IPAddress")]
    ipAddress: Lax,
    #[serde(alias = "Status", deserialize_with = "dynamic")]
    status: Status,
    #[serde(alias = "LocationDetails", deserialize_with = "dynamic")]
    location: Location,
    /// Log Analytics: the country code.
    Location: Lax,
    #[serde(alias = "ClientAppUsed")]
    clientAppUsed: Lax,
    #[serde(alias = "ConditionalAccessStatus")]
    conditionalAccessStatus: Lax,
    #[serde(alias = "IsInteractive")]
    isInteractive: Lax,
    #[serde(alias = "RiskLevelDuringSignIn")]
    riskLevelDuringSignIn: Lax,
    #[serde(alias = "RiskState")]
    riskState: Lax,
    #[serde(alias = "RiskEventTypes_V2", alias = "riskEventTypes_V2", deserialize_with = "dynamic")]
    riskEventTypes_v2: Vec<String>,
    #[serde(alias = "RiskEventTypes", deserialize_with = "dynamic")]
    riskEventTypes: Vec<String>,
    #[serde(alias = "UserAgent")]
    userAgent: Lax,
    #[serde(alias = "ServicePrincipalName")]
    servicePrincipalName: Lax,
    #[serde(alias = "ServicePrincipalId")]
    servicePrincipalId: Lax,
    #[serde(alias = "SignInEventTypes", deserialize_with = "dynamic")]
    signInEventTypes: Vec<String>,
    // Log Analytics row columns.
    ResultType: Lax,
    ResultDescription: Lax,
    Category: Lax,
    Type: Lax,
    OperationName: Lax,
    Identity: Lax,
}

/// What the record around the sign-in says (diagnostic records, Log Analytics rows).
#[derive(Default)]
struct Outer<'a> {
    time: Option<(&'static str, &'a str)>,
    /// `category` or the table.
    kind: &'a str,
    result_type: Option<&'a str>,
    result_description: Option<&'a str>,
    caller_ip: Option<&'a str>,
    region: Option<&'a str>,
    identity: Option<String>,
}

/// A diagnostic-settings sign-in record.
pub(super) fn diagnostic(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    let s: SignIn = super::dynamic_text(p.properties).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    let identity =
        p.identity.filter(|r| r.get().starts_with('"')).and_then(|r| serde_json::from_str::<String>(r.get()).ok());
    let time = p.time.as_deref().map(|t| ("time", t));
    let outer = Outer {
        time,
        kind: p.category.as_str(),
        result_type: p.resultType.non_empty(),
        result_description: None,
        caller_ip: p.callerIpAddress.non_empty(),
        region: p.location.non_empty(),
        identity,
    };
    Ok(Parsed::Event(Box::new(draft(&s, &outer)?)))
}

/// A Graph `signIn` object.
pub(super) fn graph(text: &str) -> Result<Parsed<'static>, String> {
    let s: SignIn =
        serde_json::from_str(text).map_err(|e| format!("Graph signIn: {}", super::super::frame::json_reason(&e)))?;
    let any = [&s.userPrincipalName, &s.appId, &s.appDisplayName, &s.ipAddress, &s.servicePrincipalId, &s.userId]
        .iter()
        .any(|l| l.get().is_some());
    if !any {
        return Ok(Parsed::Ignored("microsoft graph: object without sign-in or audit fields".into()));
    }
    let outer = Outer { time: Some(("createdDateTime", s.createdDateTime.0.as_str())), ..Outer::default() };
    Ok(Parsed::Event(Box::new(draft(&s, &outer)?)))
}

/// A Log Analytics sign-in row.
pub(super) fn row(text: &str, table: &str) -> Result<Parsed<'static>, String> {
    let s: SignIn =
        serde_json::from_str(text).map_err(|e| format!("{table} row: {}", super::super::frame::json_reason(&e)))?;
    let time = match (s.TimeGenerated.get(), s.createdDateTime.get()) {
        (Some(t), _) => Some(("TimeGenerated", t)),
        (None, Some(t)) => Some(("CreatedDateTime", t)),
        _ => None,
    };
    let kind = first(&[&s.Category]).unwrap_or(table);
    let outer = Outer {
        time,
        kind,
        result_type: s.ResultType.get(),
        result_description: s.ResultDescription.get(),
        caller_ip: None,
        region: s.Location.get(),
        identity: s.Identity.get().map(str::to_string),
    };
    Ok(Parsed::Event(Box::new(draft(&s, &outer)?)))
}

fn draft(s: &SignIn, o: &Outer<'_>) -> Result<Draft<'static>, String> {
    let (field, value) = o.time.unwrap_or(("createdDateTime", ""));
    let time = require_time(field, Some(value).filter(|v| !v.trim().is_empty()))?;

    let service_kind = ["Principal", "Identity"].iter().any(|k| o.kind.contains(k))
        || s.signInEventTypes
            .iter()
            .any(|t| t.eq_ignore_ascii_case("servicePrincipal") || t.eq_ignore_ascii_case("managedIdentity"))
        || (s.userPrincipalName.get().is_none() && s.servicePrincipalName.get().is_some());
    let principal = if service_kind {
        first(&[&s.servicePrincipalName, &s.servicePrincipalId, &s.appDisplayName, &s.appId])
    } else {
        first(&[&s.userPrincipalName, &s.servicePrincipalName])
    };
    let principal = principal
        .or(o.identity.as_deref().filter(|i| !i.trim().is_empty()))
        .or(first(&[&s.userId, &s.servicePrincipalId]))
        .map(owned);
    let kind = match (&principal, service_kind) {
        (None, _) => PrincipalKind::Unknown,
        (Some(_), true) => PrincipalKind::Service,
        (Some(_), false) => PrincipalKind::User,
    };
    let principal = principal.unwrap_or(Cow::Borrowed(UNKNOWN_PRINCIPAL));

    // Diagnostic records repeat the code as `resultType`; Log Analytics has it as `ResultType`.
    let code = o.result_type.or(s.status.errorCode.get()).unwrap_or("0");
    let (outcome, mut status) = if code == "0" {
        (Outcome::Success, String::new())
    } else {
        let reason = s.status.failureReason.get().or(o.result_description).unwrap_or("");
        (Outcome::Failure, if reason.is_empty() { code.to_string() } else { format!("{code}: {reason}") })
    };
    if let Some(risk) = risk(s) {
        if !status.is_empty() {
            status.push_str("; ");
        }
        status.push_str(&risk);
    }

    let region = first(&[&s.location.countryOrRegion]).or(o.region).unwrap_or("");
    let source_ip = o.caller_ip.filter(|ip| !ip.trim().is_empty()).or(s.ipAddress.get()).unwrap_or("");
    Ok(Draft {
        time,
        cloud: Some(Cloud::Azure),
        principal_kind: Some(kind),
        outcome: Some(outcome),
        principal,
        service: Cow::Borrowed(SERVICE),
        operation: Cow::Borrowed(OPERATION),
        resource: owned(first(&[&s.appDisplayName, &s.appId, &s.resourceDisplayName]).unwrap_or("")),
        source_ip: owned(source_ip.trim()),
        user_agent: owned(s.userAgent.get().unwrap_or("")),
        status: Cow::Owned(status),
        region: owned(region),
        target: owned(first(&[&s.resourceDisplayName]).unwrap_or("")),
        ..Draft::default()
    })
}

/// `risk high (unfamiliarFeatures, anonymizedIPAddress)` for a sign-in at risk, else `None`.
fn risk(s: &SignIn) -> Option<String> {
    let level = s.riskLevelDuringSignIn.get().unwrap_or("");
    let state = s.riskState.get().unwrap_or("");
    let risky_level = ["low", "medium", "high"].iter().any(|l| l.eq_ignore_ascii_case(level));
    let risky_state = ["atRisk", "confirmedCompromised"].iter().any(|l| l.eq_ignore_ascii_case(state));
    if !risky_level && !risky_state {
        return None;
    }
    let mut out = format!("risk {}", if level.is_empty() { state } else { level });
    let types = if s.riskEventTypes_v2.is_empty() { &s.riskEventTypes } else { &s.riskEventTypes_v2 };
    if !types.is_empty() {
        out.push_str(&format!(" ({})", types.join(", ")));
    }
    Some(out)
}

/// True when a Log Analytics row without `Type` has the columns of a sign-in table.
pub(super) fn looks_like_row(m: &super::log_analytics::Markers<'_>) -> bool {
    m.ResultType.is_some() && (m.AppDisplayName.is_some() || m.ConditionalAccessStatus.is_some())
}
