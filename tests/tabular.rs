//! CSV exports end to end: recognised by their header, rows read as the JSON objects of the same
//! export in JSON form, raw rows read back as JSON, unknown tables named once, bad bytes kept.

mod common;
use common::*;
use trailwatch::output::EventJson;

fn jsonl(store: &trailwatch::store::EventStore) -> Vec<serde_json::Value> {
    store.events().iter().map(|e| serde_json::to_value(EventJson::new(store, e)).unwrap()).collect()
}

/// A Log Analytics portal export (Export → CSV) of SecurityEvent rows: quoted header with the
/// portal's ` [UTC]` suffix, US-style times, a quoted command line holding commas and quotes.
const SECURITY_EVENT_CSV: &str = concat!(
    "\"TenantId\",\"TimeGenerated [UTC]\",\"SourceSystem\",\"Account\",\"AccountType\",\"Computer\",\"EventSourceName\",\"Channel\",\"Task\",\"Level\",\"EventID\",\"Activity\",\"NewProcessName\",\"ParentProcessName\",\"CommandLine\",\"SubjectUserName\",\"SubjectDomainName\",\"Type\"\r\n",
    "\"00000000-0000-0000-0000-000000000000\",\"3/31/2022, 10:51:35.857 AM\",\"OpsManager\",\"CONTOSO\\alice\",\"User\",\"WS01.contoso.com\",\"Microsoft-Windows-Security-Auditing\",\"Security\",13312,8,4688,\"4688 - A new process has been created.\",\"C:\\Windows\\System32\\cmd.exe\",\"C:\\Windows\\explorer.exe\",\"cmd.exe /c \"\"echo a, b\"\"\",\"alice\",\"CONTOSO\",\"SecurityEvent\"\r\n",
    "\"00000000-0000-0000-0000-000000000000\",\"3/31/2022, 1:02:03.000 PM\",\"OpsManager\",\"\",\"\",\"WS02.contoso.com\",\"Microsoft-Windows-Security-Auditing\",\"Security\",12544,8,4625,\"4625 - An account failed to log on.\",\"\",\"\",\"\",\"-\",\"-\",\"SecurityEvent\"\r\n",
);

#[test]
fn log_analytics_portal_csv_reads_like_its_json_rows() {
    let (store, report, _d) = load_bytes("SecurityEvent.csv", SECURITY_EVENT_CSV.as_bytes());
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(report.records, 2);
    let ev = jsonl(&store);
    assert_eq!(ev.len(), 2);
    let p = &ev[0];
    assert_eq!(p["time"], "2022-03-31T10:51:35.857Z");
    assert_eq!(p["cloud"], "windows");
    assert_eq!(p["principal"], "CONTOSO\\alice");
    assert_eq!(p["operation"], "4688");
    assert_eq!(p["computer"], "WS01.contoso.com");
    assert_eq!(p["process"], "C:\\Windows\\System32\\cmd.exe");
    assert_eq!(p["source"]["line"], 2);
    assert_eq!(ev[1]["time"], "2022-03-31T13:02:03Z");
    assert_eq!(ev[1]["operation"], "4625");
    assert_eq!(ev[1]["source"]["line"], 3);

    // The raw view shows the row as the JSON object its reader took.
    let raw: serde_json::Value = serde_json::from_str(&store.raw(&store.events()[0]).unwrap()).unwrap();
    assert_eq!(raw["CommandLine"], "cmd.exe /c \"echo a, b\"");
    assert_eq!(raw["TimeGenerated [UTC]"], serde_json::Value::Null, "the suffix is not part of the key");
    assert_eq!(raw["TimeGenerated"], "3/31/2022, 10:51:35.857 AM");
}

#[test]
fn a_csv_of_no_known_table_is_named_once() {
    let csv = "name,colour,size\nwidget,red,3\ngadget,blue,4\n";
    let (store, report, _d) = load_bytes("inventory.csv", csv.as_bytes());
    assert_eq!(store.len(), 0);
    assert_eq!(report.records, 2);
    assert_eq!(report.skipped, 2);
    assert_eq!(report.skips.len(), 1, "{:?}", report.skips);
    let msg = report.skips[0].to_string();
    assert!(msg.contains("inventory.csv:1: CSV columns match no known table (2 rows): name, colour, size"), "{msg}");
}

#[test]
fn csv_rows_with_bad_bytes_or_broken_quotes_cost_only_themselves() {
    let mut data = SECURITY_EVENT_CSV.as_bytes().to_vec();
    let pos = data.windows(5).position(|w| w == b"alice").unwrap();
    data[pos] = 0xff;
    let (store, report, _d) = load_bytes("bad.csv", &data);
    assert_eq!(store.len(), 2, "{:?}", report.skips);
    let lossy: Vec<_> = store.events().iter().filter(|e| e.is_lossy()).collect();
    assert_eq!(lossy.len(), 1);
    assert_eq!(store.str(lossy[0].principal), "CONTOSO\\\u{fffd}lice");
}

