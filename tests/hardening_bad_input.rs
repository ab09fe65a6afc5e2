//! Bad input, beyond tests/bad_input.rs: truncated documents, wrong shapes, deep nesting inside
//! documents, UTF-16 without a byte-order mark and big-endian, NUL bytes inside a record, gzip of
//! garbage and empty gzip, zero-byte files next to good ones, a FIFO named directly, a symlink
//! loop named directly. Each gives a `FILE[:LINE]: reason`, never a crash or a hang, and the good
//! records around it load.
//!
//! Then terminal and report safety for every kind of hostile character (ESC/CSI, OSC, BEL,
//! backspace, CR, U+202E, zero-width characters): escaped in `events` and `scan` tables, the
//! Markdown and HTML reports; JSON output stays valid and carries the exact text.

mod common;
use common::*;
use std::io::Write;
use std::process::{Command, Output};
use trailwatch::ingest::LoadReport;

const GOOD_GCP: &str = r#"{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"a@x.com"},"serviceName":"s","methodName":"m","resourceName":"r"},"logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","timestamp":"2024-03-06T09:00:00Z"}"#;

/// Every skip names its file, and its line when it has one, as `FILE[:LINE]: reason`.
fn assert_located(report: &LoadReport, file: &str) {
    assert!(!report.skips.is_empty(), "a problem must be reported");
    for s in &report.skips {
        let shown = s.to_string();
        let prefix = match s.line {
            Some(l) => format!("{}:{l}: ", s.file),
            None => format!("{}: ", s.file),
        };
        assert!(s.file.ends_with(file), "{shown}");
        assert!(shown.starts_with(&prefix) && shown.len() > prefix.len(), "{shown}");
        assert!(!s.reason.chars().any(char::is_control), "reason is one clean line: {shown:?}");
    }
}

#[test]
fn truncated_documents_keep_the_records_before_the_break() {
    let doc = format!("{{\"records\": [\n{GOOD_GCP},\n{GOOD_GCP},\n{}", &GOOD_GCP[..60]);
    let (store, report, _d) = load_bytes("cut.json", doc.as_bytes());
    assert_eq!(store.len(), 2);
    assert_eq!(report.skipped, 1);
    assert_eq!(report.skips[0].line, Some(4));
    assert!(report.skips[0].reason.contains("truncated"), "{}", report.skips[0]);
    assert_located(&report, "cut.json");
    // Cut right after a comma and inside a wrapper key.
    for cut in [format!("[{GOOD_GCP},"), format!("{{\"records\": [{GOOD_GCP}]"), "{\"reco".to_string()] {
        let (_store, report, _d) = load_bytes("cut2.json", cut.as_bytes());
        assert_eq!(report.skipped, 1, "{cut}");
        assert_located(&report, "cut2.json");
    }
    // A JSON Lines file cut mid-line without a final newline.
    let data = format!("{GOOD_GCP}\n{GOOD_GCP}\n{}", &GOOD_GCP[..100]);
    let (store, report, _d) = load_bytes("cut.jsonl", data.as_bytes());
    assert_eq!((store.len(), report.skipped), (2, 1));
    assert_eq!(report.skips[0].line, Some(3));
}

#[test]
fn wrong_shapes_are_reasons_not_crashes() {
    let shapes = [
        "[1,2,3]",
        "\"just a string\"",
        "42",
        "null",
        r#"{"protoPayload":"not an object","timestamp":"2024-03-06T09:00:00Z"}"#,
        r#"{"protoPayload":{"authenticationInfo":[1,2]},"timestamp":"2024-03-06T09:00:00Z"}"#,
        r#"{"records":5}"#,
        r#"{"Records":[1,"x",null]}"#,
        r#"{"eventTime":7,"eventSource":["kms"],"eventName":{"a":1}}"#,
        r#"{"CloudTrailEvent":"{not json"}"#,
        r#"{"timestamp":{"seconds":1}}"#,
    ];
    let mut parts = vec![GOOD_GCP.to_string()];
    for s in shapes {
        parts.push(s.into());
        parts.push(GOOD_GCP.into());
    }
    let (store, report, _d) = load_bytes("shapes.jsonl", parts.join("\n").as_bytes());
    assert_eq!(store.len(), shapes.len() + 1, "every good record loads");
    assert!(report.skipped as usize >= shapes.len() - 1, "{:?}", report.skips);
    assert!(report.skipped + report.ignored_total() >= shapes.len() as u64);
    assert_located(&report, "shapes.jsonl");
    // The same shapes as whole documents.
    for s in shapes {
        let (store, _report, _d) = load_bytes("shape.json", s.as_bytes());
        assert_eq!(store.len(), 0, "{s}");
    }
}

