//! A small crafted investigation for the TUI tests: GCP, Azure, AWS and Windows records in each
//! format's wire schema, over October 2026 (the 1st is a Thursday). With a one-day learning
//! period the detectors raise new-api-call, new-resource-access, kms-key-created,
//! bucket-created and rare-process alerts, one of them for a principal and a resource full of
//! terminal escapes, bidi overrides and control characters.
//!
//! Only std and serde_json: the lib's unit tests include this file by path and the integration
//! tests as a module, so it must not name the crate.
#![allow(dead_code)]

use serde_json::json;

/// A principal that tries to recolour the terminal, ring the bell, reverse text and rewrite the line.
pub const HOSTILE_PRINCIPAL: &str = "mallory\x1b[31m\x07\u{202e}\r@evil.test";
/// A resource that tries to clear the screen.
pub const HOSTILE_RESOURCE: &str = "projects/_/buckets/\x1b[2Jpwn\u{202e}gpj.exe\r";
/// The well-behaved GCP user.
pub const ALICE: &str = "alice@example.com";
/// Alice's key.
pub const KEY: &str = "projects/p1/locations/global/keyRings/r1/cryptoKeys/k1";

/// `2026-10-DDTHH:MM:00Z`.
pub fn ts(day: u32, hour: u32, minute: u32) -> String {
    format!("2026-10-{day:02}T{hour:02}:{minute:02}:00Z")
}

/// A GCP audit LogEntry; `code` 0 = success.
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

/// An Azure Activity Log record.
pub fn azure(t: &str, upn: &str, op: &str, resource: &str, ip: &str) -> String {
    json!({
        "time": t, "resourceId": resource, "operationName": op, "category": "Administrative",
        "resultType": "Success", "resultSignature": "Succeeded.OK", "callerIpAddress": ip, "correlationId": "c",
        "identity": {"claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": upn}},
        "level": "Information", "location": "westeurope", "properties": {}
    })
    .to_string()
}

/// A CloudTrail record.
pub fn aws(t: &str, arn: &str, source: &str, name: &str, ip: &str, bucket: Option<&str>) -> String {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": arn, "accountId": "111122223333"},
        "eventTime": t, "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": ip, "userAgent": "aws-cli/2",
        "requestParameters": bucket.map(|b| json!({"bucketName": b})), "responseElements": null,
        "eventID": format!("{t}-{name}"), "eventType": "AwsApiCall", "recipientAccountId": "111122223333"
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

/// A 4688 row with its parent process and a command line of its own.
pub fn proc4688_with(t: &str, account: &str, process: &str, parent: &str, command_line: &str) -> String {
    let mut row: serde_json::Value = serde_json::from_str(&proc4688(t, "WS1.contoso.local", account, process)).unwrap();
    row["ParentProcessName"] = parent.into();
    row["CommandLine"] = command_line.into();
    row.to_string()
}

fn gcp_file() -> String {
    let (st, list) = ("storage.googleapis.com", "storage.objects.list");
    let kms = "cloudkms.googleapis.com";
    let m = |s: &str| format!("google.cloud.kms.v1.KeyManagementService.{s}");
    let mut v = Vec::new();
    for day in 1..=6 {
        v.push(gcp(&ts(day, 9, 0), ALICE, st, list, "projects/_/buckets/data", "10.0.0.1", 0));
    }
    v.push(gcp(
        &ts(1, 9, 30),
        ALICE,
        "compute.googleapis.com",
        "v1.compute.instances.list",
        "projects/p1",
        "10.0.0.1",
        0,
    ));
    v.push(gcp(&ts(1, 10, 0), HOSTILE_PRINCIPAL, st, list, "projects/_/buckets/data", "10.0.0.66", 0));
    v.push("{this line is not JSON".to_string());
    let sa_key = "google.iam.admin.v1.CreateServiceAccountKey";
    v.push(gcp(&ts(4, 10, 0), ALICE, "iam.googleapis.com", sa_key, "projects/p1/serviceAccounts/x", "10.0.0.1", 0));
    v.push(gcp(&ts(4, 10, 5), ALICE, kms, &m("CreateCryptoKey"), KEY, "10.0.0.1", 0));
    v.push(gcp(&ts(4, 11, 0), ALICE, kms, &m("Encrypt"), &format!("{KEY}/cryptoKeyVersions/1"), "203.0.113.9", 0));
    v.push(gcp(&ts(4, 11, 30), ALICE, kms, "SetIamPolicy", KEY, "10.0.0.1", 0));
    v.push(gcp(&ts(5, 12, 0), ALICE, st, "storage.buckets.create", "projects/_/buckets/exfil", "10.0.0.1", 0));
    v.push(gcp(&ts(6, 3, 0), ALICE, st, "storage.objects.get", "projects/_/buckets/secret/objects/a", "10.0.0.1", 7));
    v.push(gcp(&ts(3, 10, 0), HOSTILE_PRINCIPAL, st, "storage.objects.delete", HOSTILE_RESOURCE, "10.0.0.66", 0));
    v.join("\n")
}

fn azure_file() -> String {
    let site = "/subscriptions/S1/resourceGroups/web-rg/providers/Microsoft.Web/sites/shop";
    let vm = "/subscriptions/S1/resourceGroups/prod-rg/providers/Microsoft.Compute/virtualMachines/db-01";
    let maria = "maria@contoso.com";
    [
        azure(&ts(1, 9, 0), maria, "Microsoft.Web/sites/write", site, "10.1.1.1"),
        azure(&ts(2, 9, 0), maria, "Microsoft.Web/sites/write", site, "10.1.1.1"),
        azure(&ts(3, 9, 0), maria, "Microsoft.Web/sites/write", vm, "198.51.100.4"),
    ]
    .join("\n")
}

fn aws_file() -> String {
    let arn = "arn:aws:iam::111122223333:user/bob";
    [
        aws(&ts(1, 9, 0), arn, "s3.amazonaws.com", "ListBuckets", "10.2.0.1", None),
        aws(&ts(2, 9, 0), arn, "s3.amazonaws.com", "ListBuckets", "10.2.0.1", None),
        aws(&ts(3, 14, 0), arn, "s3.amazonaws.com", "CreateBucket", "10.2.0.1", Some("exfil-bkt")),
    ]
    .join("\n")
}

fn windows_file() -> String {
    let chrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe";
    let explorer = "C:\\Windows\\explorer.exe";
    let chrome_cmd = format!("\"{chrome}\" --profile-directory=Default --restore-last-session");
    let evil = "C:\\Users\\Public\\evil.exe";
    let evil_cmd =
        format!("{evil} -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA");
    [
        proc4688_with(&ts(1, 9, 0), "CONTOSO\\jdoe", chrome, explorer, &chrome_cmd),
        proc4688_with(&ts(2, 9, 0), "CONTOSO\\jdoe", chrome, explorer, &chrome_cmd),
        proc4688_with(&ts(3, 22, 0), "CONTOSO\\jdoe", evil, "C:\\Windows\\System32\\cmd.exe", &evil_cmd),
    ]
    .join("\n")
}

/// The fixture's files: (name, content).
pub fn files() -> Vec<(&'static str, String)> {
    vec![
        ("gcp.jsonl", gcp_file()),
        ("azure.jsonl", azure_file()),
        ("aws.jsonl", aws_file()),
        ("windows.jsonl", windows_file()),
    ]
}
