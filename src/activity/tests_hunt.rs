//! Tests of [`super::hunt`]: worked example C end to end, the exclusion rules, case-sensitive
//! keys, the warm-up day, the `ago(30d)` boundary, output order and the JSON shape of a row.

use super::hunt::{
    Daily, EXCLUSIONS, HuntRow, ProcessEvent, contains_ignore_case, daily_table, is_excluded, rare_process,
};
use super::time::{DAY_US, parse_rfc3339};

/// `"2024-03-03 08:00"` → microseconds (UTC).
fn ts(s: &str) -> i64 {
    parse_rfc3339(&format!("{}:00Z", s.replace(' ', "T"))).expect("valid test timestamp")
}

fn ev<'a>(t: &str, computer: &'a str, account: &'a str, process: &'a str) -> ProcessEvent<'a> {
    ProcessEvent { time: ts(t), process, computer, account }
}

/// The table `T`, sorted: (Date, Process, Computer, Account, count_).
fn table<'a>(daily: &Daily<'a>) -> Vec<(i64, &'a str, &'a str, &'a str, u64)> {
    let mut rows: Vec<_> = daily
        .rows
        .iter()
        .map(|&((p, c, a, d), n)| {
            let names = (daily.processes.name(p), daily.computers.name(c), daily.accounts.name(a));
            (d, names.0, names.1, names.2, n)
        })
        .collect();
    rows.sort_unstable();
    rows
}

#[allow(clippy::too_many_arguments)]
fn hunt_row(
    week: &str,
    date: &str,
    process: &str,
    account: &str,
    computer: &str,
    d1: i64,
    d7: i64,
    ratio: f64,
    events: u64,
) -> HuntRow {
    HuntRow {
        week_date: ts(week),
        date: ts(date),
        process: process.to_owned(),
        account: account.to_owned(),
        computer: computer.to_owned(),
        potential_anomaly_count: 1,
        distribution_1day: d1,
        distribution_7days: d7,
        ratio,
        events,
    }
}

fn example_c() -> Vec<ProcessEvent<'static>> {
    vec![
        ev("2024-03-05 09:00", "PC1", r"CORP\alice", r"C:\Tools\a.exe"),
        ev("2024-03-05 10:00", "PC1", r"CORP\alice", r"C:\Tools\a.exe"),
        ev("2024-03-05 11:00", "PC2", r"CORP\bob", r"C:\Tools\b.exe"),
        ev("2024-03-06 08:00", "PC1", r"CORP\alice", r"C:\Tools\a.exe"),
        ev("2024-03-06 09:00", "PC2", r"CORP\bob", r"C:\Tools\c.exe"),
        ev("2024-03-06 09:30", "PC2", r"CORP\bob", r"C:\WINDOWS\system32\svchost.exe"),
        ev("2024-03-07 12:00", "PC1", r"CORP\bob", r"C:\Tools\a.exe"),
        ev("2024-03-07 12:30", "PC1", r"CORP\alice", "-"),
        ev("2024-03-07 13:00", "PC1", r"CORP\alice", ""),
        ev("2024-03-07 15:00", "PC3", r"CORP\carol", r"C:\Windows\SystemApps\helper.exe"),
        ev("2024-03-10 14:00", "PC2", r"CORP\bob", r"C:\Tools\b.exe"),
        ev("2024-03-10 14:30", "PC3", r"CORP\carol", r"C:\Tools\d.exe"),
        ev("2024-02-09 14:00", "PC1", r"CORP\alice", r"C:\Tools\z.exe"),
        ev("2024-02-09 16:00", "PC1", r"CORP\alice", r"C:\Tools\z.exe"),
    ]
}

