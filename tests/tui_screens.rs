//! Every TUI screen rendered into a 100×30 `TestBackend` and compared with an accepted
//! snapshot (text only), plus the styles snapshots cannot see: severity colours and `NO_COLOR`.

mod tui_fixture;
mod tui_support;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ratatui::widgets::Widget;
use trailwatch::tui::Theme;
use trailwatch::tui::screens::ScreenKind;
use trailwatch::tui::screens::loading::{LoadingState, LoadingView, Sample};
use tui_support::*;

/// Moves the queue's selection to the first alert of a detector and principal (with `j`).
fn select(app: &mut trailwatch::tui::App, detector: &str, principal: &str) {
    for _ in 0..100 {
        let cx = app.context();
        let Some(trailwatch::tui::screens::Screen::Alerts(q)) = app.top() else { panic!("not on the queue") };
        let a = &cx.alerts[q.selected().unwrap()];
        if a.detector == detector && a.principal == principal {
            return;
        }
        app.press(key('j'));
    }
    panic!("no {detector} alert for {principal}");
}

#[test]
fn loading_screen() {
    let state = LoadingState {
        title: "demo".into(),
        sample: Sample {
            bytes_done: 1_500_000,
            bytes_total: 3_000_000,
            files_done: 2,
            files_total: 4,
            events: 12_345,
            elapsed: 1.5,
            phase: trailwatch::ingest::Phase::Reading,
        },
    };
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| LoadingView { state: &state, theme: Theme { color: false } }.render(f.area(), f.buffer_mut())).unwrap();
    insta::assert_snapshot!(t.backend());
}

#[test]
fn the_loading_screen_names_its_phase_after_reading() {
    use trailwatch::ingest::Phase;
    for (phase, said) in [
        (Phase::Reading, None),
        (Phase::Indexing, Some("indexing…")),
        (Phase::Facts, Some("extracting request facts…")),
        (Phase::Detecting, Some("running detectors…")),
        (Phase::Grouping, Some("grouping incidents…")),
    ] {
        let sample =
            Sample { bytes_done: 10, bytes_total: 10, files_done: 1, files_total: 1, phase, ..Sample::default() };
        let state = LoadingState { title: "demo".into(), sample };
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| LoadingView { state: &state, theme: Theme { color: false } }.render(f.area(), f.buffer_mut()))
            .unwrap();
        let shown = text(&t);
        match said {
            Some(s) => assert!(shown.contains(s), "{phase:?}: {shown}"),
            None => assert!(!shown.contains('…'), "{phase:?}: {shown}"),
        }
    }
}

#[test]
fn queue() {
    let (mut app, _d) = app();
    insta::assert_snapshot!(render(&mut app, 100, 30).backend());
}

#[test]
fn queue_at_80x24_sorted_by_time_with_skips_listed() {
    let (mut app, _d) = app();
    press(&mut app, &[key('s'), key('w')]);
    insta::assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn queue_search_highlights() {
    let (mut app, _d) = app();
    press(&mut app, &[key('/')]);
    type_text(&mut app, "kms key");
    let t = render(&mut app, 100, 30);
    insta::assert_snapshot!(t.backend());
    // Matched characters are underlined.
    let buf = t.backend().buffer();
    assert!(buf.content.iter().any(|c| c.modifier.contains(Modifier::UNDERLINED)));
}

#[test]
fn detail() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    app.press(code(KeyCode::Enter));
    assert_eq!(app.screen(), ScreenKind::Detail);
    insta::assert_snapshot!(render(&mut app, 100, 30).backend());
}

#[test]
fn detail_scrolled_summary_at_80x24() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    press(&mut app, &[code(KeyCode::Enter), code(KeyCode::BackTab), code(KeyCode::PageDown)]);
    insta::assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn timeline() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    app.press(key('t'));
    assert_eq!(app.screen(), ScreenKind::Timeline);
    insta::assert_snapshot!(render(&mut app, 100, 30).backend());
}

#[test]
fn timeline_filtered_and_pivot_chooser() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    press(&mut app, &[key('t'), key('/')]);
    type_text(&mut app, "kms");
    press(&mut app, &[code(KeyCode::Enter), key('p')]);
    insta::assert_snapshot!(render(&mut app, 100, 30).backend());
}

