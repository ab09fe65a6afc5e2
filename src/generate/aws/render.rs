//! Rendering one CloudTrail record: `userIdentity`, request parameters, response elements,
//! resources and error fields per API call.

use super::Op;
use crate::generate::org::Ident;
use crate::generate::util::*;
use crate::generate::{ACCOUNT, Call};

fn res_kms(b: &mut Vec<u8>, arn: &str) {
    raw(b, ",\"resources\":[{\"accountId\":\"");
    raw(b, ACCOUNT);
    raw(b, "\",\"type\":\"AWS::KMS::Key\",\"ARN\":");
    q(b, arn);
    raw(b, "}]");
}

/// `requestParameters`, `responseElements` and `resources` of a call.
fn params(b: &mut Vec<u8>, op: Op, c: &Call<'_>) {
    let (bucket, key) = c.res.split_once('/').unwrap_or((c.res, ""));
    let key_id = c.res.rsplit('/').next().unwrap_or("");
    match op {
        Op::ListBuckets => raw(b, ",\"requestParameters\":{\"Host\":\"s3.amazonaws.com\"},\"responseElements\":null"),
        Op::GetObject | Op::PutObject | Op::CreateBucket => {
            raw(b, ",\"requestParameters\":{\"bucketName\":");
            q(b, bucket);
            raw(b, ",\"Host\":\"");
            esc(b, bucket);
            raw(b, ".s3.amazonaws.com\"");
            if op != Op::CreateBucket {
                raw(b, ",\"key\":");
                q(b, key);
            }
            raw(
                b,
                "},\"responseElements\":null,\"additionalEventData\":{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"AuthenticationMethod\":\"AuthHeader\",\"bytesTransferredIn\":",
            );
            push_u64(b, if op == Op::PutObject { 2048 + (c.id >> 12) % 4_000_000 } else { 0 });
            raw(b, ",\"bytesTransferredOut\":");
            push_u64(b, if op == Op::GetObject { 2048 + (c.id >> 12) % 9_000_000 } else { 0 });
            raw(b, "},\"resources\":[");
            if op != Op::CreateBucket {
                raw(b, "{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::");
                esc(b, c.res);
                raw(b, "\"},");
            }
            raw(b, "{\"accountId\":\"");
            raw(b, ACCOUNT);
            raw(b, "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::");
            esc(b, bucket);
            raw(b, "\"}]");
        }
        Op::DescribeInstances => {
            raw(b, ",\"requestParameters\":{\"instancesSet\":{},\"filterSet\":{}},\"responseElements\":null")
        }
        Op::RunInstances => {
            raw(b, ",\"requestParameters\":{\"instancesSet\":{\"items\":[{\"imageId\":");
            q(b, c.res);
            raw(
                b,
                ",\"minCount\":1,\"maxCount\":1}]},\"instanceType\":\"t3.medium\",\"monitoring\":{\"enabled\":false}},\"responseElements\":",
            );
            if c.fail {
                raw(b, "null");
            } else {
                raw(b, "{\"reservationId\":\"r-0");
                push_hex(b, c.id, 16);
                raw(b, "\",\"ownerId\":\"");
                raw(b, ACCOUNT);
                raw(b, "\",\"instancesSet\":{\"items\":[{\"instanceId\":\"i-0");
                push_hex(b, c.id >> 3, 16);
                raw(b, "\",\"imageId\":");
                q(b, c.res);
                raw(b, ",\"instanceState\":{\"code\":0,\"name\":\"pending\"},\"instanceType\":\"t3.medium\"}]}}");
            }
        }
        Op::ListUsers | Op::GetCallerIdentity => raw(b, ",\"requestParameters\":null,\"responseElements\":null"),
        Op::Decrypt | Op::GenerateDataKey | Op::DescribeKey | Op::EnableKeyRotation => {
            raw(b, ",\"requestParameters\":{");
            match op {
                Op::Decrypt => raw(b, "\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"},"),
                Op::GenerateDataKey => {
                    raw(b, "\"keyId\":");
                    q(b, c.res);
                    raw(b, ",\"keySpec\":\"AES_256\"},");
                }
                _ => {
                    raw(b, "\"keyId\":");
                    q(b, key_id);
                    raw(b, "},");
                }
            }
            raw(b, "\"responseElements\":null");
            res_kms(b, c.res);
        }
        Op::CreateKey => {
            raw(b, ",\"requestParameters\":{\"description\":");
            q(b, c.detail);
            raw(
                b,
                ",\"origin\":\"AWS_KMS\",\"bypassPolicyLockoutSafetyCheck\":false,\"keySpec\":\"SYMMETRIC_DEFAULT\",\"keyUsage\":\"ENCRYPT_DECRYPT\"},\"responseElements\":{\"keyMetadata\":{\"AWSAccountId\":\"",
            );
            raw(b, ACCOUNT);
            raw(b, "\",\"keyId\":");
            q(b, key_id);
            raw(b, ",\"arn\":");
            q(b, c.res);
            raw(b, ",\"creationDate\":");
            aws_date(b, c.t);
            raw(b, ",\"enabled\":true,\"description\":");
            q(b, c.detail);
            raw(
                b,
                ",\"keyUsage\":\"ENCRYPT_DECRYPT\",\"keyState\":\"Enabled\",\"origin\":\"AWS_KMS\",\"keyManager\":\"CUSTOMER\",\"customerMasterKeySpec\":\"SYMMETRIC_DEFAULT\",\"keySpec\":\"SYMMETRIC_DEFAULT\",\"encryptionAlgorithms\":[\"SYMMETRIC_DEFAULT\"],\"multiRegion\":false}}",
            );
            res_kms(b, c.res);
        }
        Op::AssumeRole => {
            let session = format!("i-0{:016x}", c.id >> 4);
            raw(b, ",\"requestParameters\":{\"roleArn\":");
            q(b, c.res);
            raw(b, ",\"roleSessionName\":");
            q(b, &session);
            raw(b, "},\"responseElements\":{\"credentials\":{\"accessKeyId\":\"ASIA");
            push_token(b, c.id, 16, UPPER_ALNUM);
            raw(b, "\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE");
            push_token(b, c.id ^ 7, 40, ALNUM);
            raw(b, "\",\"expiration\":");
            aws_date(b, c.t + 6 * HOUR);
            raw(b, "},\"assumedRoleUser\":{\"assumedRoleId\":\"AROA");
            push_token(b, hash_str(c.res), 17, UPPER_ALNUM);
            raw(b, ":");
            raw(b, &session);
            raw(b, "\",\"arn\":\"arn:aws:sts::");
            raw(b, ACCOUNT);
            raw(b, ":assumed-role/");
            esc(b, c.res.rsplit('/').next().unwrap_or(""));
            raw(b, "/");
            raw(b, &session);
            raw(b, "\"}},\"resources\":[{\"accountId\":\"");
            raw(b, ACCOUNT);
            raw(b, "\",\"type\":\"AWS::IAM::Role\",\"ARN\":");
            q(b, c.res);
            raw(b, "}]");
        }
        Op::GetSecretValue => {
            raw(b, ",\"requestParameters\":{\"secretId\":");
            q(b, c.res);
            raw(b, "},\"responseElements\":null");
        }
        Op::ConsoleLogin => {
            raw(b, ",\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"");
            raw(b, if c.fail { "Failure" } else { "Success" });
            raw(
                b,
                "\"},\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/console/home?region=us-east-1\",\"MobileVersion\":\"No\",\"MFAUsed\":\"Yes\"}",
            );
        }
    }
}

/// CloudTrail's human date: `"Oct 5, 2026, 1:05:17 PM"`.
fn aws_date(b: &mut Vec<u8>, t: i64) {
    const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let c = civil(t);
    raw(b, "\"");
    raw(b, MON[(c.mo as usize + 11) % 12]);
    raw(b, " ");
    push_u64(b, u64::from(c.d));
    raw(b, ", ");
    push_u64(b, c.y.max(0) as u64);
    raw(b, ", ");
    push_u64(b, u64::from((c.h + 11) % 12 + 1));
    raw(b, ":");
    push_pad(b, u64::from(c.mi), 2);
    raw(b, ":");
    push_pad(b, u64::from(c.s), 2);
    raw(b, if c.h < 12 { " AM\"" } else { " PM\"" });
}

fn identity(b: &mut Vec<u8>, c: &Call<'_>) {
    match &c.p.ident {
        Ident::AwsUser { name, id, key } => {
            raw(b, "{\"type\":\"IAMUser\",\"principalId\":");
            q(b, id);
            raw(b, ",\"arn\":");
            q(b, &c.p.key);
            raw(b, ",\"accountId\":\"");
            raw(b, ACCOUNT);
            raw(b, "\",\"accessKeyId\":");
            q(b, key);
            raw(b, ",\"userName\":");
            q(b, name);
            raw(b, "}");
        }
        Ident::AwsRole { role, session, id, key } => {
            raw(b, "{\"type\":\"AssumedRole\",\"principalId\":\"");
            esc(b, id);
            raw(b, ":");
            esc(b, session);
            raw(b, "\",\"arn\":");
            q(b, &c.p.key);
            raw(b, ",\"accountId\":\"");
            raw(b, ACCOUNT);
            raw(b, "\",\"accessKeyId\":");
            q(b, key);
            raw(b, ",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":");
            q(b, id);
            raw(b, ",\"arn\":\"arn:aws:iam::");
            raw(b, ACCOUNT);
            raw(b, ":role/");
            esc(b, role);
            raw(b, "\",\"accountId\":\"");
            raw(b, ACCOUNT);
            raw(b, "\",\"userName\":");
            q(b, role);
            raw(b, "},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":");
            push_qtime(b, floor_day(c.t) + (c.t.rem_euclid(DAY) / HOUR) * HOUR, 0, 0);
            raw(b, ",\"mfaAuthenticated\":\"false\"}}}");
        }
        Ident::AwsService { service } => {
            raw(b, "{\"type\":\"AWSService\",\"invokedBy\":");
            q(b, service);
            raw(b, "}");
        }
        _ => raw(b, "null"),
    }
}

/// One CloudTrail record (no trailing separator).
pub(super) fn render(b: &mut Vec<u8>, c: &Call<'_>) {
    let op = Op::from_code(c.op);
    let (svc, name, ro) = op.spec();
    let region = if c.extra.is_empty() { "us-east-1" } else { c.extra };
    raw(b, "{\"eventVersion\":\"1.08\",\"userIdentity\":");
    identity(b, c);
    raw(b, ",\"eventTime\":");
    push_qtime(b, c.t, 0, 0);
    raw(b, ",\"eventSource\":\"");
    raw(b, svc);
    raw(b, ".amazonaws.com\",\"eventName\":\"");
    raw(b, name);
    raw(b, "\",\"awsRegion\":\"");
    raw(b, region);
    raw(b, "\",\"sourceIPAddress\":");
    q(b, c.ip);
    raw(b, ",\"userAgent\":");
    q(b, c.ua);
    if c.fail && op == Op::ConsoleLogin {
        raw(b, ",\"errorMessage\":\"Failed authentication\"");
    } else if c.fail {
        let (code, msg) = match svc {
            "s3" => ("AccessDenied", String::from("Access Denied")),
            "ec2" => {
                ("Client.UnauthorizedOperation", String::from("You are not authorized to perform this operation."))
            }
            "kms" | "secretsmanager" => ("AccessDeniedException", denied(c, svc, name)),
            _ => ("AccessDenied", denied(c, svc, name)),
        };
        raw(b, ",\"errorCode\":\"");
        raw(b, code);
        raw(b, "\",\"errorMessage\":");
        q(b, &msg);
    }
    params(b, op, c);
    raw(b, ",\"requestID\":\"");
    if svc == "s3" {
        push_token(b, c.id ^ 3, 16, b"0123456789ABCDEF");
    } else {
        push_uuid(b, c.id ^ 3);
    }
    raw(b, "\",\"eventID\":\"");
    push_uuid(b, c.id);
    raw(b, "\",\"readOnly\":");
    raw(b, if ro { "true" } else { "false" });
    let data = matches!(op, Op::GetObject | Op::PutObject);
    raw(
        b,
        if op == Op::ConsoleLogin { ",\"eventType\":\"AwsConsoleSignIn\"" } else { ",\"eventType\":\"AwsApiCall\"" },
    );
    raw(b, if data { ",\"managementEvent\":false" } else { ",\"managementEvent\":true" });
    raw(b, ",\"recipientAccountId\":\"");
    raw(b, ACCOUNT);
    raw(b, if data { "\",\"eventCategory\":\"Data\"" } else { "\",\"eventCategory\":\"Management\"" });
    if !matches!(c.p.ident, Ident::AwsService { .. }) && op != Op::ConsoleLogin {
        raw(
            b,
            ",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"",
        );
        raw(b, svc);
        if svc != "s3" && svc != "iam" {
            raw(b, ".");
            raw(b, region);
        }
        raw(b, ".amazonaws.com\"}");
    }
    raw(b, "}");
}

fn denied(c: &Call<'_>, svc: &str, name: &str) -> String {
    format!(
        "User: {} is not authorized to perform: {svc}:{name} on resource: {} because no identity-based policy allows the {svc}:{name} action",
        c.p.key,
        if c.res.is_empty() { "*" } else { c.res }
    )
}
