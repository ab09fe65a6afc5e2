//! Running each command: open the session (load → detect → now), then write its output.
//!
//! Owns what goes to standard error (load diagnostics, summaries) and exit statuses; output
//! formats are [`crate::output`]'s, the data step is [`crate::session`]'s.

use super::args::*;
use crate::detect;
use crate::ingest::{Input, LoadOptions, LoadReport};
use crate::output::{self, alerts::write_alerts, rows};
use crate::session::{self, Session};
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Write};

/// Exit status when `--strict` finds skipped records.
pub const EXIT_STRICT: i32 = 3;

/// Runs the parsed command line and returns the process exit status.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Some(Command::Events(a)) => run_events(a),
        Some(Command::Scan(a)) => run_scan(a),
        Some(Command::Activity(a)) => super::activity::run(a),
        Some(Command::Report(a)) => run_report(a),
        Some(Command::Generate(a)) => run_generate(a),
        Some(Command::Demo(a)) => run_demo(a),
        Some(Command::Suppress(a)) => run_suppress(a),
        Some(Command::Suppressions(a)) => run_suppressions(a),
        Some(Command::Hunt(HuntArgs { query: HuntQuery::RareProcess(a) })) => run_hunt(a),
        Some(Command::Query(a)) => run_query(a),
        Some(Command::Open(a)) => run_open_results(a),
        None if cli.open.paths.is_empty() => {
            use clap::CommandFactory;
            Cli::command().print_help()?;
            Ok(2)
        }
        None => run_open(cli.open),
    }
}

/// Checks and loads a command's inputs, with `detect` runs the detectors, and (unless
/// `--quiet`) prints the load diagnostics and summary on stderr.
pub(super) fn open_session(args: &LoadArgs, detect: Option<(&DetectArgs, &detect::Config)>) -> Result<Session> {
    let inputs = session::inputs(&args.paths)?;
    let baseline = session::inputs(detect.map_or(&[][..], |(a, _)| &a.baseline))?;
    let load = LoadOptions { progress: None, stderr_progress: !args.quiet, baseline };
    let s = Session::open(&inputs, &load, detect.map(|(_, cfg)| cfg));
    if !args.quiet {
        print_report(&s.report);
        let odd = s.implausible_times();
        if odd > 0 {
            eprintln!(
                "trailwatch: {odd} event(s) dated before 2000, after tomorrow or years apart from the rest: loaded, \
                 but they anchor neither \
                 the learning period nor the activity range"
            );
        }
    }
    Ok(s)
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

/// A locked, buffered stdout whose broken pipe ends the program quietly.
pub(super) fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Treats a closed pipe (`| head`) as success.
pub fn ok_if_broken_pipe(r: std::io::Result<()>) -> Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing output"),
    }
}

/// Writes through a buffered stdout and flushes it; a closed pipe is success.
pub(super) fn write_stdout(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let mut out = stdout();
    ok_if_broken_pipe(f(&mut out).and_then(|_| out.flush()))
}

fn run_events(a: EventsArgs) -> Result<i32> {
    let s = open_session(&a.load, None)?;
    let store = &s.store;
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
    let fit = std::io::stdout().is_terminal();
    write_stdout(|out| output::write_events(out, store, &positions, a.format, fit))?;
    Ok(strict_status(&a.load, &s.report))
}

fn run_scan(a: ScanArgs) -> Result<i32> {
    let cfg = a.detect.config();
    let load = a.load.load_args();
    if a.engine.is_some() && !a.detect.baseline.is_empty() {
        anyhow::bail!("--baseline is for logs loaded here; with --engine, give --since or --learn instead");
    }
    let mut s = match a.engine {
        Some(engine) => super::engine::scan(engine, &a.sources, a.master.as_deref(), &cfg, load.quiet)?,
        None => open_session(&load, Some((&a.detect, &cfg)))?,
    };
    let mut suppressed = 0;
    if !a.show_suppressed {
        let dir = a.cases.clone().or_else(crate::case::CaseStore::default_dir);
        if let Some(dir) = dir {
            let list = crate::case::Suppressions::open(&dir).map_err(anyhow::Error::msg)?;
            let (kept, hidden) = list.apply(std::mem::take(&mut s.alerts), s.clock);
            s.alerts = kept;
            s.incidents = crate::incident::group(&mut s.alerts, cfg.incident_window);
            suppressed = hidden;
        }
    }
    if !load.quiet && suppressed > 0 {
        eprintln!(
            "trailwatch: {suppressed} suppressed (--show-suppressed lists them; `trailwatch suppressions` manages them)"
        );
    }
    if !load.quiet && a.engine.is_some() {
        eprintln!("trailwatch: {} alert(s) in {} incident(s) from the engine", s.alerts.len(), s.incidents.len());
    } else if !load.quiet {
        eprintln!(
            "trailwatch: {} alert(s) in {} incident(s), {:.2} s; {}",
            s.alerts.len(),
            s.incidents.len(),
            s.detect_seconds,
            s.describe(&cfg)
        );
        if let Some(note) = s.short_history(&cfg) {
            eprintln!("trailwatch: note: {note}");
        }
    }
    write_stdout(|out| write_alerts(out, &s.store, &s.alerts, a.format))?;
    Ok(strict_status(&load, &s.report))
}

