//! Rows of `activity` (activity metrics per window and group) and `hunt rare-process`, as
//! tab-separated columns under a header or as JSON Lines.
//!
//! Owns the column names and JSON keys of both (a contract: `time`, the dimension names,
//! `count`, `dcount`, `new_dcount`, `aggregated_dcount`, `dcount_activities_inner`,
//! `dcount_activities_outer`, `activity_ratio`; the hunt row's fields as serialised).

use crate::activity::hunt::HuntRow;
use crate::activity::metrics::{CountsRow, EngagementRow};
use crate::text::{clip, escape};
use crate::time::{format_day, format_rfc3339};
use std::collections::HashMap;
use std::io::{self, Write};

/// Output formats of `activity` and `hunt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RowFormat {
    /// Aligned columns.
    Table,
    /// One JSON object per line.
    Jsonl,
}

/// Activity rows: `counts` in order, each with its engagement (zero when the window has none).
/// `dims` names the dimension columns; a row's `dims` indexes `dim_values`.
pub fn write_activity(
    out: &mut dyn Write,
    format: RowFormat,
    dims: &[&str],
    dim_values: &[Vec<String>],
    counts: &[CountsRow<u32>],
    engagement: &HashMap<(u32, i64), EngagementRow<u32>>,
) -> io::Result<()> {
    if format == RowFormat::Table {
        let mut header = vec!["TIME".to_string()];
        header.extend(dims.iter().map(|d| d.to_uppercase()));
        header.extend(["COUNT", "DCOUNT", "NEW", "AGGREGATED", "INNER", "OUTER", "RATIO"].map(String::from));
        writeln!(out, "{}", header.join("\t"))?;
    }
    for r in counts {
        let g = engagement.get(&(r.dims, r.time));
        let (inner, outer, ratio) =
            g.map_or((0, 0, 0.0), |g| (g.dcount_activities_inner, g.dcount_activities_outer, g.activity_ratio));
        let values = &dim_values[r.dims as usize];
        match format {
            RowFormat::Jsonl => {
                let mut v = serde_json::Map::new();
                v.insert("time".into(), format_rfc3339(r.time).into());
                for (n, val) in dims.iter().zip(values) {
                    v.insert((*n).into(), val.clone().into());
                }
                for (k, x) in [
                    ("count", r.count),
                    ("dcount", r.dcount),
                    ("new_dcount", r.new_dcount),
                    ("aggregated_dcount", r.aggregated_dcount),
                    ("dcount_activities_inner", inner),
                    ("dcount_activities_outer", outer),
                ] {
                    v.insert(k.into(), x.into());
                }
                v.insert("activity_ratio".into(), serde_json::json!(ratio));
                crate::text::write_json_line(&mut *out, &v)?;
            }
            RowFormat::Table => {
                let mut cells = vec![format_rfc3339(r.time)];
                cells.extend(values.iter().map(|d| clip(d, 60)));
                cells.extend(
                    [r.count, r.dcount, r.new_dcount, r.aggregated_dcount, inner, outer].map(|n| n.to_string()),
                );
                cells.push(format!("{ratio:.4}"));
                writeln!(out, "{}", cells.join("\t"))?;
            }
        }
    }
    Ok(())
}

/// Rare-process rows, with the query's own column names in table form.
pub fn write_hunt(out: &mut dyn Write, format: RowFormat, rows: &[HuntRow]) -> io::Result<()> {
    match format {
        RowFormat::Jsonl => rows.iter().try_for_each(|r| crate::text::write_json_line(&mut *out, r)),
        RowFormat::Table => {
            writeln!(
                out,
                "WeekDate\tDate\tProcess\tAccount\tComputer\tPotentialAnomalyCount\tDistribution1day\tDistribution7days\tRatio"
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    format_day(r.week_date),
                    format_day(r.date),
                    escape(&r.process),
                    escape(&r.account),
                    escape(&r.computer),
                    r.potential_anomaly_count,
                    r.distribution_1day,
                    r.distribution_7days,
                    r.ratio
                )?;
            }
            Ok(())
        }
    }
}
