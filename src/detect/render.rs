//! The one renderer of alert facts: a detector's enrichment turned into labelled lines a person
//! reads — key use as counts and names, IPs marked new or known, event lists as one line per
//! event. The TUI detail, the reports and the playbook answers all use it, so a fact reads the same
//! everywhere. Unknown keys fall back to a generic rendering, so a new detector field still shows.
//! Pure: JSON in, text out; text stays raw (whoever draws it escapes it). Imports no view.

use serde::Serialize;
use serde_json::Value;

/// One labelled piece of enrichment, made readable.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Detail {
    /// What it is (`key use`, `source IPs`).
    pub label: String,
    /// One line per item.
    pub lines: Vec<String>,
}

/// A source address's novelty to the principal, worded the same everywhere: `known` (used in
/// the baseline), `new since <time>` (first used after the baseline, before the alert), `new`,
/// or `?`; `long` adds "for the principal" to the new forms.
pub fn novelty_text(known: Option<bool>, new_since: Option<&str>, long: bool) -> String {
    let who = if long { " for the principal" } else { "" };
    match (known, new_since) {
        (Some(true), _) => "known".into(),
        (Some(false), Some(t)) => format!("new since {t}{who}"),
        (Some(false), None) => format!("new{who}"),
        (None, _) => "?".into(),
    }
}

/// Readable details of an alert's enrichment, in the detector's order.
pub fn details(enrichment: &Value) -> Vec<Detail> {
    let Some(obj) = enrichment.as_object() else {
        return match enrichment {
            Value::Null => Vec::new(),
            v => vec![Detail { label: "enrichment".into(), lines: vec![scalar(v)] }],
        };
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        let lines = match k.as_str() {
            "source_ip_new" | "source_ip_new_since" => continue,
            "source_ip" => {
                let known = obj.get("source_ip_new").and_then(Value::as_bool).map(|new| !new);
                let since = obj.get("source_ip_new_since").and_then(Value::as_str);
                let mark = match known {
                    Some(_) => format!(" ({})", novelty_text(known, since, true)),
                    None => String::new(),
                };
                vec![format!("{}{mark}", scalar(v))]
            }
            "source_ips" => source_ips(v),
            "grants" => match v.as_array().filter(|a| !a.is_empty()) {
                Some(a) => a.iter().map(grant_line).collect(),
                None => vec!["no access change in the loaded logs".into()],
            },
            "use" => key_use(v),
            "history" => vec![format!(
                "{} calls to {} services over {} days before the alert",
                scalar(&v["calls"]),
                scalar(&v["services"]),
                scalar(&v["days"])
            )],
            _ => generic(v),
        };
        out.push(Detail { label: label(k), lines });
    }
    out
}

