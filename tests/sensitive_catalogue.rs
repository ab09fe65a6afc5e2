//! Every entry of the sensitive-operation catalogue on a crafted timeline (issue #18): one row per
//! entry, each a record in its cloud's documented shape, asserting the alert, its severity (the
//! entry's most severe rule, base or burst) and that its key names the operation. Entries that
//! alert only through a rule also get a benign look-alike that must stay quiet; burst entries get
//! a burst above the floor (one alert) and a handful of reads below it (none).
//!
//! Record shapes and parameter names follow the providers' documentation:
//! - AWS: CloudTrail record contents,
//!   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
//!   with `requestParameters` named as each service's API reference documents the request
//!   (https://docs.aws.amazon.com/<service>/latest/APIReference/).
//! - GCP: the AuditLog payload,
//!   https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog,
//!   and the IAM `AuditData` policy delta, https://cloud.google.com/iam/docs/audit-logging.
//! - Azure: the Activity Log REST schema,
//!   https://learn.microsoft.com/en-us/azure/azure-monitor/essentials/activity-log-schema; Key
//!   Vault `AuditEvent` records, https://learn.microsoft.com/en-us/azure/key-vault/general/logging;
//!   Entra audit logs as Graph `directoryAudit` objects,
//!   https://learn.microsoft.com/en-us/graph/api/resources/directoryaudit, with activity names from
//!   https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-audit-activities.
//!
//! Only documentation values: account 111122223333 (another: 444455556666), example.com,
//! 192.0.2.x / 203.0.113.x addresses.

mod common;
use common::rec::{aws, gcp};
use common::{scan_lines, ts};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use trailwatch::detect::sensitive::catalogue::catalogue;
use trailwatch::detect::{Alert, Config, Severity};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const IP: &str = "203.0.113.10";
const GCP_WHO: &str = "alice@example.com";
const AZ_WHO: &str = "alice@example.com";
const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";

/// One catalogue entry's crafted timeline.
struct Row {
    /// The catalogue entry id.
    entry: &'static str,
    /// The operation the alert's key must name.
    op: &'static str,
    /// The expected severity.
    severity: Severity,
    /// The records that must raise exactly one alert of the entry.
    hit: Vec<String>,
    /// Benign look-alike records that must raise no sensitive-operation alert.
    quiet: Vec<String>,
}

fn row(entry: &'static str, op: &'static str, severity: Severity, hit: Vec<String>) -> Row {
    Row { entry, op, severity, hit, quiet: Vec::new() }
}

impl Row {
    fn quiet(mut self, quiet: Vec<String>) -> Row {
        self.quiet = quiet;
        self
    }
}

// ───────────────────────────── record builders ─────────────────────────────

/// A CloudTrail record of a call by alice with its `requestParameters`.
fn ct(source: &str, name: &str, params: Value) -> String {
    ct_at(&ts(14, 10, 0), source, name, params)
}

fn ct_at(t: &str, source: &str, name: &str, params: Value) -> String {
    aws(t, ALICE, source, name, IP, json!({ "requestParameters": params }))
}

/// A GCP audit LogEntry with optional `request` and `serviceData` / `metadata`.
fn gc(service: &str, method: &str, resource: &str, request: Value) -> String {
    gc_with(&ts(14, 10, 0), service, method, resource, request, |_| {})
}

fn gc_with(t: &str, service: &str, method: &str, resource: &str, request: Value, more: impl Fn(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&gcp(t, GCP_WHO, service, method, resource, IP, 0)).unwrap();
    if !request.is_null() {
        v["protoPayload"]["request"] = request;
    }
    more(&mut v);
    v.to_string()
}

/// A GCP IAM policy change carrying its `serviceData.policyDelta`.
fn gc_delta(service: &str, method: &str, resource: &str, deltas: Value) -> String {
    gc_with(&ts(14, 10, 0), service, method, resource, Value::Null, |v| {
        v["protoPayload"]["serviceData"] = json!({
            "@type": "type.googleapis.com/google.iam.v1.logging.AuditData",
            "policyDelta": { "bindingDeltas": deltas }
        });
    })
}

