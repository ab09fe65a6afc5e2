//! An incident's report: the incident itself (id, title, highest severity, merged span,
//! principals), its combined story (the alerts in the order they happened, and their evidence
//! merged into one time-ordered list), then every alert's own report.
//!
//! Built from the alerts' [`Report`]s, so each alert reads exactly as in its own report; only
//! reads them. Log text stays raw here and is escaped by each renderer.

use super::{EventRow, Report};
use crate::incident::Incident;
use crate::time::format_rfc3339;
use serde::Serialize;

/// Everything an incident's report shows, log text still raw.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IncidentReport {
    /// Stable id (`inc-…`).
    pub id: String,
    /// What a person reads first.
    pub title: String,
    /// The highest severity of its alerts.
    pub severity: String,
    /// First alert, RFC 3339.
    pub from: String,
    /// Last alert, RFC 3339.
    pub to: String,
    /// The principals involved, in order of first alert.
    pub principals: Vec<String>,
    /// Its alerts in the order they happened.
    pub story: Vec<StoryRow>,
    /// Every alert's evidence in time order, each event once.
    pub evidence: Vec<EventRow>,
    /// Each alert's own report, in the story's order.
    #[serde(skip)]
    pub reports: Vec<Report>,
}

/// One alert of an incident's story.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StoryRow {
    /// Trigger time, RFC 3339.
    pub time: String,
    /// Alert id.
    pub alert: String,
    /// `low` … `critical`.
    pub severity: String,
    /// Detector.
    pub detector: String,
    /// Title.
    pub title: String,
    /// Who acted.
    pub principal: String,
    /// One sentence.
    pub summary: String,
    /// The case's status (`new` without a case).
    pub status: String,
}

/// The report of `incident` from its alerts' reports (in the incident's order, earliest first).
pub fn build_incident(incident: &Incident, reports: Vec<Report>) -> IncidentReport {
    let story = reports
        .iter()
        .map(|r| StoryRow {
            time: r.alert.time.clone(),
            alert: r.alert.id.clone(),
            severity: r.alert.severity.clone(),
            detector: r.alert.detector.clone(),
            title: r.alert.title.clone(),
            principal: r.alert.principal.clone(),
            summary: r.alert.summary.clone(),
            status: r.case.as_ref().map_or("new", |c| c.status.label()).to_string(),
        })
        .collect();
    // Store positions follow time, so ordering by position is ordering by time.
    let mut evidence: Vec<EventRow> = reports.iter().flat_map(|r| r.evidence.iter().cloned()).collect();
    evidence.sort_by_key(|e| e.position);
    evidence.dedup_by_key(|e| e.position);
    IncidentReport {
        id: incident.id.clone(),
        title: incident.title.clone(),
        severity: incident.severity.as_str().to_string(),
        from: format_rfc3339(incident.span.0),
        to: format_rfc3339(incident.span.1),
        principals: incident.principals.clone(),
        story,
        evidence,
        reports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Severity;

    fn report(id: &str, time: &str, evidence: &[u32]) -> Report {
        let mut r = Report::default();
        r.alert.id = id.into();
        r.alert.time = time.into();
        r.alert.severity = "medium".into();
        r.evidence = evidence.iter().map(|&position| EventRow { position, ..EventRow::default() }).collect();
        r
    }

    #[test]
    fn the_story_keeps_the_alerts_order_and_merges_their_evidence_once() {
        let inc = Incident {
            id: "inc-1".into(),
            title: "Key created (+1 more)".into(),
            severity: Severity::High,
            alerts: vec![0, 1],
            principals: vec!["alice".into()],
            span: (0, 3_600_000_000),
        };
        let r = build_incident(&inc, vec![report("a", "t1", &[5, 9]), report("b", "t2", &[9, 2])]);
        let ids: Vec<&str> = r.story.iter().map(|s| s.alert.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(r.story[0].status, "new");
        let positions: Vec<u32> = r.evidence.iter().map(|e| e.position).collect();
        assert_eq!(positions, [2, 5, 9]);
        assert_eq!((r.from.as_str(), r.to.as_str()), ("1970-01-01T00:00:00Z", "1970-01-01T01:00:00Z"));
        assert_eq!(r.severity, "high");
    }
}
