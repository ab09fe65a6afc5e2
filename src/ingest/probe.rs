//! One pass over a record's JSON that serves every format.
//!
//! [`Probe`] holds the union of the top-level fields the readers need, borrowed from the input;
//! everything else is skipped without building a tree. [`parse_record`] deserialises it once, tells
//! the format by which fields are present (never by file name) and hands it to that format's
//! normaliser. Polymorphic or format-specific sub-objects stay as raw JSON until the format that
//! owns them reads them.

use super::flex::Flex;
use super::{aws, azure, gcp, gcp_export, windows};
use crate::model::{Cloud, Outcome, PrincipalKind};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use std::borrow::Cow;

type Str<'a> = Option<Cow<'a, str>>;
type Raw<'a> = Option<&'a RawValue>;

/// The top-level fields of every supported format. Unknown fields are skipped.
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
pub struct Probe<'a> {
    // Batches inside JSON Lines (Event Hub captures, CloudTrail via some forwarders).
    #[serde(borrow)]
    pub records: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    pub Records: Option<Vec<&'a RawValue>>,

    // GCP LogEntry.
    #[serde(borrow)]
    pub protoPayload: Option<gcp::AuditLog<'a>>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub logName: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::gcp_export::opt_time")]
    pub timestamp: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::gcp_export::opt_time")]
    pub receiveTimestamp: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub insertId: Str<'a>,
    #[serde(borrow)]
    pub resource: Raw<'a>,
    #[serde(borrow)]
    pub jsonPayload: Raw<'a>,
    pub textPayload: Option<IgnoredAny>,

    // GCP exports: BigQuery sink rows, Log Analytics rows, Security Command Center findings.
    #[serde(borrow)]
    pub protopayload_auditlog: Raw<'a>,
    #[serde(borrow)]
    pub proto_payload: Raw<'a>,
    #[serde(borrow)]
    pub json_payload: Raw<'a>,
    pub log_name: Option<IgnoredAny>,
    pub insert_id: Option<IgnoredAny>,
    #[serde(borrow, deserialize_with = "crate::ingest::gcp_export::opt_time")]
    pub receive_timestamp: Str<'a>,
    #[serde(borrow)]
    pub finding: Raw<'a>,
    #[serde(borrow)]
    pub listFindingsResults: Option<Vec<&'a RawValue>>,

    // AWS CloudTrail (the lower-case aliases are Athena's column names).
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "eventtime")]
    pub eventTime: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "eventsource")]
    pub eventSource: Str<'a>,
    #[serde(borrow, alias = "eventname")]
    pub eventName: Flex<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "eventtype")]
    pub eventType: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "awsregion", alias = "AWS region")]
    pub awsRegion: Str<'a>,
    #[serde(
        borrow,
        deserialize_with = "crate::ingest::flex::opt_cow",
        alias = "sourceipaddress",
        alias = "Source IP address"
    )]
    pub sourceIPAddress: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "useragent", alias = "User agent")]
    pub userAgent: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "errorcode", alias = "Error code")]
    pub errorCode: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "errormessage")]
    pub errorMessage: Str<'a>,
    #[serde(borrow, deserialize_with = "aws::identity_field", alias = "useridentity")]
    pub userIdentity: Option<aws::Identity<'a>>,
    #[serde(borrow)]
    pub resources: Raw<'a>,
    #[serde(borrow, alias = "requestparameters")]
    pub requestParameters: Raw<'a>,
    #[serde(borrow, alias = "responseelements")]
    pub responseElements: Raw<'a>,
    #[serde(borrow, alias = "recipientaccountid")]
    pub recipientAccountId: Flex<'a>,
    /// Logstash / Elastic: the event time when a pipeline moved `eventTime` there.
    #[serde(borrow, rename = "@timestamp", deserialize_with = "crate::ingest::flex::opt_cow")]
    pub at_timestamp: Str<'a>,
    /// Splunk exports: the record as indexed, a JSON string (`_raw` column or field).
    #[serde(borrow, rename = "_raw", deserialize_with = "crate::ingest::flex::opt_cow")]
    pub splunk_raw: Str<'a>,
    /// Splunk's JSON export: `{"preview":false,"result":{"_raw":…}}` per line.
    #[serde(borrow)]
    pub result: Raw<'a>,
    /// Splunk's search-results document: `{"results":[{"_raw":…},…]}`.
    #[serde(borrow)]
    pub results: Option<Vec<&'a RawValue>>,
    /// CloudTrail Lake `get-query-results`: rows of one-column objects.
    #[serde(borrow)]
    pub QueryResultRows: Option<Vec<&'a RawValue>>,
    /// `aws cloudtrail lookup-events` rows, read when `CloudTrailEvent` was left out, and the
    /// console's Event history CSV download (title-case column names).
    #[serde(borrow, alias = "Event ID")]
    pub EventId: Flex<'a>,
    #[serde(borrow, alias = "Event name")]
    pub EventName: Flex<'a>,
    #[serde(borrow, alias = "Event time")]
    pub EventTime: Flex<'a>,
    #[serde(borrow, alias = "Event source")]
    pub EventSource: Flex<'a>,
    #[serde(borrow, alias = "User name")]
    pub Username: Flex<'a>,
    #[serde(borrow)]
    pub Resources: Raw<'a>,
    pub digestStartTime: Option<IgnoredAny>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub CloudTrailEvent: Str<'a>,

    // Azure (diagnostic export and REST / PowerShell forms).
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub time: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "EventTimestamp")]
    pub eventTimestamp: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow", alias = "ResourceId")]
    pub resourceId: Str<'a>,
    #[serde(borrow, alias = "OperationName")]
    pub operationName: Flex<'a>,
    #[serde(borrow, alias = "Category")]
    pub category: Flex<'a>,
    #[serde(borrow)]
    pub resultType: Flex<'a>,
    #[serde(borrow)]
    pub resultSignature: Flex<'a>,
    #[serde(borrow)]
    pub callerIpAddress: Flex<'a>,
    #[serde(borrow)]
    pub identity: Raw<'a>,
    #[serde(borrow, alias = "Caller")]
    pub caller: Flex<'a>,
    #[serde(borrow, alias = "Claims")]
    pub claims: Raw<'a>,
    #[serde(borrow, alias = "Status")]
    pub status: Flex<'a>,
    #[serde(borrow, alias = "SubStatus")]
    pub subStatus: Flex<'a>,
    #[serde(borrow, alias = "HttpRequest")]
    pub httpRequest: Raw<'a>,
    #[serde(borrow, alias = "Properties")]
    pub properties: Raw<'a>,
    #[serde(borrow)]
    pub location: Flex<'a>,
    #[serde(borrow, alias = "ResourceProviderName")]
    pub resourceProviderName: Flex<'a>,
    // Azure: Microsoft Graph `signIn` / `directoryAudit` objects (read from `text` by the reader).
    pub createdDateTime: Option<IgnoredAny>,
    pub activityDateTime: Option<IgnoredAny>,

    // Windows: Log Analytics SecurityEvent rows.
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    pub TimeGenerated: Str<'a>,
    #[serde(borrow)]
    pub Computer: Flex<'a>,
    #[serde(borrow)]
    pub Account: Flex<'a>,
    #[serde(borrow)]
    pub AccountType: Flex<'a>,
    #[serde(borrow)]
    pub EventID: Flex<'a>,
    #[serde(borrow)]
    pub Activity: Flex<'a>,
    #[serde(borrow)]
    pub NewProcessName: Flex<'a>,
    #[serde(borrow)]
    pub ProcessName: Flex<'a>,
    #[serde(borrow)]
    pub IpAddress: Flex<'a>,
    #[serde(borrow)]
    pub SubjectUserName: Flex<'a>,
    #[serde(borrow)]
    pub SubjectDomainName: Flex<'a>,
    #[serde(borrow)]
    pub TargetUserName: Flex<'a>,
    #[serde(borrow)]
    pub TargetDomainName: Flex<'a>,
    #[serde(borrow)]
    pub EventSourceName: Flex<'a>,
    #[serde(borrow)]
    pub ObjectName: Flex<'a>,
    #[serde(borrow, rename = "Type")]
    pub Type: Flex<'a>,

    // Windows: nested System / EventData (evtx converters, forwarders).
    #[serde(borrow)]
    pub Event: Raw<'a>,
    #[serde(borrow)]
    pub System: Raw<'a>,
    #[serde(borrow)]
    pub EventData: Raw<'a>,

    // Windows: Winlogbeat / Elastic Agent documents, Winlogbeat 6 flat fields.
    pub winlog: Option<IgnoredAny>,
    pub event_id: Option<IgnoredAny>,

    /// The record's whole text, for readers that take more than these fields (set by
    /// [`parse_record_general`]; empty for text that is not UTF-8).
    #[serde(skip)]
    pub text: &'a str,
}

