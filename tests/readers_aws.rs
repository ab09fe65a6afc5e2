//! CloudTrail as analysts have it: pipeline forms (Splunk `_raw` exports, Athena and CloudTrail
//! Lake rows, Logstash `@timestamp` copies, `lookup-events` output) and the resource and target
//! derived from the request and response, on the real records in `tests/fixtures/` (see its
//! SOURCES.md), with concrete normalised values.

mod common;
use common::*;
use serde_json::{Value, json};

fn field<'a>(e: &'a Value, k: &str) -> &'a str {
    e[k].as_str().unwrap_or_else(|| panic!("field {k} missing in {e}"))
}

fn only(rel: &str) -> Value {
    let (ev, report) = events_of(rel);
    assert_eq!(report.skipped, 0, "{rel}: {:?}", report.skips);
    assert_eq!(ev.len(), 1, "{rel}");
    ev.into_iter().next().unwrap()
}

/// Loads crafted lines and returns their events.
fn events_of_lines(lines: &[Value]) -> Vec<Value> {
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    let (store, report, _dir) = load_bytes("rows.jsonl", text.join("\n").as_bytes());
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    store.events().iter().map(|e| trailwatch::output::event_json(&store, e)).collect()
}

#[test]
fn resource_and_target_from_the_request_on_real_records() {
    let dir = "aws-cloudtrail-services";
    let e = only(&format!("{dir}/elastic-integrations_test-attach-user-policy-json.log"));
    assert_eq!(field(&e, "cloud"), "aws");
    assert_eq!(field(&e, "time"), "2024-10-30T20:01:59Z");
    assert_eq!(field(&e, "principal"), "arn:aws:sts::000000000:assumed-role/ec2-instance-role/i-06815aa7cf7d21f8f");
    assert_eq!(field(&e, "operation"), "AttachUserPolicy");
    assert_eq!(field(&e, "source_ip"), "216.160.83.56");
    assert_eq!(field(&e, "outcome"), "success");
    // The account id of the source is 9 digits (anonymised): it is still the recipient's.
    assert_eq!(field(&e, "resource"), "arn:aws:iam::000000000:user/pwncloud-backdoor-user");
    assert_eq!(field(&e, "target"), "arn:aws:iam::aws:policy/AdministratorAccess");

    let e = only(&format!("{dir}/elastic-integrations_test-authorize-security-group-ingress-json.log"));
    assert_eq!(field(&e, "resource"), "sg-0f63fecfa17ef4fee");
    assert_eq!(field(&e, "target"), "203.0.113.0/24");

    let e = only(&format!("{dir}/elastic-integrations_test-delete-flow-log-json.log"));
    assert_eq!(field(&e, "resource"), "fl-07a9b55570fe770b6");
    assert_eq!(field(&e, "principal"), "arn:aws:iam::000000000:user/test@elastic.co");

    let e = only(&format!("{dir}/elastic-integrations_test-create-detector-json.log"));
    assert_eq!(
        field(&e, "resource"),
        "arn:aws:guardduty:us-east-1:00000000000:detector/82c919daa523bc69d203c24868c06849"
    );

    let e = only(&format!("{dir}/elastic-integrations_test-delete-log-group-json.log"));
    assert_eq!(field(&e, "resource"), "arn:aws:logs:us-east-1:000000000:log-group:cloudtrail-log-group-test");

    let e = only(&format!("{dir}/elastic-integrations_test-batch-get-secret-value-json.log"));
    assert_eq!(field(&e, "resource"), "arn:aws:secretsmanager:us-east-1:000000000:secret:MyTestSecret-nxYStj");

    // Lambda's versioned event name still finds its rule; the grantee is the target.
    let e = only(&format!("{dir}/elastic-integrations_test-add-permission-json.log"));
    assert_eq!(field(&e, "operation"), "AddPermission20150331v2");
    assert_eq!(field(&e, "resource"), "arn:aws:lambda:us-east-1:000000000:function:cloudtrail-events-test");
    assert_eq!(field(&e, "target"), "sns.amazonaws.com");

    // The topic's ARN is only in the response.
    let e = only(&format!("{dir}/elastic-integrations_test-create-topic-json.log"));
    assert_eq!(field(&e, "resource"), "arn:aws:sns:us-east-1:00000000000:pwncloud-data-exfiltration");
    assert_eq!(field(&e, "source_ip"), "000000000");
}

