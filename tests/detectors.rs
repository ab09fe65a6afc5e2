//! Detectors on crafted timelines: each fires where it should, stays quiet where it should not,
//! and brings the evidence and enrichment it promises. October 2026: the 1st is a Thursday.

mod common;
use common::rec::*;
use common::*;
use serde_json::json;
use trailwatch::detect::{Config, Severity};
use trailwatch::time::{DAY_US, parse_time};

fn cfg() -> Config {
    Config::default()
}

fn only<'a>(alerts: &'a [trailwatch::detect::Alert], detector: &str) -> Vec<&'a trailwatch::detect::Alert> {
    alerts.iter().filter(|a| a.detector == detector).collect()
}

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";

/// Alice's habits during the first week: storage list/get from one IP on weekdays.
fn gcp_habits() -> Vec<String> {
    let mut v = Vec::new();
    for day in 1..=7 {
        v.push(gcp(
            &ts(day, 9, 0),
            ALICE,
            "storage.googleapis.com",
            "storage.objects.list",
            "projects/_/buckets/data",
            "10.0.0.1",
            0,
        ));
        v.push(gcp(
            &ts(day, 10, 0),
            BOB,
            "compute.googleapis.com",
            "v1.compute.instances.list",
            "projects/p1",
            "10.0.0.2",
            0,
        ));
    }
    v.push(gcp(
        &ts(2, 11, 0),
        BOB,
        "iam.googleapis.com",
        "google.iam.admin.v1.CreateServiceAccountKey",
        "projects/p1/serviceAccounts/x",
        "10.0.0.2",
        0,
    ));
    v
}

#[test]
fn new_api_call_fires_once_with_repeats_as_evidence() {
    let mut lines = gcp_habits();
    let m = "google.iam.admin.v1.CreateServiceAccountKey";
    lines.push(gcp(&ts(12, 10, 0), ALICE, "iam.googleapis.com", m, "projects/p1/serviceAccounts/x", "10.0.0.1", 0));
    lines.push(gcp(&ts(12, 11, 0), ALICE, "iam.googleapis.com", m, "projects/p1/serviceAccounts/y", "10.0.0.1", 0));
    lines.push(gcp(&ts(13, 11, 0), ALICE, "iam.googleapis.com", m, "projects/p1/serviceAccounts/z", "10.0.0.1", 0));
    let (store, alerts, _d) = scan_lines(&lines, &cfg());
    let nac = only(&alerts, "new-api-call");
    assert_eq!(nac.len(), 1, "{:#?}", nac.iter().map(|a| &a.summary).collect::<Vec<_>>());
    let a = nac[0];
    assert_eq!(a.title, "New GCP API Call");
    assert_eq!(a.principal, ALICE);
    assert_eq!(a.key, vec![("service".into(), "iam.googleapis.com".into()), ("method".into(), m.into())]);
    assert_eq!(a.time, parse_time(&ts(12, 10, 0)).unwrap());
    assert_eq!(a.evidence.len(), 3);
    assert_eq!(a.evidence[0].pivot, "trigger");
    assert!(a.evidence[1..].iter().all(|e| e.pivot == "repeat"));
    assert!(a.summary.contains("after 11 days of history with 7 calls to 1 service"), "{}", a.summary);
    assert!(a.summary.contains("repeated 2 more times"), "{}", a.summary);
    assert!(a.mitre.contains(&"T1098.001"));
    assert!(a.severity >= Severity::Medium, "IAM credential change raises severity: {:?}", a.severity_reasons);
    let j = a.to_json(&store);
    assert_eq!(j["detector"], "new-api-call");
    assert_eq!(j["key"]["method"], m);
    assert_eq!(j["evidence"][0]["source"]["line"], 16);
}

#[test]
fn new_api_call_quiet_when_seen_in_learning_and_per_principal() {
    let mut lines = gcp_habits();
    // Bob called CreateServiceAccountKey during learning: known for Bob, still new for Alice.
    lines.push(gcp(
        &ts(12, 10, 0),
        BOB,
        "iam.googleapis.com",
        "google.iam.admin.v1.CreateServiceAccountKey",
        "projects/p1/serviceAccounts/x",
        "10.0.0.2",
        0,
    ));
    lines.push(gcp(
        &ts(12, 10, 0),
        ALICE,
        "storage.googleapis.com",
        "storage.objects.list",
        "projects/_/buckets/data",
        "10.0.0.1",
        0,
    ));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    assert!(only(&alerts, "new-api-call").is_empty());
    assert!(only(&alerts, "new-resource-access").is_empty());
}

