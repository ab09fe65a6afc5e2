//! The sensitive-operation catalogue: its format, validation and parameter rules.
//!
//! The entries live in `assets/catalogue/sensitive-operations.toml` (embedded in the binary), one
//! per operation group and cloud: which operations match, the ATT&CK technique, a base severity,
//! rules over the request's parameters that set the severity, a one-line why and the source the
//! entry was written from. Matching reads only [`RequestFacts`] and normalised event columns.

use crate::detect::Severity;
use crate::model::{Cloud, RequestFacts, field_of};
use serde::Deserialize;
use std::sync::LazyLock;

/// The embedded catalogue text.
pub const TEXT: &str = include_str!("../../../assets/catalogue/sensitive-operations.toml");

/// The parsed embedded catalogue (empty if it does not parse; a unit test keeps it valid).
pub fn catalogue() -> &'static Catalogue {
    static CAT: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::parse(TEXT).unwrap_or_default());
    &CAT
}

/// Every entry, in file order.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The entries.
    #[serde(default)]
    pub entry: Vec<Entry>,
}

/// A severity in the catalogue: `none` means the operation alerts only when a rule says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// No alert on its own.
    None,
    /// [`Severity::Low`].
    Low,
    /// [`Severity::Medium`].
    Medium,
    /// [`Severity::High`].
    High,
    /// [`Severity::Critical`].
    Critical,
}

impl Level {
    /// The alert severity, if any.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::None => None,
            Level::Low => Some(Severity::Low),
            Level::Medium => Some(Severity::Medium),
            Level::High => Some(Severity::High),
            Level::Critical => Some(Severity::Critical),
        }
    }
}

/// One catalogue entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable slug (`aws-cloudtrail-stopped`).
    pub id: String,
    /// `aws`, `gcp` or `azure`.
    pub cloud: String,
    /// The event source / service, compared case-insensitively; empty matches any.
    #[serde(default)]
    pub service: String,
    /// Operation names, compared case-insensitively; a GCP method also matches by its last
    /// dotted segments (`ConfigServiceV2.DeleteSink`); a trailing `*` matches a prefix.
    pub operations: Vec<String>,
    /// The issue group (`logging`, `organisation`, `identity-persistence` …).
    pub group: String,
    /// What happened, as an alert title.
    pub title: String,
    /// MITRE ATT&CK technique id.
    pub technique: String,
    /// MITRE ATT&CK technique name.
    pub technique_name: String,
    /// Severity when no rule matches.
    pub severity: Level,
    /// One line: why it matters.
    pub why: String,
    /// Where the entry comes from.
    pub source: String,
    /// Parameter rules: the highest matching rule's severity replaces the base.
    #[serde(default)]
    pub rule: Vec<Rule>,
    /// Reads that matter only in bulk.
    #[serde(default)]
    pub burst: Option<Burst>,
}

/// A parameter rule: when every condition holds, the severity becomes `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The severity the rule sets.
    pub severity: Level,
    /// Why, in the alert's words.
    pub reason: String,
    /// Conditions must hold within one element of this list (`bindingDeltas`), if set.
    #[serde(default)]
    pub item: Option<String>,
    /// The conditions, all of which must hold.
    pub when: Vec<Cond>,
}

/// One condition over the request facts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cond {
    /// A field name or dotted path suffix (`policyArn`, `add.items.group`); `*` is any field;
    /// `a|b` is either.
    #[serde(default)]
    pub field: String,
    /// How values compare.
    pub op: Op,
    /// The values compared with.
    #[serde(default)]
    pub values: Vec<String>,
}

/// How a condition compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A value equals one of `values`.
    Equals,
    /// A value ends with one of `values`.
    EndsWith,
    /// A value contains one of `values`.
    Contains,
    /// The field has a non-empty value.
    Present,
    /// A value is an any-address range (`0.0.0.0/0`, `::/0`, `*`, `Internet`, `Any`).
    OpenCidr,
    /// A port range in the request (`fromPort`–`toPort`, `ports`, `destinationPortRange`, all
    /// protocols) covers one of `values`.
    Port,
    /// A value names an identity other than the caller (a key made for someone else).
    OtherIdentity,
}

/// Bulk-read settings: single events raise nothing; a principal's burst does.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    /// Fewest reads in the window that can alert (the threshold also scales with the
    /// principal's own busiest earlier window).
    pub floor: u32,
    /// Window length in minutes.
    pub window_minutes: u32,
    /// Severity of a burst.
    pub severity: Level,
    /// The request field listing the items one call reads or deletes (`names`, `Key`): a call
    /// counts as that many. Without it every call counts one.
    #[serde(default)]
    pub weight: Option<String>,
}

