//! Kusto's `activity_counts_metrics` and `activity_engagement` plugins, re-implemented exactly.
//!
//! This file owns the window grid (anchored at `Start`, one window per step whose start is
//! `≤ End`, rows counted iff `Start ≤ t ≤ End`), exact distinct counting of interned `u32` Ids
//! (a `None` Id is a null and never counted as distinct), per-group independence over an
//! arbitrary dimension key `D`, and the emission rules of sections 2 and 3 of the spec
//! (`activity-metrics.md`): one row per (group, window) that holds data, sorted by
//! `(dims, time)`. Both functions sort their input once and then make a single linear pass,
//! so they cost `O(n log n)`.

use rayon::slice::ParallelSliceMut;
use std::collections::HashMap;
use std::collections::HashSet;

/// One input row: a timeline value, an interned Id (`None` = null) and a dimension key.
///
/// Use `()` as `D` for "no dimensions" and a tuple for several dimension columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row<D> {
    /// Timeline value, microseconds since the Unix epoch (UTC).
    pub time: i64,
    /// The Id column, already interned by the caller; `None` is a null Id.
    pub id: Option<u32>,
    /// The group key (the values of the dimension columns).
    pub dims: D,
}

/// One output row of [`counts_metrics`] (`activity_counts_metrics`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountsRow<D> {
    /// Window start (its label).
    pub time: i64,
    /// Group key.
    pub dims: D,
    /// Rows in the window, duplicates and null Ids included.
    pub count: i64,
    /// Distinct non-null Ids in the window.
    pub dcount: i64,
    /// Distinct Ids of the window not seen in any earlier window of this group.
    pub new_dcount: i64,
    /// Distinct Ids of this group from the first window up to and including this one.
    pub aggregated_dcount: i64,
}

/// One output row of [`engagement`] (`activity_engagement`).
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementRow<D> {
    /// Inner-window start (its label).
    pub time: i64,
    /// Group key.
    pub dims: D,
    /// Distinct non-null Ids in the inner window.
    pub dcount_activities_inner: i64,
    /// Distinct non-null Ids in the outer window `[s + inner − outer, s + inner)`.
    pub dcount_activities_outer: i64,
    /// `inner / outer` as f64, in `(0, 1]`.
    pub activity_ratio: f64,
}

/// Whether a row at `t` takes part in an analysis over `[start, end]` (both inclusive).
fn in_range(t: i64, start: i64, end: i64) -> bool {
    start <= t && t <= end
}

/// Label (start) of the window of the grid anchored at `start` that holds `t`.
///
/// Requires `t ≥ start` and `step > 0`. Computed without overflow for any such inputs.
fn window_start(t: i64, start: i64, step: i64) -> i64 {
    let offset = t.abs_diff(start) % step.unsigned_abs();
    // offset < step ≤ i64::MAX, and t − offset ≥ start, so neither step can overflow.
    t - offset as i64
}

/// Capacity above which a per-group scratch table is dropped rather than cleared: `clear` costs
/// the capacity, and one huge group must not make each of many later small groups pay for it.
const SCRATCH_KEEP: usize = 1024;

/// `activity_counts_metrics(Id, Time, start, end, step, dims…)`.
///
/// Returns one row per (group, window) holding at least one in-range row, sorted by
/// `(dims, time)`. Returns nothing when `end < start` or `step ≤ 0` (Kusto rejects the latter).
/// Rows before `start` or after `end` are ignored entirely (they are not history either).
pub fn counts_metrics<D: Clone + Ord + Sync>(rows: &[Row<D>], start: i64, end: i64, step: i64) -> Vec<CountsRow<D>> {
    if step <= 0 || end < start {
        return Vec::new();
    }
    let mut keyed: Vec<(&D, i64, Option<u32>)> = rows
        .iter()
        .filter(|r| in_range(r.time, start, end))
        .map(|r| (&r.dims, window_start(r.time, start, step), r.id))
        .collect();
    // (dims, window, id): groups, then windows in order, then equal Ids next to each other.
    keyed.par_sort_unstable();

    let mut out = Vec::new();
    let mut seen: HashSet<u32> = HashSet::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        if seen.capacity() > SCRATCH_KEEP {
            seen = HashSet::new();
        } else {
            seen.clear();
        }
        let mut aggregated = 0i64;
        for window in group.chunk_by(|a, b| a.1 == b.1) {
            let (dims, label, _) = window[0];
            let mut dcount = 0i64;
            let mut new_dcount = 0i64;
            for same_id in window.chunk_by(|a, b| a.2 == b.2) {
                if let Some(id) = same_id[0].2 {
                    dcount += 1;
                    if seen.insert(id) {
                        new_dcount += 1;
                    }
                }
            }
            aggregated += new_dcount;
            out.push(CountsRow {
                time: label,
                dims: dims.clone(),
                count: window.len() as i64,
                dcount,
                new_dcount,
                aggregated_dcount: aggregated,
            });
        }
    }
    out
}

