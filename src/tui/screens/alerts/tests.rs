//! Update tests of the alerts screen: actions sent to its state over the crafted fixture,
//! with state and effects asserted; no terminal.

use super::*;
use crate::tui::testkit::{code, ctx, fixture, key};
use crossterm::event::KeyCode;

/// The queue over every alert (the flat list: filters and keys act on single alerts).
fn queue() -> (QueueState, Ctx) {
    let mut cx = ctx();
    let mut q = QueueState::new(&cx);
    assert_eq!(q.grouping, Grouping::Incidents, "incidents by default");
    q.update(Action::ToggleGrouping, &mut cx);
    (q, cx)
}

#[test]
fn incidents_list_open_into_their_story_and_share_a_status() {
    let mut cx = ctx();
    let mut q = QueueState::new(&cx);
    assert_eq!(q.rows.len(), cx.incidents.len(), "one row per incident");
    assert!(cx.incidents.len() < cx.alerts.len());
    let pos =
        q.rows.iter().position(|&a| cx.incidents[cx.incident_of[a]].alerts.len() > 1).expect("a grouped incident");
    q.cursor.select(pos);
    let k = cx.incident_of[q.selected().unwrap()];
    // Enter opens the incident: its alerts, earliest first.
    assert_eq!(q.update(Action::OpenDetail, &mut cx), None);
    assert_eq!(q.grouping, Grouping::Incident(k));
    assert_eq!(q.rows.len(), cx.incidents[k].alerts.len());
    assert!(q.rows.windows(2).all(|w| cx.alerts[w[0]].time <= cx.alerts[w[1]].time));
    // Enter on one of them opens its detail; Esc goes back to the incident list, same row.
    assert!(matches!(q.update(Action::OpenDetail, &mut cx), Some(Effect::Open(Open::Detail { .. }))));
    assert_eq!(q.action(&code(KeyCode::Esc)), Some(Action::CloseIncident));
    q.update(Action::CloseIncident, &mut cx);
    assert_eq!((q.grouping, q.cursor.sel), (Grouping::Incidents, pos));
    // A status on the incident list is every alert's of the incident, undone as one.
    let Some(Effect::SaveCases { alerts }) = q.update(Action::SetStatus(Status::Investigating), &mut cx) else {
        panic!("the incident's cases are saved")
    };
    assert_eq!(alerts.len(), cx.incidents[k].alerts.len());
    assert!(cx.incidents[k].alerts.iter().all(|&a| cx.cases.status(a) == Status::Investigating));
    q.update(Action::UndoStatus, &mut cx);
    assert!(cx.incidents[k].alerts.iter().all(|&a| cx.cases.status(a) == Status::New));
    // `i` toggles the flat list.
    assert_eq!(q.action(&key('i')), Some(Action::ToggleGrouping));
    q.update(Action::ToggleGrouping, &mut cx);
    assert_eq!(q.rows.len(), cx.alerts.len());
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
fn status_keys_are_the_digits_and_a_change_can_be_undone() {
    let (mut q, mut cx) = queue();
    let a = q.selected().unwrap();
    assert_eq!(q.action(&key('m')), None, "a stray m changes nothing");
    assert_eq!(q.action(&key('3')), Some(Action::SetStatus(Status::Resolved)));
    assert_eq!(q.update(Action::SetStatus(Status::Investigating), &mut cx), Some(Effect::SaveCase { alert: a }));
    let note = cx.cases.take_note().expect("a status change says so");
    assert!(note.contains("new → investigating") && note.contains("u undoes"), "{note}");
    assert_eq!(q.update(Action::SetStatus(Status::Resolved), &mut cx), Some(Effect::SaveCase { alert: a }));
    assert_eq!(q.action(&key('u')), Some(Action::UndoStatus));
    assert_eq!(q.update(Action::UndoStatus, &mut cx), Some(Effect::SaveCases { alerts: vec![a] }));
    assert_eq!(cx.cases.status(a), Status::Investigating, "back to the status before the last change");
    assert!(cx.cases.take_note().unwrap().starts_with("undone:"));
    assert_eq!(q.update(Action::UndoStatus, &mut cx), None, "one step of undo");
    assert_eq!(cx.cases.take_note().as_deref(), Some("no status change to undo"));
}

#[test]
fn search_is_substring_by_default_and_covers_operations_and_addresses() {
    let (mut q, mut cx) = queue();
    let trigger_op = |cx: &Ctx, i: usize| cx.s(cx.event(cx.alerts[i].trigger()).unwrap().operation).to_string();
    // An operation only found on the trigger event, not in the alert's text.
    let (i, op) = (0..cx.alerts.len())
        .map(|i| (i, trigger_op(&cx, i)))
        .find(|(i, op)| {
            !op.is_empty() && !cx.alerts[*i].summary.contains(op.as_str()) && !cx.alerts[*i].title.contains(op.as_str())
        })
        .expect("an alert whose summary does not name its operation");
    q.update(Action::StartSearch, &mut cx);
    for c in op.chars() {
        q.update(Action::Edit(Edit::Insert(c)), &mut cx);
    }
    assert!(q.rows.contains(&i), "{op} finds its alert");
    // Substring: a scattered match of the same letters does not count, the fuzzy prefix does.
    q.update(Action::ClearSearch, &mut cx);
    q.update(Action::StartSearch, &mut cx);
    for c in "aie".chars() {
        q.update(Action::Edit(Edit::Insert(c)), &mut cx);
    }
    let substring = q.rows.len();
    q.update(Action::Edit(Edit::Clear), &mut cx);
    for c in "~aie".chars() {
        q.update(Action::Edit(Edit::Insert(c)), &mut cx);
    }
    assert!(q.rows.len() > substring, "~aie is fuzzy and matches more ({} vs {substring})", q.rows.len());
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
    assert_eq!(q.update(Action::Export, &mut cx), Some(Effect::Open(Open::Export { alert: a, incident: false })));
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

#[test]
fn an_empty_load_says_no_events() {
    let (store, report) = crate::ingest::load(&[], &crate::ingest::LoadOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let mut app = crate::tui::App::new(
        std::sync::Arc::new(store),
        report,
        Vec::new(),
        crate::tui::testkit::options(dir.path()),
        0,
    );
    app.resize(100, 30);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| app.draw(f)).unwrap();
    let screen: String = terminal.backend().buffer().content().iter().map(|c| c.symbol()).collect();
    assert!(screen.contains("No events: nothing was loaded"), "{screen}");
    assert!(!screen.contains("1970"), "{screen}");
}
