//! The activity-vs-engagement views the TUI and the report draw, computed from the event store
//! through the generic engine in [`super::metrics`].
//!
//! Per principal: what the principal touched each day (the id is its operations, resources or
//! source IPs), how many of those were new within the range, and its 1-day / 7-day engagement.
//! For the organisation: daily active principals against the week. Reads the store's
//! per-principal index, so one principal's 30 days never scan the whole store.

use super::metrics::{Row, counts_metrics, engagement};
use crate::model::{Event, Sym};
use crate::store::EventStore;
use crate::time::{DAY_US, start_of_day};
use foldhash::{HashMap, HashMapExt};

/// What counts as "a thing the principal did".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum IdKind {
    /// The operation / method / event name.
    Operation,
    /// The resource acted on.
    Resource,
    /// The principal (organisation view: active principals).
    Principal,
    /// Windows: the process path.
    Process,
    /// The caller's source IP.
    SourceIp,
}

impl IdKind {
    /// The ids the principal view cycles through.
    pub const PRINCIPAL_CYCLE: [IdKind; 3] = [IdKind::Operation, IdKind::Resource, IdKind::SourceIp];

    /// Lower-case name as the CLI spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Operation => "operation",
            IdKind::Resource => "resource",
            IdKind::Principal => "principal",
            IdKind::Process => "process",
            IdKind::SourceIp => "source_ip",
        }
    }

    /// The id of an event (case-folded for Azure resources and operations).
    pub fn of(self, store: &EventStore, e: &Event) -> Sym {
        match self {
            IdKind::Operation => store.key_of(e.cloud, e.operation),
            IdKind::Resource => store.key_of(e.cloud, e.resource),
            IdKind::Principal => e.principal,
            IdKind::Process => e.process,
            IdKind::SourceIp => e.source_ip,
        }
    }
}

/// One day of a view.
#[derive(Clone, Debug, PartialEq)]
pub struct DayRow {
    /// 00:00 UTC of the day.
    pub day: i64,
    /// Events that day.
    pub count: i64,
    /// Distinct ids that day.
    pub dcount: i64,
    /// Ids first seen (within the range) that day.
    pub new_dcount: i64,
    /// Distinct ids from the start of the range up to this day.
    pub aggregated_dcount: i64,
    /// Distinct ids that day (engagement inner window).
    pub inner: i64,
    /// Distinct ids over the 7 days ending that day (engagement outer window).
    pub outer: i64,
    /// inner / outer, 0 on a day without activity.
    pub ratio: f64,
    /// The ids first seen that day.
    pub new_values: Vec<Sym>,
}

/// The default range: the 30 days ending on the day of `last` (inclusive): 30 daily windows.
pub fn default_range(last: i64) -> (i64, i64) {
    let end = start_of_day(last);
    (end - 29 * DAY_US, end)
}

/// Builds day rows for every day of [start, end] (days without activity get zeros) from the
/// positions of the events to consider.
pub fn days_for(store: &EventStore, positions: &[u32], id: IdKind, start: i64, end: i64) -> Vec<DayRow> {
    let (start, end) = (start_of_day(start), start_of_day(end));
    let events = store.events();
    let slice = store.slice_by_time(positions, start, end + DAY_US);
    let rows: Vec<Row<()>> = slice
        .iter()
        .map(|&i| {
            let e = &events[i as usize];
            let sym = id.of(store, e);
            Row { time: e.time, id: (!sym.is_empty()).then_some(sym.0), dims: () }
        })
        .collect();
    let counts: HashMap<i64, _> =
        counts_metrics(&rows, start, end + DAY_US - 1, DAY_US).into_iter().map(|r| (r.time, r)).collect();
    let eng: HashMap<i64, _> =
        engagement(&rows, start, end + DAY_US - 1, DAY_US, 7 * DAY_US).into_iter().map(|r| (r.time, r)).collect();
    // The values first seen each day.
    let mut first_day: HashMap<u32, i64> = HashMap::new();
    for r in &rows {
        if let Some(id) = r.id {
            first_day.entry(id).or_insert(start_of_day(r.time));
        }
    }
    let mut new_by_day: HashMap<i64, Vec<Sym>> = HashMap::new();
    for (id, day) in first_day {
        new_by_day.entry(day).or_default().push(Sym(id));
    }
    let mut out = Vec::new();
    let mut aggregated = 0;
    let mut day = start;
    while day <= end {
        let c = counts.get(&day);
        let g = eng.get(&day);
        if let Some(c) = c {
            aggregated = c.aggregated_dcount;
        }
        let mut new_values = new_by_day.remove(&day).unwrap_or_default();
        new_values.sort_by(|a, b| store.str(*a).cmp(store.str(*b)));
        out.push(DayRow {
            day,
            count: c.map_or(0, |c| c.count),
            dcount: c.map_or(0, |c| c.dcount),
            new_dcount: c.map_or(0, |c| c.new_dcount),
            aggregated_dcount: aggregated,
            inner: g.map_or(0, |g| g.dcount_activities_inner),
            outer: g.map_or(0, |g| g.dcount_activities_outer),
            ratio: g.map_or(0.0, |g| g.activity_ratio),
            new_values,
        });
        day += DAY_US;
    }
    out
}

