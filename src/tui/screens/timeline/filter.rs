//! The timeline's data work: the positions of a subject's events, the marks (first seen,
//! evidence, trigger), the filters over them and the per-day counts.
//!
//! Positions are `u32`. A principal's events are the store's own index ([`Positions`] shares it,
//! no copy); other subjects take one scan of the store. With no filter the [`View`] is "all", so
//! opening a timeline allocates nothing per event; a filter produces the indices that pass, in
//! parallel chunks that check [`Work::cancelled`] between them, matching through one
//! [`SymMasks`] shared by the chunks, so each distinct string is matched once (twice at worst,
//! when two chunks meet it at the same moment). The screen runs these on a worker
//! ([`crate::tui::work`]). Pure computation over the store.

use crate::detect::Alert;
use crate::model::{Event, Outcome, Sym};
use crate::store::EventStore;
use crate::time::{DAY_US, start_of_day};
use crate::tui::effect::Subject;
use crate::tui::search::{Query, SymMasks};
use crate::tui::work::{CHUNK, Work};
use foldhash::{HashSet, HashSetExt};
use rayon::prelude::*;
use std::fmt;
use std::sync::Arc;

/// First call of this (service, operation) by this principal in the timeline.
pub const FIRST_OP: u8 = 1;
/// First action on this resource by this principal in the timeline.
pub const FIRST_RESOURCE: u8 = 2;
/// Evidence of the alert.
pub const EVIDENCE: u8 = 4;
/// The alert's trigger.
pub const TRIGGER: u8 = 8;
/// Either first-seen mark.
pub const FIRST_SEEN: u8 = FIRST_OP | FIRST_RESOURCE;

/// The store positions of a subject's events, in time order: a principal's are the store's
/// index, shared; others are found by a scan.
#[derive(Clone)]
pub enum Positions {
    /// A principal's events, read from the store's index.
    Principal(Arc<EventStore>, Sym),
    /// Positions found by a scan.
    Owned(Arc<[u32]>),
}

impl Positions {
    /// The positions.
    pub fn as_slice(&self) -> &[u32] {
        match self {
            Positions::Principal(store, p) => store.principal_events(*p),
            Positions::Owned(v) => v,
        }
    }
}

impl std::ops::Deref for Positions {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        self.as_slice()
    }
}

impl fmt::Debug for Positions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Positions({})", self.len())
    }
}

impl Default for Positions {
    fn default() -> Self {
        Positions::Owned(Arc::from(Vec::new()))
    }
}

/// The positions of a principal's events (no scan), or `None` for subjects that need one.
pub fn indexed(store: &Arc<EventStore>, subject: Subject) -> Option<Positions> {
    match subject {
        Subject::Principal(p) => Some(Positions::Principal(store.clone(), p)),
        _ => None,
    }
}

/// The store positions of a subject's events, in time order; `None` if cancelled.
pub fn positions_with(store: &Arc<EventStore>, subject: Subject, work: &Work) -> Option<Positions> {
    let field: fn(&Event) -> Sym = match subject {
        Subject::Principal(_) => return indexed(store, subject),
        Subject::Resource(_) => |e| e.resource,
        Subject::SourceIp(_) => |e| e.source_ip,
        Subject::Computer(_) => |e| e.computer,
    };
    let want = subject.sym();
    // A resource's timeline holds what lies under it too (key versions, objects, child
    // resources), case-folded as the store compares resources: one pass over the distinct
    // strings, then one lookup per event.
    let under: Vec<bool> = match subject {
        Subject::Resource(_) => {
            let folded = store.str(store.fold(want));
            let strings = store.strings().strings();
            (0..strings.len())
                .map(|i| {
                    let f = store.str(store.fold(Sym(i as u32)));
                    !f.is_empty() && f.strip_prefix(folded).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let events = store.events();
    work.set_total(events.len());
    let parts: Option<Vec<Vec<u32>>> = events
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let base = (c * CHUNK) as u32;
            let found = chunk
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    let s = field(e);
                    s == want || under.get(s.0 as usize).copied().unwrap_or(false)
                })
                .map(|(i, _)| base + i as u32)
                .collect();
            work.step(chunk.len()).then_some(found)
        })
        .collect();
    Some(Positions::Owned(parts?.concat().into()))
}

/// The store positions of a subject's events, in time order.
pub fn positions(store: &Arc<EventStore>, subject: Subject) -> Positions {
    positions_with(store, subject, &Work::default()).unwrap_or_default()
}

/// The marks of each event of `base`.
pub fn marks(store: &EventStore, base: &[u32], alert: Option<&Alert>) -> Vec<u8> {
    marks_with(store, base, alert, &Work::default()).unwrap_or_default()
}

