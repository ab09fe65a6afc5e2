//! Search as the screens use it: a query split into terms, all required. By default each term
//! is a substring with smart case (an all-lowercase term ignores case); a query starting with
//! [`FUZZY_PREFIX`] matches each term fuzzily with fuzzy-matcher's `SkimMatcherV2`.
//!
//! Owns matching one or several fields, the matched character positions used for highlighting,
//! and a per-interned-string cache of term matches, so filtering a million events matches each
//! distinct string once instead of each event. Pure computation; draws nothing.

use crate::model::Sym;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::sync::atomic::{AtomicU16, Ordering};

/// The most terms a query keeps (the rest are ignored).
const MAX_TERMS: usize = 15;

/// A query starting with this matches its terms fuzzily (characters in order, gaps allowed).
pub const FUZZY_PREFIX: char = '~';

/// How a query's terms match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Each term occurs as written (smart case).
    Substring,
    /// Each term's characters occur in order.
    Fuzzy,
}

/// A parsed search query.
pub struct Query {
    terms: Vec<String>,
    /// Per term: its characters (lower-cased unless the term is case-sensitive) and whether it is.
    folded: Vec<(Vec<char>, bool)>,
    mode: Mode,
    matcher: SkimMatcherV2,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query").field("terms", &self.terms).field("mode", &self.mode).finish()
    }
}

impl Query {
    /// The query of a search text, or `None` when it is blank.
    pub fn new(text: &str) -> Option<Query> {
        let text = text.trim_start();
        let (mode, text) = match text.strip_prefix(FUZZY_PREFIX) {
            Some(rest) => (Mode::Fuzzy, rest),
            None => (Mode::Substring, text),
        };
        let terms: Vec<String> = text.split_whitespace().take(MAX_TERMS).map(str::to_string).collect();
        let folded = terms
            .iter()
            .map(|t| {
                let sensitive = t.chars().any(char::is_uppercase);
                (fold(t, sensitive), sensitive)
            })
            .collect();
        (!terms.is_empty()).then(|| Query { terms, folded, mode, matcher: SkimMatcherV2::default().smart_case() })
    }

    /// The mask with every term's bit set.
    pub fn full(&self) -> u16 {
        ((1u32 << self.terms.len()) - 1) as u16
    }

    /// Bit `i` is set when term `i` matches `s`. Filtering only needs yes or no: a fuzzy match
    /// exists exactly when the term's characters occur in order (smart case), so that is checked
    /// directly instead of scoring, and a million events stay fast.
    pub fn mask(&self, s: &str) -> u16 {
        if s.is_empty() {
            return 0;
        }
        let mut m = 0u16;
        let (mut lower, mut exact) = (None, None);
        for (i, (chars, sensitive)) in self.folded.iter().enumerate() {
            let hit = match self.mode {
                Mode::Fuzzy => is_subsequence(s, chars, *sensitive),
                Mode::Substring => {
                    let hay = if *sensitive { &mut exact } else { &mut lower };
                    let hay = hay.get_or_insert_with(|| fold(s, *sensitive));
                    find_from(hay, chars, 0).is_some()
                }
            };
            if hit {
                m |= 1 << i;
            }
        }
        m
    }

    /// The score of a set of fields when every term matches one of them (higher is better: a
    /// substring earlier in a field, or a better fuzzy match).
    pub fn score_fields<S: AsRef<str>>(&self, fields: &[S]) -> Option<i64> {
        let mut total = 0;
        for (t, (chars, sensitive)) in self.terms.iter().zip(&self.folded) {
            total += fields
                .iter()
                .map(AsRef::as_ref)
                .filter_map(|f| match self.mode {
                    Mode::Fuzzy => self.matcher.fuzzy_match(f, t),
                    Mode::Substring => find_from(&fold(f, *sensitive), chars, 0).map(|at| 1_000 - at.min(999) as i64),
                })
                .max()?;
        }
        Some(total)
    }

