//! The command line end to end: the real binary on fixtures, its outputs and exit codes.

mod common;
use common::*;
use serde_json::Value;
use std::process::{Command, Output};

fn tw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailwatch")).args(args).output().expect("run trailwatch")
}

fn jsonl(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("valid JSON line")).collect()
}

fn path(rel: &str) -> String {
    fixture(rel).display().to_string()
}

#[test]
fn events_jsonl_contract_fields_in_time_order() {
    let out = tw(&["events", &path("gcp-audit"), "--format", "jsonl", "-q"]);
    assert!(out.status.success());
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 17);
    for r in &rows {
        for k in [
            "time",
            "cloud",
            "principal",
            "principal_kind",
            "service",
            "operation",
            "resource",
            "source_ip",
            "user_agent",
            "outcome",
            "status",
            "source",
        ] {
            assert!(r.get(k).is_some(), "missing {k} in {r}");
        }
        assert!(r["source"]["file"].as_str().unwrap().contains("gcp-audit"));
    }
    let times: Vec<&str> = rows.iter().map(|r| r["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn events_filters_by_principal_and_time() {
    let out = tw(&[
        "events",
        &path("gcp-audit"),
        "--format",
        "jsonl",
        "-q",
        "--principal",
        "xxx@xxx.xxx",
        "--from",
        "2019-12-19T00:45:00Z",
        "--to",
        "2020-01-01",
    ]);
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["principal"] == "xxx@xxx.xxx"));
}

#[test]
fn events_csv_and_timesketch() {
    let out = tw(&["events", &path("aws-cloudtrail"), "--format", "csv", "-q"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("time,cloud,principal,"));
    assert_eq!(lines.count(), 9);
    let out = tw(&["events", &path("aws-cloudtrail"), "--format", "timesketch", "-q"]);
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 9);
    assert!(
        rows.iter()
            .all(|r| r["message"].is_string() && r["datetime"].is_string() && r["timestamp_desc"] == "Event Time")
    );
}

