//! Update tests of the checklist screen: actions sent to its state over the crafted fixture,
//! with state and effects asserted; no terminal.

use super::*;
use crate::tui::testkit::{alert_of, area, ctx, key};

fn kms() -> (ChecklistState, Ctx, usize) {
    let cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let mut c = ChecklistState::new(&cx, a, area());
    crate::tui::work::settle(&cx.bell.clone(), None, || {
        c.poll();
        c.busy()
    });
    (c, cx, a)
}

#[test]
fn steps_come_from_the_playbook_with_answers() {
    let (c, cx, a) = kms();
    let pb = cx.cases.playbook("kms-key-created").unwrap();
    assert_eq!(c.items.len(), pb.len());
    assert_eq!(c.items[0].phase, Phase::Investigate);
    assert_eq!(c.items.last().unwrap().phase, Phase::Resolve);
    assert!(c.items.iter().any(|i| !i.answer.events.is_empty()));
    assert_eq!(c.progress(&cx), (0, pb.len()));
    assert!(c.problem.is_none());
    assert_eq!(c.alert, a);
}

#[test]
fn space_ticks_and_asks_for_a_save() {
    let (mut c, mut cx, a) = kms();
    assert_eq!(c.action(&key(' ')), Some(Action::ToggleItem));
    assert_eq!(c.update(Action::ToggleItem, &mut cx), Some(Effect::SaveCase { alert: a }));
    assert_eq!(c.progress(&cx).0, 1);
    assert!(cx.cases.case(a).unwrap().is_done(&c.items[0].id));
    assert_eq!(cx.cases.status(a), crate::case::Status::Investigating, "the first tick starts the investigation");
    c.update(Action::ToggleItem, &mut cx);
    assert_eq!(c.progress(&cx).0, 0);
}

#[test]
fn notes_are_typed_inline() {
    let (mut c, mut cx, a) = kms();
    c.update(Action::Nav(Nav::Down), &mut cx);
    c.update(Action::StartNote, &mut cx);
    assert_eq!(c.action(&key(' ')), Some(Action::Edit(Edit::Insert(' '))), "Space types in a note");
    for ch in "asked".chars() {
        c.update(Action::Edit(Edit::Insert(ch)), &mut cx);
    }
    assert_eq!(c.update(Action::Edit(Edit::Submit), &mut cx), Some(Effect::SaveCase { alert: a }));
    let id = c.items[1].id.clone();
    assert_eq!(cx.cases.case(a).unwrap().step(&id).unwrap().note, "asked");
    c.update(Action::StartNote, &mut cx);
    assert_eq!(c.note.text, "asked", "editing starts from the saved note");
    c.update(Action::Edit(Edit::Insert('!')), &mut cx);
    assert_eq!(c.update(Action::Edit(Edit::Cancel), &mut cx), None);
    assert_eq!(cx.cases.case(a).unwrap().step(&id).unwrap().note, "asked");
}

#[test]
fn enter_jumps_to_the_evidence() {
    let (mut c, mut cx, a) = kms();
    let with_events = c.items.iter().position(|i| !i.answer.events.is_empty()).unwrap();
    c.cursor.select(with_events);
    let first = c.items[with_events].answer.events[0];
    let Some(Effect::Open(Open::Timeline { at, alert, .. })) = c.update(Action::JumpToEvidence, &mut cx) else {
        panic!("expected a timeline");
    };
    assert_eq!((at, alert), (At::Event(first), a));
    let without = c.items.iter().position(|i| i.answer.events.is_empty() && i.pivot.is_none()).unwrap();
    c.cursor.select(without);
    assert!(matches!(c.update(Action::JumpToEvidence, &mut cx), Some(Effect::Notify(_))));
}

#[test]
fn free_case_notes_are_added_and_saved() {
    let (mut c, mut cx, a) = kms();
    assert_eq!(c.action(&key('N')), Some(Action::StartCaseNote));
    c.update(Action::StartCaseNote, &mut cx);
    assert_eq!(c.action(&key('q')), Some(Action::EditCaseNote(Edit::Insert('q'))), "keys type into the note");
    for ch in "called the owner".chars() {
        c.update(Action::EditCaseNote(Edit::Insert(ch)), &mut cx);
    }
    assert_eq!(c.update(Action::EditCaseNote(Edit::Submit), &mut cx), Some(Effect::SaveCase { alert: a }));
    let notes = &cx.cases.case(a).unwrap().notes;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].text, "called the owner");
    assert!(!c.case_note.editing);
    // An empty note is not saved.
    c.update(Action::StartCaseNote, &mut cx);
    assert_eq!(c.update(Action::EditCaseNote(Edit::Submit), &mut cx), None);
    assert_eq!(cx.cases.case(a).unwrap().notes.len(), 1);
}

#[test]
fn steps_show_and_tick_while_their_answers_are_read() {
    let mut cx = ctx();
    let a = alert_of(&cx, "kms-key-created");
    let mut c = ChecklistState::new(&cx, a, area());
    assert!(c.busy() && !c.items.is_empty());
    assert!(c.items.iter().all(|i| i.answer.events.is_empty()), "nothing is taken before poll");
    assert_eq!(c.update(Action::ToggleItem, &mut cx), Some(Effect::SaveCase { alert: a }));
    assert!(
        matches!(c.update(Action::JumpToEvidence, &mut cx), Some(Effect::Notify(m)) if m.starts_with("still reading"))
    );
    crate::tui::work::settle(&cx.bell.clone(), None, || {
        c.poll();
        c.busy()
    });
    assert!(c.items.iter().any(|i| !i.answer.events.is_empty()));
    assert_eq!(c.progress(&cx).0, 1);
}
