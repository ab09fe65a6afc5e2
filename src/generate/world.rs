//! The generator's world: the cast per cloud (core principals plus fillers up to
//! `--principals`), the time [`Span`], the planted items bound to their callers, and each
//! principal's share of the event budget. [`CloudWorld`] is everything one (cloud, day) job
//! needs, read-only; [`Call`] is one resolved call handed to a cloud's renderer.

use super::incidents;
use super::org::{self, Principal, Sched, Slot, Span};
use super::util::{self, DAY, Rng, floor_day};
use super::{Cloud, GenerateConfig, aws, azure, gcp, windows};
use anyhow::{Result, bail};

/// A cast member that only exists to reach `--principals`.
#[derive(Clone, Debug)]
pub(crate) struct Filler {
    pub(crate) index: u32,
    pub(crate) given: String,
    pub(crate) family: String,
    pub(crate) seed: u64,
}

const GIVEN: [&str; 24] = [
    "Aisha", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara", "Liam", "Mei",
    "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tessa", "Umar", "Vera", "Wen", "Yusuf",
];
const FAMILY: [&str; 24] = [
    "Abbott",
    "Brandt",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "Gallagher",
    "Horvat",
    "Ibrahim",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rahman",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Whitaker",
    "Zimmer",
];

/// The selected clouds, de-duplicated in canonical order.
pub(crate) fn clouds(cfg: &GenerateConfig) -> Vec<Cloud> {
    let mut c = cfg.clouds.clone();
    c.sort();
    c.dedup();
    c
}

/// The time range of a config.
pub(crate) fn span(cfg: &GenerateConfig) -> Span {
    // Rounded up to a whole second: CloudTrail prints whole seconds, and a record must never
    // read as earlier than the range.
    let exact = cfg.end - i64::from(cfg.days.max(1)) * DAY;
    let start = exact + (util::SEC - exact.rem_euclid(util::SEC)) % util::SEC;
    let day0 = floor_day(start);
    let ndays = ((cfg.end - day0 + DAY - 1) / DAY).max(1) as u32;
    Span { start, end: cfg.end, day0, ndays }
}

/// Everything one (cloud, day) job needs, read-only.
pub(crate) struct CloudWorld {
    pub(crate) cloud: Cloud,
    pub(crate) span: Span,
    pub(crate) seed: u64,
    pub(crate) gzip: bool,
    pub(crate) roster: Vec<Principal>,
    pub(crate) scheds: Vec<Sched>,
    pub(crate) planted: Vec<incidents::Resolved>,
    /// The planted rare-process day (Windows): occasional processes pause.
    pub(crate) quiet: Option<u32>,
}

/// One call with everything resolved, ready to render.
pub(crate) struct Call<'a> {
    pub(crate) t: i64,
    pub(crate) id: u64,
    pub(crate) p: &'a Principal,
    pub(crate) op: u16,
    pub(crate) res: &'a str,
    pub(crate) extra: &'a str,
    pub(crate) detail: &'a str,
    pub(crate) ip: &'a str,
    pub(crate) ua: &'a str,
    pub(crate) fail: bool,
    pub(crate) upper: Option<bool>,
    pub(crate) phase: u8,
}

impl CloudWorld {
    /// All calls of day `d` (habitual and planted), in time order.
    pub(crate) fn day_items(&self, d: u32) -> Vec<Slot> {
        let mut v = Vec::new();
        let day = org::Day { d, span: &self.span, seed: self.seed, quiet: self.quiet };
        for (i, (p, s)) in self.roster.iter().zip(&self.scheds).enumerate() {
            org::day_slots(p, i as u16, s, &day, &mut v);
        }
        for (i, r) in self.planted.iter().enumerate() {
            if self.span.contains(r.item.t) && self.span.day_of(r.item.t) == d {
                let id = util::hash(&[self.seed, 0x91a7, i as u64]);
                v.push(Slot {
                    t: r.item.t,
                    id,
                    p: r.who,
                    h: i as u16,
                    ip: 0,
                    fail: r.item.fail,
                    planted: true,
                    phase: 0,
                });
            }
        }
        v.sort_unstable_by_key(|s| (s.t, s.id));
        v
    }

    /// Resolves a slot against the roster or the planted items.
    pub(crate) fn call(&self, s: &Slot) -> Call<'_> {
        let p = &self.roster[usize::from(s.p)];
        let ip = |i: u8| p.ips.get(usize::from(i)).or(p.ips.first()).map_or("", |x| x.as_str());
        if s.planted {
            let it = &self.planted[usize::from(s.h)].item;
            return Call {
                t: s.t,
                id: s.id,
                p,
                op: it.op,
                res: &it.res,
                extra: &it.extra,
                detail: &it.detail,
                ip: it.ip.as_deref().unwrap_or_else(|| ip(0)),
                ua: it.ua.as_deref().unwrap_or(&p.ua),
                fail: s.fail,
                upper: it.upper,
                phase: s.phase,
            };
        }
        let h = &p.habits[usize::from(s.h)];
        Call {
            t: s.t,
            id: s.id,
            p,
            op: h.op,
            res: &h.res,
            extra: &h.extra,
            detail: "",
            ip: ip(s.ip),
            ua: &p.ua,
            fail: s.fail,
            upper: None,
            phase: s.phase,
        }
    }
}