/// The marks of each event of `base`; `None` if cancelled. First-seen marks depend on every
/// earlier event, so this is one ordered pass (counted in chunks for progress).
pub fn marks_with(store: &EventStore, base: &[u32], alert: Option<&Alert>, work: &Work) -> Option<Vec<u8>> {
    let events = store.events();
    let one_principal = base.first().map(|&i| events[i as usize].principal);
    work.set_total(base.len());
    let mut out = if base.iter().all(|&i| Some(events[i as usize].principal) == one_principal) {
        first_seen_one_principal(store, base, work)?
    } else {
        first_seen_any(store, base, work)?
    };
    if let Some(a) = alert {
        for ev in &a.evidence {
            if let Ok(k) = base.binary_search(&ev.event) {
                out[k] |= if ev.pivot == "trigger" { EVIDENCE | TRIGGER } else { EVIDENCE };
            }
        }
    }
    Some(out)
}

/// First-seen marks when every event has the same principal (a principal's timeline): keys are
/// string ids, so tables indexed by id replace hashing and a million events take milliseconds.
fn first_seen_one_principal(store: &EventStore, base: &[u32], work: &Work) -> Option<Vec<u8>> {
    let events = store.events();
    let n = store.strings().len();
    let mut resource_seen = vec![false; n];
    // The service an operation was first seen with (+1; 0 = never); other pairs go to `more`.
    let mut op_service = vec![0u32; n];
    let mut more: HashSet<u64> = HashSet::new();
    let mut out = Vec::with_capacity(base.len());
    for chunk in base.chunks(CHUNK) {
        out.extend(chunk.iter().map(|&i| {
            let e = &events[i as usize];
            let mut m = 0;
            if !e.operation.is_empty() {
                let (svc, op) = (store.key_of(e.cloud, e.service).0, store.key_of(e.cloud, e.operation).0);
                let slot = &mut op_service[op as usize];
                let first = if *slot == 0 {
                    *slot = svc + 1;
                    true
                } else {
                    *slot != svc + 1 && more.insert(u64::from(svc) << 32 | u64::from(op))
                };
                if first {
                    m |= FIRST_OP;
                }
            }
            if !e.resource.is_empty() {
                let seen = &mut resource_seen[store.key_of(e.cloud, e.resource).0 as usize];
                if !*seen {
                    *seen = true;
                    m |= FIRST_RESOURCE;
                }
            }
            m
        }));
        if !work.step(chunk.len()) {
            return None;
        }
    }
    Some(out)
}

/// First-seen marks per (principal, service, operation) and (principal, resource).
fn first_seen_any(store: &EventStore, base: &[u32], work: &Work) -> Option<Vec<u8>> {
    let events = store.events();
    let mut ops: HashSet<u128> = HashSet::new();
    let mut resources: HashSet<u64> = HashSet::new();
    let mut out = Vec::with_capacity(base.len());
    for chunk in base.chunks(CHUNK) {
        out.extend(chunk.iter().map(|&i| {
            let e = &events[i as usize];
            let mut m = 0;
            if !e.operation.is_empty() {
                let (svc, op) = (store.key_of(e.cloud, e.service), store.key_of(e.cloud, e.operation));
                if ops.insert(u128::from(e.principal.0) << 64 | u128::from(svc.0) << 32 | u128::from(op.0)) {
                    m |= FIRST_OP;
                }
            }
            if !e.resource.is_empty()
                && resources.insert(u64::from(e.principal.0) << 32 | u64::from(store.key_of(e.cloud, e.resource).0))
            {
                m |= FIRST_RESOURCE;
            }
            m
        }));
        if !work.step(chunk.len()) {
            return None;
        }
    }
    Some(out)
}

/// The timeline's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only failed calls.
    pub failures: bool,
    /// Only first-seen events.
    pub first_seen: bool,
    /// Only this service.
    pub service: Option<Sym>,
    /// The search text (substring, or fuzzy after `~`).
    pub query: String,
}

impl Filters {
    /// Whether any filter is on.
    pub fn any(&self) -> bool {
        self.failures || self.first_seen || self.service.is_some() || !self.query.trim().is_empty()
    }

    /// Whether `self` can only keep a subset of what `before` kept (same toggles, query extended).
    pub fn narrows(&self, before: &Filters) -> bool {
        self.failures == before.failures
            && self.first_seen == before.first_seen
            && self.service == before.service
            && self.query.starts_with(&before.query)
    }
}

/// The searchable fields of an event.
fn fields(e: &Event) -> [Sym; 10] {
    [
        e.principal,
        e.service,
        e.operation,
        e.resource,
        e.source_ip,
        e.status,
        e.user_agent,
        e.region,
        e.computer,
        e.process,
    ]
}

/// Which entries of the subject's events are shown: all of them (no filter, nothing stored per
/// event), or the indices into them that pass the filters, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// The first `n` entries: everything.
    All(u32),
    /// These indices.
    Only(Arc<[u32]>),
}

impl Default for View {
    fn default() -> Self {
        View::All(0)
    }
}

