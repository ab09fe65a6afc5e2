//! The "rare process" hunting query (spec section 5), end to end over plain process events.
//!
//! This file owns the query's own logic around the two plugins: the 30-day time filter, the
//! `startofday` bucketing, the process-path exclusions (two exact values and eleven
//! case-insensitive `contains` literals, exposed for the rare-process detector), the daily
//! de-duplication into the table `T`, the fleet-wide engagement join on the day and the final
//! filter `PotentialAnomalyCount == 1 and Ratio < 100`, plus the JSON shape of a result row.
//! Strings are interned to `u32` locally; the plugins themselves live in [`super::metrics`].

use std::collections::HashMap;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::metrics::{EngagementRow, Row, counts_metrics, engagement};
use super::time::{DAY_US, format_rfc3339, start_of_day, start_of_week};

/// `ago(30d)`: how far back the query looks, in microseconds.
pub const LOOKBACK_US: i64 = 30 * DAY_US;
/// The engagement plugin's outer window (`7d`); its inner window is one day.
pub const OUTER_WINDOW_US: i64 = 7 * DAY_US;

/// Process values dropped by exact, case-sensitive comparison (`!= ""`, `!= "-"`).
pub const EXACT_EXCLUSIONS: [&str; 2] = ["", "-"];

/// Literals dropped by `!contains` (case-insensitive substring), after KQL unescaping.
pub const EXCLUSIONS: [&str; 11] = [
    r"\Windows\System",
    r"\Program Files\Microsoft\",
    r"\Program Files\Microsoft Monitoring Agent\",
    r"\ProgramData\",
    r"\Windows\WinSxS\",
    r"\Windows\SoftwareDistribution\",
    r"\mpsigstub.exe",
    r"\WindowsAzure\GuestAgent",
    r"\Windows\Servicing\TrustedInstaller.exe",
    r"\Windows\Microsoft.Net\",
    r"\Packages\Plugins\",
];

/// One SecurityEvent 4688 row, reduced to what the hunting query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessEvent<'a> {
    /// `TimeGenerated`, microseconds since the Unix epoch (UTC).
    pub time: i64,
    /// The `ProcessName` value (a path such as `C:\Tools\a.exe`, or `-` / empty).
    pub process: &'a str,
    /// `Computer`.
    pub computer: &'a str,
    /// `Account`, e.g. `CORP\alice` (compared case-sensitively).
    pub account: &'a str,
}

/// One output row of the hunting query. Serializes to the projected columns, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct HuntRow {
    /// `startofweek(Date)` (Sunday).
    pub week_date: i64,
    /// The day (UTC midnight) on which the combination was first seen.
    pub date: i64,
    /// Process path.
    pub process: String,
    /// Account.
    pub account: String,
    /// Computer.
    pub computer: String,
    /// `new_dcount` of the counts plugin; always 1 in the output.
    pub potential_anomaly_count: i64,
    /// Distinct process paths fleet-wide on `date`.
    pub distribution_1day: i64,
    /// Distinct process paths fleet-wide on `date − 6d … date` (clipped at the range start).
    pub distribution_7days: i64,
    /// `activity_ratio * 100`.
    pub ratio: f64,
    /// `count_` of this (day, process, computer, account) key in `T` (not a projected column).
    pub events: u64,
}

impl HuntRow {
    /// The row as a JSON object with the query's projected column names, in order.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// A datetime column value: RFC 3339 UTC text, or the raw microseconds if out of range.
struct JsonTime(i64);

impl Serialize for JsonTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match format_rfc3339(self.0) {
            Some(text) => serializer.serialize_str(&text),
            None => serializer.serialize_i64(self.0),
        }
    }
}

