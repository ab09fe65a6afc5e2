//! Update tests of the timeline screen: actions sent to its state over the crafted fixture,
//! with state and effects asserted; no terminal.

use super::filter::{EVIDENCE, FIRST_OP, TRIGGER};
use super::*;
use crate::model::Outcome;
use crate::tui::testkit::{alert_of, area, ctx, fixture, key};

/// Waits for the timeline's background work and takes its results.
fn settle(t: &mut TimelineState, cx: &Ctx) {
    crate::tui::work::settle(&cx.bell.clone(), None, || {
        t.poll(cx);
        t.busy()
    });
}

/// An action, then its background work taken.
fn act(t: &mut TimelineState, a: Action, cx: &mut Ctx) -> Option<Effect> {
    let effect = t.update(a, cx);
    settle(t, cx);
    effect
}

fn opened(cx: &Ctx, a: usize, subject: Subject, at: At) -> TimelineState {
    let mut t = TimelineState::new(cx, a, subject, at, area());
    settle(&mut t, cx);
    t
}

fn kms_timeline() -> (TimelineState, Ctx, usize) {
    let cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let p = cx.alert_principal(a).unwrap();
    let t = opened(&cx, a, Subject::Principal(p), At::Event(cx.alerts[a].trigger()));
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
    let k = t.view.get(t.cursor.sel).unwrap() as usize;
    assert_eq!(t.marks[k] & TRIGGER, TRIGGER);
    assert_eq!(t.marks.iter().filter(|m| **m & EVIDENCE != 0).count(), cx.alerts[a].evidence.len());
    assert_eq!(t.marks[0] & FIRST_OP, FIRST_OP, "the first event is first seen");
    assert_eq!(t.marks[2] & FIRST_OP, 0, "the daily list repeats");
    assert!(t.days.len() == 6 && t.days.iter().map(|d| d.1).sum::<u64>() == 13);
}

#[test]
fn toggles_filter_and_keep_the_selection() {
    let (mut t, mut cx, a) = kms_timeline();
    act(&mut t, Action::ToggleFailures, &mut cx);
    assert_eq!(t.view.len(), 1);
    let failed = t.selected_event();
    assert!(cx.event(failed.unwrap()).unwrap().outcome == Outcome::Failure);
    act(&mut t, Action::ToggleFailures, &mut cx);
    assert_eq!(t.view.len(), 13);
    assert_eq!(t.selected_event(), failed, "the selected event stays selected");
    act(&mut t, Action::ToggleFirstSeen, &mut cx);
    assert!(t.view.len() < 13 && t.view.iter().all(|k| t.marks[k as usize] & filter::FIRST_SEEN != 0));
    act(&mut t, Action::ToggleFirstSeen, &mut cx);
    t.go_to(&cx, At::Event(cx.alerts[a].trigger()));
    act(&mut t, Action::ToggleService, &mut cx);
    assert_eq!(t.view.len(), 3, "the three cloudkms events");
    act(&mut t, Action::ClearFilters, &mut cx);
    assert_eq!(t.view.len(), 13);
}

#[test]
fn fuzzy_filter_narrows_incrementally_like_a_full_pass() {
    let (mut t, mut cx, _) = kms_timeline();
    act(&mut t, Action::StartSearch, &mut cx);
    assert_eq!(t.action(&key('x')), Some(Action::Edit(Edit::Insert('x'))), "keys type while filtering");
    for c in "kms".chars() {
        act(&mut t, Action::Edit(Edit::Insert(c)), &mut cx);
    }
    assert_eq!(t.view.len(), 3);
    // Smart case: an upper-case letter makes the term case-sensitive, so `Encr` is precise.
    for c in " Encr".chars() {
        act(&mut t, Action::Edit(Edit::Insert(c)), &mut cx);
    }
    let incremental = t.view.clone();
    let full = filter::apply(&cx.store, &t.base, &t.marks, &t.filters, None);
    assert_eq!(incremental.iter().collect::<Vec<_>>(), full);
    assert_eq!(incremental.len(), 1);
    assert!(op(&cx, t.selected_event()).ends_with("Encrypt"));
    act(&mut t, Action::Edit(Edit::Cancel), &mut cx);
    assert_eq!((t.filters.query.as_str(), t.view.len()), ("", 13));
}

