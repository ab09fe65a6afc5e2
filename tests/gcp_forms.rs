//! GCP audit records in the forms analysts have them: `LogEntry` exports, BigQuery sink rows,
//! Log Analytics rows, Logs Explorer CSV rows (as the CSV reader hands them over: dotted columns
//! nested, every cell a string), Security Command Center findings, and records whose
//! `authenticationInfo` Google redacted. Fixtures and their sources: `tests/fixtures/SOURCES.md`.

mod common;
use common::*;
use serde_json::Value;
use trailwatch::ingest::fast;
use trailwatch::ingest::probe::{Parsed, parse_record_general};
use trailwatch::model::UNKNOWN_PRINCIPAL;

fn field<'a>(e: &'a Value, k: &str) -> &'a str {
    e[k].as_str().unwrap_or_else(|| panic!("field {k} missing in {e}"))
}

fn events_in(name: &str, text: &str) -> (Vec<Value>, trailwatch::ingest::LoadReport) {
    let (store, report, _d) = load_bytes(name, text.as_bytes());
    let ev = store.events().iter().map(|e| trailwatch::output::event_json(&store, e)).collect();
    (ev, report)
}

fn by_op<'a>(ev: &'a [Value], op: &str) -> Vec<&'a Value> {
    ev.iter().filter(|e| field(e, "operation") == op).collect()
}

#[test]
fn redacted_authentication_info_loads_with_the_placeholder() {
    // Google docs sample: a Cloud SQL automated backup (system event) with `authenticationInfo: {}`.
    let (ev, report) = events_of("gcp-audit/google-docs_cloudsql-automated-backup-audit-log.json");
    assert_eq!((report.records, report.skipped), (1, 0));
    let e = &ev[0];
    assert_eq!(field(e, "principal"), UNKNOWN_PRINCIPAL);
    assert_eq!(field(e, "principal_kind"), "unknown");
    assert_eq!(field(e, "cloud"), "gcp");
    assert_eq!(field(e, "time"), "2022-12-15T14:11:57.391565Z");
    assert_eq!(field(e, "service"), "cloudsql.googleapis.com");
    assert_eq!(field(e, "operation"), "cloudsql.instances.automatedBackup");
    assert_eq!(field(e, "resource"), "projects/ PROJECT_ID /instances/ INSTANCE_NAME ");
    assert_eq!(field(e, "region"), "REGION_NAME");
    assert_eq!(field(e, "source_ip"), "");
    // `status` with a message but no code is a success.
    assert_eq!(field(e, "outcome"), "success");

    // A denial whose principal Google removed (the shape stratus-red-team documents for a failed
    // impersonation), with `authenticationInfo` empty, null or absent.
    for auth in [r#""authenticationInfo":{},"#, r#""authenticationInfo":null,"#, ""] {
        let rec = format!(
            r#"{{"protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{{"code":7,"message":"PERMISSION_DENIED"}},{auth}"requestMetadata":{{"callerIp":"198.51.100.4"}},"serviceName":"iamcredentials.googleapis.com","methodName":"GenerateAccessToken","resourceName":"projects/-/serviceAccounts/103566171230474107362"}},"resource":{{"type":"service_account","labels":{{"project_id":"project-id"}}}},"timestamp":"2024-01-02T03:04:05Z","severity":"ERROR","logName":"projects/project-id/logs/cloudaudit.googleapis.com%2Fdata_access"}}"#
        );
        let (ev, report) = events_in("denied.jsonl", &rec);
        assert_eq!((ev.len(), report.skipped), (1, 0), "{rec}");
        assert_eq!(field(&ev[0], "principal"), UNKNOWN_PRINCIPAL);
        assert_eq!(field(&ev[0], "principal_kind"), "unknown");
        assert_eq!(field(&ev[0], "outcome"), "failure");
        assert_eq!(field(&ev[0], "status"), "PERMISSION_DENIED");
        assert_eq!(field(&ev[0], "source_ip"), "198.51.100.4");
        // The scanner gives the same, or declines.
        if let Some(d) = fast::event(&rec) {
            assert_eq!(d.principal, UNKNOWN_PRINCIPAL);
            assert!(matches!(parse_record_general(rec.as_bytes()), Ok(Parsed::Event(g)) if *g == d));
        }
    }
}

