//! GCP Cloud Audit Logs: a `LogEntry` whose `protoPayload` is an `AuditLog`.
//!
//! Covers admin activity, data access, system event and policy-denied logs in every framing the
//! framer finds (JSON Lines, `gcloud logging read --format=json` arrays, single objects, Logs
//! Explorer downloads, whose CSV rows arrive here as nested objects with every cell a string).
//! Owns the rules every GCP form shares ([`build`]): the principal (`principalEmail`, else
//! `principalSubject` kept as written, else [`UNKNOWN_PRINCIPAL`] when Google redacted
//! `authenticationInfo`), the outcome from `status.code`, the time and the region. A `LogEntry`
//! without an audit payload is a valid record of another kind and is counted as ignored (a
//! Security Command Center finding in `jsonPayload` is named as such). The export forms (BigQuery
//! sinks, Log Analytics rows, SCC notifications) are read in [`super::gcp_export`].

use super::flex::first_non_empty;
use super::probe::{Draft, Parsed, Probe};
use crate::model::{Cloud, Outcome, PrincipalKind, UNKNOWN_PRINCIPAL};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::borrow::Cow;

type Str<'a> = Option<Cow<'a, str>>;

/// The fields of `google.cloud.audit.AuditLog` trailwatch reads.
#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct AuditLog<'a> {
    #[serde(rename = "@type", borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub type_url: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub service_name: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub method_name: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub resource_name: Str<'a>,
    #[serde(borrow)]
    pub authentication_info: Option<AuthenticationInfo<'a>>,
    #[serde(borrow)]
    pub request_metadata: Option<RequestMetadata<'a>>,
    #[serde(borrow)]
    pub status: Option<Status<'a>>,
    #[serde(borrow)]
    pub resource_location: Option<ResourceLocation<'a>>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct AuthenticationInfo<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub principal_email: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub principal_subject: Str<'a>,
    pub service_account_delegation_info: Option<IgnoredAny>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct RequestMetadata<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub caller_ip: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub caller_supplied_user_agent: Str<'a>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct Status<'a> {
    /// An integer, or its decimal text (BigQuery JSON exports write INT64 as strings; CSV cells
    /// are strings).
    #[serde(deserialize_with = "super::gcp_export::opt_code")]
    pub code: Option<i64>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub message: Str<'a>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceLocation<'a> {
    /// The first location (an array, or the index-keyed object a CSV download's
    /// `currentLocations.0` column nests into).
    #[serde(borrow, deserialize_with = "super::gcp_export::first_location")]
    pub current_locations: Option<super::flex::Flex<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MonitoredResource<'a> {
    #[serde(borrow)]
    pub labels: Option<Labels<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Labels<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub location: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub region: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub zone: Str<'a>,
}

/// The canonical name of a `google.rpc.Code`.
pub fn code_name(code: i64) -> &'static str {
    match code {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => "UNKNOWN_CODE",
    }
}

/// Whether a principal string names a person, a service identity or nobody known.
///
/// `principalSubject` values keep their scheme: `user:`, `serviceAccount:`, and federated
/// identities `principal://iam.googleapis.com/…/workforcePools/…` (people signing in through an
/// external identity provider) or `…/workloadIdentityPools/…` (workloads).
pub fn principal_kind(p: &str) -> PrincipalKind {
    if p == UNKNOWN_PRINCIPAL {
        PrincipalKind::Unknown
    } else if p.starts_with("principal") && p.contains("/workloadIdentityPools/") {
        PrincipalKind::Service
    } else if p.starts_with("principal") && p.contains("/workforcePools/") {
        PrincipalKind::User
    } else if p.ends_with(".gserviceaccount.com")
        || p.starts_with("system:serviceaccount:")
        || p.starts_with("serviceAccount:")
    {
        PrincipalKind::Service
    } else if p == "system:anonymous" || p == "system:unauthenticated" {
        PrincipalKind::Unknown
    } else if p.starts_with("system:") {
        PrincipalKind::Service
    } else if p.contains('@') {
        PrincipalKind::User
    } else {
        PrincipalKind::Unknown
    }
}

/// The `LogEntry` values an event is built from, however they were read: by serde here, or by
/// the field-skipping scanner in [`super::fast`]. Both paths end in [`build`].
#[derive(Default)]
pub(super) struct Parts<'a> {
    pub timestamp: Str<'a>,
    pub receive_timestamp: Str<'a>,
    pub principal_email: Str<'a>,
    pub principal_subject: Str<'a>,
    pub service_name: Str<'a>,
    pub method_name: Str<'a>,
    pub resource_name: Str<'a>,
    pub caller_ip: Str<'a>,
    pub user_agent: Str<'a>,
    pub status_code: Option<i64>,
    pub status_message: Str<'a>,
    pub region: Cow<'a, str>,
}

pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    let Some(audit) = p.protoPayload else {
        if super::gcp_export::holds_finding(p.jsonPayload) {
            return Ok(Parsed::Ignored(super::gcp_export::SCC_FINDING.into()));
        }
        return Ok(Parsed::Ignored("gcp: LogEntry without an audit payload".into()));
    };
    if let Some(t) = &audit.type_url
        && !t.ends_with("AuditLog")
    {
        return Ok(Parsed::Ignored(format!("gcp: LogEntry with {} payload", t.rsplit('/').next().unwrap_or(t))));
    }
    let auth = audit.authentication_info.unwrap_or_default();
    let meta = audit.request_metadata.unwrap_or_default();
    let status = audit.status.unwrap_or_default();
    let region = region_of(p.resource, audit.resource_location.as_ref());
    let draft = build(Parts {
        timestamp: p.timestamp,
        receive_timestamp: p.receiveTimestamp,
        principal_email: auth.principal_email,
        principal_subject: auth.principal_subject,
        service_name: audit.service_name,
        method_name: audit.method_name,
        resource_name: audit.resource_name,
        caller_ip: meta.caller_ip,
        user_agent: meta.caller_supplied_user_agent,
        status_code: status.code,
        status_message: status.message,
        region,
    })?;
    Ok(Parsed::Event(Box::new(draft)))
}

/// The event of an audit `LogEntry`, or why it has none.
///
/// The principal is `principalEmail`; when that is absent or empty, `principalSubject` as written
/// (`user:…`, `serviceAccount:…`, `principal://…`, `principalSet://…`: the scheme says what kind
/// of identity it is); when both are missing (Google redacts `authenticationInfo` on some denials
/// and for some Google-managed service agents), [`UNKNOWN_PRINCIPAL`], so the event stays visible.
pub(super) fn build(p: Parts<'_>) -> Result<Draft<'_>, String> {
    let time = super::gcp_export::require_time("timestamp", p.timestamp.as_deref().or(p.receive_timestamp.as_deref()))?;
    let principal = p
        .principal_email
        .filter(|s| !s.is_empty())
        .or_else(|| p.principal_subject.filter(|s| !s.is_empty()))
        .unwrap_or(Cow::Borrowed(UNKNOWN_PRINCIPAL));
    let (outcome, status) = match p.status_code {
        Some(c) if c != 0 => {
            let status = match p.status_message.filter(|m| !m.is_empty() && m != code_name(c)) {
                Some(m) => Cow::Owned(format!("{}: {m}", code_name(c))),
                None => Cow::Borrowed(code_name(c)),
            };
            (Outcome::Failure, status)
        }
        _ => (Outcome::Success, Cow::Borrowed("")),
    };
    Ok(Draft {
        time,
        cloud: Some(Cloud::Gcp),
        principal_kind: Some(principal_kind(&principal)),
        outcome: Some(outcome),
        principal,
        service: p.service_name.unwrap_or_default(),
        operation: p.method_name.unwrap_or_default(),
        resource: p.resource_name.unwrap_or_default(),
        source_ip: p.caller_ip.unwrap_or_default(),
        user_agent: p.user_agent.unwrap_or_default(),
        status,
        region: p.region,
        ..Draft::default()
    })
}

fn region_of<'a>(
    resource: Option<&'a serde_json::value::RawValue>,
    loc: Option<&ResourceLocation<'a>>,
) -> Cow<'a, str> {
    let labels = resource
        .and_then(|raw| serde_json::from_str::<MonitoredResource>(raw.get()).ok())
        .and_then(|r| r.labels)
        .unwrap_or_default();
    let current = loc.and_then(|l| l.current_locations.as_ref()).map(|c| c.as_str());
    match pick_region([labels.location.as_deref(), labels.region.as_deref(), labels.zone.as_deref()], current) {
        Cow::Borrowed(b) => Cow::Owned(b.to_string()),
        Cow::Owned(o) => Cow::Owned(o),
    }
}

/// The region: the resource's `location`, `region` or `zone` label (trimmed), else the first of
/// the payload's `resourceLocation.currentLocations`.
pub(super) fn pick_region<'a>(labels: [Option<&'a str>; 3], current: Option<&'a str>) -> Cow<'a, str> {
    match first_non_empty(&labels) {
        Some(f) => Cow::Borrowed(f),
        None => Cow::Borrowed(current.unwrap_or_default()),
    }
}