#[test]
fn jumps_by_day_and_by_mark() {
    let (mut t, mut cx, a) = kms_timeline();
    let trigger_day = start_of_day(cx.alerts[a].time);
    act(&mut t, Action::NextDay, &mut cx);
    let e = cx.event(t.selected_event().unwrap()).unwrap();
    assert_eq!(start_of_day(e.time), trigger_day + DAY_US);
    act(&mut t, Action::PrevDay, &mut cx);
    act(&mut t, Action::PrevDay, &mut cx);
    let e = cx.event(t.selected_event().unwrap()).unwrap();
    assert_eq!(start_of_day(e.time), trigger_day - DAY_US);
    assert_eq!(t.view.partition_point(|k| cx.event(t.base[k as usize]).unwrap().time < e.time), t.cursor.sel);
    act(&mut t, Action::Nav(Nav::Top), &mut cx);
    act(&mut t, Action::PrevDay, &mut cx);
    assert_eq!(t.cursor.sel, 0);
    act(&mut t, Action::NextMark, &mut cx);
    assert_eq!(t.cursor.sel, 1, "compute list is first seen");
    act(&mut t, Action::Nav(Nav::Bottom), &mut cx);
    act(&mut t, Action::PrevMark, &mut cx);
    assert_eq!(op(&cx, t.selected_event()), "storage.objects.get");
    assert_eq!(t.action(&key('[')), Some(Action::PrevDay));
    assert_eq!(t.action(&key(']')), Some(Action::NextDay));
    assert_eq!(t.action(&key('M')), Some(Action::PrevMark));
    // At either end a mark jump says so and stays put.
    act(&mut t, Action::Nav(Nav::Bottom), &mut cx);
    let last = t.cursor.sel;
    assert!(
        matches!(t.update(Action::NextMark, &mut cx), Some(Effect::Notify(m)) if m.starts_with("no marked event after"))
    );
    assert_eq!(t.cursor.sel, last);
    act(&mut t, Action::Nav(Nav::Top), &mut cx);
    assert!(
        matches!(t.update(Action::PrevMark, &mut cx), Some(Effect::Notify(m)) if m.starts_with("no marked event before"))
    );
}

#[test]
fn pivots_through_the_chooser() {
    let (mut t, mut cx, a) = kms_timeline();
    assert_eq!(act(&mut t, Action::Pivot, &mut cx), None);
    let ch = t.chooser.clone().unwrap();
    let keys: Vec<char> = ch.options.iter().map(|o| o.key).collect();
    assert_eq!(keys, vec!['r', 'i'], "resource and source IP; the subject itself is not offered");
    assert_eq!(t.action(&key('i')), Some(Action::PivotPick(1)));
    let trigger = cx.alerts[a].trigger();
    let ip = cx.event(trigger).unwrap().source_ip;
    assert_eq!(
        act(&mut t, Action::PivotPick(1), &mut cx),
        Some(Effect::Open(Open::Timeline { alert: a, subject: Subject::SourceIp(ip), at: At::Event(trigger) }))
    );
    assert!(t.chooser.is_none());
    let by_ip = opened(&cx, a, Subject::SourceIp(ip), At::Event(trigger));
    assert!(by_ip.base.len() > 5 && by_ip.selected_event() == Some(trigger));
    act(&mut t, Action::Pivot, &mut cx);
    act(&mut t, Action::PivotCancel, &mut cx);
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
    act(&mut t, Action::Inspect, &mut cx);
    act(&mut t, Action::Nav(Nav::PageDown), &mut cx);
    assert!(t.raw.top > 0);
    assert_eq!(t.selected_event(), Some(e));
    act(&mut t, Action::ToggleFocus, &mut cx);
    act(&mut t, Action::Nav(Nav::Down), &mut cx);
    assert_eq!(t.raw.top, 0, "a new selection reads from the top");
}

#[test]
fn both_first_seen_strategies_agree() {
    let cx = ctx();
    let p = cx.store.lookup(fixture::ALICE).unwrap();
    let base = filter::positions(&cx.store, Subject::Principal(p));
    let fast = filter::marks(&cx.store, &base, None);
    // Adding another principal's event forces the general strategy; compare on alice's events.
    let mut mixed = base.to_vec();
    let other = (0..cx.store.len() as u32).find(|&i| cx.store.events()[i as usize].principal != p).unwrap();
    mixed.push(other);
    mixed.sort_unstable();
    let general = filter::marks(&cx.store, &mixed, None);
    let general: Vec<u8> = mixed.iter().zip(general).filter(|(i, _)| **i != other).map(|(_, m)| m).collect();
    assert_eq!(fast, general);
}

#[test]
fn a_filter_runs_off_the_keystroke_and_keeps_the_old_rows_until_it_lands() {
    let (mut t, mut cx, _) = kms_timeline();
    let before = t.selected_event();
    t.update(Action::ToggleFailures, &mut cx);
    // Nothing is taken before `poll`: the key returned with the work under way.
    assert!(t.filtering.is_some() && t.busy());
    assert!(t.filters.failures, "the head shows the filter asked for");
    assert_eq!((t.view.len(), t.selected_event()), (13, before), "the rows shown until the result lands");
    let sel = t.cursor.sel;
    t.update(Action::Nav(Nav::Down), &mut cx);
    assert_eq!(t.cursor.sel, sel + 1, "keys still move over the rows shown");
    settle(&mut t, &cx);
    assert_eq!(t.view.len(), 1);
    assert!(!t.busy());
}

#[test]
fn a_newer_filter_replaces_one_under_way() {
    let (mut t, mut cx, _) = kms_timeline();
    t.update(Action::ToggleFailures, &mut cx);
    t.update(Action::ToggleFailures, &mut cx);
    assert!(t.filtering.is_none(), "clearing every filter needs no work");
    assert_eq!(t.view, View::All(13));
    t.update(Action::StartSearch, &mut cx);
    for c in "kms".chars() {
        t.update(Action::Edit(Edit::Insert(c)), &mut cx);
    }
    settle(&mut t, &cx);
    assert_eq!((t.filters.query.as_str(), t.view.len()), ("kms", 3));
    assert_eq!(t.days.iter().map(|d| d.1).sum::<u64>(), 3, "days count the shown events");
}