impl Serialize for HuntRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut row = serializer.serialize_struct("HuntRow", 9)?;
        row.serialize_field("WeekDate", &JsonTime(self.week_date))?;
        row.serialize_field("Date", &JsonTime(self.date))?;
        row.serialize_field("Process", &self.process)?;
        row.serialize_field("Account", &self.account)?;
        row.serialize_field("Computer", &self.computer)?;
        row.serialize_field("PotentialAnomalyCount", &self.potential_anomaly_count)?;
        row.serialize_field("Distribution1day", &self.distribution_1day)?;
        row.serialize_field("Distribution7days", &self.distribution_7days)?;
        row.serialize_field("Ratio", &self.ratio)?;
        row.end()
    }
}

/// KQL case folding for one character: its simple lower-case mapping, or the character itself
/// when the lower-case form is several characters (spec 4.2).
fn fold_char(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

fn ascii_contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// KQL `haystack contains needle`: case-insensitive substring test (ASCII fast path).
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        ascii_contains_ignore_case(haystack.as_bytes(), needle.as_bytes())
    } else {
        fold(haystack).contains(fold(needle).as_str())
    }
}

/// Whether the hunting query drops this `ProcessName` value (spec section 5, step 4).
pub fn is_excluded(process: &str) -> bool {
    if EXACT_EXCLUSIONS.contains(&process) {
        return true;
    }
    if process.is_ascii() {
        let bytes = process.as_bytes();
        EXCLUSIONS.iter().any(|lit| ascii_contains_ignore_case(bytes, lit.as_bytes()))
    } else {
        let folded = fold(process);
        EXCLUSIONS.iter().any(|lit| folded.contains(&fold(lit)))
    }
}

/// String ↔ `u32` table. More than `u32::MAX` distinct values are not supported.
#[derive(Default)]
pub(super) struct Interner<'a> {
    ids: HashMap<&'a str, u32>,
    names: Vec<&'a str>,
}

impl<'a> Interner<'a> {
    fn intern(&mut self, s: &'a str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.ids.insert(s, id);
        self.names.push(s);
        id
    }

    pub(super) fn name(&self, id: u32) -> &'a str {
        self.names.get(id as usize).copied().unwrap_or_default()
    }

    /// Rank of each id's string in byte order, so rows sort by string without comparing them.
    fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_unstable_by_key(|&i| self.names[i]);
        let mut rank = vec![0u32; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = u32::try_from(r).unwrap_or(u32::MAX);
        }
        rank
    }
}

/// `(Process, Computer, Account, Date)` with interned strings: the group key first, so that
/// `T` sorted by it is already in the order the counts plugin groups by.
pub(super) type DayKey = (u32, u32, u32, i64);

/// The table `T` of the query: `count_` per distinct day key, plus the string tables.
#[derive(Default)]
pub(super) struct Daily<'a> {
    pub(super) processes: Interner<'a>,
    pub(super) computers: Interner<'a>,
    pub(super) accounts: Interner<'a>,
    /// Sorted by key, keys distinct.
    pub(super) rows: Vec<(DayKey, u64)>,
}

/// Steps 1–5: time filter (`≥ cutoff`), day, exclusions, `summarize count()`.
pub(super) fn daily_table<'a>(events: &[ProcessEvent<'a>], cutoff: i64) -> Daily<'a> {
    let mut daily = Daily::default();
    // Exclusion verdict per interned process id, computed once per distinct path.
    let mut excluded: Vec<bool> = Vec::new();
    let mut keys: Vec<DayKey> = Vec::new();
    for event in events.iter().filter(|e| e.time >= cutoff) {
        let process = daily.processes.intern(event.process);
        let index = process as usize;
        if index == excluded.len() {
            excluded.push(is_excluded(event.process));
        }
        if excluded.get(index).copied().unwrap_or(true) {
            continue;
        }
        let computer = daily.computers.intern(event.computer);
        let account = daily.accounts.intern(event.account);
        keys.push((process, computer, account, start_of_day(event.time)));
    }
    // `summarize count()` by sorting: cache-friendlier than a hash map at millions of events.
    keys.sort_unstable();
    daily.rows = keys.chunk_by(|a, b| a == b).map(|run| (run[0], run.len() as u64)).collect();
    daily
}

