//! Azure and Entra ID: which Azure form a record is, and the helpers its readers share.
//!
//! The forms, each recognised by content: diagnostic-settings exports (`{"records":[…]}` of
//! `time` / `category` / `operationName` records) and the REST / `Get-AzActivityLog` form of the
//! Activity Log, Key Vault `AuditEvent` records ([`activity`]); Entra ID sign-ins as diagnostic
//! `SignInLogs` records and Microsoft Graph `signIn` objects ([`signin`]); Entra ID audit logs as
//! diagnostic `AuditLogs` records and Graph `directoryAudit` objects ([`audit`]); and Log
//! Analytics / Sentinel query results of the `AzureActivity`, `SigninLogs` (and the other
//! sign-in tables), `AuditLogs` and Key Vault `AzureDiagnostics` tables ([`log_analytics`]).
//! Every form of one event normalises to the same principal, operation, resource and outcome.

mod activity;
mod audit;
mod log_analytics;
mod signin;

pub(super) use log_analytics::{Table, table as log_analytics_table};

use super::probe::{Parsed, Probe};
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Diagnostic-settings and REST records (`time` / `eventTimestamp` with an operation, category or
/// resource ID).
pub(super) fn normalise(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    let category = p.category.as_str();
    if category.eq_ignore_ascii_case("AuditLogs") {
        return audit::diagnostic(p);
    }
    if signin::CATEGORIES.iter().any(|c| c.eq_ignore_ascii_case(category)) {
        return signin::diagnostic(p);
    }
    activity::normalise(p)
}

/// Microsoft Graph objects: `signIn` (`createdDateTime`) and `directoryAudit` (`activityDateTime`).
pub(super) fn graph(p: Probe<'_>) -> Result<Parsed<'_>, String> {
    if p.text.is_empty() {
        return Err("Graph object that is not valid UTF-8".into());
    }
    if p.activityDateTime.is_some() {
        return audit::graph(p.text);
    }
    signin::graph(p.text)
}

/// Log Analytics rows of the tables read here.
pub(super) fn log_analytics(p: Probe<'_>, table: Table) -> Result<Parsed<'_>, String> {
    log_analytics::normalise(p, table)
}

/// Parses a raw JSON value into `T`, or `T::default()` when absent or of another shape.
fn parse<'a, T: Deserialize<'a> + Default>(raw: Option<&'a str>) -> T {
    raw.and_then(|r| serde_json::from_str(r).ok()).unwrap_or_default()
}

fn owned(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.to_string())
}

/// The JSON text of a dynamic value that arrives either as JSON or as a JSON-encoded string
/// (Log Analytics exports, CLI output): `Some` only for an object or array.
fn dynamic_text(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let raw = raw?;
    let text = raw.get().trim_start();
    match text.as_bytes().first() {
        Some(b'{' | b'[') => Some(Cow::Borrowed(text)),
        Some(b'"') => {
            let inner: String = serde_json::from_str(text).ok()?;
            matches!(inner.trim_start().as_bytes().first(), Some(b'{' | b'[')).then_some(Cow::Owned(inner))
        }
        _ => None,
    }
}

/// `deserialize_with` for dynamic columns: a JSON value, or a string holding JSON. Anything that
/// does not read as `T` gives `T::default()`.
fn dynamic<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::String(s) => serde_json::from_str(&s).unwrap_or_default(),
        Value::Null => T::default(),
        other => serde_json::from_value(other).unwrap_or_default(),
    })
}

/// Owned text read leniently: strings, numbers and booleans as text; null, arrays and objects
/// as empty.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Lax(pub String);

impl Lax {
    fn get(&self) -> Option<&str> {
        let t = self.0.trim();
        (!t.is_empty()).then_some(t)
    }
}

impl<'de> Deserialize<'de> for Lax {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lax;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Lax, E> {
                Ok(Lax(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Lax, E> {
                Ok(Lax(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Lax, E> {
                Ok(Lax(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Lax, E> {
                Ok(Lax(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Lax, E> {
                Ok(Lax(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Lax, E> {
                Ok(Lax(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Lax, E> {
                Ok(Lax::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Lax, E> {
                Ok(Lax::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Lax, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lax, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Lax::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lax, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Lax::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The first present value among the candidates.
fn first<'s>(candidates: &[&'s Lax]) -> Option<&'s str> {
    candidates.iter().find_map(|l| l.get())
}

fn looks_like_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(
            |(i, b)| {
                if [8, 13, 18, 23].contains(&i) { b == b'-' } else { b.is_ascii_hexdigit() }
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Default)]
    struct T {
        #[serde(default, deserialize_with = "dynamic")]
        v: Vec<String>,
        #[serde(default)]
        l: Lax,
    }

    #[test]
    fn dynamic_columns_read_as_json_or_as_json_text() {
        let a: T = serde_json::from_str(r#"{"v":["a","b"],"l":5}"#).unwrap();
        assert_eq!(a.v, ["a", "b"]);
        assert_eq!(a.l.0, "5");
        let b: T = serde_json::from_str(r#"{"v":"[\"a\"]","l":true}"#).unwrap();
        assert_eq!(b.v, ["a"]);
        assert_eq!(b.l.0, "true");
        let c: T = serde_json::from_str(r#"{"v":"not json","l":{"x":1}}"#).unwrap();
        assert!(c.v.is_empty());
        assert_eq!(c.l.get(), None);
        let raw: &RawValue = serde_json::from_str(r#""{\"upn\":\"a@b\"}""#).unwrap();
        assert_eq!(dynamic_text(Some(raw)).as_deref(), Some(r#"{"upn":"a@b"}"#));
        let raw: &RawValue = serde_json::from_str(r#""plain""#).unwrap();
        assert_eq!(dynamic_text(Some(raw)), None);
    }
}
