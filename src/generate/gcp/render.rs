//! Rendering one GCP `LogEntry` (with its `AuditLog` payload) as a JSON line.

use super::{Op, seg};
use crate::generate::Call;
use crate::generate::PROJECT;
use crate::generate::org::Ident;
use crate::generate::util::*;

/// Writes one `LogEntry` line for `c` into `b`.
pub(super) fn render(b: &mut Vec<u8>, c: &Call<'_>) {
    let op = Op::from_code(c.op);
    let (service, method, perm, activity) = op.spec();
    let Ident::Gcp { email, human } = &c.p.ident else { return };
    raw(b, "{\"insertId\":\"");
    push_token(b, c.id, 12, LOWER_ALNUM);
    raw(b, "\",\"logName\":\"projects/");
    raw(b, PROJECT);
    raw(
        b,
        if activity {
            "/logs/cloudaudit.googleapis.com%2Factivity\""
        } else {
            "/logs/cloudaudit.googleapis.com%2Fdata_access\""
        },
    );
    raw(b, ",\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\",\"status\":");
    raw(b, if c.fail { "{\"code\":7,\"message\":\"PERMISSION_DENIED\"}" } else { "{}" });
    raw(b, ",\"authenticationInfo\":{\"principalEmail\":");
    q(b, email);
    raw(b, ",\"principalSubject\":\"");
    raw(b, if *human { "user:" } else { "serviceAccount:" });
    esc(b, email);
    raw(b, "\"},\"requestMetadata\":{\"callerIp\":");
    q(b, c.ip);
    raw(b, ",\"callerSuppliedUserAgent\":");
    q(b, c.ua);
    raw(b, ",\"requestAttributes\":{\"time\":");
    push_qtime(b, c.t - 3_000, 9, c.id >> 7);
    raw(b, ",\"auth\":{}},\"destinationAttributes\":{}},\"serviceName\":\"");
    raw(b, service);
    raw(b, "\",\"methodName\":\"");
    raw(b, method);
    raw(b, "\",\"authorizationInfo\":[{\"resource\":");
    q(b, c.res);
    raw(b, ",\"permission\":\"");
    raw(b, perm);
    raw(b, if c.fail { "\",\"resourceAttributes\":{}}]" } else { "\",\"granted\":true,\"resourceAttributes\":{}}]" });
    raw(b, ",\"resourceName\":");
    q(b, c.res);
    body(b, op, c);
    raw(b, "},\"resource\":");
    resource(b, op, c.res);
    raw(b, ",\"timestamp\":");
    push_qtime(b, c.t, 6, 0);
    raw(b, ",\"severity\":\"");
    raw(
        b,
        if c.fail {
            "ERROR"
        } else if activity {
            "NOTICE"
        } else {
            "INFO"
        },
    );
    raw(b, "\",\"receiveTimestamp\":");
    push_qtime(b, c.t + 200_000 + (c.id % 1_800_000) as i64, 9, c.id >> 11);
    raw(b, "}\n");
}

