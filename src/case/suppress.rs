//! Suppressions: an analyst's "known false positive" for one kind of alert — a detector, a
//! principal and the alert's key — with a reason, who said so, and an optional expiry.
//!
//! Owns matching alerts against them, and their file in the case folder
//! (`suppressions.jsonl`, one suppression a line, rewritten atomically on every change). Nothing
//! here reads logs or draws; the caller gives the instant expiry is judged against.

use super::write_atomic;
use crate::detect::Alert;
use crate::time::{format_rfc3339, parse_time};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The file's name in the case folder (not `.json`: the folder's `.json` files are cases).
pub const FILE: &str = "suppressions.jsonl";

/// One suppression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// Stable id (`sup-` and a hash of what it matches).
    pub id: String,
    /// The detector whose alerts it hides.
    pub detector: String,
    /// The principal.
    pub principal: String,
    /// The alert key as `a=b, c=d` ([`Alert::key_text`]).
    pub key: String,
    /// Why (required).
    pub reason: String,
    /// Who.
    pub analyst: String,
    /// When it was made (RFC 3339).
    pub created: String,
    /// When it stops applying (RFC 3339), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The alert it was made from.
    pub from_alert: String,
}

impl Suppression {
    /// A suppression of alerts like `a`.
    pub fn of(a: &Alert, reason: &str, until: Option<i64>, analyst: &str, now: i64) -> Suppression {
        let key = a.key_text();
        let hash = Sha256::digest(format!("{}\n{}\n{}", a.detector, a.principal, key).as_bytes());
        Suppression {
            id: format!("sup-{}", hash.iter().take(6).map(|b| format!("{b:02x}")).collect::<String>()),
            detector: a.detector.to_string(),
            principal: a.principal.clone(),
            key,
            reason: reason.to_string(),
            analyst: analyst.to_string(),
            created: format_rfc3339(now),
            until: until.map(format_rfc3339),
            from_alert: a.id.clone(),
        }
    }

    /// Whether it hides `a` at `now` (µs): same detector, principal and key, not expired.
    pub fn hides(&self, a: &Alert, now: i64) -> bool {
        let live = self.until.as_deref().and_then(parse_time).is_none_or(|u| now < u);
        live && a.detector == self.detector && a.principal == self.principal && a.key_text() == self.key
    }
}

/// The suppressions of a case folder.
#[derive(Debug)]
pub struct Suppressions {
    path: PathBuf,
    /// In the order they were made.
    pub list: Vec<Suppression>,
}

impl Suppressions {
    /// Reads the folder's suppressions (none when there is no file). A line that cannot be read
    /// is an error naming it: a suppression silently lost would bring alerts back unexplained.
    pub fn open(dir: &Path) -> Result<Suppressions, String> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let mut list = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            list.push(serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?);
        }
        Ok(Suppressions { path, list })
    }

    /// Adds (or replaces, same id) a suppression and saves; returns its id.
    pub fn add(&mut self, s: Suppression) -> Result<String, String> {
        let id = s.id.clone();
        self.list.retain(|x| x.id != id);
        self.list.push(s);
        self.save()?;
        Ok(id)
    }

    /// Removes a suppression and saves; false when there was none with that id.
    pub fn remove(&mut self, id: &str) -> Result<bool, String> {
        let before = self.list.len();
        self.list.retain(|x| x.id != id);
        if self.list.len() == before {
            return Ok(false);
        }
        self.save()?;
        Ok(true)
    }

    fn save(&self) -> Result<(), String> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut text = String::new();
        for s in &self.list {
            text.push_str(&serde_json::to_string(s).map_err(|e| e.to_string())?);
            text.push('\n');
        }
        write_atomic(&self.path, text.as_bytes()).map_err(|e| format!("{}: {e}", self.path.display()))
    }

    /// Splits `alerts` into those shown and the number hidden at `now`.
    pub fn apply(&self, alerts: Vec<Alert>, now: i64) -> (Vec<Alert>, usize) {
        let before = alerts.len();
        let kept: Vec<Alert> = alerts.into_iter().filter(|a| !self.list.iter().any(|s| s.hides(a, now))).collect();
        let hidden = before - kept.len();
        (kept, hidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str, who: &str, key: &str) -> Alert {
        Alert { key: vec![("method".into(), key.into())], ..Alert::for_test(id, who, 0) }
    }

    #[test]
    fn suppressions_hide_alike_alerts_until_they_expire_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Suppressions::open(dir.path()).unwrap();
        assert!(s.list.is_empty());
        let a = alert("a1", "ci@p.iam", "Deploy");
        let id = s.add(Suppression::of(&a, "CI deploys daily", Some(1_000), "ana", 0)).unwrap();
        let again = Suppressions::open(dir.path()).unwrap();
        assert_eq!(again.list, s.list, "written and read back");
        assert_eq!(again.list[0].id, id);
        // The same kind of alert on another day (another id) is hidden; others are not.
        let alerts =
            vec![alert("a2", "ci@p.iam", "Deploy"), alert("b", "ci@p.iam", "Delete"), alert("c", "x", "Deploy")];
        let (kept, hidden) = again.apply(alerts.clone(), 999);
        assert_eq!((kept.len(), hidden), (2, 1));
        let (kept, hidden) = again.apply(alerts, 1_000);
        assert_eq!((kept.len(), hidden), (3, 0), "expired");
        let mut again = again;
        assert!(again.remove(&id).unwrap());
        assert!(!again.remove(&id).unwrap());
        assert!(Suppressions::open(dir.path()).unwrap().list.is_empty());
        // The file is not a case: the case folder's readers skip it.
        assert!(!FILE.ends_with(".json"));
    }

    #[test]
    fn a_damaged_line_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "{\"id\":1}\n").unwrap();
        let err = Suppressions::open(dir.path()).unwrap_err();
        assert!(err.contains("suppressions.jsonl:1:"), "{err}");
    }
}