/// Splits the cast to reach `--principals`: fillers go round-robin to the selected clouds.
fn fillers(cfg: &GenerateConfig, clouds: &[Cloud]) -> Vec<(Cloud, Filler)> {
    let core: u32 = clouds.iter().map(|&c| core_count(c)).sum();
    let n = cfg.principals.saturating_sub(core);
    let mut rng = Rng::new(&[cfg.seed, 0xf111]);
    let off = rng.below(GIVEN.len() as u64) as usize;
    let off2 = rng.below(FAMILY.len() as u64) as usize;
    (0..n)
        .map(|i| {
            let k = i as usize;
            let f = Filler {
                index: i / clouds.len().max(1) as u32,
                given: GIVEN[(off + k) % GIVEN.len()].to_owned(),
                family: FAMILY[(off2 + k * 7) % FAMILY.len()].to_owned(),
                seed: cfg.seed,
            };
            (clouds[k % clouds.len()], f)
        })
        .collect()
}

fn core_count(c: Cloud) -> u32 {
    match c {
        Cloud::Gcp => gcp::CORE,
        Cloud::Azure => azure::CORE,
        Cloud::Aws => aws::CORE,
        Cloud::Windows => windows::CORE,
    }
}

/// Splits a cloud's budget by weight, except that fixed-rate workloads (those with `hourly`
/// habits) get at most 2 extra calls an hour whatever the volume, so their rate stays steady
/// and a planted burst stands out at every `--events`; the rest goes to the others.
fn split_budget(roster: &[Principal], budget: f64, span: &Span) -> Vec<f64> {
    let cap = 2.0 * (span.end - span.start) as f64 / util::HOUR as f64;
    let wsum: f64 = roster.iter().map(|p| p.weight).sum::<f64>().max(1e-9);
    let capped: Vec<Option<f64>> =
        roster.iter().map(|p| (!p.hourly.is_empty()).then(|| (budget * p.weight / wsum).min(cap))).collect();
    let left = budget - capped.iter().flatten().sum::<f64>();
    let free: f64 = roster.iter().zip(&capped).filter(|(_, c)| c.is_none()).map(|(p, _)| p.weight).sum::<f64>();
    roster.iter().zip(&capped).map(|(p, c)| c.unwrap_or(left * p.weight / free.max(1e-9))).collect()
}

/// Builds the per-cloud worlds: rosters, planted items and each principal's daily budget.
pub(crate) fn build(cfg: &GenerateConfig) -> Result<Vec<CloudWorld>> {
    let clouds = clouds(cfg);
    if clouds.is_empty() {
        bail!("no clouds selected");
    }
    let span = span(cfg);
    let fill = fillers(cfg, &clouds);
    let plan = incidents::plan(cfg, &span);
    let quiet = plan.quiet_day;
    let share_total: f64 = clouds.iter().map(|&c| super::share(c)).sum();
    let mut worlds = Vec::new();
    for &cloud in &clouds {
        let mine: Vec<Filler> = fill.iter().filter(|(c, _)| *c == cloud).map(|(_, f)| f.clone()).collect();
        let roster = match cloud {
            Cloud::Gcp => gcp::roster(&mine),
            Cloud::Azure => azure::roster(&mine),
            Cloud::Aws => aws::roster(&mine),
            Cloud::Windows => windows::roster(&mine),
        };
        let planted = incidents::resolve(&plan, cloud, &roster);
        let planted_records: f64 = planted
            .iter()
            .map(|r| if cloud == Cloud::Azure { f64::from(azure::records_of(r.item.op)) } else { 1.0 })
            .sum();
        let fixed: f64 = roster.iter().map(|p| org::hourly_expected(p, &span)).sum();
        let budget = cfg.events as f64 * super::share(cloud) / share_total - planted_records - fixed;
        let budgets = split_budget(&roster, budget.max(0.0), &span);
        let scheds = roster.iter().zip(budgets).map(|(p, b)| org::allocate(p, b, &span, cfg.seed)).collect();
        worlds.push(CloudWorld {
            cloud,
            span,
            seed: cfg.seed,
            gzip: cfg.gzip,
            roster,
            scheds,
            planted,
            quiet: if cloud == Cloud::Windows { quiet } else { None },
        });
    }
    Ok(worlds)
}