impl Catalogue {
    /// Parses and validates catalogue text.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let cat: Catalogue = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut ids = std::collections::BTreeSet::new();
        for e in &cat.entry {
            let bad = |why: &str| Err(format!("entry {:?}: {why}", e.id));
            if !ids.insert(e.id.as_str()) {
                return bad("id appears twice");
            }
            if !matches!(e.cloud.parse::<Cloud>(), Ok(Cloud::Aws | Cloud::Gcp | Cloud::Azure)) {
                return bad("cloud must be aws, gcp or azure");
            }
            if e.operations.is_empty() || e.why.trim().is_empty() || e.source.trim().is_empty() {
                return bad("needs operations, a why and a source");
            }
            if !e.technique.starts_with('T') || e.technique_name.trim().is_empty() {
                return bad("needs an ATT&CK technique id and name");
            }
            if e.burst.is_none() && e.severity == Level::None && e.rule.is_empty() {
                return bad("can never alert: severity none and no rule");
            }
            if e.rule.iter().any(|r| r.when.is_empty() || r.reason.trim().is_empty()) {
                return bad("a rule needs conditions and a reason");
            }
        }
        Ok(cat)
    }

    /// The first entry matching an event's cloud, service and operation.
    pub fn find(&self, cloud: Cloud, service: &str, operation: &str) -> Option<usize> {
        self.entry.iter().position(|e| e.matches(cloud, service, operation))
    }
}

impl Entry {
    /// True when the entry covers this operation.
    pub fn matches(&self, cloud: Cloud, service: &str, operation: &str) -> bool {
        if cloud.as_str() != self.cloud || (!self.service.is_empty() && !self.service.eq_ignore_ascii_case(service)) {
            return false;
        }
        self.operations.iter().any(|o| op_matches(o, operation))
    }

    /// True when the entry's rules read request parameters.
    pub fn needs_facts(&self) -> bool {
        !self.rule.is_empty() || self.burst.as_ref().is_some_and(|b| b.weight.is_some())
    }

    /// The severity for one event and the reasons of the rules that set it; `None` when neither
    /// the base nor any rule raises an alert.
    pub fn assess(&self, facts: Option<&RequestFacts>, caller: &str) -> (Option<Severity>, Vec<String>) {
        let matched: Vec<&Rule> = match facts {
            Some(f) => self.rule.iter().filter(|r| r.holds(f, caller)).collect(),
            None => Vec::new(),
        };
        match matched.iter().map(|r| r.severity).max() {
            Some(level) => {
                let reasons = matched.iter().filter(|r| r.severity == level).map(|r| r.reason.clone()).collect();
                (level.severity(), reasons)
            }
            None => (self.severity.severity(), Vec::new()),
        }
    }
}

fn op_matches(pattern: &str, op: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix('*') {
        return op.len() >= prefix.len()
            && op.is_char_boundary(prefix.len())
            && op[..prefix.len()].eq_ignore_ascii_case(prefix);
    }
    op.eq_ignore_ascii_case(pattern)
        || (op.len() > pattern.len()
            && op.is_char_boundary(op.len() - pattern.len())
            && op[op.len() - pattern.len()..].eq_ignore_ascii_case(pattern)
            && op.as_bytes()[op.len() - pattern.len() - 1] == b'.')
}

impl Rule {
    fn holds(&self, facts: &RequestFacts, caller: &str) -> bool {
        let all = |prefix: &str| self.when.iter().all(|c| c.holds(facts, prefix, caller));
        match &self.item {
            None => all(""),
            Some(item) => item_prefixes(facts, item).iter().any(|p| all(p)),
        }
    }
}

/// The distinct indexed paths of a list's elements: `…bindingDeltas[0]`, `…bindingDeltas[1]`.
fn item_prefixes(facts: &RequestFacts, item: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let needle = format!("{item}[");
    for (path, _) in &facts.leaves {
        let Some(at) = path.find(&needle) else { continue };
        if at > 0 && path.as_bytes()[at - 1] != b'.' {
            continue;
        }
        let Some(close) = path[at..].find(']') else { continue };
        let prefix = &path[..at + close + 1];
        if !out.iter().any(|p| p == prefix) {
            out.push(prefix.to_string());
        }
    }
    out
}

