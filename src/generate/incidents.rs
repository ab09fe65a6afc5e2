//! The planted stories and the benign look-alikes: exactly which extra calls the generator
//! inserts, when, by whom, and which alerts they should (or must not) raise. Everything is a
//! pure function of the config, so [`planned_incidents`] can answer without writing files.
//!
//! Placement: stories lie after the detectors' 7-day learning period (with fewer than 10 days,
//! after the first 70 % of the range), each at a fixed fraction of the remaining days, moved
//! to a weekday where the story needs one.
//!
//! The stories themselves (and the list of benign look-alikes) are in [`super::stories`];
//! this file owns the plan's types, the placement rules and the public listing functions.

use super::org::{Principal, Span};
use super::util::{HOUR, MIN, Rng, SEC, weekday};
use super::{Cloud, GenerateConfig, PlantedIncident, span, stories};

/// One planted call.
#[derive(Clone, Debug)]
pub(crate) struct Planted {
    pub(crate) cloud: Cloud,
    pub(crate) t: i64,
    /// Roster key of the caller.
    pub(crate) who: String,
    pub(crate) op: u16,
    pub(crate) res: String,
    pub(crate) extra: String,
    /// Story detail (rotation flag, request body, command line…).
    pub(crate) detail: String,
    pub(crate) ip: Option<String>,
    pub(crate) ua: Option<String>,
    pub(crate) fail: bool,
    /// Azure: force the resource-id letter case (`Some(true)` = upper).
    pub(crate) upper: Option<bool>,
}

/// A planted call bound to its caller's roster index.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub(crate) who: u16,
    pub(crate) item: Planted,
}

/// All planted calls with the alerts they imply.
#[derive(Default)]
pub(crate) struct Plan {
    pub(crate) items: Vec<Planted>,
    pub(crate) incidents: Vec<PlantedIncident>,
    pub(crate) lookalikes: Vec<PlantedIncident>,
    /// Alerts that follow from the stories besides their main one.
    pub(crate) side: Vec<PlantedIncident>,
    pub(crate) quiet_day: Option<u32>,
}

/// Plan under construction: placement helpers plus the lists being filled.
pub(crate) struct B<'a> {
    pub(crate) span: &'a Span,
    /// First day after the learning period.
    pub(crate) learn: u32,
    pub(crate) rng: Rng,
    pub(crate) plan: Plan,
}

impl B<'_> {
    /// Day at fraction `frac` of the post-learning range, moved to a weekday if asked.
    pub(crate) fn day(&self, frac: f64, need_weekday: bool) -> u32 {
        let n = self.span.ndays;
        let d0 = (self.learn + (frac * f64::from(n - self.learn)) as u32).min(n - 1);
        let wd = |d: u32| weekday(self.span.day_start(d)) < 5;
        if !need_weekday || wd(d0) {
            return d0;
        }
        (d0..n).find(|&d| wd(d)).or_else(|| (self.learn..d0).rev().find(|&d| wd(d))).unwrap_or(d0)
    }
    /// `hh:mm` on day `d` plus up to a minute of jitter, kept inside the range.
    pub(crate) fn at(&mut self, d: u32, hh: i64, mm: i64) -> i64 {
        let t = self.span.day_start(d) + hh * HOUR + mm * MIN + self.rng.between(0, 59 * SEC);
        t.clamp(self.span.start, self.span.end - 1)
    }
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn call(
        &mut self,
        cloud: Cloud,
        t: i64,
        who: &str,
        op: u16,
        res: &str,
        extra: &str,
        ip: Option<&str>,
    ) -> &mut Planted {
        self.plan.items.push(Planted {
            cloud,
            t,
            who: who.to_owned(),
            op,
            res: res.to_owned(),
            extra: extra.to_owned(),
            detail: String::new(),
            ip: ip.map(str::to_owned),
            ua: None,
            fail: false,
            upper: None,
        });
        let n = self.plan.items.len() - 1;
        &mut self.plan.items[n]
    }
}

/// Which list a [`B::note`] goes to.
#[derive(Clone, Copy)]
pub(crate) enum List {
    /// The story's main alert.
    Incident,
    /// An alert that follows from a story.
    Side,
    /// A benign look-alike (the detector must not fire).
    Lookalike,
}

/// What an alert is about: who, when, and the new thing.
pub(crate) struct Subject<'a> {
    pub(crate) cloud: Cloud,
    pub(crate) who: &'a str,
    pub(crate) t: i64,
    pub(crate) key: &'a str,
}

impl B<'_> {
    /// Records an expected (or, for look-alikes, unexpected) alert.
    pub(crate) fn note(&mut self, list: List, detector: &'static str, s: Subject<'_>, description: &str) {
        let i = PlantedIncident {
            detector,
            cloud: s.cloud,
            principal: s.who.to_owned(),
            time: s.t,
            key: s.key.to_owned(),
            description: description.to_owned(),
        };
        match list {
            List::Incident => self.plan.incidents.push(i),
            List::Side => self.plan.side.push(i),
            List::Lookalike => self.plan.lookalikes.push(i),
        }
    }
}

/// Computes every planted call of a config.
pub(crate) fn plan(cfg: &GenerateConfig, span: &Span) -> Plan {
    let learn_days = if cfg.days >= 10 { 7 } else { (f64::from(cfg.days) * 0.7).ceil() as u32 };
    let mut b =
        B { span, learn: learn_days.min(span.ndays - 1), rng: Rng::new(&[cfg.seed, 0x1c1d]), plan: Plan::default() };
    stories::gcp(&mut b);
    stories::azure(&mut b);
    stories::aws(&mut b);
    stories::windows(&mut b);
    let keep = |c: Cloud| cfg.clouds.contains(&c);
    let mut p = b.plan;
    p.items.retain(|i| keep(i.cloud) && span.contains(i.t));
    p.incidents.retain(|i| keep(i.cloud));
    p.lookalikes.retain(|i| keep(i.cloud));
    p.side.retain(|i| keep(i.cloud));
    if !keep(Cloud::Windows) {
        p.quiet_day = None;
    }
    p
}

/// The planted items of one cloud bound to roster indexes (items whose caller is missing are
/// dropped).
pub(crate) fn resolve(plan: &Plan, cloud: Cloud, roster: &[Principal]) -> Vec<Resolved> {
    plan.items
        .iter()
        .filter(|i| i.cloud == cloud)
        .filter_map(|i| {
            let who = roster.iter().position(|p| p.key == i.who)?;
            Some(Resolved { who: who as u16, item: i.clone() })
        })
        .collect()
}

/// The incidents [`super::generate`] plants for `cfg`, in story order.
pub fn planned_incidents(cfg: &GenerateConfig) -> Vec<PlantedIncident> {
    plan(cfg, &span(cfg)).incidents
}

/// The benign look-alikes planted for `cfg`; `detector` names the detector that must NOT fire.
pub fn planned_lookalikes(cfg: &GenerateConfig) -> Vec<PlantedIncident> {
    plan(cfg, &span(cfg)).lookalikes
}

/// Every alert the default detectors should raise on the output: the planted incidents plus
/// the alerts that follow from them on every cloud — each planted call that is a principal's
/// first use of an operation (`new-api-call`, key = operation name) or of a resource
/// (`new-resource-access`, key = resource) — sorted by time.
pub fn expected_alerts(cfg: &GenerateConfig) -> Vec<PlantedIncident> {
    let p = plan(cfg, &span(cfg));
    let mut v = p.incidents;
    v.extend(p.side);
    v.sort_by_key(|i| i.time);
    v
}
