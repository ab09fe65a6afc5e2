//! Azure and Entra ID readers on real published records (`tests/fixtures/entra-*`,
//! `azure-loganalytics`; see SOURCES.md), and the same real records re-shaped into the other
//! export forms (Graph object, diagnostic record, Log Analytics row) to check that every form of
//! one event normalises alike.

mod common;
use common::*;
use serde_json::{Value, json};
use trailwatch::ingest::LoadReport;

fn field<'a>(e: &'a Value, k: &str) -> &'a str {
    e[k].as_str().unwrap_or_else(|| panic!("field {k} missing in {e}"))
}

/// Loads JSON lines from memory and returns the events as JSONL values.
fn events_from(lines: &[String]) -> (Vec<Value>, LoadReport) {
    let (store, report, _dir) = load_bytes("mixed.jsonl", lines.join("\n").as_bytes());
    let events = store.events().iter().map(|e| trailwatch::output::event_json(&store, e)).collect();
    (events, report)
}

/// The normalised fields every form of one event must agree on.
const SAME: [&str; 11] = [
    "time",
    "cloud",
    "principal",
    "principal_kind",
    "service",
    "operation",
    "resource",
    "source_ip",
    "outcome",
    "status",
    "target",
];

fn assert_same(a: &Value, b: &Value, what: &str) {
    for k in SAME {
        assert_eq!(a.get(k), b.get(k), "{what}: `{k}` differs:\n{a}\n{b}");
    }
}

fn one_record(fixture: &str) -> Value {
    let text = std::fs::read_to_string(common::fixture(fixture)).unwrap();
    let v: Value =
        serde_json::from_str(text.lines().next().unwrap()).unwrap_or_else(|_| serde_json::from_str(&text).unwrap());
    match v.get("value").or(v.get("records")) {
        Some(Value::Array(a)) => a[0].clone(),
        _ => v,
    }
}

#[test]
fn graph_sign_in_page_failed_password() {
    let (ev, report) = events_of("entra-signin/msgraph-docs_beta_signin-list_example1.json");
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(field(e, "time"), "2021-06-30T16:34:32Z");
    assert_eq!(field(e, "cloud"), "azure");
    assert_eq!(field(e, "principal"), "testaccount1@contoso.com");
    assert_eq!(field(e, "principal_kind"), "user");
    assert_eq!(field(e, "service"), "Microsoft.aadiam");
    assert_eq!(field(e, "operation"), "Sign-in activity");
    assert_eq!(field(e, "resource"), "Azure Portal");
    assert_eq!(field(e, "target"), "Windows Azure Service Management API");
    assert_eq!(field(e, "source_ip"), "131.107.159.37");
    assert_eq!(field(e, "region"), "US");
    assert_eq!(field(e, "outcome"), "failure");
    assert_eq!(field(e, "status"), "50126: Error validating credentials due to invalid username or password.");
    assert!(field(e, "user_agent").starts_with("Mozilla/5.0"));
    assert_eq!(e["source"]["index"], 0);
}

#[test]
fn service_principal_sign_in_is_a_service() {
    let (ev, _) = events_of("entra-signin/elastic-integrations_test-service-principal-signinlogs-sample.log");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(field(e, "principal"), "Terraform-Datadog-CLI");
    assert_eq!(field(e, "principal_kind"), "service");
    assert_eq!(field(e, "operation"), "Sign-in activity");
    assert_eq!(field(e, "resource"), "6131d760-7fda-4db5-8bb1-b771898e9f15");
    assert_eq!(field(e, "target"), "Windows Azure Service Management API");
    assert_eq!(field(e, "source_ip"), "1.128.3.4");
    assert_eq!(field(e, "region"), "IN");
    assert_eq!(field(e, "outcome"), "success");
    assert_eq!(field(e, "status"), "risk low");
}

