//! Update tests of the alerts screen: actions sent to its state over the crafted fixture,
//! with state and effects asserted; no terminal.

use super::*;
use crate::tui::testkit::{code, ctx, fixture, key};
use crossterm::event::KeyCode;

fn queue() -> (QueueState, Ctx) {
    let cx = ctx();
    (QueueState::new(&cx), cx)
}

#[test]
fn fixture_raises_every_kind_of_alert() {
    let cx = ctx();
    let mut detectors: Vec<&str> = cx.alerts.iter().map(|a| a.detector).collect();
    detectors.sort();
    detectors.dedup();
    assert_eq!(
        detectors,
        vec![
            "bucket-created",
            "kms-key-created",
            "new-api-call",
            "new-resource-access",
            "rare-process",
            "sensitive-operation"
        ]
    );
    assert!(cx.alerts.iter().any(|a| a.principal == fixture::HOSTILE_PRINCIPAL));
    assert_eq!(cx.report.skipped, 1);
}

#[test]
fn sorts_by_severity_then_time() {
    let (mut q, mut cx) = queue();
    assert_eq!(q.rows.len(), cx.alerts.len());
    let sev: Vec<_> = q.rows.iter().map(|&i| cx.alerts[i].severity).collect();
    assert!(sev.windows(2).all(|w| w[0] >= w[1]), "{sev:?}");
    q.update(Action::ToggleSort, &mut cx);
    assert_eq!(q.sort, Sort::Time);
    let times: Vec<_> = q.rows.iter().map(|&i| cx.alerts[i].time).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn filters_by_severity_detector_and_status() {
    let (mut q, mut cx) = queue();
    q.update(Action::CycleSeverity, &mut cx);
    assert_eq!(q.min_severity, Severity::Medium);
    assert!(q.rows.iter().all(|&i| cx.alerts[i].severity >= Severity::Medium));
    for _ in 0..3 {
        q.update(Action::CycleSeverity, &mut cx);
    }
    assert_eq!(q.min_severity, Severity::Low);
    assert_eq!(q.rows.len(), cx.alerts.len());

    q.update(Action::CycleDetector, &mut cx);
    assert_eq!(q.detector, Some("new-api-call"));
    assert!(q.rows.iter().all(|&i| cx.alerts[i].detector == "new-api-call"));
    for _ in 0..6 {
        q.update(Action::CycleDetector, &mut cx);
    }
    assert_eq!(q.detector, None, "six detectors present, then all again");

    let first = q.selected().unwrap();
    assert_eq!(q.update(Action::SetStatus(Status::Resolved), &mut cx), Some(Effect::SaveCase { alert: first }));
    assert_eq!(q.update(Action::SetStatus(Status::Resolved), &mut cx), None, "unchanged: nothing to save");
    assert_eq!(cx.cases.status(first), Status::Resolved);
    q.update(Action::CycleStatusFilter, &mut cx);
    assert_eq!(q.status, Some(Status::New));
    assert!(!q.rows.contains(&first));
    q.update(Action::CycleStatusFilter, &mut cx);
    q.update(Action::CycleStatusFilter, &mut cx);
    assert_eq!(q.status, Some(Status::Resolved));
    assert_eq!(q.rows, vec![first]);
}

#[test]
fn cycles_an_alerts_status() {
    let (mut q, mut cx) = queue();
    let a = q.selected().unwrap();
    for want in [Status::Investigating, Status::Resolved, Status::FalsePositive, Status::New] {
        assert_eq!(q.update(Action::CycleStatus, &mut cx), Some(Effect::SaveCase { alert: a }));
        assert_eq!(cx.cases.status(a), want);
    }
}

#[test]
fn fuzzy_search_filters_and_keeps_typing_keys() {
    let (mut q, mut cx) = queue();
    q.update(Action::StartSearch, &mut cx);
    assert_eq!(q.action(&key('q')), Some(Action::Edit(Edit::Insert('q'))), "q types while searching");
    for c in "mallory".chars() {
        q.update(Action::Edit(Edit::Insert(c)), &mut cx);
    }
    assert!(q.rows.len() < cx.alerts.len());
    assert!(q.rows[..2].iter().all(|&i| cx.alerts[i].principal == fixture::HOSTILE_PRINCIPAL), "best matches first");
    assert_eq!(q.cursor.sel, 0, "the selection follows the best match");
    q.update(Action::Edit(Edit::Submit), &mut cx);
    assert!(!q.search.editing);
    assert_eq!(q.action(&code(KeyCode::Esc)), Some(Action::ClearSearch), "Esc clears a search first");
    q.update(Action::ClearSearch, &mut cx);
    assert_eq!(q.rows.len(), cx.alerts.len());
    q.update(Action::StartSearch, &mut cx);
    q.update(Action::Edit(Edit::Insert('z')), &mut cx);
    q.update(Action::Edit(Edit::Cancel), &mut cx);
    assert_eq!((q.search.text.as_str(), q.rows.len()), ("", cx.alerts.len()));
}

#[test]
fn drills_into_the_selected_alert() {
    let (mut q, mut cx) = queue();
    q.update(Action::Nav(Nav::Down), &mut cx);
    let a = q.selected().unwrap();
    assert_eq!(q.update(Action::OpenDetail, &mut cx), Some(Effect::Open(Open::Detail { alert: a })));
    assert_eq!(q.update(Action::OpenActivity, &mut cx), Some(Effect::Open(Open::Activity { alert: a })));
    assert_eq!(q.update(Action::OpenChecklist, &mut cx), Some(Effect::Open(Open::Checklist { alert: a })));
    assert_eq!(q.update(Action::Export, &mut cx), Some(Effect::Open(Open::Export { alert: a })));
    let trigger = cx.alerts[a].trigger();
    let p = cx.store.events()[trigger as usize].principal;
    assert_eq!(
        q.update(Action::OpenTimeline, &mut cx),
        Some(Effect::Open(Open::Timeline { alert: a, subject: Subject::Principal(p), at: At::Event(trigger) }))
    );
}

#[test]
fn keys_map_to_actions() {
    let (q, _cx) = queue();
    assert_eq!(q.action(&key('t')), Some(Action::OpenTimeline));
    assert_eq!(q.action(&key('3')), Some(Action::SetStatus(Status::Resolved)));
    assert_eq!(q.action(&key('G')), Some(Action::Nav(Nav::Bottom)));
    assert_eq!(q.action(&code(KeyCode::Enter)), Some(Action::OpenDetail));
    assert_eq!(q.action(&key('q')), None, "quitting is global");
}

#[test]
fn skipped_records_panel_opens_and_closes() {
    let (mut q, mut cx) = queue();
    q.update(Action::ToggleSkips, &mut cx);
    assert!(q.show_skips);
    assert_eq!(q.action(&code(KeyCode::Esc)), Some(Action::ToggleSkips), "Esc closes the panel");
    q.update(Action::ToggleSkips, &mut cx);
    assert!(!q.show_skips);
    cx.report.skips.clear();
    q.update(Action::ToggleSkips, &mut cx);
    assert!(!q.show_skips, "nothing to list");
}
