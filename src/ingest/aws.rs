//! AWS CloudTrail records: `{"Records":[…]}` files as delivered, JSON Lines, bare arrays, single
//! records, event-history rows that embed the record as a `CloudTrailEvent` string (or, without
//! it, the row's own `EventName` / `EventTime` / `Username` / `Resources`), and the forms
//! pipelines give them: Splunk exports whose `_raw` holds the record (a `result` per line, a
//! `results` document, or a CSV row), Logstash / Elastic copies carrying `@timestamp` (with or
//! without `eventTime`), and Athena / CloudTrail Lake query rows (lower-case column names, struct
//! columns in Hive text such as `{type=IAMUser, arn=…}`, JSON columns as strings).
//!
//! Principal is `userIdentity.arn`, then `userName`, `principalId`, `invokedBy`. The resource is
//! the first ARN in `resources`, else one derived from `requestParameters` / `responseElements`
//! by [`super::aws_resource`], which also gives the secondary target. Digest files and Insights
//! events are counted as ignored.

use super::aws_resource;
use super::probe::{Draft, Parsed, Probe, require_time};
use crate::model::{Cloud, Outcome, PrincipalKind};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

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
    /// `recipientAccountId`.
    pub account: Str<'a>,
    /// The first non-empty ARN in `resources`.
    pub first_arn: Str<'a>,
    /// The raw text of `requestParameters` and `responseElements`, as in the record.
    pub request: Option<&'a str>,
    pub response: Option<&'a str>,
}

pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    if p.eventType.as_deref() == Some("AwsCloudTrailInsight") {
        return Ok(Parsed::Ignored("aws: CloudTrail Insights event".into()));
    }
    let first_arn = p.resources.and_then(|r| first_arn(r.get()));
    let draft = build(Parts {
        event_time: p.eventTime.or(p.at_timestamp),
        identity: p.userIdentity.unwrap_or_default(),
        event_name: p.eventName.0,
        event_source: p.eventSource,
        error_code: p.errorCode,
        error_message: p.errorMessage,
        source_ip: p.sourceIPAddress,
        user_agent: p.userAgent,
        region: p.awsRegion,
        account: p.recipientAccountId.non_empty().map(|a| Cow::Owned(a.to_string())),
        first_arn,
        request: p.requestParameters.map(RawValue::get),
        response: p.responseElements.map(RawValue::get),
    })?;
    Ok(Parsed::Event(Box::new(draft)))
}

/// The first non-empty ARN of `resources`: a JSON array of objects, or a JSON string holding
/// one or Hive text (Athena).
fn first_arn(raw: &str) -> Option<Cow<'static, str>> {
    let owned;
    let text = match raw.trim_ascii_start().as_bytes().first() {
        Some(b'"') => {
            let s: String = serde_json::from_str(raw).ok()?;
            owned = if s.trim_start().starts_with('[') && serde_json::from_str::<IgnoredAny>(&s).is_ok() {
                s
            } else {
                super::hive::to_json(&s)?
            };
            owned.as_str()
        }
        _ => raw,
    };
    serde_json::from_str::<Vec<Resource>>(text)
        .ok()?
        .into_iter()
        .filter_map(|r| r.arn)
        .find(|a| !a.is_empty())
        .map(|a| Cow::Owned(a.into_owned()))
}

/// `userIdentity` as a JSON object, or as a string holding Hive text or JSON (Athena CSV rows).
pub fn identity_field<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Identity<'a>>, D::Error> {
    struct V<'a>(std::marker::PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
        type Value = Option<Identity<'a>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object or a string")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Identity::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(identity_from_text(v)))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
    }
    d.deserialize_option(V(std::marker::PhantomData))
}

/// An identity from Hive text (`{type=IAMUser, principalid=…, arn=…}`, names in any case) or
/// JSON text. Text that is neither gives an empty identity.
fn identity_from_text(text: &str) -> Identity<'static> {
    let value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) if v.is_object() => v,
        _ => super::hive::parse(text).unwrap_or_default(),
    };
    let mut id = Identity::default();
    let Some(map) = value.as_object() else {
        return id;
    };
    for (k, v) in map {
        let Some(v) = v.as_str().filter(|v| !v.is_empty()) else {
            continue;
        };
        let slot = match k.to_ascii_lowercase().as_str() {
            "type" => &mut id.kind,
            "arn" => &mut id.arn,
            "username" => &mut id.user_name,
            "principalid" => &mut id.principal_id,
            "invokedby" => &mut id.invoked_by,
            _ => continue,
        };
        slot.get_or_insert(Cow::Owned(v.to_string()));
    }
    id
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
    let login_failed = p.event_name == "ConsoleLogin"
        && p.response
            .and_then(aws_resource::doc_text)
            .is_some_and(|d| aws_resource::lookup(d.text(), "ConsoleLogin").as_deref() == Some("Failure"));
    let (outcome, status) = match (p.error_code, p.error_message) {
        (Some(code), _) if !code.is_empty() => (Outcome::Failure, code),
        (_, Some(msg)) if !msg.is_empty() => (Outcome::Failure, msg),
        _ if login_failed => (Outcome::Failure, Cow::Borrowed("Failure")),
        _ => (Outcome::Success, Cow::Borrowed("")),
    };

    let first_arn = p.first_arn.filter(|a| !a.is_empty());
    // The account a template names: the recipient, else the caller's (from its ARN).
    let account = p
        .account
        .as_deref()
        .filter(|a| !a.is_empty())
        .or_else(|| id_arn_account(principal.as_ref()))
        .unwrap_or_default();
    let scope = aws_resource::Scope { account, region: p.region.as_deref().unwrap_or_default() };
    let (derived, target) =
        aws_resource::derive(&service, &p.event_name, p.request, p.response, scope, first_arn.is_none());
    let resource = first_arn.or(derived).unwrap_or_default();
    let target = target.unwrap_or_default();

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
        target,
        ..Draft::default()
    })
}

