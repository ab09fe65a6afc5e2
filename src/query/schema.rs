//! Where the logs live on each platform, and how a record becomes a normalised event there.
//!
//! A [`Source`] is one kind of record (a GCP `LogEntry`, a CloudTrail record, an Azure
//! diagnostic record, an Entra ID sign-in) with its normalisation written once over the vendor's
//! JSON field paths — the same rules as the local readers in `ingest`. Each engine then says where
//! such records are ([`Source::from`]) and how a field path is read there ([`Source::field`]): a
//! JSON extraction over raw export files (Spark, DuckDB), a column of the log-sink or CloudTrail
//! table (BigQuery, Athena), a column of the Sentinel table (KQL).

use super::dialect::Engine;
use super::ir::{Cond, Expr, field, first, iff, lit, lower};
use crate::model::{Cloud, UNKNOWN_PRINCIPAL};

/// A kind of record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// GCP Cloud Audit Logs `LogEntry`.
    GcpAudit,
    /// AWS CloudTrail record.
    AwsCloudTrail,
    /// Azure Activity Log and Key Vault `AuditEvent` diagnostic records.
    AzureActivity,
    /// Entra ID sign-ins (diagnostic `SignInLogs` records).
    AzureSignin,
}

/// The normalised columns every source yields, in order.
pub const COLUMNS: [&str; 10] = [
    "cloud",
    "time_text",
    "principal",
    "service",
    "operation",
    "resource",
    "source_ip",
    "status",
    "outcome",
    "kms_key",
];

const UPN: &str = "\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\"";
const APPID: &str = "\"http://schemas.microsoft.com/identity/claims/appid\"";
const LONG_NAME: &str = "\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\"";
const OID: &str = "\"http://schemas.microsoft.com/identity/claims/objectidentifier\"";

impl Source {
    /// Every source.
    pub const ALL: [Source; 4] = [Source::GcpAudit, Source::AwsCloudTrail, Source::AzureActivity, Source::AzureSignin];

    /// The cloud its events belong to.
    pub fn cloud(self) -> Cloud {
        match self {
            Source::GcpAudit => Cloud::Gcp,
            Source::AwsCloudTrail => Cloud::Aws,
            Source::AzureActivity | Source::AzureSignin => Cloud::Azure,
        }
    }

    /// The normalised columns ([`COLUMNS`] after `cloud`), as expressions over the record.
    pub fn columns(self) -> Vec<(&'static str, Expr)> {
        match self {
            Source::GcpAudit => gcp(),
            Source::AwsCloudTrail => aws(),
            Source::AzureActivity => azure_activity(),
            Source::AzureSignin => azure_signin(),
        }
    }

    /// Which records of the engine's relation are of this kind (raw files mix every kind).
    pub fn filter(self, engine: Engine) -> Option<Cond> {
        let raw = matches!(engine, Engine::Spark | Engine::Duckdb);
        let signin = Cond::Any(
            ["signinlogs", "noninteractiveusersigninlogs", "serviceprincipalsigninlogs", "managedidentitysigninlogs"]
                .iter()
                .map(|c| Cond::IEq(field("category"), c))
                .collect(),
        );
        match self {
            Source::GcpAudit if raw => Some(Cond::NonEmpty(field("protoPayload"))),
            Source::AwsCloudTrail if raw => {
                Some(Cond::All(vec![Cond::NonEmpty(field("eventSource")), Cond::NonEmpty(field("eventTime"))]))
            }
            Source::AzureActivity if raw => Some(Cond::All(vec![
                Cond::NonEmpty(field("operationName")),
                Cond::NonEmpty(first(&["time", "eventTimestamp"])),
                Cond::Not(Box::new(signin)),
                Cond::Not(Box::new(Cond::IEq(field("category"), "auditlogs"))),
            ])),
            Source::AzureSignin if raw => Some(signin),
            // Tables hold one kind each (Key Vault's AzureDiagnostics rows are picked by the KQL
            // writer itself).
            _ => None,
        }
    }

