//! `rare-process`: a process never seen before for a (process, computer, account) combination on
//! Windows hosts, built on the activity engine the rare-process hunt uses.
//!
//! Process-creation events (Security 4688, Sysmon 1) go through the hunt's exclusion list, then
//! `activity_counts_metrics` with dimensions (process, computer, account) over the whole loaded
//! range finds each combination's first day, and fleet-wide `activity_engagement` (1 d / 7 d)
//! gives that day's ratio. Unlike the raw hunt, the learning period is skipped, so the first days
//! of data are not "all new": one alert per combination first seen after detection starts.
//!
//! The hunt's exclusions apply to rarity only. Every process start, `\Windows\System32`
//! included, is also checked for [`process_traits`](super::process_traits) — a shell started by
//! a web server or Office, an encoded command line, an offensive tool by name: the first such
//! start of a (process, computer, account, kind of trait) after detection starts alerts on its
//! own, and a rare process with a trait scores higher. What the principal already did that way
//! during learning is routine and stays quiet.

use super::process_traits::{self, Trait};
use super::score::Score;
use super::{Alert, Config, Evidence, Pivot, alert_id};
use crate::activity::hunt::is_excluded;
use crate::activity::metrics::{Row, counts_metrics, engagement};
use crate::model::{Cloud, Sym};
use crate::store::EventStore;
use crate::time::{DAY_US, format_day, format_rfc3339, start_of_day};
use foldhash::{HashMap, HashMapExt};
use serde_json::json;

/// Paths where users (and malware) can write.
const USER_WRITABLE: [&str; 6] =
    ["\\users\\public\\", "\\appdata\\", "\\temp\\", "\\downloads\\", "\\perflogs\\", "\\$recycle.bin\\"];

type Triple = (Sym, Sym, Sym);

/// The detector's registry entry.
pub(super) const SPEC: super::DetectorSpec = super::DetectorSpec {
    name: "rare-process",
    short: "rare-proc",
    title: "Rare Process on Windows Host",
    playbook: include_str!("../../assets/playbooks/rare-process.toml"),
    pass: super::Pass::Own(detect),
    wants: None,
};

