//! The Windows estate: hosts, their users' habitual processes (core cast, then fillers) and
//! one machine account per host running system processes.

use super::{CHROME, CMD, CONHOST, DOMAIN, EXPLORER, OFFICE, Op, POWERSHELL, SERVICES, SVCHOST, USERINIT};
use crate::generate::Filler;
use crate::generate::org::{Habit, Ident, Principal, Rhythm};
use crate::generate::util::*;

fn p(w: u32, path: &str, parent: &str) -> Habit {
    Habit::new(Op::Proc.code(), w, path, parent)
}
fn logon(w: u32, logon_type: u32) -> Habit {
    let process = if logon_type == 5 { SERVICES } else { SVCHOST };
    Habit::new(Op::Logon.code(), w, process, logon_type.to_string())
}
fn office(exe: &str) -> String {
    format!("{OFFICE}{exe}")
}

/// Habits of an office worker `user` (finance-style desktop).
fn desk(user: &str) -> Vec<Habit> {
    vec![
        p(1, EXPLORER, USERINIT),
        p(4, CHROME, EXPLORER),
        p(6, CHROME, CHROME),
        p(3, &office("OUTLOOK.EXE"), EXPLORER),
        p(3, &office("EXCEL.EXE"), EXPLORER),
        p(2, &office("WINWORD.EXE"), EXPLORER),
        p(2, &format!(r"C:\Users\{user}\AppData\Local\Microsoft\Teams\current\Teams.exe"), EXPLORER),
        p(1, CMD, EXPLORER),
        p(2, CONHOST, CMD),
        p(2, r"C:\Windows\System32\RuntimeBroker.exe", SVCHOST),
        logon(1, 2),
        logon(1, 7),
        p(1, r"C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe", EXPLORER).occasional(),
        p(1, r"C:\Program Files\7-Zip\7zFM.exe", EXPLORER).occasional(),
    ]
}

fn dev(user: &str) -> Vec<Habit> {
    let code = format!(r"C:\Users\{user}\AppData\Local\Programs\Microsoft VS Code\Code.exe");
    vec![
        p(1, EXPLORER, USERINIT),
        p(3, &code, EXPLORER),
        p(4, &code, &code),
        p(4, r"C:\Program Files\Git\cmd\git.exe", &code),
        p(3, r"C:\Program Files\Git\mingw64\bin\git.exe", r"C:\Program Files\Git\cmd\git.exe"),
        p(2, r"C:\Program Files\nodejs\node.exe", &code),
        p(1, &format!(r"C:\Users\{user}\AppData\Local\Programs\Python\Python312\python.exe"), &code),
        p(3, CHROME, EXPLORER),
        p(
            2,
            r"C:\Program Files\WindowsApps\Microsoft.WindowsTerminal_1.21.2911.0_x64__8wekyb3d8bbwe\WindowsTerminal.exe",
            EXPLORER,
        ),
        p(2, POWERSHELL, EXPLORER),
        p(2, CONHOST, POWERSHELL),
        p(1, r"C:\Program Files\Docker\Docker\resources\com.docker.backend.exe", EXPLORER),
        logon(1, 2),
        logon(1, 7),
        p(1, r"C:\Program Files\PuTTY\putty.exe", EXPLORER).occasional(),
        p(1, r"C:\Program Files (x86)\WinSCP\WinSCP.exe", EXPLORER).occasional(),
    ]
}

fn admin() -> Vec<Habit> {
    vec![
        p(1, EXPLORER, USERINIT),
        p(3, r"C:\Windows\System32\mmc.exe", EXPLORER),
        p(3, POWERSHELL, EXPLORER),
        p(2, CONHOST, POWERSHELL),
        p(2, r"C:\Windows\System32\ServerManager.exe", EXPLORER),
        p(2, r"C:\Program Files\Notepad++\notepad++.exe", EXPLORER),
        logon(2, 10),
        p(1, r"C:\Program Files\Wireshark\Wireshark.exe", EXPLORER).occasional(),
    ]
}

fn backup() -> Vec<Habit> {
    let svc = r"C:\Program Files\Veeam\Backup and Replication\Backup\Veeam.Backup.Service.exe";
    vec![
        p(3, r"C:\Program Files\Veeam\Backup and Replication\Backup\Veeam.Backup.Manager.exe", svc),
        p(2, r"C:\Program Files (x86)\Veeam\Backup Transport\x64\VeeamAgent.exe", svc),
        p(1, CMD, svc),
        logon(1, 5),
    ]
}

