//! Update tests of the activity screen: actions sent to its state over the crafted fixture,
//! with state and effects asserted; no terminal.

use super::*;
use crate::activity::views::IdKind;
use crate::tui::testkit::{alert_of, area, ctx};

/// Waits for the rows under way and takes them.
fn settle(s: &mut ActivityState, cx: &Ctx) {
    crate::tui::work::settle(&cx.bell.clone(), None, || {
        s.poll();
        s.busy()
    });
}

/// An action, then its rows taken.
fn act(s: &mut ActivityState, a: Action, cx: &mut Ctx) -> Option<Effect> {
    let effect = s.update(a, cx);
    settle(s, cx);
    effect
}

fn opened(cx: &Ctx, a: usize) -> ActivityState {
    let mut s = ActivityState::new(cx, a, area());
    settle(&mut s, cx);
    s
}

#[test]
fn range_contains_the_alert() {
    let now = 100 * DAY_US + 5;
    assert_eq!(range_for(now, now - DAY_US), default_range(now));
    assert_eq!(range_for(now, 10 * DAY_US), default_range(10 * DAY_US));
}

#[test]
fn opens_on_the_alert_day_and_cycles() {
    let mut cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let mut s = opened(&cx, a);
    assert_eq!(s.rows.len(), 30);
    assert_eq!(s.selected().unwrap().day, s.alert_day);
    assert_eq!(s.selected().unwrap().new_dcount, 4);
    act(&mut s, Action::CycleId, &mut cx);
    assert_eq!(s.id, IdKind::Resource);
    act(&mut s, Action::CycleId, &mut cx);
    assert_eq!(s.id, IdKind::SourceIp);
    assert_eq!(s.selected().unwrap().dcount, 2, "two addresses on the alert day");
    act(&mut s, Action::CycleId, &mut cx);
    assert_eq!(s.id, IdKind::Operation);
    act(&mut s, Action::ToggleOrg, &mut cx);
    assert!(s.org);
    assert_eq!(s.rows.iter().map(|r| r.new_dcount).sum::<i64>(), 5, "five principals in the logs");
    act(&mut s, Action::Nav(Nav::Up), &mut cx);
    assert_eq!(s.selected().unwrap().day, s.alert_day - DAY_US);
}

#[test]
fn enter_opens_the_timeline_at_the_day() {
    let mut cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let mut s = opened(&cx, a);
    act(&mut s, Action::Nav(Nav::Up), &mut cx);
    let p = cx.alert_principal(a).unwrap();
    let day = s.alert_day - DAY_US;
    assert_eq!(
        act(&mut s, Action::OpenDay, &mut cx),
        Some(Effect::Open(Open::Timeline { alert: a, subject: Subject::Principal(p), at: At::Time(day) }))
    );
    assert_eq!(s.action(&crate::tui::testkit::key('l')), Some(Action::Nav(Nav::Down)));
}

#[test]
fn rows_are_counted_off_the_keystroke_and_keep_the_selected_day() {
    let mut cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let mut s = ActivityState::new(&cx, a, area());
    assert!(s.busy() && s.rows.is_empty(), "nothing is taken before poll");
    let p = cx.alert_principal(a).unwrap();
    let at_alert =
        Some(Effect::Open(Open::Timeline { alert: a, subject: Subject::Principal(p), at: At::Time(s.alert_day) }));
    assert_eq!(s.update(Action::OpenDay, &mut cx), at_alert, "Enter works before the rows land");
    settle(&mut s, &cx);
    act(&mut s, Action::Nav(Nav::Up), &mut cx);
    let day = s.selected().unwrap().day;
    s.update(Action::CycleId, &mut cx);
    assert!(s.busy(), "resources are counted by a task");
    settle(&mut s, &cx);
    assert_eq!(s.selected().unwrap().day, day, "the selected day stays selected");
    s.update(Action::CycleId, &mut cx);
    s.update(Action::CycleId, &mut cx);
    assert!(!s.busy(), "operations come back from the cache at once");
    assert_eq!(s.rows.len(), 30);
}
