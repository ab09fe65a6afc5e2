//! The last step of loading: request details for the few events a detector asks about.
//!
//! The store keeps only normalised columns; the request parameters that decide, say, whether a
//! snapshot was shared with everyone stay in the raw record on disk. Each detector's registry
//! entry says which events it needs details of ([`crate::detect::DetectorSpec::wants`]); this
//! step reads exactly those records back, file by file in offset order so each file is decoded
//! once, flattens them into [`RequestFacts`] and attaches them to the store. Detectors then read
//! facts, never files.

use crate::model::RequestFacts;
use crate::store::EventStore;
use serde_json::Value;

/// Most leaves kept per record.
const MAX_LEAVES: usize = 400;
/// Longest value kept, in bytes.
const MAX_VALUE: usize = 1024;
/// How deep JSON held in strings is opened.
const MAX_NESTED: u8 = 2;

/// Extracts and attaches the facts every detector asks for.
pub fn attach(store: &mut EventStore) {
    let mut wanted = crate::detect::wanted(store);
    if wanted.is_empty() {
        return;
    }
    let events = store.events();
    wanted.sort_by_key(|&i| {
        let s = events[i as usize].src;
        (s.file, s.offset, s.index)
    });
    let raws = store.raw_batch(&wanted);
    use rayon::prelude::*;
    let facts: Vec<(u32, RequestFacts)> = wanted
        .into_par_iter()
        .zip(raws)
        .filter_map(|(i, raw)| Some((i, extract(serde_json::from_str(&raw.ok()?).ok()?))))
        .collect();
    store.set_facts(facts);
}

/// Flattens a record into its leaves.
pub fn extract(record: Value) -> RequestFacts {
    let mut out = RequestFacts::default();
    walk(&record, &mut String::new(), 0, &mut out);
    out
}

fn walk(v: &Value, path: &mut String, nested: u8, out: &mut RequestFacts) {
    if out.leaves.len() >= MAX_LEAVES {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                walk(x, path, nested, out);
                path.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(x, path, nested, out);
                path.truncate(len);
            }
        }
        Value::String(s) => {
            let t = s.trim_start();
            if nested < MAX_NESTED
                && (t.starts_with('{') || t.starts_with('['))
                && let Ok(inner) = serde_json::from_str::<Value>(s)
            {
                return walk(&inner, path, nested + 1, out);
            }
            push(out, path, s);
        }
        Value::Null => {}
        other => push(out, path, &other.to_string()),
    }
}

fn push(out: &mut RequestFacts, path: &str, value: &str) {
    let mut end = value.len().min(MAX_VALUE);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    out.leaves.push((path.into(), value[..end].into()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_keep_paths_skip_indexes_and_open_json_strings() {
        let f = extract(json!({
            "eventName": "ModifySnapshotAttribute",
            "requestParameters": {"createVolumePermission": {"add": {"items": [{"group": "all"}]}}},
            "properties": {"requestbody": "{\"properties\":{\"roleDefinitionId\":\"/x/8e3af657\"}}"},
            "n": 22,
            "none": null,
        }));
        assert_eq!(f.get("requestParameters.createVolumePermission.add.items[0].group"), Some("all"));
        assert_eq!(f.values("roleDefinitionId").collect::<Vec<_>>(), ["/x/8e3af657"]);
        assert_eq!(f.get("n"), Some("22"));
        assert!(f.any_value("ALL"));
        assert!(f.get("none").is_none());
    }
}