#[test]
fn sign_in_forms_agree() {
    // The Graph sign-in as the portal downloads it, as a collection tool writes it (one per line),
    // as a diagnostic-settings record and as a Log Analytics SigninLogs row (dynamic columns once
    // as JSON, once as JSON text).
    let s = one_record("entra-signin/msgraph-docs_beta_signin-list_example1.json");
    let diagnostic = json!({
        "time": s["createdDateTime"], "resourceId": "/tenants/99081087-73c4-48d1-a112-f60ff75114f7/providers/Microsoft.aadiam",
        "operationName": "Sign-in activity", "category": "SignInLogs", "resultType": "50126",
        "resultDescription": s["status"]["failureReason"], "callerIpAddress": s["ipAddress"],
        "identity": s["userDisplayName"], "location": "US", "properties": s,
    });
    let row = |dynamic_as_text: bool| {
        let d = |v: &Value| if dynamic_as_text { Value::String(v.to_string()) } else { v.clone() };
        json!({
            "TenantId": "99081087-73c4-48d1-a112-f60ff75114f7", "TimeGenerated": s["createdDateTime"],
            "OperationName": "Sign-in activity", "Category": "SignInLogs", "ResultType": "50126",
            "ResultDescription": s["status"]["failureReason"], "Identity": s["userDisplayName"],
            "Location": "US", "AppDisplayName": s["appDisplayName"], "AppId": s["appId"],
            "ClientAppUsed": "Browser", "ConditionalAccessStatus": "notApplied", "IPAddress": s["ipAddress"],
            "IsInteractive": "true", "LocationDetails": d(&s["location"]), "ResourceDisplayName": s["resourceDisplayName"],
            "RiskLevelDuringSignIn": "none", "RiskState": "none", "Status": d(&s["status"]),
            "UserAgent": s["userAgent"], "UserDisplayName": s["userDisplayName"], "UserId": s["userId"],
            "UserPrincipalName": s["userPrincipalName"], "Type": "SigninLogs", "TableName": "PrimaryResult",
        })
    };
    let mut untyped = row(true);
    untyped.as_object_mut().unwrap().remove("Type");
    let lines: Vec<String> =
        [s.clone(), diagnostic, row(false), row(true), untyped].iter().map(Value::to_string).collect();
    let (ev, report) = events_from(&lines);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 5);
    for (i, e) in ev.iter().enumerate().skip(1) {
        assert_same(&ev[0], e, &format!("form {i}"));
        assert_eq!(e["region"], "US");
    }
}

#[test]
fn graph_directory_audits() {
    let (ev, report) = events_of("entra-audit/msgraph-docs_v1_directoryaudit-list_example1.json");
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(field(e, "time"), "2018-01-09T21:20:02.721537Z");
    assert_eq!(field(e, "principal"), "bob@wingtiptoysonline.com");
    assert_eq!(field(e, "principal_kind"), "user");
    assert_eq!(field(e, "service"), "Core Directory");
    assert_eq!(field(e, "operation"), "Add member to group");
    assert_eq!(field(e, "resource"), "Example.com");
    assert_eq!(field(e, "target"), "bob@contoso.com");
    assert_eq!(field(e, "source_ip"), "127.0.0.1");
    assert_eq!(field(e, "outcome"), "success");

    // An initiator without UPN is named by its ID.
    let (ev, _) = events_of("entra-audit/msgraph-docs_v1_directoryaudit-list_example2.json");
    assert_eq!(ev.len(), 1);
    assert_eq!(field(&ev[0], "principal"), "00000000-0000-0000-0000-000000000000");
    assert_eq!(field(&ev[0], "operation"), "GroupLifecyclePolicies_Get");
    assert_eq!(field(&ev[0], "service"), "Self-service Group Management");
    assert_eq!(field(&ev[0], "source_ip"), "10.0.0.0");
    assert_eq!(field(&ev[0], "status"), "OK");
}

#[test]
fn diagnostic_audit_records() {
    let (ev, report) = events_of("entra-audit/elastic-integrations_test-auditlogs-raw.log");
    assert_eq!(report.records, 3);
    assert_eq!(ev.len(), 3);
    let app = &ev[0];
    assert_eq!(field(app, "time"), "2019-10-18T15:30:51.027371Z");
    assert_eq!(field(app, "principal"), "Device Registration Service");
    assert_eq!(field(app, "principal_kind"), "service");
    assert_eq!(field(app, "operation"), "Update device");
    assert_eq!(field(app, "resource"), "LAPTOP-12");
    let user = &ev[1];
    assert_eq!(field(user, "principal"), "UserName");
    assert_eq!(field(user, "principal_kind"), "user");
    assert_eq!(field(user, "source_ip"), "0.0.0.0");
}

