//! Azure: Activity Log (diagnostic-settings export and the REST / `Get-AzActivityLog` form),
//! Key Vault / Managed HSM `AuditEvent` records and Entra ID sign-in logs, as they arrive in the
//! same exports.
//!
//! The caller comes from `caller`, then the claims (`identity.claims`, Key Vault's singular
//! `identity.claim`, the REST form's top-level `claims`): upn, then appid, then name; sign-ins use
//! `properties.userPrincipalName`. A record without any caller (ResourceHealth, ServiceHealth,
//! Recommendation …) is a valid record of a kind not modelled, and counted as ignored.

use super::flex::{Flex, first_non_empty};
use super::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Identity<'a> {
    #[serde(borrow)]
    claims: Option<Claims<'a>>,
    #[serde(borrow)]
    claim: Option<Claims<'a>>,
    #[serde(borrow)]
    authorization: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Claims<'a> {
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", alias = "upn", borrow)]
    upn: Flex<'a>,
    #[serde(alias = "http://schemas.microsoft.com/identity/claims/appid", borrow)]
    appid: Flex<'a>,
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", alias = "unique_name", borrow)]
    long_name: Flex<'a>,
    #[serde(borrow)]
    name: Flex<'a>,
    #[serde(rename = "http://schemas.microsoft.com/identity/claims/objectidentifier", alias = "oid", borrow)]
    oid: Flex<'a>,
    #[serde(borrow)]
    ipaddr: Flex<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct Props<'a> {
    #[serde(borrow)]
    userPrincipalName: Flex<'a>,
    #[serde(borrow)]
    servicePrincipalName: Flex<'a>,
    #[serde(borrow)]
    ipAddress: Flex<'a>,
    #[serde(borrow)]
    userAgent: Flex<'a>,
    #[serde(borrow)]
    clientInfo: Flex<'a>,
    #[serde(borrow)]
    id: Flex<'a>,
    #[serde(borrow)]
    httpStatusCode: Flex<'a>,
    #[serde(borrow)]
    statusCode: Flex<'a>,
    #[serde(borrow)]
    status: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct SigninStatus<'a> {
    #[serde(borrow)]
    errorCode: Flex<'a>,
    #[serde(borrow)]
    failureReason: Flex<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct HttpRequest<'a> {
    #[serde(borrow, alias = "ClientIpAddress")]
    clientIpAddress: Flex<'a>,
}

const SIGNIN_CATEGORIES: [&str; 4] =
    ["SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs"];

fn parse<'a, T: Deserialize<'a> + Default>(raw: Option<&'a RawValue>) -> T {
    raw.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default()
}

fn owned(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.to_string())
}

/// The resource provider named in a resource ID (`…/providers/Microsoft.Compute/…`).
pub fn provider_of(resource_id: &str) -> Option<&str> {
    let lower_pos = resource_id.to_ascii_lowercase().rfind("/providers/")?;
    let rest = &resource_id[lower_pos + "/providers/".len()..];
    rest.split('/').next().filter(|s| !s.is_empty())
}

pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    let category = p.category.as_str().to_string();
    let time = require_time(
        if p.time.is_some() { "time" } else { "eventTimestamp" },
        p.time.as_deref().or(p.eventTimestamp.as_deref()),
    )?;
    let signin = SIGNIN_CATEGORIES.iter().any(|c| c.eq_ignore_ascii_case(&category));
    let identity_text = p.identity.filter(|r| r.get().starts_with('"'));
    let identity: Identity = if identity_text.is_some() { Identity::default() } else { parse(p.identity) };
    let claims = identity.claims.or(identity.claim).unwrap_or_else(|| parse(p.claims));
    let props: Props = parse(p.properties);
    let identity_name: Option<String> = identity_text.and_then(|r| serde_json::from_str::<String>(r.get()).ok());

    let principal = first_non_empty(&[
        props.userPrincipalName.non_empty().filter(|_| signin),
        props.servicePrincipalName.non_empty().filter(|_| signin),
        p.caller.non_empty(),
        claims.upn.non_empty(),
        claims.appid.non_empty(),
        claims.long_name.non_empty(),
        claims.name.non_empty(),
        claims.oid.non_empty(),
        identity_name.as_deref(),
    ])
    .map(owned);
    let Some(principal) = principal else {
        let what = if category.is_empty() { "record".to_string() } else { category };
        return Ok(Parsed::Ignored(format!("azure: {what} without a caller")));
    };
    let evidence_type = identity
        .authorization
        .map(|a| {
            a.get().contains("\"principalType\":\"ServicePrincipal\"")
                || a.get().contains("\"principalType\": \"ServicePrincipal\"")
        })
        .unwrap_or(false);
    let kind = if signin {
        if props.servicePrincipalName.non_empty().is_some()
            || category.contains("Principal")
            || category.contains("Identity")
        {
            PrincipalKind::Service
        } else {
            PrincipalKind::User
        }
    } else if claims.upn.non_empty().is_some() || principal.contains('@') {
        PrincipalKind::User
    } else if evidence_type || claims.appid.non_empty().is_some() || looks_like_guid(&principal) {
        PrincipalKind::Service
    } else {
        PrincipalKind::Unknown
    };

    let operation = p.operationName.0.clone();
    let resource_id = p.resourceId.clone().unwrap_or_default();
    let resource: Cow<str> = match props.id.non_empty() {
        Some(id) if ["/keys/", "/secrets/", "/certificates/"].iter().any(|k| id.to_ascii_lowercase().contains(k)) => {
            owned(id)
        }
        _ => resource_id.clone(),
    };
    let service: Cow<str> = if let Some(v) = p.resourceProviderName.non_empty() {
        owned(v)
    } else if let Some((ns, _)) = operation.split_once('/').filter(|(ns, _)| ns.contains('.')) {
        owned(ns)
    } else if let Some(ns) = provider_of(&resource_id) {
        owned(ns)
    } else if signin {
        Cow::Borrowed("Microsoft.aadiam")
    } else {
        Cow::Borrowed("")
    };

    let (outcome, status) = outcome_of(&p, &props, signin);
    let http: HttpRequest = parse(p.httpRequest);
    let source_ip = first_non_empty(&[
        p.callerIpAddress.non_empty(),
        http.clientIpAddress.non_empty(),
        props.ipAddress.non_empty(),
        claims.ipaddr.non_empty(),
    ])
    .map(owned)
    .unwrap_or_default();
    let user_agent =
        first_non_empty(&[props.userAgent.non_empty(), props.clientInfo.non_empty()]).map(owned).unwrap_or_default();

    Ok(Parsed::Event(Box::new(Draft {
        time,
        cloud: Some(Cloud::Azure),
        principal_kind: Some(kind),
        outcome: Some(outcome),
        principal,
        service,
        operation,
        resource,
        source_ip,
        user_agent,
        status,
        region: p.location.0.clone(),
        ..Draft::default()
    })))
}

fn outcome_of<'a>(p: &Probe<'a>, props: &Props<'a>, signin: bool) -> (Outcome, Cow<'a, str>) {
    if signin {
        let st: SigninStatus = parse(props.status);
        let code = first_non_empty(&[p.resultType.non_empty(), st.errorCode.non_empty()]).unwrap_or("0");
        if code == "0" {
            return (Outcome::Success, Cow::Borrowed(""));
        }
        let reason = st.failureReason.non_empty().unwrap_or("");
        let status = if reason.is_empty() { code.to_string() } else { format!("{code}: {reason}") };
        return (Outcome::Failure, Cow::Owned(status));
    }
    let result = first_non_empty(&[p.resultType.non_empty(), p.status.non_empty()]).unwrap_or("");
    let http_code: u32 = props.httpStatusCode.as_str().parse().unwrap_or(0);
    let failed = matches!(result.to_ascii_lowercase().as_str(), "failure" | "failed" | "error") || http_code >= 400;
    let status = first_non_empty(&[
        p.resultSignature.non_empty(),
        p.subStatus.non_empty(),
        props.statusCode.non_empty(),
        props.httpStatusCode.non_empty(),
        Some(result),
    ])
    .map(owned)
    .unwrap_or_default();
    (if failed { Outcome::Failure } else { Outcome::Success }, status)
}

fn looks_like_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(
            |(i, b)| {
                if [8, 13, 18, 23].contains(&i) { b == b'-' } else { b.is_ascii_hexdigit() }
            },
        )
}