#[test]
fn deep_nesting_inside_documents_is_refused() {
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(50_000), "]".repeat(50_000));
    let doc = format!("{{\"records\": [\n{GOOD_GCP},\n{deep},\n{GOOD_GCP}\n]}}");
    let (store, report, _d) = load_bytes("deep.json", doc.as_bytes());
    // The framer skips over any depth without recursing; the record parser refuses it.
    assert_eq!(store.len(), 2, "the records around the bomb load");
    assert_eq!(report.skipped, 1);
    assert_eq!(report.skips[0].line, Some(3));
    assert_located(&report, "deep.json");
    let objects = format!("{}{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    let (store, report, _d) = load_bytes("deep2.json", objects.as_bytes());
    assert_eq!((store.len(), report.skipped), (0, 1));
}

#[test]
fn utf16_big_endian_and_without_a_mark() {
    let text = format!("[{GOOD_GCP},\n{GOOD_GCP}]");
    let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(|u| u.to_be_bytes())).collect();
    let (store, report, _d) = load_bytes("be.json", &be);
    assert_eq!((store.len(), report.skipped), (2, 0));
    let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let (store, report, _d) = load_bytes("le.json", &le);
    assert_eq!((store.len(), report.skipped), (2, 0));
    // An odd byte count loses the last unit (the closing `]`): the file is reported truncated
    // and the records before the break load.
    let mut odd = be.clone();
    odd.truncate(odd.len() - 1);
    let (store, report, _d) = load_bytes("odd.json", &odd);
    assert_eq!((store.len(), report.skipped), (2, 1));
    assert!(report.skips[0].reason.contains("truncated"), "{}", report.skips[0]);
    assert_located(&report, "odd.json");
}

#[test]
fn nul_bytes_inside_a_record_and_crlf_documents() {
    let with_nul = GOOD_GCP.replace("a@x.com", "a\0@x.com").replace("\"s\"", "\"s\0\"");
    let raw_nul = GOOD_GCP.replacen("{", "{\0", 1);
    let data = [GOOD_GCP, &with_nul, &raw_nul, GOOD_GCP].join("\r\n");
    let (store, report, _d) = load_bytes("nul.jsonl", data.as_bytes());
    assert!(store.len() >= 2, "{}", store.len());
    assert_eq!(store.len() as u64 + report.skipped, 4, "{:?}", report.skips);
    if report.skipped > 0 {
        assert_located(&report, "nul.jsonl");
    }
    let doc = format!("{{\r\n\"Records\": [\r\n{GOOD_GCP},\r\n{GOOD_GCP}\r\n]\r\n}}\r\n");
    let (store, report, _d) = load_bytes("crlf.json", doc.as_bytes());
    assert_eq!((store.len(), report.skipped), (2, 0));
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_of_garbage_empty_gzip_and_gzip_then_garbage() {
    let (store, report, _d) = load_bytes("bin.gz", &gzip(&[0, 1, 2, 255, 254, 0, 7]));
    assert_eq!((store.len(), report.files_failed), (0, 1));
    assert!(report.skips[0].reason.contains("not a JSON"), "{}", report.skips[0]);
    let (store, report, _d) = load_bytes("empty.gz", &gzip(b""));
    assert_eq!((store.len(), report.skipped), (0, 0));
    let mut tail = gzip(format!("{GOOD_GCP}\n{GOOD_GCP}\n").as_bytes());
    tail.extend_from_slice(b"trailing garbage after the stream");
    let (store, report, _d) = load_bytes("tail.gz", &tail);
    assert_eq!(store.len(), 2, "records before the garbage load");
    assert_located(&report, "tail.gz");
    // Only the gzip header: an error, not a hang.
    let (store, report, _d) = load_bytes("hdr.gz", &gzip(b"x")[..10]);
    assert_eq!((store.len(), report.files_failed), (0, 1));
    assert!(report.skips[0].to_string().contains("hdr.gz: gzip"), "{}", report.skips[0]);
}

#[test]
fn zero_byte_files_in_a_folder_are_harmless() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), b"").unwrap();
    std::fs::write(dir.path().join("b.jsonl"), GOOD_GCP).unwrap();
    std::fs::write(dir.path().join("c.json.gz"), b"").unwrap();
    std::fs::write(dir.path().join("d.json"), b"   \n\n\t").unwrap();
    let (store, report) = load_paths(&[dir.path().to_path_buf()]);
    assert_eq!((store.len(), report.files, report.skipped), (1, 4, 0));
}