/// A normalised event before its strings are interned.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Draft<'a> {
    pub time: i64,
    pub cloud: Option<Cloud>,
    pub principal_kind: Option<PrincipalKind>,
    pub outcome: Option<Outcome>,
    pub principal: Cow<'a, str>,
    pub service: Cow<'a, str>,
    pub operation: Cow<'a, str>,
    pub resource: Cow<'a, str>,
    pub source_ip: Cow<'a, str>,
    pub user_agent: Cow<'a, str>,
    pub status: Cow<'a, str>,
    pub region: Cow<'a, str>,
    pub computer: Cow<'a, str>,
    pub process: Cow<'a, str>,
    pub parent: Cow<'a, str>,
    pub command_line: Cow<'a, str>,
    pub target: Cow<'a, str>,
}

impl Draft<'_> {
    /// The same draft owning its strings.
    pub fn into_owned(self) -> Draft<'static> {
        let o = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        Draft {
            time: self.time,
            cloud: self.cloud,
            principal_kind: self.principal_kind,
            outcome: self.outcome,
            principal: o(self.principal),
            service: o(self.service),
            operation: o(self.operation),
            resource: o(self.resource),
            source_ip: o(self.source_ip),
            user_agent: o(self.user_agent),
            status: o(self.status),
            region: o(self.region),
            computer: o(self.computer),
            process: o(self.process),
            parent: o(self.parent),
            command_line: o(self.command_line),
            target: o(self.target),
        }
    }
}

