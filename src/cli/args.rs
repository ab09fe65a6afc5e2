//! The command line's arguments: clap structures and their validation into the library's
//! settings (detection [`detect::Config`], inputs that exist).
//!
//! Owns every command, flag, default and value spelling; parses, checks and converts, and runs
//! nothing (the runners are [`super::run`]).

use crate::activity::views::IdKind;
use crate::detect::{self, BusinessHours, Severity};
use crate::output::EventFormat;
pub use crate::output::alerts::AlertFormat;
pub use crate::output::rows::RowFormat;
use crate::store::EventStore;
use crate::time::parse_user_time;
use clap::{Args, Parser, Subcommand};
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
    /// Mark an alert's kind (detector, principal, key) as a known false positive: such alerts
    /// leave the queue and the scan output, counted as suppressed.
    Suppress(SuppressArgs),
    /// List the suppressions of a case folder, or remove one.
    Suppressions(SuppressionsArgs),
    /// Print the detectors as one query for the engine where the logs live (BigQuery, Athena,
    /// KQL, Spark, DuckDB); its result rows are what `trailwatch open` reads.
    Query(QueryArgs),
    /// Open an engine's exported result rows (CSV or JSON lines) as alerts: in the investigator,
    /// or printed with --format.
    Open(OpenResultsArgs),
}

/// `trailwatch query`.
#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The engine the query is written for.
    #[arg(long, value_enum)]
    pub engine: crate::query::Engine,
    /// Only these detectors (comma-separated; rare-process on KQL only).
    #[arg(long, value_delimiter = ',')]
    pub detectors: Vec<String>,
    /// Detection starts here; everything before is baseline (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = user_time)]
    pub since: Option<i64>,
    /// Learning period counted from the earliest event (e.g. 7d).
    #[arg(long, value_parser = duration, default_value = "7d", conflicts_with = "since")]
    pub learn: i64,
    /// Tables to read instead of the platform's standard ones; for Spark and DuckDB the raw
    /// export files or folders (default: logs).
    #[arg(long = "table", value_name = "NAME")]
    pub tables: Vec<String>,
    /// Instead of alerts, this principal's events in the normalised event columns.
    #[arg(long, value_name = "PRINCIPAL")]
    pub slice: Option<String>,
    /// With --slice: events at or after this time.
    #[arg(long, value_parser = user_time, requires = "slice")]
    pub from: Option<i64>,
    /// With --slice: events before this time.
    #[arg(long, value_parser = user_time, requires = "slice")]
    pub to: Option<i64>,
}

/// `trailwatch open`.
#[derive(Args, Debug)]
pub struct OpenResultsArgs {
    /// Result files exported from the engine (CSV with a header, JSON lines).
    #[arg(required = true, value_name = "RESULT")]
    pub results: Vec<PathBuf>,
    /// Print the alerts instead of opening the investigator.
    #[arg(long, value_enum)]
    pub format: Option<AlertFormat>,
    #[command(flatten)]
    pub session: SessionArgs,
}

/// Engines `scan` can run itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanEngine {
    /// DuckDB through its Python package.
    Duckdb,
    /// PySpark (local mode unless --master says otherwise).
    Spark,
}

/// `trailwatch suppress`.
#[derive(Args, Debug)]
pub struct SuppressArgs {
    /// The alert id (from `scan` or the TUI).
    #[arg(value_name = "ALERT_ID")]
    pub alert_id: String,
    /// Why this is a known false positive (kept with the suppression).
    #[arg(long)]
    pub reason: String,
    /// When the suppression stops applying (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = user_time)]
    pub until: Option<i64>,
    /// Case folder the suppression is stored in.
    #[arg(long)]
    pub cases: PathBuf,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
}

/// `trailwatch suppressions`.
#[derive(Args, Debug)]
pub struct SuppressionsArgs {
    /// Case folder.
    #[arg(long)]
    pub cases: PathBuf,
    /// Remove the suppression with this id.
    #[arg(long, value_name = "ID")]
    pub remove: Option<String>,
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
    #[arg(long, required_unless_present_any = ["all", "incident"], conflicts_with_all = ["all", "incident"])]
    pub alert: Option<String>,
    /// Every alert of the scan: one file with -o FILE, one file per alert with -o DIR/.
    #[arg(long, conflicts_with = "incident")]
    pub all: bool,
    /// One incident (`inc-…`, from `scan --format jsonl` or the TUI): one report with its merged
    /// time span and combined story, then each of its alerts.
    #[arg(long)]
    pub incident: Option<String>,
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
    // Also accepted as `source_ip`, the name of its output column.
    #[value(alias = "source_ip")]
    SourceIp,
    Region,
    Computer,
    Process,
    Outcome,
}

impl Dim {
    /// The field's name in output headers and JSON keys.
    pub fn name(self) -> &'static str {
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

    /// The field's value on one event.
    pub fn value(self, store: &EventStore, e: &crate::model::Event) -> String {
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
    /// Older logs to learn from only: never alerted on, dimmed on the timeline; detection starts
    /// at the first event after them (repeat for more paths).
    #[arg(long, value_name = "PATH")]
    pub baseline: Vec<PathBuf>,
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
    /// Alerts of one principal at most this far apart form one incident (e.g. 2h, 30m; 0m: only
    /// alerts sharing evidence are grouped).
    #[arg(long, value_parser = duration, default_value = "2h")]
    pub incident_window: i64,
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
            incident_window: self.incident_window,
            baseline: !self.baseline.is_empty(),
        }
    }
}

/// `trailwatch scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub load: ScanLoadArgs,
    /// Run the detectors on this engine instead of loading the logs here (new-api-call,
    /// new-resource-access, kms-key-created, bucket-created).
    #[arg(long, value_enum, requires = "sources")]
    pub engine: Option<ScanEngine>,
    /// With --engine: the raw export files or folders the engine reads.
    #[arg(long = "source", value_name = "PATH", requires = "engine")]
    pub sources: Vec<PathBuf>,
    /// With --engine spark: the Spark master URL (default local[2]).
    #[arg(long, requires = "engine")]
    pub master: Option<String>,
    #[command(flatten)]
    pub detect: DetectArgs,
    /// Case folder whose suppressions apply (default: the platform's data folder).
    #[arg(long)]
    pub cases: Option<PathBuf>,
    /// Show suppressed alerts too.
    #[arg(long)]
    pub show_suppressed: bool,
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

/// Inputs of `scan`: like [`LoadArgs`], but with --engine the logs are the engine's to read.
#[derive(Args, Debug, Clone)]
pub struct ScanLoadArgs {
    /// Log files or folders (walked recursively); plain or gzip, any supported format.
    #[arg(value_name = "PATH", required_unless_present = "engine", conflicts_with = "engine")]
    pub paths: Vec<PathBuf>,
    /// Exit with status 3 when any record could not be read.
    #[arg(long)]
    pub strict: bool,
    /// Print no load summary or diagnostics on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

impl ScanLoadArgs {
    /// As the inputs every loading command takes.
    pub fn load_args(&self) -> LoadArgs {
        LoadArgs { paths: self.paths.clone(), strict: self.strict, quiet: self.quiet }
    }
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
