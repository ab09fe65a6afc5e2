//! Time helpers for the activity analytics, on `i64` microseconds since the Unix epoch (UTC).
//!
//! The calendar arithmetic of Kusto's `startofday` and `startofweek` lives in [`crate::time`]
//! (floor-style, so instants before 1970 are handled correctly) and is re-exported here with the
//! duration constants; this file adds the RFC 3339 parsing/formatting the hunt's JSON output and
//! the spec tests use. There are no time zones anywhere: every instant is UTC.

use chrono::{DateTime, SecondsFormat};

pub use crate::time::{DAY_US, HOUR_US, SECOND_US, start_of_day, start_of_week};

/// Formats `t` as RFC 3339 in UTC with a `Z` suffix, e.g. `2024-03-06T00:00:00Z`.
///
/// Fractional seconds are written only when non-zero (`2024-03-06T00:00:00.000001Z`).
/// Returns `None` when `t` is outside chrono's representable range (about ±262 000 years).
pub fn format_rfc3339(t: i64) -> Option<String> {
    DateTime::from_timestamp_micros(t).map(|d| d.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// Parses an RFC 3339 timestamp (any offset) into microseconds since the epoch, UTC.
///
/// Sub-microsecond digits are truncated. Returns `None` for malformed input.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        parse_rfc3339(s).expect("valid test timestamp")
    }

    #[test]
    fn day_constant_is_86400_seconds() {
        assert_eq!(DAY_US, 86_400_000_000);
    }

    #[test]
    fn start_of_day_truncates_to_utc_midnight() {
        assert_eq!(start_of_day(ts("2024-03-06T15:42:07.123456Z")), ts("2024-03-06T00:00:00Z"));
        assert_eq!(start_of_day(ts("2024-03-06T00:00:00Z")), ts("2024-03-06T00:00:00Z"));
        assert_eq!(start_of_day(ts("2024-03-06T23:59:59.999999Z")), ts("2024-03-06T00:00:00Z"));
        // Offsets are converted to UTC first: 01:00+02:00 is 23:00 UTC the previous day.
        assert_eq!(start_of_day(ts("2024-03-06T01:00:00+02:00")), ts("2024-03-05T00:00:00Z"));
    }

    #[test]
    fn start_of_day_before_1970_floors() {
        assert_eq!(start_of_day(-1), ts("1969-12-31T00:00:00Z"));
        assert_eq!(start_of_day(ts("1969-12-31T23:00:00Z")), -DAY_US);
        assert_eq!(start_of_day(-DAY_US), -DAY_US);
        assert_eq!(start_of_day(0), 0);
    }

    #[test]
    fn start_of_week_spec_checks() {
        // Spec 4.1 checks.
        assert_eq!(start_of_week(ts("2017-01-01T00:00:00Z")), ts("2017-01-01T00:00:00Z"));
        assert_eq!(start_of_week(ts("2024-03-06T00:00:00Z")), ts("2024-03-03T00:00:00Z"));
        assert_eq!(start_of_week(ts("2024-03-10T00:00:00Z")), ts("2024-03-10T00:00:00Z"));
        assert_eq!(start_of_week(ts("2024-02-09T00:00:00Z")), ts("2024-02-04T00:00:00Z"));
    }

    #[test]
    fn start_of_week_inside_days_and_at_edges() {
        assert_eq!(start_of_week(ts("2024-03-09T23:59:59.999999Z")), ts("2024-03-03T00:00:00Z"));
        assert_eq!(start_of_week(ts("2024-03-10T00:00:00.000001Z")), ts("2024-03-10T00:00:00Z"));
        // The epoch is a Thursday; the Sunday before is 1969-12-28.
        assert_eq!(start_of_week(0), ts("1969-12-28T00:00:00Z"));
        assert_eq!(start_of_week(ts("1969-12-31T23:00:00Z")), ts("1969-12-28T00:00:00Z"));
        assert_eq!(start_of_week(ts("1969-12-28T05:00:00Z")), ts("1969-12-28T00:00:00Z"));
        assert_eq!(start_of_week(ts("1969-12-27T23:59:59Z")), ts("1969-12-21T00:00:00Z"));
    }

    #[test]
    fn extremes_saturate_instead_of_panicking() {
        assert_eq!(start_of_day(i64::MIN), i64::MIN);
        assert_eq!(start_of_week(i64::MIN), i64::MIN);
        assert_eq!(start_of_day(i64::MAX), i64::MAX - i64::MAX.rem_euclid(DAY_US));
        assert_eq!(format_rfc3339(i64::MAX), None);
    }

    #[test]
    fn rfc3339_round_trip() {
        assert_eq!(format_rfc3339(ts("2024-03-06T00:00:00Z")).as_deref(), Some("2024-03-06T00:00:00Z"));
        assert_eq!(format_rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(format_rfc3339(-1).as_deref(), Some("1969-12-31T23:59:59.999999Z"));
        assert_eq!(format_rfc3339(1_500).as_deref(), Some("1970-01-01T00:00:00.001500Z"));
        assert_eq!(parse_rfc3339("2024-03-06T00:00:00Z"), Some(1_709_683_200 * SECOND_US));
        assert_eq!(parse_rfc3339("2024-03-06 00:00"), None);
    }
}