#[test]
fn since_moves_the_baseline() {
    let lines = gcp_habits();
    // With detection from day 2 at 10:30, Bob's CreateServiceAccountKey on day 2 11:00 is new.
    let c = Config { since: parse_time(&ts(2, 10, 30)), ..cfg() };
    let (_s, alerts, _d) = scan_lines(&lines, &c);
    let nac = only(&alerts, "new-api-call");
    assert_eq!(nac.len(), 1);
    assert_eq!(nac[0].principal, BOB);
    assert!(nac[0].facts.iter().any(|(k, v)| k == "baseline" && v.contains("--since")));
}

#[test]
fn failed_first_call_fires_and_raises_severity() {
    let mut lines = gcp_habits();
    lines.push(gcp(
        &ts(12, 10, 0),
        ALICE,
        "compute.googleapis.com",
        "v1.compute.instances.delete",
        "projects/p1/zones/z/instances/db",
        "10.0.0.1",
        7,
    ));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let nac = only(&alerts, "new-api-call");
    assert_eq!(nac.len(), 1);
    assert!(nac[0].severity_reasons.iter().any(|r| r.contains("the call failed")));
    assert!(nac[0].severity_reasons.iter().any(|r| r.contains("delete")));
    assert_eq!(nac[0].severity, Severity::Medium);
}

#[test]
fn off_hours_and_new_ip_raise_severity() {
    let mut lines = gcp_habits();
    // Saturday 2026-10-10 at 02:13 from an IP Alice never used.
    lines.push(gcp(
        &ts(10, 2, 13),
        ALICE,
        "storage.googleapis.com",
        "storage.buckets.list",
        "projects/p1",
        "203.0.113.9",
        0,
    ));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let a = only(&alerts, "new-api-call")[0];
    assert!(a.severity_reasons.iter().any(|r| r.contains("outside business hours")));
    assert!(a.severity_reasons.iter().any(|r| r.contains("203.0.113.9")));
    assert_eq!(a.enrichment["source_ip_new"], true);
    assert_eq!(a.severity, Severity::Medium);
}

#[test]
fn azure_ids_and_operations_compare_case_insensitively() {
    let rid = "/subscriptions/S1/resourceGroups/Web-RG/providers/Microsoft.Web/sites/shop";
    let mut lines = vec![];
    for day in 1..=7 {
        lines.push(azure(&ts(day, 9, 0), "maria@contoso.com", "Microsoft.Web/sites/write", rid, "10.1.1.1", "Success"));
    }
    // Same resource and operation, other letter case: known.
    lines.push(azure(
        &ts(20, 9, 0),
        "maria@contoso.com",
        "MICROSOFT.WEB/SITES/WRITE",
        &rid.to_uppercase(),
        "10.1.1.1",
        "Success",
    ));
    // A resource Maria never touched: new.
    let vm = "/subscriptions/S1/resourceGroups/prod-rg/providers/Microsoft.Compute/virtualMachines/db-01";
    lines.push(azure(&ts(21, 9, 0), "maria@contoso.com", "Microsoft.Web/sites/write", vm, "10.1.1.1", "Success"));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    assert!(only(&alerts, "new-api-call").is_empty());
    let nra = only(&alerts, "new-resource-access");
    assert_eq!(nra.len(), 1);
    assert_eq!(nra[0].title, "New Azure API Call Invoked by User Accessed Resource for the First Time");
    assert_eq!(nra[0].key[0].1, vm);
}

#[test]
fn resources_compare_at_bucket_and_key_level() {
    let mut lines = gcp_habits();
    lines.push(gcp(
        &ts(12, 9, 0),
        ALICE,
        "storage.googleapis.com",
        "storage.objects.list",
        "projects/_/buckets/data/objects/new-file.csv",
        "10.0.0.1",
        0,
    ));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    assert!(only(&alerts, "new-resource-access").is_empty());
}

