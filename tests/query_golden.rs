//! `trailwatch query` for every engine and detector set, compared with golden files under
//! `tests/golden/` (exact text; `TRAILWATCH_UPDATE_GOLDEN=1` writes them again), and the SQL
//! dialects checked by a real parser: sqlglot reads the BigQuery, Athena (Trino), Spark and
//! DuckDB queries. Without sqlglot the parser test prints why and passes, unless
//! `TRAILWATCH_ENGINE_TESTS=1` says the engines must be there.

use std::path::{Path, PathBuf};
use std::process::Command;

const ENGINES: [&str; 5] = ["bigquery", "athena", "kql", "spark", "duckdb"];

/// (name, extra arguments) of each golden case of an engine.
fn cases(engine: &str) -> Vec<(String, Vec<String>)> {
    let mut out = vec![("all".to_string(), vec![])];
    let mut sets = vec!["new-api-call", "new-resource-access", "kms-key-created", "bucket-created"];
    if engine == "kql" {
        sets.push("rare-process");
    }
    for d in sets {
        out.push((d.to_string(), vec!["--detectors".into(), d.into(), "--since".into(), "2026-10-09".into()]));
    }
    if engine == "bigquery" {
        // A Log Analytics log bucket's view instead of the log-sink tables.
        out.push(("alllogs".into(), vec!["--table".into(), "my-project.global._Default._AllLogs".into()]));
    }
    out.push((
        "slice".into(),
        vec![
            "--slice".into(),
            "dana.whitfield@northwindtraders.com".into(),
            "--from".into(),
            "2026-10-22".into(),
            "--to".into(),
            "2026-10-23".into(),
        ],
    ));
    out
}

fn query(engine: &str, extra: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["query", "--engine", engine])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn golden(engine: &str, case: &str) -> PathBuf {
    let ext = if engine == "kql" { "kql" } else { "sql" };
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{engine}-{case}.{ext}"))
}

#[test]
fn queries_match_their_golden_files() {
    let update = std::env::var_os("TRAILWATCH_UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for engine in ENGINES {
        for (case, extra) in cases(engine) {
            let text = query(engine, &extra);
            let path = golden(engine, &case);
            if update {
                std::fs::write(&path, &text).unwrap();
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(want) if want == text => {}
                _ => stale.push(path.display().to_string()),
            }
        }
    }
    assert!(stale.is_empty(), "differ from the query printed (TRAILWATCH_UPDATE_GOLDEN=1 rewrites): {stale:#?}");
}

#[test]
fn unknown_detectors_and_tables_are_refused() {
    for args in [
        vec!["query", "--engine", "bigquery", "--detectors", "api-burst"],
        vec!["query", "--engine", "duckdb", "--detectors", "rare-process"],
        vec!["query", "--engine", "athena", "--table", "x; DROP TABLE y"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_trailwatch")).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?} was accepted");
    }
}

/// True when the engine tests must run (CI): then a missing package fails them.
pub fn required() -> bool {
    std::env::var("TRAILWATCH_ENGINE_TESTS").is_ok_and(|v| v == "1")
}

fn python_has(module: &str) -> bool {
    Command::new("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn sqlglot_parses_every_sql_dialect() {
    if !python_has("sqlglot") {
        assert!(!required(), "TRAILWATCH_ENGINE_TESTS=1 but `python3 -c 'import sqlglot'` fails");
        eprintln!("skipped: `python3 -c 'import sqlglot'` fails (pip install sqlglot)");
        return;
    }
    let check = r#"
import sys, sqlglot
from sqlglot.errors import ErrorLevel
dialect = sys.argv[1]
text = sys.stdin.read()
stmts = [s for s in sqlglot.parse(text, read=dialect, error_level=ErrorLevel.RAISE) if s is not None]
assert stmts, "nothing parsed"
print(len(stmts))
"#;
    for (engine, dialect) in [("bigquery", "bigquery"), ("athena", "trino"), ("spark", "spark"), ("duckdb", "duckdb")] {
        for (case, extra) in cases(engine) {
            let text = query(engine, &extra);
            let mut child = Command::new("python3")
                .args(["-c", check, dialect])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "sqlglot ({dialect}) rejects `query --engine {engine}` ({case}):\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
