//! Log Analytics / Sentinel query results (portal Export → JSON, `az monitor log-analytics
//! query`, the query API's rows): one JSON object per row, columns named as the table defines
//! them, dynamic columns as JSON or as JSON-encoded strings.
//!
//! Owns telling the table: by the `Type` column, else (when `Type` was not exported) by columns
//! only that table has; and reading `AzureActivity` and Key Vault `AzureDiagnostics` rows into
//! the same [`Activity`] the native records make, so that both forms give the same event.
//! `SigninLogs` (and the other sign-in tables) and `AuditLogs` rows are read by
//! [`super::signin`] and [`super::audit`]. `SecurityEvent` rows and rows of tables not read here
//! are left to the Windows reader, which counts them as ignored by table.

use super::activity::{self, Activity, Claims, HttpRequest, Props};
use super::{audit, dynamic_text, parse, signin};
use crate::ingest::flex::{Flex, first_non_empty};
use crate::ingest::probe::{Parsed, Probe, require_time};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// A Log Analytics table read here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    AzureActivity,
    /// A sign-in table, by name.
    SignIn(&'static str),
    AuditLogs,
    AzureDiagnostics,
}

/// Columns whose presence tells a table when `Type` was not exported.
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
pub(super) struct Markers<'a> {
    pub OperationNameValue: Option<IgnoredAny>,
    pub ActivityStatusValue: Option<IgnoredAny>,
    pub CategoryValue: Option<IgnoredAny>,
    pub LoggedByService: Option<IgnoredAny>,
    pub InitiatedBy: Option<IgnoredAny>,
    pub TargetResources: Option<IgnoredAny>,
    pub ResultType: Option<IgnoredAny>,
    pub AppDisplayName: Option<IgnoredAny>,
    pub ConditionalAccessStatus: Option<IgnoredAny>,
    #[serde(borrow)]
    pub ResourceProvider: Flex<'a>,
    pub identity_claim_upn_s: Option<IgnoredAny>,
    pub identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s: Option<IgnoredAny>,
    pub requestUri_s: Option<IgnoredAny>,
}

/// The table of a Log Analytics row read here, if it is one.
pub fn table(p: &Probe<'_>) -> Option<Table> {
    if p.System.is_some() || p.Event.is_some() {
        return None;
    }
    if let Some(t) = p.Type.non_empty() {
        let t = t.trim();
        return if t.eq_ignore_ascii_case("AzureActivity") {
            Some(Table::AzureActivity)
        } else if t.eq_ignore_ascii_case("AuditLogs") {
            Some(Table::AuditLogs)
        } else if t.eq_ignore_ascii_case("AzureDiagnostics") {
            Some(Table::AzureDiagnostics)
        } else {
            signin::TABLES.iter().find(|s| s.eq_ignore_ascii_case(t)).map(|s| Table::SignIn(s))
        };
    }
    if p.TimeGenerated.is_none() || p.text.is_empty() || !p.EventID.0.is_empty() {
        return None;
    }
    let m: Markers = serde_json::from_str(p.text).ok()?;
    if m.OperationNameValue.is_some() || m.ActivityStatusValue.is_some() || m.CategoryValue.is_some() {
        Some(Table::AzureActivity)
    } else if audit::looks_like_row(&m) {
        Some(Table::AuditLogs)
    } else if signin::looks_like_row(&m) {
        Some(Table::SignIn("SigninLogs"))
    } else if m.ResourceProvider.as_str().eq_ignore_ascii_case("MICROSOFT.KEYVAULT")
        || m.identity_claim_upn_s.is_some()
        || m.identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s.is_some()
        || m.requestUri_s.is_some()
    {
        Some(Table::AzureDiagnostics)
    } else {
        None
    }
}

