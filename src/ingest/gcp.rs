//! GCP Cloud Audit Logs: a `LogEntry` whose `protoPayload` is an `AuditLog`.
//!
//! Covers admin activity, data access, system event and policy-denied logs in every framing the
//! framer finds (JSON Lines, `gcloud logging read --format=json` arrays, single objects). A
//! `LogEntry` without an audit payload is a valid record of another kind and is counted as ignored.

use super::flex::first_non_empty;
use super::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind};
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
    pub code: Option<i64>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub message: Str<'a>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceLocation<'a> {
    #[serde(borrow)]
    pub current_locations: Vec<super::flex::Flex<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MonitoredResource<'a> {
    #[serde(borrow)]
    labels: Option<Labels<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Labels<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    location: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    region: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    zone: Str<'a>,
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

/// Whether a principal string names a service identity.
pub fn principal_kind(p: &str) -> PrincipalKind {
    if p.ends_with(".gserviceaccount.com")
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
pub(super) fn build(p: Parts<'_>) -> Result<Draft<'_>, String> {
    let time = require_time("timestamp", p.timestamp.as_deref().or(p.receive_timestamp.as_deref()))?;
    let principal = p.principal_email.filter(|s| !s.is_empty()).or_else(|| {
        p.principal_subject
            .map(|s| match s {
                Cow::Borrowed(b) => Cow::Borrowed(strip_subject(b)),
                Cow::Owned(o) => Cow::Owned(strip_subject(&o).to_string()),
            })
            .filter(|s| !s.is_empty())
    });
    let principal = principal.unwrap_or_default();
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

fn strip_subject(s: &str) -> &str {
    for prefix in ["user:", "serviceAccount:", "principal://"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return rest;
        }
    }
    s
}

fn region_of<'a>(
    resource: Option<&'a serde_json::value::RawValue>,
    loc: Option<&ResourceLocation<'a>>,
) -> Cow<'a, str> {
    let labels = resource
        .and_then(|raw| serde_json::from_str::<MonitoredResource>(raw.get()).ok())
        .and_then(|r| r.labels)
        .unwrap_or_default();
    let current = loc.and_then(|l| l.current_locations.first()).map(|c| c.as_str());
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