fn kms_story(rotation: Option<&str>) -> Vec<String> {
    let key = "projects/p1/locations/global/keyRings/prod-ring/cryptoKeys/tmp-export-key";
    let mut lines = gcp_habits();
    let mut ck = json!({"purpose": "ENCRYPT_DECRYPT"});
    if let Some(r) = rotation {
        ck["rotationPeriod"] = json!(r);
    }
    let req = json!({"parent": "projects/p1/locations/global/keyRings/prod-ring", "cryptoKeyId": "tmp-export-key", "cryptoKey": ck});
    // Wednesday 2026-10-21 02:13 UTC, from a new IP.
    lines.push(gcp_req(
        &ts(21, 2, 13),
        ALICE,
        "cloudkms.googleapis.com",
        "google.cloud.kms.v1.KeyManagementService.CreateCryptoKey",
        key,
        "198.51.100.7",
        req,
    ));
    lines.push(gcp(&ts(21, 2, 40), ALICE, "cloudkms.googleapis.com", "SetIamPolicy", key, "198.51.100.7", 0));
    for m in 0..3 {
        lines.push(gcp(
            &ts(21, 4, m),
            "exfil@evil.example",
            "cloudkms.googleapis.com",
            "google.cloud.kms.v1.KeyManagementService.Encrypt",
            &format!("{key}/cryptoKeyVersions/1"),
            "198.51.100.7",
            0,
        ));
    }
    lines
}

#[test]
fn kms_key_created_with_full_enrichment() {
    let (store, alerts, _d) = scan_lines(&kms_story(None), &cfg());
    let k = only(&alerts, "kms-key-created");
    assert_eq!(k.len(), 1);
    let a = k[0];
    assert_eq!(a.title, "New Cloud KMS Key Created");
    assert_eq!(a.key[0].1, "projects/p1/locations/global/keyRings/prod-ring/cryptoKeys/tmp-export-key");
    assert_eq!(a.severity, Severity::Critical, "{:?}", a.severity_reasons);
    let en = &a.enrichment;
    assert_eq!(en["off_hours"], true);
    assert_eq!(en["use"]["count"], 3);
    assert_eq!(en["use"]["by"][0], "exfil@evil.example");
    assert_eq!(en["iam_changes"].as_array().unwrap().len(), 1);
    assert!(en["rotation"].as_str().unwrap().starts_with("none"));
    let ips = en["source_ips"].as_array().unwrap();
    assert_eq!(ips.len(), 1);
    assert_eq!(ips[0]["ip"], "198.51.100.7");
    assert_eq!(ips[0]["known"], false);
    let pivots: Vec<&str> = a.evidence.iter().map(|e| e.pivot.as_str()).collect();
    assert_eq!(pivots, vec!["trigger", "iam-changes", "key-use", "key-use", "key-use"]);
    assert!(a.to_json(&store)["summary"].as_str().unwrap().contains("rotation not configured"));
    // The same story also raises new-api-call for CreateCryptoKey and SetIamPolicy.
    let nac: Vec<String> = only(&alerts, "new-api-call").iter().map(|a| a.key[1].1.clone()).collect();
    assert!(nac.iter().any(|m| m.ends_with("CreateCryptoKey")));
    assert!(nac.iter().any(|m| m == "SetIamPolicy"));
}

#[test]
fn kms_rotation_in_the_request_is_reported() {
    let (_s, alerts, _d) = scan_lines(&kms_story(Some("7776000s")), &cfg());
    let a = only(&alerts, "kms-key-created")[0];
    let rot = a.enrichment["rotation"].as_str().unwrap();
    assert!(rot.contains("7776000s (90 days)"), "{rot}");
    assert_eq!(a.severity, Severity::High);
}