/// Reads a row of a table read here.
pub(super) fn normalise(p: Probe<'_>, table: Table) -> Result<Parsed<'_>, String> {
    if p.text.is_empty() {
        return Err("Log Analytics row that is not valid UTF-8".into());
    }
    match table {
        Table::AzureActivity => activity_row(p.text),
        Table::SignIn(name) => signin::row(p.text, name),
        Table::AuditLogs => audit::row(p.text),
        Table::AzureDiagnostics => diagnostics_row(p.text),
    }
}

fn reason(table: &str, e: &serde_json::Error) -> String {
    format!("{table} row: {}", crate::ingest::frame::json_reason(e))
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct ActivityRow<'a> {
    #[serde(borrow, alias = "TimeGenerated [UTC]")]
    TimeGenerated: Flex<'a>,
    #[serde(borrow)]
    OperationNameValue: Flex<'a>,
    #[serde(borrow)]
    OperationName: Flex<'a>,
    #[serde(borrow)]
    ActivityStatusValue: Flex<'a>,
    #[serde(borrow)]
    ActivityStatus: Flex<'a>,
    #[serde(borrow)]
    ActivitySubstatusValue: Flex<'a>,
    #[serde(borrow)]
    ActivitySubstatus: Flex<'a>,
    #[serde(borrow)]
    Caller: Flex<'a>,
    #[serde(borrow)]
    CallerIpAddress: Flex<'a>,
    /// Not an `AzureActivity` column, but some exports name the caller's address so.
    #[serde(borrow)]
    ClientIpAddress: Flex<'a>,
    #[serde(borrow)]
    CategoryValue: Flex<'a>,
    #[serde(borrow)]
    Category: Flex<'a>,
    #[serde(borrow)]
    ResourceProviderValue: Flex<'a>,
    #[serde(borrow)]
    ResourceProvider: Flex<'a>,
    #[serde(borrow)]
    ResourceId: Flex<'a>,
    #[serde(borrow)]
    _ResourceId: Flex<'a>,
    #[serde(borrow)]
    Properties_d: Option<&'a RawValue>,
    #[serde(borrow)]
    Properties: Option<&'a RawValue>,
    #[serde(borrow)]
    Claims_d: Option<&'a RawValue>,
    #[serde(borrow)]
    Claims: Option<&'a RawValue>,
    #[serde(borrow)]
    Authorization_d: Option<&'a RawValue>,
    #[serde(borrow)]
    Authorization: Option<&'a RawValue>,
    #[serde(borrow, alias = "HttpRequest")]
    HTTPRequest: Option<&'a RawValue>,
}

/// Present and not JSON null.
fn present(r: Option<&RawValue>) -> Option<&RawValue> {
    r.filter(|r| r.get().trim() != "null")
}

fn activity_row(text: &str) -> Result<Parsed<'_>, String> {
    let r: ActivityRow = serde_json::from_str(text).map_err(|e| reason("AzureActivity", &e))?;
    let time = require_time("TimeGenerated", r.TimeGenerated.non_empty())?;
    let claims_text = dynamic_text(present(r.Claims_d).or(present(r.Claims)));
    let props_text = dynamic_text(present(r.Properties_d).or(present(r.Properties)));
    let auth_text = dynamic_text(present(r.Authorization_d).or(present(r.Authorization)));
    let http_text = dynamic_text(present(r.HTTPRequest));
    let service_evidence = auth_text.as_deref().is_some_and(|a| {
        a.contains("\"principalType\":\"ServicePrincipal\"") || a.contains("\"principalType\": \"ServicePrincipal\"")
    });
    let claims: Claims = parse(claims_text.as_deref());
    let props: Props = parse(props_text.as_deref());
    let http: HttpRequest = parse(http_text.as_deref());
    let a = Activity {
        category: first_non_empty(&[r.CategoryValue.non_empty(), r.Category.non_empty()]).unwrap_or(""),
        time,
        caller: r.Caller.as_str(),
        claims,
        identity_name: None,
        service_evidence,
        props,
        operation: first_non_empty(&[r.OperationNameValue.non_empty(), r.OperationName.non_empty()]).unwrap_or(""),
        resource_id: first_non_empty(&[r.ResourceId.non_empty(), r._ResourceId.non_empty()]).unwrap_or(""),
        provider: first_non_empty(&[r.ResourceProviderValue.non_empty(), r.ResourceProvider.non_empty()]).unwrap_or(""),
        result: first_non_empty(&[r.ActivityStatusValue.non_empty(), r.ActivityStatus.non_empty()]).unwrap_or(""),
        signature: first_non_empty(&[r.ActivitySubstatusValue.non_empty(), r.ActivitySubstatus.non_empty()])
            .unwrap_or(""),
        caller_ip: first_non_empty(&[r.CallerIpAddress.non_empty(), r.ClientIpAddress.non_empty()]).unwrap_or(""),
        http,
        region: "",
    };
    Ok(match activity::draft(&a)? {
        Some(d) => Parsed::Event(Box::new(d)),
        None => Parsed::Ignored(activity::ignored_kind(a.category)),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct DiagnosticsRow<'a> {
    #[serde(borrow, alias = "TimeGenerated [UTC]")]
    TimeGenerated: Flex<'a>,
    #[serde(borrow)]
    OperationName: Flex<'a>,
    #[serde(borrow)]
    ResourceId: Flex<'a>,
    #[serde(borrow)]
    _ResourceId: Flex<'a>,
    #[serde(borrow)]
    ResourceProvider: Flex<'a>,
    #[serde(borrow)]
    Category: Flex<'a>,
    #[serde(borrow)]
    CallerIPAddress: Flex<'a>,
    #[serde(borrow)]
    CallerIpAddress: Flex<'a>,
    #[serde(borrow)]
    identity_claim_upn_s: Flex<'a>,
    #[serde(borrow)]
    identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s: Flex<'a>,
    #[serde(borrow)]
    identity_claim_appid_g: Flex<'a>,
    #[serde(borrow)]
    identity_claim_oid_g: Flex<'a>,
    #[serde(borrow)]
    identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g: Flex<'a>,
    #[serde(borrow)]
    identity_claim_unique_name_s: Flex<'a>,
    #[serde(borrow)]
    identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_name_s: Flex<'a>,
    #[serde(borrow)]
    id_s: Flex<'a>,
    #[serde(borrow)]
    httpStatusCode_d: Flex<'a>,
    #[serde(borrow)]
    ResultType: Flex<'a>,
    #[serde(borrow)]
    ResultSignature: Flex<'a>,
    #[serde(borrow)]
    clientInfo_s: Flex<'a>,
}

fn diagnostics_row(text: &str) -> Result<Parsed<'_>, String> {
    let r: DiagnosticsRow = serde_json::from_str(text).map_err(|e| reason("AzureDiagnostics", &e))?;
    let provider = r.ResourceProvider.as_str().trim();
    let key_vault = provider.eq_ignore_ascii_case("MICROSOFT.KEYVAULT")
        || (provider.is_empty() && (r.id_s.non_empty().is_some() || r.identity_claim_upn_s.non_empty().is_some()));
    if !key_vault {
        let what = if provider.is_empty() { String::new() } else { format!(" ({provider})") };
        return Ok(Parsed::Ignored(format!("log analytics: AzureDiagnostics row{what}")));
    }
    let time = require_time("TimeGenerated", r.TimeGenerated.non_empty())?;
    let pick = |a: &Flex<'_>, b: &Flex<'_>| {
        Flex(first_non_empty(&[a.non_empty(), b.non_empty()]).unwrap_or("").to_string().into())
    };
    let claims = Claims {
        upn: pick(&r.identity_claim_upn_s, &r.identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s),
        appid: r.identity_claim_appid_g.clone(),
        long_name: r.identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_name_s.clone(),
        name: r.identity_claim_unique_name_s.clone(),
        oid: pick(
            &r.identity_claim_oid_g,
            &r.identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g,
        ),
        ipaddr: Flex::default(),
    };
    let props = Props {
        clientInfo: r.clientInfo_s.clone(),
        id: r.id_s.clone(),
        httpStatusCode: r.httpStatusCode_d.clone(),
        ..Props::default()
    };
    let a = Activity {
        category: r.Category.as_str(),
        time,
        claims,
        props,
        operation: r.OperationName.as_str(),
        resource_id: first_non_empty(&[r.ResourceId.non_empty(), r._ResourceId.non_empty()]).unwrap_or(""),
        result: r.ResultType.as_str(),
        signature: r.ResultSignature.as_str(),
        caller_ip: first_non_empty(&[r.CallerIPAddress.non_empty(), r.CallerIpAddress.non_empty()]).unwrap_or(""),
        ..Activity::default()
    };
    Ok(match activity::draft(&a)? {
        Some(d) => Parsed::Event(Box::new(d)),
        None => Parsed::Ignored(activity::ignored_kind(a.category)),
    })
}
