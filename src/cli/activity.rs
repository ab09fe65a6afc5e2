//! `trailwatch activity`: the events of the range grouped by the chosen dimensions, run through
//! the Kusto-style activity metrics, and written by [`crate::output::rows`].

use super::args::ActivityArgs;
use super::run::{open_session, strict_status, write_stdout};
use crate::activity::metrics::{Row, counts_metrics, engagement};
use crate::time::{DAY_US, start_of_day};
use anyhow::Result;
use std::collections::HashMap;

/// Runs the command; exits 1 when nothing was loaded.
pub(super) fn run(a: ActivityArgs) -> Result<i32> {
    let s = open_session(&a.load, None)?;
    let store = &s.store;
    if store.is_empty() {
        eprintln!("trailwatch: no events loaded");
        return Ok(strict_status(&a.load, &s.report).max(1));
    }
    let end = a.end.unwrap_or(start_of_day(s.now) + DAY_US - 1);
    let start = a.start.unwrap_or(start_of_day(end) - 29 * DAY_US);
    let positions: Vec<u32> = match &a.principal {
        Some(p) => store.lookup(p).map(|sym| store.principal_events(sym).to_vec()).unwrap_or_default(),
        None => (0..store.len() as u32).collect(),
    };
    let slice = store.slice_by_time(&positions, start, end.saturating_add(1));
    // Dimension values are interned per distinct tuple so rows stay small.
    let mut dim_values: Vec<Vec<String>> = Vec::new();
    let mut dim_ids: HashMap<Vec<String>, u32> = HashMap::new();
    let rows: Vec<Row<u32>> = slice
        .iter()
        .map(|&i| {
            let e = &store.events()[i as usize];
            let key: Vec<String> = a.dims.iter().map(|d| d.value(store, e)).collect();
            let next = dim_values.len() as u32;
            let d = *dim_ids.entry(key.clone()).or_insert_with(|| {
                dim_values.push(key);
                next
            });
            let sym = a.id.of(store, e);
            Row { time: e.time, id: (!sym.is_empty()).then_some(sym.0), dims: d }
        })
        .collect();
    let mut counts = counts_metrics(&rows, start, end, a.window);
    let eng: HashMap<(u32, i64), _> =
        engagement(&rows, start, end, a.window, a.outer).into_iter().map(|r| ((r.dims, r.time), r)).collect();
    // By dimension values, then time.
    counts.sort_by(|x, y| dim_values[x.dims as usize].cmp(&dim_values[y.dims as usize]).then(x.time.cmp(&y.time)));
    let dim_names: Vec<&str> = a.dims.iter().map(|d| d.name()).collect();
    write_stdout(|out| crate::output::rows::write_activity(out, a.format, &dim_names, &dim_values, &counts, &eng))?;
    Ok(strict_status(&a.load, &s.report))
}
