//! The `sensitive-operation` detector on crafted timelines (each cloud's documented record shape,
//! ten minutes long, no history) and on real published records.

mod common;
use common::rec::{aws, azure, gcp, gcp_req};
use common::{fixture, load_paths, scan_lines, ts};
use serde_json::json;
use trailwatch::detect::{Alert, Config, Severity};

fn cfg() -> Config {
    Config::default()
}

fn sensitive(alerts: &[Alert]) -> Vec<&Alert> {
    alerts.iter().filter(|a| a.detector == "sensitive-operation").collect()
}

fn by_entry<'a>(alerts: &'a [Alert], entry: &str) -> Vec<&'a Alert> {
    sensitive(alerts).into_iter().filter(|a| a.enrichment["catalogue_entry"] == entry).collect()
}

fn one<'a>(alerts: &'a [Alert], entry: &str) -> &'a Alert {
    let found = by_entry(alerts, entry);
    assert_eq!(found.len(), 1, "{entry}: {:?}", sensitive(alerts).iter().map(|a| &a.summary).collect::<Vec<_>>());
    found[0]
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const MALLORY: &str = "arn:aws:iam::111122223333:user/mallory";

fn params(p: serde_json::Value) -> serde_json::Value {
    json!({ "requestParameters": p })
}

#[test]
fn an_aws_ten_minute_export_with_no_history_alerts_on_what_matters() {
    let t = |m| ts(14, 10, m);
    let lines = vec![
        aws(&t(0), ALICE, "cloudtrail.amazonaws.com", "StopLogging", "198.51.100.7", params(json!({"name": "main"}))),
        aws(
            &t(1),
            ALICE,
            "iam.amazonaws.com",
            "AttachUserPolicy",
            "198.51.100.7",
            params(json!({"userName": "bob", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})),
        ),
        aws(
            &t(2),
            ALICE,
            "iam.amazonaws.com",
            "AttachUserPolicy",
            "198.51.100.7",
            params(json!({"userName": "carol", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})),
        ),
        aws(
            &t(3),
            ALICE,
            "ec2.amazonaws.com",
            "ModifySnapshotAttribute",
            "198.51.100.7",
            params(json!({"snapshotId": "snap-1", "attributeType": "CREATE_VOLUME_PERMISSION",
                "createVolumePermission": {"add": {"items": [{"group": "all"}]}}})),
        ),
        aws(
            &t(4),
            ALICE,
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            "198.51.100.7",
            params(json!({"groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 3389,
                "toPort": 3389, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}})),
        ),
        aws(&t(5), ALICE, "iam.amazonaws.com", "CreateAccessKey", "198.51.100.7", params(json!({"userName": "bob"}))),
        aws(&t(6), ALICE, "iam.amazonaws.com", "CreateAccessKey", "198.51.100.7", params(json!({}))),
        aws(&t(7), ALICE, "ec2.amazonaws.com", "DescribeInstances", "198.51.100.7", params(json!({}))),
    ];
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    assert_eq!(one(&alerts, "aws-cloudtrail-stopped").severity, Severity::High);
    let admin = one(&alerts, "aws-policy-attached");
    assert_eq!(admin.severity, Severity::High);
    assert_eq!(admin.enrichment["parameters"][0], "AdministratorAccess attached");
    assert_eq!(admin.mitre, ["T1098.003"]);
    assert!(admin.facts.iter().any(|(k, v)| k == "source" && v.contains("ATT&CK")));
    assert_eq!(one(&alerts, "aws-snapshot-shared").severity, Severity::High);
    assert_eq!(one(&alerts, "aws-ingress-open").severity, Severity::High);
    let key = one(&alerts, "aws-access-key-other");
    assert_eq!(key.severity, Severity::Medium, "a key for bob, not for alice herself");
    assert_eq!(sensitive(&alerts).len(), 5, "ReadOnlyAccess, an own key and a Describe raise nothing");
}

