//! Unit tests of the playbook format: the embedded files, validation and user overrides.

use super::*;
use crate::detect::DETECTORS;

#[test]
fn every_builtin_parses() {
    for spec in crate::detect::REGISTRY {
        let (detector, text) = (spec.name, spec.playbook);
        let pb = parse(text, detector, detector).unwrap_or_else(|e| panic!("{detector}: {e}"));
        assert!(!pb.why.trim().is_empty(), "{detector}: empty why");
        assert!(pb.investigate.len() >= 4, "{detector}: too few investigation steps");
        assert!(pb.resolve.len() >= 3, "{detector}: too few resolution steps");
        assert!(pb.resolve.iter().all(|s| s.pivot.is_none()), "{detector}: resolution steps take no pivot");
    }
    assert_eq!(all_builtin().len(), crate::detect::REGISTRY.len());
}

#[test]
fn every_detector_has_one() {
    for d in DETECTORS {
        let pb = builtin(d).unwrap_or_else(|| panic!("no playbook for {d}"));
        assert_eq!(pb.detector, d);
        assert_eq!(load(d, None).unwrap(), pb);
    }
    assert!(builtin("no-such-detector").is_none());
}

#[test]
fn pivots_are_known_and_ids_unique() {
    for pb in all_builtin() {
        let mut ids = std::collections::BTreeSet::new();
        for s in pb.steps() {
            assert!(ids.insert(s.id.clone()), "{}: duplicate id {}", pb.detector, s.id);
            if let Some(p) = &s.pivot {
                assert!(is_known_pivot(p), "{}: unknown pivot {p}", pb.detector);
            }
        }
        // The first step is always answered by the trigger or the detector's own evidence.
        assert!(pb.investigate.iter().any(|s| s.pivot.as_deref() == Some("trigger")), "{}", pb.detector);
    }
}

#[test]
fn the_guides_knowledge_is_mapped_to_kms_evidence() {
    let pb = builtin("kms-key-created").unwrap();
    let pivots: Vec<&str> = pb.investigate.iter().filter_map(|s| s.pivot.as_deref()).collect();
    for p in ["trigger", "key-use", "iam-changes", "rotation", "source-ips", "other-keys"] {
        assert!(pivots.contains(&p), "kms playbook lacks {p}");
    }
}

#[test]
fn validation_rejects_bad_files() {
    let dup = r#"detector = "x"
title = "t"
why = "w"
[[investigate]]
id = "a"
text = "one"
[[resolve]]
id = "a"
text = "two"
"#;
    assert!(matches!(parse(dup, "x", "dup"), Err(PlaybookError::Invalid { .. })));
    let pivot = dup.replace("[[resolve]]\nid = \"a\"", "[[resolve]]\nid = \"b\"\npivot = \"nonsense\"");
    let err = parse(&pivot, "x", "pivot").unwrap_err().to_string();
    assert!(err.contains("unknown pivot"), "{err}");
    let wrong = dup.replace("id = \"a\"\ntext = \"two\"", "id = \"b\"\ntext = \"two\"");
    assert!(parse(&wrong, "x", "ok").is_ok());
    assert!(matches!(parse(&wrong, "y", "other"), Err(PlaybookError::Invalid { .. })));
    assert!(matches!(parse("detector = 1", "x", "t"), Err(PlaybookError::Parse { .. })));
    let typo = wrong.replace("title", "titel");
    assert!(matches!(parse(&typo, "x", "typo"), Err(PlaybookError::Parse { .. })));
    let slug = wrong.replace("id = \"b\"", "id = \"Not A Slug\"");
    assert!(matches!(parse(&slug, "x", "slug"), Err(PlaybookError::Invalid { .. })));
}

#[test]
fn user_folder_overrides_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let text = "detector = \"api-burst\"\ntitle = \"Ours\"\nwhy = \"local\"\n[[investigate]]\nid = \"look\"\ntext = \"Look.\"\npivot = \"burst\"\n";
    std::fs::write(dir.path().join("api-burst.toml"), text).unwrap();
    let pb = load("api-burst", Some(dir.path())).unwrap();
    assert_eq!(pb.title, "Ours");
    assert_eq!(pb.len(), 1);
    // Others fall back to the built-in playbook.
    assert_eq!(load("rare-process", Some(dir.path())).unwrap(), builtin("rare-process").unwrap());
    // A broken override is an error, not a silent fallback.
    std::fs::write(dir.path().join("bucket-created.toml"), "title = ").unwrap();
    assert!(matches!(load("bucket-created", Some(dir.path())), Err(PlaybookError::Parse { .. })));
    // Names that would leave the folder are refused.
    assert!(matches!(load("../api-burst", Some(dir.path())), Err(PlaybookError::Unknown(_))));
    assert!(matches!(load("nope", Some(dir.path())), Err(PlaybookError::Unknown(_))));
}
