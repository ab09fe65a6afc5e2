//! Rendering the three Azure record kinds: Activity Log, Key Vault `AuditEvent` and Entra
//! `SignInLogs`.

use super::{CLI_APP, Op, PORTAL, SUB, TENANT, duration, kv_object_id};
use crate::generate::Call;
use crate::generate::org::Ident;
use crate::generate::util::*;

fn claims(b: &mut Vec<u8>, c: &Call<'_>) {
    let iat = c.t / SEC - (c.id % 3000) as i64;
    raw(b, "\"claims\":{\"aud\":\"https://management.core.windows.net/\",\"iss\":\"https://sts.windows.net/");
    raw(b, TENANT);
    raw(b, "/\",\"iat\":\"");
    push_u64(b, iat as u64);
    raw(b, "\",\"nbf\":\"");
    push_u64(b, iat as u64);
    raw(b, "\",\"exp\":\"");
    push_u64(b, (iat + 4200) as u64);
    match &c.p.ident {
        Ident::AzureUser { upn, name, oid } => {
            raw(
                b,
                "\",\"http://schemas.microsoft.com/claims/authnclassreference\":\"1\",\"http://schemas.microsoft.com/claims/authnmethodsreferences\":\"pwd,mfa\",\"appid\":\"",
            );
            raw(b, PORTAL.1);
            raw(b, "\",\"appidacr\":\"2\",\"ipaddr\":");
            q(b, c.ip);
            raw(b, ",\"name\":");
            q(b, name);
            raw(b, ",\"http://schemas.microsoft.com/identity/claims/objectidentifier\":");
            q(b, oid);
            raw(
                b,
                ",\"http://schemas.microsoft.com/identity/claims/scope\":\"user_impersonation\",\"http://schemas.microsoft.com/identity/claims/tenantid\":\"",
            );
            raw(b, TENANT);
            raw(b, "\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\":");
            q(b, upn);
            raw(b, ",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\":");
            q(b, upn);
        }
        Ident::AzureApp { appid, oid, .. } => {
            raw(b, "\",\"appid\":");
            q(b, appid);
            raw(
                b,
                ",\"appidacr\":\"1\",\"http://schemas.microsoft.com/identity/claims/identityprovider\":\"https://sts.windows.net/",
            );
            raw(b, TENANT);
            raw(b, "/\",\"http://schemas.microsoft.com/identity/claims/objectidentifier\":");
            q(b, oid);
            raw(b, ",\"http://schemas.microsoft.com/identity/claims/tenantid\":\"");
            raw(b, TENANT);
            raw(b, "\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier\":");
            q(b, oid);
            raw(b, ",\"idtyp\":\"app\"");
        }
        _ => raw(b, "\""),
    }
    raw(b, ",\"ver\":\"1.0\"}");
}

/// One Activity Log record (phase 1 = Start, 2 = Success/Failure).
pub(super) fn activity(b: &mut Vec<u8>, c: &Call<'_>, records_form: bool) {
    let op = Op::from_code(c.op);
    let (name, legacy, role, code) = op.activity();
    let upper = c.upper.unwrap_or(!records_form);
    let (rid, opname) = if upper {
        (c.res.to_ascii_uppercase(), name.to_ascii_uppercase())
    } else {
        (c.res.to_owned(), name.to_owned())
    };
    let start = c.phase != 2;
    raw(b, "{\"time\":");
    push_qtime(b, c.t, 7, c.id >> 3);
    raw(b, ",\"resourceId\":");
    q(b, &rid);
    raw(b, ",\"operationName\":");
    q(b, &opname);
    raw(b, ",\"category\":\"");
    raw(b, if records_form { "Administrative" } else { legacy });
    raw(
        b,
        match (start, c.fail) {
            (true, _) => "\",\"resultType\":\"Start\",\"resultSignature\":\"Started.\",\"durationMs\":0",
            (false, false) => "\",\"resultType\":\"Success\",\"resultSignature\":\"Succeeded.",
            (false, true) => "\",\"resultType\":\"Failure\",\"resultSignature\":\"Failed.Forbidden\",\"durationMs\":",
        },
    );
    if !start {
        if !c.fail {
            raw(b, code);
            raw(b, "\",\"durationMs\":");
        }
        push_u64(b, (duration(c.id) / 1000) as u64);
    }
    raw(b, ",\"callerIpAddress\":");
    q(b, c.ip);
    raw(b, ",\"correlationId\":\"");
    push_uuid(b, c.id);
    raw(b, "\",\"identity\":{\"authorization\":{\"scope\":");
    q(b, &rid);
    raw(b, ",\"action\":\"");
    raw(b, name);
    raw(b, "\",\"evidence\":{\"role\":\"");
    raw(b, role);
    raw(b, "\",\"roleAssignmentScope\":\"/subscriptions/");
    raw(b, SUB);
    raw(b, "\",\"roleAssignmentId\":\"");
    push_hex(b, hash(&[c.p.tag, 1]), 16);
    push_hex(b, hash(&[c.p.tag, 2]), 16);
    raw(b, "\",\"roleDefinitionId\":\"");
    push_hex(b, hash_str(role), 16);
    push_hex(b, hash_str(role) >> 7, 16);
    raw(b, "\",\"principalId\":\"");
    push_hex(b, c.p.tag, 16);
    push_hex(b, hash(&[c.p.tag]), 16);
    raw(
        b,
        if matches!(c.p.ident, Ident::AzureUser { .. }) {
            "\",\"principalType\":\"User\"}},"
        } else {
            "\",\"principalType\":\"ServicePrincipal\"}},"
        },
    );
    claims(b, c);
    raw(b, "},\"level\":\"");
    raw(b, if c.fail && !start { "Error" } else { "Information" });
    raw(b, "\",\"location\":\"global\",\"properties\":{\"eventCategory\":\"Administrative\",\"entity\":");
    q(b, &rid);
    raw(b, ",\"message\":\"");
    raw(b, name);
    raw(b, "\",\"hierarchy\":\"");
    raw(b, TENANT);
    raw(b, "/");
    raw(b, SUB);
    raw(b, "\"");
    if start && !c.detail.is_empty() {
        raw(b, ",\"requestbody\":");
        q(b, c.detail);
    }
    if !start {
        raw(b, ",\"statusCode\":\"");
        raw(b, if c.fail { "Forbidden" } else { code });
        raw(b, "\",\"serviceRequestId\":\"");
        push_uuid(b, c.id ^ 0x5e);
        raw(b, "\"");
    }
    raw(b, "}}");
}

