//! Randomized test of [`super::metrics`] against a brute-force reading of the spec's
//! definitions (windows, clipping, outer interval), plus the documented invariants.

use std::collections::BTreeSet;

use super::metrics::{CountsRow, EngagementRow, Row, counts_metrics, engagement};
use super::time::{DAY_US, HOUR_US, parse_rfc3339};

/// Brute force straight from the definitions (spec 1.2, 2.3, 3.3), one window at a time.
fn reference(
    rows: &[Row<u8>],
    start: i64,
    end: i64,
    step: i64,
    outer: i64,
) -> (Vec<CountsRow<u8>>, Vec<EngagementRow<u8>>) {
    let groups: BTreeSet<u8> = rows.iter().map(|r| r.dims).collect();
    let (mut c_out, mut e_out) = (Vec::new(), Vec::new());
    for g in groups {
        let live: Vec<&Row<u8>> = rows.iter().filter(|r| r.dims == g && start <= r.time && r.time <= end).collect();
        let ids = |lo: i64, hi: i64| -> BTreeSet<u32> {
            live.iter().filter(|r| lo <= r.time && r.time < hi).filter_map(|r| r.id).collect()
        };
        for k in 0..=(end - start) / step {
            let (s, e) = (start + k * step, start + (k + 1) * step);
            let count = live.iter().filter(|r| s <= r.time && r.time < e).count() as i64;
            let now = ids(s, e);
            let before = ids(start, s);
            if count > 0 {
                let new = now.difference(&before).count() as i64;
                let agg = now.union(&before).count() as i64;
                c_out.push(CountsRow {
                    time: s,
                    dims: g,
                    count,
                    dcount: now.len() as i64,
                    new_dcount: new,
                    aggregated_dcount: agg,
                });
            }
            if !now.is_empty() {
                let o = ids(e - outer, e).len() as i64;
                let ratio = now.len() as f64 / o as f64;
                e_out.push(EngagementRow {
                    time: s,
                    dims: g,
                    dcount_activities_inner: now.len() as i64,
                    dcount_activities_outer: o,
                    activity_ratio: ratio,
                });
            }
        }
    }
    (c_out, e_out)
}

#[test]
fn randomized_against_reference_and_invariants() {
    let mut next = crate::activity::xorshift(0x9E37_79B9_7F4A_7C15);
    // (start, end, step, outer): aligned, offset start, End inside a window, outer not a
    // multiple of inner, outer == inner, start before 1970.
    let base = parse_rfc3339("2024-03-03T00:00:00Z").expect("valid timestamp");
    let cases = [
        (base, base + 9 * DAY_US, DAY_US, 7 * DAY_US),
        (base + 5 * HOUR_US, base + 9 * DAY_US + 2 * HOUR_US, DAY_US, 5 * DAY_US / 2),
        (base, base + 3 * DAY_US, 6 * HOUR_US, DAY_US + HOUR_US),
        (base, base + 5 * DAY_US, DAY_US, DAY_US),
        (-3 * DAY_US - 7, 4 * DAY_US, DAY_US, 3 * DAY_US),
    ];
    let mut emitted = 0;
    for (start, end, step, outer) in cases {
        for _ in 0..4 {
            let span = (end - start + 4 * DAY_US) as u64;
            let rows: Vec<Row<u8>> = (0..300)
                .map(|_| {
                    // Whole hours mostly (collisions, exact boundaries), some odd microseconds.
                    let off = if next(4) == 0 { next(span) } else { next(span / HOUR_US as u64) * HOUR_US as u64 };
                    let time = start - 2 * DAY_US + off as i64;
                    let id = (next(10) != 0).then(|| next(25) as u32);
                    Row { time, id, dims: next(3) as u8 }
                })
                .collect();
            let (want_c, want_e) = reference(&rows, start, end, step, outer);
            let got_c = counts_metrics(&rows, start, end, step);
            let got_e = engagement(&rows, start, end, step, outer);
            assert_eq!(got_c, want_c, "counts, case ({start}, {end}, {step}, {outer})");
            assert_eq!(got_e, want_e, "engagement, case ({start}, {end}, {step}, {outer})");
            emitted += got_c.len() + got_e.len();

            for group in got_c.chunk_by(|a, b| a.dims == b.dims) {
                let first = &group[0];
                assert!(first.new_dcount == first.dcount && first.dcount == first.aggregated_dcount);
                let mut running = 0;
                for r in group {
                    running += r.new_dcount;
                    assert_eq!(r.aggregated_dcount, running);
                    assert!(r.new_dcount <= r.dcount && r.dcount <= r.count, "{r:?}");
                }
            }
            for r in &got_e {
                assert!(r.activity_ratio > 0.0 && r.activity_ratio <= 1.0, "{r:?}");
                assert!(r.dcount_activities_inner <= r.dcount_activities_outer);
            }
        }
    }
    assert!(emitted > 200, "the generator must exercise the functions ({emitted} rows)");
}
