//! Fuzzy search as the screens use it: a query split into terms, each matched with
//! fuzzy-matcher's `SkimMatcherV2`, all terms required (fzf's extended-search habit).
//!
//! Owns matching one or several fields, the matched character positions used for highlighting,
//! and a per-interned-string cache of term matches, so filtering a million events fuzzy-matches
//! each distinct string once instead of each event. Pure computation; draws nothing.

use crate::model::Sym;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::sync::atomic::{AtomicU16, Ordering};

/// The most terms a query keeps (the rest are ignored).
const MAX_TERMS: usize = 15;

/// A parsed search query.
pub struct Query {
    terms: Vec<String>,
    /// Per term: its characters (lower-cased unless the term is case-sensitive) and whether it is.
    subseq: Vec<(Vec<char>, bool)>,
    matcher: SkimMatcherV2,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query").field("terms", &self.terms).finish()
    }
}

impl Query {
    /// The query of a search text, or `None` when it is blank.
    pub fn new(text: &str) -> Option<Query> {
        let terms: Vec<String> = text.split_whitespace().take(MAX_TERMS).map(str::to_string).collect();
        let subseq = terms
            .iter()
            .map(|t| {
                let sensitive = t.chars().any(char::is_uppercase);
                let chars = if sensitive { t.chars().collect() } else { t.to_lowercase().chars().collect() };
                (chars, sensitive)
            })
            .collect();
        (!terms.is_empty()).then(|| Query { terms, subseq, matcher: SkimMatcherV2::default().smart_case() })
    }

    /// The mask with every term's bit set.
    pub fn full(&self) -> u16 {
        ((1u32 << self.terms.len()) - 1) as u16
    }

    /// Bit `i` is set when term `i` matches `s`. Filtering only needs yes or no, and a fuzzy
    /// match exists exactly when the term's characters occur in order (smart case), so this checks
    /// that directly instead of scoring: a million events stay fast.
    pub fn mask(&self, s: &str) -> u16 {
        if s.is_empty() {
            return 0;
        }
        let mut m = 0u16;
        for (i, (chars, sensitive)) in self.subseq.iter().enumerate() {
            if is_subsequence(s, chars, *sensitive) {
                m |= 1 << i;
            }
        }
        m
    }

    /// The score of a set of fields when every term matches one of them.
    pub fn score_fields(&self, fields: &[&str]) -> Option<i64> {
        let mut total = 0;
        for t in &self.terms {
            total += fields.iter().filter_map(|f| self.matcher.fuzzy_match(f, t)).max()?;
        }
        Some(total)
    }

    /// Character positions of `shown` that some term matches (for highlighting).
    pub fn indices(&self, shown: &str) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for t in &self.terms {
            if let Some((_, idx)) = self.matcher.fuzzy_indices(shown, t) {
                out.extend(idx);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Whether `pat` occurs in `hay` in order (`pat` already lower-cased unless `sensitive`).
fn is_subsequence(hay: &str, pat: &[char], sensitive: bool) -> bool {
    let mut want = pat.iter().peekable();
    for c in hay.chars() {
        let Some(&&w) = want.peek() else {
            return true;
        };
        let c = if sensitive {
            c
        } else if c.is_ascii() {
            c.to_ascii_lowercase()
        } else {
            c.to_lowercase().next().unwrap_or(c)
        };
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
    fn masks_agree_with_the_fuzzy_matcher() {
        let hay =
            ["google.cloud.kms.v1.KeyManagementService.Encrypt", "SetIamPolicy", "projects/p1/unicode", "", "aAbB"];
        for pat in ["kms", "Encr", "encr", "sip", "SIP", "uni", "Uni", "ab", "AB", "aB", "xyz", "kms.Enc"] {
            let q = Query::new(pat).unwrap();
            for h in hay {
                let fuzzy = !h.is_empty() && q.matcher.fuzzy_match(h, pat).is_some();
                assert_eq!(q.mask(h) == 1, fuzzy, "{pat:?} in {h:?}");
            }
        }
        // Beyond ASCII, lower-case terms fold case too (the matcher itself folds ASCII only).
        assert_eq!(Query::new("ünï").unwrap().mask("Ünïcode"), 1);
        assert_eq!(Query::new("Ünï").unwrap().mask("ünïcode"), 0);
    }

    #[test]
    fn indices_are_char_positions() {
        let q = Query::new("bc").unwrap();
        assert_eq!(q.indices("ébc"), vec![1, 2]);
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
