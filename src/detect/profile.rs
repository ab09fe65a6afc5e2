//! What a principal did before a moment: the history an alert's summary states as its baseline,
//! and whether a source IP is new for the principal.
//!
//! Reads the store's per-principal index only (a slice of time-ordered positions), never the whole
//! store.

use crate::model::Sym;
use crate::store::EventStore;
use crate::time::DAY_US;
use foldhash::HashSet;

/// A principal's history before an instant.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// Events before the instant.
    pub calls: usize,
    /// Distinct services called.
    pub services: usize,
    /// Days from the first event to the instant.
    pub days: f64,
}

impl History {
    /// E.g. `after 23 days of history with 1,204 calls to 6 services`.
    pub fn describe(&self) -> String {
        if self.calls == 0 {
            return "with no earlier activity in the loaded logs".into();
        }
        format!(
            "after {} days of history with {} call{} to {} service{}",
            self.days.floor() as i64,
            thousands(self.calls as u64),
            if self.calls == 1 { "" } else { "s" },
            self.services,
            if self.services == 1 { "" } else { "s" }
        )
    }
}

/// `1204` → `1,204`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The principal's history strictly before `t`.
pub fn history_before(store: &EventStore, principal: Sym, t: i64) -> History {
    let before = store.slice_by_time(store.principal_events(principal), i64::MIN, t);
    let events = store.events();
    let services: HashSet<Sym> = before.iter().map(|&i| events[i as usize].service).collect();
    let days = before.first().map_or(0.0, |&i| (t - events[i as usize].time) as f64 / DAY_US as f64);
    History { calls: before.len(), services: services.len(), days }
}

/// The "when" fact: RFC 3339 UTC, the time in the configured business-hours zone, and whether
/// it falls outside business hours (every detector flags that the same way).
pub fn when(cfg: &super::Config, e: &crate::model::Event) -> String {
    when_at(cfg, e.time)
}

/// [`when`] for an instant.
pub fn when_at(cfg: &super::Config, t: i64) -> String {
    let off = if cfg.hours.off_hours(t) { ", outside business hours" } else { "" };
    format!("{} ({}){off}", crate::time::format_rfc3339(t), cfg.hours.local(t))
}

/// The "from where" fact: source IP, how new it is for the principal, user agent.
pub fn from_where(store: &EventStore, e: &crate::model::Event, novelty: Novelty) -> String {
    let (known, since) = novelty.fields();
    let text = super::render::novelty_text(Some(known), since.as_deref(), true);
    format!("{} ({text}) · {}", store.str(e.source_ip), store.str(e.user_agent))
}

/// How new a source address is for a principal at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Novelty {
    /// The principal used it in the baseline (before detection starts).
    Known,
    /// First used after the baseline, at this instant (µs), before the moment asked about: new
    /// since then, even minutes earlier in the same session.
    NewSince(i64),
    /// Never used by the principal before the moment asked about.
    New,
}

impl Novelty {
    /// True unless known from the baseline.
    pub fn is_new(self) -> bool {
        self != Novelty::Known
    }

    /// `known` or `false`/`new since …` as the alert JSON carries it: (known, new_since).
    pub fn fields(self) -> (bool, Option<String>) {
        match self {
            Novelty::Known => (true, None),
            Novelty::NewSince(t) => (false, Some(crate::time::format_rfc3339(t))),
            Novelty::New => (false, None),
        }
    }
}

/// Whether the principal used `ip` in the baseline (before `start`), first used it after the
/// baseline but before `t`, or never before `t`. An empty address is known.
pub fn ip_novelty(store: &EventStore, principal: Sym, ip: Sym, t: i64, start: i64) -> Novelty {
    if ip.is_empty() {
        return Novelty::Known;
    }
    let events = store.events();
    let before = store.slice_by_time(store.principal_events(principal), i64::MIN, t);
    match before.iter().map(|&i| &events[i as usize]).find(|e| e.source_ip == ip) {
        None => Novelty::New,
        Some(e) if e.time < start => Novelty::Known,
        Some(e) => Novelty::NewSince(e.time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn history_text() {
        let h = History { calls: 1204, services: 6, days: 23.7 };
        assert_eq!(h.describe(), "after 23 days of history with 1,204 calls to 6 services");
        assert_eq!(
            History { calls: 0, services: 0, days: 0.0 }.describe(),
            "with no earlier activity in the loaded logs"
        );
    }
}