#[test]
fn gzipped_csv_and_tab_separated_tables_read_too() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(SECURITY_EVENT_CSV.as_bytes()).unwrap();
    let (store, report, _d) = load_bytes("SecurityEvent.csv.gz", &gz.finish().unwrap());
    assert_eq!(store.len(), 2, "{:?}", report.skips);

    let tsv = "TimeGenerated\tEventID\tComputer\tAccount\tType\n2024-03-06T09:00:00Z\t4688\tPC1\tCONTOSO\\bob\tSecurityEvent\n";
    let (store, report, _d) = load_bytes("export.tsv", tsv.as_bytes());
    assert_eq!(store.len(), 1, "{:?}", report.skips);
    assert_eq!(store.str(store.events()[0].principal), "CONTOSO\\bob");
}

fn fixture_events(name: &str) -> (Vec<serde_json::Value>, trailwatch::ingest::LoadReport) {
    events_of(&format!("csv-exports/{name}"))
}

fn by_line(ev: &[serde_json::Value], line: u64) -> &serde_json::Value {
    ev.iter().find(|e| e["source"]["line"] == line).unwrap_or_else(|| panic!("no event on line {line}"))
}

#[test]
fn sentinel_portal_securityevent_csv_exports() {
    // Logons: Excel left `#NAME?` in Account, which is no one: the target account acts.
    let (ev, report) = fixture_events("sentinel_securityevent_4625_4624_portal_export.csv");
    assert_eq!((report.records, report.skipped, ev.len()), (9, 0, 9), "{:?}", report.skips);
    let first = &ev[0];
    assert_eq!(first["time"], "2024-10-18T09:29:21.125Z");
    assert_eq!(first["operation"], "4625");
    assert_eq!(first["principal"], "weatheronline");
    assert_eq!(first["outcome"], "failure");
    assert_eq!(first["status"], "0xc000006d");
    assert_eq!(first["source_ip"], "66.90.100.200");
    assert_eq!(first["computer"], "devops-vm");
    assert!(ev.iter().all(|e| e["principal"] != "#NAME?"));
    assert_eq!(ev.iter().filter(|e| e["operation"] == "4624").count(), 1);

    // Group management, with multi-line XML inside a quoted EventData cell.
    let (ev, report) = fixture_events("sentinel_securityevent_usermgmt_portal_export.csv");
    assert_eq!((report.records, report.skipped, ev.len()), (6, 0, 6), "{:?}", report.skips);
    let deleted = ev.iter().find(|e| e["operation"] == "4730").unwrap();
    assert_eq!(deleted["time"], "2023-07-08T21:53:32.979Z");
    assert_eq!(deleted["principal"], "KUSTOWORKS\\Administrator");
    assert_eq!(deleted["computer"], "DC1.kustoworks.com");
    assert_eq!(deleted["source"]["line"], 24);
    let created = by_line(&ev, 2);
    assert_eq!(created["operation"], "4749");
    assert_eq!(created["principal"], trailwatch::model::UNKNOWN_PRINCIPAL);
}

#[test]
fn pandas_saved_query_results_with_an_index_column() {
    let (ev, report) = fixture_events("msticpy_securityevent_4688_processes_on_host.csv");
    assert_eq!((report.records, report.skipped, ev.len()), (10, 0, 10), "{:?}", report.skips);
    let e = &ev[0];
    assert_eq!(e["time"], "2019-01-15T05:07:26.003Z");
    assert_eq!(e["operation"], "4688");
    assert_eq!(e["principal"], "WORKGROUP\\MSTICAlertsWin1$");
    assert_eq!(e["principal_kind"], "service");
    assert_eq!(e["computer"], "MSTICAlertsWin1");
    assert_eq!(e["process"], "C:\\Windows\\System32\\cscript.exe");
    assert_eq!(e["parent"], "C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\MonitoringHost.exe");
    assert!(e["command_line"].as_str().unwrap().starts_with("\"C:\\Windows\\system32\\cscript.exe\""), "{e}");

    let (ev, report) = fixture_events("msticpy_securityevent_4624_host_logons.csv");
    assert_eq!((report.records, report.skipped, ev.len()), (14, 0, 14));
    assert!(ev.iter().all(|e| e["operation"] == "4624" && e["computer"] == "MSTICAlertsWin1"));
}