#[cfg(unix)]
#[test]
fn a_fifo_and_a_symlink_loop_named_directly() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, GOOD_GCP).unwrap();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let a = dir.path().join("a");
    std::os::unix::fs::symlink(dir.path().join("b"), &a).unwrap();
    std::os::unix::fs::symlink(&a, dir.path().join("b")).unwrap();
    let mut paths = vec![good, a];
    if made {
        paths.push(fifo);
    }
    // Nobody writes to the FIFO: opening it for reading would block forever.
    let (store, report) = load_paths(&paths);
    assert_eq!(store.len(), 1);
    assert_eq!(report.files_failed as usize, paths.len() - 1, "{:?}", report.skips);
    for s in &report.skips {
        assert!(s.line.is_none() && !s.reason.is_empty(), "{s}");
    }
    if made {
        assert!(
            report
                .skips
                .iter()
                .any(|s| s.to_string().ends_with("pipe: not a regular file (FIFO, socket or device): skipped"))
        );
    }
}

// ---- terminal and report safety ----

/// Invisible and direction-changing characters, up front where no column clips them.
const INVISIBLE: &str = "\u{202e}\u{200b}\u{2060}\u{feff}z@x";

/// Every hostile character kind, in one principal.
const HOSTILE: &str =
    "ev\u{1b}[2J\u{1b}]0;pwned\u{7}il\u{8}\u{8}\r\u{202e}gpj.exe\u{200b}\u{2060}\u{feff}\u{200d}@x.com";

fn tw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailwatch")).args(args).output().expect("run trailwatch")
}

fn hostile_log(dir: &std::path::Path) -> String {
    let p = dir.join("hostile.jsonl");
    let key = rec::gcp(
        "2024-03-06T09:00:00Z",
        HOSTILE,
        "cloudkms.googleapis.com",
        "google.cloud.kms.v1.KeyManagementService.CreateCryptoKey",
        &format!("projects/p1/locations/global/keyRings/{HOSTILE}"),
        "1.2.3.4",
        0,
    );
    let other = rec::gcp("2024-03-06T09:01:00Z", INVISIBLE, "s", "m", "r", "1.2.3.4", 0);
    std::fs::write(&p, format!("{key}\n{other}\n")).unwrap();
    p.display().to_string()
}

/// No control or invisible character but the newline reaches the output.
fn assert_clean(what: &str, out: &str) {
    let bad: Vec<char> = out.chars().filter(|&c| c != '\n' && trailwatch::text::is_unsafe(c)).collect();
    assert!(bad.is_empty(), "{what} has raw {bad:?}");
}

#[test]
fn tables_escape_every_hostile_character() {
    let dir = tempfile::tempdir().unwrap();
    let log = hostile_log(dir.path());
    for args in [
        vec!["events", log.as_str(), "-q"],
        vec!["events", log.as_str(), "-q", "--format", "table"],
        vec!["scan", log.as_str(), "-q", "--format", "table"],
    ] {
        let out = tw(&args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert_clean(&format!("{args:?}"), &text);
        assert!(text.contains("ev\\x1b[2J\\x1b]0;pwned\\x07il\\x08\\x08"), "{args:?}: {text}");
        let invisible = "\\u{202e}\\u{200b}\\u{2060}\\u{feff}z@x";
        assert!(args[0] == "scan" || text.contains(invisible), "{args:?}: {text}");
    }
}

#[test]
fn json_outputs_stay_valid_and_exact() {
    let dir = tempfile::tempdir().unwrap();
    let log = hostile_log(dir.path());
    for args in [["events", log.as_str(), "-q", "--format", "jsonl"], ["scan", log.as_str(), "-q", "--format", "jsonl"]]
    {
        let out = tw(&args);
        let text = String::from_utf8(out.stdout).unwrap();
        // serde_json escapes C0 controls (ESC, BEL, BS, CR); bidi and zero-width characters stay
        // raw in JSON Lines (valid JSON; see the hardening report), so only C0 is checked here.
        assert!(!text.chars().any(|c| c != '\n' && c.is_ascii_control()), "{args:?}: raw C0 control");
        let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("valid JSON")).collect();
        assert!(!rows.is_empty(), "{args:?}");
        assert_eq!(rows[0]["principal"], HOSTILE, "{args:?}");
        if args[0] == "events" {
            assert_eq!(rows[1]["principal"], INVISIBLE);
        }
    }
}