#[test]
fn resource_on_the_older_fixtures() {
    let e = only("aws-cloudtrail/awsdocs-cloudtrail_log-file-examples_StartInstances.json");
    assert_eq!(field(&e, "resource"), "i-ebeaf9e2");
    let e = only("aws-cloudtrail/awsdocs-cloudtrail_log-file-examples_AddUserToGroup.json");
    assert_eq!(field(&e, "resource"), "arn:aws:iam::123456789012:group/admin");
    assert_eq!(field(&e, "target"), "arn:aws:iam::123456789012:user/Bob");
    let e = only("aws-cloudtrail/stratus-red-team_cloudtrail-stop_detonation-logs.json");
    assert_eq!(
        field(&e, "resource"),
        "arn:aws:cloudtrail:apiso-centralnorth-2r:143434273843:trail/stratus-red-team-ct-stop-trail-buykxbqejv"
    );
}

#[test]
fn lookup_events_output_reads_the_embedded_record() {
    let e = only("aws-pipeline/aws-cli_lookup-events_ConsoleLogin.json");
    assert_eq!(field(&e, "time"), "2016-01-26T21:42:12Z");
    assert_eq!(field(&e, "principal"), "arn:aws:sts::123456789012:assumed-role/my-role/my-session-name");
    assert_eq!(field(&e, "operation"), "ConsoleLogin");
    assert_eq!(field(&e, "service"), "signin.amazonaws.com");
    assert_eq!(field(&e, "source_ip"), "72.21.198.70");
    assert_eq!(field(&e, "outcome"), "success");
    // A console login names no resource (documented choice).
    assert_eq!(field(&e, "resource"), "");
}

#[test]
fn athena_csv_result_with_hive_struct_identity() {
    // An Athena query result downloaded as CSV (the documented CloudTrail table's columns, struct
    // columns rendered as Hive text), carrying the AWS docs' CreateUser record.
    let e = only("aws-pipeline/athena-results_CreateUser_derived.csv");
    assert_eq!(field(&e, "cloud"), "aws");
    assert_eq!(field(&e, "time"), "2014-03-24T21:11:59Z");
    assert_eq!(field(&e, "principal"), "arn:aws:iam::123456789012:user/Alice");
    assert_eq!(field(&e, "principal_kind"), "user");
    assert_eq!(field(&e, "service"), "iam.amazonaws.com");
    assert_eq!(field(&e, "operation"), "CreateUser");
    assert_eq!(field(&e, "resource"), "arn:aws:iam::123456789012:user/Bob");
    assert_eq!(field(&e, "source_ip"), "127.0.0.1");
    assert_eq!(field(&e, "region"), "us-east-2");
    assert_eq!(field(&e, "outcome"), "success");
}

#[test]
fn athena_and_cloudtrail_lake_rows_in_every_cell_form() {
    // Athena CSV as the CSV reader hands it over: lower-case columns, Hive structs and arrays as
    // text, JSON columns parsed (or left as JSON text), an error code.
    let athena = json!({
        "eventversion": "1.08",
        "useridentity": "{type=AssumedRole, principalid=AROAEXAMPLE:s, arn=arn:aws:sts::111122223333:assumed-role/Admin/s, accountid=111122223333, invokedby=null, accesskeyid=ASIAEXAMPLE, username=null, sessioncontext={attributes={mfaauthenticated=false, creationdate=2024-01-01T00:00:00Z}, sessionissuer={type=Role, principalid=AROAEXAMPLE, arn=arn:aws:iam::111122223333:role/Admin, accountid=111122223333, username=Admin}}}",
        "eventtime": "2024-01-02T03:04:05Z",
        "eventsource": "s3.amazonaws.com",
        "eventname": "PutBucketPolicy",
        "awsregion": "eu-west-1",
        "sourceipaddress": "198.51.100.20",
        "useragent": "aws-cli/2.15.0",
        "errorcode": "AccessDenied",
        "errormessage": "Access Denied",
        "requestparameters": "{\"bucketName\":\"finance-reports\",\"Host\":\"finance-reports.s3.amazonaws.com\",\"policy\":\"\"}",
        "responseelements": null,
        "resources": "[{arn=arn:aws:s3:::finance-reports, accountid=111122223333, type=AWS::S3::Bucket}]",
        "recipientaccountid": "111122223333"
    });
    // CloudTrail Lake: camelCase columns, dotted names nested by the CSV reader, the request
    // a map printed in Hive form, the time with a space.
    let lake = json!({
        "eventTime": "2024-01-02 03:05:06.000",
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateAccessKey",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.21",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/ops"},
        "requestParameters": "{userName=backup-svc}",
        "responseElements": "{accessKey={accessKeyId=AKIAEXAMPLE2, status=Active, userName=backup-svc}}",
        "recipientAccountId": "111122223333"
    });
    let ev = events_of_lines(&[athena, lake]);
    assert_eq!(ev.len(), 2);
    let a = &ev[0];
    assert_eq!(field(a, "principal"), "arn:aws:sts::111122223333:assumed-role/Admin/s");
    assert_eq!(field(a, "principal_kind"), "service");
    assert_eq!(field(a, "operation"), "PutBucketPolicy");
    assert_eq!(field(a, "resource"), "arn:aws:s3:::finance-reports");
    assert_eq!(field(a, "outcome"), "failure");
    assert_eq!(field(a, "status"), "AccessDenied");
    let l = &ev[1];
    assert_eq!(field(l, "time"), "2024-01-02T03:05:06Z");
    assert_eq!(field(l, "principal"), "arn:aws:iam::111122223333:user/ops");
    assert_eq!(field(l, "resource"), "AKIAEXAMPLE2");
    assert_eq!(field(l, "target"), "arn:aws:iam::111122223333:user/backup-svc");
}

