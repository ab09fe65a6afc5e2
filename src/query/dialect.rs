//! Rendering the IR into each engine's language: GoogleSQL (BigQuery), Trino SQL (Athena), KQL
//! (Sentinel / Azure Data Explorer), Spark SQL and DuckDB SQL.

use super::ir::{Cond, Expr};

/// The engines a query can be written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// BigQuery over Cloud Logging's log-sink tables (GoogleSQL).
    Bigquery,
    /// Athena over the CloudTrail table of AWS's documented DDL (Trino SQL).
    Athena,
    /// Microsoft Sentinel / Log Analytics / Azure Data Explorer tables (KQL).
    Kql,
    /// Spark SQL over raw export files.
    Spark,
    /// DuckDB SQL over raw export files.
    Duckdb,
}

impl Engine {
    /// The name used in flags and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Bigquery => "bigquery",
            Engine::Athena => "athena",
            Engine::Kql => "kql",
            Engine::Spark => "spark",
            Engine::Duckdb => "duckdb",
        }
    }

    /// Every engine.
    pub const ALL: [Engine; 5] = [Engine::Bigquery, Engine::Athena, Engine::Kql, Engine::Spark, Engine::Duckdb];

    /// True for KQL (everything else is SQL).
    pub fn is_kql(self) -> bool {
        self == Engine::Kql
    }

    /// A string literal.
    pub fn quote(self, s: &str) -> String {
        match self {
            // GoogleSQL, Spark SQL and KQL escape with a backslash.
            Engine::Bigquery | Engine::Spark | Engine::Kql => {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
            Engine::Athena | Engine::Duckdb => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// A regular expression literal (patterns hold no backslash or quote).
    fn regex(self, p: &str) -> String {
        debug_assert!(!p.contains('\\') && !p.contains('\''));
        match self {
            Engine::Bigquery => format!("r'{p}'"),
            _ => format!("'{p}'"),
        }
    }

    /// The text type's name in casts.
    pub fn text_type(self) -> &'static str {
        match self {
            Engine::Bigquery | Engine::Spark => "STRING",
            _ => "VARCHAR",
        }
    }

    /// Position (1-based, 0 when absent) of `needle` in `hay`.
    fn strpos(self, hay: &str, needle: &str) -> String {
        match self {
            Engine::Spark => format!("INSTR({hay}, {needle})"),
            _ => format!("STRPOS({hay}, {needle})"),
        }
    }

    /// An RFC 3339 text as a timestamp.
    pub fn parse_time(self, text: &str) -> String {
        match self {
            Engine::Bigquery => format!("SAFE_CAST({text} AS TIMESTAMP)"),
            Engine::Athena => format!("TRY(from_iso8601_timestamp({text}))"),
            Engine::Kql => format!("todatetime({text})"),
            Engine::Spark | Engine::Duckdb => format!("TRY_CAST({text} AS TIMESTAMP)"),
        }
    }

    /// A fixed instant (µs since the epoch) as a timestamp literal.
    pub fn instant(self, us: i64) -> String {
        let t = crate::time::format_rfc3339(us);
        match self {
            Engine::Bigquery => format!("TIMESTAMP '{t}'"),
            Engine::Athena => format!("from_iso8601_timestamp('{t}')"),
            Engine::Kql => format!("datetime({t})"),
            Engine::Spark | Engine::Duckdb => format!("CAST('{}' AS TIMESTAMP)", t.trim_end_matches('Z')),
        }
    }

    /// A timestamp plus whole seconds.
    pub fn plus_seconds(self, ts: &str, secs: i64) -> String {
        match self {
            Engine::Bigquery => format!("TIMESTAMP_ADD({ts}, INTERVAL {secs} SECOND)"),
            Engine::Athena => format!("date_add('second', {secs}, {ts})"),
            Engine::Kql => format!("{ts} + {secs}s"),
            Engine::Spark => format!("{ts} + INTERVAL {secs} SECONDS"),
            Engine::Duckdb => format!("{ts} + INTERVAL ({secs}) SECOND"),
        }
    }

    /// Renders an expression; `field` resolves record fields for the current source.
    pub fn expr(self, e: &Expr, field: &dyn Fn(&str) -> String) -> String {
        let r = |x: &Expr| self.expr(x, field);
        let kql = self.is_kql();
        match e {
            Expr::Field(p) => field(p),
            Expr::Col(c) => (*c).to_string(),
            Expr::Lit(s) => self.quote(s),
            Expr::First(list) => {
                // Fields a platform does not keep render as '' and repeats add nothing: both go.
                let mut parts: Vec<String> = Vec::new();
                for x in list {
                    let t = r(x);
                    if !parts.contains(&t) {
                        parts.push(t);
                    }
                }
                let last = parts.pop().expect("a non-empty list");
                parts.retain(|p| p != "''");
                if parts.is_empty() {
                    return last;
                }
                if kql {
                    let arms: Vec<String> = parts.iter().map(|x| format!("isnotempty({x}), {x}")).collect();
                    format!("case({}, {last})", arms.join(", "))
                } else {
                    let arms: Vec<String> = parts.iter().map(|x| format!("WHEN {x} <> '' THEN {x}")).collect();
                    format!("CASE {} ELSE {last} END", arms.join(" "))
                }
            }
            Expr::Lower(x) => {
                if kql {
                    format!("tolower({})", r(x))
                } else {
                    format!("LOWER({})", r(x))
                }
            }
            Expr::Concat(list) => {
                let parts: Vec<String> = list.iter().map(r).collect();
                if kql { format!("strcat({})", parts.join(", ")) } else { format!("CONCAT({})", parts.join(", ")) }
            }
            Expr::Extract(x, p) => {
                let x = r(x);
                let re = self.regex(p);
                match self {
                    Engine::Bigquery => format!("COALESCE(REGEXP_EXTRACT({x}, {re}), '')"),
                    Engine::Athena => format!("COALESCE(regexp_extract({x}, {re}, 1), '')"),
                    Engine::Kql => format!("extract({re}, 1, {x})"),
                    Engine::Spark | Engine::Duckdb => format!("regexp_extract({x}, {re}, 1)"),
                }
            }
            Expr::Before(x, needle) => {
                let x = r(x);
                let n = self.quote(needle);
                if kql {
                    format!("iff(indexof({x}, {n}) >= 0, substring({x}, 0, indexof({x}, {n})), {x})")
                } else {
                    let pos = self.strpos(&x, &n);
                    format!("CASE WHEN {pos} > 0 THEN SUBSTR({x}, 1, {pos} - 1) ELSE {x} END")
                }
            }
            Expr::If(c, a, b) => {
                if kql {
                    format!("iff({}, {}, {})", self.cond(c, field), r(a), r(b))
                } else {
                    format!("CASE WHEN {} THEN {} ELSE {} END", self.cond(c, field), r(a), r(b))
                }
            }
        }
    }

    /// Renders a condition.
    pub fn cond(self, c: &Cond, field: &dyn Fn(&str) -> String) -> String {
        let r = |x: &Expr| self.expr(x, field);
        let kql = self.is_kql();
        let like = |x: &Expr, pattern: String| {
            debug_assert!(!pattern.contains('_'));
            format!("{} LIKE {}", r(x), self.quote(&pattern))
        };
        match c {
            Cond::Eq(x, v) => format!("{} {} {}", r(x), if kql { "==" } else { "=" }, self.quote(v)),
            Cond::IEq(x, v) => {
                if kql {
                    format!("{} =~ {}", r(x), self.quote(v))
                } else {
                    format!("LOWER({}) = {}", r(x), self.quote(v))
                }
            }
            Cond::Starts(x, v) if kql => format!("{} startswith_cs {}", r(x), self.quote(v)),
            Cond::Ends(x, v) if kql => format!("{} endswith_cs {}", r(x), self.quote(v)),
            Cond::Contains(x, v) if kql => format!("{} contains_cs {}", r(x), self.quote(v)),
            Cond::Starts(x, v) => like(x, format!("{v}%")),
            Cond::Ends(x, v) => like(x, format!("%{v}")),
            Cond::Contains(x, v) => {
                if v.contains('_') {
                    format!("{} > 0", self.strpos(&r(x), &self.quote(v)))
                } else {
                    like(x, format!("%{v}%"))
                }
            }
            Cond::NonEmpty(x) => {
                if kql {
                    format!("isnotempty({})", r(x))
                } else {
                    format!("{} <> ''", r(x))
                }
            }
            Cond::All(list) => {
                let parts: Vec<String> = list.iter().map(|x| format!("({})", self.cond(x, field))).collect();
                parts.join(if kql { " and " } else { " AND " })
            }
            Cond::Any(list) => {
                let parts: Vec<String> = list.iter().map(|x| format!("({})", self.cond(x, field))).collect();
                format!("({})", parts.join(if kql { " or " } else { " OR " }))
            }
            Cond::Not(x) => {
                if kql {
                    format!("not({})", self.cond(x, field))
                } else {
                    format!("NOT ({})", self.cond(x, field))
                }
            }
        }
    }
}