#[test]
fn sentinel_portal_signin_and_activity_csv_exports() {
    let (ev, report) = fixture_events("sentinel_signinlogs_portal_export.csv");
    assert_eq!((report.records, report.skipped, ev.len()), (4, 0, 4), "{:?}", report.skips);
    let ok = &ev[0];
    assert_eq!(ok["time"], "2021-04-28T14:08:45.221Z");
    assert_eq!(ok["cloud"], "azure");
    assert_eq!(ok["principal"], "adelev@m365x816222.onmicrosoft.com");
    assert_eq!(ok["operation"], "Sign-in activity");
    assert_eq!(ok["resource"], "Azure Portal");
    assert_eq!(ok["source_ip"], "175.45.176.99");
    assert_eq!(ok["outcome"], "success");
    let failed: Vec<_> = ev.iter().filter(|e| e["outcome"] == "failure").collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["status"], "16000: Other");
    assert!(failed[1]["status"].as_str().unwrap().starts_with("50058: "));

    let (ev, report) = fixture_events("sentinel_azureactivity_portal_export.csv");
    assert_eq!((report.records, report.skipped, ev.len()), (3, 0, 3), "{:?}", report.skips);
    let vault = ev.iter().find(|e| e["operation"] == "MICROSOFT.KEYVAULT/VAULTS/DELETE").unwrap();
    assert_eq!(vault["time"], "2021-04-28T14:42:47.641Z");
    assert_eq!(vault["principal"], "AdeleV@M365x816222.OnMicrosoft.com");
    assert_eq!(vault["principal_kind"], "user");
    assert_eq!(
        vault["resource"],
        "/subscriptions/8f153238-e602-427e-a7c0-3043fbe50918/resourcegroups/gbb01/providers/microsoft.keyvault/vaults/oneloginlogs1234"
    );
    assert_eq!(vault["source_ip"], "37.142.150.162");
}

#[test]
fn exports_that_are_not_audit_rows_say_so() {
    // A hunting query that projected the time away: each row says what is missing.
    let (ev, report) = fixture_events("sentinel_auditlogs_hunting_query_export.csv");
    assert!(ev.is_empty());
    assert_eq!(report.skipped, 4);
    assert!(report.skips.iter().all(|s| s.reason.contains("TimeGenerated")), "{:?}", report.skips);
    // A normalised ASIM table is a valid row of a table trailwatch does not model.
    let (ev, report) = fixture_events("sentinel_asim_auditevent_azure_activity.csv");
    assert!(ev.is_empty());
    assert_eq!(report.ignored.get("log analytics: ASimAuditEventLogs row"), Some(&5));
}

/// The CloudTrail console's Event history download: title-case columns, as AWS documents them
/// (constructed rows; the documented column set).
#[test]
fn cloudtrail_console_event_history_csv() {
    let csv = "User name,AWS access key,Event time,Event source,Event name,AWS region,Source IP address,User agent,Error code,Resources,Request ID,Event ID,Read-only,Event type,Recipient Account Id,Event category\n\
               alice,AKIAEXAMPLE,2024-08-18T11:48:43Z,s3.amazonaws.com,PutBucketPolicy,us-east-1,198.51.100.7,aws-cli/2.15,,\"[{\"\"resourceType\"\":\"\"AWS::S3::Bucket\"\",\"\"resourceName\"\":\"\"reports\"\"}]\",r-1,e-1,false,AwsApiCall,111122223333,Management\n\
               ,,2024-08-18T11:49:00Z,iam.amazonaws.com,CreateAccessKey,us-east-1,198.51.100.7,aws-cli/2.15,AccessDenied,[],r-2,e-2,false,AwsApiCall,111122223333,Management\n";
    let (store, report, _d) = load_bytes("event_history.csv", csv.as_bytes());
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    let ev = jsonl(&store);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["cloud"], "aws");
    assert_eq!(ev[0]["principal"], "alice");
    assert_eq!(ev[0]["operation"], "PutBucketPolicy");
    assert_eq!(ev[0]["service"], "s3.amazonaws.com");
    assert_eq!(ev[0]["resource"], "reports");
    assert_eq!(ev[0]["source_ip"], "198.51.100.7");
    assert_eq!(ev[0]["region"], "us-east-1");
    assert_eq!(ev[0]["outcome"], "success");
    assert_eq!(ev[1]["principal"], trailwatch::model::UNKNOWN_PRINCIPAL);
    assert_eq!(ev[1]["outcome"], "failure");
    assert_eq!(ev[1]["status"], "AccessDenied");
}

#[test]
fn sentinel_awscloudtrail_rows_with_day_first_dates() {
    // The portal wrote this export in a day-first locale: `02/04/2025` is 2 April, learned from
    // `21/04/2025` elsewhere in the file.
    let (ev, report) = fixture_events("sentinel_awscloudtrail_consolelogin.csv");
    assert_eq!((report.records, report.skipped, ev.len()), (6, 0, 6), "{:?}", report.skips);
    let first = &ev[0];
    assert_eq!(first["time"], "2025-04-02T10:13:15Z");
    assert_eq!(first["cloud"], "aws");
    assert_eq!(first["operation"], "ConsoleLogin");
    assert_eq!(first["service"], "signin.amazonaws.com");
    assert_eq!(first["outcome"], "failure");
    assert_eq!(first["status"], "Failed authentication");
    assert_eq!(first["source_ip"], "20.160.68.231");
    let last = &ev[5];
    assert_eq!(last["time"], "2025-04-21T09:45:54Z");
    assert_eq!(last["principal"], "arn:aws:iam::072643944673:user/CATTeamIDC");
    assert_eq!(last["outcome"], "success");
}