#[test]
fn credential_added_to_a_service_principal() {
    let (ev, _) = events_of("entra-audit/elastic-integrations_test-audit-logs-sample_sp-credentials.log");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(field(e, "operation"), "Add service principal credentials");
    assert_eq!(field(e, "principal"), "Managed Service Identity");
    assert_eq!(field(e, "principal_kind"), "service");
    assert_eq!(field(e, "resource"), "billing-test-wus");
    // The key added (the one in newValue that oldValue lacks), not the ones already there.
    assert!(
        field(e, "target").starts_with("KeyIdentifier=d747da7e-e11b-4af2-aede-0487c44067af,KeyType=AsymmetricX509Cert")
    );
    assert_eq!(field(e, "source_ip"), "1.128.3.4");
    assert_eq!(field(e, "user_agent"), "Microsoft Azure Graph Client Library 2.1.17-internal");
    assert_eq!(field(e, "outcome"), "success");
}

#[test]
fn audit_forms_agree() {
    let diagnostic = one_record("entra-audit/elastic-integrations_test-audit-logs-sample_sp-credentials.log");
    let a = diagnostic["properties"].clone();
    let row = |as_text: bool| {
        let d = |v: &Value| if as_text { Value::String(v.to_string()) } else { v.clone() };
        json!({
            "TenantId": "4bbb79f7-5724-4c9e-95f3-de075f6ec090", "SourceSystem": "Azure AD",
            "TimeGenerated": diagnostic["time"], "ResourceId": diagnostic["resourceId"],
            "OperationName": a["activityDisplayName"], "OperationVersion": "1.0", "Category": a["category"],
            "ResultSignature": "None", "DurationMs": "0", "CorrelationId": a["correlationId"],
            "Resource": "Microsoft.aadiam", "ResourceGroup": "Microsoft.aadiam", "Identity": "Managed Service Identity",
            "Level": "4", "AdditionalDetails": d(&a["additionalDetails"]), "Id": a["id"], "InitiatedBy": d(&a["initiatedBy"]),
            "LoggedByService": a["loggedByService"], "Result": a["result"], "ResultReason": "",
            "TargetResources": d(&a["targetResources"]), "AADTenantId": "4bbb79f7-5724-4c9e-95f3-de075f6ec090",
            "ActivityDisplayName": a["activityDisplayName"], "ActivityDateTime": a["activityDateTime"],
            "AADOperationType": a["operationType"], "Type": "AuditLogs",
        })
    };
    let mut untyped = row(true);
    untyped.as_object_mut().unwrap().remove("Type");
    let lines: Vec<String> =
        [diagnostic.clone(), a.clone(), row(false), row(true), untyped].iter().map(Value::to_string).collect();
    let (ev, report) = events_from(&lines);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 5);
    for (i, e) in ev.iter().enumerate().skip(1) {
        let mut e = e.clone();
        // Only the diagnostic record carries the caller's address (`callerIpAddress`).
        e["source_ip"] = ev[0]["source_ip"].clone();
        assert_same(&ev[0], &e, &format!("form {i}"));
    }
}

#[test]
fn role_membership_and_consent_name_what_was_granted() {
    let role = json!({
        "id": "Directory_x", "category": "RoleManagement", "result": "failure", "resultReason": "Insufficient privileges",
        "activityDisplayName": "Add member to role", "activityDateTime": "2024-05-01T10:00:00Z", "loggedByService": "Core Directory",
        "initiatedBy": {"user": {"id": "u1", "userPrincipalName": "admin@contoso.com", "ipAddress": "203.0.113.7"}},
        "targetResources": [{"id": "u2", "displayName": "Bob", "type": "User", "userPrincipalName": "bob@contoso.com",
            "modifiedProperties": [{"displayName": "Role.DisplayName", "oldValue": null, "newValue": "\"Global Administrator\""}]}]
    });
    let consent = json!({
        "activityDisplayName": "Add delegated permission grant", "activityDateTime": "2024-05-01T10:01:00Z",
        "loggedByService": "Core Directory", "result": "success",
        "initiatedBy": {"app": {"displayName": "Evil App", "servicePrincipalId": "sp1"}},
        "targetResources": [{"id": "sp2", "displayName": "Microsoft Graph", "type": "ServicePrincipal",
            "modifiedProperties": [{"displayName": "DelegatedPermissionGrant.Scope", "oldValue": "\"\"", "newValue": "\" Mail.Read offline_access\""}]}]
    });
    let (ev, report) = events_from(&[role.to_string(), consent.to_string()]);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(field(&ev[0], "operation"), "Add member to role");
    assert_eq!(field(&ev[0], "resource"), "bob@contoso.com");
    assert_eq!(field(&ev[0], "target"), "Global Administrator");
    assert_eq!(field(&ev[0], "outcome"), "failure");
    assert_eq!(field(&ev[0], "status"), "Insufficient privileges");
    assert_eq!(field(&ev[1], "principal"), "Evil App");
    assert_eq!(field(&ev[1], "principal_kind"), "service");
    assert_eq!(field(&ev[1], "resource"), "Microsoft Graph");
    assert_eq!(field(&ev[1], "target"), "Mail.Read offline_access");
}

