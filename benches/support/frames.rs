//! Keystroke cost on a large timeline, shared by the `frames` benchmark and the `tui_perf` test:
//! a synthetic store (built directly, no parsing, so the time goes where the TUI spends it), one
//! alert in the middle, and a script of contract keys measured with `bench_keystroke` (update,
//! raw-record read and a full render into a 100×30 `TestBackend`): the time to the first frame
//! after the key, and the time until the work it started is done and drawn.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use trailwatch::detect::{Alert, Evidence, Pivot, Severity};
use trailwatch::ingest::LoadReport;
use trailwatch::model::{Cloud, Event, Outcome, PrincipalKind, SourceRef, Sym};
use trailwatch::store::{EventStore, FileInfo, Interner, Origin};
use trailwatch::time::{DAY_US, parse_time};
use trailwatch::tui::screens::ScreenKind;
use trailwatch::tui::{App, TuiOptions, bench_keystroke};

/// A store with `n` events over 30 days shared round-robin by `principals` principals (the first,
/// `busy@example.com`, is the alert's), and one alert on an event of it in the middle.
pub fn synthetic(n: usize, principals: usize) -> (EventStore, Alert) {
    let mut s = Interner::new();
    let people: Vec<Sym> = (0..principals.max(1))
        .map(|i| if i == 0 { s.intern("busy@example.com") } else { s.intern(&format!("user{i}@example.com")) })
        .collect();
    let services: Vec<Sym> = (0..40).map(|i| s.intern(&format!("svc{i}.googleapis.com"))).collect();
    let ops: Vec<Sym> = (0..2000).map(|i| s.intern(&format!("google.svc.v1.Method{i}"))).collect();
    let resources: Vec<Sym> =
        (0..50_000).map(|i| s.intern(&format!("projects/p/buckets/b{}/objects/o{i}", i % 97))).collect();
    let ips: Vec<Sym> = (0..200).map(|i| s.intern(&format!("10.0.{}.{}", i / 250, i % 250))).collect();
    let (ua, denied, region) = (s.intern("gcloud/400"), s.intern("PERMISSION_DENIED"), s.intern("europe-west1"));
    let record = json!({"protoPayload": {"methodName": "google.svc.v1.Method1"}, "timestamp": "2026-10-01T00:00:00Z"});
    let bytes: Arc<[u8]> = record.to_string().into_bytes().into();
    let len = bytes.len() as u32;
    let start = parse_time("2026-10-01T00:00:00Z").unwrap();
    let step = 30 * DAY_US / n as i64;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    };
    let events: Vec<Event> = (0..n)
        .map(|i| {
            let failed = next() % 100 == 0;
            Event {
                time: start + i as i64 * step,
                cloud: Cloud::Gcp,
                principal_kind: PrincipalKind::User,
                outcome: if failed { Outcome::Failure } else { Outcome::Success },
                principal: people[i % people.len()],
                service: services[next() % services.len()],
                operation: ops[(next() % ops.len()).min(next() % ops.len())],
                resource: resources[next() % resources.len()],
                source_ip: ips[next() % ips.len()],
                user_agent: ua,
                status: if failed { denied } else { Sym::EMPTY },
                region,
                computer: Sym::EMPTY,
                process: Sym::EMPTY,
                parent: Sym::EMPTY,
                command_line: Sym::EMPTY,
                target: Sym::EMPTY,
                flags: 0,
                src: SourceRef { file: 0, line: 1, index: SourceRef::NO_INDEX, offset: 0, len },
            }
        })
        .collect();
    let file = FileInfo {
        name: "synthetic.jsonl".into(),
        origin: Origin::Memory(bytes),
        bytes: u64::from(len),
        gzip: false,
        records: n as u64,
        events: n as u64,
        skipped: 0,
        ignored: 0,
        baseline: false,
    };
    let reader = std::sync::Arc::new(trailwatch::ingest::raw::Reader::default());
    let store = EventStore::build(events, s, vec![file]).with_reader(reader);
    let p = people.len();
    let trigger = (n / 2 / p * p) as u32;
    let e = store.events()[trigger as usize];
    let alert = Alert {
        id: "nac-synthetic".into(),
        detector: "new-api-call",
        title: "New GCP API Call".into(),
        severity: Severity::High,
        severity_reasons: vec!["synthetic".into()],
        time: e.time,
        cloud: Cloud::Gcp,
        principal: "busy@example.com".into(),
        principal_kind: PrincipalKind::User,
        key: vec![("method".into(), store.str(e.operation).into())],
        summary: "synthetic alert".into(),
        evidence: (0..20)
            .map(|k| trigger as usize + k * 1000 * p)
            .filter(|&i| i < n)
            .enumerate()
            .map(|(k, i)| Evidence::new(i as u32, if k == 0 { Pivot::Trigger } else { Pivot::Repeat }, "x"))
            .collect(),
        mitre: vec![],
        facts: vec![],
        enrichment: json!({}),
        incident: None,
    };
    (store, alert)
}

pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

/// Measures a script of keys on the timeline; returns (label, first frame, result drawn) per
/// step.
pub fn measure(n: usize, principals: usize) -> Vec<(String, Duration, Duration)> {
    let t0 = Instant::now();
    let (store, alert) = synthetic(n, principals);
    eprintln!("built {n} events in {:?}", t0.elapsed());
    let now = store.span().unwrap().1;
    let opts = TuiOptions { title: "synthetic".into(), ..TuiOptions::default() };
    let mut app = App::in_memory(Arc::new(store), LoadReport::default(), vec![alert], opts, now);
    let size = (100, 30);
    let mut out = Vec::new();
    let mut step = |label: &str, k: KeyEvent, app: &mut App| {
        let (frame, done) = bench_keystroke(app, k, size);
        out.push((label.to_string(), frame, done));
    };
    // Opening the activity view, the checklist and the timeline, and each filter, start work
    // over the principal's events off the keystroke: the first frame and the result are both
    // measured.
    step("Enter: open the detail", code(KeyCode::Enter), &mut app);
    step("Esc: back", code(KeyCode::Esc), &mut app);
    step("a: open activity", key('a'), &mut app);
    step("i: by resource", key('i'), &mut app);
    step("o: organisation", key('o'), &mut app);
    step("Esc: back", code(KeyCode::Esc), &mut app);
    step("c: open the checklist", key('c'), &mut app);
    step("Esc: back", code(KeyCode::Esc), &mut app);
    step("t: open the timeline", key('t'), &mut app);
    assert_eq!(app.screen(), ScreenKind::Timeline);
    for _ in 0..5 {
        step("j", key('j'), &mut app);
    }
    step("PgDn", code(KeyCode::PageDown), &mut app);
    step("G", key('G'), &mut app);
    step("g", key('g'), &mut app);
    step("]", key(']'), &mut app);
    step("m", key('m'), &mut app);
    step("x: failures only", key('x'), &mut app);
    step("x: all again", key('x'), &mut app);
    step("n: first seen only", key('n'), &mut app);
    step("n: all again", key('n'), &mut app);
    step("v: one service", key('v'), &mut app);
    step("v: all again", key('v'), &mut app);
    step("/", key('/'), &mut app);
    for c in "method1".chars() {
        step(&format!("type {c}"), key(c), &mut app);
    }
    step("Backspace", code(KeyCode::Backspace), &mut app);
    step("Enter", code(KeyCode::Enter), &mut app);
    step("j (filtered)", key('j'), &mut app);
    step("Esc: back", code(KeyCode::Esc), &mut app);
    out
}

pub fn report(rows: &[(String, Duration, Duration)]) {
    for (label, frame, done) in rows {
        eprintln!("{:>24}  {:>9.3} ms  {:>9.3} ms", label, frame.as_secs_f64() * 1e3, done.as_secs_f64() * 1e3);
    }
}