/// The account of an `arn:partition:service::account:…` ARN.
fn id_arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.strip_prefix("arn:")?.splitn(5, ':');
    let account = parts.nth(3)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// Records a pipeline wrapped around the CloudTrail record: a Splunk export row (`_raw` holding
/// the record as indexed, alone or in a `result` object) or a Splunk results document
/// (`{"results":[…]}`). `None` when the record is none of these.
pub(super) fn pipeline<'a>(p: &mut Probe<'a>) -> Option<Result<Parsed<'a>, String>> {
    if let Some(raw) = p.splunk_raw.take() {
        return Some(Ok(Parsed::Embedded(raw.into_owned())));
    }
    if let Some(result) = p.result.filter(|r| r.get().starts_with('{')) {
        #[derive(Deserialize)]
        struct Row<'r> {
            #[serde(rename = "_raw", borrow, default, deserialize_with = "crate::ingest::flex::opt_cow")]
            raw: Str<'r>,
        }
        return Some(match serde_json::from_str::<Row>(result.get()) {
            Ok(Row { raw: Some(raw) }) => Ok(Parsed::Embedded(raw.into_owned())),
            Ok(Row { raw: None }) => Err("Splunk export row without `_raw`: `result` found, `_raw` missing".into()),
            Err(e) => Err(format!("Splunk export row: wrong type in `result._raw`: {e}")),
        });
    }
    if let Some(rows) = p.results.take().or(p.QueryResultRows.take()) {
        return Some(Ok(Parsed::Batch(rows)));
    }
    if p.CloudTrailEvent.is_none() && !p.EventId.0.is_empty() && !p.EventName.0.is_empty() {
        return Some(lookup_row(p));
    }
    None
}

/// A `lookup-events` row without its `CloudTrailEvent` (`--query` left it out): the event the
/// row's own columns tell (no error code, so no failure is claimed; the outcome is left unset).
fn lookup_row<'a>(p: &mut Probe<'a>) -> Result<Parsed<'a>, String> {
    let when = std::mem::take(&mut p.EventTime.0);
    let time = lookup_time(&when).ok_or_else(|| {
        if when.is_empty() {
            "lookup-events row without `CloudTrailEvent`: `EventId` and `EventName` found, `EventTime` missing"
                .to_string()
        } else {
            format!("lookup-events row: unparseable time in `EventTime`: {:?}", crate::text::clip(&when, 40))
        }
    })?;
    #[derive(Deserialize)]
    #[allow(non_snake_case)]
    struct Res<'r> {
        #[serde(borrow, default, alias = "resourceName")]
        ResourceName: crate::ingest::flex::Flex<'r>,
    }
    let resource = p
        .Resources
        .and_then(|r| serde_json::from_str::<Vec<Res>>(r.get()).ok())
        .and_then(|v| v.into_iter().map(|r| r.ResourceName.0).find(|n| !n.is_empty()))
        .map(|n| Cow::Owned(n.into_owned()))
        .unwrap_or_default();
    let principal = match std::mem::take(&mut p.Username.0) {
        name if name.trim().is_empty() => Cow::Borrowed(crate::model::UNKNOWN_PRINCIPAL),
        name => name,
    };
    // The console's CSV has an error-code column: an empty one there is a success. A CLI row
    // without it claims nothing.
    let error = p.errorCode.take().filter(|c| !c.trim().is_empty());
    let outcome = error.as_ref().map(|_| Outcome::Failure);
    Ok(Parsed::Event(Box::new(Draft {
        time,
        cloud: Some(Cloud::Aws),
        principal_kind: Some(PrincipalKind::Unknown),
        outcome,
        principal,
        service: std::mem::take(&mut p.EventSource.0),
        operation: std::mem::take(&mut p.EventName.0),
        resource,
        source_ip: p.sourceIPAddress.take().unwrap_or_default(),
        user_agent: p.userAgent.take().unwrap_or_default(),
        region: p.awsRegion.take().unwrap_or_default(),
        status: error.unwrap_or_default(),
        ..Draft::default()
    })))
}