#[test]
fn example_c_daily_table() {
    let now = ts("2024-03-10 15:00");
    let daily = daily_table(&example_c(), now - 30 * DAY_US);
    let (a, b, c, d, z) =
        (r"C:\Tools\a.exe", r"C:\Tools\b.exe", r"C:\Tools\c.exe", r"C:\Tools\d.exe", r"C:\Tools\z.exe");
    let want = vec![
        (ts("2024-02-09 00:00"), z, "PC1", r"CORP\alice", 1),
        (ts("2024-03-05 00:00"), a, "PC1", r"CORP\alice", 2),
        (ts("2024-03-05 00:00"), b, "PC2", r"CORP\bob", 1),
        (ts("2024-03-06 00:00"), a, "PC1", r"CORP\alice", 1),
        (ts("2024-03-06 00:00"), c, "PC2", r"CORP\bob", 1),
        (ts("2024-03-07 00:00"), a, "PC1", r"CORP\bob", 1),
        (ts("2024-03-10 00:00"), b, "PC2", r"CORP\bob", 1),
        (ts("2024-03-10 00:00"), d, "PC3", r"CORP\carol", 1),
    ];
    assert_eq!(table(&daily), want);
}

#[test]
fn example_c_final_output() {
    let got = rare_process(&example_c(), ts("2024-03-10 15:00"));
    let want = vec![
        hunt_row(
            "2024-03-03 00:00",
            "2024-03-06 00:00",
            r"C:\Tools\c.exe",
            r"CORP\bob",
            "PC2",
            2,
            3,
            66.66666666666666,
            1,
        ),
        hunt_row(
            "2024-03-03 00:00",
            "2024-03-07 00:00",
            r"C:\Tools\a.exe",
            r"CORP\bob",
            "PC1",
            1,
            3,
            33.33333333333333,
            1,
        ),
        hunt_row("2024-03-10 00:00", "2024-03-10 00:00", r"C:\Tools\d.exe", r"CORP\carol", "PC3", 2, 4, 50.0, 1),
    ];
    assert_eq!(got, want);
}

#[test]
fn json_uses_projected_column_names_in_order() {
    let got = rare_process(&example_c(), ts("2024-03-10 15:00"));
    let json: Vec<String> = got.iter().map(|r| r.to_json().expect("serializable")).collect();
    assert_eq!(
        json,
        vec![
            r#"{"WeekDate":"2024-03-03T00:00:00Z","Date":"2024-03-06T00:00:00Z","Process":"C:\\Tools\\c.exe","Account":"CORP\\bob","Computer":"PC2","PotentialAnomalyCount":1,"Distribution1day":2,"Distribution7days":3,"Ratio":66.66666666666666}"#,
            r#"{"WeekDate":"2024-03-03T00:00:00Z","Date":"2024-03-07T00:00:00Z","Process":"C:\\Tools\\a.exe","Account":"CORP\\bob","Computer":"PC1","PotentialAnomalyCount":1,"Distribution1day":1,"Distribution7days":3,"Ratio":33.33333333333333}"#,
            r#"{"WeekDate":"2024-03-10T00:00:00Z","Date":"2024-03-10T00:00:00Z","Process":"C:\\Tools\\d.exe","Account":"CORP\\carol","Computer":"PC3","PotentialAnomalyCount":1,"Distribution1day":2,"Distribution7days":4,"Ratio":50.0}"#,
        ]
    );
}

#[test]
fn exclusion_table_of_step_4() {
    let table = [
        (r"C:\Windows\System32\svchost.exe", true),
        (r"C:\WINDOWS\system32\cmd.exe", true),
        (r"C:\Windows\SystemApps\helper.exe", true),
        (r"C:\Windows\SysWOW64\cmd.exe", false),
        (r"C:\Windows\explorer.exe", false),
        (r"D:\MyWindows\System\x.exe", false),
    ];
    for (value, dropped) in table {
        assert_eq!(is_excluded(value), dropped, "{value}");
    }
    // Exact comparisons: only "" and "-" themselves.
    for (value, dropped) in [("", true), ("-", true), (" -", false), ("--", false), ("- ", false)] {
        assert_eq!(is_excluded(value), dropped, "{value:?}");
    }
}

