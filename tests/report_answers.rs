//! `playbook::answer` on real alerts from crafted logs: each pivot's one-line finding and the
//! events it points at.

mod report_support;

use report_support::*;
use trailwatch::detect::Alert;
use trailwatch::playbook::{self, Step, StepAnswer};

fn ask(s: &Scenario, alert: &Alert, pivot: &str) -> StepAnswer {
    let step = Step { id: "x".into(), text: "x".into(), pivot: Some(pivot.into()) };
    playbook::answer(&step, alert, &s.store)
}

fn times(s: &Scenario, a: &StepAnswer) -> Vec<String> {
    a.events.iter().map(|&i| trailwatch::time::format_rfc3339(s.store.events()[i as usize].time)).collect()
}

#[test]
fn kms_pivots() {
    let s = scenario();
    let kms = s.alert("kms-key-created", "key1");

    let t = ask(&s, kms, "trigger");
    assert!(t.summary.starts_with("google.cloud.kms.v1.KeyManagementService.CreateCryptoKey (cloudkms.googleapis.com) by alice@example.com at 2024-03-11T02:30:00Z"), "{}", t.summary);
    assert!(t.summary.ends_with("from 203.0.113.9, succeeded, outside business hours"), "{}", t.summary);
    assert_eq!(t.events, vec![kms.trigger()]);

    let u = ask(&s, kms, "key-use");
    assert_eq!(u.summary, "2 uses by 1 principal (bob@example.com), from 198.51.100.7 (new)");
    assert_eq!(times(&s, &u), ["2024-03-11T03:00:00Z", "2024-03-11T03:10:00Z"]);

    let o = ask(&s, kms, "other-keys");
    assert_eq!(o.summary, format!("1 other key created by the same principal within 24 h: {KEY2}"));
    let i = ask(&s, kms, "iam-changes");
    assert_eq!(i.summary, "1 IAM change by alice@example.com: google.cloud.kms.v1.KeyManagementService.SetIamPolicy");
    assert_eq!(times(&s, &i), ["2024-03-11T02:40:00Z"]);
    let r = ask(&s, kms, "rotation");
    assert!(r.summary.starts_with("none: the request sets no rotation"), "{}", r.summary);
    assert!(r.events.is_empty());

    let ips = ask(&s, kms, "source-ips");
    assert_eq!(
        ips.summary,
        "2 addresses, 2 new to the principal: 203.0.113.9 (new, creation + IAM change), 198.51.100.7 (new, key use)"
    );
    assert_eq!(ips.events.len(), 2);

    let tl = ask(&s, kms, "timeline");
    assert!(
        tl.summary.starts_with("4 events by the principal within ±1 h (0 before, 4 from the alert on)"),
        "{}",
        tl.summary
    );
    assert!(tl.events.contains(&kms.trigger()));

    let act = ask(&s, kms, "activity");
    assert!(act.summary.starts_with("active on 11 of 30 days (14 events, 3 distinct operations)"), "{}", act.summary);
    assert!(act.summary.contains("on the alert day 4 events, 3 distinct, 2 new"), "{}", act.summary);
    assert_eq!(times(&s, &act), ["2024-03-11T02:30:00Z", "2024-03-11T02:40:00Z"], "first use of each new operation");

    let b = ask(&s, kms, "baseline");
    assert_eq!(Some(&b.summary), kms.facts.iter().find(|(k, _)| k == "baseline").map(|(_, v)| v));
}

#[test]
fn bucket_and_first_seen_pivots() {
    let s = scenario();
    let bucket = s.alert("bucket-created", "exfil");
    let t = ask(&s, bucket, "trigger");
    assert!(t.summary.ends_with("; no public access requested"), "{}", t.summary);
    let later = ask(&s, bucket, "bucket-activity");
    assert_eq!(later.summary, format!("1 later event by {EVIL_ARN}: PutObject"));
    assert_eq!(later.events.len(), 1);

    let api = s
        .alerts
        .iter()
        .find(|a| a.detector == "new-api-call" && a.principal == BOB)
        .expect("bob's first Encrypt is a new API call");
    let rep = ask(&s, api, "repeat");
    assert_eq!(rep.summary, "repeated 1 time after the first, last at 2024-03-11T03:10:00Z");
    let ips = ask(&s, api, "source-ips");
    assert_eq!(ips.summary, "1 address, 1 new to the principal: 198.51.100.7 (new)");
    let none = ask(&s, bucket, "later-runs");
    assert_eq!(none.summary, "no run after the first");
}

#[test]
fn rare_process_pivots() {
    let s = scenario();
    let alert = s
        .alerts
        .iter()
        .find(|a| a.detector == "rare-process" && a.key.iter().any(|(k, v)| k == "computer" && v == "HOST-A"))
        .expect("evil.exe on HOST-A");
    let hosts = ask(&s, alert, "hosts");
    assert_eq!(
        hosts.summary,
        "runs on 2 hosts: HOST-A (2 runs, first 2024-03-11T14:00:00Z), HOST-B (1 run, first 2024-03-11T16:00:00Z)"
    );
    assert_eq!(times(&s, &hosts), ["2024-03-11T14:00:00Z", "2024-03-11T16:00:00Z"]);
    let runs = ask(&s, alert, "later-runs");
    assert_eq!(runs.summary, "1 run after the first, last at 2024-03-11T15:00:00Z");
    let ips = ask(&s, alert, "source-ips");
    assert_eq!(ips.summary, "no source address in the evidence");
    let t = ask(&s, alert, "trigger");
    assert!(t.summary.contains("on computer HOST-A"), "{}", t.summary);
    // A cloud alert names no process.
    assert_eq!(ask(&s, s.alert("kms-key-created", "key1"), "hosts").summary, "this alert names no process");
}

#[test]
fn every_step_of_every_alert_is_answered() {
    let s = scenario();
    for alert in &s.alerts {
        let pb = playbook::builtin(alert.detector).unwrap();
        for step in pb.steps() {
            let a = playbook::answer(step, alert, &s.store);
            match &step.pivot {
                None => assert_eq!(a, StepAnswer::default()),
                Some(p) => {
                    assert!(!a.summary.is_empty(), "{} {}: empty answer", alert.detector, p);
                    assert!(!a.summary.starts_with("unknown pivot"), "{p}");
                    assert!(a.events.iter().all(|&i| (i as usize) < s.store.len()));
                    assert!(a.events.windows(2).all(|w| w[0] <= w[1]), "{p}: events in time order");
                }
            }
        }
    }
    let odd = Step { id: "x".into(), text: "x".into(), pivot: Some("nonsense".into()) };
    assert_eq!(playbook::answer(&odd, &s.alerts[0], &s.store).summary, "unknown pivot \"nonsense\"");
}
