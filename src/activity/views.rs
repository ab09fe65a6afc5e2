//! The activity-vs-engagement views the TUI and the report draw, computed from the event store
//! with the semantics of the generic engine in [`super::metrics`].
//!
//! A view's events come in time order (the store's order), its windows are whole days and it has
//! no dimensions, so one pass gives the same numbers as the engine's sorts: a per-id "last
//! active day" table gives the distinct and new counts, and each id's active days add to a
//! difference array for the 7-day outer window. The engine stays the reference: a differential
//! test holds the two equal, and positions out of time order would go through it (every caller
//! passes the store's time-ordered positions).
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
    /// The caller's source IP (`source-ip`; `source_ip`, as output columns name it, is accepted).
    #[value(alias = "source_ip")]
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
    let slice = store.slice_by_time(positions, start, end + DAY_US);
    let days = stats_of(store, slice, id, start, end, slice.is_sorted());
    days.into_iter()
        .enumerate()
        .map(|(i, d)| {
            let mut new_values: Vec<Sym> = d.new_ids.into_iter().map(Sym).collect();
            new_values.sort_by(|a, b| store.str(*a).cmp(store.str(*b)));
            DayRow {
                day: start + i as i64 * DAY_US,
                count: d.count,
                dcount: d.dcount,
                new_dcount: d.new_dcount,
                aggregated_dcount: d.aggregated,
                inner: d.inner,
                outer: d.outer,
                ratio: d.ratio,
                new_values,
            }
        })
        .collect()
}

/// The day numbers of the events at `slice` (all within the range), in one pass (they must be
/// in time order) or through the engine.
fn stats_of(store: &EventStore, slice: &[u32], id: IdKind, start: i64, end: i64, one_pass: bool) -> Vec<DayStats> {
    let events = store.events();
    let row = |i: u32| {
        let e = &events[i as usize];
        let sym = id.of(store, e);
        (e.time, (!sym.is_empty()).then_some(sym.0))
    };
    if one_pass {
        // A table indexed by id when the events are many next to the interner; a map when a few
        // events would otherwise zero a table of every string.
        let dense = slice.len().saturating_mul(16) >= store.strings().len();
        day_stats(slice.iter().map(|&i| row(i)), start, end, dense)
    } else {
        let rows: Vec<Row<()>> = slice.iter().map(|&i| row(i)).map(|(time, id)| Row { time, id, dims: () }).collect();
        day_stats_engine(&rows, start, end)
    }
}

/// The numbers of one day, before ids are turned into strings.
#[derive(Clone, Debug, Default, PartialEq)]
struct DayStats {
    count: i64,
    dcount: i64,
    new_dcount: i64,
    aggregated: i64,
    inner: i64,
    outer: i64,
    ratio: f64,
    /// Ids first seen that day (in no particular order).
    new_ids: Vec<u32>,
}

/// How many days [start, end] holds (both are day starts).
fn day_count(start: i64, end: i64) -> usize {
    usize::try_from((end - start) / DAY_US + 1).unwrap_or(0)
}

/// One pass over `(time, id)` in time order, all within [start, end + 1 day): per day, events,
/// distinct ids, ids new since `start`, their running total, and engagement (distinct ids that
/// day against the 7 days ending that day; zeros on a day without ids, as the engine reports
/// only windows with ids).
fn day_stats(rows: impl Iterator<Item = (i64, Option<u32>)>, start: i64, end: i64, dense: bool) -> Vec<DayStats> {
    const OUTER_DAYS: usize = 7;
    let n = day_count(start, end);
    let mut days = vec![DayStats::default(); n];
    // Per id: the last day (index + 1) it was active; 0 = never.
    let mut last = if dense { LastDay::Dense(Vec::new()) } else { LastDay::Sparse(HashMap::new()) };
    // Outer-window distinct ids, as a difference array over days.
    let mut outer = vec![0i64; n + OUTER_DAYS + 1];
    for (time, id) in rows {
        let Some(d) = usize::try_from((time - start).div_euclid(DAY_US)).ok().filter(|&d| d < n) else {
            continue;
        };
        let day = &mut days[d];
        day.count += 1;
        let Some(id) = id else { continue };
        let prev = last.swap(id, (d + 1) as u32) as usize;
        if prev == d + 1 {
            continue;
        }
        day.dcount += 1;
        if prev == 0 {
            day.new_dcount += 1;
            day.new_ids.push(id);
        }
        // Active on day d, it is in the outer windows of days d ..= d + 6, less those its
        // previous active day already counts it in.
        let from = if prev == 0 { d } else { d.max(prev - 1 + OUTER_DAYS) };
        outer[from] += 1;
        outer[d + OUTER_DAYS] -= 1;
    }
    let (mut aggregated, mut running) = (0, 0);
    for (d, day) in days.iter_mut().enumerate() {
        running += outer[d];
        aggregated += day.new_dcount;
        day.aggregated = aggregated;
        if day.dcount > 0 {
            day.inner = day.dcount;
            day.outer = running;
            day.ratio = day.inner as f64 / day.outer as f64;
        }
    }
    days
}

/// Each id's last active day (index + 1; 0 = never): a table indexed by id, or a map.
enum LastDay {
    Dense(Vec<u32>),
    Sparse(HashMap<u32, u32>),
}

impl LastDay {
    /// Sets an id's last day, returning the one before.
    fn swap(&mut self, id: u32, day: u32) -> u32 {
        match self {
            LastDay::Dense(v) => {
                let slot = id as usize;
                if slot >= v.len() {
                    v.resize(slot + 1, 0);
                }
                std::mem::replace(&mut v[slot], day)
            }
            LastDay::Sparse(m) => m.insert(id, day).unwrap_or(0),
        }
    }
}

