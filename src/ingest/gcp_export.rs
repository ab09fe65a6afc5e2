//! GCP audit records as analysts export them, beside the `LogEntry` itself ([`super::gcp`]).
//!
//! Owns:
//! - **BigQuery log-sink rows** (`cloudaudit_googleapis_com_activity` / `_data_access` /
//!   `_system_event` / `_policy` tables, exported as JSON lines, JSON arrays or CSV): the
//!   `LogEntry` columns keep their names (`timestamp`, `logName`, `resource.labels.*`, …) and the
//!   payload is `protopayload_auditlog` with the `AuditLog` field names. `timestamp` may be
//!   `2022-01-01 12:00:00.123 UTC`, RFC 3339, or epoch seconds (number or text, `1.6409952E9`);
//!   INT64 columns (`status.code`) may be text.
//! - **Log Analytics rows** (`_AllLogs` query results): snake_case columns `log_name`,
//!   `insert_id`, `receive_timestamp`, and `proto_payload.audit_log.{service_name, method_name,
//!   resource_name, authentication_info, request_metadata, status, resource_location}`; `resource`
//!   `labels` is a JSON column, an object or its text.
//! - **Security Command Center findings**: Pub/Sub notifications (`notificationConfigName` +
//!   `finding` + `resource`), `gcloud scc findings list` items (`finding` + `resource`), the API's
//!   `listFindingsResults` page, and findings inside a `LogEntry`'s `jsonPayload` or a Log Analytics
//!   row's `json_payload`: valid records trailwatch does not model, counted as ignored.
//!
//! A CSV row reaches here as a JSON object with dotted column names nested, so one reader serves
//! both framings. Every form ends in [`super::gcp::build`], the rules all GCP forms share.

use super::flex::Flex;
use super::gcp::{self, AuditLog, Parts, Status};
use super::probe::{Parsed, Probe};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

type Str<'a> = Option<Cow<'a, str>>;

/// The kind under which Security Command Center findings are counted as ignored.
pub const SCC_FINDING: &str = "gcp: Security Command Center finding";

/// Reads a record that [`super::probe`] routed here: a BigQuery or Log Analytics row, or a
/// Security Command Center finding.
pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    if let Some(items) = p.listFindingsResults {
        return Ok(Parsed::Batch(items));
    }
    if let Some(finding) = p.finding {
        return scc_finding(finding);
    }
    if let Some(raw) = p.protopayload_auditlog {
        let audit: AuditLog = within(raw, "protopayload_auditlog", "BigQuery audit row")?;
        return bigquery(p.timestamp, p.receiveTimestamp, p.resource, audit);
    }
    if let Some(raw) = p.proto_payload {
        let payload: LaPayload = within(raw, "proto_payload", "Log Analytics row")?;
        let timestamp = p.timestamp.or(p.receive_timestamp);
        return match payload.audit_log {
            Some(audit) => log_analytics(timestamp, p.resource, audit),
            None if holds_finding(p.json_payload) => Ok(Parsed::Ignored(SCC_FINDING.into())),
            None => Ok(Parsed::Ignored("gcp: Log Analytics row without an audit payload".into())),
        };
    }
    if holds_finding(p.json_payload) {
        return Ok(Parsed::Ignored(SCC_FINDING.into()));
    }
    if p.log_name.is_some() || p.insert_id.is_some() {
        return Ok(Parsed::Ignored("gcp: Log Analytics row without an audit payload".into()));
    }
    Err("GCP export row without an audit payload or finding: no `protopayload_auditlog`, `proto_payload` or `finding`"
        .into())
}

/// A BigQuery sink row: `protopayload_auditlog` holds the `AuditLog` fields under their own names.
fn bigquery<'a>(
    timestamp: Str<'a>,
    receive_timestamp: Str<'a>,
    resource: Option<&'a RawValue>,
    audit: AuditLog<'a>,
) -> Result<Parsed<'a>, String> {
    let auth = audit.authentication_info.unwrap_or_default();
    let meta = audit.request_metadata.unwrap_or_default();
    let status = audit.status.unwrap_or_default();
    let region = region(resource, audit.resource_location.as_ref().and_then(|l| l.current_locations.as_ref()));
    let draft = gcp::build(Parts {
        timestamp,
        receive_timestamp,
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
    })
    .map_err(|e| format!("BigQuery audit row: {e}"))?;
    Ok(Parsed::Event(Box::new(draft)))
}

fn log_analytics<'a>(
    timestamp: Str<'a>,
    resource: Option<&'a RawValue>,
    audit: LaAudit<'a>,
) -> Result<Parsed<'a>, String> {
    let auth = audit.authentication_info.unwrap_or_default();
    let meta = audit.request_metadata.unwrap_or_default();
    let status = audit.status.unwrap_or_default();
    let region = region(resource, audit.resource_location.as_ref().and_then(|l| l.current_locations.as_ref()));
    let draft = gcp::build(Parts {
        timestamp,
        receive_timestamp: None,
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
    })
    .map_err(|e| format!("Log Analytics audit row: {e}"))?;
    Ok(Parsed::Event(Box::new(draft)))
}

