//! The detectors pushed down to DuckDB and Spark give the local scan's alerts: on generated
//! exports of the three clouds, `scan --engine duckdb` and `scan --engine spark` return the same
//! (detector, principal, time) set — and the same alert ids — as `scan` on the same files, and a
//! result exported as CSV opens (`trailwatch open`) to the same ids.
//!
//! Without the Python packages the engine tests print why and pass, unless
//! `TRAILWATCH_ENGINE_TESTS=1` says the engines must be there (CI installs them).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const DETECTORS: &str = "new-api-call,new-resource-access,kms-key-created,bucket-created";

fn required() -> bool {
    std::env::var("TRAILWATCH_ENGINE_TESTS").is_ok_and(|v| v == "1")
}

/// Whether `python3 -c 'import MODULE'` works; when not, the test skips with the reason, or
/// fails when the engines are required.
fn have(module: &str) -> bool {
    let ok =
        Command::new("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(!required(), "TRAILWATCH_ENGINE_TESTS=1 but `python3 -c 'import {module}'` fails");
        eprintln!("skipped: `python3 -c 'import {module}'` fails (pip install {module})");
    }
    ok
}

fn trailwatch(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_trailwatch")).args(args).output().unwrap();
    assert!(out.status.success(), "trailwatch {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn generate(dir: &Path, events: &str, seed: &str, gzip: bool) {
    let out = dir.to_str().unwrap();
    let mut args = vec!["generate", "--out", out, "--clouds", "gcp,aws,azure", "--events", events, "--seed", seed];
    if gzip {
        args.push("--gzip");
    }
    trailwatch(&args);
}

fn alerts(jsonl: &str) -> Vec<Value> {
    jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// (detector, principal, time) of each alert.
fn triples(a: &[Value]) -> BTreeSet<(String, String, String)> {
    a.iter()
        .map(|v| {
            (
                v["detector"].as_str().unwrap().into(),
                v["principal"].as_str().unwrap().into(),
                v["time"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn ids(a: &[Value]) -> BTreeSet<String> {
    a.iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
}

fn local(dir: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["scan", dir, "-q", "--detectors", DETECTORS, "--format", "jsonl"];
    args.extend_from_slice(extra);
    alerts(&trailwatch(&args))
}

fn engine(name: &str, dir: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["scan", "--engine", name, "--source", dir, "-q", "--detectors", DETECTORS, "--format", "jsonl"];
    args.extend_from_slice(extra);
    alerts(&trailwatch(&args))
}

fn same(local: &[Value], engine: &[Value], what: &str) {
    assert!(!local.is_empty(), "{what}: the local scan found nothing to compare");
    let (l, e) = (triples(local), triples(engine));
    assert_eq!(
        l,
        e,
        "{what}: local only {:#?}\nengine only {:#?}",
        l.difference(&e).collect::<Vec<_>>(),
        e.difference(&l).collect::<Vec<_>>()
    );
    assert_eq!(ids(local), ids(engine), "{what}: same alerts, other ids");
}

#[test]
fn duckdb_gives_the_local_scans_alerts() {
    if !have("duckdb") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (plain, gz) = (tmp.path().join("plain"), tmp.path().join("gz"));
    generate(&plain, "6000", "21", false);
    generate(&gz, "6000", "5", true);
    for dir in [&plain, &gz] {
        let d = dir.to_str().unwrap();
        same(&local(d, &[]), &engine("duckdb", d, &[]), &format!("duckdb on {d}"));
    }
    let d = plain.to_str().unwrap();
    let since = ["--since", "2026-10-20"];
    same(&local(d, &since), &engine("duckdb", d, &since), "duckdb with --since");
    let learn = ["--learn", "3d"];
    same(&local(d, &learn), &engine("duckdb", d, &learn), "duckdb with --learn 3d");
}

#[test]
fn a_csv_result_opens_to_the_local_ids() {
    if !have("duckdb") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs");
    generate(&dir, "4000", "9", false);
    let d = dir.to_str().unwrap();
    let query = trailwatch(&["query", "--engine", "duckdb", "--table", d]);
    let csv = tmp.path().join("result.csv");
    let script = "import duckdb, sys\ncon = duckdb.connect()\ncon.execute(\"SET TimeZone = 'UTC'\")\ncon.sql(sys.stdin.read().rstrip().rstrip(';')).write_csv(sys.argv[1])\n";
    let mut child = Command::new("python3")
        .args(["-c", script, csv.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(query.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let opened = alerts(&trailwatch(&["open", csv.to_str().unwrap(), "--format", "jsonl"]));
    same(&local(d, &[]), &opened, "open result.csv");
}

#[test]
fn rows_written_from_the_local_alerts_open_to_the_same_ids() {
    // No engine needed: result rows in the query's columns, as an engine would return them
    // (rare-process as the KQL query returns it, with its computer).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs");
    trailwatch(&["generate", "--out", dir.to_str().unwrap(), "--events", "3000", "--seed", "7"]);
    let detectors = format!("{DETECTORS},rare-process");
    let local =
        alerts(&trailwatch(&["scan", dir.to_str().unwrap(), "-q", "--detectors", &detectors, "--format", "jsonl"]));
    assert!(local.iter().any(|a| a["detector"] == "rare-process"), "no rare-process alert to compare");
    let mut rows = String::new();
    for a in &local {
        let trigger = &a["evidence"][0];
        let key = a["key"].as_object().unwrap();
        let rare = a["detector"] == "rare-process";
        let row = serde_json::json!({
            "detector": a["detector"],
            "cloud": a["cloud"],
            "principal": a["principal"],
            "time": trigger["time"],
            "operation": trigger["operation"],
            "service": trigger["service"],
            "resource": if rare { key["process"].clone() } else { trigger["resource"].clone() },
            "source_ip": trigger["source_ip"],
            "outcome": trigger["outcome"],
            "key": key.get("key").cloned().unwrap_or(Value::Null),
            "computer": key.get("computer").cloned().unwrap_or(Value::Null),
            "first_seen": trigger["time"],
            "repeats": 0,
            "baseline": "",
        });
        rows.push_str(&row.to_string());
        rows.push('\n');
    }
    let path = tmp.path().join("result.jsonl");
    std::fs::write(&path, rows).unwrap();
    let opened = alerts(&trailwatch(&["open", path.to_str().unwrap(), "--format", "jsonl"]));
    same(&local, &opened, "open result.jsonl");
}

#[test]
fn spark_gives_the_local_scans_alerts() {
    if !have("pyspark") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs");
    generate(&dir, "3000", "13", true);
    let d = dir.to_str().unwrap();
    same(&local(d, &[]), &engine("spark", d, &["--master", "local[2]"]), "spark");
}