/// What one record turned out to be.
#[derive(Debug)]
pub enum Parsed<'a> {
    /// A modelled audit event.
    Event(Box<Draft<'a>>),
    /// A valid record of a kind trailwatch does not model, by kind.
    Ignored(String),
    /// A batch of records inside one record (a `records` line of an Event Hub capture).
    Batch(Vec<&'a RawValue>),
    /// A record embedded as a JSON string (CloudTrail event history's `CloudTrailEvent`).
    Embedded(String),
}

/// Parses one record's JSON text and normalises it. `Err` carries a human reason.
///
/// Common GCP audit and CloudTrail records take the scanner in [`super::fast`]; everything else, and anything
/// the scanner declines, takes serde ([`parse_record_general`]), with the same result.
pub fn parse_record(text: &[u8]) -> Result<Parsed<'_>, String> {
    if let Ok(s) = simdutf8::basic::from_utf8(text)
        && let Some(draft) = super::fast::event(s)
    {
        return Ok(Parsed::Event(Box::new(draft)));
    }
    parse_record_general(text)
}

/// [`parse_record`] through serde alone.
pub fn parse_record_general(text: &[u8]) -> Result<Parsed<'_>, String> {
    // Validating UTF-8 once per record with SIMD and then parsing a `str` spares serde_json a
    // per-string validation; invalid text goes the byte path, which names the bad position.
    if let Some(row) = aws::lake_row(text) {
        return row;
    }
    let utf8 = simdutf8::basic::from_utf8(text).ok();
    let parsed = match utf8 {
        Some(s) => serde_json::from_str(s),
        None => serde_json::from_slice(text),
    };
    let mut p: Probe = parsed.map_err(|e| explain(text, &e))?;
    p.text = utf8.unwrap_or_default();
    if let Some(batch) = p.records.take().or(p.Records.take()) {
        return Ok(Parsed::Batch(batch));
    }
    if let Some(parsed) = aws::pipeline(&mut p) {
        return parsed;
    }
    classify(p).map_err(|reason| {
        if reason.starts_with(UNRECOGNISED) { format!("{reason} (keys: {})", top_keys(text)) } else { reason }
    })
}

