//! Bad input never crashes, hangs or silently drops: each problem is a `FILE[:LINE]: reason`,
//! counted in the summary, and every good record around it still loads.

mod common;
use common::*;
use std::io::Write;

const GOOD_GCP: &str = r#"{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"a@x.com"},"serviceName":"s","methodName":"m","resourceName":"r"},"logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","timestamp":"2024-03-06T09:00:00Z"}"#;

fn lines(parts: &[&str]) -> Vec<u8> {
    parts.join("\n").into_bytes()
}

#[test]
fn truncated_line_and_wrong_type_are_reported_with_line() {
    let wrong_type = GOOD_GCP.replace("\"methodName\":\"m\"", "\"methodName\":5");
    let truncated = &GOOD_GCP[..GOOD_GCP.len() / 2];
    let (store, report, _d) = load_bytes("a.jsonl", &lines(&[GOOD_GCP, &wrong_type, GOOD_GCP, truncated, GOOD_GCP]));
    assert_eq!(store.len(), 3);
    assert_eq!(report.skipped, 2);
    assert_eq!(report.skips[0].line, Some(2));
    assert!(report.skips[0].reason.contains("wrong type"), "{}", report.skips[0].reason);
    assert!(report.skips[0].reason.contains("methodName"), "{}", report.skips[0].reason);
    assert_eq!(report.skips[1].line, Some(4));
    assert!(
        report.skips[1].reason.contains("truncated") || report.skips[1].reason.contains("EOF"),
        "{}",
        report.skips[1].reason
    );
    assert!(report.skips[0].to_string().contains("a.jsonl:2: "));
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    let mut bad = GOOD_GCP.as_bytes().to_vec();
    let pos = GOOD_GCP.find("a@x.com").unwrap();
    bad[pos] = 0xff;
    let mut data = lines(&[GOOD_GCP]);
    data.push(b'\n');
    data.extend_from_slice(&bad);
    data.extend_from_slice(b"\n\0\0\0\n");
    data.extend_from_slice(GOOD_GCP.as_bytes());
    let (store, report, _d) = load_bytes("u.jsonl", &data);
    // The bad byte costs nothing but itself: that record loads, read with U+FFFD and flagged.
    assert_eq!(store.len(), 3);
    assert_eq!(report.skipped, 1, "{:?}", report.skips);
    assert_eq!(report.skips[0].line, Some(3), "only the NUL line is skipped");
    let lossy: Vec<_> = store.events().iter().filter(|e| e.is_lossy()).collect();
    assert_eq!(lossy.len(), 1);
    assert_eq!(lossy[0].src.line, 2);
    assert_eq!(store.str(lossy[0].principal), "\u{fffd}@x.com");
}

#[test]
fn invalid_utf8_on_the_first_line_of_two_costs_only_that_line() {
    let mut bad = GOOD_GCP.as_bytes().to_vec();
    let pos = GOOD_GCP.find("a@x.com").unwrap();
    bad[pos] = 0xc3; // a lone lead byte
    let mut data = bad;
    data.push(b'\n');
    data.extend_from_slice(GOOD_GCP.as_bytes());
    let (store, report, _d) = load_bytes("two.jsonl", &data);
    assert_eq!(store.len(), 2, "{:?}", report.skips);
    assert_eq!(report.skipped, 0);
    // A damaged (not just mis-encoded) first line costs only itself too.
    let data = format!("{{\"protoPayload\":{{\"meth\n{GOOD_GCP}\n");
    let (store, report, _d) = load_bytes("two.jsonl", data.as_bytes());
    assert_eq!(store.len(), 1);
    assert_eq!(report.skipped, 1);
    assert_eq!(report.skips[0].line, Some(1));
}

#[test]
fn fifty_megabyte_line_is_one_message() {
    let big = format!("{{\"protoPayload\":{{\"methodName\":\"{}", "x".repeat(50 << 20));
    let (store, report, _d) = load_bytes("big.jsonl", &lines(&[GOOD_GCP, &big, GOOD_GCP]));
    assert_eq!(store.len(), 2);
    assert_eq!(report.skipped, 1);
    assert_eq!(report.skips[0].line, Some(2));
    assert!(report.skips[0].reason.len() < 300);
}

