//! Update tests of the detail screen: actions sent to its state over the crafted fixture,
//! with state and effects asserted; no terminal.

use super::*;
use crate::tui::testkit::{alert_of, area, ctx};

#[test]
fn summary_has_every_section() {
    let cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let d = DetailState::new(&cx, a, area());
    let text: Vec<String> = d.lines.iter().map(|l| l.to_string()).collect();
    for section in
        ["WHAT HAPPENED", "WHY IT MATTERS", "KEY FACTS", "SEVERITY: HIGH", "WHAT WAS NEW", "ENRICHMENT", "MITRE ATT&CK"]
    {
        assert!(text.iter().any(|t| t == section), "missing {section}");
    }
    assert!(
        text.iter().any(|t| t.contains("203.0.113.9 (new for the principal")),
        "source IPs rendered readably: {text:#?}"
    );
    assert!(text.iter().all(|t| t.chars().count() <= 55), "wrapped to the pane");
}

#[test]
fn focus_cycles_and_nav_follows_focus() {
    let mut cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let mut d = DetailState::new(&cx, a, area());
    assert_eq!(d.focus, Pane::Evidence);
    d.update(Action::Nav(Nav::Down), &mut cx);
    assert_eq!(d.evidence.sel, 1);
    d.update(Action::FocusNext, &mut cx);
    assert_eq!(d.focus, Pane::Raw);
    d.update(Action::FocusNext, &mut cx);
    d.update(Action::Nav(Nav::PageDown), &mut cx);
    assert_eq!(d.focus, Pane::Summary);
    assert!(d.summary.top > 0);
    assert_eq!(d.evidence.sel, 1);
    d.update(Action::FocusPrev, &mut cx);
    assert_eq!(d.focus, Pane::Raw);
}

#[test]
fn enter_opens_the_timeline_at_the_selected_evidence() {
    let mut cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let mut d = DetailState::new(&cx, a, area());
    d.update(Action::Nav(Nav::Bottom), &mut cx);
    let ev = cx.alerts[a].evidence.last().unwrap().event;
    let p = cx.alert_principal(a).unwrap();
    assert_eq!(
        d.update(Action::OpenEvidence, &mut cx),
        Some(Effect::Open(Open::Timeline { alert: a, subject: Subject::Principal(p), at: At::Event(ev) }))
    );
    assert_eq!(d.selected_event(&cx), Some(ev));
}

#[test]
fn status_keys_save_the_case() {
    let mut cx = ctx();
    let mut d = DetailState::new(&cx, 0, area());
    assert_eq!(d.update(Action::SetStatus(Status::Investigating), &mut cx), Some(Effect::SaveCase { alert: 0 }));
    assert_eq!(cx.cases.status(0), Status::Investigating);
}