/// [`day_stats`] through the generic engine (any row order).
fn day_stats_engine(rows: &[Row<()>], start: i64, end: i64) -> Vec<DayStats> {
    let counts: HashMap<i64, _> =
        counts_metrics(rows, start, end + DAY_US - 1, DAY_US).into_iter().map(|r| (r.time, r)).collect();
    let eng: HashMap<i64, _> =
        engagement(rows, start, end + DAY_US - 1, DAY_US, 7 * DAY_US).into_iter().map(|r| (r.time, r)).collect();
    // The values first seen each day.
    let mut first_day: HashMap<u32, i64> = HashMap::new();
    let mut sorted: Vec<&Row<()>> = rows.iter().filter(|r| start <= r.time && r.time < end + DAY_US).collect();
    sorted.sort_by_key(|r| r.time);
    for r in sorted {
        if let Some(id) = r.id {
            first_day.entry(id).or_insert(start_of_day(r.time));
        }
    }
    let mut new_by_day: HashMap<i64, Vec<u32>> = HashMap::new();
    for (id, day) in first_day {
        new_by_day.entry(day).or_default().push(id);
    }
    let mut aggregated = 0;
    (0..day_count(start, end))
        .map(|i| {
            let day = start + i as i64 * DAY_US;
            let (c, g) = (counts.get(&day), eng.get(&day));
            if let Some(c) = c {
                aggregated = c.aggregated_dcount;
            }
            DayStats {
                count: c.map_or(0, |c| c.count),
                dcount: c.map_or(0, |c| c.dcount),
                new_dcount: c.map_or(0, |c| c.new_dcount),
                aggregated,
                inner: g.map_or(0, |g| g.dcount_activities_inner),
                outer: g.map_or(0, |g| g.dcount_activities_outer),
                ratio: g.map_or(0.0, |g| g.activity_ratio),
                new_ids: new_by_day.remove(&day).unwrap_or_default(),
            }
        })
        .collect()
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

    /// The one-pass day statistics equal the generic engine's on random time-ordered rows: null
    /// ids, idle days and gaps longer than the week, rows outside the range, 1 to 45 days.
    #[test]
    fn one_pass_days_match_the_engine() {
        let mut next = crate::activity::xorshift(0x2545_f491_4f6c_dd1d);
        let start = 20_000 * DAY_US;
        for case in 0..300 {
            let days = 1 + next(45) as i64;
            let end = start + (days - 1) * DAY_US;
            let ids = 1 + next(if case % 3 == 0 { 4 } else { 60 });
            let n = next(400) as usize;
            let idle = next(days as u64 + 1) as i64;
            let mut times: Vec<i64> = (0..n)
                .map(|_| start - 2 * DAY_US + next(((days + 4) * DAY_US) as u64) as i64)
                .filter(|t| (t - start).div_euclid(DAY_US) != idle)
                .collect();
            times.sort_unstable();
            let rows: Vec<Row<()>> = times
                .iter()
                .map(|&time| Row { time, id: (next(7) != 0).then(|| next(ids) as u32 * 3), dims: () })
                .collect();
            let in_range: Vec<Row<()>> =
                rows.iter().filter(|r| start <= r.time && r.time < end + DAY_US).cloned().collect();
            // The one pass clips to the range itself; both id tables give the same.
            let dense = case % 2 == 0;
            let mut fast = day_stats(rows.iter().map(|r| (r.time, r.id)), start, end, dense);
            let mut engine = day_stats_engine(&in_range, start, end);
            for d in fast.iter_mut().chain(engine.iter_mut()) {
                d.new_ids.sort_unstable();
            }
            assert_eq!(fast, engine, "case {case}: {days} days, {n} rows, {ids} ids");
            let mut clipped = day_stats_engine(&rows, start, end);
            clipped.iter_mut().for_each(|d| d.new_ids.sort_unstable());
            assert_eq!(clipped, engine, "the engine clips to the range itself");
        }
    }

    /// On the embedded demo (four clouds, Azure ids folded): every busy principal's 30 days, for
    /// every kind of id, are the same in one pass as through the engine.
    #[test]
    fn principal_days_match_the_engine_on_the_demo() {
        let (store, _) = load(&crate::demo::inputs().unwrap(), &LoadOptions::default());
        let (_, last) = store.span().unwrap();
        let (start, end) = default_range(last);
        let mut busy: Vec<Sym> = store.principals().to_vec();
        busy.sort_by_key(|p| std::cmp::Reverse(store.principal_events(*p).len()));
        let mut compared = 0;
        for &p in busy.iter().take(12) {
            let slice = store.slice_by_time(store.principal_events(p), start, end + DAY_US);
            for id in [IdKind::Operation, IdKind::Resource, IdKind::SourceIp, IdKind::Process, IdKind::Principal] {
                let mut one = stats_of(&store, slice, id, start, end, true);
                let mut engine = stats_of(&store, slice, id, start, end, false);
                for d in one.iter_mut().chain(engine.iter_mut()) {
                    d.new_ids.sort_unstable();
                }
                assert_eq!(one, engine, "{} by {}", store.str(p), id.as_str());
                compared += one.iter().filter(|d| d.dcount > 0).count();
            }
        }
        assert!(compared > 100, "the demo's principals have activity to compare ({compared} days)");
    }

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