/// `EventTime` as the CLI prints it: ISO 8601, or epoch seconds (JSON output of some versions).
fn lookup_time(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let secs: f64 = s.parse().ok()?;
        return (secs.is_finite() && secs.abs() < 1e13).then(|| (secs * 1e6).round() as i64);
    }
    crate::time::parse_time(s)
}

/// A CloudTrail Lake result row (`[{"eventTime":…},{"eventName":…},…]`, one object per column) as
/// one record: the columns merged, an identity column selected on its own (`arn`, `principalid`,
/// `username`) put under `userIdentity`. `None` when the text is not such a row.
pub(super) fn lake_row(text: &[u8]) -> Option<Result<Parsed<'static>, String>> {
    if text.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
        return None;
    }
    let cells: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(text).ok()?;
    // One column per object: an array of whole records is not a row.
    if cells.iter().any(|c| c.len() != 1) {
        return None;
    }
    let mut row = serde_json::Map::new();
    let mut identity = serde_json::Map::new();
    for (k, v) in cells.into_iter().flatten() {
        let slot = match k.to_ascii_lowercase().as_str() {
            "arn" => Some("arn"),
            "principalid" => Some("principalId"),
            "username" => Some("userName"),
            _ => None,
        };
        match slot {
            Some(s) => identity.entry(s).or_insert(v),
            None => row.entry(k).or_insert(v),
        };
    }
    if !identity.is_empty() && !row.contains_key("userIdentity") && !row.contains_key("useridentity") {
        row.insert("userIdentity".into(), serde_json::Value::Object(identity));
    }
    if row.is_empty() {
        return Some(Err("CloudTrail Lake result row without columns".into()));
    }
    Some(Ok(Parsed::Embedded(serde_json::Value::Object(row).to_string())))
}

/// A Microsoft Sentinel / Log Analytics `AWSCloudTrail` row: its columns are the CloudTrail
/// record's fields flattened (`UserIdentityArn`, `SourceIpAddress`, `RequestParameters` as JSON
/// text …). The record is put back together and read as any CloudTrail record, so the same call
/// gives the same event, resource and target whichever way it was exported.
pub(super) fn sentinel_row(text: &str) -> Result<Parsed<'static>, String> {
    use serde_json::{Map, Value};
    let row: Map<String, Value> =
        serde_json::from_str(text).map_err(|e| format!("AWSCloudTrail row: {}", super::frame::json_reason(&e)))?;
    let get = |k: &str| row.get(k).filter(|v| !v.is_null() && v.as_str() != Some(""));
    // Dynamic columns arrive as JSON values or as their JSON text.
    let json = |k: &str| {
        get(k).map(|v| match v {
            Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or_else(|_| v.clone()),
            other => other.clone(),
        })
    };
    let mut rec = Map::new();
    let mut put = |key: &str, v: Option<Value>| {
        if let Some(v) = v {
            rec.insert(key.to_string(), v);
        }
    };
    let time = get("TimeGenerated").cloned().ok_or("AWSCloudTrail row without `TimeGenerated`")?;
    put("eventTime", Some(time));
    for (to, from) in [
        ("eventVersion", "EventVersion"),
        ("eventSource", "EventSource"),
        ("eventName", "EventName"),
        ("awsRegion", "AWSRegion"),
        ("sourceIPAddress", "SourceIpAddress"),
        ("userAgent", "UserAgent"),
        ("errorCode", "ErrorCode"),
        ("errorMessage", "ErrorMessage"),
        ("eventID", "AwsEventId"),
        ("eventType", "EventTypeName"),
        ("recipientAccountId", "RecipientAccountId"),
    ] {
        put(to, get(from).cloned());
    }
    for (to, from) in [
        ("requestParameters", "RequestParameters"),
        ("responseElements", "ResponseElements"),
        ("additionalEventData", "AdditionalEventData"),
        ("resources", "Resources"),
    ] {
        put(to, json(from));
    }
    let mut identity = Map::new();
    for (to, from) in [
        ("type", "UserIdentityType"),
        ("principalId", "UserIdentityPrincipalid"),
        ("arn", "UserIdentityArn"),
        ("accountId", "UserIdentityAccountId"),
        ("invokedBy", "UserIdentityInvokedBy"),
        ("accessKeyId", "UserIdentityAccessKeyId"),
        ("userName", "UserIdentityUserName"),
    ] {
        if let Some(v) = get(from) {
            identity.insert(to.to_string(), v.clone());
        }
    }
    if let Some(arn) = get("SessionIssuerArn") {
        let issuer =
            serde_json::json!({"type": get("SessionIssuerType"), "arn": arn, "userName": get("SessionIssuerUserName")});
        identity.insert("sessionContext".into(), serde_json::json!({"sessionIssuer": issuer}));
    }
    rec.insert("userIdentity".into(), Value::Object(identity));
    if rec.get("eventSource").is_none() || rec.get("eventName").is_none() {
        return Err("AWSCloudTrail row: `EventSource` or `EventName` missing".into());
    }
    Ok(Parsed::Embedded(Value::Object(rec).to_string()))
}