/// Method-specific `request` / `response` / `serviceData` / `metadata` members.
fn body(b: &mut Vec<u8>, op: Op, c: &Call<'_>) {
    let res = c.res;
    match op {
        Op::ObjGet | Op::ObjList | Op::ObjCreate | Op::BucketCreate => {
            raw(b, ",\"resourceLocation\":{\"currentLocations\":[\"us-central1\"]}");
        }
        Op::VmList | Op::VmStart | Op::VmStop => {
            raw(b, ",\"request\":{\"@type\":\"type.googleapis.com/");
            raw(b, &op.method()[3..]);
            raw(b, "\"},\"resourceLocation\":{\"currentLocations\":[\"us-central1-a\"]}");
            if op == Op::VmList && !c.fail {
                raw(b, ",\"numResponseItems\":\"");
                push_u64(b, 3 + c.id % 9);
                raw(b, "\"");
            }
        }
        Op::BqJob => {
            raw(
                b,
                ",\"metadata\":{\"@type\":\"type.googleapis.com/google.cloud.audit.BigQueryAuditMetadata\",\"tableDataRead\":{\"reason\":{\"type\":\"JOB\",\"jobName\":\"projects/",
            );
            raw(b, PROJECT);
            raw(b, "/jobs/bquxjob_");
            push_hex(b, c.id >> 20, 8);
            raw(b, "_");
            push_hex(b, c.id, 11);
            raw(b, "\"}}}");
        }
        Op::KmsEncrypt | Op::KmsDecrypt | Op::KmsGet => {
            let ty = match op {
                Op::KmsEncrypt => "EncryptRequest",
                Op::KmsDecrypt => "DecryptRequest",
                _ => "GetCryptoKeyRequest",
            };
            raw(b, ",\"request\":{\"@type\":\"type.googleapis.com/google.cloud.kms.v1.");
            raw(b, ty);
            raw(b, "\",\"name\":");
            q(b, res);
            raw(b, "}");
        }
        Op::KmsCreateKey => create_key(b, c),
        Op::KmsCreateVersion => {
            raw(
                b,
                ",\"request\":{\"@type\":\"type.googleapis.com/google.cloud.kms.v1.CreateCryptoKeyVersionRequest\",\"parent\":",
            );
            q(b, res);
            raw(b, "}");
            if !c.fail {
                raw(
                    b,
                    ",\"response\":{\"@type\":\"type.googleapis.com/google.cloud.kms.v1.CryptoKeyVersion\",\"name\":\"",
                );
                esc(b, res);
                raw(b, "/cryptoKeyVersions/");
                esc(b, c.extra);
                raw(
                    b,
                    "\",\"state\":\"ENABLED\",\"protectionLevel\":\"SOFTWARE\",\"algorithm\":\"GOOGLE_SYMMETRIC_ENCRYPTION\"}",
                );
            }
        }
        Op::KmsSetIam | Op::CrmSetIam => {
            let (role, member) = c.extra.split_once('|').unwrap_or(("roles/viewer", c.extra));
            raw(b, ",\"request\":{\"@type\":\"type.googleapis.com/google.iam.v1.SetIamPolicyRequest\",\"resource\":");
            q(b, res);
            raw(b, ",\"policy\":{\"bindings\":[{\"role\":");
            q(b, role);
            raw(b, ",\"members\":[");
            q(b, member);
            raw(b, "]}],\"etag\":\"BwY");
            push_token(b, c.id, 9, ALNUM);
            raw(
                b,
                "=\"}},\"serviceData\":{\"@type\":\"type.googleapis.com/google.iam.v1.logging.AuditData\",\"policyDelta\":{\"bindingDeltas\":[{\"action\":\"ADD\",\"role\":",
            );
            q(b, role);
            raw(b, ",\"member\":");
            q(b, member);
            raw(b, "}]}}");
        }
        Op::CrmGetIam | Op::IamListSa => {
            raw(
                b,
                if op == Op::CrmGetIam {
                    ",\"request\":{\"@type\":\"type.googleapis.com/google.iam.v1.GetIamPolicyRequest\",\"resource\":"
                } else {
                    ",\"request\":{\"@type\":\"type.googleapis.com/google.iam.admin.v1.ListServiceAccountsRequest\",\"name\":"
                },
            );
            q(b, res);
            raw(b, "}");
        }
        Op::IamCreateSaKey => {
            let email = seg(res, "serviceAccounts");
            raw(
                b,
                ",\"request\":{\"@type\":\"type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest\",\"name\":\"projects/-/serviceAccounts/",
            );
            esc(b, email);
            raw(b, "\",\"private_key_type\":2}");
            if !c.fail {
                raw(
                    b,
                    ",\"response\":{\"@type\":\"type.googleapis.com/google.iam.admin.v1.ServiceAccountKey\",\"name\":\"",
                );
                esc(b, res);
                raw(b, "/keys/");
                push_hex(b, c.id, 16);
                push_hex(b, hash(&[c.id]), 16);
                push_hex(b, hash(&[c.id, 1]), 8);
                raw(b, "\",\"valid_after_time\":{\"seconds\":\"");
                push_u64(b, (c.t / SEC).max(0) as u64);
                raw(
                    b,
                    "\"},\"valid_before_time\":{\"seconds\":\"253402300799\"},\"key_algorithm\":2,\"private_key_type\":2,\"key_origin\":2,\"key_type\":1}",
                );
            }
        }
    }
}