#[test]
fn activity() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    app.press(key('a'));
    assert_eq!(app.screen(), ScreenKind::Activity);
    insta::assert_snapshot!(render(&mut app, 100, 30).backend());
}

#[test]
fn activity_org_at_80x24() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    press(&mut app, &[key('a'), key('o')]);
    insta::assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn checklist() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    press(&mut app, &[key('c'), key(' '), key('j'), key('n')]);
    type_text(&mut app, "asked alice: planned");
    app.press(code(KeyCode::Enter));
    assert_eq!(app.screen(), ScreenKind::Checklist);
    insta::assert_snapshot!(render(&mut app, 100, 30).backend());
}

#[test]
fn help_and_export_picker() {
    // A relative report folder keeps the picker's text the same on every machine.
    let (mut app, _d) = app_with(|o| o.report_dir = Some("reports".into()));
    app.press(key('?'));
    assert_eq!(app.screen(), ScreenKind::Help);
    insta::assert_snapshot!("help_on_queue", render(&mut app, 100, 30).backend());
    press(&mut app, &[code(KeyCode::Esc), key('e')]);
    assert_eq!(app.screen(), ScreenKind::Export);
    insta::assert_snapshot!("export_picker", render(&mut app, 100, 30).backend());
}

#[test]
fn severity_styles() {
    let (mut app, _d) = app();
    let t = render(&mut app, 100, 30);
    let buf = t.backend().buffer();
    let cell_of = |word: &str| {
        let w = buf.area.width as usize;
        let text: Vec<String> = buf.content.iter().map(|c| c.symbol().to_string()).collect();
        // First row (below the header) whose severity column starts with the word.
        (5..buf.area.height as usize)
            .find(|y| text[y * w + 1..y * w + 1 + word.len()].concat() == word)
            .map(|y| buf.content[y * w + 1].clone())
            .unwrap_or_else(|| panic!("no {word} row"))
    };
    let high = cell_of("high");
    assert_eq!(high.fg, Color::Red);
    let medium = cell_of("medium");
    assert_eq!(medium.fg, Color::Yellow);
    let low = cell_of("low");
    assert_eq!(low.fg, Color::Blue);

    app.set_color(false);
    let t = render(&mut app, 100, 30);
    let buf = t.backend().buffer();
    assert!(buf.content.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset), "NO_COLOR draws no colour");
    let theme = Theme { color: true };
    assert_eq!(theme.severity(trailwatch::detect::Severity::Critical).fg, Some(Color::Magenta));
}

#[test]
fn screens_say_how_far_their_background_work_got() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    key_only(&mut app, key('t'));
    let t = text(&render(&mut app, 100, 30));
    assert!(t.contains("13 events · marking … "), "{t}");
    assert!(t.contains("counting events per day …"), "{t}");
    app.settle(None);
    key_only(&mut app, key('x'));
    let t = text(&render(&mut app, 100, 30));
    assert!(t.contains("13 events · filtering … ") && t.contains("filters: failures"), "{t}");
    app.settle(None);
    assert!(text(&render(&mut app, 100, 30)).contains("13 events · showing 1"));
    // A pivot scans the store for its events, then marks them.
    key_only(&mut app, key('p'));
    key_only(&mut app, key('i'));
    let t = text(&render(&mut app, 100, 30));
    assert!(t.contains("timeline · source IP") && t.contains("finding the events …"), "{t}");
    assert!(t.contains("· finding its events … ") || t.contains("· marking its events … "), "{t}");
    app.settle(None);
    press(&mut app, &[code(KeyCode::Esc)]);
    press(&mut app, &[code(KeyCode::Esc)]);
    key_only(&mut app, key('a'));
    let t = text(&render(&mut app, 100, 30));
    assert!(t.contains("counting the events of the 30 days … "), "{t}");
    press(&mut app, &[code(KeyCode::Esc)]);
    key_only(&mut app, key('c'));
    let t = text(&render(&mut app, 100, 30));
    assert!(t.contains("reading the logs … "), "{t}");
    app.settle(None);
    assert!(!text(&render(&mut app, 100, 30)).contains("reading the logs"));
}

