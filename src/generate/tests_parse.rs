//! Test helpers for the generator: reading an output tree back (plain or gzip), parsing each
//! file with `serde_json` while checking its format-defining fields, file name and time order,
//! and reducing every record to a [`Rec`].

use super::{Cloud, GenerateConfig, GenerateSummary, generate, util};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One parsed record, reduced to what the checks need.
#[derive(Debug, Clone)]
pub(super) struct Rec {
    pub(super) cloud: Cloud,
    pub(super) t: i64,
    pub(super) principal: String,
    pub(super) action: String,
    pub(super) resource: String,
    /// Windows: computer.
    pub(super) host: String,
    pub(super) raw: Value,
}

pub(super) fn small() -> GenerateConfig {
    GenerateConfig { events: 20_000, ..GenerateConfig::default() }
}

pub(super) fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

pub(super) fn gen_into(cfg: &GenerateConfig) -> (tempfile::TempDir, GenerateSummary) {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(cfg, dir.path()).unwrap();
    (dir, s)
}

fn time_of(s: &str) -> i64 {
    // RFC 3339 everywhere but the portal CSV's `10/20/2026, 3:00:14.123 AM`.
    crate::time::parse_time(s).unwrap_or_else(|| panic!("bad time {s:?}"))
}

fn text(v: &Value, ptr: &str) -> String {
    match v.pointer(ptr) {
        Some(Value::String(s)) => s.clone(),
        other => panic!("missing string {ptr}: {other:?} in {v}"),
    }
}

fn has(v: &Value, ptrs: &[&str]) {
    for p in ptrs {
        assert!(v.pointer(p).is_some(), "missing {p} in {v}");
    }
}

/// Parses one file into records, checking each format's defining fields and its name.
fn parse(path: &Path, bytes: &[u8]) -> Vec<Rec> {
    let name = path.to_string_lossy().replace('\\', "/");
    let mut data = Vec::new();
    if name.ends_with(".gz") {
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut data).unwrap();
    } else {
        data = bytes.to_vec();
    }
    let txt = String::from_utf8(data).unwrap();
    let docs: Vec<Value> = if name.starts_with("aws/") {
        let v: Value = serde_json::from_str(&txt).unwrap();
        v["Records"].as_array().unwrap().clone()
    } else if txt.starts_with("{\"@odata.context\"") {
        let v: Value = serde_json::from_str(&txt).unwrap();
        v["value"].as_array().unwrap().clone()
    } else if txt.starts_with("{\"records\":[") {
        let v: Value = serde_json::from_str(&txt).unwrap();
        v["records"].as_array().unwrap().clone()
    } else if name.ends_with(".csv") || name.ends_with(".csv.gz") {
        let header = crate::ingest::tabular::sniff(txt.as_bytes()).expect("a CSV header");
        let mut rows = Vec::new();
        crate::ingest::tabular::frame(txt.as_bytes(), &header, &mut |row| match row {
            crate::ingest::tabular::Row::Record { cells, .. } => {
                rows.push(serde_json::from_str(&header.row_json(&cells).0).unwrap())
            }
            crate::ingest::tabular::Row::Error { reason, .. } => panic!("{name}: {reason}"),
        });
        rows
    } else {
        txt.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let recs: Vec<Rec> = docs.into_iter().map(|v| record(&name, v)).collect();
    assert!(recs.windows(2).all(|w| w[0].t <= w[1].t), "{name} not in time order");
    for r in &recs {
        let c = util::civil(r.t);
        let (y, m, d, h) = (c.y, c.mo, c.d, c.h);
        let expect = match r.cloud {
            Cloud::Gcp => format!("-{y:04}-{m:02}-{d:02}.jsonl"),
            Cloud::Windows => format!("-{y:04}-{m:02}-{d:02}.{}", if name.contains(".csv") { "csv" } else { "jsonl" }),
            Cloud::Azure => format!("/y={y:04}/m={m:02}/d={d:02}/h={h:02}/PT1H.json"),
            Cloud::Aws => format!("/{y:04}/{m:02}/{d:02}/111122223333_CloudTrail_"),
        };
        assert!(name.contains(&expect), "{name} holds a record at {y}-{m}-{d} {h}h");
    }
    recs
}

