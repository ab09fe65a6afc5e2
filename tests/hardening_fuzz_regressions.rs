//! Inputs the fuzz targets (`fuzz/`) found, minimised, kept so the fix stays.
//!
//! Each names its target and what went wrong; the assertion is the target's own property.

use trailwatch::ingest::fast;
use trailwatch::ingest::probe::{Parsed, parse_record, parse_record_general};
use trailwatch::time::parse_time;

/// The `fastpath` property: when the scanner reads a record, serde reads the same event; either
/// way the reader's entry point gives serde's answer.
fn scanner_agrees_with_serde(record: &str) {
    let general = parse_record_general(record.as_bytes());
    if let Some(fast) = fast::event(record) {
        match &general {
            Ok(Parsed::Event(g)) => assert_eq!(**g, fast, "{record}"),
            other => panic!("scanner read an event where serde gives {other:?}: {record}"),
        }
    }
    assert_eq!(format!("{:?}", parse_record(record.as_bytes())), format!("{general:?}"), "{record}");
}

/// `fastpath`, 2026-11-22: a lone surrogate escape (`\udCCC`) in a string the scanner skips but
/// serde decodes (the second of `currentLocations`). The scanner checked only that four hex
/// digits followed `\u`; serde rejects the record. The scanner now declines any surrogate escape.
#[test]
fn fastpath_lone_surrogate_in_a_skipped_location() {
    let record =
        r#"{"protoPayload":{"resourceLocation":{"currentLocations":["","s\udCCC"]}},"timestamp":"2-6-3T6:4:4"}"#;
    assert!(fast::event(record).is_none(), "the scanner declines");
    assert!(parse_record(record.as_bytes()).is_err(), "serde rejects the record");
    scanner_agrees_with_serde(record);
}

/// Surrogate escapes around it: a valid pair, a lone high one, in skipped and read strings.
#[test]
fn surrogate_escapes_anywhere_agree() {
    let base = r#"{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","serviceName":"storage.googleapis.com","methodName":"storage.objects.get","authenticationInfo":{"principalEmail":"a@example.com"},"resourceLocation":{"currentLocations":["eu"]},"requestMetadata":{"callerIp":"10.0.0.1"}},"timestamp":"2026-10-01T00:00:00Z"}"#;
    assert!(fast::event(base).is_some(), "the base record takes the scanner");
    for esc in [r"\ud83d\ude00", r"\ud800", r"\udc00", r"\uDBFF\uDFFF", r"\ud800x", r"\u00e9"] {
        for (from, to) in [
            (r#"["eu"]"#, format!(r#"["eu","x{esc}"]"#)),
            (r#""eu""#, format!(r#""eu{esc}""#)),
            (r#""10.0.0.1""#, format!(r#""10.0.0.1{esc}""#)),
            (r#""timestamp""#, format!(r#""note":"{esc}","timestamp""#)),
        ] {
            scanner_agrees_with_serde(&base.replacen(from, &to, 1));
        }
    }
}

/// `record`, 2026-11-23: a .NET date whose body starts with a two-byte character,
/// `/Date(ɽT2)/` (as found); `-minimize_crash` took it down to an empty body, `/Date()/`. The
/// sign skip sliced the body at byte 1, inside the character or past the end, and panicked. The
/// CloudTrail scanner reached it through `eventTime`.
#[test]
fn record_dotnet_date_with_a_multibyte_first_character_or_none() {
    let found = "{\"eventTime\":\"/Date(\u{27d}T2)/\", \"eventSource\": \"sigm\", \"eventName\": \"::\"}";
    let minimised = r#"{"eventTime":"/Date()/","eventSource":"","eventName":":"}"#;
    for record in [found, minimised] {
        assert!(parse_record(record.as_bytes()).is_err(), "no time, no event: {record}");
        scanner_agrees_with_serde(record);
    }
}

/// Every short .NET date body over a few awkward characters: a number, a reason, never a panic.
#[test]
fn dotnet_date_bodies_never_panic() {
    let alphabet = ["", "+", "-", "0", "7", "\u{27d}", "\u{1f600}", "T", ")", "/", " "];
    let mut bodies = vec![String::new()];
    for _ in 0..3 {
        let longer: Vec<String> = bodies.iter().flat_map(|b| alphabet.iter().map(move |c| format!("{b}{c}"))).collect();
        bodies.extend(longer);
    }
    for body in &bodies {
        let stamp = format!("/Date({body})/");
        let got = parse_time(&stamp);
        let digits = body.trim_start_matches(['+', '-']);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && body.len() - digits.len() <= 1 {
            assert_eq!(got, Some(body.parse::<i64>().unwrap() * 1000), "{stamp}");
        }
    }
    assert_eq!(parse_time("/Date()/"), None);
    assert_eq!(parse_time("/Date(-)/"), None);
}
