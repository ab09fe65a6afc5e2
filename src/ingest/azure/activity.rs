//! Azure Activity Log (diagnostic-settings export and the REST / `Get-AzActivityLog` form) and
//! Key Vault / Managed HSM `AuditEvent` records; the same normalisation serves their Log
//! Analytics rows ([`super::log_analytics`]) through [`Activity`].
//!
//! The caller comes from `caller`, then the claims (`identity.claims`, Key Vault's singular
//! `identity.claim`, the REST form's top-level `claims`): upn, then appid, then name, then object
//! ID; then `properties.CallerInfo` (PIM / RBAC records: a JSON string or object holding the UPN
//! and object ID) and `properties.SubjectName`. A record of a category that is no one's action
//! (ResourceHealth, ServiceHealth, Recommendation, Autoscale, Alert …) without a caller is counted
//! as ignored; any other record without one (an Administrative, Security or Policy operation, a
//! Key Vault request) is loaded with [`UNKNOWN_PRINCIPAL`], never dropped.

use super::{dynamic_text, looks_like_guid, owned, parse};
use crate::ingest::flex::{Flex, first_non_empty};
use crate::ingest::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind, UNKNOWN_PRINCIPAL};
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
pub(super) struct Claims<'a> {
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", alias = "upn", borrow)]
    pub upn: Flex<'a>,
    #[serde(alias = "http://schemas.microsoft.com/identity/claims/appid", borrow)]
    pub appid: Flex<'a>,
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", alias = "unique_name", borrow)]
    pub long_name: Flex<'a>,
    #[serde(borrow)]
    pub name: Flex<'a>,
    #[serde(rename = "http://schemas.microsoft.com/identity/claims/objectidentifier", alias = "oid", borrow)]
    pub oid: Flex<'a>,
    #[serde(borrow)]
    pub ipaddr: Flex<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
pub(super) struct Props<'a> {
    #[serde(borrow)]
    pub userAgent: Flex<'a>,
    #[serde(borrow)]
    pub clientInfo: Flex<'a>,
    #[serde(borrow)]
    pub id: Flex<'a>,
    #[serde(borrow)]
    pub httpStatusCode: Flex<'a>,
    #[serde(borrow)]
    pub statusCode: Flex<'a>,
    #[serde(borrow, alias = "callerInfo", alias = "callerinfo")]
    pub CallerInfo: Option<&'a RawValue>,
    #[serde(borrow, alias = "subjectName", alias = "subjectname")]
    pub SubjectName: Flex<'a>,
}

/// The identity a PIM / RBAC record names in `properties.CallerInfo`.
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct CallerInfo<'a> {
    #[serde(borrow, alias = "upn", alias = "Upn", alias = "userPrincipalName", alias = "UserPrincipalName")]
    UPN: Flex<'a>,
    #[serde(borrow, alias = "objectId", alias = "ObjectId", alias = "objectID", alias = "oid")]
    ObjectID: Flex<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
pub(super) struct HttpRequest<'a> {
    #[serde(borrow, alias = "ClientIpAddress")]
    pub clientIpAddress: Flex<'a>,
}

/// Categories whose records are no one's action: without a caller they are ignored.
const NOT_ACTIONS: [&str; 5] = ["ResourceHealth", "ServiceHealth", "Recommendation", "Autoscale", "Alert"];

/// One Activity Log or Key Vault event, whichever form it came in.
#[derive(Default)]
pub(super) struct Activity<'a> {
    pub category: &'a str,
    pub time: i64,
    pub caller: &'a str,
    pub claims: Claims<'a>,
    /// A caller named by a plain-string `identity` (some exports).
    pub identity_name: Option<String>,
    /// The authorization evidence names a service principal.
    pub service_evidence: bool,
    pub props: Props<'a>,
    pub operation: &'a str,
    pub resource_id: &'a str,
    pub provider: &'a str,
    /// `resultType` / `status` / `ActivityStatusValue`.
    pub result: &'a str,
    /// `resultSignature` / `subStatus` / `ActivitySubstatusValue`.
    pub signature: &'a str,
    pub caller_ip: &'a str,
    pub http: HttpRequest<'a>,
    pub region: &'a str,
}

