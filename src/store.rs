//! The event store: every loaded event in time order, its interned strings, the files it came
//! from, and the indexes the detectors and views query.
//!
//! Read-only once built. Owns the string interner, the per-principal index (event positions in
//! time order, so a principal's timeline or one day of it is a slice, never a scan of the store),
//! the per-call index (the positions of each distinct cloud, service and operation, so a detector
//! asks its question once per call instead of once per event), case-folding for Azure IDs, the
//! request facts extracted at load for the few events detectors need them for (a side table by
//! position), and where each record lies in its file. Reading a
//! record back from there is ingest's job (it knows the formats): the loader hands the store a
//! [`RecordReader`], and [`EventStore::raw`] asks it, so raw JSON is never held in memory and the
//! store imports nothing from ingest.

use crate::model::{Cloud, Event, RequestFacts, SourceRef, Sym};
use foldhash::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// 2000-01-01T00:00:00Z in µs: no cloud audit log is older.
const EARLIEST_PLAUSIBLE: i64 = 946_684_800_000_000;
/// Events this far (µs, a year) from the rest at either end of the time range are strays.
const STRAY_GAP: i64 = 365 * crate::time::DAY_US;

/// Interned strings: each distinct string stored once, addressed by [`Sym`].
#[derive(Default, Clone)]
pub struct Interner {
    map: HashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
}

impl Interner {
    /// A new interner holding only the empty string at `Sym(0)`.
    pub fn new() -> Self {
        let mut i = Interner::default();
        i.strings.push("".into());
        i.map.insert("".into(), 0);
        i
    }

    /// The id of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.map.get(s) {
            return Sym(id);
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.into());
        self.map.insert(s.into(), id);
        Sym(id)
    }

    /// The id of `s` if it was interned.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.map.get(s).map(|&id| Sym(id))
    }

    /// The text of an id.
    pub fn get(&self, s: Sym) -> &str {
        self.strings.get(s.0 as usize).map_or("", |b| b)
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when only the empty string is held.
    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }

    /// All strings in id order.
    pub fn strings(&self) -> &[Box<str>] {
        &self.strings
    }
}

/// Where a file's bytes come from.
#[derive(Clone)]
pub enum Origin {
    /// A file on disk.
    Disk(PathBuf),
    /// Embedded or in-memory data.
    Memory(Arc<[u8]>),
}

/// One input file and what was read from it.
#[derive(Clone)]
pub struct FileInfo {
    /// The name shown to people (the path as given, or the embedded name).
    pub name: String,
    /// Where to read it again.
    pub origin: Origin,
    /// Size on disk (compressed size for gzip).
    pub bytes: u64,
    /// The file was gzip-compressed.
    pub gzip: bool,
    /// Records found.
    pub records: u64,
    /// Events loaded.
    pub events: u64,
    /// Records skipped as unreadable.
    pub skipped: u64,
    /// Valid records of kinds not modelled.
    pub ignored: u64,
    /// Loaded only to learn from (`--baseline`): never alerted on.
    pub baseline: bool,
}

/// Reads a record's original text back from its file, given where it lies.
pub trait RecordReader: Send + Sync {
    /// The record at `at` in `file` (the store's file number `at.file`) as JSON text.
    fn read(&self, file: &FileInfo, at: &SourceRef) -> Result<String, String>;

    /// Several records of one file, in order (a reader may read the file once for all).
    fn read_many(&self, file: &FileInfo, at: &[SourceRef]) -> Vec<Result<String, String>> {
        at.iter().map(|a| self.read(file, a)).collect()
    }
}

/// All loaded events in time order, with their strings and indexes.
pub struct EventStore {
    events: Vec<Event>,
    strings: Interner,
    files: Vec<FileInfo>,
    by_principal: HashMap<Sym, Vec<u32>>,
    /// Positions of each distinct call's events (cloud, service, operation), in time order.
    by_call: HashMap<(Cloud, Sym, Sym), Vec<u32>>,
    /// Per principal, the days (since the epoch, UTC) it was active, ascending.
    active_days: HashMap<Sym, Vec<i64>>,
    principals: Vec<Sym>,
    folded: Vec<Sym>,
    reader: Option<Arc<dyn RecordReader>>,
    /// Request details of the few events detectors need them for, by position, ascending.
    facts: Vec<(u32, RequestFacts)>,
}

