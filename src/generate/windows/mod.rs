//! Windows Security events as Log Analytics `SecurityEvent` rows: the hosts, the accounts
//! and their habitual processes ([`roster`]), and the writer of one JSON row per event into
//! `windows/SecurityEvent-YYYY-MM-DD.jsonl` (odd days: the same rows as a portal CSV export,
//! `SecurityEvent-YYYY-MM-DD.csv`) with the flattened columns of
//! `fixtures/azure-securityevent/` — mostly 4688 process creations (`NewProcessName` and
//! `ProcessName` both the new process, so the rare-process hunt on `ProcessName` works) plus
//! 4624 logons. Every host also gets its machine account running system processes, most of
//! them under paths the hunting query excludes.

use crate::generate::org::{Ident, Slot};
use crate::generate::util::*;
use crate::generate::{Call, CloudWorld};
mod roster;

pub(crate) use roster::{CORE, roster};

use anyhow::Result;
use std::path::Path;

const DOMAIN: &str = "CORP";
const WORKSPACE: &str = "0b9c4e2a-7d1f-4a63-8e5b-2c7f9a1d3e40";

/// Security event kinds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    /// 4688: a new process has been created.
    Proc,
    /// 4624: an account was successfully logged on.
    Logon,
}

impl Op {
    pub(crate) fn code(self) -> u16 {
        self as u16
    }
}

/// Roster key of a host's machine account.
pub(crate) fn machine_key(host: &str) -> String {
    format!("{DOMAIN}\\{host}$")
}

const EXPLORER: &str = r"C:\Windows\explorer.exe";
const USERINIT: &str = r"C:\Windows\System32\userinit.exe";
const CHROME: &str = r"C:\Program Files\Google\Chrome\Application\chrome.exe";
const OFFICE: &str = r"C:\Program Files\Microsoft Office\root\Office16\";
const SVCHOST: &str = r"C:\Windows\System32\svchost.exe";
const SERVICES: &str = r"C:\Windows\System32\services.exe";
const CMD: &str = r"C:\Windows\System32\cmd.exe";
const CONHOST: &str = r"C:\Windows\System32\conhost.exe";
const POWERSHELL: &str = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";