#[test]
fn aws_kms_create_key_fixture_raises_the_alert() {
    let (store, _r) = load_paths(&[fixture("aws-cloudtrail/awsdocs-kms_ct-createkey_example1-external.json")]);
    let alerts = trailwatch::detect::run(&store, &cfg(), trailwatch::time::wall_now_us());
    let k = only(&alerts, "kms-key-created");
    assert_eq!(k.len(), 1);
    assert_eq!(k[0].key[0].1, "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    assert_eq!(k[0].principal, "arn:aws:iam::111122223333:user/Alice");
    assert_eq!(k[0].enrichment["off_hours"], true, "22:38 UTC is outside 08:00-18:00");
    assert_eq!(k[0].enrichment["in_learning_period"], true);
}

#[test]
fn aws_key_with_rotation_enabled_and_bucket_creation() {
    let arn = "arn:aws:iam::111122223333:user/sec-admin";
    let key = "arn:aws:kms:us-east-1:111122223333:key/k-1";
    let res = json!({"resources": [{"ARN": key, "type": "AWS::KMS::Key"}]});
    let mut lines = vec![aws(&ts(1, 9, 0), arn, "kms.amazonaws.com", "ListKeys", "10.2.2.2", json!({}))];
    lines.push(aws(&ts(14, 10, 0), arn, "kms.amazonaws.com", "CreateKey", "10.2.2.2", res.clone()));
    lines.push(aws(&ts(14, 10, 1), arn, "kms.amazonaws.com", "EnableKeyRotation", "10.2.2.2", res));
    lines.push(aws(
        &ts(14, 20, 5),
        "arn:aws:iam::111122223333:user/marco",
        "s3.amazonaws.com",
        "CreateBucket",
        "203.0.113.50",
        json!({"requestParameters": {"bucketName": "marco-backup-tmp", "x-amz-acl": ["public-read"]}}),
    ));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let k = only(&alerts, "kms-key-created")[0];
    assert!(k.enrichment["rotation"].as_str().unwrap().starts_with("EnableKeyRotation"));
    assert_eq!(k.severity, Severity::Low, "{:?}", k.severity_reasons);
    let b = only(&alerts, "bucket-created");
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].key[0].1, "arn:aws:s3:::marco-backup-tmp");
    assert_eq!(b[0].enrichment["public_access"][0], "public-read");
    assert_eq!(b[0].title, "Cloud Storage Bucket Created");
}

#[test]
fn azure_storage_account_creation_and_update() {
    let sa = "/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/exfil01";
    let op = "Microsoft.Storage/storageAccounts/write";
    let lines = vec![
        azure(&ts(3, 9, 0), "ops@contoso.com", op, sa, "10.0.0.5", "Success"),
        azure(&ts(4, 9, 0), "ops@contoso.com", op, &sa.to_lowercase(), "10.0.0.5", "Success"),
        azure(&ts(4, 9, 5), "ops@contoso.com", op, sa, "10.0.0.5", "Start"),
    ];
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let b = only(&alerts, "bucket-created");
    assert_eq!(b.len(), 1, "the first successful write only; a later write in other case is an update");
}

fn secrets_baseline(principal: &str, per_hour: u32) -> Vec<String> {
    let mut v = Vec::new();
    for day in 1..=7 {
        for hour in 0..24 {
            for m in 0..per_hour {
                v.push(aws(
                    &format!("2026-10-{day:02}T{hour:02}:{:02}:{:02}Z", m % 60, m / 60),
                    principal,
                    "secretsmanager.amazonaws.com",
                    "GetSecretValue",
                    "10.9.9.9",
                    json!({}),
                ));
            }
        }
    }
    v
}

fn hour_of(principal: &str, n: u32) -> Vec<String> {
    (0..n)
        .map(|i| {
            aws(
                &format!("2026-10-20T13:{:02}:{:02}Z", i / 60 % 60, i % 60),
                principal,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                "10.9.9.9",
                json!({}),
            )
        })
        .collect()
}

#[test]
fn api_burst_needs_both_floor_and_factor() {
    let role = "arn:aws:sts::111122223333:assumed-role/build-agent/ci-4711";
    let mut lines = secrets_baseline(role, 2);
    lines.extend(hour_of(role, 300));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let b = only(&alerts, "api-burst");
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].enrichment["total"], 300);
    assert_eq!(b[0].enrichment["baseline_per_hour"], 2.0);
    assert!(b[0].summary.contains("300 times"));
    assert!(b[0].mitre.contains(&"T1555.006"));

    // Under the floor: 60 calls is 30× the baseline but not > 100.
    let mut lines = secrets_baseline(role, 2);
    lines.extend(hour_of(role, 60));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    assert!(only(&alerts, "api-burst").is_empty());

    // Above the floor but not 10× a busy principal's own rate (30/h → needs > 300).
    let mut lines = secrets_baseline(role, 30);
    lines.extend(hour_of(role, 250));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    assert!(only(&alerts, "api-burst").is_empty());
}

