//! The embedded demo: it is exactly what the generator writes, every planted incident is
//! detected, no look-alike is, and the generator's output reads back with nothing skipped.

mod common;
use trailwatch::detect::{self, Alert, Config};
use trailwatch::generate::{self, GenerateConfig, PlantedIncident};
use trailwatch::ingest::{self, Input, LoadOptions};
use trailwatch::time::HOUR_US;

fn matches(a: &Alert, inc: &PlantedIncident) -> bool {
    let key_hit = a.key.iter().any(|(_, v)| {
        v == &inc.key
            || v.ends_with(&format!("/{}", inc.key))
            || v.ends_with(&format!(":{}", inc.key))
            || v.eq_ignore_ascii_case(&inc.key)
    });
    // A burst's alert starts with the window that crossed the threshold, which may open with a
    // routine call just before the planted run.
    let burst =
        a.detector == "api-burst" || a.enrichment["catalogue_entry"].as_str().is_some_and(|e| e.ends_with("-reads"));
    let time_hit = if burst { (a.time - inc.time).abs() < HOUR_US } else { a.time == inc.time };
    a.detector == inc.detector && a.principal == inc.principal && key_hit && time_hit
}

fn demo_alerts() -> (Vec<Alert>, ingest::LoadReport) {
    let inputs = trailwatch::demo::inputs().unwrap();
    let (store, report) = ingest::load(&inputs, &LoadOptions::default());
    (detect::run(&store, &Config::default(), trailwatch::time::wall_now_us()), report)
}

#[test]
fn every_planted_incident_is_detected_and_nothing_else() {
    let (alerts, report) = demo_alerts();
    assert_eq!(report.skipped, 0, "{:?}", report.skips);
    assert_eq!(report.ignored_total(), 0);
    let expected = generate::expected_alerts(&trailwatch::demo::config());
    for inc in &expected {
        assert!(alerts.iter().any(|a| matches(a, inc)), "not detected: {inc:?}");
    }
    for a in &alerts {
        assert!(
            expected.iter().any(|inc| matches(a, inc)),
            "unexpected alert: {} {} {}",
            a.detector,
            a.principal,
            a.summary
        );
    }
    assert_eq!(alerts.len(), expected.len());
    // The headline story is the most severe alert.
    let dana =
        alerts.iter().find(|a| a.detector == "kms-key-created" && a.principal.starts_with("dana.whitfield")).unwrap();
    assert_eq!(dana.severity, trailwatch::detect::Severity::Critical);
    assert_eq!(dana.enrichment["iam_changes"].as_array().unwrap().len(), 1);
    assert!(dana.enrichment["use"]["count"].as_u64().unwrap() >= 8);
}

#[test]
fn every_detector_flags_off_hours_the_same_way() {
    let (alerts, _) = demo_alerts();
    let hours = Config::default().hours;
    let mut flagged = std::collections::BTreeSet::new();
    for a in &alerts {
        let off = hours.off_hours(a.time);
        assert_eq!(a.enrichment["off_hours"], off, "{} {}", a.detector, a.id);
        let when = a.facts.iter().find(|(k, _)| k == "when").map(|(_, v)| v.as_str()).unwrap_or("");
        assert_eq!(when.contains("outside business hours"), off, "{} {}: {when}", a.detector, a.id);
        if off {
            flagged.insert(a.detector);
        }
    }
    // The planted night-time stories cover the first-seen, key, burst and catalogue detectors.
    for d in ["new-api-call", "kms-key-created", "api-burst", "sensitive-operation"] {
        assert!(flagged.contains(d), "{d} flagged nothing off-hours: {flagged:?}");
    }
}

#[test]
fn no_lookalike_fires() {
    let (alerts, _) = demo_alerts();
    let lookalikes = generate::planned_lookalikes(&trailwatch::demo::config());
    assert!(!lookalikes.is_empty());
    for l in &lookalikes {
        let fired: Vec<&Alert> = alerts
            .iter()
            .filter(|a| {
                a.detector == l.detector
                    && a.key.iter().any(|(_, v)| v.eq_ignore_ascii_case(&l.key) || v.contains(&l.key))
            })
            .collect();
        assert!(
            fired.is_empty(),
            "look-alike fired: {l:?} → {:?}",
            fired.iter().map(|a| &a.summary).collect::<Vec<_>>()
        );
    }
}

#[test]
fn embedded_archive_is_what_the_generator_writes() {
    let fresh = trailwatch::demo::rebuild().unwrap();
    assert!(
        fresh == trailwatch::demo::ARCHIVE,
        "assets/demo/trailwatch-demo.tar.gz is stale: run `cargo run --release -- demo --rebuild-asset assets/demo/trailwatch-demo.tar.gz`"
    );
    assert!(trailwatch::demo::ARCHIVE.len() < 5_000_000, "the demo stays a few MB");
}

#[test]
fn demo_write_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let n = trailwatch::demo::write(dir.path()).unwrap();
    assert!(n > 100);
    let (store, report) = ingest::load(&[Input::Path(dir.path().to_path_buf())], &LoadOptions::default());
    assert_eq!(report.skipped, 0);
    assert_eq!(report.files as usize, n);
    assert!(store.len() > 40_000);
}