/// A left-side row of the join that survived the final filter.
struct Hit<'e> {
    date: i64,
    dims: (u32, u32, u32),
    new_dcount: i64,
    events: u64,
    day: &'e EngagementRow<()>,
}

/// Runs the rare-process hunting query with `now` as the query's single `now()`.
///
/// Output order (unspecified in KQL) is made deterministic: by date, process, account, computer.
pub fn rare_process(events: &[ProcessEvent<'_>], now: i64) -> Vec<HuntRow> {
    let cutoff = now.saturating_sub(LOOKBACK_US);
    let (start, end) = (start_of_day(cutoff), start_of_day(now));
    let daily = daily_table(events, cutoff);

    // Left side: counts plugin, Id = process, dims = (process, computer, account).
    let triples: Vec<Row<(u32, u32, u32)>> =
        daily.rows.iter().map(|&((p, c, a, date), _)| Row { time: date, id: Some(p), dims: (p, c, a) }).collect();
    let counts = counts_metrics(&triples, start, end, DAY_US);

    // Right side: engagement plugin, fleet-wide. Repeated (day, process) rows change no
    // distinct count, so they are collapsed first.
    let mut day_process: Vec<(i64, u32)> = daily.rows.iter().map(|&((p, _, _, d), _)| (d, p)).collect();
    day_process.sort_unstable();
    day_process.dedup();
    let fleet: Vec<Row<()>> = day_process.iter().map(|&(date, p)| Row { time: date, id: Some(p), dims: () }).collect();
    let fleet_days = engagement(&fleet, start, end, DAY_US, OUTER_WINDOW_US);

    // Inner join on (WeekDate, Date) — WeekDate is a function of Date on both sides, so this is
    // a join on the day; the right side has one row per day — then the final filter
    // `PotentialAnomalyCount == 1 and Ratio < 100`. `counts` and `daily.rows` are both sorted
    // by (process, computer, account, date), so `count_` is found by a merge walk.
    let mut cursor = 0usize;
    let mut hits: Vec<Hit<'_>> = counts
        .iter()
        .filter(|c| c.new_dcount == 1)
        .filter_map(|c| {
            let day = fleet_days.binary_search_by_key(&c.time, |e| e.time).ok().and_then(|i| fleet_days.get(i))?;
            let ratio = day.activity_ratio * 100.0;
            let (p, comp, acct) = c.dims;
            let key = (p, comp, acct, c.time);
            while daily.rows.get(cursor).is_some_and(|&(k, _)| k < key) {
                cursor += 1;
            }
            let events = daily.rows.get(cursor).filter(|&&(k, _)| k == key).map_or(0, |r| r.1);
            (ratio < 100.0).then_some(Hit { date: c.time, dims: c.dims, new_dcount: c.new_dcount, events, day })
        })
        .collect();

    let (rank_p, rank_c, rank_a) = (daily.processes.ranks(), daily.computers.ranks(), daily.accounts.ranks());
    let rank = |ranks: &[u32], id: u32| ranks.get(id as usize).copied().unwrap_or(u32::MAX);
    hits.sort_unstable_by_key(|hit| {
        let (p, c, a) = hit.dims;
        (hit.date, rank(&rank_p, p), rank(&rank_a, a), rank(&rank_c, c))
    });
    hits.into_iter()
        .map(|hit| {
            let (p, c, a) = hit.dims;
            HuntRow {
                week_date: start_of_week(hit.date),
                date: hit.date,
                process: daily.processes.name(p).to_owned(),
                account: daily.accounts.name(a).to_owned(),
                computer: daily.computers.name(c).to_owned(),
                potential_anomaly_count: hit.new_dcount,
                distribution_1day: hit.day.dcount_activities_inner,
                distribution_7days: hit.day.dcount_activities_outer,
                ratio: hit.day.activity_ratio * 100.0,
                events: hit.events,
            }
        })
        .collect()
}