#[test]
fn rare_process_after_learning_only() {
    let mut lines = Vec::new();
    let chrome = r"C:\Program Files\Google\Chrome\Application\chrome.exe";
    for day in 1..=20 {
        lines.push(proc4688(&ts(day, 9, 0), "FIN-WS-07", r"CORP\jsmith", chrome));
        lines.push(proc4688(&ts(day, 9, 5), "DEV-WS-02", r"CORP\adev", r"C:\Tools\build.exe"));
    }
    // New executable in a user-writable folder.
    lines.push(proc4688(&ts(18, 11, 0), "FIN-WS-07", r"CORP\jsmith", r"C:\Users\Public\Downloads\svc-update.exe"));
    // Excluded by the hunt's list: never an alert.
    lines.push(proc4688(&ts(18, 11, 5), "FIN-WS-07", r"CORP\jsmith", r"C:\Windows\System32\newthing.exe"));
    // A known executable on a new host: a new combination, but not a new binary.
    lines.push(proc4688(&ts(19, 11, 0), "DEV-WS-02", r"CORP\adev", chrome));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let r = only(&alerts, "rare-process");
    assert_eq!(r.len(), 2, "{:#?}", r.iter().map(|a| &a.summary).collect::<Vec<_>>());
    let svc = r.iter().find(|a| a.key[0].1.ends_with("svc-update.exe")).unwrap();
    assert_eq!(svc.enrichment["new_executable"], true);
    assert_eq!(svc.enrichment["user_writable_path"], true);
    assert_eq!(svc.severity, Severity::High);
    assert_eq!(svc.key[1].1, "FIN-WS-07");
    let known = r.iter().find(|a| a.key[0].1 == chrome).unwrap();
    assert_eq!(known.enrichment["new_executable"], false);
    assert_eq!(known.enrichment["hosts"], 2);
    assert_eq!(known.severity, Severity::Medium);
}

#[test]
fn ids_are_stable_across_runs_and_loads() {
    let lines = kms_story(None);
    let (_s1, a1, _d1) = scan_lines(&lines, &cfg());
    let (_s2, a2, _d2) = scan_lines(&lines, &cfg());
    let ids1: Vec<&str> = a1.iter().map(|a| a.id.as_str()).collect();
    let ids2: Vec<&str> = a2.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids1, ids2);
    let unique: std::collections::BTreeSet<&str> = ids1.iter().copied().collect();
    assert_eq!(unique.len(), ids1.len());
    assert!(ids1.iter().any(|id| id.starts_with("kkc-")));
}

#[test]
fn min_severity_and_detector_filters() {
    let c = Config { min_severity: Severity::Critical, ..cfg() };
    let (_s, alerts, _d) = scan_lines(&kms_story(None), &c);
    assert!(alerts.iter().all(|a| a.severity == Severity::Critical));
    assert_eq!(alerts.len(), 1);
    let c = Config { detectors: vec!["new-resource-access".into()], learn: 2 * DAY_US, ..cfg() };
    let (_s, alerts, _d) = scan_lines(&kms_story(None), &c);
    assert!(!alerts.is_empty());
    assert!(alerts.iter().all(|a| a.detector == "new-resource-access"));
}

