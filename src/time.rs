//! Time stamps as trailwatch keeps them: `i64` microseconds since the Unix epoch, UTC.
//!
//! Owns parsing the many spellings logs use (RFC 3339 with any fraction, a space for `T`, no zone,
//! `/Date(ms)/`, compact `20131102T010628Z`) and formatting back to RFC 3339. Pure functions only.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// Microseconds in a second.
pub const SECOND_US: i64 = 1_000_000;
/// Microseconds in an hour.
pub const HOUR_US: i64 = 3_600 * SECOND_US;
/// Microseconds in a day.
pub const DAY_US: i64 = 24 * HOUR_US;

/// Parses a log time stamp into microseconds since the epoch (UTC).
///
/// The common `YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM]` shape takes a fast path; anything else goes
/// through chrono. A stamp without a zone is read as UTC.
pub fn parse_time(s: &str) -> Option<i64> {
    // Trimming looks for Unicode white space at both ends; a stamp almost never has any.
    let b = s.as_bytes();
    let s = match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    };
    fast_rfc3339(s.as_bytes()).or_else(|| slow_parse(s))
}

fn digits(b: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day number of a `YYYY-MM-DD` date, remembered for the last date seen on this thread:
/// consecutive stamps almost always fall on the same day.
fn cached_days(date: &[u8], compute: impl FnOnce() -> i64) -> i64 {
    use std::cell::Cell;
    thread_local!(static LAST: Cell<([u8; 10], i64)> = const { Cell::new(([0; 10], 0)) });
    let Ok(date) = <[u8; 10]>::try_from(date) else { return compute() };
    LAST.with(|last| {
        let (seen, days) = last.get();
        if seen == date {
            return days;
        }
        let days = compute();
        last.set((date, days));
        days
    })
}

fn fast_rfc3339(b: &[u8]) -> Option<i64> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b'T' && b[10] != b' ' && b[10] != b't' {
        return None;
    }
    // Every digit position checked at once, then read without further checks: this runs once
    // per loaded event.
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    let digit = |i: usize| i64::from(b[i].wrapping_sub(b'0'));
    if DIGITS.iter().any(|&i| !b[i].is_ascii_digit()) {
        return None;
    }
    let two = |i: usize| digit(i) * 10 + digit(i + 1);
    let (h, mi, se) = (two(11), two(14), two(17));
    let (mo, d) = (two(5), two(8));
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_us: i64 = 0;
    if i < b.len() && (b[i] == b'.' || b[i] == b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 6 {
                frac_us = frac_us * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..6 {
            frac_us *= 10;
        }
    }
    let offset_s: i64 = match &b[i..] {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), hh1, hh2, b':', mm1, mm2] | [sign @ (b'+' | b'-'), hh1, hh2, mm1, mm2] => {
            let hh = digits(&[*hh1, *hh2])?;
            let mm = digits(&[*mm1, *mm2])?;
            let v = hh * 3600 + mm * 60;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    let days = cached_days(&b[..10], || days_from_civil(two(0) * 100 + two(2), mo, d));
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset_s;
    Some(secs * SECOND_US + frac_us)
}

fn slow_parse(s: &str) -> Option<i64> {
    if let Some(rest) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        // .NET JSON dates: milliseconds, optionally followed by a zone offset that does not move the instant.
        // The offset's sign is searched after the number's own (one ASCII byte, if any).
        let sign = usize::from(rest.starts_with(['+', '-']));
        let end = rest[sign..].find(['+', '-']).map_or(rest.len(), |p| p + sign);
        let ms: i64 = rest[..end].parse().ok()?;
        return ms.checked_mul(1000);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_micros());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.timestamp_micros());
    }
    // Zone-less forms are UTC: exports write them so (the Log Analytics portal's `3/31/2022,
    // 10:51:35.857 AM`, BigQuery's `2022-03-31 10:51:35.857 UTC`, Athena's `2022-03-31 10:51:35.857`).
    let s = s.strip_suffix(" UTC").unwrap_or(s);
    for fmt in [
        "%Y%m%dT%H%M%SZ",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%m/%d/%Y %I:%M:%S%.f %p",
        "%m/%d/%Y, %I:%M:%S%.f %p",
        "%m/%d/%Y %H:%M:%S%.f",
        "%m/%d/%Y, %H:%M:%S%.f",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&n).timestamp_micros());
        }
    }
    None
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01): (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Formats microseconds since the epoch as RFC 3339 UTC with as many fraction digits as needed
/// (none, 3 or 6): `2024-03-06T09:00:00Z`, `2024-03-06T09:00:00.123Z`. Hand-written: it runs
/// once per event when a timeline is exported.
pub fn format_rfc3339(us: i64) -> String {
    use std::fmt::Write;
    let secs = us.div_euclid(SECOND_US);
    let frac = us.rem_euclid(SECOND_US);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    if !(0..=9999).contains(&y) {
        return format!("@{us}us");
    }
    let sod = secs.rem_euclid(86_400);
    let mut out = String::with_capacity(27);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", sod / 3600, sod / 60 % 60, sod % 60);
    if frac == 0 {
    } else if frac % 1000 == 0 {
        let _ = write!(out, ".{:03}", frac / 1000);
    } else {
        let _ = write!(out, ".{frac:06}");
    }
    out.push('Z');
    out
}

/// Formats as `2024-03-06 09:00:00` (UTC, seconds), for tables.
pub fn format_short(us: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(us)
        .map(|dt| dt.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| format!("@{us}us"))
}

/// Formats the day of a time stamp as `2024-03-06`.
pub fn format_day(us: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(us)
        .map(|dt| dt.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| format!("@{us}us"))
}

/// `startofday`: 00:00 UTC of the day holding `us` (floor-style, so correct before 1970;
/// saturates at `i64::MIN` for the unrepresentable first day).
pub fn start_of_day(us: i64) -> i64 {
    us.saturating_sub(us.rem_euclid(DAY_US))
}

/// `startofweek`: 00:00 UTC of the Sunday on or before `us`. 1970-01-01 was a Thursday, so the
/// weekday of day `d` is `(d + 4) mod 7` with 0 = Sunday. Saturates at `i64::MIN`.
pub fn start_of_week(us: i64) -> i64 {
    let days = us.div_euclid(DAY_US);
    let weekday = (days + 4).rem_euclid(7);
    (days - weekday).saturating_mul(DAY_US)
}

/// Parses a duration such as `7d`, `36h`, `90m`, `30s`, `2w` into microseconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit_us = match unit {
        "s" => SECOND_US,
        "m" | "min" => 60 * SECOND_US,
        "h" => HOUR_US,
        "d" => DAY_US,
        "w" => 7 * DAY_US,
        _ => return None,
    };
    n.checked_mul(unit_us)
}