/// Book-keeping of one Id inside the sliding outer window of [`engagement`].
struct Live {
    /// Rows of this Id currently inside the outer window.
    rows: u64,
    /// Label of the last inner window in which this Id was counted.
    inner_label: i64,
}

/// `activity_engagement(Id, Time, start, end, inner, outer, dims…)`.
///
/// Inner windows are the grid anchored at `start` with step `inner`; the outer window of the
/// inner window starting at `s` is `[s + inner − outer, s + inner)`, clipped to in-range rows.
/// Returns one row per (group, inner window) holding at least one in-range row with a
/// non-null Id, sorted by `(dims, time)`. Returns nothing when `end < start`, `inner ≤ 0` or
/// `outer < inner`.
///
/// The outer window slides: each group's rows are visited once when they enter the outer window
/// and once when they leave it, with a per-Id row counter (`O(n log n)` for the sort, linear
/// after it, whatever the ratio `outer / inner`).
pub fn engagement<D: Clone + Ord + Sync>(
    rows: &[Row<D>],
    start: i64,
    end: i64,
    inner: i64,
    outer: i64,
) -> Vec<EngagementRow<D>> {
    if inner <= 0 || outer < inner || end < start {
        return Vec::new();
    }
    // Null Ids add nothing to any distinct count and do not make a window active.
    let mut keyed: Vec<(&D, i64, u32, i64)> = rows
        .iter()
        .filter(|r| in_range(r.time, start, end))
        .filter_map(|r| {
            let id = r.id?;
            Some((&r.dims, r.time, id, window_start(r.time, start, inner)))
        })
        .collect();
    // (dims, time, …): windows are contiguous and rows leave the outer window in this order.
    keyed.par_sort_unstable();

    let mut out = Vec::new();
    let mut live: HashMap<u32, Live> = HashMap::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        if live.capacity() > SCRATCH_KEEP {
            live = HashMap::new();
        } else {
            live.clear();
        }
        let mut outer_distinct = 0i64;
        // Rows `group[tail..head]` are inside the outer window of the previous inner window.
        let mut tail = 0usize;
        let mut head = 0usize;
        for window in group.chunk_by(|a, b| a.3 == b.3) {
            let (dims, _, _, label) = window[0];
            let low = i128::from(label) + i128::from(inner) - i128::from(outer);
            while tail < head && i128::from(group[tail].1) < low {
                let id = group[tail].2;
                if let Some(entry) = live.get_mut(&id) {
                    entry.rows -= 1;
                    if entry.rows == 0 {
                        live.remove(&id);
                        outer_distinct -= 1;
                    }
                }
                tail += 1;
            }
            // low ≤ label, so every row of this inner window is inside its outer window.
            let mut inner_distinct = 0i64;
            for &(_, _, id, _) in window {
                let entry = live.entry(id).or_insert_with(|| {
                    outer_distinct += 1;
                    Live { rows: 0, inner_label: label.wrapping_sub(1) }
                });
                entry.rows += 1;
                if entry.inner_label != label {
                    entry.inner_label = label;
                    inner_distinct += 1;
                }
            }
            head += window.len();
            out.push(EngagementRow {
                time: label,
                dims: dims.clone(),
                dcount_activities_inner: inner_distinct,
                dcount_activities_outer: outer_distinct,
                activity_ratio: inner_distinct as f64 / outer_distinct as f64,
            });
        }
    }
    out
}