#[test]
fn principal_subject_is_kept_as_written() {
    let rec = |auth: &str| {
        format!(
            r#"{{"protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{auth},"serviceName":"storage.googleapis.com","methodName":"storage.objects.get","resourceName":"projects/_/buckets/b/objects/o"}},"resource":{{"type":"gcs_bucket","labels":{{"location":"us"}}}},"timestamp":"2024-05-06T07:08:09Z"}}"#
        )
    };
    let cases = [
        (
            r#"{"principalSubject":"principal://iam.googleapis.com/locations/global/workforcePools/corp-pool/subject/ann@example.com"}"#,
            "principal://iam.googleapis.com/locations/global/workforcePools/corp-pool/subject/ann@example.com",
            "user",
        ),
        (
            r#"{"principalSubject":"principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/subject/repo:org/app:ref:refs/heads/main"}"#,
            "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/subject/repo:org/app:ref:refs/heads/main",
            "service",
        ),
        (
            r#"{"principalEmail":"","principalSubject":"serviceAccount:ci@p.iam.gserviceaccount.com"}"#,
            "serviceAccount:ci@p.iam.gserviceaccount.com",
            "service",
        ),
        (r#"{"principalSubject":"user:ann@example.com"}"#, "user:ann@example.com", "user"),
        // principalEmail wins when both are present.
        (
            r#"{"principalEmail":"ann@example.com","principalSubject":"user:ann@example.com"}"#,
            "ann@example.com",
            "user",
        ),
    ];
    for (auth, principal, kind) in cases {
        let text = rec(auth);
        let (ev, report) = events_in("subject.jsonl", &text);
        assert_eq!((ev.len(), report.skipped), (1, 0), "{text}");
        assert_eq!(field(&ev[0], "principal"), principal);
        assert_eq!(field(&ev[0], "principal_kind"), kind, "{principal}");
        assert_eq!(field(&ev[0], "region"), "us");
        // The scanner takes these records and agrees with serde.
        let d = fast::event(&text).expect("the scanner reads a plain audit LogEntry");
        assert_eq!(d.principal, principal);
        assert!(matches!(parse_record_general(text.as_bytes()), Ok(Parsed::Event(g)) if *g == d));
    }
}

#[test]
fn bigquery_sink_rows() {
    let (ev, report) = events_of("gcp-export/bigquery-sink-rows_derived.jsonl");
    assert_eq!((report.records, report.skipped), (4, 0), "{:?}", report.skips);
    assert_eq!(ev.len(), 4);
    assert!(ev.iter().all(|e| field(e, "cloud") == "gcp"));

    // `2019-12-19 00:44:25.051 UTC`, INT64 `status.code` as text.
    let denied = by_op(&ev, "beta.compute.instances.aggregatedList")[0];
    assert_eq!(field(denied, "time"), "2019-12-19T00:44:25.051Z");
    assert_eq!(field(denied, "principal"), "xxx@xxx.xxx");
    assert_eq!(field(denied, "outcome"), "failure");
    assert_eq!(field(denied, "status"), "PERMISSION_DENIED");
    assert_eq!(field(denied, "resource"), "projects/elastic-beats/global/instances");
    assert_eq!(field(denied, "source_ip"), "192.168.1.1");
    assert_eq!(field(denied, "region"), "global");

    // Epoch seconds in exponent notation, as BigQuery's API writes a TIMESTAMP.
    let stop = by_op(&ev, "beta.compute.instances.stop")[0];
    assert_eq!(field(stop, "time"), "2020-08-05T16:56:40.428Z");
    assert_eq!(field(stop, "principal"), "user@mycompany.com");
    assert_eq!(field(stop, "principal_kind"), "user");
    assert_eq!(field(stop, "service"), "compute.googleapis.com");
    assert_eq!(field(stop, "resource"), "projects/foo/zones/us-central1-a/instances/win10-test");
    assert_eq!(field(stop, "source_ip"), "67.43.156.13");
    assert_eq!(field(stop, "region"), "us-central1-a");
    assert_eq!(field(stop, "outcome"), "success");

    let iam = by_op(&ev, "google.iam.admin.v1.ListServiceAccounts")[0];
    assert_eq!(field(iam, "time"), "2022-02-21T13:57:39.174555Z");
    assert_eq!(field(iam, "source_ip"), "gce-internal-ip");

    // `resourceLocation.currentLocations` gives the region when the resource has no location label.
    let topic = by_op(&ev, "google.pubsub.v1.Publisher.CreateTopic")[0];
    assert_eq!(field(topic, "time"), "2020-06-30T16:14:47.593398Z");
    assert_eq!(field(topic, "principal"), "robot@test-project.iam.gserviceaccount.com");
    assert_eq!(field(topic, "principal_kind"), "service");
    assert_eq!(field(topic, "region"), "asia-east1");
    assert_eq!(field(topic, "user_agent"), "google-cloud-sdk");
}

#[test]
fn bigquery_rows_as_csv_cells_and_epoch_numbers() {
    // What the CSV reader hands over for a BigQuery CSV export: nested, every cell a string.
    let csv_row = r#"{"timestamp":"2023-03-04 05:06:07.891 UTC","logName":"projects/p1/logs/cloudaudit.googleapis.com%2Factivity","insertId":"abc","severity":"NOTICE","resource":{"type":"gce_instance","labels":{"zone":"europe-west1-b","project_id":"p1"}},"protopayload_auditlog":{"serviceName":"compute.googleapis.com","methodName":"v1.compute.instances.delete","resourceName":"projects/p1/zones/europe-west1-b/instances/vm1","authenticationInfo":{"principalEmail":"ops@example.com"},"requestMetadata":{"callerIp":"203.0.113.5","callerSuppliedUserAgent":"gcloud"},"status":{"code":"0"},"servicedata_v1_iam":{"policyDelta":{}}}}"#;
    // A JSON export with a numeric epoch timestamp and the principal redacted.
    let epoch_row = r#"{"timestamp":1678000000.5,"logName":"projects/p1/logs/cloudaudit.googleapis.com%2Fdata_access","protopayload_auditlog":{"serviceName":"bigquery.googleapis.com","methodName":"jobservice.jobcompleted","authenticationInfo":null,"status":{"code":7,"message":"denied"}},"resource":{"type":"bigquery_resource","labels":{"project_id":"p1"}}}"#;
    let (ev, report) = events_in("bq.jsonl", &format!("{csv_row}\n{epoch_row}\n"));
    assert_eq!((ev.len(), report.skipped), (2, 0), "{:?}", report.skips);
    let del = by_op(&ev, "v1.compute.instances.delete")[0];
    assert_eq!(field(del, "time"), "2023-03-04T05:06:07.891Z");
    assert_eq!(field(del, "principal"), "ops@example.com");
    assert_eq!(field(del, "outcome"), "success");
    assert_eq!(field(del, "region"), "europe-west1-b");
    assert_eq!(field(del, "source_ip"), "203.0.113.5");
    let job = by_op(&ev, "jobservice.jobcompleted")[0];
    assert_eq!(field(job, "time"), "2023-03-05T07:06:40.500Z");
    assert_eq!(field(job, "principal"), UNKNOWN_PRINCIPAL);
    assert_eq!(field(job, "outcome"), "failure");
    assert_eq!(field(job, "status"), "PERMISSION_DENIED: denied");
}

#[test]
fn log_analytics_rows() {
    let (ev, report) = events_of("gcp-export/log-analytics-alllogs-rows_derived.json");
    assert_eq!((report.records, report.skipped), (3, 0), "{:?}", report.skips);
    let denied = by_op(&ev, "beta.compute.instances.aggregatedList")[0];
    assert_eq!(field(denied, "time"), "2019-12-19T00:44:25.051Z");
    assert_eq!(field(denied, "principal"), "xxx@xxx.xxx");
    assert_eq!(field(denied, "service"), "compute.googleapis.com");
    assert_eq!(field(denied, "outcome"), "failure");
    assert_eq!(field(denied, "status"), "PERMISSION_DENIED");
    assert_eq!(field(denied, "region"), "global");
    assert!(field(denied, "user_agent").starts_with("Mozilla/5.0"));
    // `resource.labels` given as JSON text.
    let stop = by_op(&ev, "beta.compute.instances.stop")[0];
    assert_eq!(field(stop, "principal"), "user@mycompany.com");
    assert_eq!(field(stop, "source_ip"), "67.43.156.13");
    assert_eq!(field(stop, "region"), "us-central1-a");
    assert_eq!(field(stop, "time"), "2020-08-05T16:56:40.428Z");
    let iam = by_op(&ev, "google.iam.admin.v1.ListServiceAccounts")[0];
    assert_eq!(field(iam, "principal"), "xxx@xxx.xxx");
    assert_eq!(field(iam, "resource"), "projects/project");

    // Non-audit rows of `_AllLogs` are valid rows of another kind.
    let other = r#"{"timestamp":"2024-01-01T00:00:00Z","log_name":"projects/p/logs/stdout","insert_id":"x","json_payload":{"message":"hi"},"proto_payload":null,"resource":{"type":"k8s_container","labels":"{\"cluster_name\":\"c\"}"}}"#;
    let (ev, report) = events_in("la.jsonl", other);
    assert_eq!((ev.len(), report.skipped), (0, 0), "{:?}", report.skips);
    assert_eq!(report.ignored.get("gcp: Log Analytics row without an audit payload"), Some(&1));
}

#[test]
fn logs_explorer_csv_rows() {
    // LogEntries as a Logs Explorer CSV download nests them: no `protoPayload.@type`, every cell a
    // string (`status.code` "7"), arrays as index-keyed objects (`currentLocations.0`).
    let (ev, report) = events_of("gcp-export/logs-explorer-csv-rows_derived.jsonl");
    assert_eq!((report.records, report.skipped), (3, 0), "{:?}", report.skips);
    let denied = by_op(&ev, "beta.compute.instances.aggregatedList")[0];
    assert_eq!(field(denied, "outcome"), "failure");
    assert_eq!(field(denied, "status"), "PERMISSION_DENIED");
    assert_eq!(field(denied, "time"), "2019-12-19T00:44:25.051Z");
    let stop = by_op(&ev, "beta.compute.instances.stop")[0];
    assert_eq!(field(stop, "principal"), "user@mycompany.com");
    assert_eq!(field(stop, "region"), "us-central1-a");
    assert_eq!(field(stop, "outcome"), "success");
    let topic = by_op(&ev, "google.pubsub.v1.Publisher.CreateTopic")[0];
    assert_eq!(field(topic, "region"), "asia-east1");
    assert_eq!(field(topic, "source_ip"), "192.168.0.1");
}

#[test]
fn security_command_center_findings_are_ignored_not_skipped() {
    // elastic/integrations: a `gcloud scc findings list` / API item and an empty
    // `listFindingsResults` page.
    let (ev, report) = events_of("gcp-scc/elastic-integrations_google_scc_test-finding.log");
    assert_eq!((ev.len(), report.skipped), (0, 0), "{:?}", report.skips);
    assert_eq!(report.ignored.get("gcp: Security Command Center finding"), Some(&1));
    // A Pub/Sub notification (GoogleCloudPlatform/security-response-automation test data).
    let (ev, report) = events_of("gcp-scc/security-response-automation_removenonorgmembers-notification.json");
    assert_eq!((ev.len(), report.skipped, report.records), (0, 0, 1), "{:?}", report.skips);
    assert_eq!(report.ignored.get("gcp: Security Command Center finding"), Some(&1));

    let finding = r#"{"name":"organizations/1/sources/2/findings/3","parent":"organizations/1/sources/2","resourceName":"//compute.googleapis.com/projects/p/zones/z/instances/i","state":"ACTIVE","category":"Persistence: IAM Anomalous Grant","eventTime":"2024-01-01T00:00:00Z"}"#;
    let log_entry = format!(
        r#"{{"insertId":"f1","jsonPayload":{{"finding":{finding},"resource":{{"name":"//compute.googleapis.com/projects/p"}}}},"logName":"organizations/1/logs/securitycenter.googleapis.com%2Ffindings","resource":{{"type":"organization"}},"timestamp":"2024-01-01T00:00:01Z"}}"#
    );
    let la_row = format!(
        r#"{{"timestamp":"2024-01-01T00:00:01Z","log_name":"organizations/1/logs/securitycenter.googleapis.com%2Ffindings","json_payload":{},"proto_payload":null}}"#,
        serde_json::to_string(&format!(r#"{{"finding":{finding}}}"#)).unwrap()
    );
    let listed = format!(r#"[{{"finding":{finding},"resource":{{"name":"//compute.googleapis.com/projects/p"}}}}]"#);
    let page = format!(
        r#"{{"listFindingsResults":[{{"finding":{finding},"stateChange":"UNUSED"}}],"readTime":"2024-01-01T00:00:00Z","totalSize":1}}"#
    );
    // A finding column exported as JSON text (CSV, BigQuery continuous export).
    let as_text = format!(
        r#"{{"source_id":"2","finding_id":"3","event_time":"2024-01-01T00:00:00Z","finding":{}}}"#,
        serde_json::to_string(finding).unwrap()
    );
    for text in [log_entry, la_row, listed, page, as_text] {
        let (ev, report) = events_in("scc.json", &text);
        assert_eq!((ev.len(), report.skipped), (0, 0), "{text}: {:?}", report.skips);
        assert_eq!(report.ignored.get("gcp: Security Command Center finding"), Some(&1), "{text}");
    }
}

#[test]
fn bad_gcp_export_rows_say_what_was_found() {
    let cases = [
        (r#"{"finding":"organizations/1/sources/2/findings/3","resource":{}}"#, "`finding` is not an object"),
        (r#"{"finding":{"x":1}}"#, "`finding` without Security Command Center fields"),
        (
            r#"{"protopayload_auditlog":"m","timestamp":"2024-01-01T00:00:00Z"}"#,
            "BigQuery audit row: wrong type in `protopayload_auditlog`",
        ),
        (
            r#"{"protopayload_auditlog":{"methodName":"m"},"timestamp":"yesterday"}"#,
            "BigQuery audit row: unparseable time in `timestamp`",
        ),
        (r#"{"protopayload_auditlog":{"methodName":"m"}}"#, "BigQuery audit row: missing time field `timestamp`"),
        (
            r#"{"protopayload_auditlog":{"status":{"code":"seven"}},"timestamp":"2024-01-01T00:00:00Z"}"#,
            "wrong type in `protopayload_auditlog.status.code`",
        ),
        (
            r#"{"protoPayload":{"status":{"code":"seven"}},"timestamp":"2024-01-01T00:00:00Z"}"#,
            "wrong type in `protoPayload.status.code`",
        ),
        (
            r#"{"proto_payload":{"audit_log":{"method_name":5}},"timestamp":"2024-01-01T00:00:00Z"}"#,
            "Log Analytics row: wrong type in `proto_payload.audit_log.method_name`",
        ),
        (r#"{"timestamp":{"a":1},"logName":"x"}"#, "wrong type in `timestamp`"),
    ];
    for (text, reason) in cases {
        let (ev, report) = events_in("bad.jsonl", text);
        assert_eq!((ev.len(), report.skipped), (0, 1), "{text}");
        assert!(report.skips[0].reason.contains(reason), "{text}: {}", report.skips[0].reason);
    }
}

#[test]
fn every_gcp_form_in_one_load_with_other_clouds() {
    let bq = std::fs::read_to_string(fixture("gcp-export/bigquery-sink-rows_derived.jsonl")).unwrap();
    let explorer = std::fs::read_to_string(fixture("gcp-export/logs-explorer-csv-rows_derived.jsonl")).unwrap();
    let entry =
        std::fs::read_to_string(fixture("gcp-audit/elastic-integrations_test-cloudresourcemanager-googleapis-com.log"))
            .unwrap();
    let scc = std::fs::read_to_string(fixture("gcp-scc/elastic-integrations_google_scc_test-finding.log")).unwrap();
    let aws = rec::aws(
        "2024-01-01T00:00:00Z",
        "arn:aws:iam::1:user/x",
        "s3.amazonaws.com",
        "ListBuckets",
        "1.2.3.4",
        serde_json::json!({}),
    );
    let azure = rec::azure(
        "2024-01-01T00:00:00Z",
        "a@b.c",
        "Microsoft.Compute/virtualMachines/write",
        "/subscriptions/s/x",
        "1.2.3.4",
        "Success",
    );
    let text = format!("{bq}{explorer}{entry}{scc}{aws}\n{azure}\n");
    let (ev, report) = events_in("mixed.jsonl", &text);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 4 + 3 + 1 + 2);
    assert_eq!(report.ignored.get("gcp: Security Command Center finding"), Some(&1));
    let clouds: std::collections::BTreeSet<&str> = ev.iter().map(|e| field(e, "cloud")).collect();
    assert_eq!(clouds, ["aws", "azure", "gcp"].into_iter().collect());
}

#[test]
fn scanner_agrees_on_principal_and_export_field_insertions() {
    // Every `{` of a real audit LogEntry gets each snippet inserted after it; the scanner must give
    // what serde gives, or decline.
    const SNIPPETS: [&str; 14] = [
        r#""authenticationInfo":{},"#,
        r#""authenticationInfo":{"principalEmail":""},"#,
        r#""principalEmail":"","#,
        r#""principalSubject":"principal://iam.googleapis.com/locations/global/workforcePools/p/subject/s","#,
        r#""principalSubject":"","#,
        r#""currentLocations":{"0":"us"},"#,
        r#""currentLocations":"us","#,
        r#""status":{"code":"7"},"#,
        r#""protopayload_auditlog":{},"#,
        r#""proto_payload":{"audit_log":{}},"#,
        r#""finding":{"name":"organizations/1/sources/2/findings/3"},"#,
        r#""jsonPayload":{"finding":{"category":"x"}},"#,
        r#""timestamp":1700000000,"#,
        r#""receive_timestamp":"2024-01-01 00:00:00 UTC","#,
    ];
    let base = std::fs::read_to_string(fixture("gcp-audit/elastic-integrations_test-audit.log")).unwrap();
    let base = base.lines().nth(6).unwrap(); // beta.compute.instances.stop
    let mut taken = 0;
    for (at, _) in base.match_indices('{') {
        for snip in SNIPPETS {
            let text = format!("{}{snip}{}", &base[..=at], &base[at + 1..]);
            let Some(fast) = fast::event(&text) else { continue };
            taken += 1;
            match parse_record_general(text.as_bytes()) {
                Ok(Parsed::Event(general)) => assert_eq!(*general, fast, "{text}"),
                other => panic!("scanner read an event where serde gives {other:?}: {text}"),
            }
        }
    }
    assert!(taken > 0);
}
