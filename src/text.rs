//! Making attacker-controlled log text safe to show.
//!
//! Every string from a log is untrusted. Before it reaches a terminal, a table or a Markdown file
//! it goes through [`escape`], which renders control characters (C0, DEL, C1 — so ESC/CSI/OSC
//! sequences, BEL, backspace, carriage return), bidirectional overrides and zero-width characters
//! as visible escapes such as `\x1b` or `\u{202e}`. Pure functions only.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}'   // zero-width space/joiners, LRM/RLM
        | '\u{202a}'..='\u{202e}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'   // bidi isolates
        | '\u{061c}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}' // tag characters
    )
}

/// Returns the text with every unsafe character written as a visible escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Escapes, then shortens to at most `max` characters (adding `…`).
pub fn clip(s: &str, max: usize) -> String {
    let e = escape(s);
    if e.chars().count() <= max {
        return e.into_owned();
    }
    let mut out: String = e.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes, then shortens to at most `max` characters by cutting the middle: the start says
/// where a path lives, the end which thing it is. A path keeps its first segment and as many
/// whole trailing segments as fit (`projects/…/cryptoKeys/k/cryptoKeyVersions/1`).
pub fn clip_middle(s: &str, max: usize) -> String {
    let e = escape(s);
    let chars: Vec<char> = e.chars().collect();
    if chars.len() <= max {
        return e.into_owned();
    }
    if max < 5 {
        return clip(s, max);
    }
    let sep = if e.matches('\\').count() > e.matches('/').count() { '\\' } else { '/' };
    let segments: Vec<&str> = e.split(sep).collect();
    if segments.len() > 2 {
        // Whole trailing segments after `prefix`, as many as fit.
        let fill = |prefix: String| {
            let mut tail: Vec<&str> = Vec::new();
            let mut used = prefix.chars().count();
            let mut kept = 0;
            for seg in segments[1..].iter().rev() {
                let n = seg.chars().count() + usize::from(!tail.is_empty());
                if used + n > max {
                    break;
                }
                used += n;
                kept += n;
                tail.push(seg);
            }
            tail.reverse();
            (kept, format!("{prefix}{}", tail.join(&sep.to_string())))
        };
        // With the first segment (where it lives), unless dropping it keeps much more of the end.
        let (with_head, a) = fill(format!("{}{sep}…{sep}", segments[0]));
        let (without, b) = fill(format!("…{sep}"));
        match (with_head, without) {
            (0, 0) => {}
            (h, w) if 5 * h >= 3 * w => return a,
            _ => return b,
        }
    }
    let keep = max - 1;
    let head = keep * 2 / 5;
    let tail = keep - head;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// An operation name with the boilerplate that does not tell operations apart folded away:
/// GCP's `google.`/`cloud.` prefixes, API versions and service interfaces
/// (`google.cloud.kms.v1.KeyManagementService.Decrypt` → `kms.Decrypt`), Azure's `Microsoft.`
/// provider prefix. Names without such parts are returned as they are.
pub fn short_operation(op: &str) -> Cow<'_, str> {
    if let Some(rest) = op.strip_prefix("Microsoft.").or_else(|| op.strip_prefix("MICROSOFT.")) {
        return Cow::Borrowed(rest);
    }
    let Some(rest) = op.strip_prefix("google.") else {
        return Cow::Borrowed(op);
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let Some((method, path)) = parts.split_last() else {
        return Cow::Borrowed(op);
    };
    let is_version = |p: &str| {
        p.strip_prefix('v').is_some_and(|v| {
            let digits = v.trim_start_matches(|c: char| c.is_ascii_digit());
            digits.len() < v.len() && (digits.is_empty() || digits.starts_with("alpha") || digits.starts_with("beta"))
        })
    };
    let is_interface = |p: &str| {
        let p = p.trim_end_matches(|c: char| c.is_ascii_digit()).trim_end_matches('V');
        p.ends_with("Service") || p.ends_with("Manager")
    };
    let service = path.iter().copied().find(|p| *p != "cloud" && !is_version(p) && !is_interface(p));
    match service {
        Some(svc) if !method.is_empty() => Cow::Owned(format!("{svc}.{method}")),
        _ => Cow::Borrowed(op),
    }
}

/// Rewrites the unsafe non-ASCII characters of serialised JSON (DEL, C1 controls, bidi
/// overrides, zero-width characters) as `\u` escapes, so JSON output is safe on a terminal and
/// still means the same. serde_json already escapes C0 controls inside strings, and outside
/// strings only ASCII structure occurs, so every character replaced sits inside a string.
pub fn json_safe(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| (c as u32) >= 0x7f && is_unsafe(c);
    if s.is_ascii() && !s.contains('\x7f') || !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut buf = [0u16; 2];
    for c in s.chars() {
        if unsafe_char(c) {
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes a value as one JSON line made safe for a terminal ([`json_safe`]).
pub fn write_json_line(out: &mut dyn std::io::Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    let line = serde_json::to_string(value).map_err(std::io::Error::other)?;
    out.write_all(json_safe(&line).as_bytes())?;
    out.write_all(b"\n")
}

/// Escapes text for an HTML element or attribute value.
pub fn html(s: &str) -> String {
    let s = escape(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell or inline text: control characters, pipes, backticks
/// and the characters that would start emphasis, links or HTML.
pub fn markdown(s: &str) -> String {
    let s = escape(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '\\' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_keep_what_tells_them_apart() {
        for (long, short) in [
            ("google.cloud.kms.v1.KeyManagementService.Decrypt", "kms.Decrypt"),
            ("google.cloud.kms.v1.KeyManagementService.Encrypt", "kms.Encrypt"),
            ("google.iam.admin.v1.CreateServiceAccountKey", "iam.CreateServiceAccountKey"),
            ("google.logging.v2.ConfigServiceV2.DeleteSink", "logging.DeleteSink"),
            (
                "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion",
                "secretmanager.AccessSecretVersion",
            ),
            ("google.cloud.bigquery.v2.JobService.InsertJob", "bigquery.InsertJob"),
            ("google.container.v1beta1.ClusterManager.CreateCluster", "container.CreateCluster"),
            ("storage.objects.get", "storage.objects.get"),
            ("SetIamPolicy", "SetIamPolicy"),
            ("Microsoft.Compute/virtualMachines/write", "Compute/virtualMachines/write"),
            ("MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ", "KEYVAULT/VAULTS/SECRETS/READ"),
            ("Decrypt", "Decrypt"),
            ("google.", "google."),
        ] {
            assert_eq!(short_operation(long), short, "{long}");
        }
    }

    #[test]
    fn middle_clipping_keeps_both_ends() {
        let key = "projects/nw-prod-data/locations/europe-west1/keyRings/exports/cryptoKeys/tmp-export-key/cryptoKeyVersions/1";
        let c = clip_middle(key, 60);
        assert_eq!(c, "projects/…/cryptoKeys/tmp-export-key/cryptoKeyVersions/1");
        assert!(c.chars().count() <= 60);
        assert_eq!(clip_middle("short", 60), "short");
        assert_eq!(
            clip_middle(r"C:\Program Files\Google\Chrome\Application\chrome.exe", 30),
            r"C:\…\Application\chrome.exe"
        );
        // Without useful path segments, characters are cut from the middle.
        let c = clip_middle("arn:aws:iam::111122223333:role/a-very-long-role-name-for-the-ci-pipeline", 30);
        assert_eq!(c.chars().count(), 30);
        assert!(c.starts_with("arn:aws:iam") && c.ends_with("ci-pipeline"), "{c}");
        // Escaping comes first: a control character cannot survive.
        assert!(!clip_middle("a\x1b[2J/b/c/d/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\x1b", 20).contains('\x1b'));
        // Short of room, the end is kept rather than the first segment.
        assert_eq!(clip_middle(key, 23), "…/cryptoKeyVersions/1");
        for max in 0..12 {
            assert!(clip_middle(key, max).chars().count() <= max.max(1), "{max}");
        }
    }

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(escape("a\x1b[31mred"), "a\\x1b[31mred");
        assert_eq!(escape("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
        assert_eq!(escape("x\x08y\rz\n"), "x\\x08y\\rz\\n");
        assert_eq!(escape("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
        assert_eq!(escape("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(escape("c1\u{9b}31m"), "c1\\x9b31m");
    }

    #[test]
    fn clips_after_escaping() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ab", 4), "ab");
    }

    #[test]
    fn html_and_markdown() {
        assert_eq!(html("<script>alert('x')</script>&"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;");
        assert_eq!(markdown("a|b`c"), "a\\|b\\`c");
        assert_eq!(markdown("\x1b[2J"), "\\\\x1b\\[2J");
    }
}