    /// Character positions of `shown` that some term matches (for highlighting).
    pub fn indices(&self, shown: &str) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for (t, (chars, sensitive)) in self.terms.iter().zip(&self.folded) {
            match self.mode {
                Mode::Fuzzy => {
                    if let Some((_, idx)) = self.matcher.fuzzy_indices(shown, t) {
                        out.extend(idx);
                    }
                }
                Mode::Substring => {
                    let hay = fold(shown, *sensitive);
                    let mut from = 0;
                    while let Some(at) = find_from(&hay, chars, from) {
                        out.extend(at..at + chars.len());
                        from = at + chars.len().max(1);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The characters of `s`, one per character (so positions stay those of `s`), lower-cased
/// unless `sensitive`.
fn fold(s: &str, sensitive: bool) -> Vec<char> {
    s.chars().map(|c| if sensitive { c } else { fold_char(c) }).collect()
}

fn fold_char(c: char) -> char {
    if c.is_ascii() { c.to_ascii_lowercase() } else { c.to_lowercase().next().unwrap_or(c) }
}

/// The first position at or after `from` where `pat` occurs in `hay`.
fn find_from(hay: &[char], pat: &[char], from: usize) -> Option<usize> {
    if pat.is_empty() || hay.len() < pat.len() {
        return None;
    }
    (from..=hay.len() - pat.len()).find(|&i| hay[i] == pat[0] && hay[i..i + pat.len()] == *pat)
}

/// Whether `pat` occurs in `hay` in order (`pat` already lower-cased unless `sensitive`).
fn is_subsequence(hay: &str, pat: &[char], sensitive: bool) -> bool {
    let mut want = pat.iter().peekable();
    for c in hay.chars() {
        let Some(&&w) = want.peek() else {
            return true;
        };
        let c = if sensitive { c } else { fold_char(c) };
        if c == w {
            want.next();
        }
    }
    want.peek().is_none()
}

/// Term masks of interned strings, computed on first use.
pub struct SymMasks {
    masks: Vec<AtomicU16>,
}

/// Marker for "not computed yet" (a real mask never has the top bit: at most 15 terms).
const UNKNOWN: u16 = 1 << 15;

impl SymMasks {
    /// An empty cache for an interner of `n` strings.
    pub fn new(n: usize) -> SymMasks {
        SymMasks { masks: (0..n).map(|_| AtomicU16::new(UNKNOWN)).collect() }
    }

    /// The mask of a string id, computing it with `text` the first time. Shared by the threads
    /// of one filter: two may compute the same mask at once, and store the same value.
    pub fn get(&self, q: &Query, s: Sym, text: impl FnOnce() -> String) -> u16 {
        if s.is_empty() {
            return 0;
        }
        match self.masks.get(s.0 as usize) {
            Some(m) => match m.load(Ordering::Relaxed) {
                UNKNOWN => {
                    let v = q.mask(&text());
                    m.store(v, Ordering::Relaxed);
                    v
                }
                v => v,
            },
            None => q.mask(&text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_queries_are_none() {
        assert!(Query::new("  ").is_none());
    }

    #[test]
    fn all_terms_must_match_some_field() {
        let q = Query::new("alice getobj").unwrap();
        assert!(q.score_fields(&["alice@example.com", "GetObject"]).is_some());
        assert!(q.score_fields(&["alice@example.com", "PutBucket"]).is_none());
        assert_eq!(q.mask("alice"), 0b01);
        assert_eq!(q.full(), 0b11);
    }

    #[test]
    fn terms_are_substrings_with_smart_case() {
        let q = Query::new("decrypt").unwrap();
        assert_eq!(q.mode, Mode::Substring);
        assert_eq!(q.mask("google.cloud.kms.v1.KeyManagementService.Decrypt"), 1);
        // A scattered match is not a substring: `Encrypt` does not hold `decrypt`.
        assert_eq!(q.mask("google.cloud.kms.v1.KeyManagementService.Encrypt"), 0);
        assert_eq!(Query::new("kms.enc").unwrap().mask("cloudkms.googleapis.com kms.Encrypt"), 1);
        // An upper-case letter makes the term case-sensitive.
        assert_eq!(Query::new("Decrypt").unwrap().mask("decrypt"), 0);
        assert_eq!(Query::new("Decrypt").unwrap().mask("kms.Decrypt"), 1);
        assert_eq!(Query::new("10.0.0").unwrap().mask("198.51.100.10"), 0);
        assert_eq!(Query::new("51.100").unwrap().mask("198.51.100.10"), 1);
        // Beyond ASCII, lower-case terms fold case too.
        assert_eq!(Query::new("ünï").unwrap().mask("Ünïcode"), 1);
        assert_eq!(Query::new("Ünï").unwrap().mask("ünïcode"), 0);
    }

    #[test]
    fn earlier_substrings_score_higher() {
        let q = Query::new("key").unwrap();
        assert!(q.score_fields(&["key-1"]) > q.score_fields(&["a-long-prefix-key"]));
    }

    #[test]
    fn the_prefix_asks_for_fuzzy_matching() {
        let hay =
            ["google.cloud.kms.v1.KeyManagementService.Encrypt", "SetIamPolicy", "projects/p1/unicode", "", "aAbB"];
        for pat in ["kms", "Encr", "encr", "sip", "SIP", "uni", "Uni", "ab", "AB", "aB", "xyz", "kms.Enc"] {
            let q = Query::new(&format!("{FUZZY_PREFIX}{pat}")).unwrap();
            assert_eq!(q.mode, Mode::Fuzzy);
            for h in hay {
                let fuzzy = !h.is_empty() && q.matcher.fuzzy_match(h, pat).is_some();
                assert_eq!(q.mask(h) == 1, fuzzy, "{pat:?} in {h:?}");
            }
        }
        assert_eq!(Query::new("~sip").unwrap().mask("SetIamPolicy"), 1);
        assert_eq!(Query::new("sip").unwrap().mask("SetIamPolicy"), 0);
        assert!(Query::new("~ ").is_none());
    }

    #[test]
    fn indices_are_char_positions() {
        let q = Query::new("bc").unwrap();
        assert_eq!(q.indices("ébc"), vec![1, 2]);
        // Every occurrence is highlighted.
        assert_eq!(Query::new("ab").unwrap().indices("xAbyab"), vec![1, 2, 4, 5]);
        assert_eq!(Query::new("~bc").unwrap().indices("ébxc"), vec![1, 3]);
    }

    #[test]
    fn sym_masks_cache() {
        let q = Query::new("x").unwrap();
        let m = SymMasks::new(3);
        let mut calls = 0;
        assert_eq!(
            m.get(&q, Sym(1), || {
                calls += 1;
                "xyz".into()
            }),
            1
        );
        assert_eq!(m.get(&q, Sym(1), || "nothing".into()), 1);
        assert_eq!(calls, 1);
        assert_eq!(m.get(&q, Sym(0), || "x".into()), 0);
    }
}