#[test]
fn logstash_copy_without_event_time_uses_at_timestamp() {
    let e = only("aws-pipeline/logstash-codec-cloudtrail_StopLogging.json");
    assert_eq!(field(&e, "time"), "2024-07-31T13:06:24Z");
    assert_eq!(field(&e, "operation"), "StopLogging");
    assert_eq!(field(&e, "service"), "cloudtrail.amazonaws.com");
    assert!(field(&e, "resource").ends_with(":trail/stratus-red-team-ct-stop-trail-buykxbqejv"));
}

#[test]
fn splunk_exports_read_the_raw_record() {
    for file in ["aws-pipeline/splunk-export_cloudtrail.jsonl", "aws-pipeline/splunk-results_cloudtrail.json"] {
        let (ev, report) = events_of(file);
        assert_eq!(report.skipped, 0, "{file}: {:?}", report.skips);
        assert_eq!(ev.len(), 2, "{file}");
        let del = ev.iter().find(|e| field(e, "operation") == "DeleteLogGroup").unwrap();
        assert_eq!(field(del, "time"), "2024-10-16T11:52:46Z");
        assert_eq!(field(del, "principal"), "arn:aws:iam::000000000:user/test@elastic.co");
        assert_eq!(field(del, "resource"), "arn:aws:logs:us-east-1:000000000:log-group:cloudtrail-log-group-test");
        let topic = ev.iter().find(|e| field(e, "operation") == "CreateTopic").unwrap();
        assert_eq!(field(topic, "principal"), "arn:aws:iam::00000000000:user/pwncloud-backdoor-user");
        assert_eq!(field(topic, "resource"), "arn:aws:sns:us-east-1:00000000000:pwncloud-data-exfiltration");
    }
}