/// The machine account's system processes: mostly excluded paths, plus two occasional
/// updaters outside them (they make the hunting query's `Ratio` drop below 100 on days they
/// skip).
fn machine() -> Vec<Habit> {
    vec![
        p(8, SVCHOST, SERVICES),
        p(3, CONHOST, SVCHOST),
        p(3, r"C:\Windows\System32\taskhostw.exe", SVCHOST),
        p(2, r"C:\Windows\System32\wbem\WmiPrvSE.exe", SVCHOST),
        p(1, r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe", SVCHOST),
        p(
            2,
            r"C:\Program Files\Microsoft Monitoring Agent\Agent\MonitoringHost.exe",
            r"C:\Program Files\Microsoft Monitoring Agent\Agent\HealthService.exe",
        ),
        p(
            1,
            r"C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.4950_none_7e1fd2b0b9d8c0b4\TiWorker.exe",
            SVCHOST,
        ),
        logon(2, 5),
        p(1, r"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe", SVCHOST).occasional(),
        p(1, r"C:\Program Files\Common Files\microsoft shared\ClickToRun\OfficeC2RClient.exe", SVCHOST).occasional(),
    ]
}

fn account(host: &str, user: &str, display: &str, rhythm: Rhythm, weight: f64, habits: Vec<Habit>) -> Principal {
    let machine = user.ends_with('$');
    let key = format!("{DOMAIN}\\{user}");
    let tag = hash_str(&format!("{host}/{key}"));
    let ip = format!("10.20.{}.{}", 1 + hash_str(host) % 40, 10 + hash_str(host) % 200);
    Principal {
        key,
        display: display.to_owned(),
        ident: Ident::Win {
            host: host.to_owned(),
            user: user.to_owned(),
            sid: if machine {
                "S-1-5-18".into()
            } else {
                format!("S-1-5-21-3848374700-899364479-570268935-{}", 1100 + tag % 3000)
            },
            machine,
        },
        rhythm,
        weight,
        ips: vec![ip],
        ua: String::new(),
        habits,
        hourly: vec![],
        tag,
    }
}

/// Number of Windows principals that always exist (machine accounts are extra).
pub(crate) const CORE: u32 = 2;

const HOSTS: [&str; 8] =
    ["HR-WS-11", "SALES-LT-04", "OPS-WS-05", "MKT-LT-09", "FIN-WS-03", "LEGAL-WS-02", "SUP-WS-14", "ENG-LT-21"];

/// The Windows accounts: the core cast, `fillers`, and one machine account per host.
pub(crate) fn roster(fillers: &[Filler]) -> Vec<Principal> {
    let mut v = vec![
        account("FIN-WS-07", "jsmith", "John Smith", Rhythm::Office, 1.0, desk("jsmith")),
        account("DEV-WS-02", "ptaylor", "Priya Taylor", Rhythm::Office, 1.2, dev("ptaylor")),
    ];
    for f in fillers {
        let mut a = match f.index {
            0 => account("DC-01", "adm-rlee", "Robin Lee (admin)", Rhythm::Office, 0.6, admin()),
            1 => account("DC-01", "svc-backup", "Backup service", Rhythm::Steady, 0.8, backup()),
            i => {
                let host = HOSTS.get(i as usize - 2).map_or_else(|| format!("WS-{:03}", 100 + i), |h| h.to_string());
                let user = format!("{}{}", f.given[..1].to_lowercase(), f.family.to_lowercase());
                let habits = if i % 3 == 0 { dev(&user) } else { desk(&user) };
                account(&host, &user, &format!("{} {}", f.given, f.family), Rhythm::Office, 1.0, habits)
            }
        };
        a.weight *= 0.7 + (hash(&[f.seed, a.tag]) % 600) as f64 / 1000.0;
        v.push(a);
    }
    let mut hosts: Vec<String> = Vec::new();
    for a in &v {
        if let Ident::Win { host, .. } = &a.ident
            && !hosts.contains(host)
        {
            hosts.push(host.clone());
        }
    }
    for host in hosts {
        v.push(account(&host, &format!("{host}$"), &format!("{host} (machine)"), Rhythm::Steady, 1.5, machine()));
    }
    v
}
