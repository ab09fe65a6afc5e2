//! Detector enrichment (free-form JSON) rendered as readable `label: value` items: event
//! references as one line each (`time operation resource by principal from ip`), source IPs as
//! `ip (new|known) — seen in …`, lists joined, booleans as yes/no, nested objects indented.
//!
//! Pure: JSON in, `(indent, label, text)` items out; the caller escapes and wraps them.

use serde_json::{Map, Value};

/// One rendered item: indentation level, label (may be empty) and text (raw: escape it).
pub type Item = (usize, String, String);

/// Most entries of one list shown.
const LIST_MAX: usize = 12;

/// Renders an enrichment object.
pub fn render(v: &Value) -> Vec<Item> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => object(m, 0, &mut out),
        Value::Null => {}
        other => out.push((0, String::new(), scalar(other))),
    }
    out
}

fn label(k: &str) -> String {
    k.replace('_', " ")
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
        Value::Object(m) => one_line(m),
    }
}

/// An object that reads as one line: an event reference, a source IP, or `k=v` pairs.
fn one_line(m: &Map<String, Value>) -> String {
    let get = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
    if m.contains_key("ip") {
        let known = match m.get("known") {
            Some(Value::Bool(true)) => " (known)",
            Some(Value::Bool(false)) => " (NEW)",
            _ => "",
        };
        let seen = m.get("seen_in").map(scalar).filter(|s| !s.is_empty());
        return format!("{}{known}{}", get("ip"), seen.map_or(String::new(), |s| format!(" — seen in {s}")));
    }
    if m.contains_key("time") && m.contains_key("operation") {
        let mut s = format!("{} {}", get("time"), get("operation"));
        for (k, word) in [("resource", ""), ("principal", "by "), ("source_ip", "from ")] {
            if !get(k).is_empty() {
                s.push_str(&format!(" {word}{}", get(k)));
            }
        }
        if get("outcome") == "failure" {
            s.push_str(" [failed]");
        }
        return s;
    }
    m.iter().map(|(k, v)| format!("{}={}", label(k), scalar(v))).collect::<Vec<_>>().join(", ")
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

fn object(m: &Map<String, Value>, indent: usize, out: &mut Vec<Item>) {
    for (k, v) in m {
        match v {
            Value::Array(a) if a.is_empty() => out.push((indent, label(k), "none".into())),
            Value::Array(a) if a.iter().all(is_scalar) => out.push((indent, label(k), scalar(v))),
            Value::Array(a) => {
                out.push((indent, label(k), format!("{} item(s)", a.len())));
                for item in a.iter().take(LIST_MAX) {
                    out.push((indent + 1, String::new(), format!("• {}", scalar(item))));
                }
                if a.len() > LIST_MAX {
                    out.push((indent + 1, String::new(), format!("… {} more", a.len() - LIST_MAX)));
                }
            }
            Value::Object(o) if o.contains_key("ip") || o.contains_key("operation") => {
                out.push((indent, label(k), one_line(o)));
            }
            Value::Object(o) => {
                out.push((indent, label(k), String::new()));
                object(o, indent + 1, out);
            }
            other => out.push((indent, label(k), scalar(other))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_ips_events_and_nesting() {
        let v = json!({
            "source_ips": [{"ip": "198.51.100.7", "known": false, "seen_in": ["key use"]}],
            "iam_changes": [{
                "time": "2026-10-04T11:30:00Z", "operation": "SetIamPolicy", "resource": "k",
                "principal": "a", "outcome": "failure"
            }],
            "use": {"count": 2, "by": ["a", "b"]},
            "off_hours": true,
            "rotation": "none",
            "other_keys_24h": [],
        });
        let items = render(&v);
        let find = |l: &str| items.iter().find(|i| i.1 == l).cloned().unwrap();
        assert_eq!(find("off hours").2, "yes");
        assert_eq!(find("other keys 24h").2, "none");
        assert_eq!(find("by"), (1, "by".into(), "a, b".into()));
        assert!(items.iter().any(|i| i.2 == "• 198.51.100.7 (NEW) — seen in key use"));
        assert!(items.iter().any(|i| i.2 == "• 2026-10-04T11:30:00Z SetIamPolicy k by a [failed]"));
    }
}