#[test]
fn a_denied_attempt_stays_visible_one_step_lower_and_probing_keeps_its_severity() {
    let stop = |m, who| {
        let mut v: serde_json::Value = serde_json::from_str(&aws(
            &ts(14, 10, m),
            who,
            "cloudtrail.amazonaws.com",
            "DeleteTrail",
            "203.0.113.9",
            params(json!({"name": "main"})),
        ))
        .unwrap();
        v["errorCode"] = json!("AccessDenied");
        v["errorMessage"] = json!("not authorized");
        v.to_string()
    };
    let (_s, alerts, _d) = scan_lines(&[stop(0, ALICE)], &cfg());
    let a = one(&alerts, "aws-cloudtrail-stopped");
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!(a.enrichment["failed"], true);
    let probing: Vec<String> = (0..6).map(|m| stop(m, MALLORY)).collect();
    let (_s, alerts, _d) = scan_lines(&probing, &cfg());
    let a = one(&alerts, "aws-cloudtrail-stopped");
    assert_eq!((a.severity, a.enrichment["attempts"].as_u64()), (Severity::High, Some(6)));
}

fn secret_read(m: u32, s: u32, who: &str) -> String {
    let t = format!("2026-10-14T10:{m:02}:{s:02}Z");
    aws(
        &t,
        who,
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        "10.0.0.5",
        params(json!({"secretId": format!("prod/{s}")})),
    )
}

#[test]
fn a_burst_of_secret_reads_alerts_and_a_few_reads_do_not() {
    let burst: Vec<String> = (0..20).map(|s| secret_read(0, s * 2, ALICE)).collect();
    let (_s, alerts, _d) = scan_lines(&burst, &cfg());
    let a = one(&alerts, "aws-secret-reads");
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!(a.enrichment["attempts"], 20);
    let few: Vec<String> = (0..5).map(|s| secret_read(0, s, ALICE)).collect();
    let (_s, alerts, _d) = scan_lines(&few, &cfg());
    assert!(sensitive(&alerts).is_empty(), "routine reads alone never alert");
}

#[test]
fn the_burst_threshold_scales_with_the_principals_own_history() {
    // A service that reads 9 secrets every ten minutes: 20 in a window is not 3× its habit.
    let habit = |then: usize| {
        let mut lines: Vec<String> = Vec::new();
        for m in [0, 12, 24] {
            lines.extend((0..9).map(|s| secret_read(m, s, ALICE)));
        }
        lines.extend((0..then as u32).map(|s| secret_read(40, s, ALICE)));
        lines
    };
    let (_s, alerts, _d) = scan_lines(&habit(20), &cfg());
    assert!(by_entry(&alerts, "aws-secret-reads").is_empty());
    let (_s, alerts, _d) = scan_lines(&habit(30), &cfg());
    assert_eq!(by_entry(&alerts, "aws-secret-reads").len(), 1, "30 reads pass 3× the busiest window (9)");
}

#[test]
fn gcp_records_by_their_request_and_policy_delta() {
    let who = "eve@example.com";
    let delta = |action: &str, role: &str, member: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&gcp(
            &ts(14, 10, 1),
            who,
            "cloudresourcemanager.googleapis.com",
            "SetIamPolicy",
            "projects/p1",
            "198.51.100.8",
            0,
        ))
        .unwrap();
        v["protoPayload"]["serviceData"] = json!({"@type": "type.googleapis.com/google.iam.v1.logging.AuditData",
            "policyDelta": {"bindingDeltas": [{"action": action, "role": role, "member": member}]}});
        v.to_string()
    };
    let lines = vec![
        gcp(
            &ts(14, 10, 0),
            who,
            "logging.googleapis.com",
            "google.logging.v2.ConfigServiceV2.DeleteSink",
            "projects/p1/sinks/audit",
            "198.51.100.8",
            0,
        ),
        delta("ADD", "roles/owner", "user:eve@evil.example"),
        gcp(
            &ts(14, 10, 2),
            who,
            "iam.googleapis.com",
            "google.iam.admin.v1.CreateServiceAccountKey",
            "projects/-/serviceAccounts/sa@p1.iam.gserviceaccount.com",
            "198.51.100.8",
            0,
        ),
        gcp_req(
            &ts(14, 10, 3),
            who,
            "compute.googleapis.com",
            "v1.compute.firewalls.insert",
            "projects/p1/global/firewalls/open",
            "198.51.100.8",
            json!({"sourceRanges": ["0.0.0.0/0"], "alloweds": [{"IPProtocol": "tcp", "ports": ["22"]}]}),
        ),
    ];
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    assert_eq!(one(&alerts, "gcp-logging-sink").severity, Severity::High);
    assert_eq!(one(&alerts, "gcp-iam-grant").severity, Severity::High);
    assert_eq!(one(&alerts, "gcp-service-account-key").severity, Severity::Medium);
    assert_eq!(one(&alerts, "gcp-firewall-open").severity, Severity::High);
    let (_s, alerts, _d) = scan_lines(&[delta("ADD", "roles/viewer", "user:bob@example.com")], &cfg());
    assert!(sensitive(&alerts).is_empty(), "a viewer grant is routine");
}