#[test]
fn pipeline_rows_that_say_too_little_give_a_reason() {
    let (_, report, _d) =
        load_bytes("r.jsonl", br#"{"preview":false,"result":{"_time":"2024-01-01T00:00:00Z","host":"h"}}"#);
    assert_eq!(report.skipped, 1);
    assert!(report.skips[0].reason.contains("`_raw` missing"), "{}", report.skips[0].reason);
    let (_, report, _d) = load_bytes("r.jsonl", br#"{"result":{"_raw":5}}"#);
    assert_eq!(report.skipped, 1);
    assert!(report.skips[0].reason.contains("result._raw"), "{}", report.skips[0].reason);
    // An Athena row with a broken identity cell still reads, without a principal.
    let ev = events_of_lines(&[
        json!({"eventtime":"2024-01-01T00:00:00Z","eventsource":"ec2.amazonaws.com","eventname":"StopInstances","useridentity":"{type=", "requestparameters":{"instancesSet":{"items":[{"instanceId":"i-0abc"}]}}}),
    ]);
    assert_eq!(field(&ev[0], "resource"), "i-0abc");
    assert_eq!(field(&ev[0], "principal_kind"), "unknown");
}

#[test]
fn secondary_targets_on_stratus_detonation_records() {
    let dir = "aws-cloudtrail-services";
    let e = only(&format!("{dir}/stratus-red-team_ec2-share-ebs-snapshot_detonation-logs.json"));
    assert_eq!(field(&e, "time"), "2024-08-01T12:28:02Z");
    assert_eq!(field(&e, "principal"), "arn:aws:iam::756680937392:user/christophe");
    assert_eq!(field(&e, "operation"), "ModifySnapshotAttribute");
    assert_eq!(field(&e, "resource"), "snap-041993b54a9b3af6f");
    assert_eq!(field(&e, "target"), "098797384747", "the account the snapshot is shared with");
    assert_eq!(field(&e, "source_ip"), "253.76.43.253");

    let e = only(&format!("{dir}/stratus-red-team_rds-share-snapshot_detonation-logs.json"));
    assert_eq!(field(&e, "resource"), "arn:aws:rds:meiso-eastwest-2r:171471557522:snapshot:exfiltration");
    assert_eq!(field(&e, "target"), "503161813013");

    let e = only(&format!("{dir}/stratus-red-team_iam-backdoor-user_detonation-logs.json"));
    assert_eq!(field(&e, "resource"), "AKIAL80DWDVKKM0UXEER", "the key created");
    assert_eq!(field(&e, "target"), "arn:aws:iam::946986569305:user/stratus-red-team-backdoor-u-user");

    let e = only(&format!("{dir}/stratus-red-team_dns-delete-logs_detonation-logs.json"));
    assert_eq!(field(&e, "service"), "route53resolver.amazonaws.com");
    assert_eq!(field(&e, "resource"), "rqlc-4473f20ca554c07");
    assert_eq!(field(&e, "region"), "sa-central-3r");
}

#[test]
fn share_of_real_cloudtrail_events_with_a_resource() {
    // Every real (not derived) CloudTrail record in the fixtures; only console logins name none.
    let (store, report) = load_paths(&[fixture("aws-cloudtrail"), fixture("aws-cloudtrail-services")]);
    assert_eq!(report.skipped, 0);
    let events: Vec<Value> = store.events().iter().map(|e| trailwatch::output::event_json(&store, e)).collect();
    let without: Vec<&str> =
        events.iter().filter(|e| field(e, "resource").is_empty()).map(|e| field(e, "operation")).collect();
    assert!(without.iter().all(|op| *op == "ConsoleLogin"), "{without:?}");
    assert!(without.len() * 5 <= events.len(), "{} of {} without a resource", without.len(), events.len());
}

#[test]
fn lookup_events_rows_without_the_embedded_record() {
    // The rows of the AWS CLI example with `CloudTrailEvent` left out (`--query`), once with the
    // epoch-seconds time some CLI versions print, once with resources.
    let ev = events_of_lines(&[
        json!({"EventId":"654ccbc0-ba0d-486a-9076-dbf7274677a7","Username":"my-session-name","EventTime":"2021-11-18T09:41:02-08:00","EventName":"ConsoleLogin","Resources":[]}),
        json!({"EventId":"e2","Username":"alice","EventTime":1637257262.0,"EventName":"DeleteBucket","EventSource":"s3.amazonaws.com","Resources":[{"ResourceType":"AWS::S3::Bucket","ResourceName":"old-logs"}]}),
    ]);
    assert_eq!(ev.len(), 2);
    assert_eq!(field(&ev[0], "time"), "2021-11-18T17:41:02Z");
    assert_eq!(field(&ev[0], "principal"), "my-session-name");
    assert_eq!(field(&ev[0], "operation"), "ConsoleLogin");
    assert_eq!(field(&ev[1], "time"), "2021-11-18T17:41:02Z");
    assert_eq!(field(&ev[1], "resource"), "old-logs");
    assert_eq!(field(&ev[1], "service"), "s3.amazonaws.com");
    let (_, report, _d) = load_bytes("r.jsonl", br#"{"EventId":"x","EventName":"ConsoleLogin"}"#);
    assert_eq!(report.skipped, 1);
    assert!(report.skips[0].reason.contains("`EventTime` missing"), "{}", report.skips[0].reason);
}

#[test]
fn cloudtrail_lake_query_results() {
    let (ev, report) = events_of("aws-pipeline/awsdocs-cloudtrail_query-lake-examples_user-called-apis.json");
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 2);
    assert_eq!(field(&ev[0], "time"), "2023-01-22T16:53:53Z");
    assert_eq!(field(&ev[0], "operation"), "DescribeQuery");
    assert_eq!(field(&ev[0], "service"), "cloudtrail.amazonaws.com");
    assert_eq!(field(&ev[1], "time"), "2023-01-22T20:25:01Z");
    assert_eq!(field(&ev[1], "operation"), "ListBuckets");
    assert_eq!(field(&ev[1], "service"), "s3.amazonaws.com");
    // An identity column selected on its own (`useridentity.arn` comes back as `arn`).
    let ev = events_of_lines(&[
        json!({"QueryResultRows":[[{"eventTime":"2022-02-08 19:54:44.000"},{"arn":"arn:aws:sts::123456789012:assumed-role/example-identity"},{"awsRegion":"us-east-1"},{"eventSource":"signin.amazonaws.com"},{"eventName":"ConsoleLogin"}]]}),
    ]);
    assert_eq!(field(&ev[0], "principal"), "arn:aws:sts::123456789012:assumed-role/example-identity");
    assert_eq!(field(&ev[0], "region"), "us-east-1");
}