/// `proto_payload` of a Log Analytics row.
#[derive(Deserialize, Default)]
#[serde(default)]
struct LaPayload<'a> {
    #[serde(borrow)]
    audit_log: Option<LaAudit<'a>>,
}

/// `proto_payload.audit_log`: the `AuditLog` fields in snake_case.
#[derive(Deserialize, Default)]
#[serde(default)]
struct LaAudit<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    service_name: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    method_name: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    resource_name: Str<'a>,
    #[serde(borrow)]
    authentication_info: Option<LaAuth<'a>>,
    #[serde(borrow)]
    request_metadata: Option<LaMeta<'a>>,
    #[serde(borrow)]
    status: Option<Status<'a>>,
    #[serde(borrow)]
    resource_location: Option<LaLocation<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LaAuth<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    principal_email: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    principal_subject: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LaMeta<'a> {
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    caller_ip: Str<'a>,
    #[serde(borrow, deserialize_with = "crate::ingest::flex::opt_cow")]
    caller_supplied_user_agent: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LaLocation<'a> {
    #[serde(borrow, deserialize_with = "first_location")]
    current_locations: Option<Flex<'a>>,
}

/// The region of an export row: the resource's `location` / `region` / `zone` label, else the
/// first current location. `labels` may be an object or, in Log Analytics, its JSON text.
fn region(resource: Option<&RawValue>, current: Option<&Flex<'_>>) -> Cow<'static, str> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Resource<'a> {
        #[serde(borrow)]
        labels: Option<&'a RawValue>,
    }
    let labels_raw = resource.and_then(|r| serde_json::from_str::<Resource>(r.get()).ok()).and_then(|r| r.labels);
    let text: Option<String> = labels_raw.and_then(|l| serde_json::from_str::<String>(l.get()).ok());
    let labels_json = match (&text, labels_raw) {
        (Some(t), _) => Some(t.as_str()),
        (None, Some(l)) => Some(l.get()),
        _ => None,
    };
    let labels = labels_json.and_then(|j| serde_json::from_str::<gcp::Labels>(j).ok()).unwrap_or_default();
    let current = current.map(|c| c.as_str());
    let picked =
        gcp::pick_region([labels.location.as_deref(), labels.region.as_deref(), labels.zone.as_deref()], current);
    Cow::Owned(picked.into_owned())
}

/// Whether a row's `finding` is a Security Command Center finding, or why it is not.
fn scc_finding(raw: &RawValue) -> Result<Parsed<'static>, String> {
    #[derive(Deserialize)]
    #[allow(non_snake_case)]
    struct Finding {
        name: Option<IgnoredAny>,
        category: Option<IgnoredAny>,
        parent: Option<IgnoredAny>,
        resourceName: Option<IgnoredAny>,
        findingClass: Option<IgnoredAny>,
    }
    // A finding column exported as JSON text (BigQuery continuous exports, CSV) is read as such.
    let text: Option<String> = serde_json::from_str::<String>(raw.get()).ok();
    let json = text.as_deref().unwrap_or(raw.get());
    match serde_json::from_str::<Finding>(json) {
        Ok(f)
            if f.name.is_some()
                || f.category.is_some()
                || f.parent.is_some()
                || f.resourceName.is_some()
                || f.findingClass.is_some() =>
        {
            Ok(Parsed::Ignored(SCC_FINDING.into()))
        }
        Ok(_) => {
            Err("`finding` without Security Command Center fields: no name, category, parent or resourceName".into())
        }
        Err(_) => Err("`finding` is not an object: not a Security Command Center finding".into()),
    }
}

/// True when a JSON payload holds a Security Command Center finding (`{"finding": {…}, …}`).
pub(super) fn holds_finding(payload: Option<&RawValue>) -> bool {
    #[derive(Deserialize)]
    struct Payload<'a> {
        #[serde(borrow)]
        finding: Option<&'a RawValue>,
    }
    let Some(raw) = payload else { return false };
    let text = raw.get();
    // Log Analytics may give a JSON column as its text.
    let owned: Option<String> = serde_json::from_str::<String>(text).ok();
    let text = owned.as_deref().unwrap_or(text);
    serde_json::from_str::<Payload>(text)
        .ok()
        .and_then(|p| p.finding)
        .is_some_and(|f| matches!(scc_finding(f), Ok(Parsed::Ignored(_))))
}

/// Deserialises a payload column, naming the field of a wrong type (`protopayload_auditlog.status.code`).
fn within<'a, T: Deserialize<'a>>(raw: &'a RawValue, column: &str, form: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let at = if path.is_empty() || path == "." { column.to_string() } else { format!("{column}.{path}") };
        let msg = e.into_inner().to_string();
        let msg = msg.find(" at line ").map_or(msg.as_str(), |i| &msg[..i]).to_string();
        format!("{form}: wrong type in `{at}`: {msg}")
    })
}