pub(super) fn detect(store: &EventStore, cfg: &Config, start: i64) -> Vec<Alert> {
    let events = store.events();
    let procs: Vec<u32> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| store.is_process_creation(e) && !is_excluded(store.str(e.process)))
        .map(|(i, _)| i as u32)
        .collect();
    let (Some(&first), Some(&last)) = (procs.first(), procs.last()) else {
        return Vec::new();
    };
    let range = (start_of_day(events[first as usize].time), start_of_day(events[last as usize].time));

    let rows: Vec<Row<Triple>> = procs
        .iter()
        .map(|&i| {
            let e = &events[i as usize];
            Row { time: start_of_day(e.time), id: Some(e.process.0), dims: (e.process, e.computer, e.principal) }
        })
        .collect();
    let fleet: Vec<Row<()>> = rows.iter().map(|r| Row { time: r.time, id: r.id, dims: () }).collect();
    let counts = counts_metrics(&rows, range.0, range.1, DAY_US);
    let day_ratio: HashMap<i64, (i64, i64, f64)> = engagement(&fleet, range.0, range.1, DAY_US, 7 * DAY_US)
        .into_iter()
        .map(|r| (r.time, (r.dcount_activities_inner, r.dcount_activities_outer, r.activity_ratio)))
        .collect();

    // First event of each triple, first time each process path ran anywhere, hosts per process.
    let mut first_event: HashMap<Triple, u32> = HashMap::new();
    let mut path_first: HashMap<Sym, i64> = HashMap::new();
    let mut hosts: HashMap<Sym, Vec<Sym>> = HashMap::new();
    for &i in &procs {
        let e = &events[i as usize];
        first_event.entry((e.process, e.computer, e.principal)).or_insert(i);
        path_first.entry(e.process).or_insert(e.time);
        let h = hosts.entry(e.process).or_default();
        if !h.contains(&e.computer) {
            h.push(e.computer);
        }
    }

    // Traits of every process start, worked out once per (process, parent, command line).
    let mut memo: HashMap<(Sym, Sym, Sym), Vec<Trait>> = HashMap::new();
    let mut traits_of = |i: u32| -> Vec<Trait> {
        let e = &events[i as usize];
        memo.entry((e.process, e.parent, e.command_line))
            .or_insert_with(|| process_traits::of(store.str(e.process), store.str(e.parent), store.str(e.command_line)))
            .clone()
    };

    let mut out: Vec<Alert> = Vec::new();
    let mut rare_triggers: Vec<u32> = Vec::new();
    for r in counts.into_iter().filter(|r| r.new_dcount == 1) {
        let Some(&trigger) = first_event.get(&r.dims) else { continue };
        let e = &events[trigger as usize];
        if e.time < start {
            continue;
        }
        let day = start_of_day(e.time);
        let ratio = day_ratio.get(&day).copied().unwrap_or((0, 0, 1.0));
        let new_path = path_first.get(&r.dims.0).is_none_or(|&t| t >= e.time);
        let found = Found {
            triple: r.dims,
            trigger,
            ratio,
            new_path,
            hosts: hosts.get(&r.dims.0).map_or(0, Vec::len),
            traits: traits_of(trigger),
            rare: true,
        };
        rare_triggers.push(trigger);
        out.push(build(store, cfg, start, found));
    }

    // Suspicious starts, rare or not, excluded folders included: the first of each kind per
    // (process, computer, account); one seen during learning makes the kind routine there.
    let mut first_trait: HashMap<(Triple, &'static str), (u32, Trait)> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if e.cloud != Cloud::Windows || !store.is_process_creation(e) {
            continue;
        }
        for t in traits_of(i as u32) {
            first_trait.entry(((e.process, e.computer, e.principal), t.class)).or_insert((i as u32, t));
        }
    }
    let mut candidates: Vec<(u32, Triple)> = first_trait
        .iter()
        .filter(|(_, (i, _))| events[*i as usize].time >= start && !rare_triggers.contains(i))
        .map(|((triple, _), (i, _))| (*i, *triple))
        .collect();
    candidates.sort_unstable_by_key(|(i, _)| *i);
    candidates.dedup_by_key(|(i, _)| *i);
    for (trigger, triple) in candidates {
        let e = &events[trigger as usize];
        let found = Found {
            triple,
            trigger,
            ratio: day_ratio.get(&start_of_day(e.time)).copied().unwrap_or((0, 0, 1.0)),
            new_path: false,
            hosts: hosts.get(&triple.0).map_or(0, Vec::len),
            traits: traits_of(trigger),
            rare: false,
        };
        out.push(build_trait(store, cfg, start, found));
    }
    out
}

/// What one alert is built from.
struct Found {
    triple: Triple,
    trigger: u32,
    ratio: (i64, i64, f64),
    new_path: bool,
    hosts: usize,
    traits: Vec<Trait>,
    /// First seen for its (process, computer, account): a rare-process alert, else a trait alert.
    rare: bool,
}

/// A suspicious start of a process that is not rare (or that the hunt excludes): its traits
/// are the alert. Its id is built like a rare alert's (account, computer, process, time): a
/// start is never both, so ids stay unique and an engine's result row maps to the same id.
fn build_trait(store: &EventStore, cfg: &Config, start: i64, f: Found) -> Alert {
    build(store, cfg, start, f)
}