/// One Key Vault `AuditEvent` record.
pub(super) fn keyvault(b: &mut Vec<u8>, c: &Call<'_>) {
    let op = Op::from_code(c.op);
    let vault = c.res.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    let base = format!("https://{vault}.vault.azure.net/");
    let obj = kv_object_id(&vault, c.extra);
    let (uri, id) = match op {
        Op::KvVaultGet => (
            format!(
                "https://control-prod-weu.vaultcore.azure.net{}?api-version=2023-07-01",
                c.res.to_ascii_lowercase()
            ),
            base.clone(),
        ),
        Op::KvSecretList | Op::KvKeyList => {
            (format!("{base}{}?api-version=7.4", c.extra), format!("{base}{}", c.extra))
        }
        Op::KvKeyEncrypt => (format!("{obj}/encrypt?api-version=7.4"), obj),
        Op::KvKeyDecrypt => (format!("{obj}/decrypt?api-version=7.4"), obj),
        Op::KvKeyCreate => (format!("{base}{}/create?api-version=7.4", c.extra), obj),
        _ => (format!("{base}{}/?api-version=7.4", c.extra), obj),
    };
    raw(b, "{\"time\":");
    push_qtime(b, c.t, 7, c.id >> 3);
    raw(b, ",\"resourceId\":");
    q(b, &c.res.to_ascii_uppercase());
    raw(b, ",\"operationName\":\"");
    raw(b, op.kv_name());
    raw(b, "\",\"operationVersion\":\"");
    raw(b, if op == Op::KvVaultGet { "2023-07-01" } else { "7.4" });
    raw(b, "\",\"category\":\"AuditEvent\",\"resultType\":\"Success\",\"resultSignature\":\"");
    raw(
        b,
        if c.fail {
            "Forbidden\",\"resultDescription\":\"Caller is not authorized to perform action on resource.\""
        } else {
            "OK\",\"resultDescription\":\"\""
        },
    );
    raw(b, ",\"durationMs\":\"");
    push_u64(b, 4 + (c.id >> 9) % 90);
    raw(b, "\",\"callerIpAddress\":");
    q(b, c.ip);
    raw(b, ",\"correlationId\":\"");
    push_uuid(b, c.id);
    raw(b, "\",\"identity\":{\"claim\":{");
    match &c.p.ident {
        Ident::AzureUser { upn, oid, .. } => {
            raw(b, "\"http://schemas.microsoft.com/identity/claims/objectidentifier\":");
            q(b, oid);
            raw(b, ",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\":");
            q(b, upn);
            raw(b, ",\"appid\":\"");
            raw(b, CLI_APP);
            raw(b, "\"");
        }
        Ident::AzureApp { appid, oid, .. } => {
            raw(b, "\"http://schemas.microsoft.com/identity/claims/objectidentifier\":");
            q(b, oid);
            raw(b, ",\"appid\":");
            q(b, appid);
        }
        _ => {}
    }
    raw(b, "}},\"properties\":{\"clientInfo\":");
    q(b, c.ua);
    raw(b, ",\"requestUri\":");
    q(b, &uri);
    raw(b, ",\"id\":");
    q(b, &id);
    raw(b, ",\"httpStatusCode\":");
    raw(
        b,
        if c.fail {
            "403"
        } else if op == Op::KvKeyCreate {
            "201"
        } else {
            "200"
        },
    );
    raw(b, "}}");
}