#[test]
fn exclusion_literals_are_the_queries_and_each_one_applies() {
    // As written in the query, before KQL unescaping.
    let query = [
        "\\Windows\\System",
        "\\Program Files\\Microsoft\\",
        "\\Program Files\\Microsoft Monitoring Agent\\",
        "\\ProgramData\\",
        "\\Windows\\WinSxS\\",
        "\\Windows\\SoftwareDistribution\\",
        "\\mpsigstub.exe",
        "\\WindowsAzure\\GuestAgent",
        "\\Windows\\Servicing\\TrustedInstaller.exe",
        "\\Windows\\Microsoft.Net\\",
        "\\Packages\\Plugins\\",
    ];
    assert_eq!(EXCLUSIONS, query);
    for lit in EXCLUSIONS {
        for value in
            [format!("C:{lit}x.exe"), format!("C:{}x.exe", lit.to_uppercase()), format!("E:{}", lit.to_lowercase())]
        {
            assert!(is_excluded(&value), "{value}");
        }
        // Without its leading backslash the literal no longer occurs (and no other one does).
        let broken = format!("C:/{}x.exe", &lit[1..]);
        assert!(!is_excluded(&broken), "{broken}");
    }
}

#[test]
fn case_folding_is_simple_per_character_lower_case() {
    assert!(is_excluded("C:\\Users\\José\\WINDOWS\\SYSTEM32\\x.exe"));
    // KELVIN SIGN lower-cases to an ASCII 'k'.
    assert!(is_excluded("D:\\PAC\u{212A}AGES\\PLUGINS\\x.exe"));
    // 'İ' lower-cases to two characters, so it is kept as itself and never equals 'i'.
    assert!(!is_excluded("C:\\WİNDOWS\\System32\\x.exe"));
    assert!(contains_ignore_case("ProcessMonitor.exe", "MONITOR"));
    assert!(contains_ignore_case("abc", ""));
    assert!(!contains_ignore_case("ab", "abc"));
    assert!(contains_ignore_case("STRASSE", "strasse"));
    assert!(!contains_ignore_case("STRASSE", "straße"));
}

#[test]
fn account_keys_are_case_sensitive() {
    let x = r"C:\Tools\x.exe";
    let events = [
        ev("2024-03-05 09:00", "PC1", r"CORP\Bob", x),
        ev("2024-03-05 09:00", "PC1", r"CORP\Bob", r"C:\Tools\y.exe"),
        ev("2024-03-06 09:00", "PC1", r"corp\bob", x),
    ];
    let now = ts("2024-03-10 15:00");
    assert_eq!(table(&daily_table(&events, now - 30 * DAY_US)).len(), 3);
    let got = rare_process(&events, now);
    // corp\bob is a new triple on 03-06 (1 of the 2 paths of the week ran that day).
    assert_eq!(got, vec![hunt_row("2024-03-03 00:00", "2024-03-06 00:00", x, r"corp\bob", "PC1", 1, 2, 50.0, 1)]);
}

#[test]
fn first_day_with_data_never_yields_output() {
    let events = [
        ev("2024-03-01 08:00", "PC1", "A", r"C:\p.exe"),
        ev("2024-03-01 08:00", "PC2", "B", r"C:\q.exe"),
        ev("2024-03-01 08:00", "PC3", "C", r"C:\r.exe"),
        ev("2024-03-02 08:00", "PC9", "A", r"C:\p.exe"),
    ];
    let got = rare_process(&events, ts("2024-03-10 15:00"));
    // Three brand-new combinations on 03-01, but nothing earlier is in range: Ratio = 100.
    assert_eq!(
        got,
        vec![hunt_row("2024-02-25 00:00", "2024-03-02 00:00", r"C:\p.exe", "A", "PC9", 1, 3, 33.33333333333333, 1)]
    );
}

