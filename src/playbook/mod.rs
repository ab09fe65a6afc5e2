//! Playbooks: for each detector, why its alert matters, the steps that investigate it and the
//! steps that resolve it, and what the logs can say about each step.
//!
//! Owns the playbook format (`assets/playbooks/<detector>.toml`, embedded in the binary; a file
//! of the same name in a user folder overrides it), its validation (stable unique step ids, known
//! pivots), and [`answer`], which turns a step's pivot into a one-line finding and the event
//! positions behind it. It reads the store and alerts but never writes, draws or keeps state:
//! which steps are ticked is [`crate::case`]'s business.

mod answer;
#[cfg(test)]
mod tests;

pub use answer::{StepAnswer, answer};

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Pivots answered by the alert's evidence ([`crate::detect::Pivot`]).
pub const EVIDENCE_PIVOTS: [&str; crate::detect::Pivot::ALL.len()] = {
    let mut out = [""; crate::detect::Pivot::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = crate::detect::Pivot::ALL[i].as_str();
        i += 1;
    }
    out
};

/// Pivots answered from other data: enrichment, the principal's timeline, activity, facts.
pub const DATA_PIVOTS: [&str; 5] = ["source-ips", "timeline", "activity", "baseline", "hosts"];

/// True when `pivot` is one [`answer`] knows.
pub fn is_known_pivot(pivot: &str) -> bool {
    EVIDENCE_PIVOTS.contains(&pivot) || DATA_PIVOTS.contains(&pivot)
}

/// One checklist step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable slug, unique within the playbook; case files key their ticks by it.
    pub id: String,
    /// What to do, in a sentence or two. May contain `code` spans.
    pub text: String,
    /// What in the logs answers the step, if anything (see [`EVIDENCE_PIVOTS`], [`DATA_PIVOTS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pivot: Option<String>,
}

/// A detector's playbook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// The detector it belongs to (`kms-key-created` …).
    pub detector: String,
    /// A short title.
    pub title: String,
    /// Why the alert matters.
    pub why: String,
    /// Investigation steps, in order.
    #[serde(default)]
    pub investigate: Vec<Step>,
    /// Resolution steps, in order.
    #[serde(default)]
    pub resolve: Vec<Step>,
}

impl Playbook {
    /// Every step, investigation first.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.investigate.iter().chain(&self.resolve)
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps().find(|s| s.id == id)
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.investigate.len() + self.resolve.len()
    }

    /// True when the playbook has no step.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks ids (non-empty slugs, unique) and pivots (known).
    fn validate(&self) -> Result<(), String> {
        if self.title.trim().is_empty() {
            return Err("empty title".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for s in self.steps() {
            let slug =
                !s.id.is_empty() && s.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !slug {
                return Err(format!("step id {:?} is not a slug (a-z, 0-9, -)", s.id));
            }
            if !seen.insert(s.id.as_str()) {
                return Err(format!("step id {:?} appears twice", s.id));
            }
            if s.text.trim().is_empty() {
                return Err(format!("step {:?} has no text", s.id));
            }
            if let Some(p) = &s.pivot
                && !is_known_pivot(p)
            {
                return Err(format!("step {:?} names an unknown pivot {p:?}", s.id));
            }
        }
        Ok(())
    }
}

/// Why a playbook could not be had.
#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    /// No built-in playbook and no user file for this detector.
    #[error("no playbook for detector {0:?}")]
    Unknown(String),
    /// The user file could not be read.
    #[error("cannot read playbook {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the playbook's shape.
    #[error("playbook {origin} is not valid: {reason}")]
    Parse {
        /// The file path, or `built-in <detector>`.
        origin: String,
        /// The parser's message.
        reason: String,
    },
    /// The file parsed but breaks a rule (duplicate id, unknown pivot, wrong detector).
    #[error("playbook {origin}: {reason}")]
    Invalid {
        /// The file path, or `built-in <detector>`.
        origin: String,
        /// Which rule.
        reason: String,
    },
}

/// Parses and validates playbook text; `origin` names it in errors, `detector` is what it must be for.
pub fn parse(text: &str, detector: &str, origin: &str) -> Result<Playbook, PlaybookError> {
    let pb: Playbook =
        toml::from_str(text).map_err(|e| PlaybookError::Parse { origin: origin.into(), reason: e.to_string() })?;
    if pb.detector != detector {
        return Err(PlaybookError::Invalid {
            origin: origin.into(),
            reason: format!("is for detector {:?}, expected {detector:?}", pb.detector),
        });
    }
    pb.validate().map_err(|reason| PlaybookError::Invalid { origin: origin.into(), reason })?;
    Ok(pb)
}

/// The built-in playbook of a detector.
pub fn builtin(detector: &str) -> Option<Playbook> {
    let text = crate::detect::spec(detector)?.playbook;
    // The embedded files are checked by the unit tests; a broken one reads as missing.
    parse(text, detector, &format!("built-in {detector}")).ok()
}

/// Every built-in playbook, in detector order.
pub fn all_builtin() -> Vec<Playbook> {
    crate::detect::REGISTRY.iter().filter_map(|s| builtin(s.name)).collect()
}

/// The conventional folder for a user's playbooks: the platform config folder for trailwatch, then
/// `playbooks` (`~/.config/trailwatch/playbooks` on Linux). [`load`] reads it only when passed.
pub fn default_user_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trailwatch").map(|d| d.config_dir().join("playbooks"))
}

/// The playbook for a detector: `<user_dir>/<detector>.toml` if that file exists (an invalid one
/// is an error, never silently replaced), else the built-in one.
pub fn load(detector: &str, user_dir: Option<&Path>) -> Result<Playbook, PlaybookError> {
    let safe = !detector.is_empty() && detector.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !safe {
        return Err(PlaybookError::Unknown(detector.into()));
    }
    if let Some(dir) = user_dir {
        let path = dir.join(format!("{detector}.toml"));
        match std::fs::read_to_string(&path) {
            Ok(text) => return parse(&text, detector, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(PlaybookError::Io { path, source }),
        }
    }
    builtin(detector).ok_or_else(|| PlaybookError::Unknown(detector.into()))
}
