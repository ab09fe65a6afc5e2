//! The timeline's data work: the positions of a subject's events, the marks (first seen,
//! evidence, trigger), the filters over them and the per-day counts.
//!
//! Positions are `u32` and filtering produces a new `Vec<u32>` of indices into the subject's
//! events in one pass; fuzzy matching goes through [`SymMasks`], so each distinct string is
//! matched once. A principal's events come from the store's index (a slice, no scan); other
//! subjects take one scan of the store. Pure computation over the store.

use crate::detect::Alert;
use crate::model::{Event, Outcome, Sym};
use crate::store::EventStore;
use crate::time::{DAY_US, start_of_day};
use crate::tui::effect::Subject;
use crate::tui::search::{Query, SymMasks};
use foldhash::{HashSet, HashSetExt};

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

/// The store positions of a subject's events, in time order.
pub fn positions(store: &EventStore, subject: Subject) -> Vec<u32> {
    let field: fn(&Event) -> Sym = match subject {
        Subject::Principal(p) => return store.principal_events(p).to_vec(),
        Subject::Resource(_) => |e| e.resource,
        Subject::SourceIp(_) => |e| e.source_ip,
        Subject::Computer(_) => |e| e.computer,
    };
    let want = subject.sym();
    let want_folded = store.fold(want);
    store
        .events()
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let s = field(e);
            s == want || matches!(subject, Subject::Resource(_)) && !s.is_empty() && store.fold(s) == want_folded
        })
        .map(|(i, _)| i as u32)
        .collect()
}

/// The marks of each event of `base`.
pub fn marks(store: &EventStore, base: &[u32], alert: Option<&Alert>) -> Vec<u8> {
    let events = store.events();
    let one_principal = base.first().map(|&i| events[i as usize].principal);
    let mut out = if base.iter().all(|&i| Some(events[i as usize].principal) == one_principal) {
        first_seen_one_principal(store, base)
    } else {
        first_seen_any(store, base)
    };
    if let Some(a) = alert {
        for ev in &a.evidence {
            if let Ok(k) = base.binary_search(&ev.event) {
                out[k] |= if ev.pivot == "trigger" { EVIDENCE | TRIGGER } else { EVIDENCE };
            }
        }
    }
    out
}

/// First-seen marks when every event has the same principal (a principal's timeline): keys are
/// string ids, so tables indexed by id replace hashing and a million events take milliseconds.
fn first_seen_one_principal(store: &EventStore, base: &[u32]) -> Vec<u8> {
    let events = store.events();
    let n = store.strings().len();
    let mut resource_seen = vec![false; n];
    // The service an operation was first seen with (+1; 0 = never); other pairs go to `more`.
    let mut op_service = vec![0u32; n];
    let mut more: HashSet<u64> = HashSet::new();
    base.iter()
        .map(|&i| {
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
        })
        .collect()
}

/// First-seen marks per (principal, service, operation) and (principal, resource).
fn first_seen_any(store: &EventStore, base: &[u32]) -> Vec<u8> {
    let events = store.events();
    let mut ops: HashSet<u128> = HashSet::new();
    let mut resources: HashSet<u64> = HashSet::new();
    base.iter()
        .map(|&i| {
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
        })
        .collect()
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
    /// The fuzzy query text.
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

/// Indices (into `base`) that pass the filters, taken from `from` (a previous result, or all).
pub fn apply(store: &EventStore, base: &[u32], marks: &[u8], f: &Filters, from: Option<&[u32]>) -> Vec<u32> {
    let events = store.events();
    let query = Query::new(&f.query);
    let mut masks = query.as_ref().map(|_| SymMasks::new(store.strings().len()));
    let pass = |k: u32| -> bool {
        let e = &events[base[k as usize] as usize];
        (!f.failures || e.outcome == Outcome::Failure)
            && (!f.first_seen || marks[k as usize] & FIRST_SEEN != 0)
            && f.service.is_none_or(|s| e.service == s)
    };
    let keep = |k: u32, masks: &mut Option<SymMasks>| -> bool {
        if !pass(k) {
            return false;
        }
        let (Some(q), Some(m)) = (&query, masks.as_mut()) else {
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
    match from {
        Some(prev) => prev.iter().copied().filter(|&k| keep(k, &mut masks)).collect(),
        None => (0..base.len() as u32).filter(|&k| keep(k, &mut masks)).collect(),
    }
}

/// Events per day over the shown events: `(day start, count)` for every day from the first to the
/// last (days without events get 0).
pub fn day_counts(store: &EventStore, base: &[u32], view: &[u32]) -> Vec<(i64, u64)> {
    let events = store.events();
    let time = |k: u32| events[base[k as usize] as usize].time;
    let (Some(&first), Some(&last)) = (view.first(), view.last()) else {
        return Vec::new();
    };
    let (d0, d1) = (start_of_day(time(first)), start_of_day(time(last)));
    let n = usize::try_from((d1 - d0) / DAY_US + 1).unwrap_or(1).min(100_000);
    let mut out: Vec<(i64, u64)> = (0..n).map(|i| (d0 + i as i64 * DAY_US, 0)).collect();
    for &k in view {
        let i = usize::try_from((start_of_day(time(k)) - d0) / DAY_US).unwrap_or(0);
        if let Some(slot) = out.get_mut(i) {
            slot.1 += 1;
        }
    }
    out
}
