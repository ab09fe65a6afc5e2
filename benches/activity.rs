//! The 30-day activity-vs-engagement view for one principal with the whole store loaded:
//! `cargo bench --bench activity [EVENTS]` (default 10 M events over 1,000 principals). The view
//! reads the principal index, so its cost follows the principal's events, not the store's.

use std::time::Instant;
use trailwatch::activity::views::{IdKind, default_range, org_days, principal_days};
use trailwatch::model::{Cloud, Event, Outcome, PrincipalKind, SourceRef, Sym};
use trailwatch::store::{EventStore, Interner};
use trailwatch::time::{DAY_US, parse_time};

fn store(n: usize, principals: usize) -> EventStore {
    let mut s = Interner::new();
    let who: Vec<Sym> = (0..principals).map(|i| s.intern(&format!("user{i}@example.com"))).collect();
    let ops: Vec<Sym> = (0..300).map(|i| s.intern(&format!("svc.v1.Method{i}"))).collect();
    let res: Vec<Sym> = (0..20_000).map(|i| s.intern(&format!("projects/p/buckets/b{i}"))).collect();
    let ips: Vec<Sym> = (0..500).map(|i| s.intern(&format!("10.1.{}.{}", i / 250, i % 250))).collect();
    let svc = s.intern("svc.googleapis.com");
    let start = parse_time("2026-10-01T00:00:00Z").unwrap();
    let step = (30 * DAY_US / n as i64).max(1);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    };
    let events = (0..n)
        .map(|i| {
            let p = next() % principals;
            Event {
                time: start + i as i64 * step,
                cloud: Cloud::Gcp,
                principal_kind: PrincipalKind::User,
                outcome: Outcome::Success,
                principal: who[p],
                service: svc,
                operation: ops[(p * 7 + next() % 12) % ops.len()],
                resource: res[(p * 13 + next() % 40) % res.len()],
                source_ip: ips[(p + next() % 3) % ips.len()],
                user_agent: Sym::EMPTY,
                status: Sym::EMPTY,
                region: Sym::EMPTY,
                computer: Sym::EMPTY,
                process: Sym::EMPTY,
                parent: Sym::EMPTY,
                command_line: Sym::EMPTY,
                target: Sym::EMPTY,
                flags: 0,
                src: SourceRef { file: 0, line: 1, index: SourceRef::NO_INDEX, offset: 0, len: 0 },
            }
        })
        .collect();
    EventStore::build(events, s, Vec::new())
}

fn main() {
    let n = std::env::args().filter_map(|a| a.parse::<usize>().ok()).next().unwrap_or(10_000_000);
    let principals = 1_000;
    let t = Instant::now();
    let st = store(n, principals);
    eprintln!("built {n} events in {:.1} s", t.elapsed().as_secs_f64());
    let (start, end) = default_range(st.span().unwrap().1);
    let who = st.principals()[principals / 2];
    println!(
        "| view ({n} events, {principals} principals; this principal: {} events) | time ms |",
        st.principal_events(who).len()
    );
    println!("|---|---|");
    for id in IdKind::PRINCIPAL_CYCLE {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let rows = principal_days(&st, who, id, start, end);
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(rows.len(), 30);
        }
        println!("| principal, id = {} (best of 5) | {best:.2} |", id.as_str());
    }
    let t = Instant::now();
    let rows = org_days(&st, start, end);
    println!("| organisation, id = principal (once) | {:.0} |", t.elapsed().as_secs_f64() * 1e3);
    assert_eq!(rows.len(), 30);
}