/// Parses a GCP time field or says why it cannot: RFC 3339 and the other forms
/// [`crate::time::parse_time`] takes, BigQuery's `2022-01-01 12:00:00.123 UTC` and
/// `… 12:00:00+00`, and epoch numbers (seconds, or milliseconds, microseconds or nanoseconds by
/// magnitude), also in exponent notation as BigQuery's API writes them.
pub fn require_time(field: &str, value: Option<&str>) -> Result<i64, String> {
    let v = value.ok_or_else(|| format!("missing time field `{field}`"))?;
    parse_time(v).ok_or_else(|| format!("unparseable time in `{field}`: {:?}", crate::text::clip(v, 40)))
}

/// See [`require_time`].
pub fn parse_time(s: &str) -> Option<i64> {
    if let Some(t) = crate::time::parse_time(s) {
        return Some(t);
    }
    let s = s.trim();
    if let Some(rest) = s.strip_suffix("UTC")
        && let Some(t) = crate::time::parse_time(rest.trim_end())
    {
        return Some(t);
    }
    // `+00` / `-05`: an hour-only offset.
    let b = s.as_bytes();
    if b.len() > 3 && matches!(b[b.len() - 3], b'+' | b'-') && b[b.len() - 2..].iter().all(u8::is_ascii_digit) {
        return crate::time::parse_time(&format!("{s}:00"));
    }
    epoch(s)
}

/// Epoch time in decimal (`1640995200`, `1640995200.123`, `1.640995200123E9`), exactly.
fn epoch(s: &str) -> Option<i64> {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 || !(-40..=40).contains(&exp) {
        return None;
    }
    let n: i128 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    // value = n × 10^scale seconds.
    let scale = exp - frac.len() as i32;
    let whole_digits = digits.len() as i32 + scale; // digits before the point, in seconds
    // Unit by magnitude: seconds up to 11 integer digits (year 5138), then ms, µs, ns.
    let unit_to_us: i32 = match whole_digits {
        ..=11 => 6,
        12..=14 => 3,
        15..=17 => 0,
        _ => -3,
    };
    let shift = scale + unit_to_us;
    let us = if shift >= 0 {
        n.checked_mul(10i128.checked_pow(shift as u32)?)?
    } else {
        let d = 10i128.checked_pow((-shift) as u32)?;
        (n + d / 2) / d
    };
    let us = i64::try_from(us).ok()?;
    Some(if neg { -us } else { us })
}

/// Deserialises a time field given as text or as an epoch number (BigQuery), as text.
pub fn opt_time<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    struct V<'a>(std::marker::PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
        type Value = Option<Cow<'a, str>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a time as a string or an epoch number")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
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

/// Deserialises a `google.rpc.Code`: an integer, or its decimal text (BigQuery JSON exports write
/// INT64 columns as strings; CSV cells are strings). Anything else is a wrong type.
pub fn opt_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer status code")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v).map(Some).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse().map(Some).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
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
    d.deserialize_option(V)
}

/// Deserialises `currentLocations` to its first element: an array, or an object keyed by index
/// (a CSV column `currentLocations.0` nests into `{"0": …}`), or `null`.
pub fn first_location<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Flex<'a>>, D::Error> {
    struct V<'a>(std::marker::PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
        type Value = Option<Flex<'a>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of locations")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // The rest are read as the first (not ignored), so a bad string anywhere in the list
            // is reported as it was when the whole list was read.
            let first = seq.next_element::<Flex<'a>>()?;
            while seq.next_element::<Flex<'a>>()?.is_some() {}
            Ok(first)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Option<Flex<'a>> = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                let value = map.next_value::<Flex<'a>>()?;
                if key == "0" || out.is_none() {
                    out = Some(value);
                }
            }
            Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigquery_and_epoch_times() {
        let base = crate::time::parse_time("2022-01-01T12:00:00.123Z").unwrap();
        assert_eq!(parse_time("2022-01-01 12:00:00.123 UTC"), Some(base));
        assert_eq!(parse_time("2022-01-01 12:00:00.123000 UTC"), Some(base));
        assert_eq!(parse_time("2022-01-01 12:00:00.123+00"), Some(base));
        assert_eq!(parse_time("2022-01-01 13:00:00.123+01"), Some(base));
        assert_eq!(parse_time("1641038400.123"), Some(base));
        assert_eq!(parse_time("1.641038400123E9"), Some(base));
        assert_eq!(parse_time("1641038400123"), Some(base));
        assert_eq!(parse_time("1641038400123000"), Some(base));
        assert_eq!(parse_time("1641038400123000000"), Some(base));
        assert_eq!(parse_time("1641038400"), Some(base - 123_000));
        assert_eq!(parse_time("-1.5"), Some(-1_500_000));
        assert_eq!(parse_time("UTC"), None);
        assert_eq!(parse_time("1e400"), None);
        assert_eq!(parse_time("."), None);
        assert_eq!(parse_time("12:00 UTC"), None);
    }
}