/// An Azure Activity Log event in the REST form, `requestbody` held as a JSON string.
fn az(op: &str, resource: &str, body: Value) -> String {
    let provider = op.split('/').next().unwrap_or_default();
    json!({
        "authorization": { "action": op, "scope": resource },
        "caller": AZ_WHO,
        "channels": "Operation",
        "claims": { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": AZ_WHO, "ipaddr": IP },
        "correlationId": "aaaa0000-bb11-2222-33cc-444444dddddd",
        "eventDataId": format!("{op}-{resource}"),
        "eventName": { "value": "EndRequest", "localizedValue": "End request" },
        "category": { "value": "Administrative", "localizedValue": "Administrative" },
        "eventTimestamp": ts(14, 10, 0),
        "id": format!("{resource}/events/1/ticks/1"),
        "level": "Informational",
        "operationId": "04e575f8-48d0-4c43-a8b3-78c4eb01d287",
        "operationName": { "value": op, "localizedValue": op },
        "resourceProviderName": { "value": provider, "localizedValue": provider },
        "resourceId": resource,
        "status": { "value": "Succeeded", "localizedValue": "Succeeded" },
        "subStatus": { "value": "", "localizedValue": "" },
        "submissionTimestamp": ts(14, 10, 1),
        "subscriptionId": "00000000-0000-0000-0000-000000000000",
        "properties": {
            "statusCode": "OK",
            "serviceRequestId": "a4c11dbd-697e-47c5-9663-12362307157d",
            "responseBody": "",
            "requestbody": if body.is_null() { String::new() } else { body.to_string() }
        },
        "relatedEvents": []
    })
    .to_string()
}

/// An Entra audit event (Graph `directoryAudit`).
fn entra(activity: &str, category: &str, targets: Value) -> String {
    json!({
        "id": format!("Directory_{activity}"), "category": category,
        "correlationId": "aaaa0000-bb11-2222-33cc-444444dddddd", "result": "success", "resultReason": "",
        "activityDisplayName": activity, "activityDateTime": ts(14, 10, 0), "loggedByService": "Core Directory",
        "operationType": "Add",
        "initiatedBy": { "user": { "id": "11111111-1111-1111-1111-111111111111", "displayName": null,
            "userPrincipalName": AZ_WHO, "ipAddress": IP } },
        "targetResources": targets,
        "additionalDetails": []
    })
    .to_string()
}

fn prop(name: &str, old: &str, new: &str) -> Value {
    json!({ "displayName": name, "oldValue": old, "newValue": new })
}

/// A Key Vault `AuditEvent` record of a secret read.
fn kv_secret_get(t: &str, n: u32) -> String {
    let vault = format!("{SUB}/resourceGroups/rg-example/providers/Microsoft.KeyVault/vaults/kv-example");
    json!({
        "time": t, "resourceId": vault.to_uppercase(), "operationName": "SecretGet", "operationVersion": "7.4",
        "category": "AuditEvent", "resultType": "Success", "resultSignature": "OK", "resultDescription": "",
        "durationMs": "12", "callerIpAddress": IP, "correlationId": format!("c-{n}"),
        "identity": { "claim": { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": AZ_WHO,
            "appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46" } },
        "properties": { "clientInfo": "example-client/1.0",
            "requestUri": format!("https://kv-example.vault.azure.net/secrets/app-secret-{n}?api-version=7.4"),
            "id": format!("https://kv-example.vault.azure.net/secrets/app-secret-{n}/0123456789abcdef"),
            "httpStatusCode": 200 }
    })
    .to_string()
}

/// `count` reads `gap_s` seconds apart from 10:00:00.
fn reads(count: u32, gap_s: u32, read: impl Fn(&str, u32) -> String) -> Vec<String> {
    (0..count)
        .map(|n| {
            let s = n * gap_s;
            read(&format!("2026-10-14T10:{:02}:{:02}Z", s / 60, s % 60), n)
        })
        .collect()
}

// ───────────────────────────── the rows ─────────────────────────────

fn aws_rows() -> Vec<Row> {
    use Severity::*;
    let policy = |statement: Value| json!({ "Version": "2012-10-17", "Statement": [statement] }).to_string();
    let ingress = |cidr: &str, port: u16| {
        json!({ "groupId": "sg-0123456789abcdef0", "ipPermissions": { "items": [{ "ipProtocol": "tcp",
            "fromPort": port, "toPort": port, "groups": {}, "ipRanges": { "items": [{ "cidrIp": cidr }] },
            "ipv6Ranges": {}, "prefixListIds": {} }] } })
    };
    let secret = |t: &str, n: u32| {
        ct_at(t, "secretsmanager.amazonaws.com", "GetSecretValue", json!({ "secretId": format!("prod/app-{n}") }))
    };
    let parameter = |t: &str, n: u32| {
        ct_at(
            t,
            "ssm.amazonaws.com",
            "GetParameter",
            json!({ "name": format!("/prod/app/{n}"), "withDecryption": true }),
        )
    };
    vec![
        // CloudTrail API reference, StopLogging: Name.
        row(
            "aws-cloudtrail-stopped",
            "StopLogging",
            High,
            vec![ct(
                "cloudtrail.amazonaws.com",
                "StopLogging",
                json!({ "name": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events" }),
            )],
        ),
        // PutEventSelectors: TrailName, EventSelectors[].IncludeManagementEvents.
        row(
            "aws-cloudtrail-changed",
            "PutEventSelectors",
            High,
            vec![ct(
                "cloudtrail.amazonaws.com",
                "PutEventSelectors",
                json!({ "trailName": "management-events", "eventSelectors": [{ "readWriteType": "All",
                    "includeManagementEvents": false, "dataResources": [], "excludeManagementEventSources": [] }] }),
            )],
        ),
        // EC2 DeleteFlowLogs: FlowLogId.N, as CloudTrail records the EC2 query API.
        row(
            "aws-flow-logs-deleted",
            "DeleteFlowLogs",
            Medium,
            vec![ct(
                "ec2.amazonaws.com",
                "DeleteFlowLogs",
                json!({ "DeleteFlowLogsRequest": { "FlowLogId": { "content": "fl-0123456789abcdef0", "tag": 1 } } }),
            )],
        ),
        // Route 53 Resolver DeleteResolverQueryLogConfig: ResolverQueryLogConfigId.
        row(
            "aws-dns-query-logs-deleted",
            "DeleteResolverQueryLogConfig",
            Medium,
            vec![ct(
                "route53resolver.amazonaws.com",
                "DeleteResolverQueryLogConfig",
                json!({ "resolverQueryLogConfigId": "rqlc-0123456789abcdef" }),
            )],
        ),
        // CloudWatch Logs DeleteLogGroup: logGroupName.
        row(
            "aws-log-group-deleted",
            "DeleteLogGroup",
            Medium,
            vec![ct(
                "logs.amazonaws.com",
                "DeleteLogGroup",
                json!({ "logGroupName": "aws-cloudtrail-logs-111122223333-example" }),
            )],
        ),
        // GuardDuty DeleteDetector: detectorId (a path parameter).
        row(
            "aws-detection-disabled",
            "DeleteDetector",
            High,
            vec![ct(
                "guardduty.amazonaws.com",
                "DeleteDetector",
                json!({ "detectorId": "12abc34d567e8fa901bc2d34e56789f0" }),
            )],
        ),
        // Organizations LeaveOrganization: no request parameters.
        row(
            "aws-organization-left",
            "LeaveOrganization",
            High,
            vec![ct("organizations.amazonaws.com", "LeaveOrganization", Value::Null)],
        ),
        // IAM CreateUser: UserName, Path.
        row(
            "aws-iam-user-created",
            "CreateUser",
            Low,
            vec![ct("iam.amazonaws.com", "CreateUser", json!({ "userName": "backup-svc", "path": "/" }))],
        ),
        // IAM CreateLoginProfile: UserName, Password (never logged), PasswordResetRequired.
        row(
            "aws-login-profile",
            "CreateLoginProfile",
            Medium,
            vec![ct(
                "iam.amazonaws.com",
                "CreateLoginProfile",
                json!({ "userName": "bob", "passwordResetRequired": false }),
            )],
        ),
        // IAM CreateAccessKey: UserName (absent: the caller's own key).
        row(
            "aws-access-key-other",
            "CreateAccessKey",
            Medium,
            vec![ct("iam.amazonaws.com", "CreateAccessKey", json!({ "userName": "bob" }))],
        )
        .quiet(vec![
            ct("iam.amazonaws.com", "CreateAccessKey", json!({})),
            ct_at(&ts(14, 10, 1), "iam.amazonaws.com", "CreateAccessKey", json!({ "userName": "alice" })),
        ]),
        // IAM UpdateAssumeRolePolicy: RoleName, PolicyDocument (a JSON string).
        row(
            "aws-trust-policy",
            "UpdateAssumeRolePolicy",
            High,
            vec![ct(
                "iam.amazonaws.com",
                "UpdateAssumeRolePolicy",
                json!({ "roleName": "deploy", "policyDocument": policy(json!({ "Effect": "Allow",
                    "Principal": { "AWS": "*" }, "Action": "sts:AssumeRole" })) }),
            )],
        ),
        // STS GetFederationToken: Name, DurationSeconds, Policy.
        row(
            "aws-federation-token",
            "GetFederationToken",
            Medium,
            vec![ct(
                "sts.amazonaws.com",
                "GetFederationToken",
                json!({ "name": "example-session", "durationSeconds": 129600 }),
            )],
        ),
        // IAM Roles Anywhere CreateTrustAnchor: name, source.sourceType / sourceData, enabled.
        row(
            "aws-roles-anywhere",
            "CreateTrustAnchor",
            Medium,
            vec![ct(
                "rolesanywhere.amazonaws.com",
                "CreateTrustAnchor",
                json!({ "name": "example-anchor", "enabled": true, "source": { "sourceType": "CERTIFICATE_BUNDLE",
                    "sourceData": { "x509CertificateData": "-----BEGIN CERTIFICATE-----EXAMPLE" } } }),
            )],
        ),
        // IAM DeactivateMFADevice: UserName, SerialNumber.
        row(
            "aws-mfa-removed",
            "DeactivateMFADevice",
            Medium,
            vec![ct(
                "iam.amazonaws.com",
                "DeactivateMFADevice",
                json!({ "userName": "bob", "serialNumber": "arn:aws:iam::111122223333:mfa/bob" }),
            )],
        ),
        // IAM AttachUserPolicy: UserName, PolicyArn.
        row(
            "aws-policy-attached",
            "AttachUserPolicy",
            High,
            vec![ct(
                "iam.amazonaws.com",
                "AttachUserPolicy",
                json!({ "userName": "bob", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess" }),
            )],
        )
        .quiet(vec![ct(
            "iam.amazonaws.com",
            "AttachUserPolicy",
            json!({ "userName": "bob", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
        )]),
        // IAM PutUserPolicy: UserName, PolicyName, PolicyDocument (a JSON string).
        row(
            "aws-inline-policy",
            "PutUserPolicy",
            High,
            vec![ct(
                "iam.amazonaws.com",
                "PutUserPolicy",
                json!({ "userName": "bob", "policyName": "ops", "policyDocument":
                    policy(json!({ "Effect": "Allow", "Action": "*", "Resource": "*" })) }),
            )],
        )
        .quiet(vec![ct(
            "iam.amazonaws.com",
            "PutUserPolicy",
            json!({ "userName": "bob", "policyName": "read-reports", "policyDocument": policy(json!({
                "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::example-reports/*" })) }),
        )]),
        // IAM AddUserToGroup: GroupName, UserName.
        row(
            "aws-admin-group",
            "AddUserToGroup",
            Medium,
            vec![ct("iam.amazonaws.com", "AddUserToGroup", json!({ "groupName": "Admins", "userName": "bob" }))],
        )
        .quiet(vec![ct(
            "iam.amazonaws.com",
            "AddUserToGroup",
            json!({ "groupName": "Developers", "userName": "bob" }),
        )]),
        // EC2 ModifySnapshotAttribute: SnapshotId, Attribute, CreateVolumePermission.Add[].Group.
        row(
            "aws-snapshot-shared",
            "ModifySnapshotAttribute",
            High,
            vec![ct(
                "ec2.amazonaws.com",
                "ModifySnapshotAttribute",
                json!({ "snapshotId": "snap-0123456789abcdef0", "attributeType": "CREATE_VOLUME_PERMISSION",
                    "createVolumePermission": { "add": { "items": [{ "group": "all" }] } } }),
            )],
        )
        .quiet(vec![ct(
            "ec2.amazonaws.com",
            "ModifySnapshotAttribute",
            json!({ "snapshotId": "snap-0123456789abcdef0", "attributeType": "CREATE_VOLUME_PERMISSION",
                "createVolumePermission": { "remove": { "items": [{ "userId": "444455556666" }] } } }),
        )]),
        // EC2 ModifyImageAttribute: ImageId, LaunchPermission.Add[].Group.
        row(
            "aws-ami-shared",
            "ModifyImageAttribute",
            High,
            vec![ct(
                "ec2.amazonaws.com",
                "ModifyImageAttribute",
                json!({ "imageId": "ami-0123456789abcdef0", "attributeType": "launchPermission",
                    "launchPermission": { "add": { "items": [{ "group": "all" }] } } }),
            )],
        )
        .quiet(vec![ct(
            "ec2.amazonaws.com",
            "ModifyImageAttribute",
            json!({ "imageId": "ami-0123456789abcdef0", "attributeType": "description",
                "description": { "value": "golden image" } }),
        )]),
        // RDS ModifyDBSnapshotAttribute: DBSnapshotIdentifier, AttributeName, ValuesToAdd.
        row(
            "aws-db-snapshot-shared",
            "ModifyDBSnapshotAttribute",
            High,
            vec![ct(
                "rds.amazonaws.com",
                "ModifyDBSnapshotAttribute",
                json!({ "dBSnapshotIdentifier": "example-db-snapshot", "attributeName": "restore",
                    "valuesToAdd": ["all"] }),
            )],
        )
        .quiet(vec![ct(
            "rds.amazonaws.com",
            "ModifyDBSnapshotAttribute",
            json!({ "dBSnapshotIdentifier": "example-db-snapshot", "attributeName": "restore",
                "valuesToRemove": ["444455556666"] }),
        )]),
        // S3 PutBucketPolicy: Bucket, Policy (CloudTrail records it as `bucketPolicy`).
        row(
            "aws-s3-public",
            "PutBucketPolicy",
            High,
            vec![ct(
                "s3.amazonaws.com",
                "PutBucketPolicy",
                json!({ "bucketName": "example-bucket", "Host": "example-bucket.s3.us-east-1.amazonaws.com",
                    "policy": [""], "bucketPolicy": { "Version": "2012-10-17", "Statement": [{ "Sid": "Public",
                    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::example-bucket/*" }] } }),
            )],
        )
        .quiet(vec![ct(
            "s3.amazonaws.com",
            "PutBucketPolicy",
            json!({ "bucketName": "example-bucket", "Host": "example-bucket.s3.us-east-1.amazonaws.com",
                "policy": [""], "bucketPolicy": { "Version": "2012-10-17", "Statement": [{ "Sid": "Reader",
                "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/reader" },
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*" }] } }),
        )]),
        // KMS PutKeyPolicy: KeyId, PolicyName, Policy (a JSON string).
        row(
            "aws-kms-key-access",
            "PutKeyPolicy",
            High,
            vec![ct(
                "kms.amazonaws.com",
                "PutKeyPolicy",
                json!({ "keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "policyName": "default",
                    "policy": policy(json!({ "Sid": "Everyone", "Effect": "Allow", "Principal": { "AWS": "*" },
                    "Action": "kms:Decrypt", "Resource": "*" })) }),
            )],
        )
        .quiet(vec![ct(
            "kms.amazonaws.com",
            "PutKeyPolicy",
            json!({ "keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "policyName": "default",
                "policy": policy(json!({ "Sid": "Account", "Effect": "Allow",
                "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" })) }),
        )]),
        // EC2 AuthorizeSecurityGroupIngress: GroupId, IpPermissions[].IpRanges[].CidrIp.
        row(
            "aws-ingress-open",
            "AuthorizeSecurityGroupIngress",
            High,
            vec![ct("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ingress("0.0.0.0/0", 22))],
        )
        .quiet(vec![ct("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ingress("192.0.2.0/24", 22))]),
        // EC2 GetPasswordData: InstanceId.
        row(
            "aws-instance-password",
            "GetPasswordData",
            Medium,
            vec![ct("ec2.amazonaws.com", "GetPasswordData", json!({ "instanceId": "i-0123456789abcdef0" }))],
        ),
        // Secrets Manager GetSecretValue: SecretId.
        row("aws-secret-reads", "GetSecretValue", Medium, reads(12, 20, secret)).quiet(reads(5, 20, secret)),
        // BatchGetSecretValue: SecretIdList or Filters (up to 20 secrets per call).
        row(
            "aws-secret-batch-read",
            "BatchGetSecretValue",
            Medium,
            vec![ct(
                "secretsmanager.amazonaws.com",
                "BatchGetSecretValue",
                json!({ "filters": [{ "key": "name", "values": ["prod/"] }], "maxResults": 20 }),
            )],
        ),
        // S3 DeleteObjects (data event): delete.Object[].Key — one call of 40 keys is 40 deletions.
        row(
            "aws-s3-mass-deletion",
            "DeleteObjects",
            Medium,
            vec![ct(
                "s3.amazonaws.com",
                "DeleteObjects",
                json!({ "bucketName": "example-backups", "Host": "example-backups.s3.amazonaws.com",
                    "delete": { "Object": (0..40).map(|n| json!({ "Key": format!("db/{n}.bak") })).collect::<Vec<_>>(),
                        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/" } }),
            )],
        )
        .quiet(vec![ct(
            "s3.amazonaws.com",
            "DeleteObjects",
            json!({ "bucketName": "example-backups", "delete": { "Object": [{ "Key": "tmp/a" }, { "Key": "tmp/b" }] } }),
        )]),
        // S3 PutBucketLifecycle: LifecycleConfiguration.Rule.Expiration.Days.
        row(
            "aws-s3-lifecycle-expiry",
            "PutBucketLifecycle",
            Medium,
            vec![ct(
                "s3.amazonaws.com",
                "PutBucketLifecycle",
                json!({ "bucketName": "example-trail-logs", "lifecycle": "", "LifecycleConfiguration": { "Rule": {
                    "ID": "nuke", "Status": "Enabled", "Filter": { "Prefix": "" }, "Expiration": { "Days": 1 } } } }),
            )],
        )
        .quiet(vec![ct(
            "s3.amazonaws.com",
            "PutBucketLifecycle",
            json!({ "bucketName": "example-logs", "LifecycleConfiguration": { "Rule": {
                "ID": "archive", "Status": "Enabled", "Expiration": { "Days": 365 } } } }),
        )]),
        // Lambda AddPermission: Principal, Action, FunctionName.
        row(
            "aws-lambda-permission",
            "AddPermission20150331v2",
            High,
            vec![ct(
                "lambda.amazonaws.com",
                "AddPermission20150331v2",
                json!({ "functionName": "example-fn", "statementId": "backdoor", "action": "lambda:InvokeFunction", "principal": "*" }),
            )],
        ),
        // Lambda UpdateFunctionCode: FunctionName, ZipFile (not logged).
        row(
            "aws-lambda-code",
            "UpdateFunctionCode20150331v2",
            Medium,
            vec![ct(
                "lambda.amazonaws.com",
                "UpdateFunctionCode20150331v2",
                json!({ "functionName": "example-fn", "publish": false }),
            )],
        )
        .quiet(vec![ct(
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            json!({ "functionName": "example-fn", "timeout": 30 }),
        )]),
        // ConsoleLogin: additionalEventData.MFAUsed.
        row(
            "aws-console-login-no-mfa",
            "ConsoleLogin",
            Medium,
            vec![aws(
                &ts(14, 10, 0),
                ALICE,
                "signin.amazonaws.com",
                "ConsoleLogin",
                IP,
                json!({ "requestParameters": null, "responseElements": { "ConsoleLogin": "Success" },
                    "additionalEventData": { "LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No" } }),
            )],
        )
        .quiet(vec![aws(
            &ts(14, 10, 0),
            ALICE,
            "signin.amazonaws.com",
            "ConsoleLogin",
            IP,
            json!({ "requestParameters": null, "responseElements": { "ConsoleLogin": "Success" },
                "additionalEventData": { "MFAUsed": "Yes", "MFAIdentifier": "arn:aws:iam::111122223333:mfa/alice" } }),
        )]),
        // Systems Manager GetParameter: Name, WithDecryption.
        row("aws-parameter-reads", "GetParameter", Medium, reads(12, 20, parameter)).quiet(reads(5, 20, parameter)),
        // Systems Manager SendCommand: DocumentName, InstanceIds, Parameters (never logged).
        row(
            "aws-ssm-command",
            "SendCommand",
            Medium,
            vec![ct(
                "ssm.amazonaws.com",
                "SendCommand",
                json!({ "documentName": "AWS-RunShellScript", "instanceIds": ["i-0123456789abcdef0"],
                    "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS", "interactive": false }),
            )],
        ),
        // EC2 Instance Connect SendSSHPublicKey: InstanceId, InstanceOSUser, SSHPublicKey.
        row(
            "aws-instance-connect",
            "SendSSHPublicKey",
            Medium,
            vec![ct(
                "ec2-instance-connect.amazonaws.com",
                "SendSSHPublicKey",
                json!({ "instanceId": "i-0123456789abcdef0", "instanceOSUser": "ec2-user",
                    "sSHPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEXAMPLE example" }),
            )],
        ),
        // EC2 ModifyInstanceAttribute: InstanceId, UserData (CloudTrail removes its value).
        row(
            "aws-user-data",
            "ModifyInstanceAttribute",
            Medium,
            vec![ct(
                "ec2.amazonaws.com",
                "ModifyInstanceAttribute",
                json!({ "instanceId": "i-0123456789abcdef0", "userData": "<sensitiveDataRemoved>" }),
            )],
        )
        .quiet(vec![ct(
            "ec2.amazonaws.com",
            "ModifyInstanceAttribute",
            json!({ "instanceId": "i-0123456789abcdef0", "instanceType": { "value": "m5.large" } }),
        )]),
        // EC2 RunInstances: ImageId, InstanceType, MinCount, MaxCount.
        row(
            "aws-gpu-instances",
            "RunInstances",
            Medium,
            vec![ct(
                "ec2.amazonaws.com",
                "RunInstances",
                json!({ "instancesSet": { "items": [{ "imageId": "ami-0123456789abcdef0", "minCount": 4,
                    "maxCount": 4 }] }, "instanceType": "p4d.24xlarge", "monitoring": { "enabled": false } }),
            )],
        )
        .quiet(vec![ct(
            "ec2.amazonaws.com",
            "RunInstances",
            json!({ "instancesSet": { "items": [{ "imageId": "ami-0123456789abcdef0", "minCount": 1,
                "maxCount": 1 }] }, "instanceType": "t3.micro", "monitoring": { "enabled": false } }),
        )]),
        // Bedrock model access (console-driven): modelId.
        row(
            "aws-bedrock-access",
            "PutFoundationModelEntitlement",
            Medium,
            vec![ct(
                "bedrock.amazonaws.com",
                "PutFoundationModelEntitlement",
                json!({ "modelId": "amazon.titan-text-express-v1" }),
            )],
        ),
    ]
}

fn gcp_rows() -> Vec<Row> {
    use Severity::*;
    let project = "projects/example-project";
    let crm = "cloudresourcemanager.googleapis.com";
    let binding =
        |action: &str, role: &str, member: &str| json!([{ "action": action, "role": role, "member": member }]);
    let firewall = |range: &str| {
        gc(
            "compute.googleapis.com",
            "v1.compute.firewalls.insert",
            "projects/example-project/global/firewalls/allow-admin",
            json!({ "@type": "type.googleapis.com/compute.firewalls.insert", "name": "allow-admin",
                "network": "https://www.googleapis.com/compute/v1/projects/example-project/global/networks/default",
                "direction": "INGRESS", "priority": "1000", "sourceRanges": [range],
                "alloweds": [{ "IPProtocol": "tcp", "ports": ["22"] }] }),
        )
    };
    let access = |t: &str, n: u32| {
        gc_with(
            t,
            "secretmanager.googleapis.com",
            "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion",
            &format!("projects/123456789012/secrets/app-secret-{n}/versions/latest"),
            json!({ "@type": "type.googleapis.com/google.cloud.secretmanager.v1.AccessSecretVersionRequest",
                "name": format!("projects/123456789012/secrets/app-secret-{n}/versions/latest") }),
            |v| v["logName"] = json!("projects/example-project/logs/cloudaudit.googleapis.com%2Fdata_access"),
        )
    };
    let insert = |machine: &str| {
        gc(
            "compute.googleapis.com",
            "v1.compute.instances.insert",
            "projects/example-project/zones/us-central1-a/instances/worker-1",
            json!({ "@type": "type.googleapis.com/compute.instances.insert", "name": "worker-1",
                "machineType": format!("https://www.googleapis.com/compute/v1/projects/example-project/zones/us-central1-a/machineTypes/{machine}") }),
        )
    };
    vec![
        // Resource Manager v3 Projects.MoveProject: name, destinationParent.
        row(
            "gcp-project-moved",
            "google.cloud.resourcemanager.v3.Projects.MoveProject",
            High,
            vec![gc(
                crm,
                "google.cloud.resourcemanager.v3.Projects.MoveProject",
                project,
                json!({ "@type": "type.googleapis.com/google.cloud.resourcemanager.v3.MoveProjectRequest",
                    "name": project, "destinationParent": "folders/123456789012" }),
            )],
        )
        .quiet(vec![gc(
            crm,
            "google.cloud.resourcemanager.v3.Projects.UpdateProject",
            project,
            json!({ "@type": "type.googleapis.com/google.cloud.resourcemanager.v3.UpdateProjectRequest",
                "project": { "name": project, "displayName": "Example project" }, "updateMask": "displayName" }),
        )]),
        // IAM UploadServiceAccountKey: name, publicKeyData.
        row(
            "gcp-service-account-key",
            "google.iam.admin.v1.UploadServiceAccountKey",
            High,
            vec![gc(
                "iam.googleapis.com",
                "google.iam.admin.v1.UploadServiceAccountKey",
                "projects/-/serviceAccounts/app@example-project.iam.gserviceaccount.com",
                json!({ "@type": "type.googleapis.com/google.iam.admin.v1.UploadServiceAccountKeyRequest",
                    "name": "projects/-/serviceAccounts/app@example-project.iam.gserviceaccount.com",
                    "publicKeyData": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tRVhBTVBMRQ==" }),
            )],
        ),
        // Cloud Storage setIamPermissions: serviceData.policyDelta.bindingDeltas.
        row(
            "gcp-bucket-public",
            "storage.setIamPermissions",
            High,
            vec![gc_delta(
                "storage.googleapis.com",
                "storage.setIamPermissions",
                "projects/_/buckets/example-bucket",
                binding("ADD", "roles/storage.objectViewer", "allUsers"),
            )],
        )
        .quiet(vec![gc_delta(
            "storage.googleapis.com",
            "storage.setIamPermissions",
            "projects/_/buckets/example-bucket",
            binding("ADD", "roles/storage.objectViewer", "user:bob@example.com"),
        )]),
        // Resource Manager SetIamPolicy: serviceData.policyDelta.bindingDeltas.
        row(
            "gcp-iam-grant",
            "SetIamPolicy",
            High,
            vec![gc_delta(crm, "SetIamPolicy", project, binding("ADD", "roles/owner", "user:bob@example.com"))],
        )
        .quiet(vec![gc_delta(
            crm,
            "SetIamPolicy",
            project,
            binding("ADD", "roles/viewer", "user:bob@example.com"),
        )]),
        // Compute firewalls.insert: sourceRanges, alloweds[].IPProtocol / ports.
        row("gcp-firewall-open", "v1.compute.firewalls.insert", High, vec![firewall("0.0.0.0/0")])
            .quiet(vec![firewall("192.0.2.0/24")]),
        // Secret Manager AccessSecretVersion (data access log): name.
        row(
            "gcp-secret-reads",
            "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion",
            Medium,
            reads(12, 20, access),
        )
        .quiet(reads(5, 20, access)),
        // Compute instances.setMetadata: metadata.instanceMetadataDelta.addedMetadataKeys.
        row(
            "gcp-ssh-metadata",
            "v1.compute.instances.setMetadata",
            Medium,
            vec![gc_with(
                &ts(14, 10, 0),
                "compute.googleapis.com",
                "v1.compute.instances.setMetadata",
                "projects/example-project/zones/us-central1-a/instances/web-1",
                json!({ "@type": "type.googleapis.com/compute.instances.setMetadata" }),
                |v| {
                    v["protoPayload"]["metadata"] =
                        json!({ "instanceMetadataDelta": { "addedMetadataKeys": ["ssh-keys"] } });
                },
            )],
        )
        .quiet(vec![gc_with(
            &ts(14, 10, 0),
            "compute.googleapis.com",
            "v1.compute.instances.setMetadata",
            "projects/example-project/zones/us-central1-a/instances/web-1",
            json!({ "@type": "type.googleapis.com/compute.instances.setMetadata" }),
            |v| {
                v["protoPayload"]["metadata"] = json!({ "instanceMetadataDelta": { "addedMetadataKeys": ["env"] } });
            },
        )]),
        // Compute instances.insert: machineType.
        row("gcp-gpu-or-ai", "v1.compute.instances.insert", Medium, vec![insert("a2-highgpu-1g")])
            .quiet(vec![insert("e2-medium")]),
        // Logging ConfigServiceV2.UpdateSink: sinkName, sink.disabled, updateMask.
        row(
            "gcp-logging-sink",
            "google.logging.v2.ConfigServiceV2.UpdateSink",
            High,
            vec![gc(
                "logging.googleapis.com",
                "google.logging.v2.ConfigServiceV2.UpdateSink",
                "projects/example-project/sinks/audit-archive",
                json!({ "@type": "type.googleapis.com/google.logging.v2.UpdateSinkRequest",
                    "sinkName": "projects/example-project/sinks/audit-archive", "updateMask": "disabled",
                    "sink": { "name": "audit-archive", "destination": "storage.googleapis.com/example-audit-archive",
                        "disabled": true } }),
            )],
        ),
        // IAM Credentials GenerateAccessToken: name of the impersonated account, scope.
        row(
            "gcp-sa-impersonation",
            "GenerateAccessToken",
            Medium,
            vec![gc(
                "iamcredentials.googleapis.com",
                "GenerateAccessToken",
                "projects/-/serviceAccounts/deployer@example-project.iam.gserviceaccount.com",
                json!({ "@type": "type.googleapis.com/google.iam.credentials.v1.GenerateAccessTokenRequest",
                    "name": "projects/-/serviceAccounts/deployer@example-project.iam.gserviceaccount.com" }),
            )],
        ),
    ]
}

fn azure_rows() -> Vec<Row> {
    use Severity::*;
    let rg = format!("{SUB}/resourceGroups/rg-example");
    let vm = format!("{rg}/providers/Microsoft.Compute/virtualMachines/vm-example");
    let role = |definition: &str| {
        az(
            "Microsoft.Authorization/roleAssignments/write",
            &format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/22222222-2222-2222-2222-222222222222"),
            json!({ "Id": "22222222-2222-2222-2222-222222222222", "Properties": {
                "PrincipalId": "33333333-3333-3333-3333-333333333333", "PrincipalType": "User",
                "RoleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{definition}"),
                "Scope": SUB, "Condition": null, "ConditionVersion": null } }),
        )
    };
    let container = |access: &str| {
        az(
            "Microsoft.Storage/storageAccounts/blobServices/containers/write",
            &format!(
                "{rg}/providers/Microsoft.Storage/storageAccounts/stexample/blobServices/default/containers/backups"
            ),
            json!({ "properties": { "publicAccess": access } }),
        )
    };
    let nsg = |source: &str| {
        az(
            "Microsoft.Network/networkSecurityGroups/securityRules/write",
            &format!("{rg}/providers/Microsoft.Network/networkSecurityGroups/nsg-example/securityRules/allow-rdp"),
            json!({ "name": "allow-rdp", "properties": { "protocol": "Tcp", "sourcePortRange": "*",
                "destinationPortRange": "3389", "sourceAddressPrefix": source, "destinationAddressPrefix": "*",
                "access": "Allow", "priority": 100, "direction": "Inbound" } }),
        )
    };
    let vm_write = |size: &str| {
        az(
            "Microsoft.Compute/virtualMachines/write",
            &vm,
            json!({ "location": "westeurope", "properties": { "hardwareProfile": { "vmSize": size },
                "storageProfile": { "imageReference": { "publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                "sku": "server", "version": "latest" } } } }),
        )
    };
    let diagnostic = format!("{SUB}/providers/microsoft.insights/diagnosticSettings/to-workspace");
    let user =
        |upn: &str| json!({ "id": "44444444-4444-4444-4444-444444444444", "type": "User", "userPrincipalName": upn });
    vec![
        // Management groups: subscriptions/write under the target group.
        row(
            "azure-subscription-moved",
            "Microsoft.Management/managementGroups/subscriptions/write",
            Medium,
            vec![az(
                "Microsoft.Management/managementGroups/subscriptions/write",
                "/providers/Microsoft.Management/managementGroups/mg-sandbox/subscriptions/00000000-0000-0000-0000-000000000000",
                Value::Null,
            )],
        ),
        // Entra: Add service principal credentials (KeyDescription of the new key).
        row(
            "entra-credentials-added",
            "Add service principal credentials",
            Medium,
            vec![entra(
                "Add service principal credentials",
                "ApplicationManagement",
                json!([{ "id": "55555555-5555-5555-5555-555555555555", "displayName": "payroll-app",
                    "type": "ServicePrincipal", "modifiedProperties": [prop("KeyDescription", "[]",
                    "[\"[KeyIdentifier=66666666-6666-6666-6666-666666666666,KeyType=Password,KeyUsage=Verify,DisplayName=example]\"]")] }]),
            )],
        ),
        // Entra: Consent to application, ConsentContext.IsAdminConsent.
        row(
            "entra-consent",
            "Consent to application",
            High,
            vec![entra(
                "Consent to application",
                "ApplicationManagement",
                json!([{ "id": "55555555-5555-5555-5555-555555555555", "displayName": "mail-reader",
                    "type": "ServicePrincipal", "modifiedProperties": [
                        prop("ConsentContext.IsAdminConsent", "", "\"True\""),
                        prop("ConsentAction.Permissions", "", "\"Scope: Mail.Read\"")] }]),
            )],
        ),
        // Entra: Set domain authentication (LiveType Managed → Federated).
        row(
            "entra-federation",
            "Set domain authentication",
            High,
            vec![entra(
                "Set domain authentication",
                "DirectoryManagement",
                json!([{ "id": null, "displayName": "example.com", "type": "Domain",
                    "modifiedProperties": [prop("LiveType", "\"Managed\"", "\"Federated\"")] }]),
            )],
        ),
        // Entra: Invite external user.
        row(
            "entra-user-created",
            "Invite external user",
            Medium,
            vec![entra("Invite external user", "UserManagement", json!([user("guest_example.com#EXT#@example.com")]))],
        ),
        // Role assignment: requestbody Properties.RoleDefinitionId (Owner).
        row(
            "azure-role-assignment",
            "Microsoft.Authorization/roleAssignments/write",
            High,
            vec![role("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")],
        )
        .quiet(vec![role("acdd72a7-3385-48ef-bd42-f606fba81ae7")]),
        // Entra: Add member to role (Role.DisplayName, Role.TemplateId).
        row(
            "entra-role-member",
            "Add member to role",
            High,
            vec![entra(
                "Add member to role",
                "RoleManagement",
                json!([{ "id": "44444444-4444-4444-4444-444444444444", "type": "User",
                    "userPrincipalName": "bob@example.com", "modifiedProperties": [
                    prop("Role.DisplayName", "", "\"Global Administrator\""),
                    prop("Role.TemplateId", "", "\"62e90394-69f5-4237-9190-012177145e10\"")] }]),
            )],
        ),
        // Blob container write: properties.publicAccess.
        row(
            "azure-storage-public",
            "Microsoft.Storage/storageAccounts/blobServices/containers/write",
            High,
            vec![container("Container")],
        )
        .quiet(vec![container("None")]),
        // Managed disk beginGetAccess: access, durationInSeconds.
        row(
            "azure-sas-disk-export",
            "Microsoft.Compute/disks/beginGetAccess/action",
            Medium,
            vec![az(
                "Microsoft.Compute/disks/beginGetAccess/action",
                &format!("{rg}/providers/Microsoft.Compute/disks/vm-example-osdisk"),
                json!({ "access": "Read", "durationInSeconds": 3600 }),
            )],
        ),
        // Key Vault accessPolicies/write: properties.accessPolicies[].
        row(
            "azure-keyvault-access-policy",
            "Microsoft.KeyVault/vaults/accessPolicies/write",
            Low,
            vec![az(
                "Microsoft.KeyVault/vaults/accessPolicies/write",
                &format!("{rg}/providers/Microsoft.KeyVault/vaults/kv-example/accessPolicies/add"),
                json!({ "properties": { "accessPolicies": [{ "tenantId": "77777777-7777-7777-7777-777777777777",
                    "objectId": "33333333-3333-3333-3333-333333333333",
                    "permissions": { "secrets": ["get", "list"] } }] } }),
            )],
        ),
        // NSG security rule write: sourceAddressPrefix, destinationPortRange.
        row("azure-nsg-open", "Microsoft.Network/networkSecurityGroups/securityRules/write", High, vec![nsg("*")])
            .quiet(vec![nsg("192.0.2.0/24")]),
        // Key Vault AuditEvent SecretGet.
        row("azure-keyvault-secret-reads", "SecretGet", Medium, reads(12, 20, kv_secret_get))
            .quiet(reads(5, 20, kv_secret_get)),
        // VM Run Command: commandId, script.
        row(
            "azure-run-command",
            "Microsoft.Compute/virtualMachines/runCommand/action",
            Medium,
            vec![az(
                "Microsoft.Compute/virtualMachines/runCommand/action",
                &vm,
                json!({ "commandId": "RunShellScript", "script": ["id"] }),
            )],
        ),
        // VM write: properties.hardwareProfile.vmSize.
        row("azure-gpu-or-ai", "Microsoft.Compute/virtualMachines/write", Medium, vec![vm_write("Standard_NC24ads_A100_v4")])
            .quiet(vec![vm_write("Standard_D2s_v5")]),
        // Diagnostic settings delete.
        row(
            "azure-logging-removed",
            "Microsoft.Insights/diagnosticSettings/delete",
            High,
            vec![az("Microsoft.Insights/diagnosticSettings/delete", &diagnostic, Value::Null)],
        )
        .quiet(vec![az(
            "Microsoft.Insights/diagnosticSettings/write",
            &diagnostic,
            json!({ "properties": { "workspaceId": format!("{rg}/providers/Microsoft.OperationalInsights/workspaces/law-example"),
                "logs": [{ "category": "Administrative", "enabled": true }, { "category": "Security", "enabled": true }] } }),
        )]),
        // Virtual machine extension write (Custom Script Extension).
        row(
            "azure-vm-extension",
            "Microsoft.Compute/virtualMachines/extensions/write",
            Medium,
            vec![az(
                "Microsoft.Compute/virtualMachines/extensions/write",
                &format!("{SUB}/resourceGroups/rg-example/providers/Microsoft.Compute/virtualMachines/vm-example/extensions/CustomScriptExtension"),
                json!({ "properties": { "publisher": "Microsoft.Compute", "type": "CustomScriptExtension",
                    "typeHandlerVersion": "1.10", "settings": { "commandToExecute": "powershell -c whoami" } } }),
            )],
        ),
        // Bastion shareable links.
        row(
            "azure-bastion-shareable-link",
            "Microsoft.Network/bastionHosts/createshareablelinks/action",
            Medium,
            vec![az(
                "Microsoft.Network/bastionHosts/createshareablelinks/action",
                &format!("{SUB}/resourceGroups/rg-example/providers/Microsoft.Network/bastionHosts/bastion-example"),
                json!({ "vms": [{ "vm": { "id": format!("{SUB}/resourceGroups/rg-example/providers/Microsoft.Compute/virtualMachines/vm-example") } }] }),
            )],
        ),
    ]
}

fn rows() -> Vec<Row> {
    let mut rows = aws_rows();
    rows.extend(gcp_rows());
    rows.extend(azure_rows());
    rows
}

// ───────────────────────────── the test ─────────────────────────────

fn sensitive(alerts: &[Alert]) -> Vec<&Alert> {
    alerts.iter().filter(|a| a.detector == "sensitive-operation").collect()
}

fn summaries(alerts: &[Alert]) -> Vec<String> {
    sensitive(alerts)
        .iter()
        .map(|a| format!("{} [{:?}] {}", a.enrichment["catalogue_entry"], a.severity, a.summary))
        .collect()
}

#[test]
fn every_catalogue_entry_has_a_row() {
    let ids: BTreeSet<&str> = catalogue().entry.iter().map(|e| e.id.as_str()).collect();
    assert!(!ids.is_empty(), "the embedded catalogue parses");
    let rows = rows();
    let covered: BTreeSet<&str> = rows.iter().map(|r| r.entry).collect();
    let missing: Vec<&&str> = ids.difference(&covered).collect();
    assert!(missing.is_empty(), "catalogue entries without a row: {missing:?}");
    let unknown: Vec<&&str> = covered.difference(&ids).collect();
    assert!(unknown.is_empty(), "rows for entries not in the catalogue: {unknown:?}");
    assert_eq!(rows.len(), ids.len(), "one row per entry");
}

#[test]
fn every_catalogue_entry_alerts_on_its_documented_record() {
    let cfg = Config::default();
    let mut failures = Vec::new();
    for row in rows() {
        let entry = catalogue().entry.iter().find(|e| e.id == row.entry).expect(row.entry);
        // The row exercises the entry's most severe outcome: its highest rule, base or burst.
        let top = entry
            .rule
            .iter()
            .map(|r| r.severity)
            .chain([entry.severity])
            .chain(entry.burst.iter().map(|b| b.severity))
            .max()
            .and_then(|l| l.severity());
        assert_eq!(top, Some(row.severity), "{}: the row must expect the entry's most severe outcome", row.entry);
        let names = |o: &String| {
            let (op, o) = (row.op.to_ascii_lowercase(), o.to_ascii_lowercase());
            match o.strip_suffix('*') {
                Some(prefix) => op.starts_with(prefix),
                None => op.ends_with(&o),
            }
        };
        assert!(entry.operations.iter().any(names), "{}: the row's operation is not the entry's", row.entry);

        let (_s, alerts, _d) = scan_lines(&row.hit, &cfg);
        let found: Vec<&Alert> =
            sensitive(&alerts).into_iter().filter(|a| a.enrichment["catalogue_entry"] == row.entry).collect();
        if found.len() != 1 {
            failures.push(format!("{}: {} alerts: {:?}", row.entry, found.len(), summaries(&alerts)));
            continue;
        }
        let a = found[0];
        if a.severity != row.severity {
            failures.push(format!(
                "{}: severity {:?}, expected {:?}: {:?}",
                row.entry, a.severity, row.severity, a.severity_reasons
            ));
        }
        if !a.key.iter().any(|(k, v)| k == "operation" && v == row.op) {
            failures.push(format!("{}: key {:?} does not name {}", row.entry, a.key, row.op));
        }
        if entry.burst.is_some() && a.enrichment["attempts"] != row.hit.len() {
            failures.push(format!(
                "{}: burst of {} reads, {} attempts",
                row.entry,
                row.hit.len(),
                a.enrichment["attempts"]
            ));
        }
        if !row.quiet.is_empty() {
            let (_s, alerts, _d) = scan_lines(&row.quiet, &cfg);
            if !sensitive(&alerts).is_empty() {
                failures.push(format!("{}: the benign look-alike alerted: {:?}", row.entry, summaries(&alerts)));
            }
        }
    }
    assert!(failures.is_empty(), "{} failing rows:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn entries_that_alert_only_by_rule_or_burst_have_a_quiet_look_alike() {
    for row in rows() {
        let entry = catalogue().entry.iter().find(|e| e.id == row.entry).expect(row.entry);
        if entry.severity.severity().is_none() {
            assert!(!row.quiet.is_empty(), "{}: severity none needs a look-alike that stays quiet", row.entry);
        }
        // A weighted burst counts the items a call names, not the calls: its rows say so in one call.
        if let Some(b) = entry.burst.as_ref().filter(|b| b.weight.is_none()) {
            assert!(row.hit.len() > b.floor as usize && row.quiet.len() < b.floor as usize, "{}", row.entry);
        }
    }
}

// ───────────────────────────── catalogue fixes and failures ─────────────────────────────

fn alert_of<'a>(alerts: &'a [Alert], entry: &str) -> Vec<&'a Alert> {
    sensitive(alerts).into_iter().filter(|a| a.enrichment["catalogue_entry"] == entry).collect()
}

/// EC2 CreateNetworkAclEntry as CloudTrail records it: cidrBlock, ruleAction, egress,
/// portRange.from / .to and aclProtocol (-1 = all traffic), never fromPort / cidrIp.
#[test]
fn network_acl_entries_open_to_the_internet_alert() {
    let cfg = Config::default();
    let entry = |cidr: &str, action: &str, egress: bool, protocol: &str, ports: Value| {
        ct(
            "ec2.amazonaws.com",
            "CreateNetworkAclEntry",
            json!({ "networkAclId": "acl-0123456789abcdef0", "ruleNumber": 100, "egress": egress,
                "ruleAction": action, "icmpTypeCode": {}, "portRange": ports, "aclProtocol": protocol,
                "cidrBlock": cidr }),
        )
    };
    let all = entry("0.0.0.0/0", "allow", false, "-1", json!({}));
    let (_s, alerts, _d) = scan_lines(&[all], &cfg);
    let found = alert_of(&alerts, "aws-ingress-open");
    assert_eq!(found.len(), 1, "{:?}", summaries(&alerts));
    assert_eq!(found[0].severity, Severity::High);
    assert!(found[0].key.iter().any(|(k, v)| k == "operation" && v == "CreateNetworkAclEntry"));
    let https = entry("0.0.0.0/0", "allow", false, "6", json!({ "from": 443, "to": 443 }));
    let (_s, alerts, _d) = scan_lines(&[https], &cfg);
    assert_eq!(alert_of(&alerts, "aws-ingress-open").first().map(|a| a.severity), Some(Severity::Medium));
    // SSH from anywhere through the ACL: an admin port, high.
    let ssh = entry("0.0.0.0/0", "allow", false, "6", json!({ "from": 22, "to": 22 }));
    let (_s, alerts, _d) = scan_lines(&[ssh], &cfg);
    assert_eq!(alert_of(&alerts, "aws-ingress-open").first().map(|a| a.severity), Some(Severity::High));
    for quiet in [
        entry("0.0.0.0/0", "deny", false, "6", json!({ "from": 22, "to": 22 })),
        entry("0.0.0.0/0", "deny", false, "-1", json!({})),
        entry("0.0.0.0/0", "allow", true, "-1", json!({})),
        entry("192.0.2.0/24", "allow", false, "6", json!({ "from": 22, "to": 22 })),
    ] {
        let (_s, alerts, _d) = scan_lines(&[quiet], &cfg);
        assert!(sensitive(&alerts).is_empty(), "{:?}", summaries(&alerts));
    }
}

/// Org Policy API v2 DeletePolicy (`google.cloud.orgpolicy.v2.OrgPolicy.DeletePolicy`, request
/// `name`), and the v1 ClearOrgPolicy, lift a guardrail.
#[test]
fn an_organisation_policy_deleted_or_cleared_alerts() {
    let cfg = Config::default();
    let policy = "projects/example-project/policies/iam.disableServiceAccountKeyCreation";
    for (service, method) in [
        ("orgpolicy.googleapis.com", "google.cloud.orgpolicy.v2.OrgPolicy.DeletePolicy"),
        ("cloudresourcemanager.googleapis.com", "ClearOrgPolicy"),
    ] {
        let line = gc(service, method, policy, json!({ "name": policy }));
        let (_s, alerts, _d) = scan_lines(&[line], &cfg);
        let found = alert_of(&alerts, "gcp-project-moved");
        assert_eq!(found.len(), 1, "{method}: {:?}", summaries(&alerts));
        assert_eq!(found[0].severity, Severity::Medium, "{method}");
        assert!(found[0].key.iter().any(|(k, v)| k == "operation" && v == method), "{:?}", found[0].key);
    }
}

/// A failed call in each cloud's failure shape is shown one step lower: CloudTrail `errorCode`,
/// GCP `status.code` 7 (PERMISSION_DENIED), Azure `status.value` Failed, Entra `result` failure.
#[test]
fn a_failed_attempt_in_each_clouds_shape_is_one_step_lower() {
    let cfg = Config::default();
    let mut aws_denied: Value = serde_json::from_str(&ct(
        "cloudtrail.amazonaws.com",
        "DeleteTrail",
        json!({ "name": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events" }),
    ))
    .unwrap();
    aws_denied["errorCode"] = json!("AccessDenied");
    aws_denied["errorMessage"] = json!("User is not authorized to perform: cloudtrail:DeleteTrail");
    let gcp_denied = gcp(
        &ts(14, 10, 0),
        GCP_WHO,
        "logging.googleapis.com",
        "google.logging.v2.ConfigServiceV2.DeleteSink",
        "projects/example-project/sinks/audit-archive",
        IP,
        7,
    );
    let mut az_failed: Value = serde_json::from_str(&az(
        "Microsoft.Insights/diagnosticSettings/delete",
        &format!("{SUB}/providers/microsoft.insights/diagnosticSettings/to-workspace"),
        Value::Null,
    ))
    .unwrap();
    az_failed["status"] = json!({ "value": "Failed", "localizedValue": "Failed" });
    az_failed["properties"]["statusCode"] = json!("Forbidden");
    let mut entra_failed: Value = serde_json::from_str(&entra(
        "Set domain authentication",
        "DirectoryManagement",
        json!([{ "id": null, "displayName": "example.com", "type": "Domain", "modifiedProperties": [] }]),
    ))
    .unwrap();
    entra_failed["result"] = json!("failure");
    entra_failed["resultReason"] = json!("Insufficient privileges");
    for (entry, line) in [
        ("aws-cloudtrail-stopped", aws_denied),
        ("gcp-logging-sink", serde_json::from_str(&gcp_denied).unwrap()),
        ("azure-logging-removed", az_failed),
        ("entra-federation", entra_failed),
    ] {
        let (_s, alerts, _d) = scan_lines(&[line.to_string()], &cfg);
        let found = alert_of(&alerts, entry);
        assert_eq!(found.len(), 1, "{entry}: {:?}", summaries(&alerts));
        assert_eq!((found[0].severity, &found[0].enrichment["failed"]), (Severity::Medium, &json!(true)), "{entry}");
    }
}
