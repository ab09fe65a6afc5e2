//! The command line: clap structures, their validation, and running each command.
//!
//! Owns argument parsing, turning arguments into the library's settings, printing load
//! diagnostics, and exit codes (0 ok, 1 error, 2 usage, 3 `--strict` and records were skipped).
//! Every command is a thin run of the library pipeline; nothing here parses logs or detects.

use crate::activity::views::IdKind;
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
    #[command(flatten)]
    pub open: OpenArgs,
}

/// `trailwatch PATH…`: open the investigator on logs.
#[derive(Args, Debug)]
pub struct OpenArgs {
    /// Log files or folders to investigate.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub session: SessionArgs,
}

/// Settings of an investigation session (the TUI).
#[derive(Args, Debug, Clone)]
pub struct SessionArgs {
    /// Case folder holding checklist state and notes (default: the platform's data folder).
    #[arg(long)]
    pub cases: Option<PathBuf>,
    /// Where exported reports go (default: the current folder).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Folder of playbooks (`<detector>.toml`) overriding the built-in ones
    /// (default: the platform config folder, e.g. ~/.config/trailwatch/playbooks).
    #[arg(long)]
    pub playbooks: Option<PathBuf>,
    #[command(flatten)]
    pub detect: DetectArgs,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the normalised, time-ordered timeline.
    Events(EventsArgs),
    /// Run the detectors and print alerts.
    Scan(ScanArgs),
    /// Kusto-style activity metrics (activity_counts_metrics + activity_engagement) per window.
    Activity(ActivityArgs),
    /// Hunting queries.
    Hunt(HuntArgs),
    /// Export an alert's case report (Markdown, JSON or HTML).
    Report(ReportArgs),
    /// Write realistic multi-cloud audit logs with planted incidents (deterministic).
    Generate(GenerateArgs),
    /// Open the investigator on the embedded 30-day demo dataset.
    Demo(DemoArgs),
}

/// `trailwatch generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Days of data, ending 2026-11-01.
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Target number of records.
    #[arg(long, default_value_t = 50_000)]
    pub events: u64,
    /// Number of principals.
    #[arg(long, default_value_t = 24)]
    pub principals: u32,
    /// Random seed: the same settings give the same bytes.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Which clouds to write.
    #[arg(long, value_delimiter = ',', default_value = "gcp,azure,aws,windows")]
    pub clouds: Vec<crate::model::Cloud>,
    /// Gzip every file.
    #[arg(long)]
    pub gzip: bool,
}

/// `trailwatch demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Write the embedded dataset out as files instead.
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,
    /// Print the scan instead of opening the investigator.
    #[arg(long)]
    pub scan: bool,
    /// Regenerate the embedded archive into FILE (for developers).
    #[arg(long, value_name = "FILE", hide = true)]
    pub rebuild_asset: Option<PathBuf>,
    #[command(flatten)]
    pub session: SessionArgs,
}

/// `trailwatch report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
    /// The alert id (from `scan` or the TUI).
    #[arg(long, required_unless_present = "all", conflicts_with = "all")]
    pub alert: Option<String>,
    /// Every alert of the scan: one file with -o FILE, one file per alert with -o DIR/.
    #[arg(long)]
    pub all: bool,
    /// Report format (default: from the -o extension, else Markdown).
    #[arg(long, value_enum)]
    pub format: Option<crate::report::Format>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Case folder holding checklist state and notes.
    #[arg(long)]
    pub cases: Option<PathBuf>,
    /// Half-width of the timeline around the alert.
    #[arg(long, value_parser = duration, default_value = "24h")]
    pub window: i64,
    /// Folder of playbooks overriding the built-in ones.
    #[arg(long)]
    pub playbooks: Option<PathBuf>,
}

/// Fields that can group activity metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Dim {
    Cloud,
    Principal,
    Service,
    Operation,
    Resource,
    SourceIp,
    Region,
    Computer,
    Process,
    Outcome,
}