#[test]
fn rare_process_looks_inside_excluded_folders_for_suspicious_starts() {
    let ps = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
    let cmd = r"C:\Windows\System32\cmd.exe";
    let w3wp = r"c:\windows\system32\inetsrv\w3wp.exe";
    let jenkins = r"C:\Program Files\Java\jre\bin\java.exe";
    let mut lines = Vec::new();
    for day in 1..=20 {
        lines.push(proc4688(&ts(day, 9, 0), "WEB-01", r"CORP\iis", r"C:\Tools\health.exe"));
        // A build agent: java starting cmd.exe every day is its routine.
        lines.push(proc4688_from(&ts(day, 10, 0), "CI-01", r"CORP\build", cmd, jenkins, "cmd.exe /c gradlew build"));
    }
    // A web shell: the IIS worker starts cmd.exe, then PowerShell with an encoded command.
    lines.push(proc4688_from(&ts(18, 11, 0), "WEB-01", r"CORP\iis", cmd, w3wp, "cmd.exe /c whoami"));
    lines.push(proc4688_from(&ts(18, 11, 1), "WEB-01", r"CORP\iis", ps, cmd, "powershell -nop -enc SQBFAFgA"));
    lines.push(proc4688_from(&ts(18, 11, 2), "WEB-01", r"CORP\iis", ps, cmd, "powershell -nop -enc SQBFAFgA"));
    // Mimikatz by name from a user folder: rare and an offensive tool.
    let mimi = r"C:\Users\iis\AppData\Local\Temp\m.exe";
    lines.push(proc4688_from(
        &ts(18, 11, 5),
        "WEB-01",
        r"CORP\iis",
        mimi,
        cmd,
        "m.exe privilege::debug sekurlsa::logonpasswords exit",
    ));
    // The build agent's routine after learning: quiet.
    lines.push(proc4688_from(&ts(19, 10, 0), "CI-01", r"CORP\build", cmd, jenkins, "cmd.exe /c gradlew test"));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let r = only(&alerts, "rare-process");
    let summaries: Vec<&String> = r.iter().map(|a| &a.summary).collect();
    assert_eq!(r.len(), 3, "{summaries:#?}");
    let shell = r.iter().find(|a| a.key[0].1 == cmd).expect("the web server's shell");
    assert_eq!(shell.enrichment["traits"][0]["class"], "unusual-parent");
    assert_eq!(shell.enrichment["rare"], false);
    assert_eq!(shell.severity, Severity::Medium);
    assert!(shell.mitre.contains(&"T1505.003"));
    let enc = r.iter().find(|a| a.key[0].1 == ps).expect("the encoded PowerShell");
    assert_eq!(enc.enrichment["traits"][0]["class"], "encoded-command");
    assert_eq!(enc.evidence.len(), 2, "the repeat is evidence, not a second alert");
    let m = r.iter().find(|a| a.key[0].1 == mimi).expect("mimikatz");
    assert_eq!(m.enrichment["rare"], true);
    assert_eq!(m.enrichment["traits"][0]["what"], "Mimikatz credential dump by name");
    assert!(m.severity >= Severity::Critical, "{:?}", m.severity_reasons);
    assert!(r.iter().all(|a| a.principal != r"CORP\build"), "the build agent's routine stays quiet");
}

#[test]
fn since_is_honoured_by_the_creation_detectors() {
    let lines = kms_story(None);
    let (_s, all, _d) = scan_lines(&lines, &cfg());
    let created = only(&all, "kms-key-created");
    assert!(!created.is_empty());
    let after = created.iter().map(|a| a.time).max().unwrap() + 1;
    let c = Config { since: Some(after), ..cfg() };
    let (_s, alerts, _d) = scan_lines(&lines, &c);
    assert!(only(&alerts, "kms-key-created").is_empty(), "creations before --since are baseline");
    assert!(only(&alerts, "bucket-created").iter().all(|a| a.time >= after));
}

#[test]
fn a_bucket_opened_to_everyone_after_creation_names_it_in_facts_and_checklist() {
    let who = "arn:aws:iam::111122223333:user/marco";
    let policy = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::exfil/*"}]});
    let lines = vec![
        aws(
            &ts(14, 22, 0),
            who,
            "s3.amazonaws.com",
            "CreateBucket",
            "192.0.2.9",
            json!({"requestParameters": {"bucketName": "exfil"}, "resources": [{"ARN": "arn:aws:s3:::exfil"}]}),
        ),
        aws(
            &ts(14, 22, 5),
            who,
            "s3.amazonaws.com",
            "PutBucketPolicy",
            "192.0.2.9",
            json!({"requestParameters": {"bucketName": "exfil", "bucketPolicy": policy}, "resources": [{"ARN": "arn:aws:s3:::exfil"}]}),
        ),
    ];
    let (store, alerts, _d) = scan_lines(&lines, &cfg());
    let b = only(&alerts, "bucket-created");
    assert_eq!(b.len(), 1, "{:?}", alerts.iter().map(|a| &a.summary).collect::<Vec<_>>());
    let access = b[0].facts.iter().find(|(k, _)| k == "access").map(|(_, v)| v.as_str()).unwrap();
    assert!(access.starts_with("set s3:GetObject to * (PUBLIC)"), "{access}");
    assert!(
        b[0].severity_reasons.iter().any(|r| r.starts_with("access to the bucket public: *")),
        "{:?}",
        b[0].severity_reasons
    );
    let book = trailwatch::playbook::builtin("bucket-created").unwrap();
    let step = book.investigate.iter().find(|s| s.id == "activity-in-bucket").unwrap();
    let answer = trailwatch::playbook::answer(step, b[0], &store);
    assert!(
        answer.summary.contains("1 opened outside the organisation or to everyone: set s3:GetObject to * (PUBLIC)"),
        "{}",
        answer.summary
    );
}