#[test]
fn log_analytics_activity_row_without_type_or_caller() {
    let (ev, report) = events_of("azure-loganalytics/msdocs_logs-export-logic-app_AzureActivity-row.json");
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(field(e, "time"), "2020-09-29T23:11:02.578Z");
    assert_eq!(field(e, "principal"), "(unknown principal)");
    assert_eq!(field(e, "principal_kind"), "unknown");
    assert_eq!(field(e, "operation"), "MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE");
    assert_eq!(field(e, "service"), "MICROSOFT.RESOURCES");
    assert!(field(e, "resource").ends_with("/storageaccounts/my-storage-account"));
    assert_eq!(field(e, "source_ip"), "192.168.1.100");
    assert_eq!(field(e, "outcome"), "success");
}

#[test]
fn activity_forms_agree() {
    let native = one_record("azure-activity/msdocs_activity-log-schema_storage-eventhub-records.json");
    let row = |as_text: bool, typed: bool| {
        let d = |v: &Value| if as_text { Value::String(v.to_string()) } else { v.clone() };
        let mut r = json!({
            "TenantId": "x", "SourceSystem": "Azure", "TimeGenerated": native["time"],
            "CallerIpAddress": native["callerIpAddress"], "CategoryValue": "Administrative",
            "CorrelationId": native["correlationId"], "Authorization_d": d(&native["identity"]["authorization"]),
            "Claims_d": d(&native["identity"]["claims"]), "Level": "Informational",
            "OperationNameValue": native["operationName"], "Properties_d": d(&native["properties"]),
            "Caller": "", "ActivityStatusValue": native["resultType"], "ActivitySubstatusValue": native["resultSignature"],
            "ResourceProviderValue": "microsoft.support", "ResourceId": native["resourceId"],
            "_ResourceId": native["resourceId"].as_str().unwrap().to_lowercase(), "TableName": "PrimaryResult",
        });
        if typed {
            r["Type"] = json!("AzureActivity");
        }
        r
    };
    let lines: Vec<String> =
        [native.clone(), row(false, true), row(true, true), row(true, false)].iter().map(Value::to_string).collect();
    let (ev, report) = events_from(&lines);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 4);
    assert_eq!(field(&ev[0], "principal"), "admin@contoso.com");
    for (i, e) in ev.iter().enumerate().skip(1) {
        assert_same(&ev[0], e, &format!("form {i}"));
    }
}