/// A principal's days.
pub fn principal_days(store: &EventStore, principal: Sym, id: IdKind, start: i64, end: i64) -> Vec<DayRow> {
    days_for(store, store.principal_events(principal), id, start, end)
}

/// The organisation's days: active principals per day against the week.
///
/// Computed from the store's per-principal active days (built once at load) rather than by
/// running the engine over every event: the same numbers as `days_for(…, IdKind::Principal, …)`
/// over all events, in O(principals × days), so it answers at once however many events are
/// loaded.
pub fn org_days(store: &EventStore, start: i64, end: i64) -> Vec<DayRow> {
    let (start, end) = (start_of_day(start), start_of_day(end));
    let days = ((end - start) / DAY_US + 1).max(0) as usize;
    let (first_day, last_day) = (start.div_euclid(DAY_US), end.div_euclid(DAY_US));
    let mut active: Vec<Vec<Sym>> = vec![Vec::new(); days];
    let mut first: Vec<Vec<Sym>> = vec![Vec::new(); days];
    for &p in store.principals() {
        if p.is_empty() {
            continue;
        }
        let all = store.active_days(p);
        let from = all.partition_point(|&d| d < first_day);
        let to = all.partition_point(|&d| d <= last_day);
        for (k, &d) in all[from..to].iter().enumerate() {
            let d = (d - first_day) as usize;
            if k == 0 {
                first[d].push(p);
            }
            active[d].push(p);
        }
    }
    let mut out = Vec::with_capacity(days);
    let mut aggregated = 0;
    for d in 0..days {
        let day = start + d as i64 * DAY_US;
        let r = store.time_range(day, day + DAY_US);
        let count = (r.end - r.start) as i64;
        let inner = active[d].len() as i64;
        let mut outer_set: Vec<Sym> = active[d.saturating_sub(6)..=d].iter().flatten().copied().collect();
        outer_set.sort_unstable();
        outer_set.dedup();
        // Like the engine, a day without activity has no engagement row (3.4 of the spec).
        let outer = if inner > 0 { outer_set.len() as i64 } else { 0 };
        aggregated += first[d].len() as i64;
        let mut new_values = std::mem::take(&mut first[d]);
        new_values.sort_by(|a, b| store.str(*a).cmp(store.str(*b)));
        out.push(DayRow {
            day,
            count,
            dcount: inner,
            new_dcount: new_values.len() as i64,
            aggregated_dcount: aggregated,
            inner,
            outer,
            ratio: if inner > 0 { inner as f64 / outer as f64 } else { 0.0 },
            new_values,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Input, LoadOptions, load};
    use std::sync::Arc;

    #[test]
    fn org_view_matches_the_engine_over_all_events() {
        let mut lines = String::new();
        for (day, who) in [(1, "a"), (1, "b"), (2, "a"), (4, "c"), (9, "b"), (9, "d"), (10, "a")] {
            lines.push_str(&format!(
                "{{\"eventTime\":\"2026-10-{day:02}T10:00:00Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"ListBuckets\",\"userIdentity\":{{\"arn\":\"{who}\"}}}}\n"
            ));
        }
        let input = Input::Memory { name: "t.jsonl".into(), bytes: Arc::from(lines.into_bytes()) };
        let (store, _) = load(&[input], &LoadOptions::default());
        let start = crate::time::parse_time("2026-10-01T00:00:00Z").unwrap();
        let end = start + 11 * DAY_US;
        let all: Vec<u32> = (0..store.len() as u32).collect();
        let engine = days_for(&store, &all, IdKind::Principal, start, end);
        let fast = org_days(&store, start, end);
        assert_eq!(engine, fast);
        let d9 = &fast[8];
        assert_eq!((d9.count, d9.dcount, d9.new_dcount, d9.outer), (2, 2, 1, 3));
        assert_eq!(store.str(d9.new_values[0]), "d");
        // A range starting mid-history: "new" means first seen within the range.
        let (start, end) = (start + 3 * DAY_US, start + 9 * DAY_US);
        let slice = store.slice_by_time(&all, start, end + DAY_US);
        assert_eq!(days_for(&store, slice, IdKind::Principal, start, end), org_days(&store, start, end));
    }
}