#[test]
fn generated_gzip_and_small_configs_read_back_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenerateConfig { events: 8_000, days: 14, seed: 3, gzip: true, ..GenerateConfig::default() };
    let summary = generate::generate(&cfg, dir.path()).unwrap();
    let (store, report) = ingest::load(&[Input::Path(dir.path().to_path_buf())], &LoadOptions::default());
    assert_eq!(report.skipped, 0, "{:?}", report.skips.first());
    assert_eq!(store.len() as u64, summary.events);
    let alerts = detect::run(&store, &Config::default(), trailwatch::time::wall_now_us());
    for inc in generate::planned_incidents(&cfg) {
        assert!(alerts.iter().any(|a| matches(a, &inc)), "not detected at 8k events: {inc:?}");
    }
}

#[test]
fn the_report_of_every_demo_alert_holds_what_it_promises() {
    use trailwatch::report::{self, Format, ReportContext};
    let inputs = trailwatch::demo::inputs().unwrap();
    let (store, _) = ingest::load(&inputs, &LoadOptions::default());
    let cfg = Config::default();
    let alerts = detect::run(&store, &cfg, trailwatch::time::wall_now_us());
    let ctx = ReportContext {
        detect_settings: cfg.describe(&store, trailwatch::time::wall_now_us()),
        ..ReportContext::default()
    };
    let reports = report::build_all(&store, &alerts, &ctx, None, None).unwrap();
    assert_eq!(reports.len(), alerts.len());
    for (r, a) in reports.iter().zip(&alerts) {
        let pb = trailwatch::playbook::builtin(a.detector).unwrap();
        assert_eq!(r.steps.len(), pb.investigate.len() + pb.resolve.len(), "{}", a.id);
        let json = report::to_json(r);
        assert_eq!(json["alert"]["id"], a.id.as_str());
        assert!(
            json["timeline"].to_string().contains(&trailwatch::time::format_rfc3339(a.time)),
            "{}: trigger in timeline",
            a.id
        );
        assert_eq!(json["activity"].as_array().unwrap().len(), 30, "{}", a.id);
        assert!(!json["files"].as_array().unwrap().is_empty());
        let mut md = Vec::new();
        report::render(r, Format::Md, &mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(md.contains(&a.id) && md.contains(&a.title), "{}", a.id);
        assert!(md.contains("detection from"), "{}: detector settings", a.id);
        assert!(md.contains(report::VERSION));
        let mut html = Vec::new();
        report::render(r, Format::Html, &mut html).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(!html.contains("<script"), "{}", a.id);
    }
}

#[test]
fn the_demo_alerts_tell_a_dozen_stories_at_most() {
    let (mut alerts, _) = demo_alerts();
    let incidents = trailwatch::incident::group(&mut alerts, Config::default().incident_window);
    assert!(
        incidents.len() <= 12 && incidents.len() < alerts.len() / 2,
        "{} incidents of {} alerts",
        incidents.len(),
        alerts.len()
    );
    // Each planted story's alerts stay together: one incident per principal's story.
    let kms = alerts
        .iter()
        .filter(|a| a.detector == "kms-key-created" && a.severity == trailwatch::detect::Severity::Critical);
    for a in kms {
        let inc = incidents.iter().find(|i| Some(&i.id) == a.incident.as_ref()).unwrap();
        assert!(inc.alerts.len() > 1, "the key creation comes with the calls around it");
        assert_eq!(inc.severity, trailwatch::detect::Severity::Critical);
    }
}

/// Months the detectors were not tuned on (other seeds, more principals and volume): every planted
/// story is still found, and no look-alike (routine admin work made to resemble an attack) or
/// other routine activity raises an alert.
#[test]
fn held_out_generated_months_keep_full_recall_and_no_lookalike() {
    for (seed, principals, events) in [(3, 40, 80_000), (29, 60, 120_000)] {
        let cfg = GenerateConfig { seed, principals, events, ..trailwatch::demo::config() };
        let dir = tempfile::tempdir().unwrap();
        generate::generate(&cfg, dir.path()).unwrap();
        let (store, report) = ingest::load(&[Input::Path(dir.path().to_path_buf())], &LoadOptions::default());
        assert_eq!(report.skipped, 0, "seed {seed}: {:?}", report.skips);
        let alerts = detect::run(&store, &Config::default(), trailwatch::time::wall_now_us());
        let expected = generate::expected_alerts(&cfg);
        for inc in &expected {
            assert!(alerts.iter().any(|a| matches(a, inc)), "seed {seed}: not detected: {inc:?}");
        }
        let unexpected: Vec<String> = alerts
            .iter()
            .filter(|a| !expected.iter().any(|inc| matches(a, inc)))
            .map(|a| format!("{} {:?} {} {}", a.detector, a.severity, a.principal, a.summary))
            .collect();
        assert!(unexpected.is_empty(), "seed {seed}: alerts on no planted story: {unexpected:#?}");
    }
}
