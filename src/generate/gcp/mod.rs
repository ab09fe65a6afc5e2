//! GCP Cloud Audit Logs: the catalogue of audited methods ([`Op`]), the GCP principals and
//! their habits ([`roster`]), and the writer of one `LogEntry` JSON line per call into
//! `gcp/cloudaudit-YYYY-MM-DD.jsonl` (one file per UTC day, in time order). The record
//! shape follows the real entries in `fixtures/gcp-audit/`: `protoPayload` is an
//! `AuditLog` with `authenticationInfo`, `requestMetadata`, `authorizationInfo`, `status`
//! (`{}` on success), and `request`/`response`/`serviceData`/`metadata` where the method has
//! them.

use crate::generate::org::Slot;
use crate::generate::util::*;
use crate::generate::{CloudWorld, PROJECT};
mod render;
mod roster;

pub(crate) use roster::{CORE, roster};

use anyhow::Result;
use std::path::Path;

/// Audited GCP methods the generator knows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    ObjGet,
    ObjList,
    ObjCreate,
    BucketCreate,
    VmList,
    VmStart,
    VmStop,
    BqJob,
    KmsEncrypt,
    KmsDecrypt,
    KmsGet,
    KmsCreateKey,
    KmsCreateVersion,
    KmsSetIam,
    IamListSa,
    IamCreateSaKey,
    CrmSetIam,
    CrmGetIam,
}

const ALL: [Op; 18] = [
    Op::ObjGet,
    Op::ObjList,
    Op::ObjCreate,
    Op::BucketCreate,
    Op::VmList,
    Op::VmStart,
    Op::VmStop,
    Op::BqJob,
    Op::KmsEncrypt,
    Op::KmsDecrypt,
    Op::KmsGet,
    Op::KmsCreateKey,
    Op::KmsCreateVersion,
    Op::KmsSetIam,
    Op::IamListSa,
    Op::IamCreateSaKey,
    Op::CrmSetIam,
    Op::CrmGetIam,
];

impl Op {
    pub(crate) fn code(self) -> u16 {
        self as u16
    }
    fn from_code(c: u16) -> Op {
        ALL.get(usize::from(c)).copied().unwrap_or(Op::ObjGet)
    }
    /// (serviceName, methodName, permission, admin-activity log?)
    fn spec(self) -> (&'static str, &'static str, &'static str, bool) {
        const KMS: &str = "cloudkms.googleapis.com";
        match self {
            Op::ObjGet => ("storage.googleapis.com", "storage.objects.get", "storage.objects.get", false),
            Op::ObjList => ("storage.googleapis.com", "storage.objects.list", "storage.objects.list", false),
            Op::ObjCreate => ("storage.googleapis.com", "storage.objects.create", "storage.objects.create", false),
            Op::BucketCreate => ("storage.googleapis.com", "storage.buckets.create", "storage.buckets.create", true),
            Op::VmList => ("compute.googleapis.com", "v1.compute.instances.list", "compute.instances.list", false),
            Op::VmStart => ("compute.googleapis.com", "v1.compute.instances.start", "compute.instances.start", true),
            Op::VmStop => ("compute.googleapis.com", "v1.compute.instances.stop", "compute.instances.stop", true),
            Op::BqJob => (
                "bigquery.googleapis.com",
                "google.cloud.bigquery.v2.JobService.InsertJob",
                "bigquery.tables.getData",
                false,
            ),
            Op::KmsEncrypt => (
                KMS,
                "google.cloud.kms.v1.KeyManagementService.Encrypt",
                "cloudkms.cryptoKeyVersions.useToEncrypt",
                false,
            ),
            Op::KmsDecrypt => (
                KMS,
                "google.cloud.kms.v1.KeyManagementService.Decrypt",
                "cloudkms.cryptoKeyVersions.useToDecrypt",
                false,
            ),
            Op::KmsGet => {
                (KMS, "google.cloud.kms.v1.KeyManagementService.GetCryptoKey", "cloudkms.cryptoKeys.get", false)
            }
            Op::KmsCreateKey => {
                (KMS, "google.cloud.kms.v1.KeyManagementService.CreateCryptoKey", "cloudkms.cryptoKeys.create", true)
            }
            Op::KmsCreateVersion => (
                KMS,
                "google.cloud.kms.v1.KeyManagementService.CreateCryptoKeyVersion",
                "cloudkms.cryptoKeyVersions.create",
                true,
            ),
            Op::KmsSetIam => (KMS, "SetIamPolicy", "cloudkms.cryptoKeys.setIamPolicy", true),
            Op::IamListSa => {
                ("iam.googleapis.com", "google.iam.admin.v1.ListServiceAccounts", "iam.serviceAccounts.list", false)
            }
            Op::IamCreateSaKey => (
                "iam.googleapis.com",
                "google.iam.admin.v1.CreateServiceAccountKey",
                "iam.serviceAccountKeys.create",
                true,
            ),
            Op::CrmSetIam => {
                ("cloudresourcemanager.googleapis.com", "SetIamPolicy", "resourcemanager.projects.setIamPolicy", true)
            }
            Op::CrmGetIam => {
                ("cloudresourcemanager.googleapis.com", "GetIamPolicy", "resourcemanager.projects.getIamPolicy", false)
            }
        }
    }
    pub(crate) fn method(self) -> &'static str {
        self.spec().1
    }
}

/// Resource names used by the roster and the planted stories.
pub(crate) fn key_name(ring: &str, key: &str) -> String {
    format!("projects/{PROJECT}/locations/global/keyRings/{ring}/cryptoKeys/{key}")
}
pub(crate) fn bucket(b: &str) -> String {
    format!("projects/_/buckets/{b}")
}
fn object(b: &str, o: &str) -> String {
    format!("projects/_/buckets/{b}/objects/{o}")
}
fn table(ds: &str, t: &str) -> String {
    format!("projects/{PROJECT}/datasets/{ds}/tables/{t}")
}
fn instance(name: &str) -> String {
    format!("projects/{PROJECT}/zones/us-central1-a/instances/{name}")
}
pub(crate) fn sa_email(name: &str) -> String {
    format!("{name}@{PROJECT}.iam.gserviceaccount.com")
}

/// The path segment after `name` in a resource name (e.g. the bucket after `buckets`).
fn seg<'a>(res: &'a str, name: &str) -> &'a str {
    let mut it = res.split('/');
    while let Some(s) = it.next() {
        if s == name {
            return it.next().unwrap_or("");
        }
    }
    ""
}

/// Writes day `d` of the GCP world into `gcp/cloudaudit-YYYY-MM-DD.jsonl`.
pub(crate) fn write_day(w: &CloudWorld, d: u32, out: &Path) -> Result<Stats> {
    let items: Vec<Slot> = w.day_items(d);
    if items.is_empty() {
        return Ok(Stats::default());
    }
    let mut name = Vec::with_capacity(40);
    raw(&mut name, "gcp/cloudaudit-");
    push_date(&mut name, &civil(w.span.day_start(d)), "-");
    raw(&mut name, ".jsonl");
    let mut sink = Sink::create(out, &String::from_utf8_lossy(&name), w.gzip)?;
    let mut b = Vec::with_capacity(1 << 16);
    for s in &items {
        render::render(&mut b, &w.call(s));
        sink.records += 1;
        if b.len() > 60_000 {
            sink.write(&b)?;
            b.clear();
        }
    }
    sink.write(&b)?;
    sink.finish()
}
