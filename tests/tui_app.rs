//! The TUI driven through its contract keys without a terminal: navigation through every screen
//! and back, hostile log text on every screen, report export, cases saved and read back, a
//! failing case folder, key releases and the mouse wheel, and the keystroke benchmark helper.

mod tui_fixture;
mod tui_support;

use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use std::sync::Arc;
use trailwatch::case::Status;
use trailwatch::tui::screens::{Screen, ScreenKind};
use trailwatch::tui::{App, Effect, bench_keystroke};
use tui_support::*;

fn selected(app: &App) -> usize {
    let Some(Screen::Alerts(q)) = app.top() else { panic!("not on the queue") };
    q.selected().unwrap()
}

fn select_principal(app: &mut App, principal: &str, detector: &str) {
    for _ in 0..100 {
        let a = &app.context().alerts[selected(app)];
        if a.principal == principal && a.detector == detector {
            return;
        }
        app.press(key('j'));
    }
    panic!("no {detector} alert for {principal:?}");
}

#[test]
fn walks_every_screen_and_back() {
    let (mut app, _d) = app();
    let steps: &[(crossterm::event::KeyEvent, ScreenKind, usize)] = &[
        (code(KeyCode::Enter), ScreenKind::Detail, 2),
        (key('t'), ScreenKind::Timeline, 3),
        (key('p'), ScreenKind::Timeline, 3),
        (key('r'), ScreenKind::Timeline, 4),
        (code(KeyCode::Esc), ScreenKind::Timeline, 3),
        (code(KeyCode::Esc), ScreenKind::Detail, 2),
        (key('a'), ScreenKind::Activity, 3),
        (key('i'), ScreenKind::Activity, 3),
        (code(KeyCode::Enter), ScreenKind::Timeline, 4),
        (code(KeyCode::Esc), ScreenKind::Activity, 3),
        (code(KeyCode::Esc), ScreenKind::Detail, 2),
        (key('c'), ScreenKind::Checklist, 3),
        (key(' '), ScreenKind::Checklist, 3),
        (code(KeyCode::Enter), ScreenKind::Timeline, 4),
        (code(KeyCode::Esc), ScreenKind::Checklist, 3),
        (key('?'), ScreenKind::Help, 4),
        (key('?'), ScreenKind::Checklist, 3),
        (key('e'), ScreenKind::Export, 4),
        (code(KeyCode::Esc), ScreenKind::Checklist, 3),
        (code(KeyCode::Esc), ScreenKind::Detail, 2),
        (code(KeyCode::Esc), ScreenKind::Alerts, 1),
        (code(KeyCode::Esc), ScreenKind::Alerts, 1),
    ];
    for (i, (k, screen, depth)) in steps.iter().enumerate() {
        app.press(*k);
        assert_eq!((app.screen(), app.depth()), (*screen, *depth), "step {i}: {k:?}");
        render(&mut app, 100, 30);
    }
    assert!(!app.should_quit());
    assert_eq!(app.handle_key(key('q')), Some(Effect::Quit));
    assert!(app.should_quit());
}

#[test]
fn contract_keys_from_the_queue() {
    for (k, screen) in [
        (key('t'), ScreenKind::Timeline),
        (key('a'), ScreenKind::Activity),
        (key('c'), ScreenKind::Checklist),
        (key('e'), ScreenKind::Export),
        (key('?'), ScreenKind::Help),
        (code(KeyCode::Enter), ScreenKind::Detail),
    ] {
        let (mut app, _d) = app();
        app.press(k);
        assert_eq!(app.screen(), screen, "{k:?}");
    }
}