#[test]
fn strict_exits_non_zero_when_records_were_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.jsonl");
    let good =
        std::fs::read_to_string(fixture("gcp-audit/elastic-integrations_test-cloudresourcemanager-googleapis-com.log"))
            .unwrap();
    std::fs::write(&p, format!("{}\n{{broken\n", good.trim())).unwrap();
    let p = p.display().to_string();
    let out = tw(&["events", &p, "--format", "jsonl"]);
    assert!(out.status.success());
    assert_eq!(jsonl(&out).len(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mixed.jsonl:2: invalid JSON"), "{err}");
    assert!(err.contains("1 events, 0 ignored, 1 skipped"), "{err}");
    let out = tw(&["events", &p, "--strict", "-q"]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn scan_jsonl_alert_fields() {
    let out = tw(&["scan", &path(""), "--format", "jsonl", "-q"]);
    assert!(out.status.success());
    let alerts = jsonl(&out);
    assert!(!alerts.is_empty());
    for a in &alerts {
        for k in
            ["id", "detector", "title", "severity", "time", "cloud", "principal", "key", "summary", "evidence", "mitre"]
        {
            assert!(a.get(k).is_some(), "missing {k}");
        }
    }
    let kms: Vec<&Value> = alerts.iter().filter(|a| a["detector"] == "kms-key-created").collect();
    assert_eq!(kms.len(), 1);
    // Newest first.
    let times: Vec<&str> = alerts.iter().map(|a| a["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    let out = tw(&["scan", &path(""), "--format", "jsonl", "-q", "--detectors", "kms-key-created"]);
    assert_eq!(jsonl(&out).len(), 1);
    let out = tw(&["scan", &path(""), "--detectors", "no-such-detector"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn hunt_reproduces_the_spec_example() {
    let out = tw(&[
        "hunt",
        "rare-process",
        &path("spec/example-c-securityevent.jsonl"),
        "--now",
        "2024-03-10T15:00:00Z",
        "--format",
        "jsonl",
        "-q",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = [
        r#"{"WeekDate":"2024-03-03T00:00:00Z","Date":"2024-03-06T00:00:00Z","Process":"C:\\Tools\\c.exe","Account":"CORP\\bob","Computer":"PC2","PotentialAnomalyCount":1,"Distribution1day":2,"Distribution7days":3,"Ratio":66.66666666666666}"#,
        r#"{"WeekDate":"2024-03-03T00:00:00Z","Date":"2024-03-07T00:00:00Z","Process":"C:\\Tools\\a.exe","Account":"CORP\\bob","Computer":"PC1","PotentialAnomalyCount":1,"Distribution1day":1,"Distribution7days":3,"Ratio":33.33333333333333}"#,
        r#"{"WeekDate":"2024-03-10T00:00:00Z","Date":"2024-03-10T00:00:00Z","Process":"C:\\Tools\\d.exe","Account":"CORP\\carol","Computer":"PC3","PotentialAnomalyCount":1,"Distribution1day":2,"Distribution7days":4,"Ratio":50.0}"#,
    ];
    let mut got: Vec<&str> = text.lines().collect();
    got.sort();
    assert_eq!(got, expected);
}

#[test]
fn activity_rows_per_day_with_engagement() {
    let out = tw(&[
        "activity",
        &path("spec/example-c-securityevent.jsonl"),
        "--id",
        "process",
        "--start",
        "2024-02-09",
        "--end",
        "2024-03-10T23:59:59Z",
        "--format",
        "jsonl",
        "-q",
    ]);
    assert!(out.status.success());
    let rows = jsonl(&out);
    let day = |d: &str| rows.iter().find(|r| r["time"] == d).unwrap_or_else(|| panic!("no row {d}"));
    // 03-06: a, c and the system process (the activity view does not apply the hunt's exclusions).
    let r = day("2024-03-06T00:00:00Z");
    assert_eq!(r["count"], 3);
    assert_eq!(r["dcount"], 3);
    assert_eq!(r["new_dcount"], 2);
    let r = day("2024-03-10T00:00:00Z");
    assert_eq!(r["new_dcount"], 1);
    // Every row: aggregated is the running sum of new; ratio in (0, 1].
    let mut sum = 0;
    for r in &rows {
        sum += r["new_dcount"].as_i64().unwrap();
        assert_eq!(r["aggregated_dcount"].as_i64().unwrap(), sum);
        let ratio = r["activity_ratio"].as_f64().unwrap();
        assert!(ratio > 0.0 && ratio <= 1.0);
    }
    let out = tw(&[
        "activity",
        &path("spec/example-c-securityevent.jsonl"),
        "--id",
        "process",
        "--dims",
        "computer",
        "--format",
        "jsonl",
        "-q",
    ]);
    let rows = jsonl(&out);
    assert!(rows.iter().all(|r| r["computer"].is_string()));
}

#[test]
fn table_output_escapes_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("evil.jsonl");
    let who = "evil\u{1b}[31m\u{7}\u{202e}@x.com";
    std::fs::write(&p, common::rec::gcp("2024-03-06T09:00:00Z", who, "s", "m\r", "r", "1.2.3.4", 0)).unwrap();
    let out = tw(&["events", &p.display().to_string(), "-q"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    assert!(text.contains("evil\\x1b[31m\\x07\\u{202e}@x.com"));
    let out = tw(&["events", &p.display().to_string(), "-q", "--format", "jsonl"]);
    let raw = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(!raw.chars().any(|c| c != '\n' && trailwatch::text::is_unsafe(c)), "{raw:?}");
    assert!(raw.contains("\\u202e"));
    let rows = jsonl(&out);
    assert_eq!(rows[0]["principal"], who);
}

#[test]
fn a_piped_table_keeps_every_value_whole() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.jsonl");
    let resource = format!("projects/p/locations/global/keyRings/r/cryptoKeys/{}/cryptoKeyVersions/1", "k".repeat(120));
    let op = "google.cloud.kms.v1.KeyManagementService.AsymmetricDecrypt";
    std::fs::write(
        &p,
        common::rec::gcp("2024-03-06T09:00:00Z", "a@x.com", "cloudkms.googleapis.com", op, &resource, "1.2.3.4", 0),
    )
    .unwrap();
    let out = tw(&["events", &p.display().to_string(), "-q", "--format", "table"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&resource) && text.contains(op), "stdout is not a terminal: nothing is cut\n{text}");
    assert!(!text.contains('…'));
}

#[test]
fn report_for_an_alert_and_for_all() {
    let out = tw(&["scan", &path(""), "--format", "jsonl", "-q", "--detectors", "kms-key-created"]);
    let id = jsonl(&out)[0]["id"].as_str().unwrap().to_string();
    let out = tw(&["report", &path(""), "-q", "--alert", &id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# New Cloud KMS Key Created"));
    assert!(md.contains(&id));
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let out = tw(&["report", &path(""), "-q", "--alert", &id, "-o", &html.display().to_string()]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>") || text.starts_with("<!doctype html>"));
    let folder = format!("{}/all/", dir.path().display());
    let out = tw(&[
        "report",
        &path(""),
        "-q",
        "--all",
        "--format",
        "json",
        "-o",
        &folder,
        "--cases",
        &dir.path().join("cases").display().to_string(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let n = std::fs::read_dir(dir.path().join("all")).unwrap().count();
    let alerts = jsonl(&tw(&["scan", &path(""), "--format", "jsonl", "-q"])).len();
    assert_eq!(n, alerts);
    let out = tw(&["report", &path(""), "-q", "--alert", "nope"]);
    assert_eq!(out.status.code(), Some(1));
}

/// Every export form of every cloud in one folder (each fixture file, gzipped half of them): the
/// strict load exits 0, and every cloud is there.
#[test]
fn strict_load_of_every_form_mixed_in_one_folder() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for entry in walkdir::WalkDir::new(fixture("")).sort_by_file_name() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        // SOURCES.md is prose; the hunting-query export lacks its time column by design.
        if !entry.file_type().is_file() || name == "SOURCES.md" || name.contains("hunting_query") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        n += 1;
        if n % 2 == 0 {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&bytes).unwrap();
            std::fs::write(dir.path().join(format!("{n}.gz")), gz.finish().unwrap()).unwrap();
        } else {
            std::fs::write(dir.path().join(format!("{n}.{name}")), bytes).unwrap();
        }
    }
    let out = tw(&["events", &dir.path().display().to_string(), "--strict", "--format", "jsonl"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(" 0 skipped"), "{stderr}");
    let clouds: std::collections::BTreeSet<String> =
        jsonl(&out).iter().map(|r| r["cloud"].as_str().unwrap().to_string()).collect();
    assert_eq!(clouds.len(), 4, "{clouds:?}");
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("no-such-logs");
    let gone_s = gone.display().to_string();
    let real = path("gcp-audit");
    for cmd in [
        vec!["events", &real, &gone_s],
        vec!["scan", &gone_s],
        vec!["activity", &gone_s, "--id", "operation"],
        vec!["hunt", "rare-process", &gone_s],
        vec!["report", &gone_s, "--all"],
        vec![&gone_s],
    ] {
        let out = tw(&cmd);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cmd:?}: {err}");
        assert!(err.contains(&format!("{gone_s}: no such file or directory")), "{cmd:?}: {err}");
        assert!(out.stdout.is_empty(), "{cmd:?} printed a table");
    }
}

#[test]
fn an_empty_folder_says_no_events() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let out = tw(&["scan", &d]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("0 alert(s)") && err.contains("no events"), "{err}");
    assert!(!err.contains("1970"), "{err}");
    let out = tw(&["report", &d, "--all", "--format", "json", "-q"]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("1970"));
}

#[test]
fn the_investigator_without_a_terminal_writes_no_escape_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .arg(path("gcp-audit"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run trailwatch");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{:?}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(err.starts_with("trailwatch: error: the investigator needs a terminal"), "{err:?}");
}

#[test]
fn scan_gives_each_alert_a_stable_incident() {
    let run = || jsonl(&tw(&["scan", &path(""), "--format", "jsonl", "-q"]));
    let (first, second) = (run(), run());
    let incidents: Vec<&str> =
        first.iter().map(|a| a["incident"].as_str().expect("every alert has an incident")).collect();
    assert!(incidents.iter().all(|i| i.starts_with("inc-")));
    let distinct: std::collections::BTreeSet<&str> = incidents.iter().copied().collect();
    assert!(distinct.len() < first.len(), "some alerts share an incident");
    assert_eq!(first, second, "ids and incidents are the same on every run");
    // A zero window groups by shared evidence only: at least as many incidents.
    let evidence_only = jsonl(&tw(&["scan", &path(""), "--format", "jsonl", "-q", "--incident-window", "0m"]));
    let n: std::collections::BTreeSet<String> =
        evidence_only.iter().map(|a| a["incident"].as_str().unwrap().to_string()).collect();
    assert!(n.len() >= distinct.len());
}

#[test]
fn a_short_export_says_the_learning_period_swallows_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("incident-window.jsonl");
    let lines: Vec<String> = ["2024-03-06T09:00:00Z", "2024-03-06T09:04:00Z", "2024-03-06T09:10:00Z"]
        .iter()
        .map(|t| {
            common::rec::gcp(
                t,
                "a@x.com",
                "storage.googleapis.com",
                "storage.buckets.list",
                "projects/_/buckets/b",
                "1.2.3.4",
                0,
            )
        })
        .collect();
    std::fs::write(&p, lines.join("\n")).unwrap();
    let out = tw(&["scan", &p.display().to_string()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the logs span 10 min, shorter than the 7 days learning period"), "{err}");
    assert!(err.contains("--since"), "says what to do: {err}");
    let out = tw(&["scan", &p.display().to_string(), "--since", "2024-03-06T09:05:00Z"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("shorter than"), "--since settles it");
}

#[test]
fn suppress_hides_alike_alerts_from_scan_until_removed() {
    let cases = tempfile::tempdir().unwrap();
    let cases_dir = cases.path().display().to_string();
    let logs = path("");
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", logs.as_str(), "--format", "jsonl", "--cases", &cases_dir];
        args.extend_from_slice(extra);
        tw(&args)
    };
    let all = jsonl(&scan(&["-q"]));
    let target = all.iter().find(|a| a["detector"] == "new-api-call").unwrap();
    let id = target["id"].as_str().unwrap();
    let out = tw(&["suppress", id, "--reason", "CI deploys daily", "--cases", &cases_dir, &path(""), "-q"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sup_id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(sup_id.starts_with("sup-"), "{sup_id}");

    let out = scan(&[]);
    let shown = jsonl(&out);
    assert!(shown.len() < all.len() && !shown.iter().any(|a| a["id"] == id), "the alert left the scan output");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{} suppressed", all.len() - shown.len())), "{err}");
    assert_eq!(jsonl(&scan(&["-q", "--show-suppressed"])).len(), all.len(), "--show-suppressed brings them back");

    let list = String::from_utf8(tw(&["suppressions", "--cases", &cases_dir]).stdout).unwrap();
    assert!(list.contains(&sup_id) && list.contains("CI deploys daily"), "{list}");
    assert!(tw(&["suppressions", "--cases", &cases_dir, "--remove", &sup_id]).status.success());
    assert_eq!(jsonl(&scan(&["-q"])).len(), all.len(), "removed: the alerts are back");
    let out = tw(&["suppressions", "--cases", &cases_dir, "--remove", &sup_id]);
    assert!(!out.status.success(), "removing it twice is an error");
    // An expiry in the past applies to nothing; a reason is required.
    let out = tw(&["suppress", id, "--reason", "old", "--until", "2001-01-01", "--cases", &cases_dir, &path(""), "-q"]);
    assert!(out.status.success());
    assert_eq!(jsonl(&scan(&["-q"])).len(), all.len());
    assert!(!tw(&["suppress", id, "--reason", " ", "--cases", &cases_dir, &path(""), "-q"]).status.success());
}

#[test]
fn baseline_logs_teach_and_never_alert() {
    let dir = tempfile::tempdir().unwrap();
    let call = |t: &str, method: &str| {
        common::rec::gcp(t, "a@x.com", "storage.googleapis.com", method, "projects/_/buckets/b", "1.2.3.4", 0)
    };
    // Last month: the routine call, and one call the export never repeats.
    let old = dir.path().join("old.jsonl");
    let lines =
        [call("2024-02-01T09:00:00Z", "storage.objects.list"), call("2024-02-02T09:00:00Z", "storage.buckets.get")];
    std::fs::write(&old, lines.join("\n")).unwrap();
    // The incident window: the routine call again, and one never seen.
    let new = dir.path().join("incident.jsonl");
    let lines =
        [call("2024-03-06T09:00:00Z", "storage.objects.list"), call("2024-03-06T09:05:00Z", "storage.objects.delete")];
    std::fs::write(&new, lines.join("\n")).unwrap();
    let (old, new) = (old.display().to_string(), new.display().to_string());

    let out = tw(&["scan", &new, "--baseline", &old, "--format", "jsonl"]);
    assert!(out.status.success());
    let alerts = jsonl(&out);
    let api: Vec<&Value> = alerts.iter().filter(|a| a["detector"] == "new-api-call").collect();
    assert_eq!(api.len(), 1, "only the never-seen call: {alerts:?}");
    assert_eq!(api[0]["key"]["method"], "storage.objects.delete");
    assert!(
        alerts.iter().all(|a| a["time"].as_str().unwrap() >= "2024-03-06"),
        "nothing from the baseline: {alerts:?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("learning from the --baseline logs; detection from 2024-03-06T09:00:00Z"), "{err}");
    assert!(!err.contains("shorter than"), "{err}");

    // Without the baseline the export alone is too short to learn from.
    let out = tw(&["scan", &new, "--format", "jsonl"]);
    assert!(jsonl(&out).iter().all(|a| a["detector"] != "new-api-call"));
}

#[test]
fn a_stray_event_years_older_does_not_anchor_the_learning_period() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("export.jsonl");
    let mut lines = vec![common::rec::gcp(
        "2019-05-01T00:00:00Z",
        "a@x.com",
        "storage.googleapis.com",
        "storage.objects.list",
        "projects/_/buckets/b",
        "1.2.3.4",
        0,
    )];
    for day in 1..=30 {
        lines.push(common::rec::gcp(
            &format!("2024-03-{day:02}T09:00:00Z"),
            "a@x.com",
            "storage.googleapis.com",
            "storage.objects.list",
            "projects/_/buckets/b",
            "1.2.3.4",
            0,
        ));
    }
    std::fs::write(&p, lines.join("\n")).unwrap();
    let out = tw(&["scan", &p.display().to_string()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("detection from 2024-03-08T09:00:00Z"), "learning counts from the bulk: {err}");
    assert!(err.contains("1 event(s) dated before 2000, after tomorrow or years apart from the rest"), "{err}");
}

#[test]
fn report_for_an_incident_tells_its_story_then_each_alert() {
    let alerts = jsonl(&tw(&["scan", &path(""), "--format", "jsonl", "-q"]));
    let mut by_incident: std::collections::BTreeMap<&str, Vec<&Value>> = Default::default();
    for a in &alerts {
        by_incident.entry(a["incident"].as_str().unwrap()).or_default().push(a);
    }
    let (inc, members) = by_incident.iter().max_by_key(|(_, m)| m.len()).unwrap();
    assert!(members.len() > 1, "the fixtures hold an incident of several alerts");
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases").display().to_string();

    let out = tw(&["report", &path(""), "-q", "--cases", &cases, "--incident", inc]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with(&format!("# trailwatch incident {inc}: ")), "{md}");
    assert!(md.contains("## The story") && md.contains("## Evidence across the incident"), "{md}");
    for a in members {
        assert!(md.contains(a["id"].as_str().unwrap()), "names alert {}", a["id"]);
    }

    // JSON to a file: the story in the order it happened, the span from the first alert to the last.
    let file = dir.path().join("incident.json");
    let out = tw(&["report", &path(""), "-q", "--cases", &cases, "--incident", inc, "-o", &file.display().to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["incident"]["id"], **inc);
    let story = v["incident"]["story"].as_array().unwrap();
    assert_eq!((story.len(), v["alerts"].as_array().unwrap().len()), (members.len(), members.len()));
    let times: Vec<&str> = story.iter().map(|s| s["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let alert_times: Vec<&str> = members.iter().map(|a| a["time"].as_str().unwrap()).collect();
    assert_eq!(v["incident"]["from"].as_str(), alert_times.iter().min().copied());
    assert_eq!(v["incident"]["to"].as_str(), alert_times.iter().max().copied());
    assert!(!v["incident"]["evidence"].as_array().unwrap().is_empty());

    // HTML into a folder: named after the incident.
    let out = tw(&["report", &path(""), "-q", "--cases", &cases, "--incident", inc, "--format", "html", "-o"]
        .into_iter()
        .chain([dir.path().to_str().unwrap()])
        .collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(dir.path().join(format!("trailwatch-{inc}.html"))).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<h2>The story</h2>"));

    let out = tw(&["report", &path(""), "-q", "--incident", "inc-nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no incident \"inc-nope\""));
    let out = tw(&["report", &path(""), "-q", "--incident", inc, "--all"]);
    assert_eq!(out.status.code(), Some(2), "--incident and --all exclude each other");
}