/// A leaf path with array indexes removed (`a.items[0].group` → `a.items.group`).
fn plain(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn field_matches(field: &str, path: &str) -> bool {
    if field == "*" {
        return true;
    }
    let p = plain(path);
    field.split('|').any(|f| {
        p.eq_ignore_ascii_case(f)
            || (p.len() > f.len()
                && p.is_char_boundary(p.len() - f.len())
                && p[p.len() - f.len()..].eq_ignore_ascii_case(f)
                && p.as_bytes()[p.len() - f.len() - 1] == b'.')
    })
}

const OPEN: [&str; 6] = ["0.0.0.0/0", "::/0", "*", "internet", "any", "0.0.0.0"];

impl Cond {
    fn holds(&self, facts: &RequestFacts, prefix: &str, caller: &str) -> bool {
        let leaves = facts.leaves.iter().filter(|(p, _)| p.starts_with(prefix));
        if self.op == Op::Port {
            return port_covered(facts, prefix, &self.values);
        }
        let mut values = leaves.filter(|(p, _)| field_matches(&self.field, p)).map(|(_, v)| v.trim());
        let lower = |s: &str| s.to_ascii_lowercase();
        match self.op {
            Op::Equals => values.any(|v| self.values.iter().any(|x| v.eq_ignore_ascii_case(x))),
            Op::EndsWith => values.any(|v| self.values.iter().any(|x| lower(v).ends_with(&lower(x)))),
            Op::Contains => values.any(|v| self.values.iter().any(|x| lower(v).contains(&lower(x)))),
            Op::Present => values.any(|v| !v.is_empty()),
            Op::OpenCidr => values.any(|v| OPEN.iter().any(|o| v.eq_ignore_ascii_case(o))),
            Op::OtherIdentity => {
                let me = caller.rsplit(['/', ':']).next().unwrap_or(caller);
                values.any(|v| !v.is_empty() && !v.eq_ignore_ascii_case(me) && !v.eq_ignore_ascii_case(caller))
            }
            Op::Port => false,
        }
    }
}

/// True when a port range in the request covers one of `ports`.
fn port_covered(facts: &RequestFacts, prefix: &str, ports: &[String]) -> bool {
    let wanted: Vec<u32> = ports.iter().filter_map(|p| p.parse().ok()).collect();
    let covers = |a: u32, b: u32| wanted.iter().any(|p| (a..=b).contains(p));
    let leaves: Vec<(&str, &str)> =
        facts.leaves.iter().filter(|(p, _)| p.starts_with(prefix)).map(|(p, v)| (field_of(p), &**v)).collect();
    // AWS: fromPort / toPort pairs in document order; protocol -1 means every port.
    let from: Vec<i64> =
        leaves.iter().filter(|(f, _)| f.eq_ignore_ascii_case("fromPort")).filter_map(|(_, v)| v.parse().ok()).collect();
    let to: Vec<i64> =
        leaves.iter().filter(|(f, _)| f.eq_ignore_ascii_case("toPort")).filter_map(|(_, v)| v.parse().ok()).collect();
    if from.iter().zip(&to).any(|(&a, &b)| (a < 0 && b < 0) || (a >= 0 && b >= a && covers(a as u32, b as u32))) {
        return true;
    }
    if leaves.iter().any(|(f, v)| {
        (f.eq_ignore_ascii_case("ipProtocol") || f.eq_ignore_ascii_case("aclProtocol"))
            && (*v == "-1" || v.eq_ignore_ascii_case("all"))
    }) {
        return true;
    }
    // AWS network ACL entries: `portRange.from` / `portRange.to`.
    let range = |end: &str| {
        facts
            .leaves
            .iter()
            .filter(|(p, _)| p.starts_with(prefix) && p.ends_with(end))
            .find_map(|(_, v)| v.parse::<u32>().ok())
    };
    if let (Some(a), Some(b)) = (range("portRange.from"), range("portRange.to"))
        && covers(a, b)
    {
        return true;
    }
    // GCP firewall `ports`, Azure NSG `destinationPortRange(s)`: `22`, `20-30`, `*`.
    leaves
        .iter()
        .filter(|(f, _)| {
            ["ports", "port", "destinationPortRange", "destinationPortRanges"].iter().any(|n| f.eq_ignore_ascii_case(n))
        })
        .any(|(_, v)| {
            let v = v.trim();
            if v == "*" {
                return true;
            }
            let (a, b) = v.split_once('-').unwrap_or((v, v));
            matches!((a.trim().parse(), b.trim().parse()), (Ok(a), Ok(b)) if covers(a, b))
        })
}

#[cfg(test)]
mod tests;