/// One Entra ID `SignInLogs` record.
pub(super) fn signin_record(b: &mut Vec<u8>, c: &Call<'_>) {
    let Ident::AzureUser { upn, name, oid } = &c.p.ident else { return };
    let corr = uuid(c.id);
    let home = c.ip != c.p.ips.first().map_or("", |s| s.as_str());
    raw(b, "{\"time\":");
    push_qtime(b, c.t, 7, c.id >> 3);
    raw(b, ",\"resourceId\":\"/tenants/");
    raw(b, TENANT);
    raw(
        b,
        "/providers/Microsoft.aadiam\",\"operationName\":\"Sign-in activity\",\"operationVersion\":\"1.0\",\"category\":\"SignInLogs\",\"tenantId\":\"",
    );
    raw(b, TENANT);
    raw(
        b,
        if c.fail {
            "\",\"resultType\":\"50126\",\"resultSignature\":\"None\",\"resultDescription\":\"Error validating credentials due to invalid username or password.\""
        } else {
            "\",\"resultType\":\"0\",\"resultSignature\":\"None\""
        },
    );
    raw(b, ",\"durationMs\":0,\"callerIpAddress\":");
    q(b, c.ip);
    raw(b, ",\"correlationId\":");
    q(b, &corr);
    raw(b, ",\"identity\":");
    q(b, name);
    raw(b, ",\"Level\":4,\"location\":\"GB\",\"properties\":{\"id\":\"");
    push_uuid(b, c.id ^ 0x1d);
    raw(b, "\",\"createdDateTime\":\"");
    push_time(b, c.t, 7, c.id >> 3);
    b.pop();
    raw(b, "+00:00\",\"userDisplayName\":");
    q(b, name);
    raw(b, ",\"userPrincipalName\":");
    q(b, upn);
    raw(b, ",\"userId\":");
    q(b, oid);
    raw(b, ",\"appId\":");
    q(b, c.extra);
    raw(b, ",\"appDisplayName\":");
    q(b, c.res);
    raw(b, ",\"ipAddress\":");
    q(b, c.ip);
    raw(b, ",\"clientAppUsed\":\"Browser\",\"userAgent\":");
    q(b, c.ua);
    raw(b, ",\"correlationId\":");
    q(b, &corr);
    raw(
        b,
        if c.fail {
            ",\"conditionalAccessStatus\":\"notApplied\",\"status\":{\"errorCode\":50126,\"failureReason\":\"Error validating credentials due to invalid username or password.\"}"
        } else {
            ",\"conditionalAccessStatus\":\"success\",\"status\":{\"errorCode\":0}"
        },
    );
    raw(
        b,
        ",\"deviceDetail\":{\"deviceId\":\"\",\"operatingSystem\":\"Windows10\",\"browser\":\"Edge 130.0.0\"},\"location\":",
    );
    raw(
        b,
        if home {
            "{\"city\":\"Reading\",\"state\":\"Berkshire\",\"countryOrRegion\":\"GB\",\"geoCoordinates\":{\"latitude\":51.4543,\"longitude\":-0.9781}}"
        } else {
            "{\"city\":\"London\",\"state\":\"London\",\"countryOrRegion\":\"GB\",\"geoCoordinates\":{\"latitude\":51.5072,\"longitude\":-0.1276}}"
        },
    );
    raw(
        b,
        ",\"isInteractive\":true,\"authenticationRequirement\":\"multiFactorAuthentication\",\"riskDetail\":\"none\",\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\",\"riskEventTypes\":[],",
    );
    raw(
        b,
        if c.res == PORTAL.0 {
            "\"resourceDisplayName\":\"Windows Azure Service Management API\",\"resourceId\":\"797f4846-ba00-4fd7-ba43-dac1f8f63013\""
        } else {
            "\"resourceDisplayName\":\"Microsoft Graph\",\"resourceId\":\"00000003-0000-0000-c000-000000000000\""
        },
    );
    raw(b, ",\"tokenIssuerType\":\"AzureAD\",\"userType\":\"Member\",\"processingTimeInMilliseconds\":");
    push_u64(b, 40 + (c.id >> 5) % 300);
    raw(b, "}}");
}