fn create_key(b: &mut Vec<u8>, c: &Call<'_>) {
    let parent = c.res.split("/cryptoKeys/").next().unwrap_or(c.res);
    raw(b, ",\"request\":{\"@type\":\"type.googleapis.com/google.cloud.kms.v1.CreateCryptoKeyRequest\",\"parent\":");
    q(b, parent);
    raw(b, ",\"cryptoKeyId\":");
    q(b, seg(c.res, "cryptoKeys"));
    raw(
        b,
        ",\"cryptoKey\":{\"purpose\":\"ENCRYPT_DECRYPT\",\"versionTemplate\":{\"algorithm\":\"GOOGLE_SYMMETRIC_ENCRYPTION\",\"protectionLevel\":\"SOFTWARE\"}",
    );
    if c.detail == "rotate" {
        raw(b, ",\"rotationPeriod\":\"7776000s\",\"nextRotationTime\":");
        push_qtime(b, c.t + 90 * DAY, 0, 0);
    }
    raw(b, "}}");
    if !c.fail {
        raw(b, ",\"response\":{\"@type\":\"type.googleapis.com/google.cloud.kms.v1.CryptoKey\",\"name\":");
        q(b, c.res);
        raw(b, ",\"purpose\":\"ENCRYPT_DECRYPT\",\"createTime\":");
        push_qtime(b, c.t, 6, 0);
        raw(b, ",\"primary\":{\"name\":\"");
        esc(b, c.res);
        raw(b, "/cryptoKeyVersions/1\",\"state\":\"ENABLED\"}}");
    }
}

/// The monitored-resource block: `{"type":…,"labels":{…}}`.
fn resource(b: &mut Vec<u8>, op: Op, res: &str) {
    let label = |b: &mut Vec<u8>, k: &str, v: &str, first: bool| {
        raw(b, if first { "\"" } else { ",\"" });
        raw(b, k);
        raw(b, "\":");
        q(b, v);
    };
    match op {
        Op::ObjGet | Op::ObjList | Op::ObjCreate | Op::BucketCreate => {
            raw(b, "{\"type\":\"gcs_bucket\",\"labels\":{");
            label(b, "bucket_name", seg(res, "buckets"), true);
            label(b, "location", "us-central1", false);
        }
        Op::VmList | Op::VmStart | Op::VmStop => {
            raw(b, "{\"type\":\"gce_instance\",\"labels\":{\"instance_id\":\"");
            if op != Op::VmList {
                push_u64(b, 1_000_000_000_000_000_000 + hash_str(res) % 8_000_000_000_000_000_000);
            }
            raw(b, "\"");
            label(b, "zone", seg(res, "zones"), false);
        }
        Op::BqJob => {
            raw(b, "{\"type\":\"bigquery_dataset\",\"labels\":{");
            label(b, "dataset_id", seg(res, "datasets"), true);
        }
        Op::KmsEncrypt | Op::KmsDecrypt | Op::KmsGet | Op::KmsCreateKey | Op::KmsCreateVersion | Op::KmsSetIam => {
            raw(b, "{\"type\":\"cloudkms_cryptokey\",\"labels\":{");
            label(b, "crypto_key_id", seg(res, "cryptoKeys"), true);
            label(b, "key_ring_id", seg(res, "keyRings"), false);
            label(b, "location", seg(res, "locations"), false);
        }
        Op::IamCreateSaKey => {
            raw(b, "{\"type\":\"service_account\",\"labels\":{");
            label(b, "email_id", seg(res, "serviceAccounts"), true);
            raw(b, ",\"unique_id\":\"1");
            push_pad(b, hash_str(res) % 10_000_000_000_000_000_000, 20);
            raw(b, "\"");
        }
        Op::IamListSa | Op::CrmSetIam | Op::CrmGetIam => {
            raw(b, "{\"type\":\"project\",\"labels\":{\"project_id\":\"nw-prod-data\"}}")
        }
    }
    if !matches!(op, Op::IamListSa | Op::CrmSetIam | Op::CrmGetIam) {
        raw(b, ",\"project_id\":\"");
        raw(b, PROJECT);
        raw(b, "\"}}");
    }
}
