//! A crafted scenario for the report and case tests: small GCP, AWS and Azure JSON Lines files
//! with ten days of routine activity, then on the eleventh a KMS key created at night (used by
//! another principal from a new address, with an IAM change and a second key), an S3 bucket
//! created by a principal whose name is an HTML payload and whose bucket name carries table
//! markup and terminal control characters, an Azure storage account, and a program run from a temp folder on two Windows hosts.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::PathBuf;
use trailwatch::detect::{self, Alert, Config};
use trailwatch::ingest::{self, Input, LoadOptions};
use trailwatch::store::EventStore;

pub const ALICE: &str = "alice@example.com";
pub const BOB: &str = "bob@example.com";
pub const EVIL_ARN: &str = "arn:aws:iam::123456789012:user/<script>alert(1)</script>";
pub const EVIL_BUCKET: &str = "exfil|bucket`x\u{1b}[31m\u{7}\u{202e}gpj";
pub const EVIL_EXE: &str = "C:\\Users\\dave\\AppData\\Local\\Temp\\evil.exe";
pub const KEY1: &str = "projects/p1/locations/global/keyRings/ring1/cryptoKeys/key1";
pub const KEY2: &str = "projects/p1/locations/global/keyRings/ring1/cryptoKeys/key2";

pub struct Scenario {
    pub dir: tempfile::TempDir,
    pub files: Vec<PathBuf>,
    pub store: EventStore,
    pub cfg: Config,
    pub alerts: Vec<Alert>,
}

impl Scenario {
    pub fn alert(&self, detector: &str, key_contains: &str) -> &Alert {
        self.alerts
            .iter()
            .find(|a| a.detector == detector && a.key.iter().any(|(_, v)| v.contains(key_contains)))
            .unwrap_or_else(|| panic!("no {detector} alert for {key_contains}: {:#?}", self.ids()))
    }

    fn ids(&self) -> Vec<(String, &str, String)> {
        self.alerts.iter().map(|a| (a.id.clone(), a.detector, a.key_text())).collect()
    }
}

fn day(d: u32, hm: &str) -> String {
    format!("2024-03-{:02}T{hm}:00Z", d + 1)
}

fn gcp(time: &str, who: &str, method: &str, resource: &str, ip: &str) -> Value {
    json!({
        "insertId": format!("{time}{method}"),
        "logName": "projects/p1/logs/cloudaudit.googleapis.com%2Factivity",
        "timestamp": time,
        "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "serviceName": if method.contains("kms") { "cloudkms.googleapis.com" } else { "storage.googleapis.com" },
            "methodName": method,
            "resourceName": resource,
            "authenticationInfo": { "principalEmail": who },
            "requestMetadata": { "callerIp": ip, "callerSuppliedUserAgent": "google-cloud-sdk gcloud/460.0.0" },
            "response": { "name": resource },
        },
    })
}

fn aws(time: &str, event: &str, bucket: &str, agent: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": { "type": "IAMUser", "arn": EVIL_ARN, "userName": "mallory" },
        "eventTime": time,
        "eventSource": "s3.amazonaws.com",
        "eventName": event,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.44",
        "userAgent": agent,
        "requestParameters": { "bucketName": bucket },
        "eventType": "AwsApiCall",
    })
}

fn azure(time: &str, op: &str, resource: &str, signature: &str) -> Value {
    json!({
        "time": time,
        "resourceId": resource,
        "operationName": op,
        "category": "Administrative",
        "resultType": "Success",
        "resultSignature": signature,
        "callerIpAddress": "192.0.2.10",
        "identity": { "claims": { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "carol@example.com" } },
        "level": "Information",
        "location": "westeurope",
    })
}

fn win(time: &str, computer: &str, process: &str) -> Value {
    json!({
        "Type": "SecurityEvent",
        "TimeGenerated": time,
        "Account": "CORP\\dave",
        "Computer": computer,
        "EventSourceName": "Microsoft-Windows-Security-Auditing",
        "EventID": 4688,
        "NewProcessName": process,
    })
}

fn write_lines(dir: &std::path::Path, name: &str, records: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// Writes the three files, loads them and runs every detector with the default settings.
pub fn scenario() -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Vec::new();
    let mut a = Vec::new();
    let mut z = Vec::new();
    let mut w = Vec::new();
    let vm = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1";
    for d in 0..10 {
        g.push(gcp(
            &day(d, "10:00"),
            ALICE,
            "storage.objects.get",
            "projects/_/buckets/data/objects/a.csv",
            "10.0.0.1",
        ));
        a.push(aws(&day(d, "11:00"), "ListBuckets", "", "aws-cli/2.15"));
        z.push(azure(&day(d, "09:00"), "Microsoft.Compute/virtualMachines/read", vm, "Succeeded.OK"));
        w.push(win(&day(d, "08:00"), "HOST-A", "C:\\Tools\\app.exe"));
    }
    w.push(win(&day(10, "14:00"), "HOST-A", EVIL_EXE));
    w.push(win(&day(10, "15:00"), "HOST-A", EVIL_EXE));
    w.push(win(&day(10, "16:00"), "HOST-B", EVIL_EXE));
    let create = "google.cloud.kms.v1.KeyManagementService.CreateCryptoKey";
    g.push(gcp(&day(10, "02:30"), ALICE, create, KEY1, "203.0.113.9"));
    g.push(gcp(&day(10, "02:35"), ALICE, create, KEY2, "203.0.113.9"));
    g.push(gcp(&day(10, "02:40"), ALICE, "google.cloud.kms.v1.KeyManagementService.SetIamPolicy", KEY1, "203.0.113.9"));
    let encrypt = "google.cloud.kms.v1.KeyManagementService.Encrypt";
    g.push(gcp(&day(10, "03:00"), BOB, encrypt, &format!("{KEY1}/cryptoKeyVersions/1"), "198.51.100.7"));
    g.push(gcp(&day(10, "03:10"), BOB, encrypt, &format!("{KEY1}/cryptoKeyVersions/1"), "198.51.100.7"));
    g.push(gcp(&day(10, "03:20"), ALICE, "storage.objects.get", "projects/_/buckets/data/objects/b.csv", "10.0.0.1"));
    a.push(aws(&day(10, "12:00"), "CreateBucket", EVIL_BUCKET, "aws-cli/2.15 \u{1b}]0;owned\u{7}"));
    a.push(aws(&day(10, "12:05"), "PutObject", EVIL_BUCKET, "aws-cli/2.15"));
    let acct = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/acct1";
    z.push(azure(&day(10, "09:30"), "Microsoft.Storage/storageAccounts/write", acct, "Succeeded.Created"));
    let files = vec![
        write_lines(dir.path(), "gcp.jsonl", &g),
        write_lines(dir.path(), "aws.jsonl", &a),
        write_lines(dir.path(), "azure.jsonl", &z),
        write_lines(dir.path(), "windows.jsonl", &w),
    ];
    let inputs: Vec<Input> = files.iter().cloned().map(Input::Path).collect();
    let (store, report) = ingest::load(&inputs, &LoadOptions::default());
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    let cfg = Config::default();
    let alerts = detect::run(&store, &cfg, trailwatch::time::wall_now_us());
    Scenario { dir, files, store, cfg, alerts }
}

/// SHA-256 of a file's bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
