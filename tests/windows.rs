//! Windows events as analysts have them: flat JSON from shippers (OTRF / Sentinel exports, NXLog,
//! Winlogbeat), native `.evtx` files, Sysmon process creation; on the real records in
//! `tests/fixtures/windows-*` (see SOURCES.md), with concrete normalised values.

mod common;
use common::*;
use serde_json::Value;
use std::path::PathBuf;
use trailwatch::detect::{Config, Severity};

fn field<'a>(e: &'a Value, k: &str) -> &'a str {
    e[k].as_str().unwrap_or_else(|| panic!("field {k} missing in {e}"))
}

fn by_op<'a>(ev: &'a [Value], op: &str) -> &'a Value {
    ev.iter().find(|e| field(e, "operation") == op).unwrap_or_else(|| panic!("no {op} in {ev:#?}"))
}

#[test]
fn otrf_security_rows_flat_with_eventdata_fields() {
    let (ev, report) = events_of("windows-otrf/otrf_WORKSTATION6_Windows_Security_records-1-4.json");
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 2);
    let p = by_op(&ev, "4688");
    assert_eq!(field(p, "cloud"), "windows");
    assert_eq!(field(p, "time"), "2022-09-22T12:31:14.259Z");
    assert_eq!(field(p, "principal"), r"MSSENTINEL\wardog");
    assert_eq!(field(p, "principal_kind"), "user");
    assert_eq!(field(p, "service"), "Microsoft-Windows-Security-Auditing");
    assert_eq!(field(p, "computer"), "WORKSTATION6.mssentinel.local");
    assert_eq!(field(p, "process"), r"C:\Windows\System32\notepad.exe");
    assert_eq!(field(p, "parent"), r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe");
    assert_eq!(field(p, "command_line"), r#""C:\Windows\system32\notepad.exe""#);
    assert_eq!(field(p, "outcome"), "success");
    let h = by_op(&ev, "4656");
    assert_eq!(field(h, "resource"), r"\REGISTRY\MACHINE\SYSTEM\ControlSet001\Control\Lsa");
    assert_eq!(field(h, "process"), r"C:\Windows\System32\notepad.exe");
    // Keywords 0x8020… say Audit Success: a 4656 without a Status is not a failure.
    assert_eq!(field(h, "outcome"), "success");
}

#[test]
fn otrf_sysmon_process_create_is_an_event_other_ids_ignored() {
    let (store, report) = load_paths(&[fixture(
        "windows-otrf/otrf_WORKSTATION6_Windows_MicrosoftWindowsSysmonOperational_records-1-2.json",
    )]);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(report.records, 2);
    assert_eq!(report.ignored.get("windows: Microsoft-Windows-Sysmon/Operational 11"), Some(&1));
    assert_eq!(store.len(), 1);
    let e = &store.events()[0];
    assert!(store.is_process_creation(e));
    let v = trailwatch::output::event_json(&store, e);
    assert_eq!(field(&v, "service"), "Microsoft-Windows-Sysmon");
    assert_eq!(field(&v, "operation"), "1");
    assert_eq!(field(&v, "time"), "2022-09-22T12:31:14.266Z");
    assert_eq!(field(&v, "principal"), r"MSSENTINEL\wardog");
    assert_eq!(field(&v, "computer"), "WORKSTATION6.mssentinel.local");
    assert_eq!(field(&v, "process"), r"C:\Windows\System32\notepad.exe");
    assert_eq!(field(&v, "parent"), r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe");
    assert_eq!(field(&v, "command_line"), r#""C:\Windows\system32\notepad.exe""#);
}

#[test]
fn nxlog_mordor_line_of_another_sysmon_id_is_ignored_by_kind() {
    let (ev, report) = events_of("windows-nxlog/otrf_covenant_ldap_searchrequest_domainuser_line-1.json");
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert!(ev.is_empty());
    assert_eq!(report.ignored.get("windows: Microsoft-Windows-Sysmon/Operational 10"), Some(&1));
}

#[test]
fn nxlog_security_row_reads_event_time_hostname_and_event_type() {
    // NXLog's own field names (im_msvistalog + to_json), as in its documentation's output samples.
    let line = r#"{"EventTime":"2021-03-31T12:03:46.974060+03:00","Hostname":"dc01.example.local","Keywords":"9232379236109516800","EventType":"AUDIT_SUCCESS","EventID":4624,"SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","Category":"Logon","TargetUserName":"alice","TargetDomainName":"EXAMPLE","LogonType":"3","IpAddress":"10.0.0.5","ProcessName":"-"}"#;
    let (store, report, _d) = load_bytes("nx.json", format!("{line}\n{line}\n").as_bytes());
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(store.len(), 2);
    let v = trailwatch::output::event_json(&store, &store.events()[0]);
    assert_eq!(field(&v, "time"), "2021-03-31T09:03:46.974060Z");
    assert_eq!(field(&v, "computer"), "dc01.example.local");
    assert_eq!(field(&v, "principal"), r"EXAMPLE\alice");
    assert_eq!(field(&v, "source_ip"), "10.0.0.5");
    assert_eq!(field(&v, "operation"), "4624");
    assert_eq!(field(&v, "outcome"), "success");
}

#[test]
fn winlogbeat_sysmon_document_with_ecs_process_fields() {
    let (ev, report) = events_of("windows-winlogbeat/beats_sysmon-12-processcreate.evtx.golden.json");
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(field(e, "cloud"), "windows");
    assert!(field(e, "time").starts_with("2020-10-27T20:00:14.32"));
    assert_eq!(field(e, "service"), "Microsoft-Windows-Sysmon");
    assert_eq!(field(e, "operation"), "1");
    assert_eq!(field(e, "computer"), "vagrant");
    // Image / ParentImage / User were moved into ECS fields by the pipeline.
    assert_eq!(field(e, "principal"), r"VAGRANT\vagrant");
    assert_eq!(field(e, "process"), r"C:\Windows\System32\notepad.exe");
    assert_eq!(field(e, "parent"), r"C:\Windows\explorer.exe");
    assert_eq!(field(e, "command_line"), r#""C:\Windows\system32\notepad.exe" "#);
}

#[test]
fn winlogbeat_security_failure_from_keywords_and_status() {
    let (ev, report) = events_of("windows-winlogbeat/beats_security-windows2012_4771.evtx.golden.json");
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(field(e, "time"), "2020-03-31T07:50:27.168118Z");
    assert_eq!(field(e, "operation"), "4771");
    assert_eq!(field(e, "service"), "Microsoft-Windows-Security-Auditing");
    assert_eq!(field(e, "principal"), "MPUIG");
    assert_eq!(field(e, "outcome"), "failure");
    assert_eq!(field(e, "status"), "0x12");
    assert_eq!(field(e, "source_ip"), "::ffff:192.168.5.44");
    assert_eq!(field(e, "computer"), "DC_TEST2k12.TEST.SAAS");
}

#[test]
fn winlogbeat_6_flat_and_other_channels() {
    // Winlogbeat 6 wrote `event_id`, `log_name`, `source_name`, `computer_name`, `event_data`.
    let wlb6 = r#"{"@timestamp":"2019-05-18T02:15:24.541Z","event_id":4688,"log_name":"Security","source_name":"Microsoft-Windows-Security-Auditing","computer_name":"WKS1.corp.local","event_data":{"SubjectUserName":"bob","SubjectDomainName":"CORP","NewProcessName":"C:\\Windows\\System32\\cmd.exe","ParentProcessName":"C:\\Windows\\explorer.exe","CommandLine":"cmd.exe /c whoami"}}"#;
    let ps = r#"{"@timestamp":"2019-05-18T02:15:25Z","winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_id":4104,"provider_name":"Microsoft-Windows-PowerShell","computer_name":"WKS1"}}"#;
    let system = r#"{"EventTime":"2019-05-18 02:15:26","Hostname":"WKS1","EventID":7045,"SourceName":"Service Control Manager","Channel":"System"}"#;
    let (store, report, _d) = load_bytes("mix.jsonl", format!("{wlb6}\n{ps}\n{system}\n").as_bytes());
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(report.ignored.get("windows: Microsoft-Windows-PowerShell/Operational 4104"), Some(&1));
    assert_eq!(report.ignored.get("windows: System 7045"), Some(&1));
    assert_eq!(store.len(), 1);
    let v = trailwatch::output::event_json(&store, &store.events()[0]);
    assert_eq!(field(&v, "principal"), r"CORP\bob");
    assert_eq!(field(&v, "computer"), "WKS1.corp.local");
    assert_eq!(field(&v, "parent"), r"C:\Windows\explorer.exe");
    assert_eq!(field(&v, "command_line"), "cmd.exe /c whoami");
    assert!(store.is_process_creation(&store.events()[0]));
}

#[test]
fn windows_records_that_cannot_be_read_say_what_was_found() {
    let no_time = r#"{"EventID":4624,"Channel":"Security","TargetUserName":"x"}"#;
    let no_id = r#"{"@timestamp":"2024-01-01T00:00:00Z","winlog":{"channel":"Security","computer_name":"A"}}"#;
    let bad_id = r#"{"EventTime":"2024-01-01T00:00:00Z","EventID":"abc","Channel":"Security"}"#;
    let bad_winlog = r#"{"@timestamp":"2024-01-01T00:00:00Z","winlog":"Security"}"#;
    let (store, report, _d) =
        load_bytes("bad.jsonl", format!("{no_time}\n{no_id}\n{bad_id}\n{bad_winlog}\n").as_bytes());
    assert_eq!(store.len(), 0);
    assert_eq!(report.skipped, 4);
    let reasons: Vec<&str> = report.skips.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons[0], "Windows event in an unknown envelope: EventID and Channel found, no time field");
    assert_eq!(reasons[1], "Windows event in an unknown envelope: winlog found, no EventID");
    assert!(reasons[2].starts_with("EventID is not a number"), "{}", reasons[2]);
    assert!(reasons[3].contains("winlog"), "{}", reasons[3]);
}

fn evtx_fixture() -> PathBuf {
    fixture("windows-evtx/dissect-eventlog_TestLogX.evtx")
}

/// UTF-16LE bytes of a string.
fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// Replaces every occurrence of `from` by `to` (same length).
fn patch(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len());
    let mut n = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            n += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    n
}

#[test]
fn evtx_file_is_read_natively_and_other_channels_are_ignored() {
    let (store, report) = load_paths(&[evtx_fixture()]);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(report.records, 5);
    assert_eq!(store.len(), 0);
    // Record 4 of the real file has Event ID 65534.
    for id in [1, 2, 3, 65534, 5] {
        assert_eq!(report.ignored.get(&format!("windows: TestLogX {id}")), Some(&1), "{:?}", report.ignored);
    }
    // Each record renders again from its chunk, by record id.
    let bytes = std::fs::read(evtx_fixture()).unwrap();
    let src = trailwatch::model::SourceRef { file: 0, line: 3, index: 3, offset: 4096, len: 65536 };
    let json: Value = serde_json::from_str(&trailwatch::ingest::evtx::record_json(&bytes, &src).unwrap()).unwrap();
    assert_eq!(json["Event"]["System"]["EventRecordID"], 3);
    assert_eq!(json["Event"]["System"]["Channel"], "TestLogX");
}

#[test]
fn evtx_security_events_load_with_raw_read_back_beside_json_lines() {
    // The real file with its channel name (UTF-16 in the chunk's string table) renamed to
    // `Security`, the same length: its records become Security events.
    let mut bytes = std::fs::read(evtx_fixture()).unwrap();
    assert!(patch(&mut bytes, &utf16("TestLogX"), &utf16("Security")) >= 1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Security.evtx"), &bytes).unwrap();
    std::fs::copy(
        fixture("windows-winlogbeat/beats_security-windows2012_4771.evtx.golden.json"),
        dir.path().join("wlb.json"),
    )
    .unwrap();
    let (store, report) = load_paths(&[dir.path().to_path_buf()]);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(report.files, 2);
    assert_eq!(store.len(), 6);
    let evtx: Vec<_> = store.events().iter().filter(|e| store.str(e.computer) == "DESKTOP-PJOQLJS").collect();
    assert_eq!(evtx.len(), 5);
    let first = trailwatch::output::event_json(&store, evtx[0]);
    assert_eq!(field(&first, "time"), "2021-07-22T15:44:21.416718Z");
    assert_eq!(field(&first, "operation"), "1");
    assert_eq!(field(&first, "service"), "TestAppX");
    assert_eq!(field(&first, "principal"), trailwatch::model::UNKNOWN_PRINCIPAL);
    for e in &evtx {
        let raw = store.raw_value(e).expect("raw JSON of an evtx record");
        assert_eq!(raw["Event"]["System"]["EventRecordID"].as_u64(), Some(u64::from(e.src.index)));
        assert_eq!(raw["Event"]["System"]["Channel"], "Security");
    }
}

#[test]
fn damaged_evtx_record_is_reported_and_the_rest_loads() {
    let mut bytes = std::fs::read(evtx_fixture()).unwrap();
    assert!(patch(&mut bytes, &utf16("TestLogX"), &utf16("Security")) >= 1);
    // Break the third record's header magic (`**\0\0`).
    let starts: Vec<usize> = bytes.windows(4).enumerate().filter(|(_, w)| w == b"**\0\0").map(|(i, _)| i).collect();
    assert!(starts.len() >= 5, "{starts:?}");
    bytes[starts[2]] = b'X';
    let (store, report, _d) = load_bytes("damaged.evtx", &bytes);
    assert!(report.skipped >= 1, "{report:?}");
    assert!(store.len() >= 2 && store.len() < 5, "{}", store.len());
    let skip = &report.skips[0];
    assert_eq!(skip.line, None);
    let shown = skip.to_string();
    assert!(shown.contains("damaged.evtx: ") && (shown.contains("record ") || shown.contains("chunk ")), "{shown}");
}

#[test]
fn a_file_that_starts_like_evtx_but_is_cut_short_is_one_honest_skip() {
    let bytes = std::fs::read(evtx_fixture()).unwrap();
    let (store, report, _d) = load_bytes("short.evtx", &bytes[..5000]);
    assert_eq!(store.len(), 0);
    assert!(report.skipped >= 1, "{report:?}");
    assert!(report.skips.iter().all(|s| !s.reason.is_empty()));
}

fn sysmon1(t: &str, computer: &str, user: &str, image: &str) -> String {
    serde_json::json!({
        "EventSourceName": "Microsoft-Windows-Sysmon", "Channel": "Microsoft-Windows-Sysmon/Operational",
        "Computer": computer, "TimeCreated": t, "EventID": 1, "Image": image, "User": user,
        "ParentImage": r"C:\Windows\explorer.exe", "CommandLine": image
    })
    .to_string()
}

#[test]
fn rare_process_counts_sysmon_process_creation_like_4688() {
    let cfg = Config { learn: 14 * trailwatch::time::DAY_US, ..Config::default() };
    let chrome = r"C:\Program Files\Google\Chrome\Application\chrome.exe";
    let mut lines = Vec::new();
    for day in 1..=20 {
        // The same workstation reports through Security auditing some days and Sysmon others.
        if day % 2 == 0 {
            lines.push(rec::proc4688(&ts(day, 9, 0), "FIN-WS-07", r"CORP\jsmith", chrome));
        } else {
            lines.push(sysmon1(&ts(day, 9, 0), "FIN-WS-07", r"CORP\jsmith", chrome));
        }
    }
    // Another tool in the learning period, inside the hunt's 7-day window (so that day 18's
    // fleet ratio is under 100 %).
    lines.push(rec::proc4688(&ts(12, 10, 0), "DEV-WS-02", r"CORP\adev", r"C:\Tools\build.exe"));
    // A new executable seen only by Sysmon.
    lines.push(sysmon1(&ts(18, 11, 0), "FIN-WS-07", r"CORP\jsmith", r"C:\Users\Public\Downloads\svc-update.exe"));
    let (store, alerts, _d) = scan_lines(&lines, &cfg);
    assert_eq!(store.events().iter().filter(|e| store.is_process_creation(e)).count(), 22);
    let r: Vec<_> = alerts.iter().filter(|a| a.detector == "rare-process").collect();
    assert_eq!(r.len(), 1, "{:#?}", r.iter().map(|a| &a.summary).collect::<Vec<_>>());
    assert!(r[0].key[0].1.ends_with("svc-update.exe"));
    assert_eq!(r[0].severity, Severity::High);
    // Chrome is one process seen on 20 days, whichever source told of it: no alert.
    assert!(!r.iter().any(|a| a.key[0].1 == chrome));

    // The hunt reads the same events.
    let events: Vec<trailwatch::activity::hunt::ProcessEvent> = store
        .events()
        .iter()
        .filter(|e| store.is_process_creation(e))
        .map(|e| trailwatch::activity::hunt::ProcessEvent {
            time: e.time,
            process: store.str(e.process),
            computer: store.str(e.computer),
            account: store.str(e.principal),
        })
        .collect();
    assert_eq!(events.len(), 22);
    let now = trailwatch::time::parse_time(&ts(18, 12, 0)).unwrap();
    let rows = trailwatch::activity::hunt::rare_process(&events, now);
    assert!(rows.iter().any(|r| r.process.ends_with("svc-update.exe")), "{rows:#?}");
}