impl Dim {
    fn name(self) -> &'static str {
        match self {
            Dim::Cloud => "cloud",
            Dim::Principal => "principal",
            Dim::Service => "service",
            Dim::Operation => "operation",
            Dim::Resource => "resource",
            Dim::SourceIp => "source_ip",
            Dim::Region => "region",
            Dim::Computer => "computer",
            Dim::Process => "process",
            Dim::Outcome => "outcome",
        }
    }

    fn value(self, store: &EventStore, e: &crate::model::Event) -> String {
        match self {
            Dim::Cloud => e.cloud.as_str().into(),
            Dim::Outcome => e.outcome.as_str().into(),
            Dim::Principal => store.str(e.principal).into(),
            Dim::Service => store.str(e.service).into(),
            Dim::Operation => store.str(e.operation).into(),
            Dim::Resource => store.str(e.resource).into(),
            Dim::SourceIp => store.str(e.source_ip).into(),
            Dim::Region => store.str(e.region).into(),
            Dim::Computer => store.str(e.computer).into(),
            Dim::Process => store.str(e.process).into(),
        }
    }
}

/// Output formats of `activity` and `hunt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RowFormat {
    /// Aligned columns.
    Table,
    /// One JSON object per line.
    Jsonl,
}

/// `trailwatch activity`.
#[derive(Args, Debug)]
pub struct ActivityArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// What is counted as distinct.
    #[arg(long, value_enum)]
    pub id: IdKind,
    /// Only this principal's events.
    #[arg(long)]
    pub principal: Option<String>,
    /// Group by these fields (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub dims: Vec<Dim>,
    /// Start of the range (default: 30 days ending on the day of the last event).
    #[arg(long, value_parser = user_time)]
    pub start: Option<i64>,
    /// End of the range, inclusive (default: the end of the last event's day).
    #[arg(long, value_parser = user_time)]
    pub end: Option<i64>,
    /// Window (and engagement inner window).
    #[arg(long, value_parser = duration, default_value = "1d")]
    pub window: i64,
    /// Engagement outer window.
    #[arg(long, value_parser = duration, default_value = "7d")]
    pub outer: i64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RowFormat::Table)]
    pub format: RowFormat,
}

/// `trailwatch hunt`.
#[derive(Args, Debug)]
pub struct HuntArgs {
    #[command(subcommand)]
    pub query: HuntQuery,
}

/// The hunting queries.
#[derive(Subcommand, Debug)]
pub enum HuntQuery {
    /// The Log Analytics rare-process query over Windows process creation (Security 4688 and
    /// Sysmon 1) events.
    RareProcess(RareProcessArgs),
}

/// `trailwatch hunt rare-process`.
#[derive(Args, Debug)]
pub struct RareProcessArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// The query's now() (default: the last event's time).
    #[arg(long, value_parser = user_time)]
    pub now: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RowFormat::Table)]
    pub format: RowFormat,
}

