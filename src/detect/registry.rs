//! The detector registry: one [`DetectorSpec`] per detector, in one list.
//!
//! Everything that names detectors reads [`REGISTRY`]: the run table ([`super::run`]), the
//! `--detectors` choices ([`DETECTORS`]), the built-in playbooks and the alert queue's short
//! names. Each spec is declared beside its detector; adding a detector means its file (with its
//! spec), one line here and its playbook in `assets/playbooks/`.

use super::{Config, Detect};
use crate::store::EventStore;

/// How a detector's alerts are produced.
#[derive(Clone, Copy)]
pub enum Pass {
    /// The detector's own pass over the store.
    Own(Detect),
    /// Raised by the pass of the named detector (one walk serves both).
    SharedWith(&'static str),
}

/// One detector: its names, its title, its playbook and how it runs.
#[derive(Clone, Copy)]
pub struct DetectorSpec {
    /// The contract name (`--detectors`, JSON `detector`, case files, playbook file name).
    pub name: &'static str,
    /// At most 9 columns, for narrow terminals.
    pub short: &'static str,
    /// A generic title (alerts may carry a more specific one).
    pub title: &'static str,
    /// The built-in playbook's TOML text.
    pub playbook: &'static str,
    /// How its alerts are produced.
    pub pass: Pass,
    /// Which events it needs request details of; loading extracts them
    /// ([`crate::store::EventStore::facts`]) so the detector never reads files.
    pub wants: Option<Wants>,
}

/// The positions of the events whose request details a detector needs.
pub type Wants = fn(&EventStore) -> Vec<u32>;

/// Every detector, in the contract's order.
pub const REGISTRY: [DetectorSpec; 7] = [
    super::first_seen::NEW_API_CALL,
    super::first_seen::NEW_RESOURCE_ACCESS,
    super::kms::SPEC,
    super::bucket::SPEC,
    super::burst::SPEC,
    super::rare_process::SPEC,
    super::sensitive::SPEC,
];

/// The detector names (a contract), in registry order.
pub const DETECTORS: [&str; REGISTRY.len()] = {
    let mut out = [""; REGISTRY.len()];
    let mut i = 0;
    while i < REGISTRY.len() {
        out[i] = REGISTRY[i].name;
        i += 1;
    }
    out
};

/// The spec of a detector name.
pub fn spec(name: &str) -> Option<&'static DetectorSpec> {
    REGISTRY.iter().find(|s| s.name == name)
}

/// Whether the pass owned by `name` must run: it is enabled, or a detector sharing it is.
pub(super) fn pass_wanted(name: &str, cfg: &Config) -> bool {
    REGISTRY.iter().any(|s| match s.pass {
        Pass::Own(_) => s.name == name && cfg.enabled(s.name),
        Pass::SharedWith(owner) => owner == name && cfg.enabled(s.name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unique_short_and_shared_passes_resolve() {
        let mut seen = std::collections::BTreeSet::new();
        for s in &REGISTRY {
            assert!(seen.insert(s.name), "{} twice", s.name);
            assert!(s.short.chars().count() <= 9, "{}: short name too long", s.name);
            assert!(!s.title.is_empty() && !s.playbook.is_empty(), "{}", s.name);
            if let Pass::SharedWith(owner) = s.pass {
                assert!(matches!(spec(owner).map(|o| o.pass), Some(Pass::Own(_))), "{} shares {owner}", s.name);
            }
        }
        assert_eq!(DETECTORS.len(), REGISTRY.len());
        assert_eq!(DETECTORS[0], "new-api-call");
    }

    #[test]
    fn a_shared_pass_runs_when_only_its_sharer_is_enabled() {
        let cfg = Config { detectors: vec!["new-resource-access".into()], ..Config::default() };
        assert!(pass_wanted("new-api-call", &cfg));
        assert!(!pass_wanted("kms-key-created", &cfg));
        assert!(pass_wanted("kms-key-created", &Config::default()));
    }
}
