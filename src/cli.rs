//! The command line: clap structures, their validation, and running each command.
//!
//! Owns argument parsing, turning arguments into the library's settings, printing load
//! diagnostics, and exit codes (0 ok, 1 error, 2 usage, 3 `--strict` and records were skipped).
//! Every command is a thin run of the library pipeline; nothing here parses logs or detects.

use crate::detect::{self, BusinessHours, Severity};
use crate::ingest::{self, Input, LoadOptions, LoadReport};
use crate::output::{self, EventFormat};
use crate::store::EventStore;
use crate::time::parse_user_time;
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// trailwatch — a terminal investigator for cloud audit logs.
#[derive(Parser, Debug)]
#[command(name = "trailwatch", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the normalised, time-ordered timeline.
    Events(EventsArgs),
    /// Run the detectors and print alerts.
    Scan(ScanArgs),
}

/// Detection settings shared by `scan`, `report` and the TUI.
#[derive(Args, Debug, Clone)]
pub struct DetectArgs {
    /// Learning period counted from the earliest event (e.g. 7d, 36h).
    #[arg(long, value_parser = duration, default_value = "7d", conflicts_with = "since")]
    pub learn: i64,
    /// Detection starts here; everything before is baseline (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = user_time)]
    pub since: Option<i64>,
    /// Only these detectors (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(detect::DETECTORS))]
    pub detectors: Vec<String>,
    /// Drop alerts below this severity.
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub min_severity: Severity,
    /// Time zone for business hours (IANA name, e.g. Europe/Berlin).
    #[arg(long, default_value = "UTC")]
    pub tz: chrono_tz::Tz,
    /// Business hours, HH:MM-HH:MM, Monday to Friday.
    #[arg(long, default_value = "08:00-18:00", value_parser = BusinessHours::parse_hours)]
    pub business_hours: (u32, u32),
    /// api-burst: an hour's count must exceed this multiple of the principal's own hourly mean…
    #[arg(long, default_value_t = 10.0)]
    pub burst_factor: f64,
    /// …and this absolute floor.
    #[arg(long, default_value_t = 100)]
    pub burst_min: u64,
}

impl DetectArgs {
    /// The detection configuration these flags describe.
    pub fn config(&self) -> detect::Config {
        detect::Config {
            learn: self.learn,
            since: self.since,
            detectors: self.detectors.clone(),
            min_severity: self.min_severity,
            hours: BusinessHours {
                tz: self.tz,
                start_min: self.business_hours.0,
                end_min: self.business_hours.1,
                ..BusinessHours::default()
            },
            burst_min: self.burst_min,
            burst_factor: self.burst_factor,
        }
    }
}

/// Output formats of `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AlertFormat {
    /// Aligned columns, newest first.
    Table,
    /// One alert per line as JSON.
    Jsonl,
}

/// `trailwatch scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AlertFormat::Table)]
    pub format: AlertFormat,
}

/// Inputs shared by every command that loads logs.
#[derive(Args, Debug, Clone)]
pub struct LoadArgs {
    /// Log files or folders (walked recursively); plain or gzip, any supported format.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Exit with status 3 when any record could not be read.
    #[arg(long)]
    pub strict: bool,
    /// Print no load summary or diagnostics on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `trailwatch events`.
#[derive(Args, Debug)]
pub struct EventsArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Only this principal's events (exact match).
    #[arg(long)]
    pub principal: Option<String>,
    /// Only events at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = user_time)]
    pub from: Option<i64>,
    /// Only events before this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = user_time)]
    pub to: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EventFormat::Table)]
    pub format: EventFormat,
}

/// Parses a time flag.
pub fn user_time(s: &str) -> std::result::Result<i64, String> {
    parse_user_time(s)
        .ok_or_else(|| format!("not a time: {s:?} (use RFC 3339, e.g. 2024-03-06T09:00:00Z, or 2024-03-06)"))
}

/// Parses a duration flag (`7d`, `36h`).
pub fn duration(s: &str) -> std::result::Result<i64, String> {
    crate::time::parse_duration(s).ok_or_else(|| format!("not a duration: {s:?} (use e.g. 7d, 36h, 90m)"))
}

/// Exit status when `--strict` finds skipped records.
pub const EXIT_STRICT: i32 = 3;