fn build(store: &EventStore, cfg: &Config, start: i64, f: Found) -> Alert {
    let Found { triple: t, trigger, ratio, new_path, hosts: host_count, traits, rare } = f;
    let events = store.events();
    let e = &events[trigger as usize];
    let (process, computer, account) = (store.str(t.0), store.str(t.1), store.str(t.2));
    let lower = process.to_ascii_lowercase();
    let writable = USER_WRITABLE.iter().any(|w| lower.contains(w));
    let runs: Vec<u32> = store
        .principal_events(e.principal)
        .iter()
        .copied()
        .filter(|&i| {
            let x = &events[i as usize];
            x.process == t.0 && x.computer == t.1 && x.time >= e.time
        })
        .collect();

    let mut score = if rare {
        Score::base(2, "process never seen before for this computer and account")
    } else {
        Score::base(1, "a process start with a suspicious trait (not rare: its traits are the alert)")
    };
    for tr in &traits {
        score.add(tr.weight, format!("{} ({}, {})", tr.what, tr.class, tr.technique));
    }
    if new_path {
        score.add(1, "the executable never ran on any host before");
    }
    if writable {
        score.add(1, "runs from a user-writable folder");
    }
    if ratio.2 < 1.0 {
        score.note(format!(
            "the hunting query would list it: {} distinct processes that day vs {} over 7 days (ratio {:.1} %)",
            ratio.0,
            ratio.1,
            ratio.2 * 100.0
        ));
    }
    let (severity, severity_reasons) = score.finish();
    let traits_text: Vec<String> = traits.iter().map(|t| t.what.clone()).collect();
    let summary = if rare {
        format!(
            "{account} ran {process} on {computer} for the first time at {}; {} on {host_count} host(s) in the loaded logs{}",
            format_rfc3339(e.time),
            if new_path { "a process never seen before anywhere" } else { "the process is known elsewhere" },
            if traits.is_empty() { String::new() } else { format!("; {}", traits_text.join("; ")) },
        )
    } else {
        format!("{account} ran {process} on {computer} at {}: {}", format_rfc3339(e.time), traits_text.join("; "))
    };
    let facts = vec![
        ("who".into(), account.to_string()),
        ("what".into(), format!("process {process}")),
        ("started by".into(), store.str(e.parent).to_string()),
        ("command line".into(), store.str(e.command_line).to_string()),
        (
            "suspicious traits".into(),
            if traits.is_empty() {
                "none: no unusual parent, encoded command or known tool".into()
            } else {
                traits_text.join("; ")
            },
        ),
        ("where".into(), format!("computer {computer}")),
        ("when".into(), format!("{}{}", super::profile::when(cfg, e), if rare { " (first seen)" } else { "" })),
        ("hosts running it".into(), host_count.to_string()),
        (
            "day's engagement".into(),
            format!(
                "{} of {} processes active on {} (ratio {:.1} %)",
                ratio.0,
                ratio.1,
                format_day(e.time),
                ratio.2 * 100.0
            ),
        ),
        ("baseline".into(), cfg.describe_from(start)),
    ];
    let what = if rare {
        "trigger: first run of this process for the computer and account"
    } else {
        "trigger: the suspicious process start"
    };
    let mut evidence = vec![Evidence::new(trigger, Pivot::Trigger, what)];
    evidence.extend(runs.iter().skip(1).take(20).map(|&i| Evidence::new(i, Pivot::LaterRuns, "later run")));
    let time = format_rfc3339(e.time);
    let mut mitre: Vec<&'static str> = if rare { vec!["T1204.002"] } else { Vec::new() };
    if writable {
        mitre.push("T1036");
    }
    for tr in &traits {
        if !mitre.contains(&tr.technique) {
            mitre.push(tr.technique);
        }
    }
    Alert {
        id: alert_id(SPEC.name, &[account, computer, process, &time]),
        detector: SPEC.name,
        title: SPEC.title.into(),
        severity,
        severity_reasons,
        time: e.time,
        cloud: Cloud::Windows,
        principal: account.to_string(),
        principal_kind: e.principal_kind,
        key: vec![
            ("process".into(), process.into()),
            ("computer".into(), computer.into()),
            ("account".into(), account.into()),
        ],
        summary,
        evidence,
        mitre,
        facts,
        enrichment: json!({
            "first_seen": time,
            "new_executable": new_path,
            "hosts": host_count,
            "runs": runs.len(),
            "user_writable_path": writable,
            "distribution_1day": ratio.0,
            "distribution_7days": ratio.1,
            "ratio": ratio.2 * 100.0,
            "off_hours": cfg.hours.off_hours(e.time),
            "rare": rare,
            "traits": traits.iter().map(|t| json!({"class": t.class, "what": t.what, "technique": t.technique})).collect::<Vec<_>>(),
        }),
        incident: None,
    }
}
