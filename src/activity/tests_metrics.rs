//! Tests of [`super::metrics`]: the spec's worked examples A, B and B2, boundary rules, null
//! Ids and output order (the randomized comparison lives in `tests_metrics_reference`).

use super::metrics::{CountsRow, EngagementRow, Row, counts_metrics, engagement};
use super::time::{DAY_US, parse_rfc3339};

/// `"2024-03-03 08:00"` → microseconds (UTC).
fn ts(s: &str) -> i64 {
    parse_rfc3339(&format!("{}:00Z", s.replace(' ', "T"))).expect("valid test timestamp")
}

fn row<D>(id: u32, t: &str, dims: D) -> Row<D> {
    Row { time: ts(t), id: Some(id), dims }
}

fn counts<D>(t: &str, dims: D, c: [i64; 4]) -> CountsRow<D> {
    CountsRow { time: ts(t), dims, count: c[0], dcount: c[1], new_dcount: c[2], aggregated_dcount: c[3] }
}

fn eng<D>(t: &str, dims: D, inner: i64, outer: i64, ratio: f64) -> EngagementRow<D> {
    EngagementRow {
        time: ts(t),
        dims,
        dcount_activities_inner: inner,
        dcount_activities_outer: outer,
        activity_ratio: ratio,
    }
}

/// Results compared as multisets: both sides sorted by (dims, time).
fn sorted<T: Clone, K: Ord>(v: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort_by_key(key);
    v
}

/// Example A input (User u1..u5 → 1..5, Region as dimension).
fn example_a() -> Vec<Row<&'static str>> {
    vec![
        row(1, "2024-03-03 08:00", "EU"),
        row(2, "2024-03-03 09:30", "EU"),
        row(1, "2024-03-03 17:45", "EU"),
        row(3, "2024-03-03 12:00", "US"),
        row(2, "2024-03-04 10:00", "EU"),
        row(1, "2024-03-04 11:00", "US"),
        row(1, "2024-03-06 00:00", "EU"),
        row(4, "2024-03-06 00:00", "EU"),
        row(3, "2024-03-06 00:00", "US"),
        row(5, "2024-03-07 01:00", "EU"),
    ]
}

#[test]
fn example_a_with_region_dimension() {
    let got = counts_metrics(&example_a(), ts("2024-03-03 00:00"), ts("2024-03-06 00:00"), DAY_US);
    let want = vec![
        counts("2024-03-03 00:00", "EU", [3, 2, 2, 2]),
        counts("2024-03-04 00:00", "EU", [1, 1, 0, 2]),
        counts("2024-03-06 00:00", "EU", [2, 2, 1, 3]),
        counts("2024-03-03 00:00", "US", [1, 1, 1, 1]),
        counts("2024-03-04 00:00", "US", [1, 1, 1, 2]),
        counts("2024-03-06 00:00", "US", [1, 1, 0, 2]),
    ];
    let key = |r: &CountsRow<&'static str>| (r.dims, r.time);
    assert_eq!(sorted(&got, key), sorted(&want, key));
    // The documented deterministic order is (dims, time), which is `want`'s order here.
    assert_eq!(got, want);
}

#[test]
fn example_a_without_dimensions() {
    let rows: Vec<Row<()>> = example_a().into_iter().map(|r| Row { time: r.time, id: r.id, dims: () }).collect();
    let got = counts_metrics(&rows, ts("2024-03-03 00:00"), ts("2024-03-06 00:00"), DAY_US);
    let want = vec![
        counts("2024-03-03 00:00", (), [4, 3, 3, 3]),
        counts("2024-03-04 00:00", (), [2, 2, 0, 3]),
        counts("2024-03-06 00:00", (), [3, 3, 1, 4]),
    ];
    assert_eq!(sorted(&got, |r| r.time), want);
}

