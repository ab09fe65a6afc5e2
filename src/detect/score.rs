//! Severity scoring, business hours and MITRE ATT&CK mapping shared by the detectors.
//!
//! A detector starts from a base score and adds points for what happened (IAM, key and delete
//! operations, failures, off-hours, a new source IP, a burst); every point comes with a reason a
//! person can read. Pure functions over strings and times.

use chrono::{Datelike, TimeZone, Timelike, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

/// Alert severity, ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look.
    Low,
    /// Investigate soon.
    Medium,
    /// Investigate now.
    High,
    /// Drop everything.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Severity of a point score: 0–1 low, 2–3 medium, 4–5 high, 6+ critical.
    pub fn from_score(score: i32) -> Severity {
        match score {
            i32::MIN..=1 => Severity::Low,
            2..=3 => Severity::Medium,
            4..=5 => Severity::High,
            _ => Severity::Critical,
        }
    }
}

/// A running score with its reasons.
#[derive(Default, Debug)]
pub struct Score {
    points: i32,
    reasons: Vec<String>,
}

impl Score {
    /// Starts from a detector's base score.
    pub fn base(points: i32, why: &str) -> Self {
        Score { points, reasons: vec![format!("{why} (base {points})")] }
    }

    /// Adds points with a reason.
    pub fn add(&mut self, points: i32, why: impl Into<String>) {
        self.points += points;
        self.reasons.push(format!("{} (+{points})", why.into()));
    }

    /// Notes a reason that does not change the score.
    pub fn note(&mut self, why: impl Into<String>) {
        self.reasons.push(why.into());
    }

    /// The severity and its reasons.
    pub fn finish(self) -> (Severity, Vec<String>) {
        (Severity::from_score(self.points), self.reasons)
    }
}

/// Working hours and days in a time zone.
#[derive(Clone, Debug)]
pub struct BusinessHours {
    /// Time zone the hours are in.
    pub tz: Tz,
    /// First working minute of the day (inclusive).
    pub start_min: u32,
    /// End of the working day in minutes (exclusive).
    pub end_min: u32,
    /// Working weekdays.
    pub days: Vec<Weekday>,
}

impl Default for BusinessHours {
    fn default() -> Self {
        BusinessHours {
            tz: chrono_tz::UTC,
            start_min: 8 * 60,
            end_min: 18 * 60,
            days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
        }
    }
}

impl BusinessHours {
    /// Parses `HH:MM-HH:MM`.
    pub fn parse_hours(s: &str) -> Result<(u32, u32), String> {
        let parse = |t: &str| -> Option<u32> {
            let (h, m) = t.trim().split_once(':').unwrap_or((t.trim(), "0"));
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
        };
        let (a, b) = s.split_once('-').ok_or("expected HH:MM-HH:MM")?;
        match (parse(a), parse(b)) {
            (Some(a), Some(b)) if a < b => Ok((a, b)),
            _ => Err(format!("not a working-hours range: {s:?} (expected e.g. 08:00-18:00)")),
        }
    }

    /// The local wall-clock time of an instant, e.g. `Sat 02:13 UTC`.
    pub fn local(&self, us: i64) -> String {
        match self.tz.timestamp_micros(us) {
            chrono::LocalResult::Single(t) => t.format("%a %Y-%m-%d %H:%M %Z").to_string(),
            _ => crate::time::format_rfc3339(us),
        }
    }

    /// True when the instant falls outside working hours or days.
    pub fn off_hours(&self, us: i64) -> bool {
        let chrono::LocalResult::Single(t) = self.tz.timestamp_micros(us) else {
            return false;
        };
        let minute = t.hour() * 60 + t.minute();
        !self.days.contains(&t.weekday()) || minute < self.start_min || minute >= self.end_min
    }

    /// E.g. `business hours 08:00–18:00 Mon–Fri (UTC)`.
    pub fn describe(&self) -> String {
        let days: Vec<String> = self.days.iter().map(|d| d.to_string()).collect();
        format!(
            "business hours {:02}:{:02}–{:02}:{:02} {} ({})",
            self.start_min / 60,
            self.start_min % 60,
            self.end_min / 60,
            self.end_min % 60,
            days.join(","),
            self.tz
        )
    }
}

fn lower_has(op: &str, needles: &[&str]) -> bool {
    let l = op.to_ascii_lowercase();
    needles.iter().any(|n| l.contains(n))
}

