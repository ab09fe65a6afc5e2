//! Who was granted access, as the investigator shows it: a key shared with an account outside the
//! organisation is named in the KMS alert's facts, on the timeline row and in the checklist's
//! access step (snapshots at 120×35).

mod tui_fixture;
mod tui_support;

use crossterm::event::KeyCode;
use serde_json::json;
use std::sync::Arc;
use trailwatch::ingest::{self, Input, LoadOptions};
use trailwatch::tui::App;
use trailwatch::tui::screens::ScreenKind;
use tui_fixture::{gcp, ts};
use tui_support::*;

const KEY: &str = "projects/p1/locations/global/keyRings/ring/cryptoKeys/export-key";
const DANA: &str = "dana@example.com";

/// A week of routine storage reads, a key created, then shared with a gmail account.
fn lines() -> String {
    let kms = "cloudkms.googleapis.com";
    let mut v: Vec<String> = (1..=6)
        .map(|d| {
            gcp(
                &ts(d, 9, 0),
                DANA,
                "storage.googleapis.com",
                "storage.objects.list",
                "projects/_/buckets/b",
                "10.0.0.1",
                0,
            )
        })
        .collect();
    v.push(gcp(
        &ts(7, 2, 10),
        DANA,
        kms,
        "google.cloud.kms.v1.KeyManagementService.CreateCryptoKey",
        KEY,
        "10.0.0.1",
        0,
    ));
    let mut share: serde_json::Value =
        serde_json::from_str(&gcp(&ts(7, 2, 40), DANA, kms, "SetIamPolicy", KEY, "10.0.0.1", 0)).unwrap();
    share["protoPayload"]["serviceData"] = json!({
        "@type": "type.googleapis.com/google.iam.v1.logging.AuditData",
        "policyDelta": {"bindingDeltas": [
            {"action": "ADD", "role": "roles/cloudkms.cryptoKeyDecrypter", "member": "user:archive-7731@gmail.com"}
        ]}
    });
    v.push(share.to_string());
    v.join("\n")
}

fn app() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let input = Input::Memory { name: "shared-key.json".into(), bytes: lines().into_bytes().into() };
    let (store, report) = ingest::load(&[input], &LoadOptions::default());
    let now = store.span().unwrap().1;
    let alerts = trailwatch::detect::run(&store, &config(), now);
    let mut app = App::new(Arc::new(store), report, alerts, options(dir.path()), now);
    app.resize(120, 35);
    app.press(key('i'));
    (app, dir)
}

fn open_kms(app: &mut App) {
    for _ in 0..20 {
        let Some(trailwatch::tui::screens::Screen::Alerts(q)) = app.top() else { panic!("not on the queue") };
        if app.context().alerts[q.selected().unwrap()].detector == "kms-key-created" {
            app.press(code(KeyCode::Enter));
            return;
        }
        app.press(key('j'));
    }
    panic!("no kms-key-created alert");
}

#[test]
fn the_kms_detail_names_who_was_granted_the_key() {
    let (mut app, _d) = app();
    open_kms(&mut app);
    assert_eq!(app.screen(), ScreenKind::Detail);
    let screen = render(&mut app, 120, 35);
    let shown = text(&screen);
    assert!(shown.contains("user:archive-7731@gmail.com"), "{shown}");
    assert!(shown.contains("OUTSIDE the organisation"), "{shown}");
    insta::assert_snapshot!(screen.backend());
    // At 80×24 the facts scroll: the grant is a few lines down the summary.
    app.press(code(KeyCode::BackTab));
    for _ in 0..60 {
        if text(&render(&mut app, 80, 24)).contains("user:archive-7731@gmail.com") {
            break;
        }
        app.press(code(KeyCode::Down));
    }
    assert!(text(&render(&mut app, 80, 24)).contains("user:archive-7731@gmail.com"));
    insta::assert_snapshot!("kms_detail_grants_80x24", render(&mut app, 80, 24).backend());
}

#[test]
fn the_timeline_row_of_the_share_names_member_and_reach() {
    let (mut app, _d) = app();
    open_kms(&mut app);
    app.press(key('t'));
    assert_eq!(app.screen(), ScreenKind::Timeline);
    let screen = render(&mut app, 120, 35);
    let shown = text(&screen);
    assert!(shown.contains("+user:archive-7731@gmail.com"), "{shown}");
    insta::assert_snapshot!(screen.backend());
}

#[test]
fn the_alert_raises_severity_and_the_share_is_a_sensitive_operation() {
    let (app, _d) = app();
    let cx = app.context();
    let kms = cx.alerts.iter().find(|a| a.detector == "kms-key-created").unwrap();
    assert!(kms.severity_reasons.iter().any(|r| r.contains("outside the organisation: user:archive-7731@gmail.com")));
    assert_eq!(kms.enrichment["grants"][0]["reach"], "outside");
    assert_eq!(kms.enrichment["grants"][0]["access"], "roles/cloudkms.cryptoKeyDecrypter");
    let share = cx.alerts.iter().find(|a| a.detector == "sensitive-operation").unwrap();
    assert!(share.severity >= trailwatch::detect::Severity::Medium, "{:?}", share.severity);
}

#[test]
fn the_checklist_access_step_names_the_outside_member() {
    let (app, _d) = app();
    let cx = app.context();
    let kms = cx.alerts.iter().find(|a| a.detector == "kms-key-created").unwrap();
    let book = trailwatch::playbook::builtin("kms-key-created").unwrap();
    let step = book.investigate.iter().find(|s| s.id == "access").unwrap();
    let answer = trailwatch::playbook::answer(step, kms, &cx.store);
    assert!(answer.summary.starts_with("1 IAM change by dana@example.com: SetIamPolicy"), "{}", answer.summary);
    assert!(
        answer.summary.contains(
            "1 opened outside the organisation or to everyone: granted roles/cloudkms.cryptoKeyDecrypter to user:archive-7731@gmail.com (OUTSIDE the organisation)"
        ),
        "{}",
        answer.summary
    );
    assert_eq!(answer.events.len(), 1);
}