#[test]
fn key_vault_diagnostics_row_agrees_with_native() {
    let native = one_record("azure-keyvault/msdocs_key-vault-logging_VaultGet-records.json");
    let claim = &native["identity"]["claim"];
    let row = json!({
        "TenantId": "x", "TimeGenerated": native["time"], "ResourceId": native["resourceId"],
        "Category": "AuditEvent", "ResourceGroup": "CONTOSOGROUP", "SubscriptionId": "361da5d4-a47a-4c79-afdd-XXXXXXXXXXXX",
        "ResourceProvider": "MICROSOFT.KEYVAULT", "Resource": "CONTOSOKEYVAULT", "ResourceType": "VAULTS",
        "OperationName": "VaultGet", "ResultType": "Success", "ResultSignature": "OK", "DurationMs": 78,
        "CallerIPAddress": native["callerIpAddress"], "id_s": native["properties"]["id"],
        "clientInfo_s": native["properties"]["clientInfo"], "httpStatusCode_d": 200.0,
        "requestUri_s": native["properties"]["requestUri"],
        "identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s": claim["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"],
        "identity_claim_appid_g": claim["appid"],
        "identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g": claim["http://schemas.microsoft.com/identity/claims/objectidentifier"],
        "Type": "AzureDiagnostics",
    });
    let mut untyped = row.clone();
    untyped.as_object_mut().unwrap().remove("Type");
    let other = json!({"TimeGenerated": "2024-01-01T00:00:00Z", "ResourceProvider": "MICROSOFT.NETWORK", "Category": "ApplicationGatewayAccessLog", "Type": "AzureDiagnostics"});
    let lines: Vec<String> = [native.clone(), row, untyped, other].iter().map(Value::to_string).collect();
    let (ev, report) = events_from(&lines);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 3);
    assert_eq!(report.ignored.get("log analytics: AzureDiagnostics row (MICROSOFT.NETWORK)"), Some(&1));
    for (i, e) in ev.iter().enumerate().skip(1) {
        assert_same(&ev[0], e, &format!("form {i}"));
        assert_eq!(field(e, "user_agent"), "azure-resource-manager/2.0");
    }
}

#[test]
fn records_without_a_caller() {
    let pim = json!({
        "time": "2024-05-01T10:00:00Z", "resourceId": "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/r",
        "operationName": "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", "category": "Administrative", "resultType": "Success",
        "properties": {"CallerInfo": "{\"UPN\":\"pim.admin@contoso.com\",\"ObjectID\":\"0f0b85e6-fe8a-4097-bc16-1c1f6fd1e615\"}"}
    });
    let nobody = json!({
        "time": "2024-05-01T10:01:00Z", "resourceId": "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/r",
        "operationName": "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/DELETE", "category": "Administrative", "resultType": "Success",
        "properties": {}
    });
    let autoscale = json!({
        "time": "2024-05-01T10:02:00Z", "resourceId": "/subscriptions/s/resourceGroups/g/providers/microsoft.insights/autoscalesettings/a",
        "operationName": "Microsoft.Insights/AutoscaleSettings/Scaleup/Action", "category": "Autoscale", "resultType": "Succeeded"
    });
    let (ev, report) = events_from(&[pim.to_string(), nobody.to_string(), autoscale.to_string()]);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 2);
    assert_eq!(field(&ev[0], "principal"), "pim.admin@contoso.com");
    assert_eq!(field(&ev[0], "principal_kind"), "user");
    assert_eq!(field(&ev[1], "principal"), "(unknown principal)");
    assert_eq!(field(&ev[1], "principal_kind"), "unknown");
    assert_eq!(field(&ev[1], "operation"), "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/DELETE");
    assert_eq!(report.ignored.get("azure: Autoscale without a caller"), Some(&1));
}

#[test]
fn bad_azure_rows_say_what_was_found_and_what_is_missing() {
    let no_time = json!({"Type": "AuditLogs", "OperationName": "Add member to role", "InitiatedBy": "{}"});
    let bad_time = json!({"createdDateTime": "yesterday", "userPrincipalName": "a@b.c", "appDisplayName": "x"});
    let graph_other = json!({"createdDateTime": "2024-01-01T00:00:00Z", "displayName": "a group"});
    let heartbeat = json!({"TimeGenerated": "2024-01-01T00:00:00Z", "Computer": "vm1", "Type": "Heartbeat"});
    let lines: Vec<String> = [no_time, bad_time, graph_other, heartbeat].iter().map(Value::to_string).collect();
    let (ev, report) = events_from(&lines);
    assert!(ev.is_empty());
    assert_eq!(report.skipped, 2, "{:?}", report.skips);
    assert!(report.skips[0].reason.contains("TimeGenerated"), "{}", report.skips[0].reason);
    assert!(report.skips[1].reason.contains("createdDateTime"), "{}", report.skips[1].reason);
    assert_eq!(report.ignored.get("microsoft graph: object without sign-in or audit fields"), Some(&1));
    assert_eq!(report.ignored.get("log analytics: Heartbeat row"), Some(&1));
}