#[test]
fn example_b_engagement_inner_1d_outer_3d() {
    let (a, b, c, d, e) = (1, 2, 3, 4, 5);
    let rows = vec![
        row(a, "2024-03-03 07:00", ()),
        row(b, "2024-03-03 19:00", ()),
        row(a, "2024-03-04 01:00", ()),
        row(c, "2024-03-04 23:59", ()),
        row(d, "2024-03-06 12:00", ()),
        row(a, "2024-03-07 08:00", ()),
        row(d, "2024-03-07 09:00", ()),
        row(d, "2024-03-07 10:00", ()),
        row(b, "2024-03-08 00:00", ()),
        row(e, "2024-03-09 06:00", ()),
    ];
    let got = engagement(&rows, ts("2024-03-03 00:00"), ts("2024-03-08 00:00"), DAY_US, 3 * DAY_US);
    let want = vec![
        eng("2024-03-03 00:00", (), 2, 2, 1.0),
        eng("2024-03-04 00:00", (), 2, 3, 0.6666666666666666),
        eng("2024-03-06 00:00", (), 1, 3, 0.3333333333333333),
        eng("2024-03-07 00:00", (), 2, 2, 1.0),
        eng("2024-03-08 00:00", (), 1, 3, 0.3333333333333333),
    ];
    assert_eq!(sorted(&got, |r| r.time), want);
}

/// Example B2: Ids `[50d, 50d + 99]` on day `d` of January 2017 (`r = 1`).
fn example_b2(outer: i64) -> Vec<EngagementRow<()>> {
    let start = ts("2017-01-01 00:00");
    let rows: Vec<Row<()>> = (0..31u32)
        .flat_map(|d| {
            (50 * d..50 * d + 100).map(move |id| Row { time: start + i64::from(d) * DAY_US, id: Some(id), dims: () })
        })
        .collect();
    let got = engagement(&rows, start, ts("2017-01-31 00:00"), DAY_US, outer);
    sorted(&got, |r| r.time)
}

#[test]
fn example_b2_dau_wau_generator() {
    let got = example_b2(7 * DAY_US);
    assert_eq!(got.len(), 31);
    let opening = [
        (100, 1.0),
        (150, 0.6666666666666666),
        (200, 0.5),
        (250, 0.4),
        (300, 0.3333333333333333),
        (350, 0.2857142857142857),
    ];
    for (d, r) in got.iter().enumerate() {
        let (outer, ratio) = opening.get(d).copied().unwrap_or((400, 0.25));
        assert_eq!(r.time, ts("2017-01-01 00:00") + d as i64 * DAY_US, "day {d}");
        assert_eq!(r.dcount_activities_inner, 100, "day {d}");
        assert_eq!(r.dcount_activities_outer, outer, "day {d}");
        assert_eq!(r.activity_ratio, ratio, "day {d}");
    }
}

#[test]
fn example_b2_outer_30d_variant() {
    let got = example_b2(30 * DAY_US);
    assert_eq!(got.len(), 31);
    for (d, r) in got.iter().enumerate() {
        assert_eq!(r.dcount_activities_outer, (100 + 50 * d as i64).min(1550), "day {d}");
    }
    let last = got.last().expect("31 rows");
    assert_eq!(last.time, ts("2017-01-31 00:00"));
    assert_eq!(last.dcount_activities_outer, 1550);
    assert_eq!(last.activity_ratio, 0.06451612903225806);
}

#[test]
fn boundaries_end_inclusive_after_end_dropped_before_start_ignored() {
    let (start, end) = (ts("2024-03-03 00:00"), ts("2024-03-05 00:00"));
    let rows = vec![
        // Before Start: neither a window nor history, so id 7 is new on 03-03.
        row(7, "2024-03-02 23:59", ()),
        row(7, "2024-03-03 10:00", ()),
        // Exactly End: counted. Inside the last window but after End: dropped.
        row(8, "2024-03-05 00:00", ()),
        row(9, "2024-03-05 00:01", ()),
    ];
    let got = counts_metrics(&rows, start, end, DAY_US);
    assert_eq!(got, vec![counts("2024-03-03 00:00", (), [1, 1, 1, 1]), counts("2024-03-05 00:00", (), [1, 1, 1, 2]),]);
    let got = engagement(&rows, start, end, DAY_US, 3 * DAY_US);
    assert_eq!(
        got,
        vec![
            eng("2024-03-03 00:00", (), 1, 1, 1.0),
            // The 3-day outer window of 03-05 is 03-03…03-05: ids 7 and 8; 9 is after End.
            eng("2024-03-05 00:00", (), 1, 2, 0.5),
        ]
    );
}

