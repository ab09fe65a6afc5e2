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
