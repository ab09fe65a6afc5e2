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

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Request<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    bucket_name: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    key_id: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct Response<'a> {
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

pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    if p.eventType.as_deref() == Some("AwsCloudTrailInsight") {
        return Ok(Parsed::Ignored("aws: CloudTrail Insights event".into()));
    }
    let time = require_time("eventTime", p.eventTime.as_deref())?;
    let id = p.userIdentity.unwrap_or_default();
    let kind = principal_kind(id.kind.as_deref().unwrap_or(""), id.arn.as_deref().unwrap_or(""));
    let principal = [id.arn, id.user_name, id.principal_id, id.invoked_by]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let event_name = p.eventName.0.clone();
    let service = p.eventSource.unwrap_or_default();

    let response: Response = p
        .responseElements
        .filter(|_| &*event_name == "ConsoleLogin" || &*event_name == "CreateKey")
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let login_failed = response.ConsoleLogin.as_deref() == Some("Failure");
    let (outcome, status) = match (p.errorCode, p.errorMessage) {
        (Some(code), _) if !code.is_empty() => (Outcome::Failure, code),
        (_, Some(msg)) if !msg.is_empty() => (Outcome::Failure, msg),
        _ if login_failed => (Outcome::Failure, Cow::Borrowed("Failure")),
        _ => (Outcome::Success, Cow::Borrowed("")),
    };

    let mut resource: Cow<str> = p
        .resources
        .and_then(|r| serde_json::from_str::<Vec<Resource>>(r.get()).ok())
        .and_then(|v| v.into_iter().filter_map(|r| r.arn).find(|a| !a.is_empty()))
        .map(|a| Cow::Owned(a.into_owned()))
        .unwrap_or_default();
    if resource.is_empty() {
        if let Some(arn) = response.key_metadata.and_then(|k| k.arn) {
            resource = Cow::Owned(arn.into_owned());
        } else if matches!(&*service, "s3.amazonaws.com" | "kms.amazonaws.com") {
            let req: Request = p.requestParameters.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default();
            if let Some(b) = req.bucket_name.filter(|b| !b.is_empty()) {
                resource = Cow::Owned(format!("arn:aws:s3:::{b}"));
            } else if let Some(k) = req.key_id.filter(|k| k.starts_with("arn:")) {
                resource = Cow::Owned(k.into_owned());
            }
        }
    }

    Ok(Parsed::Event(Box::new(Draft {
        time,
        cloud: Some(Cloud::Aws),
        principal_kind: Some(kind),
        outcome: Some(outcome),
        principal,
        service,
        operation: event_name,
        resource,
        source_ip: p.sourceIPAddress.unwrap_or_default(),
        user_agent: p.userAgent.unwrap_or_default(),
        status,
        region: p.awsRegion.unwrap_or_default(),
        ..Draft::default()
    })))
}
