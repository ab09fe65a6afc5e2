//! AWS CloudTrail records: `{"Records":[…]}` files as delivered, JSON Lines, bare arrays, single
//! records and event-history rows that embed the record as a `CloudTrailEvent` string.
//!
//! Principal is `userIdentity.arn`, then `userName`, `principalId`, `invokedBy`. The resource is
//! the first ARN in `resources`, else one derived from the request for the services whose
//! detectors need it (S3 buckets, KMS keys). Digest files and Insights events are counted as
//! ignored.

use super::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind};
use serde::Deserialize;
use std::borrow::Cow;

type Str<'a> = Option<Cow<'a, str>>;

/// `userIdentity`.
#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Identity<'a> {
    #[serde(rename = "type", borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub kind: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub arn: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub user_name: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub principal_id: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub invoked_by: Str<'a>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    #[serde(rename = "ARN", alias = "arn", borrow, deserialize_with = "crate::ingest::flex::opt_cow", default)]
    arn: Str<'a>,
}

/// `requestParameters`: where S3 and KMS calls name their bucket or key.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Request<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub bucket_name: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub key_id: Str<'a>,
}

/// `responseElements`: a console login's result, a created key's ARN.
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
pub(super) struct Response<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    ConsoleLogin: Str<'a>,
    #[serde(rename = "keyMetadata", borrow)]
    key_metadata: Option<KeyMetadata<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KeyMetadata<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    arn: Str<'a>,
}

/// Maps a CloudTrail identity type (and role ARN) to a principal kind.
pub fn principal_kind(kind: &str, arn: &str) -> PrincipalKind {
    match kind {
        "IAMUser" | "Root" | "IdentityCenterUser" | "SAMLUser" | "WebIdentityUser" => PrincipalKind::User,
        "AssumedRole" if arn.contains("AWSReservedSSO") => PrincipalKind::User,
        "AssumedRole" | "AWSService" | "AWSAccount" | "Role" => PrincipalKind::Service,
        _ => PrincipalKind::Unknown,
    }
}

/// The CloudTrail values an event is built from, however they were read: by serde here, or by
/// the field-skipping scanner in [`super::fast`]. Both paths end in [`build`].
#[derive(Default)]
pub(super) struct Parts<'a> {
    pub event_time: Str<'a>,
    pub identity: Identity<'a>,
    pub event_name: Cow<'a, str>,
    pub event_source: Str<'a>,
    pub error_code: Str<'a>,
    pub error_message: Str<'a>,
    pub source_ip: Str<'a>,
    pub user_agent: Str<'a>,
    pub region: Str<'a>,
    /// The first non-empty ARN in `resources`.
    pub first_arn: Str<'a>,
    /// `responseElements`, read only when [`needs_response`].
    pub response: Response<'a>,
    /// `requestParameters`, read only when [`needs_request`].
    pub request: Request<'a>,
}

/// Whether the event's outcome or resource is in `responseElements`.
pub(super) fn needs_response(event_name: &str) -> bool {
    event_name == "ConsoleLogin" || event_name == "CreateKey"
}

/// Whether the resource has to be derived from `requestParameters`: no ARN in `resources` or
/// the response, and a service whose detectors need the resource.
pub(super) fn needs_request(first_arn: Option<&str>, response: &Response, service: Option<&str>) -> bool {
    first_arn.is_none_or(str::is_empty)
        && response.key_metadata.as_ref().and_then(|k| k.arn.as_ref()).is_none()
        && matches!(service, Some("s3.amazonaws.com" | "kms.amazonaws.com"))
}

pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    if p.eventType.as_deref() == Some("AwsCloudTrailInsight") {
        return Ok(Parsed::Ignored("aws: CloudTrail Insights event".into()));
    }
    let event_name = p.eventName.0;
    let response: Response = p
        .responseElements
        .filter(|_| needs_response(&event_name))
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let first_arn = p
        .resources
        .and_then(|r| serde_json::from_str::<Vec<Resource>>(r.get()).ok())
        .and_then(|v| v.into_iter().filter_map(|r| r.arn).find(|a| !a.is_empty()))
        .map(|a| Cow::Owned(a.into_owned()));
    let request: Request = p
        .requestParameters
        .filter(|_| needs_request(first_arn.as_deref(), &response, p.eventSource.as_deref()))
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let draft = build(Parts {
        event_time: p.eventTime,
        identity: p.userIdentity.unwrap_or_default(),
        event_name,
        event_source: p.eventSource,
        error_code: p.errorCode,
        error_message: p.errorMessage,
        source_ip: p.sourceIPAddress,
        user_agent: p.userAgent,
        region: p.awsRegion,
        first_arn,
        response,
        request,
    })?;
    Ok(Parsed::Event(Box::new(draft)))
}

/// The event of a CloudTrail record, or why it has none.
pub(super) fn build(p: Parts<'_>) -> Result<Draft<'_>, String> {
    let time = require_time("eventTime", p.event_time.as_deref())?;
    let id = p.identity;
    let kind = principal_kind(id.kind.as_deref().unwrap_or(""), id.arn.as_deref().unwrap_or(""));
    let principal = [id.arn, id.user_name, id.principal_id, id.invoked_by]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let service = p.event_source.unwrap_or_default();
    let response = p.response;
    let login_failed = response.ConsoleLogin.as_deref() == Some("Failure");
    let (outcome, status) = match (p.error_code, p.error_message) {
        (Some(code), _) if !code.is_empty() => (Outcome::Failure, code),
        (_, Some(msg)) if !msg.is_empty() => (Outcome::Failure, msg),
        _ if login_failed => (Outcome::Failure, Cow::Borrowed("Failure")),
        _ => (Outcome::Success, Cow::Borrowed("")),
    };

    let mut resource: Cow<str> = p.first_arn.filter(|a| !a.is_empty()).unwrap_or_default();
    if resource.is_empty() {
        if let Some(arn) = response.key_metadata.and_then(|k| k.arn) {
            resource = Cow::Owned(arn.into_owned());
        } else if matches!(&*service, "s3.amazonaws.com" | "kms.amazonaws.com") {
            let req = p.request;
            if let Some(b) = req.bucket_name.filter(|b| !b.is_empty()) {
                resource = Cow::Owned(format!("arn:aws:s3:::{b}"));
            } else if let Some(k) = req.key_id.filter(|k| k.starts_with("arn:")) {
                resource = k;
            }
        }
    }

    Ok(Draft {
        time,
        cloud: Some(Cloud::Aws),
        principal_kind: Some(kind),
        outcome: Some(outcome),
        principal,
        service,
        operation: p.event_name,
        resource,
        source_ip: p.source_ip.unwrap_or_default(),
        user_agent: p.user_agent.unwrap_or_default(),
        status,
        region: p.region.unwrap_or_default(),
        ..Draft::default()
    })
}