/// IAM / permission changes.
pub fn is_iam_change(op: &str) -> bool {
    lower_has(
        op,
        &[
            "setiampolicy",
            "roleassignments/write",
            "accesspolicies/write",
            "putkeypolicy",
            "creategrant",
            "attachrolepolicy",
            "attachuserpolicy",
            "putrolepolicy",
            "putuserpolicy",
            "createaccesskey",
            "createserviceaccountkey",
            "createloginprofile",
            "updateassumerolepolicy",
            "addusertogroup",
            "createrole",
            "createuser",
            "vaultpatch",
            "vaultput",
        ],
    )
}

/// Key-management operations.
pub fn is_key_op(service: &str, op: &str) -> bool {
    service.contains("cloudkms")
        || service == "kms.amazonaws.com"
        || lower_has(service, &["keyvault"])
        || lower_has(op, &["cryptokey", "/keys/"])
}

/// Deletions and defence evasion.
pub fn is_destructive(op: &str) -> bool {
    lower_has(op, &["delete", "destroy", "stoplogging", "disable", "/remove", "purge", "deletetrail", "updatetrail"])
}

/// MITRE ATT&CK techniques suggested by an operation.
pub fn mitre_for(service: &str, op: &str) -> Vec<&'static str> {
    let l = op.to_ascii_lowercase();
    let mut out = Vec::new();
    if l.contains("createserviceaccountkey") || l.contains("createaccesskey") || l.contains("createloginprofile") {
        out.push("T1098.001");
    } else if is_iam_change(op) {
        out.push("T1098");
    }
    if l.contains("stoplogging") || l.contains("deletetrail") || l.contains("updatetrail") || l.contains("sinks.delete")
    {
        out.push("T1562.008");
    }
    if l.contains("getsecretvalue") || l.contains("secretget") || l.contains("accesssecretversion") {
        out.push("T1555.006");
    }
    if service.starts_with("storage.googleapis") && l.contains("objects.get") || l == "getobject" {
        out.push("T1530");
    }
    if l.contains("runcommand") || l.contains("sendcommand") {
        out.push("T1651");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_time;

    #[test]
    fn off_hours_in_utc_and_a_zone() {
        let bh = BusinessHours::default();
        assert!(bh.off_hours(parse_time("2026-10-21T02:13:00Z").unwrap())); // Wed night
        assert!(!bh.off_hours(parse_time("2026-10-21T09:00:00Z").unwrap())); // Wed morning
        assert!(bh.off_hours(parse_time("2026-10-24T11:00:00Z").unwrap())); // Saturday
        assert!(bh.off_hours(parse_time("2026-10-21T18:00:00Z").unwrap())); // end exclusive
        let ny = BusinessHours { tz: "America/New_York".parse().unwrap(), ..BusinessHours::default() };
        assert!(!ny.off_hours(parse_time("2026-10-21T14:00:00Z").unwrap())); // 10:00 EDT
        assert!(ny.off_hours(parse_time("2026-10-21T02:13:00Z").unwrap())); // 22:13 EDT
    }

    #[test]
    fn hours_range_parsing() {
        assert_eq!(BusinessHours::parse_hours("08:00-18:00"), Ok((480, 1080)));
        assert_eq!(BusinessHours::parse_hours("9-17"), Ok((540, 1020)));
        assert!(BusinessHours::parse_hours("18-08").is_err());
    }

    #[test]
    fn scores_map_to_severities() {
        let mut s = Score::base(2, "key created");
        s.add(1, "outside business hours");
        s.add(1, "new source IP");
        let (sev, reasons) = s.finish();
        assert_eq!(sev, Severity::High);
        assert_eq!(reasons.len(), 3);
        assert_eq!(Severity::from_score(0), Severity::Low);
        assert_eq!(Severity::from_score(7), Severity::Critical);
    }

    #[test]
    fn operation_classes() {
        assert!(is_iam_change("SetIamPolicy"));
        assert!(is_iam_change("Microsoft.Authorization/roleAssignments/write"));
        assert!(is_destructive("StopLogging"));
        assert_eq!(mitre_for("iam.googleapis.com", "google.iam.admin.v1.CreateServiceAccountKey"), vec!["T1098.001"]);
        assert_eq!(mitre_for("cloudtrail.amazonaws.com", "StopLogging"), vec!["T1562.008"]);
    }
}