/// A length of time as a person says it: `2 h 10 min`, `3.5 days`, `45 s`.
pub fn format_span(us: i64) -> String {
    let s = us.max(0) / SECOND_US;
    match s {
        0..60 => format!("{s} s"),
        60..3_600 => format!("{} min", s / 60),
        3_600..86_400 => match (s / 3_600, s % 3_600 / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
        _ if s % 86_400 == 0 => format!("{} days", s / 86_400),
        _ => format!("{:.1} days", s as f64 / 86_400.0),
    }
}

/// Parses a user-given time: RFC 3339 or a bare date (`2024-03-06`, read as 00:00 UTC).
pub fn parse_user_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() == 10
        && let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
    {
        return Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?).timestamp_micros());
    }
    parse_time(s)
}

/// The wall clock now, in µs since the epoch.
pub fn wall_now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_spellings() {
        let base = parse_time("2019-12-19T00:49:36Z").unwrap();
        assert_eq!(base, 1_576_716_576 * SECOND_US);
        assert_eq!(parse_time("2019-12-19T00:49:36.086Z").unwrap(), base + 86_000);
        assert_eq!(parse_time("2019-12-19T00:49:36.313482371Z").unwrap(), base + 313_482);
        assert_eq!(parse_time("2018-01-29T20:42:31.3810679Z").unwrap() % SECOND_US, 381_067);
        assert_eq!(parse_time("2019-12-19T01:49:36+01:00").unwrap(), base);
        assert_eq!(parse_time("2019-12-19 00:49:36").unwrap(), base);
        assert_eq!(parse_time("2022-03-22T10:48:48.8558814+00:00").unwrap() % SECOND_US, 855_881);
        assert_eq!(parse_time("20131102T010628Z").unwrap(), parse_time("2013-11-02T01:06:28Z").unwrap());
        assert_eq!(parse_time("/Date(1576716576000)/").unwrap(), base);
        assert_eq!(parse_time("/Date(1576716576000+0100)/").unwrap(), base);
        assert_eq!(parse_time("/Date(-1000-0500)/").unwrap(), -1000 * 1000);
        assert_eq!(parse_time("/Date(+5)/").unwrap(), 5000);
        assert_eq!(parse_time("Aug 10, 2022, 10:38:27 PM"), None);
        // Log Analytics portal exports (UTC), BigQuery and Athena renderings.
        let portal = parse_time("2022-03-31T10:51:35.857Z").unwrap();
        assert_eq!(parse_time("3/31/2022, 10:51:35.857 AM"), Some(portal));
        assert_eq!(parse_time("3/31/2022 10:51:35.857 AM"), Some(portal));
        assert_eq!(parse_time("3/31/2022, 10:51:35.857 PM"), Some(portal + 12 * 3600 * SECOND_US));
        assert_eq!(parse_time("3/31/2022, 12:00:00 AM"), parse_time("2022-03-31T00:00:00Z"));
        assert_eq!(parse_time("2022-03-31 10:51:35.857 UTC"), Some(portal));
        assert_eq!(parse_time("2022-03-31 10:51:35.857"), Some(portal));
        assert_eq!(parse_time("not a time"), None);
        assert_eq!(parse_time("2019-13-19T00:49:36Z"), None);
    }

    #[test]
    fn formats_rfc3339() {
        let t = parse_time("2024-03-06T09:00:00Z").unwrap();
        assert_eq!(format_rfc3339(t), "2024-03-06T09:00:00Z");
        assert_eq!(format_rfc3339(t + 123_000), "2024-03-06T09:00:00.123Z");
        assert_eq!(format_rfc3339(t + 123_456), "2024-03-06T09:00:00.123456Z");
        assert_eq!(format_day(t), "2024-03-06");
        assert_eq!(format_rfc3339(start_of_day(t)), "2024-03-06T00:00:00Z");
    }

    #[test]
    fn durations_and_user_times() {
        assert_eq!(parse_duration("7d"), Some(7 * DAY_US));
        assert_eq!(format_span(45 * SECOND_US), "45 s");
        assert_eq!(format_span(130 * 60 * SECOND_US), "2 h 10 min");
        assert_eq!(format_span(2 * HOUR_US), "2 h");
        assert_eq!(format_span(7 * DAY_US), "7 days");
        assert_eq!(format_span(36 * HOUR_US), "1.5 days");
        assert_eq!(parse_duration("36h"), Some(36 * HOUR_US));
        assert_eq!(parse_duration("2w"), Some(14 * DAY_US));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_user_time("2024-03-06"), parse_time("2024-03-06T00:00:00Z"));
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 59, 60, 10_957, 19_782, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days, "{days}");
        }
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
    }

    #[test]
    fn days_before_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(start_of_day(-1), -DAY_US);
    }
}