#[test]
fn hostile_text_is_escaped_on_every_screen() {
    let (mut app, _d) = app();
    select_principal(&mut app, tui_fixture::HOSTILE_PRINCIPAL, "new-resource-access");
    let queue = render(&mut app, 100, 30);
    assert_no_control_chars(&queue, "queue");
    assert!(text(&queue).contains("mallory\\x1b[31m\\x07"), "{}", text(&queue));
    let mut seen = vec![];
    for (k, what) in [
        (code(KeyCode::Enter), "detail"),
        (key('t'), "timeline"),
        (key(' '), "timeline, the event in full"),
        (key(' '), "timeline again"),
        (key('p'), "pivot chooser"),
        (key('r'), "resource timeline"),
        (code(KeyCode::Tab), "resource timeline, raw record"),
        (code(KeyCode::Esc), "timeline again"),
        (code(KeyCode::Esc), "detail again"),
        (key('a'), "activity"),
        (key('i'), "activity by resource"),
        (code(KeyCode::Esc), "detail"),
        (key('c'), "checklist"),
        (key('n'), "note input"),
        (code(KeyCode::Esc), "checklist"),
        (key('?'), "help"),
        (code(KeyCode::Esc), "checklist"),
        (key('e'), "export picker"),
    ] {
        app.press(k);
        for (w, h) in [(100, 30), (80, 24), (160, 48)] {
            let t = render(&mut app, w, h);
            assert_no_control_chars(&t, what);
            seen.push(text(&t));
        }
    }
    let all = seen.join("\n");
    assert!(all.contains("\\x1b[2Jpwn\\u{202e}gpj.exe"), "the hostile resource is shown escaped");
    app.press(code(KeyCode::Esc));
    app.press(code(KeyCode::Esc));
    app.press(key(' '));
    let t = render(&mut app, 100, 30);
    assert_no_control_chars(&t, "queue, the row in full");
    assert!(text(&t).contains("mallory\\x1b[31m\\x07"), "{}", text(&t));
    // The queue's skipped-records panel shows file text too.
    let (mut fresh, _d2) = tui_support::app();
    fresh.press(key('w'));
    assert_no_control_chars(&render(&mut fresh, 100, 30), "skipped records");
}