#[test]
fn azure_activity_and_entra_audit_records() {
    let owner =
        "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    let mut role: serde_json::Value = serde_json::from_str(&azure(
        &ts(14, 10, 0),
        "eve@contoso.com",
        "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
        "/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/ra1",
        "198.51.100.9",
        "Success",
    ))
    .unwrap();
    role["properties"]["requestbody"] =
        json!(json!({"Id": "ra1", "Properties": {"PrincipalId": "p", "RoleDefinitionId": owner, "Scope": "/subscriptions/s1"}}).to_string());
    let run = azure(
        &ts(14, 10, 1),
        "eve@contoso.com",
        "Microsoft.Compute/virtualMachines/runCommand/action",
        "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
        "198.51.100.9",
        "Success",
    );
    let diag = azure(
        &ts(14, 10, 2),
        "eve@contoso.com",
        "Microsoft.Insights/diagnosticSettings/delete",
        "/subscriptions/s1/providers/microsoft.insights/diagnosticSettings/toLA",
        "198.51.100.9",
        "Success",
    );
    let entra = |activity: &str, modified: serde_json::Value| {
        json!({"id": "x", "category": "ApplicationManagement", "correlationId": "c", "result": "success",
            "activityDisplayName": activity, "activityDateTime": "2026-10-14T10:03:00Z", "loggedByService": "Core Directory",
            "operationType": "Add", "initiatedBy": {"user": {"id": "u", "userPrincipalName": "eve@contoso.com", "ipAddress": "198.51.100.9"}},
            "targetResources": [{"id": "sp1", "displayName": "payroll-app", "type": "ServicePrincipal", "modifiedProperties": modified}],
            "additionalDetails": []})
        .to_string()
    };
    let creds = entra("Add service principal credentials", json!([]));
    let consent = entra(
        "Consent to application",
        json!([{"displayName": "ConsentContext.IsAdminConsent", "oldValue": null, "newValue": "\"True\""}]),
    );
    let (_s, alerts, _d) = scan_lines(&[role.to_string(), run, diag, creds, consent], &cfg());
    assert_eq!(one(&alerts, "azure-role-assignment").severity, Severity::High);
    assert_eq!(one(&alerts, "azure-run-command").severity, Severity::Medium);
    assert_eq!(one(&alerts, "azure-logging-removed").severity, Severity::High);
    assert_eq!(one(&alerts, "entra-credentials-added").severity, Severity::Medium);
    assert_eq!(one(&alerts, "entra-consent").severity, Severity::High);
}

#[test]
fn since_is_honoured() {
    let lines = vec![
        aws(&ts(1, 10, 0), ALICE, "cloudtrail.amazonaws.com", "StopLogging", "10.0.0.1", params(json!({}))),
        aws(&ts(14, 10, 0), ALICE, "cloudtrail.amazonaws.com", "DeleteTrail", "10.0.0.1", params(json!({}))),
    ];
    let since = trailwatch::time::parse_time("2026-10-10T00:00:00Z");
    let (_s, alerts, _d) = scan_lines(&lines, &Config { since, ..cfg() });
    let found = by_entry(&alerts, "aws-cloudtrail-stopped");
    assert_eq!(found.len(), 1);
    assert!(found[0].key.iter().any(|(_, v)| v == "DeleteTrail"));
}

