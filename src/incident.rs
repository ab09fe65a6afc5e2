//! Incidents: the alerts that tell one story, grouped.
//!
//! Owns grouping (the same principal within a window of each other, or alerts that share an
//! evidence event), the incident's stable id, title, highest severity and merged time span, and
//! stamping each alert with its incident. Runs after the detectors, over their alerts only: no
//! IO, no clock, nothing drawn.

use crate::detect::{Alert, Severity};
use crate::model::UNKNOWN_PRINCIPAL;
use crate::time::HOUR_US;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The default window: alerts of one principal this close (µs) belong together.
pub const DEFAULT_WINDOW: i64 = 2 * HOUR_US;

/// Alerts that belong together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    /// Stable id: the same alerts give the same id on every run (`inc-` and a hash of the
    /// earliest alert's id).
    pub id: String,
    /// What a person reads first: the most severe alert's title, and how many more.
    pub title: String,
    /// The highest severity of its alerts.
    pub severity: Severity,
    /// Its alerts (indices into the alert list), earliest first.
    pub alerts: Vec<usize>,
    /// The principals involved, in order of first alert.
    pub principals: Vec<String>,
    /// First and last alert time (µs).
    pub span: (i64, i64),
}

/// Groups `alerts` into incidents (most severe, then latest first) and writes each alert's
/// incident id into [`Alert::incident`]. `window` (µs): two alerts of one principal at most this
/// far apart are linked; alerts that share an evidence event are linked whatever their time.
pub fn group(alerts: &mut [Alert], window: i64) -> Vec<Incident> {
    let mut sets = Sets::new(alerts.len());
    // The same principal within the window, chained in time order.
    let mut by_principal: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in alerts.iter().enumerate() {
        if !a.principal.is_empty() && a.principal != UNKNOWN_PRINCIPAL {
            by_principal.entry(a.principal.as_str()).or_default().push(i);
        }
    }
    for list in by_principal.values_mut() {
        list.sort_by_key(|&i| (alerts[i].time, i));
        for w in list.windows(2) {
            if alerts[w[1]].time - alerts[w[0]].time <= window {
                sets.join(w[0], w[1]);
            }
        }
    }
    // Alerts that point at the same event.
    let mut owner: HashMap<u32, usize> = HashMap::new();
    for (i, a) in alerts.iter().enumerate() {
        for ev in &a.evidence {
            match owner.get(&ev.event) {
                Some(&j) => sets.join(i, j),
                None => {
                    owner.insert(ev.event, i);
                }
            }
        }
    }
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..alerts.len() {
        members.entry(sets.root(i)).or_default().push(i);
    }
    let mut incidents: Vec<Incident> = members.into_values().map(|m| incident(alerts, m)).collect();
    incidents.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.span.1.cmp(&a.span.1)).then(a.id.cmp(&b.id)));
    for inc in &incidents {
        for &i in &inc.alerts {
            alerts[i].incident = Some(inc.id.clone());
        }
    }
    incidents
}

fn incident(alerts: &[Alert], mut members: Vec<usize>) -> Incident {
    members.sort_by(|&a, &b| alerts[a].time.cmp(&alerts[b].time).then(alerts[a].id.cmp(&alerts[b].id)));
    let first = &alerts[members[0]];
    let hash = Sha256::digest(first.id.as_bytes());
    let id = format!("inc-{}", hash.iter().take(6).map(|b| format!("{b:02x}")).collect::<String>());
    // The most severe alert names the incident; among equals, one that says what happened (a
    // key or bucket created, a sensitive operation) before a first-seen call, then the earliest.
    let specific = |i: usize| !matches!(alerts[i].detector, "new-api-call" | "new-resource-access");
    let lead = members.iter().copied().enumerate().max_by(|&(x, a), &(y, b)| {
        alerts[a].severity.cmp(&alerts[b].severity).then(specific(a).cmp(&specific(b))).then(y.cmp(&x))
    });
    let lead = lead.map(|(_, i)| i);
    let lead = &alerts[lead.unwrap_or(members[0])];
    let mut principals: Vec<String> = Vec::new();
    for &i in &members {
        if !principals.contains(&alerts[i].principal) {
            principals.push(alerts[i].principal.clone());
        }
    }
    let title = match members.len() {
        1 => lead.title.clone(),
        n => format!("{} and {} more", lead.title, n - 1),
    };
    let last = members.iter().map(|&i| alerts[i].time).max().unwrap_or(first.time);
    Incident { id, title, severity: lead.severity, alerts: members, principals, span: (first.time, last) }
}