fn run_suppress(a: SuppressArgs) -> Result<i32> {
    if a.reason.trim().is_empty() {
        bail!("--reason must say why this is a known false positive");
    }
    let cfg = a.detect.config();
    let s = open_session(&a.load, Some((&a.detect, &cfg)))?;
    let Some(alert) = s.alerts.iter().find(|x| x.id == a.alert_id) else {
        bail!(
            "no alert {:?} in this scan (run `trailwatch scan` with the same inputs and detection flags to list ids)",
            a.alert_id
        );
    };
    let mut list = crate::case::Suppressions::open(&a.cases).map_err(anyhow::Error::msg)?;
    let sup =
        crate::case::Suppression::of(alert, a.reason.trim(), a.until, &crate::case::CaseStore::analyst(), s.clock);
    let hides = s.alerts.iter().filter(|x| sup.hides(x, s.clock)).count();
    let id = list.add(sup).map_err(anyhow::Error::msg)?;
    println!("{id}");
    if !a.load.quiet {
        eprintln!("trailwatch: {id} hides {hides} alert(s) of this scan like {}", a.alert_id);
    }
    Ok(0)
}

fn run_suppressions(a: SuppressionsArgs) -> Result<i32> {
    let mut list = crate::case::Suppressions::open(&a.cases).map_err(anyhow::Error::msg)?;
    if let Some(id) = &a.remove {
        if !list.remove(id).map_err(anyhow::Error::msg)? {
            bail!("no suppression {id:?} in {}", a.cases.display());
        }
        eprintln!("trailwatch: removed {id}");
        return Ok(0);
    }
    write_stdout(|out| {
        writeln!(out, "{:<16}  {:<19}  {:<32}  {:<30}  {:<20}  REASON", "ID", "DETECTOR", "PRINCIPAL", "KEY", "UNTIL")?;
        for s in &list.list {
            writeln!(
                out,
                "{:<16}  {:<19}  {:<32}  {:<30}  {:<20}  {} ({}, {})",
                s.id,
                crate::text::clip(&s.detector, 19),
                crate::text::clip(&s.principal, 32),
                crate::text::clip(&s.key, 30),
                s.until.as_deref().unwrap_or("-"),
                crate::text::escape(&s.reason),
                crate::text::escape(&s.analyst),
                s.created
            )?;
        }
        Ok(())
    })?;
    Ok(0)
}

fn run_hunt(a: RareProcessArgs) -> Result<i32> {
    use crate::activity::hunt::{ProcessEvent, rare_process};
    let s = open_session(&a.load, None)?;
    let store = &s.store;
    let now = a.now.unwrap_or(s.now);
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
    write_stdout(|out| rows::write_hunt(out, a.format, &rows))?;
    Ok(strict_status(&a.load, &s.report))
}