#[test]
fn reports_escape_every_hostile_character() {
    let dir = tempfile::tempdir().unwrap();
    let log = hostile_log(dir.path());
    let out = tw(&["scan", &log, "-q", "--format", "jsonl", "--detectors", "kms-key-created"]);
    let rows: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let id = rows[0]["id"].as_str().unwrap().to_string();
    let cases = dir.path().join("cases").display().to_string();
    for (ext, visible) in [("md", trailwatch::text::markdown(HOSTILE)), ("html", trailwatch::text::html(HOSTILE))] {
        let file = dir.path().join(format!("r.{ext}")).display().to_string();
        let out = tw(&["report", &log, "-q", "--alert", &id, "--cases", &cases, "-o", &file]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&file).unwrap();
        assert_clean(ext, &text);
        assert!(text.contains(&visible), "{ext} shows the principal escaped: {visible}");
    }
    let out = tw(&["report", &log, "-q", "--alert", &id, "--cases", &cases, "--format", "json"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_clean("json report", &text);
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON report");
    assert!(text.contains("\\u001b[2J"));
    assert!(v.to_string().contains("gpj.exe"));
}

/// Records dated 1971 and 2099 load and show, but anchor neither the learning period nor "now":
/// otherwise one forged timestamp would make every real event "baseline" or "detection", and
/// empty the 30-day activity range.
#[test]
fn forged_far_past_and_far_future_times_do_not_move_the_anchors() {
    use trailwatch::detect::Config;
    use trailwatch::time::{DAY_US, parse_time, wall_now_us};
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for day in 1..=20 {
        text.push_str(&GOOD_GCP.replace("2024-03-06", &format!("2024-03-{day:02}")));
        text.push('\n');
    }
    text.push_str(&GOOD_GCP.replace("2024-03-06T09:00:00Z", "1971-01-01T00:00:00Z"));
    text.push('\n');
    text.push_str(&GOOD_GCP.replace("2024-03-06T09:00:00Z", "2099-12-31T00:00:00Z"));
    text.push('\n');
    let file = dir.path().join("forged.jsonl");
    std::fs::write(&file, text).unwrap();
    let (store, report) = load_paths(std::slice::from_ref(&file));
    assert_eq!(report.events, 22, "forged records still load");
    let now = wall_now_us();
    let (first, last) = store.anchor_span(now).unwrap();
    assert_eq!(first, parse_time("2024-03-01T09:00:00Z").unwrap());
    assert_eq!(last, parse_time("2024-03-20T09:00:00Z").unwrap());
    assert_eq!(store.implausible_times(now), 2);
    let cfg = Config { learn: 7 * DAY_US, ..Config::default() };
    assert_eq!(cfg.detection_start(&store, trailwatch::time::wall_now_us()), first + 7 * DAY_US);

    let out = Command::new(env!("CARGO_BIN_EXE_trailwatch")).arg("scan").arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 event(s) dated before 2000, after tomorrow or years apart from the rest"), "{err}");
    assert!(err.contains("detection from 2024-03-08T09:00:00Z"), "{err}");
}

/// Permission denied, checked for real even when the suite runs as root (as in CI containers):
/// root reads anything, so the binary is run as `nobody` through `setpriv`.
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_permission_denied_even_under_root() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, format!("{GOOD_GCP}\n")).unwrap();
    std::fs::set_permissions(&good, std::fs::Permissions::from_mode(0o644)).unwrap();
    let locked = dir.path().join("locked.jsonl");
    std::fs::write(&locked, format!("{GOOD_GCP}\n")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let bin = env!("CARGO_BIN_EXE_trailwatch");
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    let out: Output = if root {
        match Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", bin, "events", "--format", "jsonl"])
            .arg(dir.path())
            .output()
        {
            // setpriv missing, or `nobody` may not reach the binary from where the suite was built.
            Ok(o) if o.status.code() == Some(126) || o.status.code() == Some(127) => return,
            Err(_) => return,
            Ok(o) => o,
        }
    } else {
        Command::new(bin).args(["events", "--format", "jsonl"]).arg(dir.path()).output().unwrap()
    };
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("Permission denied") && err.contains(bin) {
        return; // the binary itself is out of `nobody`'s reach
    }
    assert!(err.contains("locked.jsonl: permission denied"), "{err}");
    assert!(err.contains("1 files unreadable"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1, "the readable file still loads");
}