/// Disjoint sets over alert indices.
struct Sets(Vec<usize>);

impl Sets {
    fn new(n: usize) -> Sets {
        Sets((0..n).collect())
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Evidence, Pivot};

    fn alert(id: &str, who: &str, minutes: i64, severity: Severity, events: &[u32]) -> Alert {
        Alert {
            severity,
            evidence: events.iter().map(|&e| Evidence::new(e, Pivot::Trigger, "x")).collect(),
            ..Alert::for_test(id, who, minutes * 60_000_000)
        }
    }

    #[test]
    fn one_principal_within_the_window_is_one_incident() {
        let mut alerts = vec![
            alert("a", "alice", 0, Severity::Low, &[1]),
            alert("b", "alice", 90, Severity::High, &[2]),
            alert("c", "alice", 200, Severity::Medium, &[3]), // 110 min after b: chained
            alert("d", "alice", 600, Severity::Low, &[4]),    // 400 min later: a new story
            alert("e", "bob", 10, Severity::Medium, &[5]),
        ];
        let inc = group(&mut alerts, DEFAULT_WINDOW);
        assert_eq!(inc.len(), 3);
        assert_eq!(inc[0].alerts, vec![0, 1, 2], "most severe first, members earliest first");
        assert_eq!(inc[0].severity, Severity::High);
        assert_eq!(inc[0].title, "alert b and 2 more");
        assert_eq!(inc[0].span, (0, 200 * 60_000_000));
        assert_eq!(alerts[0].incident, alerts[2].incident);
        assert_ne!(alerts[0].incident, alerts[3].incident);
        assert_ne!(alerts[0].incident, alerts[4].incident);
        // Stable: the same alerts in another order give the same ids.
        let mut again = alerts.clone();
        again.reverse();
        let ids: Vec<String> = group(&mut again, DEFAULT_WINDOW).into_iter().map(|i| i.id).collect();
        assert_eq!(ids, inc.iter().map(|i| i.id.clone()).collect::<Vec<_>>());
    }

    #[test]
    fn shared_evidence_links_principals_and_times() {
        let mut alerts = vec![
            alert("a", "alice", 0, Severity::Medium, &[7, 8]),
            alert("b", "role/ci", 5_000, Severity::Low, &[9, 8]),
            alert("c", UNKNOWN_PRINCIPAL, 1, Severity::Low, &[10]),
            alert("d", UNKNOWN_PRINCIPAL, 2, Severity::Low, &[11]),
        ];
        let inc = group(&mut alerts, DEFAULT_WINDOW);
        assert_eq!(inc.len(), 3, "the unknown principal links nothing by itself");
        let ab = inc.iter().find(|i| i.alerts.contains(&0)).unwrap();
        assert_eq!(ab.alerts, vec![0, 1]);
        assert_eq!(ab.principals, vec!["alice".to_string(), "role/ci".to_string()]);
        assert!(ab.id.starts_with("inc-") && ab.id.len() == 16);
    }

    #[test]
    fn a_zero_window_groups_by_evidence_only() {
        let mut alerts = vec![alert("a", "alice", 0, Severity::Low, &[1]), alert("b", "alice", 1, Severity::Low, &[2])];
        assert_eq!(group(&mut alerts, 0).len(), 2);
    }
}
