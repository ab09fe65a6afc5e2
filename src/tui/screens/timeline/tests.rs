//! Update tests of the timeline screen: actions sent to its state over the crafted fixture,
//! with state and effects asserted; no terminal.

use super::filter::{EVIDENCE, FIRST_OP, TRIGGER};
use super::*;
use crate::model::Outcome;
use crate::tui::testkit::{alert_of, area, ctx, fixture, key};

fn kms_timeline() -> (TimelineState, Ctx, usize) {
    let cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let p = cx.alert_principal(a).unwrap();
    let t = TimelineState::new(&cx, a, Subject::Principal(p), At::Event(cx.alerts[a].trigger()), area());
    (t, cx, a)
}

fn op(cx: &Ctx, e: Option<u32>) -> String {
    cx.s(cx.event(e.unwrap()).unwrap().operation).to_string()
}

#[test]
fn opens_at_the_trigger_with_marks() {
    let (t, cx, a) = kms_timeline();
    assert_eq!(t.base.len(), 13, "every event of alice");
    assert_eq!(t.selected_event(), Some(cx.alerts[a].trigger()));
    let k = t.view[t.cursor.sel] as usize;
    assert_eq!(t.marks[k] & TRIGGER, TRIGGER);
    assert_eq!(t.marks.iter().filter(|m| **m & EVIDENCE != 0).count(), cx.alerts[a].evidence.len());
    assert_eq!(t.marks[0] & FIRST_OP, FIRST_OP, "the first event is first seen");
    assert_eq!(t.marks[2] & FIRST_OP, 0, "the daily list repeats");
    assert!(t.days.len() == 6 && t.days.iter().map(|d| d.1).sum::<u64>() == 13);
}

#[test]
fn toggles_filter_and_keep_the_selection() {
    let (mut t, mut cx, a) = kms_timeline();
    t.update(Action::ToggleFailures, &mut cx);
    assert_eq!(t.view.len(), 1);
    let failed = t.selected_event();
    assert!(cx.event(failed.unwrap()).unwrap().outcome == Outcome::Failure);
    t.update(Action::ToggleFailures, &mut cx);
    assert_eq!(t.view.len(), 13);
    assert_eq!(t.selected_event(), failed, "the selected event stays selected");
    t.update(Action::ToggleFirstSeen, &mut cx);
    assert!(t.view.len() < 13 && t.view.iter().all(|&k| t.marks[k as usize] & filter::FIRST_SEEN != 0));
    t.update(Action::ToggleFirstSeen, &mut cx);
    t.go_to(&cx, At::Event(cx.alerts[a].trigger()));
    t.update(Action::ToggleService, &mut cx);
    assert_eq!(t.view.len(), 3, "the three cloudkms events");
    t.update(Action::ClearFilters, &mut cx);
    assert_eq!(t.view.len(), 13);
}

#[test]
fn fuzzy_filter_narrows_incrementally_like_a_full_pass() {
    let (mut t, mut cx, _) = kms_timeline();
    t.update(Action::StartSearch, &mut cx);
    assert_eq!(t.action(&key('x')), Some(Action::Edit(Edit::Insert('x'))), "keys type while filtering");
    for c in "kms".chars() {
        t.update(Action::Edit(Edit::Insert(c)), &mut cx);
    }
    assert_eq!(t.view.len(), 3);
    // Smart case: an upper-case letter makes the term case-sensitive, so `Encr` is precise.
    for c in " Encr".chars() {
        t.update(Action::Edit(Edit::Insert(c)), &mut cx);
    }
    let incremental = t.view.clone();
    let full = filter::apply(&cx.store, &t.base, &t.marks, &t.filters, None);
    assert_eq!(incremental, full);
    assert_eq!(incremental.len(), 1);
    assert!(op(&cx, t.selected_event()).ends_with("Encrypt"));
    t.update(Action::Edit(Edit::Cancel), &mut cx);
    assert_eq!((t.filters.query.as_str(), t.view.len()), ("", 13));
}