/// The positions of `events` grouped by `key`, each group in order. `slot` is a string id the
/// key holds (below `ids`): it picks a short list of the groups seen with it, so the pass over a
/// million events is an array lookup each instead of a hash of the key.
fn group_by<K: Copy + Eq + std::hash::Hash>(
    events: &[Event],
    ids: usize,
    slot: impl Fn(&Event) -> Sym,
    key: impl Fn(&Event) -> K,
) -> HashMap<K, Vec<u32>> {
    const NONE: u32 = u32::MAX;
    // Per string id, the newest group whose key holds it; each group links to the one before.
    let mut head = vec![NONE; ids];
    let mut groups: Vec<(K, Vec<u32>, u32)> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let (s, k) = (slot(e).0 as usize, key(e));
        let mut g = head[s];
        while g != NONE && groups[g as usize].0 != k {
            g = groups[g as usize].2;
        }
        if g == NONE {
            g = groups.len() as u32;
            groups.push((k, Vec::new(), head[s]));
            head[s] = g;
        }
        groups[g as usize].1.push(i as u32);
    }
    groups.into_iter().map(|(k, v, _)| (k, v)).collect()
}

impl EventStore {
    /// Builds the store: sorts events by time (ties by file, offset, position — deterministic),
    /// builds the principal and call indexes and the case-folding table.
    pub fn build(mut events: Vec<Event>, mut strings: Interner, files: Vec<FileInfo>) -> Self {
        use rayon::prelude::*;
        events.par_sort_unstable_by_key(|e| (e.time, e.src.file, e.src.offset, e.src.index));
        // Two indexes, one pass over the events each, on two threads.
        let n = strings.len();
        let (by_principal, by_call) = rayon::join(
            || group_by(&events, n, |e| e.principal, |e| e.principal),
            || group_by(&events, n, |e| e.operation, |e| (e.cloud, e.service, e.operation)),
        );
        let active_days = by_principal
            .par_iter()
            .map(|(&p, positions)| {
                let mut days: Vec<i64> = Vec::new();
                for &i in positions {
                    let d = events[i as usize].time.div_euclid(crate::time::DAY_US);
                    if days.last() != Some(&d) {
                        days.push(d);
                    }
                }
                (p, days)
            })
            .collect();
        let mut principals: Vec<Sym> = by_principal.keys().copied().collect();
        principals.sort_by(|a, b| strings.get(*a).cmp(strings.get(*b)));
        let mut folded = Vec::with_capacity(n);
        for id in 0..n {
            let s = strings.get(Sym(id as u32));
            if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() {
                let lower = s.to_lowercase();
                folded.push(strings.intern(&lower));
            } else {
                folded.push(Sym(id as u32));
            }
        }
        // Strings added while folding are already lower case: they fold to themselves.
        for id in n..strings.len() {
            folded.push(Sym(id as u32));
        }
        EventStore {
            events,
            strings,
            files,
            by_principal,
            by_call,
            active_days,
            principals,
            folded,
            facts: Vec::new(),
            reader: None,
        }
    }

    /// The store with `reader` reading its records back (see [`EventStore::raw`]).
    pub fn with_reader(mut self, reader: Arc<dyn RecordReader>) -> Self {
        self.reader = Some(reader);
        self
    }

    /// An empty store.
    pub fn empty() -> Self {
        Self::build(Vec::new(), Interner::new(), Vec::new())
    }

    /// All events in time order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when no event was loaded.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The text of an interned id.
    pub fn str(&self, s: Sym) -> &str {
        self.strings.get(s)
    }