#[test]
fn end_before_start_or_bad_steps_give_nothing() {
    let rows = example_a();
    let (s, e) = (ts("2024-03-03 00:00"), ts("2024-03-06 00:00"));
    assert!(counts_metrics(&rows, e, s, DAY_US).is_empty());
    assert!(engagement(&rows, e, s, DAY_US, 7 * DAY_US).is_empty());
    assert!(counts_metrics(&rows, s, e, 0).is_empty());
    assert!(counts_metrics(&rows, s, e, -DAY_US).is_empty());
    assert!(engagement(&rows, s, e, 0, 7 * DAY_US).is_empty());
    assert!(engagement(&rows, s, e, DAY_US, DAY_US - 1).is_empty());
    // End == Start is a single window holding only rows stamped exactly Start.
    let one = counts_metrics(&[row(1, "2024-03-03 00:00", ()), row(2, "2024-03-03 00:01", ())], s, s, DAY_US);
    assert_eq!(one, vec![counts("2024-03-03 00:00", (), [1, 1, 1, 1])]);
}

#[test]
fn grid_is_anchored_at_start() {
    let start = ts("2024-03-03 06:00");
    let rows = vec![row(1, "2024-03-04 05:59", ()), row(2, "2024-03-04 06:00", ())];
    let got = counts_metrics(&rows, start, ts("2024-03-10 00:00"), DAY_US);
    let labels: Vec<i64> = got.iter().map(|r| r.time).collect();
    assert_eq!(labels, vec![ts("2024-03-03 06:00"), ts("2024-03-04 06:00")]);
    let got = engagement(&rows, start, ts("2024-03-10 00:00"), DAY_US, 7 * DAY_US);
    let labels: Vec<i64> = got.iter().map(|r| r.time).collect();
    assert_eq!(labels, vec![ts("2024-03-03 06:00"), ts("2024-03-04 06:00")]);
}

#[test]
fn null_ids_are_counted_rows_but_not_distinct_ids() {
    let null = |t: &str| Row { time: ts(t), id: None, dims: () };
    let rows = vec![
        null("2024-03-03 01:00"),
        null("2024-03-03 02:00"),
        row(1, "2024-03-03 03:00", ()),
        row(1, "2024-03-03 04:00", ()),
        null("2024-03-04 01:00"),
    ];
    let (s, e) = (ts("2024-03-03 00:00"), ts("2024-03-05 00:00"));
    assert_eq!(
        counts_metrics(&rows, s, e, DAY_US),
        vec![counts("2024-03-03 00:00", (), [4, 1, 1, 1]), counts("2024-03-04 00:00", (), [1, 0, 0, 1]),]
    );
    // A window with only null Ids has no activity: no engagement row (the ratio stays in (0,1]).
    assert_eq!(engagement(&rows, s, e, DAY_US, 7 * DAY_US), vec![eng("2024-03-03 00:00", (), 1, 1, 1.0)]);
}

#[test]
fn output_is_sorted_by_dims_then_time() {
    let rows = vec![
        row(1, "2024-03-05 00:00", "b"),
        row(1, "2024-03-03 00:00", "b"),
        row(1, "2024-03-04 00:00", "a"),
        row(2, "2024-03-03 00:00", "a"),
    ];
    let (s, e) = (ts("2024-03-03 00:00"), ts("2024-03-06 00:00"));
    let keys: Vec<(&str, i64)> = counts_metrics(&rows, s, e, DAY_US).iter().map(|r| (r.dims, r.time)).collect();
    let want = vec![
        ("a", ts("2024-03-03 00:00")),
        ("a", ts("2024-03-04 00:00")),
        ("b", ts("2024-03-03 00:00")),
        ("b", ts("2024-03-05 00:00")),
    ];
    assert_eq!(keys, want);
    let keys: Vec<(&str, i64)> = engagement(&rows, s, e, DAY_US, 2 * DAY_US).iter().map(|r| (r.dims, r.time)).collect();
    assert_eq!(keys, want);
}