#[test]
fn gzipped_graph_page_mixed_with_other_clouds_in_one_load() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let page = std::fs::read(common::fixture("entra-signin/msgraph-docs_beta_signin-list_example1.json")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&page).unwrap();
    std::fs::write(dir.path().join("signins.json.gz"), enc.finish().unwrap()).unwrap();
    for f in [
        "entra-audit/elastic-integrations_test-auditlogs-raw.log",
        "azure-loganalytics/msdocs_logs-export-logic-app_AzureActivity-row.json",
        "aws-cloudtrail/elastic-integrations_test-console-login-json.log",
        "gcp-audit/elastic-integrations_test-cloudresourcemanager-googleapis-com.log",
    ] {
        let name = f.replace('/', "_");
        std::fs::copy(common::fixture(f), dir.path().join(name)).unwrap();
    }
    let (store, report) = load_paths(&[dir.path().to_path_buf()]);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(report.events, 1 + 3 + 1 + 3 + 1);
    let signin = store.events().iter().find(|e| store.str(e.operation) == "Sign-in activity").unwrap();
    assert_eq!(store.str(signin.principal), "testaccount1@contoso.com");
    assert!(store.events().windows(2).all(|w| w[0].time <= w[1].time));
}

#[test]
fn properties_written_as_json_text_read_the_same() {
    let mut lines = Vec::new();
    for f in [
        "entra-audit/elastic-integrations_test-audit-logs-sample_sp-credentials.log",
        "entra-signin/elastic-integrations_test-service-principal-signinlogs-sample.log",
        "azure-activity/msdocs_activity-log-schema_storage-eventhub-records.json",
    ] {
        let native = one_record(f);
        let mut text = native.clone();
        text["properties"] = Value::String(native["properties"].to_string());
        lines.push(native.to_string());
        lines.push(text.to_string());
    }
    let (ev, report) = events_from(&lines);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 6);
    let by_op = |op: &str| ev.iter().filter(|e| e["operation"] == op).cloned().collect::<Vec<_>>();
    for op in ["Add service principal credentials", "Sign-in activity", "microsoft.support/supporttickets/write"] {
        let pair = by_op(op);
        assert_eq!(pair.len(), 2, "{op}");
        assert_same(&pair[0], &pair[1], op);
    }
    assert!(
        by_op("Add service principal credentials")[1]["target"].as_str().unwrap().starts_with("KeyIdentifier=d747da7e")
    );
}

#[test]
fn service_principal_sign_in_row_agrees_with_native() {
    let native = one_record("entra-signin/elastic-integrations_test-service-principal-signinlogs-sample.log");
    let p = &native["properties"];
    // As `az monitor log-analytics query` prints it: every value a string, dynamic ones JSON text.
    let row = json!({
        "TenantId": native["tenantId"], "TimeGenerated": native["time"], "OperationName": "Sign-in activity",
        "Category": "ServicePrincipalSignInLogs", "ResultType": "0", "Location": "IN", "AppId": p["appId"],
        "ConditionalAccessStatus": "notApplied", "CorrelationId": p["correlationId"], "Id": p["id"],
        "IPAddress": p["ipAddress"], "LocationDetails": p["location"].to_string(), "ResourceDisplayName": p["resourceDisplayName"],
        "ServicePrincipalId": p["servicePrincipalId"], "ServicePrincipalName": p["servicePrincipalName"],
        "ServicePrincipalCredentialKeyId": p["servicePrincipalCredentialKeyId"], "RiskLevelDuringSignIn": "low",
        "Status": p["status"].to_string(), "Type": "AADServicePrincipalSignInLogs", "TableName": "PrimaryResult",
    });
    let mut no_category = row.clone();
    no_category.as_object_mut().unwrap().remove("Category");
    let lines: Vec<String> = [native.clone(), row, no_category].iter().map(Value::to_string).collect();
    let (ev, report) = events_from(&lines);
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(ev.len(), 3);
    for (i, e) in ev.iter().enumerate().skip(1) {
        assert_same(&ev[0], e, &format!("form {i}"));
        assert_eq!(field(e, "principal_kind"), "service");
        assert_eq!(field(e, "region"), "IN");
    }
}
