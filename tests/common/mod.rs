//! Helpers shared by the integration tests: loading fixtures and reading events as the JSONL
//! contract spells them.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use trailwatch::ingest::{self, Input, LoadOptions, LoadReport};
use trailwatch::store::EventStore;

/// Path of a fixture under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// Loads paths into a store.
pub fn load_paths(paths: &[PathBuf]) -> (EventStore, LoadReport) {
    let inputs: Vec<Input> = paths.iter().cloned().map(Input::Path).collect();
    ingest::load(&inputs, &LoadOptions::default())
}

/// Loads one fixture and returns its events as JSONL values, plus the report.
pub fn events_of(rel: &str) -> (Vec<Value>, LoadReport) {
    let (store, report) = load_paths(&[fixture(rel)]);
    let events = store.events().iter().map(|e| trailwatch::output::event_json(&store, e)).collect();
    (events, report)
}

/// Loads raw bytes written to a temp file with the given name.
pub fn load_bytes(name: &str, bytes: &[u8]) -> (EventStore, LoadReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let (s, r) = load_paths(&[p]);
    (s, r, dir)
}

/// Crafted records in each format's real wire schema, for detector timelines.
pub mod rec {
    use serde_json::json;

    /// The `i`-th of a run of GCP records spread over October's days and 50 principals, its
    /// resource name `resource`.
    pub fn gcp_numbered(i: usize, resource: &str) -> String {
        let t = format!("2026-10-{:02}T10:{:02}:00Z", 1 + i % 28, i % 60);
        gcp(&t, &format!("u{}@x.com", i % 50), "s", "m", resource, "10.0.0.1", 0)
    }

    /// A GCP audit LogEntry. `code` 0 = success.
    pub fn gcp(t: &str, who: &str, service: &str, method: &str, resource: &str, ip: &str, code: i64) -> String {
        let status = if code == 0 { json!({}) } else { json!({"code": code, "message": "PERMISSION_DENIED"}) };
        json!({
            "insertId": format!("{t}{method}"),
            "logName": "projects/p1/logs/cloudaudit.googleapis.com%2Factivity",
            "protoPayload": {
                "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
                "authenticationInfo": {"principalEmail": who},
                "requestMetadata": {"callerIp": ip, "callerSuppliedUserAgent": "gcloud"},
                "serviceName": service, "methodName": method, "resourceName": resource, "status": status
            },
            "resource": {"type": "project", "labels": {"project_id": "p1"}},
            "timestamp": t, "severity": "NOTICE"
        })
        .to_string()
    }

    /// A GCP record with a request body.
    pub fn gcp_req(
        t: &str,
        who: &str,
        service: &str,
        method: &str,
        resource: &str,
        ip: &str,
        request: serde_json::Value,
    ) -> String {
        let mut v: serde_json::Value = serde_json::from_str(&gcp(t, who, service, method, resource, ip, 0)).unwrap();
        v["protoPayload"]["request"] = request;
        v.to_string()
    }

    /// An Azure Activity Log record (diagnostic-settings form).
    pub fn azure(t: &str, upn: &str, op: &str, resource: &str, ip: &str, result: &str) -> String {
        json!({
            "time": t, "resourceId": resource, "operationName": op, "category": "Administrative",
            "resultType": result, "resultSignature": if result == "Success" { "Succeeded.OK" } else { "Failed" },
            "callerIpAddress": ip, "correlationId": "c",
            "identity": {"claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": upn}},
            "level": "Information", "location": "westeurope", "properties": {}
        })
        .to_string()
    }

    /// A CloudTrail record.
    pub fn aws(t: &str, arn: &str, source: &str, name: &str, ip: &str, extra: serde_json::Value) -> String {
        let mut v = json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": if arn.contains(":user/") {"IAMUser"} else {"AssumedRole"}, "arn": arn, "accountId": "111122223333"},
            "eventTime": t, "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
            "sourceIPAddress": ip, "userAgent": "aws-cli/2", "requestParameters": null, "responseElements": null,
            "eventID": format!("{t}-{name}"), "eventType": "AwsApiCall", "recipientAccountId": "111122223333"
        });
        if let serde_json::Value::Object(m) = extra {
            for (k, x) in m {
                v[k] = x;
            }
        }
        v.to_string()
    }

    /// A Log Analytics SecurityEvent 4688 row with its parent and command line.
    pub fn proc4688_from(t: &str, computer: &str, account: &str, process: &str, parent: &str, cmd: &str) -> String {
        json!({
            "TimeGenerated": t, "Computer": computer, "Account": account, "AccountType": "User",
            "EventID": 4688, "Activity": "4688 - A new process has been created.",
            "NewProcessName": process, "ParentProcessName": parent, "CommandLine": cmd, "Type": "SecurityEvent"
        })
        .to_string()
    }

    /// A Log Analytics SecurityEvent 4688 row.
    pub fn proc4688(t: &str, computer: &str, account: &str, process: &str) -> String {
        json!({
            "TimeGenerated": t, "Computer": computer, "Account": account, "AccountType": "User",
            "EventID": 4688, "Activity": "4688 - A new process has been created.",
            "NewProcessName": process, "ProcessName": process, "CommandLine": process, "Type": "SecurityEvent"
        })
        .to_string()
    }
}

/// Loads JSON lines (records) from memory and runs the detectors with the given config.
pub fn scan_lines(
    lines: &[String],
    cfg: &trailwatch::detect::Config,
) -> (EventStore, Vec<trailwatch::detect::Alert>, tempfile::TempDir) {
    let (store, report, dir) = load_bytes("timeline.jsonl", lines.join("\n").as_bytes());
    assert_eq!(report.skipped, 0, "crafted records must all read: {:?}", report.skips);
    let alerts = trailwatch::detect::run(&store, cfg, trailwatch::time::wall_now_us());
    (store, alerts, dir)
}

/// `2026-10-DDTHH:MM:00Z`.
pub fn ts(day: u32, hour: u32, minute: u32) -> String {
    format!("2026-10-{day:02}T{hour:02}:{minute:02}:00Z")
}