/// A diagnostic-settings or REST record.
pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    let time = require_time(
        if p.time.is_some() { "time" } else { "eventTimestamp" },
        p.time.as_deref().or(p.eventTimestamp.as_deref()),
    )?;
    let identity_text = p.identity.filter(|r| r.get().starts_with('"'));
    let identity: Identity =
        if identity_text.is_some() { Identity::default() } else { parse(p.identity.map(RawValue::get)) };
    let claims = identity.claims.or(identity.claim).unwrap_or_else(|| parse(p.claims.map(RawValue::get)));
    let service_evidence = identity
        .authorization
        .map(|a| {
            a.get().contains("\"principalType\":\"ServicePrincipal\"")
                || a.get().contains("\"principalType\": \"ServicePrincipal\"")
        })
        .unwrap_or(false);
    // Some forwarders write `properties` as JSON text.
    let props_text = dynamic_text(p.properties);
    let a = Activity {
        category: p.category.as_str(),
        time,
        caller: p.caller.as_str(),
        claims,
        identity_name: identity_text.and_then(|r| serde_json::from_str::<String>(r.get()).ok()),
        service_evidence,
        props: parse(props_text.as_deref()),
        operation: p.operationName.as_str(),
        resource_id: p.resourceId.as_deref().unwrap_or_default(),
        provider: p.resourceProviderName.as_str(),
        result: first_non_empty(&[p.resultType.non_empty(), p.status.non_empty()]).unwrap_or(""),
        signature: first_non_empty(&[p.resultSignature.non_empty(), p.subStatus.non_empty()]).unwrap_or(""),
        caller_ip: p.callerIpAddress.as_str(),
        http: parse(p.httpRequest.map(RawValue::get)),
        region: p.location.as_str(),
    };
    Ok(match draft(&a)? {
        Some(d) => Parsed::Event(Box::new(d)),
        None => Parsed::Ignored(ignored_kind(a.category)),
    })
}

pub(super) fn ignored_kind(category: &str) -> String {
    let what = if category.is_empty() { "record" } else { category };
    format!("azure: {what} without a caller")
}

/// The normalised event, or `None` for a record of a category that is no one's action and names
/// no caller.
pub(super) fn draft(a: &Activity<'_>) -> Result<Option<Draft<'static>>, String> {
    let info_text = dynamic_text(a.props.CallerInfo);
    let info: CallerInfo = parse(info_text.as_deref());
    let principal = first_non_empty(&[
        Some(a.caller),
        a.claims.upn.non_empty(),
        a.claims.appid.non_empty(),
        a.claims.long_name.non_empty(),
        a.claims.name.non_empty(),
        a.claims.oid.non_empty(),
        a.identity_name.as_deref(),
        info.UPN.non_empty(),
        info.ObjectID.non_empty(),
        a.props.SubjectName.non_empty(),
    ]);
    let (principal, kind) = match principal {
        Some(p) => {
            let kind = if a.claims.upn.non_empty().is_some() || info.UPN.non_empty().is_some() || p.contains('@') {
                PrincipalKind::User
            } else if a.service_evidence || a.claims.appid.non_empty().is_some() || looks_like_guid(p) {
                PrincipalKind::Service
            } else {
                PrincipalKind::Unknown
            };
            (owned(p), kind)
        }
        None if NOT_ACTIONS.iter().any(|c| c.eq_ignore_ascii_case(a.category)) => return Ok(None),
        None => (Cow::Borrowed(UNKNOWN_PRINCIPAL), PrincipalKind::Unknown),
    };

    let resource: Cow<str> = match a.props.id.non_empty() {
        Some(id) if ["/keys/", "/secrets/", "/certificates/"].iter().any(|k| id.to_ascii_lowercase().contains(k)) => {
            owned(id)
        }
        _ => owned(a.resource_id),
    };
    let service: Cow<str> = if let Some(v) = first_non_empty(&[Some(a.provider)]) {
        owned(v)
    } else if let Some((ns, _)) = a.operation.split_once('/').filter(|(ns, _)| ns.contains('.')) {
        owned(ns)
    } else if let Some(ns) = provider_of(a.resource_id) {
        owned(ns)
    } else {
        Cow::Borrowed("")
    };

    let http_code: u32 = a.props.httpStatusCode.as_str().parse().unwrap_or(0);
    let failed = matches!(a.result.to_ascii_lowercase().as_str(), "failure" | "failed" | "error") || http_code >= 400;
    let status = first_non_empty(&[
        Some(a.signature),
        a.props.statusCode.non_empty(),
        a.props.httpStatusCode.non_empty(),
        Some(a.result),
    ])
    .map(owned)
    .unwrap_or_default();
    let source_ip =
        first_non_empty(&[Some(a.caller_ip), a.http.clientIpAddress.non_empty(), a.claims.ipaddr.non_empty()])
            .map(owned)
            .unwrap_or_default();
    let user_agent = first_non_empty(&[a.props.userAgent.non_empty(), a.props.clientInfo.non_empty()])
        .map(owned)
        .unwrap_or_default();

    Ok(Some(Draft {
        time: a.time,
        cloud: Some(Cloud::Azure),
        principal_kind: Some(kind),
        outcome: Some(if failed { Outcome::Failure } else { Outcome::Success }),
        principal,
        service,
        operation: owned(a.operation.trim()),
        resource,
        source_ip,
        user_agent,
        status,
        region: owned(a.region),
        ..Draft::default()
    }))
}

/// The resource provider named in a resource ID (`…/providers/Microsoft.Compute/…`).
pub fn provider_of(resource_id: &str) -> Option<&str> {
    let lower_pos = resource_id.to_ascii_lowercase().rfind("/providers/")?;
    let rest = &resource_id[lower_pos + "/providers/".len()..];
    rest.split('/').next().filter(|s| !s.is_empty())
}
