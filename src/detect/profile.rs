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

/// The "from where" fact: source IP, whether it is new for the principal, user agent.
pub fn from_where(store: &EventStore, e: &crate::model::Event, ip_new: bool) -> String {
    let novelty = if ip_new { " (new for the principal)" } else { " (known)" };
    format!("{}{novelty} · {}", store.str(e.source_ip), store.str(e.user_agent))
}

/// Whether the principal used this source IP before `t`.
pub fn ip_known_before(store: &EventStore, principal: Sym, ip: Sym, t: i64) -> bool {
    if ip.is_empty() {
        return true;
    }
    let events = store.events();
    store
        .slice_by_time(store.principal_events(principal), i64::MIN, t)
        .iter()
        .any(|&i| events[i as usize].source_ip == ip)
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
