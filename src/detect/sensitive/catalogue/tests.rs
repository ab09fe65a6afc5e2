//! The embedded catalogue is valid and covers every group the detector promises; conditions
//! compare the way the entries assume.

use super::*;
use crate::ingest::facts::extract;
use serde_json::json;

const GROUPS: [&str; 8] = [
    "logging",
    "organisation",
    "identity-persistence",
    "privilege-escalation",
    "data-shared",
    "network-exposure",
    "credential-access",
    "remote-execution",
];

#[test]
fn the_embedded_catalogue_parses_and_covers_every_group_and_cloud() {
    let cat = Catalogue::parse(TEXT).unwrap();
    assert_eq!(catalogue().entry.len(), cat.entry.len());
    for g in GROUPS.iter().chain(&["unusual-compute"]) {
        for cloud in ["aws", "gcp", "azure"] {
            let n = cat.entry.iter().filter(|e| e.group == *g && e.cloud == cloud).count();
            // Organisation and AI entries exist per cloud too, except where a cloud has no such operation.
            assert!(n > 0 || (*g == "remote-execution" && cloud == "gcp"), "no {g} entry for {cloud}");
        }
    }
    for e in &cat.entry {
        assert!(e.source.contains("ATT&CK"), "{}: cite the ATT&CK technique in the source", e.id);
        assert!(e.why.len() < 140 && !e.why.contains('\n'), "{}: the why is one line", e.id);
    }
}

#[test]
fn invalid_entries_are_refused() {
    let base = r#"[[entry]]
id = "x"
cloud = "aws"
operations = ["A"]
group = "g"
title = "t"
technique = "T1"
technique_name = "n"
why = "w"
source = "s"
"#;
    assert!(Catalogue::parse(&format!("{base}severity = \"low\"\n")).is_ok());
    assert!(Catalogue::parse(&format!("{base}severity = \"none\"\n")).unwrap_err().contains("never alert"));
    assert!(
        Catalogue::parse(&base.replace("aws", "windows").replace("why = \"w\"", "why = \"w\"\nseverity = \"low\""))
            .is_err()
    );
    assert!(
        Catalogue::parse(&format!("{base}severity = \"low\"\n{base}severity = \"low\"\n"))
            .unwrap_err()
            .contains("twice")
    );
    assert!(Catalogue::parse(&format!("{base}severity = \"loud\"\n")).is_err());
}

#[test]
fn operations_match_exactly_by_gcp_suffix_or_prefix() {
    let cat = catalogue();
    let id = |cloud, service, op| cat.find(cloud, service, op).map(|i| cat.entry[i].id.as_str());
    assert_eq!(id(Cloud::Aws, "cloudtrail.amazonaws.com", "StopLogging"), Some("aws-cloudtrail-stopped"));
    assert_eq!(id(Cloud::Aws, "s3.amazonaws.com", "StopLogging"), None, "the service must match");
    assert_eq!(id(Cloud::Aws, "cloudtrail.amazonaws.com", "XStopLogging"), None);
    assert_eq!(
        id(Cloud::Gcp, "logging.googleapis.com", "google.logging.v2.ConfigServiceV2.DeleteSink"),
        Some("gcp-logging-sink")
    );
    assert_eq!(id(Cloud::Gcp, "cloudresourcemanager.googleapis.com", "SetIamPolicy"), Some("gcp-iam-grant"));
    assert_eq!(
        id(Cloud::Azure, "Microsoft.Authorization", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"),
        Some("azure-role-assignment")
    );
    assert_eq!(
        id(Cloud::Azure, "Core Directory", "Add service principal credentials"),
        Some("entra-credentials-added")
    );
    assert!(op_matches("AddPermission*", "AddPermission20150331v2"));
}

fn assess(id: &str, record: serde_json::Value, caller: &str) -> (Option<Severity>, Vec<String>) {
    let cat = catalogue();
    let e = cat.entry.iter().find(|e| e.id == id).unwrap();
    e.assess(Some(&extract(record)), caller)
}

#[test]
fn parameters_decide_the_severity() {
    let admin =
        json!({"requestParameters": {"userName": "u", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}});
    assert_eq!(assess("aws-policy-attached", admin, "me").0, Some(Severity::High));
    let routine =
        json!({"requestParameters": {"userName": "u", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
    assert_eq!(assess("aws-policy-attached", routine, "me").0, None, "a routine attachment raises nothing");

    let public = json!({"requestParameters": {"createVolumePermission": {"add": {"items": [{"group": "all"}]}}}});
    assert_eq!(
        assess("aws-snapshot-shared", public, "me"),
        (Some(Severity::High), vec!["shared with group all: public".into()])
    );
    let unshare = json!({"requestParameters": {"createVolumePermission": {"remove": {"items": [{"group": "all"}]}}}});
    assert_eq!(assess("aws-snapshot-shared", unshare, "me").0, None, "removing public access is not sharing");

    let ssh = json!({"requestParameters": {"ipPermissions": {"items": [
        {"fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}});
    assert_eq!(assess("aws-ingress-open", ssh, "me").0, Some(Severity::High));
    let web = json!({"requestParameters": {"ipPermissions": {"items": [
        {"fromPort": 443, "toPort": 443, "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}}]}}});
    assert_eq!(assess("aws-ingress-open", web, "me").0, Some(Severity::Medium));
    let office = json!({"requestParameters": {"ipPermissions": {"items": [
        {"fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "203.0.113.0/24"}]}}]}}});
    assert_eq!(assess("aws-ingress-open", office, "me").0, None);
    let nsg = json!({"properties": {"requestbody": "{\"properties\":{\"sourceAddressPrefix\":\"*\",\"destinationPortRange\":\"3380-3390\"}}"}});
    assert_eq!(assess("azure-nsg-open", nsg, "me").0, Some(Severity::High));
}

#[test]
fn list_items_are_read_together() {
    let grant = |action: &str| {
        json!({"protoPayload": {"serviceData": {"policyDelta": {"bindingDeltas": [
            {"action": action, "role": "roles/owner", "member": "user:x@evil.example"},
            {"action": "ADD", "role": "roles/viewer", "member": "user:y@corp.example"}]}}}})
    };
    assert_eq!(assess("gcp-iam-grant", grant("ADD"), "me").0, Some(Severity::High));
    assert_eq!(assess("gcp-iam-grant", grant("REMOVE"), "me").0, None, "owner removed and viewer added is routine");
}

#[test]
fn keys_for_another_identity_only() {
    let other = json!({"requestParameters": {"userName": "backdoor"}});
    assert_eq!(assess("aws-access-key-other", other, "arn:aws:iam::1:user/alice").0, Some(Severity::Medium));
    let own = json!({"requestParameters": {"userName": "alice"}});
    assert_eq!(assess("aws-access-key-other", own, "arn:aws:iam::1:user/alice").0, None);
    assert_eq!(assess("aws-access-key-other", json!({"requestParameters": {}}), "arn:aws:iam::1:user/alice").0, None);
}