fn run_report(a: ReportArgs) -> Result<i32> {
    use crate::case::CaseStore;
    use crate::report::{self, Destination, Format, ReportContext};
    if a.all && a.output.is_none() && std::io::stdout().is_terminal() {
        // Every alert's report at once is megabytes: never poured onto a terminal.
        bail!("--all writes a report per alert: give -o DIR/ (one file each) or -o FILE, or redirect stdout");
    }
    let cfg = a.detect.config();
    let s = open_session(&a.load, Some((&a.detect, &cfg)))?;
    let format = a.format.or_else(|| a.output.as_deref().and_then(Format::from_path)).unwrap_or_default();
    let cases = match &a.cases {
        Some(dir) => Some(CaseStore::open(dir).with_context(|| format!("opening case folder {}", dir.display()))?),
        None => CaseStore::default_dir().filter(|d| d.is_dir()).and_then(|d| CaseStore::open(d).ok()),
    };
    let ctx = ReportContext {
        detect_settings: s.describe(&cfg),
        window: a.window,
        generated_at: chrono::Utc::now().timestamp_micros(),
        version: report::VERSION,
        activity: Vec::new(),
    };
    let playbooks = a.playbooks.clone().or_else(crate::playbook::default_user_dir);
    let Session { store, alerts, incidents, report: load_report, .. } = s;
    if let Some(id) = a.incident.as_deref() {
        let Some(inc) = incidents.iter().find(|i| i.id == id) else {
            bail!(
                "no incident {id:?} in this scan (run `trailwatch scan --format jsonl` with the same inputs and detection flags: each alert names its incident)"
            );
        };
        let chosen: Vec<detect::Alert> = inc.alerts.iter().map(|&i| alerts[i].clone()).collect();
        let reports = report::build_all(&store, &chosen, &ctx, cases.as_ref(), playbooks.as_deref())?;
        let r = report::build_incident(inc, reports);
        match &a.output {
            Some(path) => {
                let path = if path.is_dir() {
                    path.join(report::default_file_name(&r.id, format.ext()))
                } else {
                    path.clone()
                };
                report::write_incident(&r, format, &path)?;
                if !a.load.quiet {
                    eprintln!("trailwatch: wrote {}", path.display());
                }
            }
            None => write_stdout(|out| report::render_incident(&r, format, out))?,
        }
        return Ok(strict_status(&a.load, &load_report));
    }
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
            write_stdout(|out| {
                if a.all { report::render_all(&reports, format, out) } else { report::render(&reports[0], format, out) }
            })?;
        }
    }
    Ok(strict_status(&a.load, &load_report))
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
        let cfg = a.session.detect.config();
        let load = LoadOptions { baseline: session::inputs(&a.session.detect.baseline)?, ..LoadOptions::default() };
        let s = Session::open(&inputs, &load, Some(&cfg));
        print_report(&s.report);
        eprintln!("trailwatch: {} alert(s); {}", s.alerts.len(), s.describe(&cfg));
        write_stdout(|out| output::alerts::write_alert_table(out, &s.alerts))?;
        return Ok(0);
    }
    open_tui(inputs, a.session, "demo".into())
}

fn run_query(a: QueryArgs) -> Result<i32> {
    let req = crate::query::Request {
        engine: a.engine,
        detectors: a.detectors,
        since: a.since,
        learn: a.learn,
        tables: a.tables,
        slice: a.slice.map(|principal| crate::query::Slice { principal, from: a.from, to: a.to }),
    };
    let text = crate::query::build(&req).map_err(anyhow::Error::msg)?;
    write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(0)
}

fn run_open_results(a: OpenResultsArgs) -> Result<i32> {
    let title = a.results.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ");
    let session = super::engine::open_results(&a.results, &a.session.detect.config())?;
    if a.format.is_some() || !std::io::stdout().is_terminal() {
        let format = a.format.unwrap_or(AlertFormat::Table);
        write_stdout(|out| write_alerts(out, &session.store, &session.alerts, format))?;
        return Ok(0);
    }
    let loader: crate::tui::Loader = Box::new(move |_| session);
    open_tui_with(loader, a.session, title)
}

fn run_open(a: OpenArgs) -> Result<i32> {
    let title = a.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ");
    let inputs = session::inputs(&a.paths)?;
    open_tui(inputs, a.session, title)
}

fn open_tui(inputs: Vec<Input>, args: SessionArgs, title: String) -> Result<i32> {
    let detect = args.detect.config();
    let baseline = session::inputs(&args.detect.baseline)?;
    let loader: crate::tui::Loader = Box::new(move |progress| {
        let load = LoadOptions { progress: Some(progress), stderr_progress: false, baseline };
        Session::open(&inputs, &load, Some(&detect))
    });
    open_tui_with(loader, args, title)
}

/// The investigator on whatever `loader` gives.
fn open_tui_with(loader: crate::tui::Loader, args: SessionArgs, title: String) -> Result<i32> {
    let opts = crate::tui::TuiOptions {
        cases_dir: args.cases,
        report_dir: args.report_dir,
        detect: args.detect.config(),
        title,
        playbooks_dir: args.playbooks,
    };
    crate::tui::run(loader, opts)?;
    Ok(0)
}
