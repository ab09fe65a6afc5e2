//! What every screen may read (and a few things they may change): the loaded store, the alerts,
//! the load report, options, `now`, the theme, the analyst's cases and the raw records read so
//! far.
//!
//! Screens get `&mut Ctx` in `update` so a status change or a tick lands in one place, and `&Ctx`
//! when drawing. Holds no terminal and does no IO: reading a raw record back from its file is
//! done by [`super::App::prepare`], which fills the [`RawCache`].

use super::TuiOptions;
use super::cases::Cases;
use super::theme::Theme;
use super::work::Bell;
use crate::detect::Alert;
use crate::incident::Incident;
use crate::ingest::LoadReport;
use crate::model::{Event, Sym};
use crate::store::EventStore;
use std::sync::Arc;

/// The shared context of the screens.
pub struct Ctx {
    /// Every loaded event.
    pub store: Arc<EventStore>,
    /// The alerts, in the detectors' order (newest first); screens refer to them by index.
    pub alerts: Vec<Alert>,
    /// The alerts grouped into incidents, most severe first.
    pub incidents: Vec<Incident>,
    /// Per alert, its incident's index in `incidents`.
    pub incident_of: Vec<usize>,
    /// Alerts hidden by the case folder's suppressions (not in `alerts`), and those suppressed
    /// in this session.
    pub suppressed: usize,
    /// Per alert, suppressed in this session (the queue leaves it out).
    pub hidden: Vec<bool>,
    /// What the load read and skipped.
    pub report: LoadReport,
    /// How the app was started.
    pub opts: TuiOptions,
    /// The reference instant for relative times and the activity range (µs).
    pub now: i64,
    /// Colours or not.
    pub theme: Theme,
    /// Status, ticks and notes per alert.
    pub cases: Cases,
    /// Raw records read back so far.
    pub raw: RawCache,
    /// Rung when background work finishes ([`super::work`]).
    pub bell: Arc<Bell>,
    /// The organisation as the logs show it, learned the first time a row shows an access change.
    org: std::sync::OnceLock<crate::detect::grants::Org>,
}

impl Ctx {
    /// The context of a session: the alerts are grouped into incidents with the window of
    /// `opts.detect`.
    pub fn new(
        store: Arc<EventStore>,
        report: LoadReport,
        mut alerts: Vec<Alert>,
        opts: TuiOptions,
        now: i64,
        theme: Theme,
        cases: Cases,
    ) -> Ctx {
        let incidents = crate::incident::group(&mut alerts, opts.detect.incident_window);
        let mut incident_of = vec![0; alerts.len()];
        for (k, inc) in incidents.iter().enumerate() {
            for &a in &inc.alerts {
                incident_of[a] = k;
            }
        }
        let hidden = vec![false; alerts.len()];
        Ctx {
            store,
            alerts,
            incidents,
            incident_of,
            suppressed: 0,
            hidden,
            report,
            opts,
            now,
            theme,
            cases,
            raw: RawCache::default(),
            bell: Default::default(),
            org: Default::default(),
        }
    }

    /// The access an event changed, as a row shows it, member before role:
    /// `+user:x@gmail.com [OUTSIDE] roles/…`, `-group:ops@… roles/viewer`.
    pub fn access_changes(&self, i: u32) -> Option<String> {
        use crate::detect::grants::{self, Change, Reach};
        let e = self.event(i)?;
        let found = grants::of_event(&self.store, e, self.store.facts(i));
        if found.is_empty() {
            return None;
        }
        let org = self.org.get_or_init(|| grants::Org::learn(&self.store));
        let changes: Vec<String> = org
            .judge(found)
            .iter()
            .map(|g| {
                let sign = if g.grant.change == Change::Remove { '-' } else { '+' };
                let reach = match g.reach {
                    Reach::Outside => " [OUTSIDE]",
                    Reach::Public => " [PUBLIC]",
                    _ => "",
                };
                format!("{sign}{}{reach} {}", g.grant.member, g.grant.access)
            })
            .collect();
        Some(changes.join(", "))
    }

    /// An event by store position.
    pub fn event(&self, i: u32) -> Option<&Event> {
        self.store.events().get(i as usize)
    }

    /// The text of an interned id.
    pub fn s(&self, sym: Sym) -> &str {
        self.store.str(sym)
    }

    /// The principal of an alert as the store interns it (from its trigger event).
    pub fn alert_principal(&self, alert: usize) -> Option<Sym> {
        let a = self.alerts.get(alert)?;
        let from_trigger = self.event(a.trigger()).map(|e| e.principal).filter(|p| self.s(*p) == a.principal);
        from_trigger.or_else(|| self.store.lookup(&a.principal))
    }

    /// A file's display name (its last path component): short, and the same wherever the logs are.
    pub fn file_name(&self, file: u32) -> String {
        let name = self.store.files().get(file as usize).map_or("", |f| f.name.as_str());
        std::path::Path::new(name).file_name().map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned())
    }
}

/// A raw record, pretty-printed and split into escaped lines, or why it could not be read.
pub type RawText = Arc<Result<Vec<String>, String>>;

/// The most lines of one raw record kept for display.
const RAW_MAX_LINES: usize = 5000;
/// How many records the cache keeps.
const RAW_KEEP: usize = 32;

/// Recently read raw records, by store position (small, most recent last).
#[derive(Default)]
pub struct RawCache {
    entries: Vec<(u32, RawText)>,
}

impl RawCache {
    /// The record of an event, if read.
    pub fn get(&self, event: u32) -> Option<RawText> {
        self.entries.iter().rev().find(|(e, _)| *e == event).map(|(_, t)| t.clone())
    }

    /// Stores a record read back (as `EventStore::raw_pretty` returned it).
    pub fn put(&mut self, event: u32, raw: Result<String, String>) {
        let text = raw.map(|s| {
            let mut lines: Vec<String> = s.lines().take(RAW_MAX_LINES).map(super::widgets::safe).collect();
            if s.lines().nth(RAW_MAX_LINES).is_some() {
                lines.push(format!("… (cut at {RAW_MAX_LINES} lines)"));
            }
            lines
        });
        self.entries.retain(|(e, _)| *e != event);
        if self.entries.len() >= RAW_KEEP {
            self.entries.remove(0);
        }
        self.entries.push((event, Arc::new(text)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_cache_escapes_and_evicts() {
        let mut c = RawCache::default();
        c.put(1, Ok("{\n  \"a\": \"\u{202e}x\"\n}".into()));
        let t = c.get(1).unwrap();
        assert_eq!(t.as_ref().as_ref().unwrap()[1], "  \"a\": \"\\u{202e}x\"");
        for i in 2..40 {
            c.put(i, Err("gone".into()));
        }
        assert!(c.get(1).is_none());
        assert!(c.get(39).is_some());
    }
}