#[test]
fn real_published_records_raise_medium_or_more_naming_the_key_operation() {
    for (file, op) in [
        ("aws-cloudtrail/stratus-red-team_cloudtrail-stop_detonation-logs.json", "StopLogging"),
        (
            "aws-cloudtrail-services/stratus-red-team_ec2-share-ebs-snapshot_detonation-logs.json",
            "ModifySnapshotAttribute",
        ),
        (
            "aws-cloudtrail-services/stratus-red-team_rds-share-snapshot_detonation-logs.json",
            "ModifyDBSnapshotAttribute",
        ),
        ("aws-cloudtrail-services/stratus-red-team_iam-backdoor-user_detonation-logs.json", "CreateAccessKey"),
        (
            "aws-cloudtrail-services/stratus-red-team_dns-delete-logs_detonation-logs.json",
            "DeleteResolverQueryLogConfig",
        ),
        ("aws-cloudtrail-services/elastic-integrations_test-attach-user-policy-json.log", "AttachUserPolicy"),
        ("aws-cloudtrail-services/elastic-integrations_test-delete-flow-log-json.log", "DeleteFlowLogs"),
        ("aws-pipeline/logstash-codec-cloudtrail_StopLogging.json", "StopLogging"),
        (
            "entra-audit/elastic-integrations_test-audit-logs-sample_sp-credentials.log",
            "Add service principal credentials",
        ),
    ] {
        let (store, _) = load_paths(&[fixture(file)]);
        let alerts = trailwatch::detect::run(&store, &cfg(), trailwatch::time::wall_now_us());
        let hit = sensitive(&alerts)
            .into_iter()
            .find(|a| a.severity >= Severity::Medium && a.key.iter().any(|(_, v)| v == op));
        assert!(
            hit.is_some(),
            "{file}: no medium alert naming {op}: {:?}",
            sensitive(&alerts).iter().map(|a| (&a.summary, a.severity)).collect::<Vec<_>>()
        );
    }
    // The published AttachUserPolicy attaches AdministratorAccess.
    let (store, _) =
        load_paths(&[fixture("aws-cloudtrail-services/elastic-integrations_test-attach-user-policy-json.log")]);
    let alerts = trailwatch::detect::run(&store, &cfg(), trailwatch::time::wall_now_us());
    assert_eq!(one(&alerts, "aws-policy-attached").severity, Severity::High);
    // A narrow ingress rule (a /24 on port 22) is not an exposure.
    let (store, _) = load_paths(&[fixture(
        "aws-cloudtrail-services/elastic-integrations_test-authorize-security-group-ingress-json.log",
    )]);
    let alerts = trailwatch::detect::run(&store, &cfg(), trailwatch::time::wall_now_us());
    assert!(by_entry(&alerts, "aws-ingress-open").is_empty());
}

#[test]
fn detectors_read_facts_extracted_at_load_not_files() {
    let line = aws(
        &ts(14, 10, 1),
        ALICE,
        "iam.amazonaws.com",
        "AttachUserPolicy",
        "10.0.0.1",
        params(json!({"userName": "bob", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})),
    );
    let (store, report, dir) = common::load_bytes("t.jsonl", line.as_bytes());
    assert_eq!(report.skipped, 0);
    drop(dir); // the file is gone: only the facts taken at load remain
    let facts = store.facts(0).expect("facts extracted at load");
    assert_eq!(facts.values("policyArn").next(), Some("arn:aws:iam::aws:policy/AdministratorAccess"));
    let alerts = trailwatch::detect::run(&store, &cfg(), trailwatch::time::wall_now_us());
    assert_eq!(one(&alerts, "aws-policy-attached").severity, Severity::High);
}

#[test]
fn an_address_first_used_minutes_earlier_reads_new_since_everywhere() {
    let day = trailwatch::time::DAY_US;
    let lines = vec![
        aws(&ts(1, 10, 0), ALICE, "ec2.amazonaws.com", "DescribeInstances", "10.0.0.1", params(json!({}))),
        aws(&ts(14, 10, 0), ALICE, "ec2.amazonaws.com", "DescribeInstances", "203.0.113.50", params(json!({}))),
        aws(&ts(14, 10, 5), ALICE, "cloudtrail.amazonaws.com", "StopLogging", "203.0.113.50", params(json!({}))),
    ];
    let (store, alerts, _d) = scan_lines(&lines, &Config { learn: day, ..cfg() });
    let a = one(&alerts, "aws-cloudtrail-stopped");
    let since = "new since 2026-10-14T10:00:00Z";
    // Detail: the key facts and the rendered enrichment.
    let from = a.facts.iter().find(|(k, _)| k == "from where").unwrap();
    assert!(from.1.starts_with(&format!("203.0.113.50 ({since} for the principal)")), "{}", from.1);
    let details = trailwatch::detect::render::details(&a.enrichment);
    let ip = details.iter().find(|d| d.label == "source IP").unwrap();
    assert_eq!(ip.lines, [format!("203.0.113.50 ({since} for the principal)")]);
    // Checklist and report: the playbook's source-ips answer.
    let pb = trailwatch::playbook::builtin("sensitive-operation").unwrap();
    let step = pb.step("source-ips").unwrap();
    let answer = trailwatch::playbook::answer(step, a, &store);
    assert_eq!(answer.summary, format!("1 address, 1 new to the principal: 203.0.113.50 ({since})"));
    // The baseline address stays known.
    let lines = vec![
        aws(&ts(1, 10, 0), ALICE, "ec2.amazonaws.com", "DescribeInstances", "10.0.0.1", params(json!({}))),
        aws(&ts(14, 10, 5), ALICE, "cloudtrail.amazonaws.com", "StopLogging", "10.0.0.1", params(json!({}))),
    ];
    let (store, alerts, _d) = scan_lines(&lines, &Config { learn: day, ..cfg() });
    let a = one(&alerts, "aws-cloudtrail-stopped");
    assert!(a.facts.iter().any(|(k, v)| k == "from where" && v.starts_with("10.0.0.1 (known)")));
    let answer = trailwatch::playbook::answer(step, a, &store);
    assert_eq!(answer.summary, "1 address, 0 new to the principal: 10.0.0.1 (known)");
}

