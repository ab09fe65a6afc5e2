//! Alerts for the command line: aligned columns (newest first, as the detectors order them) or
//! one JSON object per line (the fields of [`crate::detect::Alert::to_json`], a contract).
//!
//! Writes to any `io::Write`; log-derived text is clipped and escaped by [`crate::text`].

use crate::detect::Alert;
use crate::store::EventStore;
use crate::text::clip;
use std::io::{self, Write};

/// Output formats of `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AlertFormat {
    /// Aligned columns, newest first.
    Table,
    /// One alert per line as JSON.
    Jsonl,
}

/// Writes `alerts` in `format`.
pub fn write_alerts(out: &mut dyn Write, store: &EventStore, alerts: &[Alert], format: AlertFormat) -> io::Result<()> {
    match format {
        AlertFormat::Jsonl => {
            alerts.iter().try_for_each(|a| crate::text::write_json_line(&mut *out, &a.to_json(store)))
        }
        AlertFormat::Table => write_alert_table(out, alerts),
    }
}

/// Alerts as aligned columns.
pub fn write_alert_table(out: &mut dyn Write, alerts: &[Alert]) -> io::Result<()> {
    writeln!(
        out,
        "{:<8}  {:<19}  {:<19}  {:<40}  {:<16}  {:<16}  SUMMARY",
        "SEVERITY", "TIME", "DETECTOR", "PRINCIPAL", "ID", "INCIDENT"
    )?;
    for a in alerts {
        writeln!(
            out,
            "{:<8}  {:<19}  {:<19}  {:<40}  {:<16}  {:<16}  {}",
            a.severity.as_str(),
            crate::time::format_short(a.time),
            a.detector,
            clip(&a.principal, 40),
            a.id,
            a.incident.as_deref().unwrap_or("-"),
            clip(&a.summary, 160)
        )?;
    }
    Ok(())
}