/// Loads the inputs of a command and prints diagnostics and the summary to stderr.
pub fn load_logs(args: &LoadArgs) -> (EventStore, LoadReport) {
    let inputs: Vec<Input> = args.paths.iter().cloned().map(Input::Path).collect();
    let opts = LoadOptions { progress: None, stderr_progress: !args.quiet };
    let (store, report) = ingest::load(&inputs, &opts);
    if !args.quiet {
        print_report(&report);
    }
    (store, report)
}

/// Prints load diagnostics: the first skips in full, then counts per reason, then the summary.
pub fn print_report(report: &LoadReport) {
    const SHOWN: usize = 10;
    let mut err = std::io::stderr().lock();
    for s in report.skips.iter().take(SHOWN) {
        let _ = writeln!(err, "trailwatch: {s}");
    }
    if report.skipped as usize > SHOWN {
        let _ = writeln!(
            err,
            "trailwatch: {} more skipped; by reason:",
            report.skipped as usize - SHOWN.min(report.skips.len())
        );
        for (reason, n) in &report.skip_reasons {
            let _ = writeln!(err, "  {n:>8}  {}", crate::text::escape(reason));
        }
    }
    for (kind, n) in &report.ignored {
        let _ = writeln!(err, "trailwatch: ignored {n} × {}", crate::text::escape(kind));
    }
    let _ = writeln!(err, "trailwatch: {}", report.summary());
}

/// Exit status for a finished command: `--strict` turns skipped records into a failure.
pub fn strict_status(args: &LoadArgs, report: &LoadReport) -> i32 {
    if args.strict && report.skipped > 0 { EXIT_STRICT } else { 0 }
}

/// Runs the parsed command line and returns the process exit status.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Some(Command::Events(a)) => run_events(a),
        Some(Command::Scan(a)) => run_scan(a),
        None => bail!("no command given; try `trailwatch --help`"),
    }
}

/// A locked, buffered stdout whose broken pipe ends the program quietly.
fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Treats a closed pipe (`| head`) as success.
pub fn ok_if_broken_pipe(r: std::io::Result<()>) -> Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing output"),
    }
}

fn run_events(a: EventsArgs) -> Result<i32> {
    let (store, report) = load_logs(&a.load);
    let from = a.from.unwrap_or(i64::MIN);
    let to = a.to.unwrap_or(i64::MAX);
    let positions: Vec<u32> = match &a.principal {
        Some(p) => match store.lookup(p) {
            Some(sym) => store.slice_by_time(store.principal_events(sym), from, to).to_vec(),
            None => Vec::new(),
        },
        None => store.time_range(from, to).map(|i| i as u32).collect(),
    };
    if a.principal.is_some() && positions.is_empty() && !a.load.quiet {
        eprintln!("trailwatch: no events for that principal in that range");
    }
    let mut out = stdout();
    ok_if_broken_pipe(output::write_events(&mut out, &store, &positions, a.format).and_then(|_| out.flush()))?;
    let _ = std::io::stdout().is_terminal();
    Ok(strict_status(&a.load, &report))
}

fn run_scan(a: ScanArgs) -> Result<i32> {
    let (store, report) = load_logs(&a.load);
    let cfg = a.detect.config();
    let started = std::time::Instant::now();
    let alerts = detect::run(&store, &cfg);
    if !a.load.quiet {
        eprintln!(
            "trailwatch: {} alert(s) in {:.2} s; {}",
            alerts.len(),
            started.elapsed().as_secs_f64(),
            cfg.describe(&store)
        );
    }
    let mut out = stdout();
    let res = match a.format {
        AlertFormat::Jsonl => alerts.iter().try_for_each(|al| {
            serde_json::to_writer(&mut out, &al.to_json(&store))?;
            out.write_all(b"\n")
        }),
        AlertFormat::Table => write_alert_table(&mut out, &alerts),
    };
    ok_if_broken_pipe(res.and_then(|_| out.flush()))?;
    Ok(strict_status(&a.load, &report))
}

/// Alerts as aligned columns.
pub fn write_alert_table(out: &mut dyn Write, alerts: &[detect::Alert]) -> std::io::Result<()> {
    use crate::text::clip;
    writeln!(out, "{:<8}  {:<19}  {:<19}  {:<40}  {:<16}  SUMMARY", "SEVERITY", "TIME", "DETECTOR", "PRINCIPAL", "ID")?;
    for a in alerts {
        writeln!(
            out,
            "{:<8}  {:<19}  {:<19}  {:<40}  {:<16}  {}",
            a.severity.as_str(),
            crate::time::format_short(a.time),
            a.detector,
            clip(&a.principal, 40),
            a.id,
            clip(&a.summary, 160)
        )?;
    }
    Ok(())
}