impl View {
    /// How many entries are shown.
    pub fn len(&self) -> usize {
        match self {
            View::All(n) => *n as usize,
            View::Only(v) => v.len(),
        }
    }

    /// Whether nothing is shown.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th shown entry (an index into the subject's events).
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            View::All(n) => (i < *n as usize).then_some(i as u32),
            View::Only(v) => v.get(i).copied(),
        }
    }

    /// The first shown position `i` for which `before(entry)` is false (`before` must be true
    /// then false along the view).
    pub fn partition_point(&self, mut before: impl FnMut(u32) -> bool) -> usize {
        match self {
            View::All(n) => {
                let (mut lo, mut hi) = (0usize, *n as usize);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if before(mid as u32) { lo = mid + 1 } else { hi = mid }
                }
                lo
            }
            View::Only(v) => v.partition_point(|&k| before(k)),
        }
    }

    /// The shown entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Indices (into `base`) that pass the filters, taken from `from` (a previous result, or all).
pub fn apply(store: &EventStore, base: &[u32], marks: &[u8], f: &Filters, from: Option<&[u32]>) -> Vec<u32> {
    apply_with(store, base, marks, f, from, &Work::default()).unwrap_or_default()
}

/// [`apply`], in parallel chunks; `None` if cancelled.
pub fn apply_with(
    store: &EventStore,
    base: &[u32],
    marks: &[u8],
    f: &Filters,
    from: Option<&[u32]>,
    work: &Work,
) -> Option<Vec<u32>> {
    let events = store.events();
    let query = Query::new(&f.query);
    let pass = |k: u32| -> bool {
        let e = &events[base[k as usize] as usize];
        (!f.failures || e.outcome == Outcome::Failure)
            && (!f.first_seen || marks.get(k as usize).is_some_and(|m| m & FIRST_SEEN != 0))
            && f.service.is_none_or(|s| e.service == s)
    };
    let masks = query.as_ref().map(|_| SymMasks::new(store.strings().len()));
    let keep = |k: u32| -> bool {
        if !pass(k) {
            return false;
        }
        let (Some(q), Some(m)) = (&query, masks.as_ref()) else {
            return true;
        };
        let e = &events[base[k as usize] as usize];
        let full = q.full();
        let mut got = 0;
        for s in fields(e) {
            got |= m.get(q, s, || store.str(s).to_string());
            if got == full {
                return true;
            }
        }
        false
    };
    let total = from.map_or(base.len(), <[u32]>::len);
    work.set_total(total);
    let chunk = |range: std::ops::Range<usize>| -> Option<Vec<u32>> {
        let n = range.len();
        let out = match from {
            Some(prev) => prev[range].iter().copied().filter(|&k| keep(k)).collect(),
            None => range.map(|k| k as u32).filter(|&k| keep(k)).collect(),
        };
        work.step(n).then_some(out)
    };
    if total <= CHUNK {
        return chunk(0..total);
    }
    let parts: Option<Vec<Vec<u32>>> =
        (0..total.div_ceil(CHUNK)).into_par_iter().map(|c| chunk(c * CHUNK..((c + 1) * CHUNK).min(total))).collect();
    Some(parts?.concat())
}

/// Events per day over the shown events: `(day start, count)` for every day from the first to the
/// last (days without events get 0; at most 100 000 days). The shown events are in time order, so
/// each day's end is a binary search: the cost follows the days, not the events.
pub fn day_counts(store: &EventStore, base: &[u32], view: &View) -> Vec<(i64, u64)> {
    let events = store.events();
    let time = |k: u32| events[base[k as usize] as usize].time;
    let (Some(first), Some(last)) = (view.get(0), view.get(view.len().wrapping_sub(1))) else {
        return Vec::new();
    };
    let (d0, d1) = (start_of_day(time(first)), start_of_day(time(last)));
    // i128: a forged time near either end of i64 must not overflow the day arithmetic.
    let days = (i128::from(d1) - i128::from(d0)) / i128::from(DAY_US) + 1;
    let n = usize::try_from(days).unwrap_or(1).min(100_000);
    let mut done = 0;
    (0..n as i64)
        .map(|i| {
            let day = d0.saturating_add(i * DAY_US);
            let next = day.saturating_add(DAY_US);
            let end = if next == i64::MAX { view.len() } else { view.partition_point(|k| time(k) < next) };
            let count = end.saturating_sub(done) as u64;
            done = done.max(end);
            (day, count)
        })
        .collect()
}

/// Whether every event of `base` is a Windows one (and there is at least one): the list then
/// shows Windows columns. Stops at the first other event, so a mixed timeline costs little.
pub fn all_windows(store: &EventStore, base: &[u32]) -> bool {
    let events = store.events();
    !base.is_empty()
        && base.iter().all(|&p| events.get(p as usize).is_some_and(|e| e.cloud == crate::model::Cloud::Windows))
}