/// The start of the reason for a record no reader recognised.
pub const UNRECOGNISED: &str = "unrecognised record";

/// The first top-level keys of a JSON object, for saying what a record does hold.
fn top_keys(text: &[u8]) -> String {
    const SHOWN: usize = 8;
    let keys: Vec<String> = match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(text) {
        Ok(m) if m.is_empty() => return "none".into(),
        Ok(m) => {
            let mut k: Vec<String> = m.keys().take(SHOWN).map(|k| crate::text::clip(k, 40)).collect();
            if m.len() > SHOWN {
                k.push(format!("… {} more", m.len() - SHOWN));
            }
            k
        }
        Err(_) => return "not an object".into(),
    };
    keys.join(", ")
}

/// A reason for a record that failed to deserialise, naming the field for a wrong type.
fn explain(text: &[u8], e: &serde_json::Error) -> String {
    let reason = super::frame::json_reason(e);
    if e.classify() != serde_json::error::Category::Data {
        return reason;
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    match serde_path_to_error::deserialize::<_, Probe>(&mut de) {
        Err(pe) if !pe.path().to_string().is_empty() && pe.path().to_string() != "." => {
            format!("wrong type in `{}`: {}", pe.path(), reason.trim_start_matches("wrong type: "))
        }
        _ => reason,
    }
}

fn classify(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    if p.protopayload_auditlog.is_some()
        || p.proto_payload.is_some()
        // Winlogbeat 6 also writes `log_name` (the event log's name), beside its `event_id`.
        || ((p.log_name.is_some() || p.insert_id.is_some()) && p.event_id.is_none() && p.winlog.is_none())
        || p.finding.is_some()
        || p.listFindingsResults.is_some()
    {
        return gcp_export::normalise(p);
    }
    if p.protoPayload.is_some() || p.logName.is_some() || p.insertId.is_some() {
        return gcp::normalise(p);
    }
    if p.eventSource.is_some() && !p.eventName.0.is_empty() {
        return aws::normalise(p);
    }
    if p.digestStartTime.is_some() {
        return Ok(Parsed::Ignored("aws: CloudTrail digest".into()));
    }
    if let Some(embedded) = p.CloudTrailEvent {
        return Ok(Parsed::Embedded(embedded.into_owned()));
    }
    if p.Type.as_str().trim().eq_ignore_ascii_case("AWSCloudTrail") && !p.text.is_empty() {
        return aws::sentinel_row(p.text);
    }
    if let Some(table) = azure::log_analytics_table(&p) {
        return azure::log_analytics(p, table);
    }
    if p.TimeGenerated.is_some()
        || p.System.is_some()
        || p.Event.is_some()
        || p.winlog.is_some()
        || p.event_id.is_some()
        || !p.EventID.0.is_empty()
    {
        return windows::normalise(p);
    }
    if (p.time.is_some() || p.eventTimestamp.is_some())
        && (p.resourceId.is_some() || !p.operationName.0.is_empty() || !p.category.0.is_empty())
    {
        return azure::normalise(p);
    }
    if p.createdDateTime.is_some() || p.activityDateTime.is_some() {
        return azure::graph(p);
    }
    Err("unrecognised record: no GCP, Azure, AWS or Windows audit fields".into())
}

/// Parses a time field or says why it cannot.
pub fn require_time(field: &str, value: Option<&str>) -> Result<i64, String> {
    let v = value.ok_or_else(|| format!("missing time field `{field}`"))?;
    crate::time::parse_time(v).ok_or_else(|| format!("unparseable time in `{field}`: {:?}", crate::text::clip(v, 40)))
}