    /// The tables (or relation) this source is read from on `engine`; `tables` overrides the
    /// defaults for the engine's sources in order (one name per source, or one for all raw files).
    pub fn default_tables(self, engine: Engine) -> Vec<&'static str> {
        match (engine, self) {
            (Engine::Bigquery, Source::GcpAudit) => {
                vec!["cloudaudit_googleapis_com_activity", "cloudaudit_googleapis_com_data_access"]
            }
            (Engine::Athena, Source::AwsCloudTrail) => vec!["cloudtrail_logs"],
            (Engine::Kql, Source::GcpAudit) => vec!["GCPAuditLogs"],
            (Engine::Kql, Source::AwsCloudTrail) => vec!["AWSCloudTrail"],
            (Engine::Kql, Source::AzureActivity) => vec!["AzureActivity", "AzureDiagnostics"],
            (Engine::Kql, Source::AzureSignin) => vec!["SigninLogs"],
            (Engine::Spark | Engine::Duckdb, _) => vec!["trailwatch_records"],
            _ => Vec::new(),
        }
    }

    /// How a record field path reads on `engine`, from relation `table` (the empty-string literal
    /// when the platform does not keep it).
    pub fn field(self, engine: Engine, table: &str, path: &str) -> String {
        match engine {
            Engine::Duckdb => {
                format!("COALESCE(json_extract_string(r, {}), '')", engine.quote(&json_path(path, false)))
            }
            Engine::Spark => format!("COALESCE(get_json_object(r, {}), '')", engine.quote(&json_path(path, true))),
            Engine::Bigquery if is_all_logs(table) => log_analytics_field(path),
            Engine::Bigquery => bigquery_field(path),
            Engine::Athena => athena_field(path),
            Engine::Kql => kql_field(self, table, path),
        }
    }
}

/// A dotted path (with `"quoted"` keys and `[n]` indexes) as a JSONPath; Spark's
/// `get_json_object` wants quoted keys as `['key']`.
pub fn json_path(path: &str, spark: bool) -> String {
    let mut out = String::from("$");
    for seg in segments(path) {
        let (key, index) = match seg.find('[') {
            Some(p) if !seg.starts_with('"') => (&seg[..p], &seg[p..]),
            _ => (seg, ""),
        };
        if let Some(q) = key.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
            if spark {
                out.push_str(&format!("['{q}']"));
            } else {
                out.push_str(&format!(".\"{q}\""));
            }
        } else {
            out.push('.');
            out.push_str(key);
        }
        out.push_str(index);
    }
    out
}

/// Path segments split at dots outside quotes.
pub fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in path.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out
}

/// BigQuery log-sink tables: `protoPayload` is the `protopayload_auditlog` record with camelCase
/// fields; request and response are JSON text in `requestJson` / `responseJson`.
fn bigquery_field(path: &str) -> String {
    let typed = |c: &str| format!("COALESCE(CAST({c} AS STRING), '')");
    match path {
        "timestamp" => "FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E*SZ', timestamp)".into(),
        "receiveTimestamp" => "FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E*SZ', receiveTimestamp)".into(),
        "protoPayload" => "'x'".into(),
        p => match p.strip_prefix("protoPayload.") {
            Some(rest) => {
                if let Some(r) = rest.strip_prefix("request.") {
                    format!("COALESCE(JSON_VALUE(protopayload_auditlog.requestJson, '$.{r}'), '')")
                } else if let Some(r) = rest.strip_prefix("response.") {
                    format!("COALESCE(JSON_VALUE(protopayload_auditlog.responseJson, '$.{r}'), '')")
                } else {
                    typed(&format!("protopayload_auditlog.{rest}"))
                }
            }
            None => typed(p),
        },
    }
}

/// A Log Analytics view (`PROJECT.LOCATION.BUCKET._AllLogs`) rather than a log-sink table.
pub fn is_all_logs(table: &str) -> bool {
    let last = table.trim_matches('`').rsplit('.').next().unwrap_or(table);
    last.eq_ignore_ascii_case("_AllLogs")
}