#[test]
fn access_changes_in_real_published_records_read_as_typed_grants() {
    use trailwatch::detect::grants::{self, Change, Org, Reach};
    for (file, op, member, access, reach) in [
        (
            "aws-cloudtrail-services/elastic-integrations_test-attach-user-policy-json.log",
            "AttachUserPolicy",
            "user/pwncloud-backdoor-user",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            Reach::Unknown,
        ),
        (
            "gcp-audit/elastic-integrations_test-cloudresourcemanager-googleapis-com.log",
            "SetIamPolicy",
            "serviceAccount:project-id@cloudservices.gserviceaccount.com",
            "roles/resourcemanager.projectIamAdmin",
            Reach::Service,
        ),
    ] {
        let (store, _) = load_paths(&[fixture(file)]);
        let org = Org::learn(&store);
        let i = store.events().iter().position(|e| store.str(e.operation) == op).expect(op) as u32;
        let e = &store.events()[i as usize];
        let found = org.judge(grants::of_event(&store, e, store.facts(i)));
        assert_eq!(found.len(), 1, "{file}: {found:?}");
        let g = &found[0];
        assert_eq!(
            (g.grant.change, g.grant.member.as_str(), g.grant.access.as_str(), g.reach),
            (Change::Add, member, access, reach),
            "{file}"
        );
    }
}

#[test]
fn batched_reads_and_deletions_count_the_items_they_name() {
    let t = |m: u32, s: u32| format!("2026-10-14T10:{m:02}:{s:02}Z");
    let mut lines = Vec::new();
    // Three GetParameters calls of ten names each: thirty reads.
    for k in 0..3 {
        let names: Vec<String> = (0..10).map(|n| format!("/prod/app/secret-{k}-{n}")).collect();
        lines.push(aws(
            &t(1, k),
            MALLORY,
            "ssm.amazonaws.com",
            "GetParameters",
            "203.0.113.5",
            params(json!({"names": names, "withDecryption": true})),
        ));
    }
    // One DeleteObjects call of forty keys.
    let objects: Vec<serde_json::Value> = (0..40).map(|n| json!({"Key": format!("backup/{n}.tar")})).collect();
    lines.push(aws(
        &t(2, 0),
        MALLORY,
        "s3.amazonaws.com",
        "DeleteObjects",
        "203.0.113.5",
        params(json!({"bucketName": "finance-backups", "delete": {"Object": objects}})),
    ));
    // One bulk secret read.
    lines.push(aws(
        &t(3, 0),
        MALLORY,
        "secretsmanager.amazonaws.com",
        "BatchGetSecretValue",
        "203.0.113.5",
        params(json!({"filters": [{"key": "name", "values": ["prod"]}]})),
    ));
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let reads = one(&alerts, "aws-parameter-reads");
    assert!(
        reads.severity_reasons.iter().any(|r| r.starts_with("30 reads in 3 calls")),
        "{:?}",
        reads.severity_reasons
    );
    assert_eq!(one(&alerts, "aws-s3-mass-deletion").severity, Severity::Medium);
    assert_eq!(one(&alerts, "aws-secret-batch-read").severity, Severity::Medium);

    // A single GetParameters of three names is no burst.
    let lines = vec![aws(
        &t(1, 0),
        MALLORY,
        "ssm.amazonaws.com",
        "GetParameters",
        "203.0.113.5",
        params(json!({"names": ["a", "b", "c"]})),
    )];
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    assert!(by_entry(&alerts, "aws-parameter-reads").is_empty());
}