    /// The id of a string, if any event uses it.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.strings.lookup(s)
    }

    /// The interner (for views that list values).
    pub fn strings(&self) -> &Interner {
        &self.strings
    }

    /// The case-folded id of a string (Azure IDs compare case-insensitively).
    pub fn fold(&self, s: Sym) -> Sym {
        self.folded.get(s.0 as usize).copied().unwrap_or(s)
    }

    /// The comparison key of a resource or operation: case-folded for Azure, exact elsewhere.
    pub fn key_of(&self, cloud: Cloud, s: Sym) -> Sym {
        if cloud == Cloud::Azure { self.fold(s) } else { s }
    }

    /// The request details extracted at load for the event at `pos`, if it needed any.
    pub fn facts(&self, pos: u32) -> Option<&RequestFacts> {
        self.facts.binary_search_by_key(&pos, |(p, _)| *p).ok().map(|i| &self.facts[i].1)
    }

    /// Attaches request details by event position (the last step of loading).
    pub fn set_facts(&mut self, mut facts: Vec<(u32, RequestFacts)>) {
        facts.sort_unstable_by_key(|(p, _)| *p);
        facts.dedup_by_key(|(p, _)| *p);
        self.facts = facts;
    }

    /// Input files in load order.
    pub fn files(&self) -> &[FileInfo] {
        &self.files
    }

    /// Every principal, sorted by name.
    pub fn principals(&self) -> &[Sym] {
        &self.principals
    }

    /// Every distinct call (cloud, service, operation) with the positions of its events, in time
    /// order; in no particular order of calls.
    pub fn calls(&self) -> impl Iterator<Item = ((Cloud, Sym, Sym), &[u32])> {
        self.by_call.iter().map(|(&k, v)| (k, v.as_slice()))
    }

    /// Positions (into [`Self::events`]) of a principal's events, in time order.
    pub fn principal_events(&self, p: Sym) -> &[u32] {
        self.by_principal.get(&p).map_or(&[], Vec::as_slice)
    }

    /// The days (since the epoch, UTC) on which a principal was active, ascending.
    pub fn active_days(&self, p: Sym) -> &[i64] {
        self.active_days.get(&p).map_or(&[], Vec::as_slice)
    }

    /// Positions of events with `from <= time < to`.
    pub fn time_range(&self, from: i64, to: i64) -> Range<usize> {
        let a = self.events.partition_point(|e| e.time < from);
        let b = self.events.partition_point(|e| e.time < to);
        a..b.max(a)
    }

    /// The sub-slice of `positions` (time-ordered event positions) with `from <= time < to`.
    pub fn slice_by_time<'p>(&self, positions: &'p [u32], from: i64, to: i64) -> &'p [u32] {
        let a = positions.partition_point(|&i| self.events[i as usize].time < from);
        let b = positions.partition_point(|&i| self.events[i as usize].time < to);
        &positions[a..b.max(a)]
    }

    /// Earliest and latest event time.
    pub fn span(&self) -> Option<(i64, i64)> {
        Some((self.events.first()?.time, self.events.last()?.time))
    }

    /// The span that anchors baselines and "now": earliest and latest event whose time is
    /// plausible for a cloud audit log — from 2000 on and no later than a day past `wall_now`
    /// (µs) — leaving out a few stray events years apart from the bulk at either end. A forged
    /// record dated 1970 or 2099, or one 2019 event in a 2026 export, must not move the learning
    /// period or the activity range; such events still load and show, they just do not anchor
    /// anything. Falls back to [`EventStore::span`] when no time is plausible.
    pub fn anchor_span(&self, wall_now: i64) -> Option<(i64, i64)> {
        let (lo, hi) = self.anchored(wall_now);
        if lo < hi { Some((self.events[lo].time, self.events[hi - 1].time)) } else { self.span() }
    }

    /// Events that do not anchor: outside the plausible range of [`EventStore::anchor_span`], or
    /// strays years apart from the rest.
    pub fn implausible_times(&self, wall_now: i64) -> usize {
        let (lo, hi) = self.anchored(wall_now);
        if lo < hi { lo + (self.events.len() - hi) } else { 0 }
    }

    /// The range of events that anchor: plausibly dated, strays at either end left out. A stray
    /// is one of at most 1 in 20 events (and at most 1,000) beyond a gap of [`STRAY_GAP`].
    fn anchored(&self, wall_now: i64) -> (usize, usize) {
        let ev = &self.events;
        let mut lo = ev.partition_point(|e| e.time < EARLIEST_PLAUSIBLE);
        let mut hi = ev.partition_point(|e| e.time <= wall_now.saturating_add(crate::time::DAY_US));
        if lo >= hi {
            return (lo, hi);
        }
        let few = ((hi - lo) / 20).min(1000);
        if let Some(k) = (lo..(lo + few).min(hi - 1)).rev().find(|&k| ev[k + 1].time - ev[k].time > STRAY_GAP) {
            lo = k + 1;
        }
        let few = ((hi - lo) / 20).min(1000);
        if let Some(k) = (hi - 1 - few.min(hi - 1 - lo)..hi - 1).find(|&k| ev[k + 1].time - ev[k].time > STRAY_GAP) {
            hi = k + 1;
        }
        (lo, hi)
    }

    /// Whether the event at `i` came from a `--baseline` file (learn only, never alerted on).
    pub fn is_baseline(&self, i: u32) -> bool {
        self.events.get(i as usize).and_then(|e| self.files.get(e.src.file as usize)).is_some_and(|f| f.baseline)
    }

    /// The earliest anchoring event that is not baseline: where detection starts when
    /// `--baseline` logs were given. None without baseline files.
    pub fn after_baseline(&self, wall_now: i64) -> Option<i64> {
        if !self.files.iter().any(|f| f.baseline) {
            return None;
        }
        let (lo, hi) = self.anchored(wall_now);
        let live = |i: usize| !self.is_baseline(i as u32);
        (lo..hi).find(|&i| live(i)).or_else(|| (0..self.events.len()).find(|&i| live(i))).map(|i| self.events[i].time)
    }

    /// True for a process-creation event (Security 4688, Sysmon 1): see
    /// [`crate::model::is_process_creation`].
    pub fn is_process_creation(&self, e: &Event) -> bool {
        crate::model::is_process_creation(e.cloud, self.str(e.service), self.str(e.operation))
    }

    /// The original JSON text of an event's record, read back from its file by the store's
    /// [`RecordReader`] (a CSV row as the JSON object its reader took; an `.evtx` record rendered
    /// again from its chunk).
    pub fn raw(&self, e: &Event) -> Result<String, String> {
        let file = self.files.get(e.src.file as usize).ok_or("unknown file")?;
        let reader = self.reader.as_ref().ok_or("this store cannot read records back")?;
        reader.read(file, &e.src)
    }

    /// The raw records of several events, read file by file: `positions` sorted by (file,
    /// offset) read each file once (a large gzip file in a single inflating pass, not one pass
    /// per record). One result per position, in order.
    pub fn raw_batch(&self, positions: &[u32]) -> Vec<Result<String, String>> {
        let mut out = Vec::with_capacity(positions.len());
        let mut rest = positions;
        while let Some(&first) = rest.first() {
            let file_id = self.events[first as usize].src.file;
            let n = rest.iter().take_while(|&&i| self.events[i as usize].src.file == file_id).count();
            let (group, tail) = rest.split_at(n);
            rest = tail;
            match (self.files.get(file_id as usize), &self.reader) {
                (Some(file), Some(reader)) => {
                    let at: Vec<SourceRef> = group.iter().map(|&i| self.events[i as usize].src).collect();
                    out.extend(reader.read_many(file, &at));
                }
                (None, _) => out.extend(group.iter().map(|_| Err("unknown file".to_string()))),
                (_, None) => out.extend(group.iter().map(|_| Err("this store cannot read records back".to_string()))),
            }
        }
        out
    }

    /// The original record pretty-printed (or as read, if it no longer parses).
    pub fn raw_pretty(&self, e: &Event) -> Result<String, String> {
        let raw = self.raw(e)?;
        Ok(match serde_json::from_str::<serde_json::Value>(&raw) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or(raw),
            Err(_) => raw,
        })
    }

    /// The raw record parsed as a JSON value (for detectors reading request details).
    pub fn raw_value(&self, e: &Event) -> Option<serde_json::Value> {
        serde_json::from_str(&self.raw(e).ok()?).ok()
    }
}