#[test]
fn windows_timeline_rows_show_the_process() {
    let (mut app, _d) = app();
    select(&mut app, "rare-process", "CONTOSO\\jdoe");
    app.press(key('t'));
    app.settle(None);
    let t = text(&render(&mut app, 120, 30));
    assert!(t.contains("…\\Public\\evil.exe"), "{t}");
    // A long path is cut in the middle: the drive and the program's name stay; the command line
    // gets the most room.
    assert!(t.contains("C:\\…\\chrome.exe"), "{t}");
    assert!(t.contains("C:\\Users\\Public\\evil.exe -e"), "{t}");
    // Windows columns: account, computer, process, parent and command line.
    for column in ["EVENT", "ACCOUNT", "COMPUTER", "PROCESS", "PARENT", "COMMAND LINE"] {
        assert!(t.contains(column), "{column}: {t}");
    }
    assert!(t.contains("CONTOSO\\jdoe") && t.contains("WS1.contoso.local") && t.contains("cmd.exe"), "{t}");
    insta::assert_snapshot!("windows_timeline_120x35", render(&mut app, 120, 35).backend());
    // At 80 columns the parent gives its room to the others (Space shows it in full).
    let t = render(&mut app, 80, 24);
    assert!(!text(&t).contains("PARENT"));
    insta::assert_snapshot!("windows_timeline_80x24", t.backend());
    app.press(key(' '));
    insta::assert_snapshot!("windows_event_in_full_80x24", render(&mut app, 80, 24).backend());
}

#[test]
fn mixed_timelines_keep_the_cloud_columns() {
    let (mut app, _d) = app();
    select(&mut app, "kms-key-created", tui_fixture::ALICE);
    app.press(key('t'));
    let Some(trailwatch::tui::screens::Screen::Timeline(t)) = app.top() else { panic!("not on the timeline") };
    assert_eq!(t.windows, Some(false));
    let t = text(&render(&mut app, 120, 35));
    assert!(t.contains("OPERATION") && t.contains("RESOURCE") && !t.contains("COMMAND LINE"), "{t}");
}

#[test]
fn incident_list_and_one_incident_at_100x30_and_80x24() {
    let (mut app, _d) = app_on_incidents();
    insta::assert_snapshot!("incident_list", render(&mut app, 100, 30).backend());
    app.press(code(KeyCode::Enter));
    insta::assert_snapshot!("incident_view_80x24", render(&mut app, 80, 24).backend());
    let t = text(&render(&mut app, 100, 30));
    assert!(t.contains("alert(s) in order (Esc: incidents)"), "{t}");
}

#[test]
fn a_history_shorter_than_the_learning_period_is_a_banner_on_the_first_screen() {
    let (mut app, _d) = app();
    assert!(
        !text(&render(&mut app, 100, 30)).contains("learning period:"),
        "the fixture covers a 1-day learning period"
    );
    let (mut app, _d) = app_with(|o| o.detect.learn = 30 * 24 * 3_600_000_000);
    let t = text(&render(&mut app, 140, 30));
    assert!(t.contains("shorter than the 30 days learning period"), "{t}");
}

#[test]
fn incidents_and_search_at_the_issue_sizes() {
    let (mut app, _d) = app_on_incidents();
    insta::assert_snapshot!("incident_list_80x24", render(&mut app, 80, 24).backend());
    insta::assert_snapshot!("incident_list_120x35", render(&mut app, 120, 35).backend());
    app.press(code(KeyCode::Enter));
    insta::assert_snapshot!("incident_view_120x35", render(&mut app, 120, 35).backend());
    let (mut flat, _d2) = tui_support::app();
    press(&mut flat, &[key('/')]);
    type_text(&mut flat, "kms key");
    insta::assert_snapshot!("queue_search_highlights_80x24", render(&mut flat, 80, 24).backend());
    insta::assert_snapshot!("queue_search_highlights_120x35", render(&mut flat, 120, 35).backend());
}