#[test]
fn nesting_bomb_is_refused_not_a_stack_overflow() {
    let bomb = format!("{{\"protoPayload\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let (store, report, _d) = load_bytes("bomb.jsonl", &lines(&[GOOD_GCP, &bomb, GOOD_GCP]));
    assert_eq!(store.len(), 2);
    assert_eq!(report.skipped, 1);
    let deep_array = format!("[{}]", "[".repeat(100_000));
    let (store, report, _d) = load_bytes("bomb.json", deep_array.as_bytes());
    assert_eq!(store.len(), 0);
    assert_eq!(report.skipped, 1);
}

#[test]
fn binary_and_empty_files() {
    let (store, report, _d) = load_bytes("x.bin", &[0u8, 159, 146, 150, 0, 1, 2, 3]);
    assert_eq!(store.len(), 0);
    assert_eq!(report.files_failed, 1);
    assert!(report.skips[0].reason.contains("not a JSON"));
    let (store, report, _d) = load_bytes("empty.json", b"");
    assert_eq!(store.len(), 0);
    assert_eq!(report.skipped, 0);
}

#[test]
fn boms_and_crlf() {
    let mut data = b"\xEF\xBB\xBF".to_vec();
    data.extend_from_slice(format!("{GOOD_GCP}\r\n{GOOD_GCP}\r\n").as_bytes());
    let (store, report, _d) = load_bytes("bom.jsonl", &data);
    assert_eq!((store.len(), report.skipped), (2, 0));
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(format!("[{GOOD_GCP}]").encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    let (store, report, _d) = load_bytes("u16.json", &utf16);
    assert_eq!((store.len(), report.skipped), (1, 0));
}

#[test]
fn gzip_garbage_and_truncated_gzip() {
    let (store, report, _d) = load_bytes("g.json.gz", &[0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(store.len(), 0);
    assert_eq!(report.files_failed, 1);
    assert!(report.skips[0].reason.contains("gzip"));

    let body: String = (0..3000).map(|_| format!("{GOOD_GCP}\n")).collect();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(body.as_bytes()).unwrap();
    let mut z = enc.finish().unwrap();
    z.truncate(z.len() * 2 / 3);
    let (store, report, _d) = load_bytes("t.json.gz", &z);
    assert!(store.len() > 100, "records before the break load: {}", store.len());
    assert!(report.skips.iter().any(|s| s.reason.contains("truncated")));
}

#[test]
fn missing_and_bad_times_and_unknown_records() {
    let no_time = GOOD_GCP.replace(",\"timestamp\":\"2024-03-06T09:00:00Z\"", "");
    let bad_time = GOOD_GCP.replace("2024-03-06T09:00:00Z", "yesterday");
    let (store, report, _d) = load_bytes("t.jsonl", &lines(&[&no_time, &bad_time, r#"{"hello":"world"}"#, GOOD_GCP]));
    assert_eq!(store.len(), 1);
    assert_eq!(report.skipped, 3);
    assert!(report.skips[0].reason.contains("missing time"));
    assert!(report.skips[1].reason.contains("unparseable time"));
    assert!(report.skips[2].reason.contains("unrecognised"));
}

#[cfg(unix)]
#[test]
fn unreadable_files_symlink_loops_and_fifos() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.jsonl"), GOOD_GCP).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    let locked = dir.path().join("locked.jsonl");
    std::fs::write(&locked, GOOD_GCP).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = nix_is_root();
    let (store, report) = load_paths(&[dir.path().to_path_buf()]);
    // The good file loads (and the locked one too when running as root, who may read anything).
    assert_eq!(store.len(), if root { 2 } else { 1 });
    assert!(report.skips.iter().any(|s| s.reason.contains("loop")), "{:?}", report.skips);
    if made {
        assert!(report.skips.iter().any(|s| s.file.ends_with("pipe") && s.reason.contains("not a regular file")));
    }
    if !root {
        assert!(report.skips.iter().any(|s| s.reason.contains("permission denied")));
    }
}

fn nix_is_root() -> bool {
    std::process::Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false)
}

#[test]
fn nonexistent_path_is_reported() {
    let (store, report) = load_paths(&[std::path::PathBuf::from("/no/such/trailwatch/path")]);
    assert_eq!(store.len(), 0);
    assert_eq!(report.files_failed, 1);
    assert!(report.skips[0].reason.contains("no such file"));
}

#[test]
fn large_json_lines_file_splits_into_chunks_with_exact_lines() {
    // > 8 MB so the parallel chunking runs; a bad line deep inside keeps its true line number.
    let n = 40_000;
    let mut parts: Vec<String> = (0..n).map(|_| GOOD_GCP.to_string()).collect();
    parts[33_333] = "{broken".into();
    let (store, report, _d) = load_bytes("big.jsonl", parts.join("\n").as_bytes());
    assert_eq!(store.len(), n - 1);
    assert_eq!(report.skips[0].line, Some(33_334));
    let last = store.events().iter().map(|e| e.src.line).max().unwrap();
    assert_eq!(last as usize, n);
}