/// A plausible command line for a habitual process.
fn cmdline(c: &Call<'_>) -> String {
    let exe = c.res.rsplit('\\').next().unwrap_or("").to_ascii_lowercase();
    let pick = |opts: &[&'static str]| opts[(c.id >> 17) as usize % opts.len()];
    let args = match exe.as_str() {
        "chrome.exe" if c.extra == CHROME => pick(&[
            " --type=renderer --lang=en-GB --renderer-client-id=7",
            " --type=gpu-process --gpu-preferences=WAAAAAAAAADgAAA",
            " --type=utility --utility-sub-type=network.mojom.NetworkService",
        ]),
        "svchost.exe" => {
            return pick(&[
                r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
                r"C:\Windows\system32\svchost.exe -k LocalService -p -s EventLog",
                r"C:\Windows\System32\svchost.exe -k wsappx -p -s AppXSvc",
            ])
            .to_owned();
        }
        "conhost.exe" => return r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1".to_owned(),
        "git.exe" => pick(&[" status --porcelain", " fetch --all --prune", " rev-parse --show-toplevel"]),
        "node.exe" => " ./node_modules/vite/bin/vite.js",
        "python.exe" => " -m pytest -q",
        "cmd.exe" => pick(&[" /c \"npm run build\"", " /c ipconfig /all", ""]),
        "powershell.exe" => pick(&[" -NoLogo", r" -File C:\Scripts\Get-DiskReport.ps1", ""]),
        _ => "",
    };
    format!("\"{}\"{args}", c.res)
}

/// One `SecurityEvent` row.
fn render(b: &mut Vec<u8>, c: &Call<'_>) {
    let Ident::Win { host, user, sid, machine } = &c.p.ident else { return };
    let is_proc = c.op == Op::Proc.code();
    raw(b, "{\"TenantId\":\"");
    raw(b, WORKSPACE);
    raw(b, "\",\"TimeGenerated\":");
    push_qtime(b, c.t, 7, c.id >> 3);
    raw(b, ",\"SourceSystem\":\"OpsManager\",\"Computer\":");
    q(b, host);
    let service_logon = !is_proc && c.extra == "5" && *machine;
    raw(b, ",\"Account\":");
    if service_logon {
        raw(b, "\"NT AUTHORITY\\\\SYSTEM\"");
    } else {
        q(b, &c.p.key);
    }
    raw(b, if *machine { ",\"AccountType\":\"Machine\"" } else { ",\"AccountType\":\"User\"" });
    raw(b, ",\"EventSourceName\":\"Microsoft-Windows-Security-Auditing\",\"Channel\":\"Security\",\"Task\":");
    raw(b, if is_proc { "13312" } else { "12544" });
    raw(b, ",\"Level\":\"8\",\"EventID\":");
    raw(
        b,
        if is_proc {
            "4688,\"Activity\":\"4688 - A new process has been created.\""
        } else {
            "4624,\"Activity\":\"4624 - An account was successfully logged on.\""
        },
    );
    raw(b, ",\"SourceComputerId\":\"");
    push_uuid(b, hash_str(host));
    raw(b, "\",\"EventOriginId\":\"");
    push_uuid(b, c.id);
    raw(b, "\",\"MG\":\"00000000-0000-0000-0000-000000000001\",\"TimeCollected\":");
    push_qtime(b, c.t + 1_500_000 + (c.id % 3_000_000) as i64, 7, c.id >> 5);
    raw(b, ",\"ManagementGroupName\":\"AOI-");
    raw(b, WORKSPACE);
    raw(b, "\"");
    let exe = c.res.rsplit('\\').next().unwrap_or("");
    if is_proc {
        raw(b, ",\"CommandLine\":");
        if c.detail.is_empty() {
            q(b, &cmdline(c));
        } else {
            q(b, c.detail);
        }
        raw(b, if *machine { ",\"MandatoryLabel\":\"S-1-16-16384\"" } else { ",\"MandatoryLabel\":\"S-1-16-8192\"" });
        raw(b, ",\"NewProcessId\":\"0x");
        push_hex(b, 0x400 + (c.id >> 20) % 0xfc00, 4);
        raw(b, "\",\"NewProcessName\":");
        q(b, c.res);
        raw(b, ",\"ParentProcessName\":");
        q(b, c.extra);
        raw(b, ",\"Process\":");
        q(b, exe);
        raw(b, ",\"ProcessId\":\"0x");
        push_hex(b, 0x200 + hash(&[c.p.tag, c.id >> 40]) % 0xfc00, 4);
        raw(b, "\",\"ProcessName\":");
        q(b, c.res);
        subject(b, c, user, sid, *machine);
        raw(b, if *machine { ",\"TokenElevationType\":\"%%1936\"" } else { ",\"TokenElevationType\":\"%%1938\"" });
    } else {
        let lt: u64 = c.extra.parse().unwrap_or(2);
        raw(
            b,
            ",\"AuthenticationPackageName\":\"Negotiate\",\"ElevatedToken\":\"%%1842\",\"ImpersonationLevel\":\"%%1833\",\"IpAddress\":",
        );
        match lt {
            10 | 3 => q(b, c.ip),
            5 => raw(b, "\"-\""),
            _ => raw(b, "\"127.0.0.1\""),
        }
        raw(b, ",\"IpPort\":\"0\",\"KeyLength\":0,\"LmPackageName\":\"-\",\"LogonProcessName\":");
        raw(b, if lt == 5 { "\"Advapi  \"" } else { "\"User32 \"" });
        raw(b, ",\"LogonType\":");
        push_u64(b, lt);
        raw(b, ",\"LogonTypeName\":\"");
        push_u64(b, lt);
        raw(
            b,
            match lt {
                2 => " - Interactive\"",
                3 => " - Network\"",
                5 => " - Service\"",
                7 => " - Unlock\"",
                10 => " - RemoteInteractive\"",
                _ => " - CachedInteractive\"",
            },
        );
        raw(b, ",\"Process\":");
        q(b, exe);
        raw(b, ",\"ProcessId\":\"0x");
        push_hex(b, 0x200 + c.p.tag % 0x800, 3);
        raw(b, "\",\"ProcessName\":");
        q(b, c.res);
        raw(b, ",\"SubjectAccount\":\"CORP\\\\");
        esc(b, host);
        raw(b, "$\",\"SubjectDomainName\":\"CORP\",\"SubjectLogonId\":\"0x3e7\",\"SubjectUserName\":\"");
        esc(b, host);
        raw(b, "$\",\"SubjectUserSid\":\"S-1-5-18\",\"TargetAccount\":");
        if service_logon {
            raw(
                b,
                "\"NT AUTHORITY\\\\SYSTEM\",\"TargetDomainName\":\"NT AUTHORITY\",\"TargetUserName\":\"SYSTEM\",\"TargetUserSid\":\"S-1-5-18\"",
            );
        } else {
            q(b, &c.p.key);
            raw(b, ",\"TargetDomainName\":\"CORP\",\"TargetUserName\":");
            q(b, user);
            raw(b, ",\"TargetUserSid\":");
            q(b, sid);
        }
        raw(b, ",\"TargetLogonId\":\"0x");
        push_hex(b, c.id >> 24, 6);
        raw(b, "\",\"WorkstationName\":");
        q(b, host);
    }
    raw(b, ",\"Type\":\"SecurityEvent\"}\n");
}

fn subject(b: &mut Vec<u8>, c: &Call<'_>, user: &str, sid: &str, machine: bool) {
    raw(b, ",\"SubjectAccount\":");
    q(b, &c.p.key);
    raw(b, ",\"SubjectDomainName\":\"CORP\",\"SubjectLogonId\":\"0x");
    if machine {
        raw(b, "3e7");
    } else {
        push_hex(b, 0x10_0000 + hash(&[c.p.tag, (c.t / DAY) as u64]) % 0xef_ffff, 6);
    }
    raw(b, "\",\"SubjectUserName\":");
    q(b, user);
    raw(b, ",\"SubjectUserSid\":");
    q(b, sid);
}

/// Writes day `d` into `windows/SecurityEvent-YYYY-MM-DD.jsonl`, or on odd days into
/// `SecurityEvent-YYYY-MM-DD.csv` as the Log Analytics portal exports the same rows (Export → CSV:
/// `TimeGenerated [UTC]`, US-style 12-hour times), so loads and benches exercise both forms.
pub(crate) fn write_day(w: &CloudWorld, d: u32, out: &Path) -> Result<Stats> {
    let items: Vec<Slot> = w.day_items(d);
    if items.is_empty() {
        return Ok(Stats::default());
    }
    let csv = d % 2 == 1;
    let mut name = Vec::with_capacity(48);
    raw(&mut name, "windows/SecurityEvent-");
    push_date(&mut name, &civil(w.span.day_start(d)), "-");
    raw(&mut name, if csv { ".csv" } else { ".jsonl" });
    let mut sink = Sink::create(out, &String::from_utf8_lossy(&name), w.gzip)?;
    let mut b = Vec::with_capacity(1 << 16);
    if csv {
        for s in &items {
            render(&mut b, &w.call(s));
            sink.records += 1;
        }
        sink.write(&portal_csv(&b))?;
        return sink.finish();
    }
    for s in &items {
        render(&mut b, &w.call(s));
        sink.records += 1;
        if b.len() > 60_000 {
            sink.write(&b)?;
            b.clear();
        }
    }
    sink.write(&b)?;
    sink.finish()
}

/// The rendered JSON rows as a portal CSV export: every column any row has, in first-seen order.
fn portal_csv(lines: &[u8]) -> Vec<u8> {
    use serde_json::{Map, Value};
    let rows: Vec<Map<String, Value>> =
        lines.split(|&c| c == b'\n').filter(|l| !l.is_empty()).filter_map(|l| serde_json::from_slice(l).ok()).collect();
    let mut columns: Vec<String> = Vec::new();
    for r in &rows {
        for k in r.keys() {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let cell = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = Vec::with_capacity(lines.len());
    let header: Vec<String> =
        columns.iter().map(|c| if c.starts_with("Time") { cell(&format!("{c} [UTC]")) } else { cell(c) }).collect();
    out.extend_from_slice(header.join(",").as_bytes());
    out.extend_from_slice(b"\r\n");
    for r in &rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match r.get(c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(t)) if c.starts_with("Time") => cell(&portal_time(t)),
                Some(Value::String(t)) => cell(t),
                Some(v) => v.to_string(),
            })
            .collect();
        out.extend_from_slice(cells.join(",").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// `2026-10-20T03:00:14.1234567Z` as the portal writes it: `10/20/2026, 3:00:14.123 AM`.
fn portal_time(iso: &str) -> String {
    let Some(us) = crate::time::parse_time(iso) else { return iso.to_string() };
    let Some(t) = chrono::DateTime::<chrono::Utc>::from_timestamp_micros(us) else { return iso.to_string() };
    t.format("%-m/%-d/%Y, %-I:%M:%S%.3f %p").to_string()
}