#[test]
fn lookback_boundary_is_inclusive() {
    let now = ts("2024-03-10 15:00");
    let cutoff = now - 30 * DAY_US;
    let (k, d) = (r"C:\k.exe", r"C:\d.exe");
    let mut events = vec![
        ProcessEvent { time: cutoff, process: k, computer: "PC1", account: "A" },
        ProcessEvent { time: cutoff - 1, process: d, computer: "PC1", account: "A" },
        ev("2024-02-28 10:00", "PC2", "B", r"C:\e.exe"),
        ev("2024-03-01 10:00", "PC1", "A", k),
        ev("2024-03-01 10:00", "PC1", "A", d),
    ];
    let rows = table(&daily_table(&events, cutoff));
    assert_eq!(rows[0], (ts("2024-02-09 00:00"), k, "PC1", "A", 1));
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(!rows.contains(&(ts("2024-02-09 00:00"), d, "PC1", "A", 1)));
    // k was seen on 02-09 (kept), so only d is new on 03-01: {k, d} of {k, d, e} that week.
    let want = vec![hunt_row("2024-02-25 00:00", "2024-03-01 00:00", d, "A", "PC1", 2, 3, 66.66666666666666, 1)];
    assert_eq!(rare_process(&events, now), want);
    // Moving k's first sighting one microsecond earlier makes it new on 03-01 as well.
    events[0].time = cutoff - 1;
    assert_eq!(rare_process(&events, now).len(), 2);
}

#[test]
fn events_after_now_count_only_up_to_todays_window() {
    let events = [
        ev("2024-03-09 08:00", "PC1", "A", r"C:\p.exe"),
        ev("2024-03-09 08:00", "PC1", "A", r"C:\q.exe"),
        // Later today than `now`: the query has no upper time bound, Date == End is in range.
        ev("2024-03-10 16:00", "PC1", "A", r"C:\r.exe"),
        // Tomorrow: Date > End, dropped by both plugins.
        ev("2024-03-11 10:00", "PC1", "A", r"C:\s.exe"),
    ];
    let got = rare_process(&events, ts("2024-03-10 15:00"));
    assert_eq!(
        got,
        vec![hunt_row("2024-03-10 00:00", "2024-03-10 00:00", r"C:\r.exe", "A", "PC1", 1, 3, 33.33333333333333, 1)]
    );
}

#[test]
fn output_order_is_date_process_account_computer_by_bytes() {
    let events = [
        ev("2024-03-06 09:00", "PC9", "A", r"C:\m.exe"),
        ev("2024-03-04 09:00", "PC0", "X", r"C:\q.exe"),
        ev("2024-03-05 09:00", "PC2", "b", r"C:\z.exe"),
        ev("2024-03-05 09:00", "PC1", "b", r"C:\a.exe"),
        ev("2024-03-05 09:00", "PC1", "B", r"C:\a.exe"),
        ev("2024-03-05 09:00", "PC0", "b", r"C:\a.exe"),
    ];
    let got: Vec<(i64, String, String, String)> = rare_process(&events, ts("2024-03-10 15:00"))
        .into_iter()
        .map(|r| (r.date, r.process, r.account, r.computer))
        .collect();
    let row = |d: &str, p: &str, a: &str, c: &str| (ts(d), p.to_owned(), a.to_owned(), c.to_owned());
    let want = vec![
        row("2024-03-05 00:00", r"C:\a.exe", "B", "PC1"),
        row("2024-03-05 00:00", r"C:\a.exe", "b", "PC0"),
        row("2024-03-05 00:00", r"C:\a.exe", "b", "PC1"),
        row("2024-03-05 00:00", r"C:\z.exe", "b", "PC2"),
        row("2024-03-06 00:00", r"C:\m.exe", "A", "PC9"),
    ];
    assert_eq!(got, want);
}