fn record(name: &str, v: Value) -> Rec {
    let mut r = Rec {
        cloud: Cloud::Gcp,
        t: 0,
        principal: String::new(),
        action: String::new(),
        resource: String::new(),
        host: String::new(),
        raw: Value::Null,
    };
    if name.starts_with("gcp/") {
        has(
            &v,
            &[
                "/insertId",
                "/protoPayload/requestMetadata/callerIp",
                "/protoPayload/requestMetadata/callerSuppliedUserAgent",
                "/protoPayload/authorizationInfo/0/permission",
                "/protoPayload/status",
                "/resource/type",
                "/resource/labels/project_id",
                "/receiveTimestamp",
                "/severity",
            ],
        );
        assert!(text(&v, "/logName").contains("/logs/cloudaudit.googleapis.com%2F"));
        assert_eq!(text(&v, "/protoPayload/@type"), "type.googleapis.com/google.cloud.audit.AuditLog");
        r.t = time_of(&text(&v, "/timestamp"));
        r.principal = text(&v, "/protoPayload/authenticationInfo/principalEmail");
        r.action = format!("{} {}", text(&v, "/protoPayload/serviceName"), text(&v, "/protoPayload/methodName"));
        r.resource = text(&v, "/protoPayload/resourceName");
    } else if name.starts_with("azure/signin/") && v.get("category").is_none() {
        // A Graph signIn object.
        has(&v, &["/createdDateTime", "/userPrincipalName", "/appDisplayName", "/ipAddress", "/status/errorCode"]);
        r.cloud = Cloud::Azure;
        r.t = time_of(&text(&v, "/createdDateTime"));
        r.resource = text(&v, "/resourceId");
        r.action = "Sign-in activity".into();
        r.principal = text(&v, "/userPrincipalName");
    } else if name.starts_with("azure/") {
        has(
            &v,
            &[
                "/resourceId",
                "/operationName",
                "/category",
                "/resultType",
                "/callerIpAddress",
                "/correlationId",
                "/identity",
            ],
        );
        r.cloud = Cloud::Azure;
        r.t = time_of(&text(&v, "/time"));
        r.resource = text(&v, "/resourceId");
        r.action = text(&v, "/operationName");
        r.principal = match text(&v, "/category").as_str() {
            "SignInLogs" => {
                assert!(name.starts_with("azure/signin/") && v["identity"].is_string());
                has(
                    &v,
                    &[
                        "/properties/ipAddress",
                        "/properties/appDisplayName",
                        "/properties/status/errorCode",
                        "/properties/userAgent",
                    ],
                );
                assert_eq!(r.action, "Sign-in activity");
                text(&v, "/properties/userPrincipalName")
            }
            "AuditEvent" => {
                assert!(name.starts_with("azure/keyvault/"));
                has(&v, &["/properties/id", "/properties/httpStatusCode", "/resultSignature"]);
                let c = &v["identity"]["claim"];
                c.get("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn")
                    .or(c.get("appid"))
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
            _ => {
                assert!(name.starts_with("azure/activity/"));
                has(&v, &["/resultSignature", "/level", "/location", "/properties"]);
                let c = &v["identity"]["claims"];
                c.get("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn")
                    .or(c.get("appid"))
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
    } else if name.starts_with("aws/") {
        has(
            &v,
            &[
                "/userIdentity/type",
                "/eventSource",
                "/awsRegion",
                "/sourceIPAddress",
                "/userAgent",
                "/requestParameters",
                "/eventID",
                "/eventType",
                "/readOnly",
                "/recipientAccountId",
            ],
        );
        assert_eq!(text(&v, "/eventVersion"), "1.08");
        r.cloud = Cloud::Aws;
        r.t = time_of(&text(&v, "/eventTime"));
        let ui = &v["userIdentity"];
        r.principal = ui.get("arn").or(ui.get("invokedBy")).unwrap().as_str().unwrap().to_owned();
        r.action = format!("{} {}", text(&v, "/eventSource"), text(&v, "/eventName"));
        r.resource = v.get("resources").map_or(String::new(), |x| x.to_string());
    } else {
        assert!(name.starts_with("windows/SecurityEvent-"));
        has(&v, &["/AccountType", "/Activity", "/EventSourceName", "/Channel"]);
        assert_eq!(text(&v, "/Type"), "SecurityEvent");
        r.cloud = Cloud::Windows;
        r.t = time_of(&text(&v, "/TimeGenerated"));
        r.principal = text(&v, "/Account");
        r.host = text(&v, "/Computer");
        // A portal CSV holds every cell as text.
        let number = |k: &str| v[k].as_u64().or_else(|| v[k].as_str().and_then(|t| t.parse().ok()));
        r.action = number("EventID").unwrap().to_string();
        if r.action == "4688" {
            has(&v, &["/CommandLine", "/ParentProcessName", "/SubjectUserName", "/SubjectDomainName"]);
            assert_eq!(v["NewProcessName"], v["ProcessName"]);
        } else {
            assert!(number("LogonType").is_some());
            has(&v, &["/IpAddress"]);
        }
        r.resource = text(&v, "/ProcessName");
    }
    r.raw = v;
    r
}

/// The rare-process hunting query's path exclusions (shared spec, section 5 step 4).
pub(super) fn excluded(path: &str) -> bool {
    crate::activity::hunt::is_excluded(path)
}

pub(super) fn load(root: &Path) -> Vec<Rec> {
    let mut all: Vec<Rec> = files(root).iter().flat_map(|(p, b)| parse(p, b)).collect();
    all.sort_by_key(|r| r.t);
    all
}