#[test]
fn filters_asked_while_opening_apply_once_opened() {
    let mut cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let p = cx.alert_principal(a).unwrap();
    let mut t = TimelineState::new(&cx, a, Subject::Principal(p), At::Event(cx.alerts[a].trigger()), area());
    assert!(t.opening.is_some());
    assert_eq!(t.base.len(), 13, "a principal's rows show before the marks are done");
    assert_eq!(t.selected_event(), Some(cx.alerts[a].trigger()));
    assert!(t.marks.is_empty());
    assert!(matches!(t.update(Action::NextMark, &mut cx), Some(Effect::Notify(m)) if m.contains("still marking")));
    t.update(Action::ToggleFirstSeen, &mut cx);
    assert!(t.filtering.is_none(), "first-seen needs the marks: it waits for the opening");
    settle(&mut t, &cx);
    assert!(t.view.len() < 13 && t.view.iter().all(|k| t.marks[k as usize] & filter::FIRST_SEEN != 0));
}

#[test]
fn a_pivot_finds_its_events_off_the_keystroke() {
    let (t, mut cx, a) = kms_timeline();
    let trigger = cx.alerts[a].trigger();
    let ip = cx.event(trigger).unwrap().source_ip;
    let mut by_ip = TimelineState::new(&cx, a, Subject::SourceIp(ip), At::Event(trigger), area());
    assert!(by_ip.base.is_empty() && by_ip.busy());
    assert_eq!(by_ip.update(Action::Nav(Nav::Down), &mut cx), None, "keys work on the empty list");
    settle(&mut by_ip, &cx);
    assert_eq!(by_ip.selected_event(), Some(trigger), "opened where asked once found");
    assert_eq!(&*by_ip.base, &*filter::positions(&cx.store, Subject::SourceIp(ip)));
    drop(t);
}

#[test]
fn day_counts_match_a_count_of_every_event() {
    let cx = ctx();
    let naive = |base: &[u32], view: &View| -> Vec<(i64, u64)> {
        let days: Vec<i64> = view.iter().map(|k| start_of_day(cx.event(base[k as usize]).unwrap().time)).collect();
        let (Some(&d0), Some(&d1)) = (days.first(), days.last()) else { return Vec::new() };
        (0..=(d1 - d0) / DAY_US)
            .map(|i| (d0 + i * DAY_US, days.iter().filter(|d| **d == d0 + i * DAY_US).count() as u64))
            .collect()
    };
    for p in cx.store.principals().iter().copied() {
        let base = filter::positions(&cx.store, Subject::Principal(p));
        let all = View::All(base.len() as u32);
        assert_eq!(filter::day_counts(&cx.store, &base, &all), naive(&base, &all));
        let odd: Vec<u32> = (0..base.len() as u32).filter(|k| k % 3 != 1).collect();
        let some = View::Only(odd.into());
        assert_eq!(filter::day_counts(&cx.store, &base, &some), naive(&base, &some));
    }
    let empty = View::Only(Vec::new().into());
    assert!(filter::day_counts(&cx.store, &[], &empty).is_empty());
}

#[test]
fn a_resource_timeline_holds_what_lies_under_it() {
    let cx = ctx();
    let key = cx.store.lookup(fixture::KEY).unwrap();
    let shown: Vec<String> = filter::positions(&cx.store, Subject::Resource(key))
        .iter()
        .map(|&p| cx.s(cx.event(p).unwrap().operation).to_string())
        .collect();
    assert_eq!(shown.len(), 3, "creation, the version's use and the policy change: {shown:?}");
    assert!(shown.iter().any(|o| o.ends_with("Encrypt")), "the key version's Encrypt is in: {shown:?}");
    // A sibling sharing the prefix without a slash is not under the key.
    let bucket = cx.store.lookup("projects/_/buckets/data").unwrap();
    let n = filter::positions(&cx.store, Subject::Resource(bucket)).len();
    let exact =
        cx.store.events().iter().filter(|e| cx.s(e.resource).eq_ignore_ascii_case("projects/_/buckets/data")).count();
    assert_eq!(n, exact);
    assert_eq!(Subject::Resource(key).kind(), "resource (and under it)");
}

#[test]
fn windows_columns_only_when_every_event_is_a_windows_one() {
    let cx = ctx();
    let events = cx.store.events();
    let windows = events.iter().position(|e| e.cloud == crate::model::Cloud::Windows).unwrap() as u32;
    let other = events.iter().position(|e| e.cloud != crate::model::Cloud::Windows).unwrap() as u32;
    assert!(filter::all_windows(&cx.store, &[windows]));
    let mut mixed = [windows, other];
    mixed.sort_unstable();
    assert!(!filter::all_windows(&cx.store, &mixed), "a mixed timeline keeps the cloud columns");
    assert!(!filter::all_windows(&cx.store, &[]));
}