#[test]
fn export_writes_the_report_where_the_status_bar_says() {
    let (mut app, d) = app();
    let id = app.context().alerts[selected(&app)].id.clone();
    press(&mut app, &[key('e'), code(KeyCode::Enter)]);
    assert_eq!(app.screen(), ScreenKind::Alerts, "the picker closes");
    let path = d.path().join("reports").join(format!("trailwatch-{id}.md"));
    assert!(path.exists(), "{:?}", app.message());
    assert_eq!(app.message(), Some(format!("report written to {}", path.display()).as_str()));
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.contains(&id));
    // From the detail, in JSON (second entry of the picker).
    press(&mut app, &[code(KeyCode::Enter), key('e'), key('j'), code(KeyCode::Enter)]);
    assert_eq!(app.screen(), ScreenKind::Detail);
    let json = d.path().join("reports").join(format!("trailwatch-{id}.json"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert!(v.is_object());
}

#[test]
fn a_report_is_written_off_the_keystroke_and_quitting_waits_for_it() {
    let (mut app, d) = app();
    let id = app.context().alerts[selected(&app)].id.clone();
    key_only(&mut app, key('e'));
    key_only(&mut app, code(KeyCode::Enter));
    assert!(app.busy(), "building and writing run on a worker");
    let drawn = render(&mut app, 100, 30);
    let status: String = (0..100).map(|x| drawn.backend().buffer()[(x, 29)].symbol().to_string()).collect();
    assert!(status.starts_with("writing the report … "), "{status}");
    // A second export while the first runs is refused, not queued behind it (unless the first
    // has landed by the time the key is handled: then it starts).
    key_only(&mut app, key('e'));
    key_only(&mut app, code(KeyCode::Enter));
    let refused = app.message() == Some("a report is still being written; try again when it is done");
    assert!(refused || app.busy(), "{:?}", app.message());
    // Quitting waits for the report (the loop keeps drawing and seeing signals meanwhile).
    key_only(&mut app, key('q'));
    assert!(!app.should_quit() || !app.busy(), "quits only once the report is written");
    assert!(app.settle(None));
    assert!(app.should_quit());
    let path = d.path().join("reports").join(format!("trailwatch-{id}.md"));
    assert!(std::fs::read_to_string(&path).unwrap().contains(&id));
    assert_eq!(app.message(), Some(format!("report written to {}", path.display()).as_str()));
    // q twice quits at once.
    let (mut app, _d) = tui_support::app();
    key_only(&mut app, key('e'));
    key_only(&mut app, code(KeyCode::Enter));
    key_only(&mut app, key('q'));
    if app.busy() {
        assert!(!app.should_quit());
        assert_eq!(app.message(), Some("finishing the report before quitting (q again quits now)"));
        key_only(&mut app, key('q'));
    }
    assert!(app.should_quit());
}

#[test]
fn cases_are_saved_at_once_and_read_back() {
    let (store, report, alerts) = loaded();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(store);
    let now = store.span().unwrap().1;
    let mut app = App::new(store.clone(), report.clone(), alerts.clone(), options(dir.path()), now);
    app.press(key('i')); // every alert: a status is one alert's
    let a = selected(&app);
    let id = app.context().alerts[a].id.clone();
    assert_eq!(app.handle_key(key('2')), Some(Effect::SaveCase { alert: a }));
    app.perform(Effect::SaveCase { alert: a });
    assert_eq!(
        app.message(),
        Some("New GCP API Call: new → investigating (u undoes)"),
        "a successful save says what changed, nothing more"
    );
    press(&mut app, &[key('c'), key('j'), key(' '), key('n')]);
    type_text(&mut app, "checked with the owner");
    app.press(code(KeyCode::Enter));
    assert!(dir.path().join("cases").join(format!("{id}.json")).exists());

    let again = App::new(store, report, alerts, options(dir.path()), now);
    let case = again.context().cases.case(a).expect("the case was read back");
    assert_eq!(case.status, Status::Investigating);
    assert_eq!(case.steps.values().filter(|s| s.done).count(), 1);
    assert!(case.steps.values().any(|s| s.note == "checked with the owner"));
}

#[test]
fn a_failing_case_folder_is_an_error_message_not_a_crash() {
    let (store, report, alerts) = loaded();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let mut opts = options(dir.path());
    opts.cases_dir = Some(file);
    let now = store.span().unwrap().1;
    let mut app = App::new(Arc::new(store), report, alerts, opts, now);
    assert!(app.message().is_some_and(|m| m.contains("cases will not be saved")), "{:?}", app.message());
    app.press(key('3'));
    assert!(app.message().is_some_and(|m| m.starts_with("case not saved")), "{:?}", app.message());
    assert_eq!(app.context().cases.status(selected(&app)), Status::Resolved, "the change stays in memory");
    let t = render(&mut app, 100, 30);
    assert!(text(&t).contains("case not saved"));
}

#[test]
fn only_presses_count_and_the_wheel_scrolls() {
    let (mut app, _d) = app();
    let mut release = key('j');
    release.kind = KeyEventKind::Release;
    let before = selected(&app);
    assert_eq!(app.handle_key(release), None);
    assert_eq!(selected(&app), before);
    let wheel = |kind| MouseEvent { kind, column: 10, row: 10, modifiers: KeyModifiers::NONE };
    app.handle_mouse(wheel(MouseEventKind::ScrollDown));
    let Some(Screen::Alerts(q)) = app.top() else { panic!() };
    assert_eq!(q.cursor.sel, 1);
    app.handle_mouse(wheel(MouseEventKind::ScrollUp));
    let Some(Screen::Alerts(q)) = app.top() else { panic!() };
    assert_eq!(q.cursor.sel, 0);
}

#[test]
fn keystroke_benchmark_helper() {
    let (mut app, _d) = app();
    app.press(key('t'));
    let (frame, done) = bench_keystroke(&mut app, key('j'), (100, 30));
    assert!(frame <= done, "{frame:?} {done:?}");
    assert_eq!(app.screen(), ScreenKind::Timeline);
    // A filter runs off the keystroke; the helper's second time includes drawing its result.
    app.press(key('/'));
    let (_, _) = bench_keystroke(&mut app, key('k'), (100, 30));
    assert!(!app.busy(), "the second time waits for the filter");
    let Some(Screen::Timeline(t)) = app.top() else { panic!() };
    assert_eq!(t.filters.query, "k");
    assert!(t.filtering.is_none());
}

#[test]
fn every_screen_draws_at_any_size() {
    let (mut app, _d) = app();
    let sizes = [(1, 1), (12, 4), (30, 8), (40, 12), (79, 23), (120, 40), (250, 70)];
    for k in [
        code(KeyCode::Enter),
        key('t'),
        key('p'),
        code(KeyCode::Esc),
        code(KeyCode::Esc),
        key('a'),
        code(KeyCode::Esc),
        key('c'),
        key('n'),
        code(KeyCode::Esc),
        key('?'),
        code(KeyCode::Esc),
        key('e'),
        code(KeyCode::Esc),
        code(KeyCode::Esc),
        key('w'),
    ] {
        app.press(k);
        for (w, h) in sizes {
            render(&mut app, w, h);
            // Keys after a resize to a tiny terminal must not panic either.
            app.press(key('j'));
            app.press(key('k'));
        }
    }
}

#[test]
fn suppressed_alerts_leave_the_queue_and_are_counted() {
    let (store, report, alerts) = loaded();
    let dir = tempfile::tempdir().unwrap();
    let target = alerts.iter().find(|a| a.detector == "bucket-created").unwrap().clone();
    let mut list = trailwatch::case::Suppressions::open(&dir.path().join("cases")).unwrap();
    list.add(trailwatch::case::Suppression::of(&target, "sandbox buckets", None, "ana", 0)).unwrap();
    let store = Arc::new(store);
    let now = store.span().unwrap().1;
    let mut app = App::new(store, report, alerts.clone(), options(dir.path()), now);
    assert!(app.context().alerts.iter().all(|a| a.id != target.id));
    assert_eq!(app.context().alerts.len() + app.context().suppressed, alerts.len());
    assert!(app.context().suppressed >= 1);
    let t = text(&render(&mut app, 100, 30));
    assert!(t.contains(&format!("{} suppressed", app.context().suppressed)), "{t}");
}

#[test]
fn x_suppresses_alerts_like_the_selected_one_after_asking_why() {
    let (mut app, dir) = app();
    let a = selected(&app);
    let target = app.context().alerts[a].clone();
    app.press(key('x'));
    assert!(text(&render(&mut app, 100, 30)).contains("reason:"), "asks why");
    app.press(code(KeyCode::Enter));
    assert_eq!(app.message(), Some("not suppressed: a suppression needs a reason"));
    app.press(key('x'));
    type_text(&mut app, "sandbox project");
    app.press(code(KeyCode::Enter));
    let msg = app.message().unwrap_or_default().to_string();
    assert!(msg.contains("suppressed as sup-") && msg.contains("u undoes"), "{msg}");
    let t = text(&render(&mut app, 100, 30));
    assert!(t.contains("1 suppressed"), "{t}");
    // Stored with the cases: a new session leaves it out too.
    let list = trailwatch::case::Suppressions::open(&dir.path().join("cases")).unwrap();
    assert_eq!(list.list.len(), 1);
    assert_eq!(list.list[0].reason, "sandbox project");
    assert!(list.list[0].hides(&target, 0));
}

#[test]
fn u_right_after_a_suppression_removes_it_and_the_alerts_come_back() {
    let (mut app, dir) = app();
    let shown = |app: &App| {
        let Some(Screen::Alerts(q)) = app.top() else { panic!("not on the queue") };
        q.rows.len()
    };
    let before = shown(&app);
    // A status change first: u undoes the suppression made after it, not the status.
    app.press(key('2'));
    let a = selected(&app);
    let target = app.context().alerts[a].id.clone();
    app.press(key('x'));
    type_text(&mut app, "lab account");
    app.press(code(KeyCode::Enter));
    let id = app.message().unwrap().split_whitespace().find(|w| w.starts_with("sup-")).unwrap().to_string();
    assert!(shown(&app) < before);
    assert!(app.context().suppressed >= 1);
    let cases = dir.path().join("cases");
    assert_eq!(trailwatch::case::Suppressions::open(&cases).unwrap().list.len(), 1);

    app.press(key('u'));
    let msg = app.message().unwrap_or_default().to_string();
    assert!(msg.contains(&format!("undone: suppression {id} removed")) && msg.contains("back in the queue"), "{msg}");
    assert_eq!(shown(&app), before, "the alerts are back");
    assert_eq!(app.context().suppressed, 0);
    assert!(!text(&render(&mut app, 100, 30)).contains("suppressed"), "the header no longer counts them");
    assert!(trailwatch::case::Suppressions::open(&cases).unwrap().list.is_empty(), "removed from the case folder");
    let a = app.context().alerts.iter().position(|x| x.id == target).unwrap();
    assert_eq!(app.context().cases.status(a), Status::Investigating, "the status change stays");
    // The next u undoes nothing more of the suppression: the status change was replaced by it.
    app.press(key('u'));
    assert_eq!(app.message(), Some("no status change to undo"));
}

#[test]
fn space_shows_the_selected_row_in_full_and_space_or_esc_closes_it() {
    let (mut app, _d) = app();
    select_principal(&mut app, "CONTOSO\\jdoe", "rare-process");
    app.press(key(' '));
    let t = text(&render(&mut app, 80, 24));
    assert!(t.contains("the row in full") && t.contains("command line: C:\\Users\\Public\\evil.exe -enc"), "{t}");
    assert!(t.contains("rare-process") && t.contains("case: new · incident inc-"), "{t}");
    // Moving keeps it open on the new selection; Esc closes it and stays on the queue.
    app.press(code(KeyCode::Esc));
    assert_eq!((app.screen(), app.depth()), (ScreenKind::Alerts, 1));
    assert!(!text(&render(&mut app, 80, 24)).contains("the row in full"));
    // On the timeline: every field, the parent even at 80 columns, the command line to its end.
    app.press(key('t'));
    app.press(key(' '));
    let t = text(&render(&mut app, 80, 24));
    assert!(t.contains("the event in full"), "{t}");
    assert!(t.contains("parent: C:\\Windows\\System32\\cmd.exe"), "{t}");
    assert!(t.contains("computer: WS1.contoso.local") && t.contains("ACkA"), "{t}");
    app.press(key(' '));
    assert!(!text(&render(&mut app, 80, 24)).contains("in full"));
    app.press(key(' '));
    app.press(code(KeyCode::Esc));
    assert_eq!(app.screen(), ScreenKind::Timeline, "Esc closes the row first");
    app.press(code(KeyCode::Esc));
    assert_eq!(app.screen(), ScreenKind::Alerts);
    // An incident row speaks for its incident.
    let (mut app, _d) = app_on_incidents();
    let Some(Screen::Alerts(q)) = app.top() else { panic!("not on the queue") };
    let a = q.selected().unwrap();
    let inc = app.context().incidents[app.context().incident_of[a]].clone();
    app.press(key(' '));
    let t = text(&render(&mut app, 120, 35));
    assert!(t.contains(&format!("incident: {}", inc.id)), "{t}");
}

#[test]
fn a_note_or_a_status_on_an_incident_row_goes_to_every_alert_of_it() {
    let (mut app, dir) = app_on_incidents();
    // The first incident of several alerts.
    for _ in 0..50 {
        let a = selected(&app);
        if app.context().incidents[app.context().incident_of[a]].alerts.len() > 1 {
            break;
        }
        app.press(key('j'));
    }
    let a = selected(&app);
    let members = app.context().incidents[app.context().incident_of[a]].alerts.clone();
    assert!(members.len() > 1, "the fixture has an incident of several alerts");
    app.press(key('N'));
    let t = text(&render(&mut app, 120, 30));
    assert!(t.contains(&format!("note for the cases of the incident's {} alerts", members.len())), "{t}");
    type_text(&mut app, "asked alice: planned rotation");
    app.press(code(KeyCode::Enter));
    assert_eq!(
        app.message(),
        Some(format!("note added to the cases of the incident's {} alerts", members.len()).as_str())
    );
    app.press(key('3'));
    let store = trailwatch::case::CaseStore::open(dir.path().join("cases")).unwrap();
    for &m in &members {
        let id = &app.context().alerts[m].id;
        let case = store.load(id).unwrap().expect("saved at once");
        assert!(case.notes.iter().any(|n| n.text == "asked alice: planned rotation"), "{id}");
        assert_eq!(case.status, Status::Resolved, "{id}");
    }
    // On every alert, a note is the selected alert's only.
    app.press(key('i'));
    app.press(key('N'));
    type_text(&mut app, "one");
    app.press(code(KeyCode::Enter));
    assert!(app.message().unwrap_or_default().starts_with("note added to the case of "));
}

#[test]
fn export_on_an_incident_row_writes_the_incidents_report() {
    let (mut app, d) = app_on_incidents();
    // Move to an incident of several alerts.
    let mut found = None;
    for _ in 0..40 {
        let cx = app.context();
        let a = selected(&app);
        let k = cx.incident_of[a];
        if cx.incidents[k].alerts.len() > 1 {
            found = Some((cx.incidents[k].id.clone(), cx.incidents[k].alerts.len()));
            break;
        }
        app.press(key('j'));
    }
    let (id, n) = found.expect("the fixture holds an incident of several alerts");
    press(&mut app, &[key('e')]);
    assert!(text(&render(&mut app, 100, 30)).contains("export the incident's report"));
    press(&mut app, &[code(KeyCode::Enter)]);
    let path = d.path().join("reports").join(format!("trailwatch-{id}.md"));
    assert!(path.exists(), "{:?}", app.message());
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.contains(&id));
    let alert_sections = app.context().incidents.iter().find(|i| i.id == id).unwrap().alerts.len();
    assert_eq!(alert_sections, n);
    for &a in &app.context().incidents.iter().find(|i| i.id == id).unwrap().alerts {
        assert!(md.contains(&app.context().alerts[a].id), "every alert of the incident is in its report");
    }
}