fn label(key: &str) -> String {
    match key {
        "source_ips" => "source IPs".into(),
        "source_ip" => "source IP".into(),
        "iam_changes" => "IAM changes".into(),
        "grants" => "access changes".into(),
        "other_keys_24h" => "other keys within 24 h".into(),
        "use" => "key use".into(),
        "ratio" => "engagement ratio (%)".into(),
        "distribution_1day" => "distinct processes that day".into(),
        "distribution_7days" => "distinct processes over 7 days".into(),
        "baseline_per_hour" => "baseline calls per hour".into(),
        k => k.replace('_', " "),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => format!("{}", (f * 10.0).round() / 10.0),
            _ => n.to_string(),
        },
        Value::String(s) if s.is_empty() => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One access change of a `grants` enrichment: `granted ROLE to MEMBER (REACH) on RES at T by P`.
pub fn grant_line(g: &Value) -> String {
    use super::grants::{Change, Reach};
    let change = serde_json::from_value::<Change>(g["change"].clone()).unwrap_or(Change::Set);
    let reach = serde_json::from_value::<Reach>(g["reach"].clone()).unwrap_or(Reach::Unknown);
    let to = if change == Change::Remove { "from" } else { "to" };
    let on = g["on"].as_str().filter(|s| !s.is_empty()).map(|s| format!(" on {s}")).unwrap_or_default();
    let failed = if g["outcome"] == "failure" { " (failed)" } else { "" };
    format!(
        "{} {} {to} {} ({}){on} at {} by {}{failed}",
        change.as_str(),
        scalar(&g["access"]),
        scalar(&g["member"]),
        reach.label(),
        scalar(&g["time"]),
        scalar(&g["by"])
    )
}

fn source_ips(v: &Value) -> Vec<String> {
    let Some(ips) = v.as_array().filter(|a| !a.is_empty()) else {
        return vec!["none".into()];
    };
    ips.iter()
        .map(|ip| {
            let known = novelty_text(ip["known"].as_bool(), ip["new_since"].as_str(), true);
            let roles: Vec<String> = ip["seen_in"].as_array().into_iter().flatten().map(scalar).collect();
            let seen = if roles.is_empty() { String::new() } else { format!("; seen in {}", roles.join(", ")) };
            format!("{} ({known}{seen})", scalar(&ip["ip"]))
        })
        .collect()
}

fn key_use(v: &Value) -> Vec<String> {
    let count = v["count"].as_u64().unwrap_or(0);
    if count == 0 {
        return vec!["not used in the loaded logs".into()];
    }
    let names = |k: &str| v[k].as_array().into_iter().flatten().map(scalar).collect::<Vec<_>>().join(", ");
    vec![
        format!("{count} use(s) by {}", names("by")),
        format!("first {}, last {}", scalar(&v["first"]), scalar(&v["last"])),
        format!("operations: {}", names("operations")),
    ]
}

/// An event reference (`detect::event_ref`) as one line.
fn event_line(e: &Value) -> String {
    let mut parts = vec![scalar(&e["time"]), scalar(&e["principal"]), scalar(&e["operation"])];
    for k in ["resource", "source_ip"] {
        if e[k].as_str().is_some_and(|s| !s.is_empty()) {
            parts.push(scalar(&e[k]));
        }
    }
    parts.join(" · ")
}

fn generic(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) if a.is_empty() => vec!["none".into()],
        Value::Array(a) if a.iter().all(|x| x.get("time").is_some() && x.get("operation").is_some()) => {
            a.iter().map(event_line).collect()
        }
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            vec![a.iter().map(scalar).collect::<Vec<_>>().join(", ")]
        }
        Value::Array(a) => a.iter().map(|x| x.to_string()).collect(),
        Value::Object(o) => o.iter().map(|(k, x)| format!("{}: {}", label(k), scalar(x))).collect(),
        s => vec![scalar(s)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kms_enrichment_reads_well() {
        let d = details(&json!({
            "key": "k1",
            "use": {"count": 2, "by": ["a", "b"], "first": "t1", "last": "t2", "operations": ["Decrypt"]},
            "source_ips": [{"ip": "198.51.100.7", "known": false, "seen_in": ["key use"]}],
            "iam_changes": [{"time": "t", "principal": "p", "operation": "SetIamPolicy", "resource": "r", "source_ip": ""}],
            "off_hours": true,
            "hourly_counts": [120, 300],
        }));
        let get = |l: &str| d.iter().find(|x| x.label == l).unwrap().lines.clone();
        assert_eq!(get("key use")[0], "2 use(s) by a, b");
        assert_eq!(get("source IPs"), ["198.51.100.7 (new for the principal; seen in key use)"]);
        assert_eq!(get("IAM changes"), ["t · p · SetIamPolicy · r"]);
        assert_eq!(get("off hours"), ["yes"]);
        assert_eq!(get("hourly counts"), ["120, 300"]);
    }

    #[test]
    fn single_ip_marked() {
        let d = details(&json!({"source_ip": "10.0.0.1", "source_ip_new": true}));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].lines, ["10.0.0.1 (new for the principal)"]);
    }
}