#[test]
fn a_principals_routine_is_context_unless_its_parameters_are_dangerous() {
    let run = |day: u32, doc: &str| {
        aws(
            &ts(day, 3, 0),
            "arn:aws:sts::111122223333:assumed-role/patching/ci",
            "ssm.amazonaws.com",
            "SendCommand",
            "10.0.0.9",
            params(json!({"documentName": doc, "instanceIds": ["i-0abc"]})),
        )
    };
    // A patch role runs shell scripts nightly: the shell-script document is a parameter that
    // matters, so even a routine keeps its rule's severity.
    let lines: Vec<String> = (1..=5).map(|d| run(d, "AWS-RunShellScript")).collect();
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let a = one(&alerts, "aws-ssm-command");
    assert_eq!(a.severity, Severity::Medium, "the shell-script rule is a parameter that matters");
    // Console sign-ins without MFA on many days stay visible, but the single one is medium.
    let login = |day: u32, who: &str| {
        aws(
            &ts(day, 9, 0),
            who,
            "signin.amazonaws.com",
            "ConsoleLogin",
            "198.51.100.7",
            json!({"additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com"}, "responseElements": {"ConsoleLogin": "Success"}}),
        )
    };
    let (_s, alerts, _d) = scan_lines(&[login(14, MALLORY)], &cfg());
    assert_eq!(one(&alerts, "aws-console-login-no-mfa").severity, Severity::Medium);
    // One impersonation with no history is medium; the same plain call on six days is the
    // principal's routine and drops to low.
    let token = |day: u32| {
        gcp(
            &ts(day, 4, 0),
            "ci@prod-app.iam.gserviceaccount.com",
            "iamcredentials.googleapis.com",
            "GenerateAccessToken",
            "projects/-/serviceAccounts/deployer@prod-app.iam.gserviceaccount.com",
            "10.0.0.4",
            0,
        )
    };
    let (_s, alerts, _d) = scan_lines(&[token(14)], &cfg());
    assert_eq!(one(&alerts, "gcp-sa-impersonation").severity, Severity::Medium, "one impersonation, no history");
    let lines: Vec<String> = (1..=6).map(token).collect();
    let (_s, alerts, _d) = scan_lines(&lines, &cfg());
    let a = one(&alerts, "gcp-sa-impersonation");
    assert_eq!(a.severity, Severity::Low, "{:?}", a.severity_reasons);
    assert!(a.severity_reasons.iter().any(|r| r.starts_with("routine for this principal: done on 6 days")));
}

#[test]
fn an_invited_guest_and_a_share_with_a_consumer_mailbox_are_outside_the_organisation() {
    let invite = json!({"id": "Directory_1", "category": "UserManagement", "result": "success",
        "activityDisplayName": "Invite external user", "activityDateTime": "2026-10-14T10:00:00Z",
        "loggedByService": "Invited Users", "operationType": "Add",
        "initiatedBy": {"user": {"id": "u1", "userPrincipalName": "alice@example.com", "ipAddress": "198.51.100.7"}},
        "targetResources": [{"id": "t1", "type": "User", "userPrincipalName": "eve_evil.example#EXT#@example.onmicrosoft.com", "modifiedProperties": []}]});
    let (_s, alerts, _d) = scan_lines(&[invite.to_string()], &cfg());
    assert_eq!(one(&alerts, "entra-user-created").severity, Severity::Medium);
    // Only service accounts act in this export, so no domain of the organisation is known; a
    // gmail member is outside all the same.
    let mut share: serde_json::Value = serde_json::from_str(&gcp(
        &ts(14, 10, 5),
        "deployer@prod-app.iam.gserviceaccount.com",
        "cloudresourcemanager.googleapis.com",
        "SetIamPolicy",
        "projects/prod-app",
        "203.0.113.8",
        0,
    ))
    .unwrap();
    share["protoPayload"]["serviceData"] = json!({"policyDelta": {"bindingDeltas": [
        {"action": "ADD", "role": "roles/viewer", "member": "user:someone@gmail.com"}
    ]}});
    let share = share.to_string();
    let (_s, alerts, _d) = scan_lines(&[share], &cfg());
    let a = one(&alerts, "gcp-iam-grant");
    assert_eq!(a.severity, Severity::Medium, "{:?}", a.severity_reasons);
    assert_eq!(a.enrichment["grants"][0]["reach"], "outside");
}