/// `camelCase` as `snake_case` (`callerSuppliedUserAgent` → `caller_supplied_user_agent`).
fn snake(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The Log Analytics `_AllLogs` view of a log bucket: snake_case columns; the audit log is the
/// `proto_payload.audit_log` record, its request, response and metadata JSON values.
fn log_analytics_field(path: &str) -> String {
    let typed = |c: &str| format!("COALESCE(CAST({c} AS STRING), '')");
    match path {
        "timestamp" => "FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E*SZ', timestamp)".into(),
        "receiveTimestamp" => "FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E*SZ', receive_timestamp)".into(),
        "protoPayload" => "'x'".into(),
        p => match p.strip_prefix("protoPayload.") {
            Some(rest) => {
                for json in ["request", "response", "metadata", "serviceData"] {
                    if let Some(r) = rest.strip_prefix(json).and_then(|r| r.strip_prefix('.')) {
                        return format!("COALESCE(JSON_VALUE(proto_payload.audit_log.{}, '$.{r}'), '')", snake(json));
                    }
                }
                let fields: Vec<String> = rest.split('.').map(snake).collect();
                typed(&format!("proto_payload.audit_log.{}", fields.join(".")))
            }
            None => typed(&p.split('.').map(snake).collect::<Vec<_>>().join(".")),
        },
    }
}

/// The Athena CloudTrail table of AWS's documented DDL: lower-case columns, `useridentity` a
/// struct, `resources` an array of structs, request and response JSON text.
fn athena_field(path: &str) -> String {
    let text = |c: &str| format!("COALESCE(CAST({c} AS VARCHAR), '')");
    if let Some(rest) = path.strip_prefix("requestParameters.") {
        return format!("COALESCE(json_extract_scalar(requestparameters, '$.{rest}'), '')");
    }
    if let Some(rest) = path.strip_prefix("responseElements.") {
        return format!("COALESCE(json_extract_scalar(responseelements, '$.{rest}'), '')");
    }
    match path {
        "resources[0].ARN" => "COALESCE(element_at(resources, 1).arn, '')".into(),
        p => text(&p.to_ascii_lowercase()),
    }
}

/// Sentinel / Log Analytics tables.
fn kql_field(source: Source, table: &str, path: &str) -> String {
    let col = |c: &str| format!("tostring({c})");
    let json = |c: &str, rest: &str| {
        let mut s = format!("parse_json(tostring({c}))");
        for seg in segments(rest) {
            let (key, index) = match seg.find('[') {
                Some(p) if !seg.starts_with('"') => (&seg[..p], &seg[p..]),
                _ => (seg, ""),
            };
            s.push_str(&format!("['{}']{index}", key.trim_matches('"')));
        }
        format!("tostring({s})")
    };
    match (source, table) {
        (Source::GcpAudit, _) => match path {
            "timestamp" => col("Timestamp"),
            "receiveTimestamp" => col("TimeGenerated"),
            "protoPayload.authenticationInfo.principalEmail" => col("PrincipalEmail"),
            "protoPayload.serviceName" => col("ServiceName"),
            "protoPayload.methodName" => col("MethodName"),
            "protoPayload.resourceName" => col("GCPResourceName"),
            "protoPayload.requestMetadata.callerIp" => json("RequestMetadata", "callerIp"),
            "protoPayload.status.code" => json("Status", "code"),
            "protoPayload.status.message" => json("Status", "message"),
            p => match p.strip_prefix("protoPayload.request.") {
                Some(r) => json("Request", r),
                None => match p.strip_prefix("protoPayload.response.") {
                    Some(r) => json("Response", r),
                    None => match p.strip_prefix("protoPayload.authenticationInfo.") {
                        Some(r) => json("AuthenticationInfo", r),
                        None => "''".into(),
                    },
                },
            },
        },
        (Source::AwsCloudTrail, _) => match path {
            "eventTime" => col("TimeGenerated"),
            "userIdentity.arn" => col("UserIdentityArn"),
            "userIdentity.userName" => col("UserIdentityUserName"),
            "userIdentity.principalId" => col("UserIdentityPrincipalid"),
            "userIdentity.invokedBy" => col("UserIdentityInvokedBy"),
            "userIdentity.accountId" => col("UserIdentityAccountId"),
            "recipientAccountId" => col("RecipientAccountId"),
            "eventSource" => col("EventSource"),
            "eventName" => col("EventName"),
            "awsRegion" => col("AWSRegion"),
            "sourceIPAddress" => col("SourceIpAddress"),
            "errorCode" => col("ErrorCode"),
            "errorMessage" => col("ErrorMessage"),
            "resources[0].ARN" => json("Resources", "[0].ARN").replace("['']", ""),
            p => match p.strip_prefix("requestParameters.") {
                Some(r) => json("RequestParameters", r),
                None => match p.strip_prefix("responseElements.") {
                    Some(r) => json("ResponseElements", r),
                    None => "''".into(),
                },
            },
        },
        (Source::AzureActivity, "AzureDiagnostics") => match path {
            "time" => col("TimeGenerated"),
            "operationName" => col("OperationName"),
            "resourceId" => col("ResourceId"),
            "resultType" => col("ResultType"),
            "resultSignature" => col("ResultSignature"),
            "callerIpAddress" => col("CallerIPAddress"),
            "properties.id" => col("id_s"),
            "properties.httpStatusCode" => col("httpStatusCode_d"),
            p if p.ends_with(UPN) => col("identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s"),
            p if p.ends_with(".upn") => col("identity_claim_upn_s"),
            p if p.ends_with(".appid") || p.ends_with(APPID) => col("identity_claim_appid_g"),
            p if p.ends_with(LONG_NAME) => {
                col("identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_name_s")
            }
            p if p.ends_with(".unique_name") => col("identity_claim_unique_name_s"),
            p if p.ends_with(OID) => {
                col("identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g")
            }
            p if p.ends_with(".oid") => col("identity_claim_oid_g"),
            _ => "''".into(),
        },
        (Source::AzureActivity, _) => match path {
            "time" => col("TimeGenerated"),
            "caller" => col("Caller"),
            "operationName" => col("OperationNameValue"),
            "resourceId" => col("_ResourceId"),
            "resultType" => col("ActivityStatusValue"),
            "resultSignature" => col("ActivitySubstatusValue"),
            "callerIpAddress" => col("CallerIpAddress"),
            p => match p.strip_prefix("identity.claims.") {
                Some(r) => json("Claims_d", r),
                None => match p.strip_prefix("properties.") {
                    Some(r) => json("Properties_d", r),
                    None => "''".into(),
                },
            },
        },
        (Source::AzureSignin, _) => match path {
            "time" => col("TimeGenerated"),
            "category" => col("Category"),
            "resultType" => col("ResultType"),
            "callerIpAddress" => col("IPAddress"),
            "properties.userPrincipalName" => col("UserPrincipalName"),
            "properties.servicePrincipalName" => col("ServicePrincipalName"),
            "properties.servicePrincipalId" => col("ServicePrincipalId"),
            "properties.userId" => col("UserId"),
            "properties.appDisplayName" => col("AppDisplayName"),
            "properties.appId" => col("AppId"),
            "properties.resourceDisplayName" => col("ResourceDisplayName"),
            "properties.ipAddress" => col("IPAddress"),
            _ => "''".into(),
        },
    }
}

/// GCP: principal `principalEmail`, else `principalSubject`, else the unknown principal; failed
/// when `status.code` is set and not 0.
fn gcp() -> Vec<(&'static str, Expr)> {
    let code = field("protoPayload.status.code");
    vec![
        ("time_text", first(&["timestamp", "receiveTimestamp"])),
        (
            "principal",
            Expr::First(vec![
                field("protoPayload.authenticationInfo.principalEmail"),
                field("protoPayload.authenticationInfo.principalSubject"),
                lit(UNKNOWN_PRINCIPAL),
            ]),
        ),
        ("service", field("protoPayload.serviceName")),
        ("operation", field("protoPayload.methodName")),
        ("resource", field("protoPayload.resourceName")),
        ("source_ip", field("protoPayload.requestMetadata.callerIp")),
        ("status", Expr::First(vec![field("protoPayload.status.message"), code.clone()])),
        (
            "outcome",
            iff(
                Cond::All(vec![Cond::NonEmpty(code.clone()), Cond::Not(Box::new(Cond::Eq(code, "0")))]),
                lit("failure"),
                lit("success"),
            ),
        ),
        ("kms_key", gcp_key_name()),
    ]
}

/// The key a GCP `CreateCryptoKey` created: the response's name, else the resource, else parent +
/// `cryptoKeyId`; without a version suffix (the local `kms::key_of`).
fn gcp_key_name() -> Expr {
    let response = field("protoPayload.response.name");
    let resource = field("protoPayload.resourceName");
    let built = Expr::Concat(vec![
        field("protoPayload.request.parent"),
        lit("/cryptoKeys/"),
        field("protoPayload.request.cryptoKeyId"),
    ]);
    let name = iff(
        Cond::Contains(response.clone(), "/cryptoKeys/"),
        response,
        iff(
            Cond::Contains(resource.clone(), "/cryptoKeys/"),
            resource.clone(),
            iff(
                Cond::All(vec![
                    Cond::NonEmpty(field("protoPayload.request.parent")),
                    Cond::NonEmpty(field("protoPayload.request.cryptoKeyId")),
                ]),
                built,
                resource,
            ),
        ),
    );
    Expr::Before(Box::new(name), "/cryptoKeyVersions/")
}

/// AWS: principal `userIdentity.arn`, else `userName`, `principalId`, `invokedBy`; the resource
/// is the first ARN of `resources`, else one derived from `requestParameters`.
///
/// Nuance: the local reader derives resources from a table of some 300 per-service rules
/// (`ingest::aws_resource`); this query carries the rule for `RunInstances` and the common
/// fallback keys (bucket, ARN-valued ids, secret, KMS key, IAM user and role), which cover the
/// management events most principals make. Other events keep an empty resource here.
fn aws() -> Vec<(&'static str, Expr)> {
    let account = first(&["recipientAccountId", "userIdentity.accountId"]);
    let q = |k: &'static str| field(k);
    let arn_or = |v: Expr, prefix: Vec<Expr>| {
        let mut parts = prefix;
        parts.push(v.clone());
        iff(
            Cond::Any(vec![Cond::Starts(v.clone(), "arn:"), Cond::Not(Box::new(Cond::NonEmpty(v.clone())))]),
            v,
            Expr::Concat(parts),
        )
    };
    let derived = Expr::First(vec![
        field("resources[0].ARN"),
        iff(
            Cond::Eq(field("eventName"), "RunInstances"),
            q("requestParameters.instancesSet.items[0].imageId"),
            lit(""),
        ),
        arn_or(q("requestParameters.bucketName"), vec![lit("arn:aws:s3:::")]),
        q("requestParameters.resourceArn"),
        q("requestParameters.arn"),
        q("requestParameters.instanceId"),
        q("requestParameters.secretId"),
        arn_or(
            q("requestParameters.keyId"),
            vec![lit("arn:aws:kms:"), field("awsRegion"), lit(":"), account.clone(), lit(":key/")],
        ),
        arn_or(q("requestParameters.userName"), vec![lit("arn:aws:iam::"), account.clone(), lit(":user/")]),
        arn_or(q("requestParameters.roleName"), vec![lit("arn:aws:iam::"), account, lit(":role/")]),
        q("requestParameters.roleArn"),
        q("requestParameters.policyArn"),
    ]);
    let failed = Cond::Any(vec![
        Cond::NonEmpty(field("errorCode")),
        Cond::NonEmpty(field("errorMessage")),
        Cond::All(vec![
            Cond::Eq(field("eventName"), "ConsoleLogin"),
            Cond::Eq(field("responseElements.ConsoleLogin"), "Failure"),
        ]),
    ]);
    vec![
        ("time_text", field("eventTime")),
        (
            "principal",
            first(&["userIdentity.arn", "userIdentity.userName", "userIdentity.principalId", "userIdentity.invokedBy"]),
        ),
        ("service", field("eventSource")),
        ("operation", field("eventName")),
        ("resource", derived),
        ("source_ip", field("sourceIPAddress")),
        ("status", first(&["errorCode", "errorMessage"])),
        ("outcome", iff(failed, lit("failure"), lit("success"))),
        ("kms_key", lit("")),
    ]
}

/// Azure Activity Log and Key Vault: the caller, else the claims' upn, appid, name, object ID;
/// the service from the operation's namespace, else the resource ID's provider; the resource the
/// Key Vault object's id, else the resource ID.
///
/// Nuance: the local reader also reads a caller from a plain-text `identity` and from PIM /
/// RBAC `properties.CallerInfo` or `SubjectName`; those records name no caller here.
fn azure_activity() -> Vec<(&'static str, Expr)> {
    let mut who = vec![field("caller")];
    for key in [UPN, "upn", "appid", APPID, LONG_NAME, "unique_name", "name", OID, "oid"] {
        for holder in ["identity.claims", "identity.claim", "claims"] {
            who.push(field(&format!("{holder}.{key}")));
        }
    }
    who.push(lit(UNKNOWN_PRINCIPAL));
    let op = field("operationName");
    let id = field("properties.id");
    let l = lower(id.clone());
    let vault_object = Cond::Any(vec![
        Cond::Contains(l.clone(), "/keys/"),
        Cond::Contains(l.clone(), "/secrets/"),
        Cond::Contains(l, "/certificates/"),
    ]);
    let result = first(&["resultType", "status"]);
    let http = field("properties.httpStatusCode");
    let failed = Cond::Any(vec![
        Cond::IEq(result.clone(), "failure"),
        Cond::IEq(result.clone(), "failed"),
        Cond::IEq(result.clone(), "error"),
        Cond::NonEmpty(Expr::Extract(Box::new(http.clone()), "^([4-9][0-9][0-9])([.]0*)?$")),
    ]);
    vec![
        ("time_text", first(&["time", "eventTimestamp"])),
        ("principal", Expr::First(who)),
        (
            "service",
            Expr::First(vec![
                Expr::Extract(Box::new(op.clone()), "^([^/]*[.][^/]*)/"),
                Expr::Extract(Box::new(field("resourceId")), "(?i)^.*/providers/([^/]+)"),
            ]),
        ),
        ("operation", op),
        ("resource", iff(Cond::All(vec![Cond::NonEmpty(id.clone()), vault_object]), id, field("resourceId"))),
        ("source_ip", first(&["callerIpAddress", "httpRequest.clientIpAddress"])),
        ("status", Expr::First(vec![field("resultSignature"), field("properties.statusCode"), http, result.clone()])),
        ("outcome", iff(failed, lit("failure"), lit("success"))),
        ("kms_key", lit("")),
    ]
}

/// Entra ID sign-ins: service `Microsoft.aadiam`, operation `Sign-in activity`, principal the UPN
/// (service principal's name for service and managed-identity sign-ins), resource the
/// application; failed when the error code is not 0.
fn azure_signin() -> Vec<(&'static str, Expr)> {
    let category = field("category");
    let service_kind =
        Cond::Any(vec![Cond::Contains(category.clone(), "Principal"), Cond::Contains(category, "Identity")]);
    let principal = iff(
        service_kind,
        first(&[
            "properties.servicePrincipalName",
            "properties.servicePrincipalId",
            "properties.appDisplayName",
            "properties.appId",
        ]),
        first(&["properties.userPrincipalName", "properties.servicePrincipalName"]),
    );
    let principal = Expr::First(vec![
        principal,
        field("properties.userId"),
        field("properties.servicePrincipalId"),
        lit(UNKNOWN_PRINCIPAL),
    ]);
    let code = Expr::First(vec![field("resultType"), field("properties.status.errorCode"), lit("0")]);
    vec![
        ("time_text", field("time")),
        ("principal", principal),
        ("service", lit("Microsoft.aadiam")),
        ("operation", lit("Sign-in activity")),
        ("resource", first(&["properties.appDisplayName", "properties.appId", "properties.resourceDisplayName"])),
        ("source_ip", first(&["callerIpAddress", "properties.ipAddress"])),
        ("status", iff(Cond::Eq(code.clone(), "0"), lit(""), code.clone())),
        ("outcome", iff(Cond::Eq(code, "0"), lit("success"), lit("failure"))),
        ("kms_key", lit("")),
    ]
}

/// Spark: the record parsed once with a schema of just the fields the query reads
/// (`from_json`), instead of one `get_json_object` parse per field. Paths in, the DDL type out.
pub fn spark_schema(paths: &[String]) -> String {
    #[derive(Default)]
    struct Node {
        kids: std::collections::BTreeMap<String, Node>,
        array: bool,
    }
    fn ddl(n: &Node) -> String {
        if n.kids.is_empty() {
            return "STRING".into();
        }
        let fields: Vec<String> = n.kids.iter().map(|(k, v)| format!("`{k}`: {}", typed(v))).collect();
        format!("STRUCT<{}>", fields.join(", "))
    }
    fn typed(n: &Node) -> String {
        if n.array { format!("ARRAY<{}>", ddl(n)) } else { ddl(n) }
    }
    let mut root = Node::default();
    for p in paths {
        let mut node = &mut root;
        for seg in segments(p) {
            let (key, index) = split_index(seg);
            node = node.kids.entry(key.trim_matches('"').to_string()).or_default();
            if !index.is_empty() {
                node.array = true;
            }
        }
    }
    ddl(&root)
}

/// How a path reads from the record Spark parsed with [`spark_schema`] (named `j`); a path that
/// is an object in the schema reads as non-empty when present.
pub fn spark_field(paths: &[String], path: &str) -> String {
    let mut acc = "j".to_string();
    for seg in segments(path) {
        let (key, index) = split_index(seg);
        acc = format!("{acc}.`{}`", key.trim_matches('"'));
        if let Some(n) =
            index.trim_start_matches('[').trim_end_matches(']').parse::<usize>().ok().filter(|_| !index.is_empty())
        {
            acc = format!("try_element_at({acc}, {})", n + 1);
        }
    }
    let object =
        paths.iter().any(|p| p.len() > path.len() && p.starts_with(path) && p[path.len()..].starts_with(['.', '[']));
    if object { format!("CASE WHEN {acc} IS NULL THEN '' ELSE 'x' END") } else { format!("COALESCE({acc}, '')") }
}

fn split_index(seg: &str) -> (&str, &str) {
    match seg.find('[') {
        Some(p) if !seg.starts_with('"') => (&seg[..p], &seg[p..]),
        _ => (seg, ""),
    }
}