#[test]
fn jumps_by_day_and_by_mark() {
    let (mut t, mut cx, a) = kms_timeline();
    let trigger_day = start_of_day(cx.alerts[a].time);
    t.update(Action::NextDay, &mut cx);
    let e = cx.event(t.selected_event().unwrap()).unwrap();
    assert_eq!(start_of_day(e.time), trigger_day + DAY_US);
    t.update(Action::PrevDay, &mut cx);
    t.update(Action::PrevDay, &mut cx);
    let e = cx.event(t.selected_event().unwrap()).unwrap();
    assert_eq!(start_of_day(e.time), trigger_day - DAY_US);
    assert_eq!(t.view.partition_point(|&k| cx.event(t.base[k as usize]).unwrap().time < e.time), t.cursor.sel);
    t.update(Action::Nav(Nav::Top), &mut cx);
    t.update(Action::PrevDay, &mut cx);
    assert_eq!(t.cursor.sel, 0);
    t.update(Action::NextMark, &mut cx);
    assert_eq!(t.cursor.sel, 1, "compute list is first seen");
    t.update(Action::Nav(Nav::Bottom), &mut cx);
    t.update(Action::PrevMark, &mut cx);
    assert_eq!(op(&cx, t.selected_event()), "storage.objects.get");
    assert_eq!(t.action(&key('[')), Some(Action::PrevDay));
    assert_eq!(t.action(&key(']')), Some(Action::NextDay));
    assert_eq!(t.action(&key('M')), Some(Action::PrevMark));
}

#[test]
fn pivots_through_the_chooser() {
    let (mut t, mut cx, a) = kms_timeline();
    assert_eq!(t.update(Action::Pivot, &mut cx), None);
    let ch = t.chooser.clone().unwrap();
    let keys: Vec<char> = ch.options.iter().map(|o| o.key).collect();
    assert_eq!(keys, vec!['r', 'i'], "resource and source IP; the subject itself is not offered");
    assert_eq!(t.action(&key('i')), Some(Action::PivotPick(1)));
    let trigger = cx.alerts[a].trigger();
    let ip = cx.event(trigger).unwrap().source_ip;
    assert_eq!(
        t.update(Action::PivotPick(1), &mut cx),
        Some(Effect::Open(Open::Timeline { alert: a, subject: Subject::SourceIp(ip), at: At::Event(trigger) }))
    );
    assert!(t.chooser.is_none());
    let by_ip = TimelineState::new(&cx, a, Subject::SourceIp(ip), At::Event(trigger), area());
    assert!(by_ip.base.len() > 5 && by_ip.selected_event() == Some(trigger));
    t.update(Action::Pivot, &mut cx);
    t.update(Action::PivotCancel, &mut cx);
    assert!(t.chooser.is_none());
}

#[test]
fn resource_timelines_fold_azure_case() {
    let cx = ctx();
    let site = cx.store.lookup("/subscriptions/S1/resourceGroups/web-rg/providers/Microsoft.Web/sites/shop").unwrap();
    assert_eq!(filter::positions(&cx.store, Subject::Resource(site)).len(), 2);
    let hostile = cx.store.lookup(fixture::HOSTILE_RESOURCE).unwrap();
    assert_eq!(filter::positions(&cx.store, Subject::Resource(hostile)).len(), 1);
}

#[test]
fn raw_pane_scrolls_when_focused() {
    let (mut t, mut cx, _) = kms_timeline();
    let e = t.selected_event().unwrap();
    cx.raw.put(e, Ok((0..100).map(|i| format!("line {i}")).collect::<Vec<_>>().join("\n")));
    t.update(Action::Inspect, &mut cx);
    t.update(Action::Nav(Nav::PageDown), &mut cx);
    assert!(t.raw.top > 0);
    assert_eq!(t.selected_event(), Some(e));
    t.update(Action::ToggleFocus, &mut cx);
    t.update(Action::Nav(Nav::Down), &mut cx);
    assert_eq!(t.raw.top, 0, "a new selection reads from the top");
}

#[test]
fn both_first_seen_strategies_agree() {
    let cx = ctx();
    let p = cx.store.lookup(fixture::ALICE).unwrap();
    let base = filter::positions(&cx.store, Subject::Principal(p));
    let fast = filter::marks(&cx.store, &base, None);
    // Adding another principal's event forces the general strategy; compare on alice's events.
    let mut mixed = base.clone();
    let other = (0..cx.store.len() as u32).find(|&i| cx.store.events()[i as usize].principal != p).unwrap();
    mixed.push(other);
    mixed.sort_unstable();
    let general = filter::marks(&cx.store, &mixed, None);
    let general: Vec<u8> = mixed.iter().zip(general).filter(|(i, _)| **i != other).map(|(_, m)| m).collect();
    assert_eq!(fast, general);
}
