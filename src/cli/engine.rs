//! `scan --engine` and `open RESULT…`: the query run on DuckDB or Spark through their Python
//! clients, and result rows read back into a [`Session`] the outputs and the investigator take.
//!
//! The engines use their own client configuration (`SPARK_HOME`, spark-defaults, DuckDB
//! settings); trailwatch passes paths and the query, never credentials. `TRAILWATCH_PYTHON` names
//! the interpreter (default `python3`).

use super::args::ScanEngine;
use crate::detect;
use crate::query::{self, Engine, Request};
use crate::session::Session;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The runner script, embedded.
const RUNNER: &str = include_str!("../../assets/engine/run.py");

/// Runs the detectors on `engine` over the raw exports in `sources` and loads the result.
pub(super) fn scan(
    engine: ScanEngine,
    sources: &[PathBuf],
    master: Option<&str>,
    cfg: &detect::Config,
    quiet: bool,
) -> Result<Session> {
    for s in sources {
        if !s.exists() {
            bail!("{}: no such file or directory", s.display());
        }
    }
    let engine_q = match engine {
        ScanEngine::Duckdb => Engine::Duckdb,
        ScanEngine::Spark => Engine::Spark,
    };
    let tables =
        sources.iter().map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()).display().to_string()).collect();
    let req = Request {
        engine: engine_q,
        detectors: cfg.detectors.clone(),
        since: cfg.since,
        learn: cfg.learn,
        tables,
        slice: None,
    };
    let text = query::build(&req).map_err(anyhow::Error::msg)?;
    let dir = scratch_dir()?;
    let (script, query_file, out) = (dir.join("run.py"), dir.join("query.sql"), dir.join("result.jsonl"));
    std::fs::write(&script, RUNNER).context("writing the runner script")?;
    std::fs::write(&query_file, &text).context("writing the query")?;
    let python = std::env::var("TRAILWATCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let started = std::time::Instant::now();
    let status = std::process::Command::new(&python)
        .arg(&script)
        .arg(engine_q.as_str())
        .arg(&query_file)
        .arg(&out)
        .arg(master.unwrap_or(""))
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("running {python}"));
    let result = match status {
        Ok(s) if s.success() => open_results(std::slice::from_ref(&out), cfg),
        Ok(s) => Err(anyhow::anyhow!(
            "the {} engine failed ({s}); is its Python package installed (pip install {})?",
            engine_q.as_str(),
            if engine == ScanEngine::Duckdb { "duckdb" } else { "pyspark" }
        )),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_dir_all(&dir);
    if !quiet {
        eprintln!("trailwatch: {} ran the query in {:.2} s", engine_q.as_str(), started.elapsed().as_secs_f64());
    }
    result
}

fn scratch_dir() -> Result<PathBuf> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("trailwatch-engine-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Result files as a session: their rows as events, the alert rows as alerts grouped into
/// incidents.
pub(super) fn open_results(paths: &[PathBuf], cfg: &detect::Config) -> Result<Session> {
    for p in paths {
        if !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let loaded = query::results::load(&refs).map_err(anyhow::Error::msg)?;
    for p in loaded.problems.iter().take(10) {
        eprintln!("trailwatch: {p}");
    }
    let mut alerts = loaded.alerts;
    alerts.retain(|a| a.severity >= cfg.min_severity && cfg.enabled(a.detector));
    let incidents = crate::incident::group(&mut alerts, cfg.incident_window);
    let clock = crate::time::wall_now_us();
    let now = loaded.store.anchor_span(clock).map_or(0, |(_, last)| last);
    let report = crate::ingest::LoadReport {
        files: paths.len() as u64,
        records: loaded.rows as u64,
        events: loaded.store.len() as u64,
        ..Default::default()
    };
    Ok(Session { store: loaded.store, report, alerts, incidents, clock, now, detect_seconds: 0.0 })
}