/// Detection settings shared by `scan`, `report` and the TUI.
#[derive(Args, Debug, Clone)]
pub struct DetectArgs {
    /// Learning period counted from the earliest event dated 2000 or later (e.g. 7d, 36h).
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
        let odd = store.implausible_times(crate::time::wall_now_us());
        if odd > 0 {
            eprintln!(
                "trailwatch: {odd} event(s) dated before 2000 or after tomorrow: loaded, but they anchor neither \
                 the learning period nor the activity range"
            );
        }
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
        Some(Command::Activity(a)) => run_activity(a),
        Some(Command::Report(a)) => run_report(a),
        Some(Command::Generate(a)) => run_generate(a),
        Some(Command::Demo(a)) => run_demo(a),
        Some(Command::Hunt(HuntArgs { query: HuntQuery::RareProcess(a) })) => run_hunt(a),
        None if cli.open.paths.is_empty() => {
            use clap::CommandFactory;
            Cli::command().print_help()?;
            Ok(2)
        }
        None => run_open(cli.open),
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
    let alerts = detect::run(&store, &cfg, crate::time::wall_now_us());
    if !a.load.quiet {
        eprintln!(
            "trailwatch: {} alert(s) in {:.2} s; {}",
            alerts.len(),
            started.elapsed().as_secs_f64(),
            cfg.describe(&store, crate::time::wall_now_us())
        );
    }
    let mut out = stdout();
    let res = match a.format {
        AlertFormat::Jsonl => {
            alerts.iter().try_for_each(|al| crate::text::write_json_line(&mut out, &al.to_json(&store)))
        }
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

fn run_activity(a: ActivityArgs) -> Result<i32> {
    use crate::activity::metrics::{Row, counts_metrics, engagement};
    use crate::time::{DAY_US, format_rfc3339, start_of_day};
    let (store, report) = load_logs(&a.load);
    let Some((_, last)) = store.anchor_span(crate::time::wall_now_us()) else {
        eprintln!("trailwatch: no events loaded");
        return Ok(strict_status(&a.load, &report).max(1));
    };
    let end = a.end.unwrap_or(start_of_day(last) + DAY_US - 1);
    let start = a.start.unwrap_or(start_of_day(end) - 29 * DAY_US);
    let positions: Vec<u32> = match &a.principal {
        Some(p) => store.lookup(p).map(|s| store.principal_events(s).to_vec()).unwrap_or_default(),
        None => (0..store.len() as u32).collect(),
    };
    let slice = store.slice_by_time(&positions, start, end.saturating_add(1));
    // Dimension values are interned per distinct tuple so rows stay small.
    let mut dim_values: Vec<Vec<String>> = Vec::new();
    let mut dim_ids: std::collections::HashMap<Vec<String>, u32> = std::collections::HashMap::new();
    let rows: Vec<Row<u32>> = slice
        .iter()
        .map(|&i| {
            let e = &store.events()[i as usize];
            let key: Vec<String> = a.dims.iter().map(|d| d.value(&store, e)).collect();
            let next = dim_values.len() as u32;
            let d = *dim_ids.entry(key.clone()).or_insert_with(|| {
                dim_values.push(key);
                next
            });
            let sym = a.id.of(&store, e);
            Row { time: e.time, id: (!sym.is_empty()).then_some(sym.0), dims: d }
        })
        .collect();
    let counts = counts_metrics(&rows, start, end, a.window);
    let eng: std::collections::HashMap<(u32, i64), _> =
        engagement(&rows, start, end, a.window, a.outer).into_iter().map(|r| ((r.dims, r.time), r)).collect();
    // Sort output by dims text, then time.
    let mut out_rows: Vec<_> = counts.into_iter().collect();
    out_rows.sort_by(|x, y| dim_values[x.dims as usize].cmp(&dim_values[y.dims as usize]).then(x.time.cmp(&y.time)));
    let mut out = stdout();
    let dim_names: Vec<&str> = a.dims.iter().map(|d| d.name()).collect();
    let res = (|| -> std::io::Result<()> {
        if a.format == RowFormat::Table {
            let mut header = vec!["TIME".to_string()];
            header.extend(dim_names.iter().map(|d| d.to_uppercase()));
            header.extend(["COUNT", "DCOUNT", "NEW", "AGGREGATED", "INNER", "OUTER", "RATIO"].map(String::from));
            writeln!(out, "{}", header.join("\t"))?;
        }
        for r in &out_rows {
            let g = eng.get(&(r.dims, r.time));
            let (inner, outer, ratio) =
                g.map_or((0, 0, 0.0), |g| (g.dcount_activities_inner, g.dcount_activities_outer, g.activity_ratio));
            let dims = &dim_values[r.dims as usize];
            match a.format {
                RowFormat::Jsonl => {
                    let mut v = serde_json::Map::new();
                    v.insert("time".into(), format_rfc3339(r.time).into());
                    for (n, val) in dim_names.iter().zip(dims) {
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
                    crate::text::write_json_line(&mut out, &v)?;
                }
                RowFormat::Table => {
                    let mut cells = vec![format_rfc3339(r.time)];
                    cells.extend(dims.iter().map(|d| crate::text::clip(d, 60)));
                    cells.extend(
                        [r.count, r.dcount, r.new_dcount, r.aggregated_dcount, inner, outer].map(|n| n.to_string()),
                    );
                    cells.push(format!("{ratio:.4}"));
                    writeln!(out, "{}", cells.join("\t"))?;
                }
            }
        }
        out.flush()
    })();
    ok_if_broken_pipe(res)?;
    Ok(strict_status(&a.load, &report))
}

fn run_hunt(a: RareProcessArgs) -> Result<i32> {
    use crate::activity::hunt::{ProcessEvent, rare_process};
    let (store, report) = load_logs(&a.load);
    let now = a.now.or(store.anchor_span(crate::time::wall_now_us()).map(|s| s.1)).unwrap_or(0);
    let events: Vec<ProcessEvent> = store
        .events()
        .iter()
        .filter(|e| store.is_process_creation(e))
        .map(|e| ProcessEvent {
            time: e.time,
            process: store.str(e.process),
            computer: store.str(e.computer),
            account: store.str(e.principal),
        })
        .collect();
    let rows = rare_process(&events, now);
    if !a.load.quiet {
        eprintln!(
            "trailwatch: {} process-creation events, now = {}, {} row(s)",
            events.len(),
            crate::time::format_rfc3339(now),
            rows.len()
        );
    }
    let mut out = stdout();
    let res = (|| -> std::io::Result<()> {
        match a.format {
            RowFormat::Jsonl => {
                for r in &rows {
                    crate::text::write_json_line(&mut out, r)?;
                }
            }
            RowFormat::Table => {
                writeln!(
                    out,
                    "WeekDate\tDate\tProcess\tAccount\tComputer\tPotentialAnomalyCount\tDistribution1day\tDistribution7days\tRatio"
                )?;
                for r in &rows {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        crate::time::format_day(r.week_date),
                        crate::time::format_day(r.date),
                        crate::text::escape(&r.process),
                        crate::text::escape(&r.account),
                        crate::text::escape(&r.computer),
                        r.potential_anomaly_count,
                        r.distribution_1day,
                        r.distribution_7days,
                        r.ratio
                    )?;
                }
            }
        }
        out.flush()
    })();
    ok_if_broken_pipe(res)?;
    Ok(strict_status(&a.load, &report))
}

fn run_report(a: ReportArgs) -> Result<i32> {
    use crate::case::CaseStore;
    use crate::report::{self, Destination, Format, ReportContext};
    let (store, report) = load_logs(&a.load);
    let cfg = a.detect.config();
    let alerts = detect::run(&store, &cfg, crate::time::wall_now_us());
    let format = a.format.or_else(|| a.output.as_deref().and_then(Format::from_path)).unwrap_or_default();
    let cases = match &a.cases {
        Some(dir) => Some(CaseStore::open(dir).with_context(|| format!("opening case folder {}", dir.display()))?),
        None => CaseStore::default_dir().filter(|d| d.is_dir()).and_then(|d| CaseStore::open(d).ok()),
    };
    let ctx = ReportContext {
        detect_settings: cfg.describe(&store, crate::time::wall_now_us()),
        window: a.window,
        generated_at: chrono::Utc::now().timestamp_micros(),
        version: report::VERSION,
        activity: Vec::new(),
    };
    let playbooks = a.playbooks.clone().or_else(crate::playbook::default_user_dir);
    let chosen: Vec<detect::Alert> = if a.all {
        alerts
    } else {
        let id = a.alert.as_deref().unwrap_or_default();
        match alerts.into_iter().find(|x| x.id == id) {
            Some(x) => vec![x],
            None => bail!(
                "no alert {id:?} in this scan (run `trailwatch scan` with the same inputs and detection flags to list ids)"
            ),
        }
    };
    match &a.output {
        Some(path) => {
            let dest = if a.all && (path.is_dir() || path.to_string_lossy().ends_with('/')) {
                Destination::Folder(path.clone())
            } else {
                Destination::File(path.clone())
            };
            let written =
                report::write_all(&store, &chosen, &ctx, cases.as_ref(), playbooks.as_deref(), format, &dest)?;
            if !a.load.quiet {
                for p in written {
                    eprintln!("trailwatch: wrote {}", p.display());
                }
            }
        }
        None => {
            let reports = report::build_all(&store, &chosen, &ctx, cases.as_ref(), playbooks.as_deref())?;
            let mut out = stdout();
            let res = if a.all {
                report::render_all(&reports, format, &mut out)
            } else {
                report::render(&reports[0], format, &mut out)
            };
            ok_if_broken_pipe(res.and_then(|_| out.flush()))?;
        }
    }
    Ok(strict_status(&a.load, &report))
}

fn run_generate(a: GenerateArgs) -> Result<i32> {
    let cfg = crate::generate::GenerateConfig {
        days: a.days,
        events: a.events,
        principals: a.principals,
        seed: a.seed,
        clouds: a.clouds,
        gzip: a.gzip,
        ..crate::generate::GenerateConfig::default()
    };
    let started = std::time::Instant::now();
    let summary = crate::generate::generate(&cfg, &a.out)?;
    eprintln!(
        "trailwatch: wrote {} records in {} files, {:.1} MB, to {} in {:.1} s; {} planted incidents",
        summary.events,
        summary.files,
        summary.bytes as f64 / 1e6,
        a.out.display(),
        started.elapsed().as_secs_f64(),
        summary.incidents.len()
    );
    Ok(0)
}

fn run_demo(a: DemoArgs) -> Result<i32> {
    if let Some(path) = &a.rebuild_asset {
        let bytes = crate::demo::rebuild()?;
        std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("trailwatch: wrote {} ({} bytes)", path.display(), bytes.len());
        return Ok(0);
    }
    if let Some(dir) = &a.write {
        let n = crate::demo::write(dir)?;
        eprintln!("trailwatch: wrote {n} demo files to {}", dir.display());
        return Ok(0);
    }
    let inputs = crate::demo::inputs()?;
    if a.scan || !std::io::stdout().is_terminal() {
        let (store, report) = ingest::load(&inputs, &LoadOptions::default());
        print_report(&report);
        let cfg = a.session.detect.config();
        let alerts = detect::run(&store, &cfg, crate::time::wall_now_us());
        eprintln!("trailwatch: {} alert(s); {}", alerts.len(), cfg.describe(&store, crate::time::wall_now_us()));
        let mut out = stdout();
        ok_if_broken_pipe(write_alert_table(&mut out, &alerts).and_then(|_| out.flush()))?;
        return Ok(0);
    }
    open_tui(inputs, a.session, "demo".into())
}

fn run_open(a: OpenArgs) -> Result<i32> {
    let title = a.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ");
    let inputs = a.paths.into_iter().map(Input::Path).collect();
    open_tui(inputs, a.session, title)
}

fn open_tui(inputs: Vec<Input>, session: SessionArgs, title: String) -> Result<i32> {
    let opts = crate::tui::TuiOptions {
        cases_dir: session.cases,
        report_dir: session.report_dir,
        detect: session.detect.config(),
        title,
        playbooks_dir: session.playbooks,
    };
    let loader: crate::tui::Loader = Box::new(move |progress| {
        ingest::load(&inputs, &LoadOptions { progress: Some(progress), stderr_progress: false })
    });
    crate::tui::run(loader, opts)?;
    Ok(0)
}
