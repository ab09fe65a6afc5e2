//! Detectors pushed down to the engine where the logs live: BigQuery, Athena, Sentinel / Azure
//! Data Explorer (KQL), Spark and DuckDB.
//!
//! Owns the query IR ([`ir`]), its rendering per engine ([`dialect`]), each platform's standard
//! schema and how a record normalises there ([`schema`]), the detector definitions written once in
//! the IR ([`DETECTORS`]), and reading an engine's result rows back as trailwatch alerts with the
//! same ids as a local scan ([`results`]). It reads no file and runs no engine: the command line
//! prints the query or hands it to an engine's own client.
//!
//! Every first-seen detector is one shape: `MIN(time)` per (principal, term) over the whole
//! history, keeping the terms first seen at or after detection starts; event detectors keep every
//! matching event. Only those rows come back.
//!
//! Where the engine and the local scan can differ (each also named where it is written):
//! - detection start is the earliest event dated 2000 or later plus `--learn`; locally events
//!   dated after tomorrow are not counted either (the engine has no "now"), nor a few strays a
//!   year or more before the bulk; `--baseline` is for logs loaded locally only;
//! - two events of one key at the same microsecond: the engine takes the earlier time text,
//!   locally the earlier file and offset;
//! - AWS resources come from `resources[]` and a subset of the local per-service rules
//!   ([`schema`]); Azure callers named only in PIM / RBAC `CallerInfo` are unknown here;
//! - severity is the detector's base: the local scoring reads context (history, address
//!   novelty, later use of a key) that stays with the engine.

pub mod dialect;
pub mod ir;
pub mod results;
pub mod schema;

pub use dialect::Engine;
use ir::{Cond, Expr, col, fold, iff, lit, lower};
use schema::Source;

/// The detectors a query can carry, in output order.
pub const DETECTORS: [&str; 4] = ["new-api-call", "new-resource-access", "kms-key-created", "bucket-created"];

/// What to write.
#[derive(Clone, Debug)]
pub struct Request {
    /// The engine.
    pub engine: Engine,
    /// Detectors (empty: all of [`DETECTORS`]).
    pub detectors: Vec<String>,
    /// Detection start; else `learn` after the earliest event.
    pub since: Option<i64>,
    /// Learning period (µs).
    pub learn: i64,
    /// Tables (BigQuery, Athena, KQL) or raw export paths (Spark, DuckDB) instead of the defaults.
    pub tables: Vec<String>,
    /// Instead of alerts, one principal's events.
    pub slice: Option<Slice>,
}

/// One principal's events in a time range.
#[derive(Clone, Debug)]
pub struct Slice {
    /// Exact principal.
    pub principal: String,
    /// From (inclusive), µs.
    pub from: Option<i64>,
    /// To (exclusive), µs.
    pub to: Option<i64>,
}

/// A detector as the query runs it.
enum Detector {
    /// The first occurrence of a term per principal, when it falls at or after detection start.
    FirstSeen {
        name: &'static str,
        /// Which events carry the term.
        applies: Cond,
        /// The comparison terms (after folding).
        terms: Vec<Expr>,
        /// The alert's key as text.
        key: Expr,
    },
    /// Every matching event, in the learning period too; or the first of its partition among
    /// candidates (Azure storage writes).
    Occurrence { name: &'static str, when: Cond, or_first: Option<(Cond, Expr)>, key: Expr },
}

/// The level at which resources compare (the local `first_seen::resource_key`): a bucket, not
/// each object; a key, not each version; Azure IDs case-folded and Key Vault objects without
/// their version.
///
/// Nuance: locally `/objects/` is looked for before `/cryptoKeyVersions/`; here the earlier of the
/// two in the name cuts it (no resource name holds both).
pub fn resource_key() -> Expr {
    let r = col("resource");
    let l = lower(col("resource"));
    let vault = Expr::Extract(Box::new(l.clone()), "^(https://[^/]*/(keys|secrets|certificates)/[^/]*)");
    iff(
        Cond::Eq(col("cloud"), "gcp"),
        Expr::Before(Box::new(Expr::Before(Box::new(r.clone()), "/objects/")), "/cryptoKeyVersions/"),
        iff(
            Cond::Eq(col("cloud"), "aws"),
            iff(
                Cond::Starts(r.clone(), "arn:aws:s3:::"),
                Expr::Extract(Box::new(r.clone()), "^(arn:aws:s3:::[^/]*)"),
                r,
            ),
            iff(Cond::NonEmpty(vault.clone()), vault, l),
        ),
    )
}

fn success() -> Cond {
    Cond::Eq(col("outcome"), "success")
}

fn detectors() -> Vec<Detector> {
    let op = col("operation");
    let service = col("service");
    let azure_storage_write = Cond::All(vec![
        Cond::Eq(col("cloud"), "azure"),
        Cond::Any(vec![
            Cond::IEq(op.clone(), "microsoft.storage/storageaccounts/write"),
            Cond::IEq(op.clone(), "microsoft.storage/storageaccounts/blobservices/containers/write"),
        ]),
        Cond::Not(Box::new(Cond::Starts(col("status"), "Start"))),
        Cond::Not(Box::new(Cond::Starts(col("status"), "Accept"))),
        success(),
    ]);
    vec![
        Detector::FirstSeen {
            name: "new-api-call",
            applies: Cond::All(vec![Cond::NonEmpty(col("principal")), Cond::NonEmpty(op.clone())]),
            terms: vec![fold(service.clone()), fold(op.clone())],
            key: Expr::Concat(vec![service.clone(), lit(" "), op.clone()]),
        },
        Detector::FirstSeen {
            name: "new-resource-access",
            applies: Cond::All(vec![Cond::NonEmpty(col("principal")), Cond::NonEmpty(col("resource"))]),
            terms: vec![resource_key()],
            key: col("resource"),
        },
        Detector::Occurrence {
            name: "kms-key-created",
            when: Cond::All(vec![
                success(),
                Cond::Any(vec![
                    Cond::All(vec![
                        Cond::Eq(col("cloud"), "gcp"),
                        Cond::Ends(op.clone(), "KeyManagementService.CreateCryptoKey"),
                    ]),
                    Cond::All(vec![
                        Cond::Eq(col("cloud"), "aws"),
                        Cond::Eq(op.clone(), "CreateKey"),
                        Cond::Eq(service.clone(), "kms.amazonaws.com"),
                    ]),
                    Cond::All(vec![
                        Cond::Eq(col("cloud"), "azure"),
                        Cond::Any(vec![
                            Cond::IEq(op.clone(), "keycreate"),
                            Cond::IEq(op.clone(), "keyimport"),
                            Cond::IEq(op.clone(), "microsoft.keyvault/vaults/keys/write"),
                        ]),
                    ]),
                ]),
            ]),
            or_first: None,
            key: iff(
                Cond::Eq(col("cloud"), "gcp"),
                col("kms_key"),
                iff(Cond::Eq(col("cloud"), "azure"), resource_key(), col("resource")),
            ),
        },
        Detector::Occurrence {
            name: "bucket-created",
            when: Cond::All(vec![
                success(),
                Cond::Any(vec![
                    Cond::All(vec![Cond::Eq(col("cloud"), "gcp"), Cond::Eq(op.clone(), "storage.buckets.create")]),
                    Cond::All(vec![
                        Cond::Eq(col("cloud"), "aws"),
                        Cond::Eq(op.clone(), "CreateBucket"),
                        Cond::Eq(service, "s3.amazonaws.com"),
                    ]),
                    Cond::All(vec![azure_storage_write.clone(), Cond::Contains(col("status"), "Created")]),
                ]),
            ]),
            or_first: Some((azure_storage_write, lower(col("resource")))),
            key: col("resource"),
        },
    ]
}

/// The query text, or why it cannot be written.
pub fn build(r: &Request) -> Result<String, String> {
    for d in &r.detectors {
        let runs = DETECTORS.contains(&d.as_str()) || (r.engine.is_kql() && d == "rare-process");
        if !runs {
            return Err(format!(
                "detector {d:?} cannot run on the engine (it can: {}{})",
                DETECTORS.join(", "),
                if r.engine.is_kql() { ", rare-process" } else { "" }
            ));
        }
    }
    let chosen: Vec<Detector> = detectors()
        .into_iter()
        .filter(|d| {
            let name = match d {
                Detector::FirstSeen { name, .. } | Detector::Occurrence { name, .. } => *name,
            };
            r.detectors.is_empty() || r.detectors.iter().any(|x| x == name)
        })
        .collect();
    let sources = sources(r)?;
    let header = header(r);
    if r.engine.is_kql() {
        Ok(format!("{header}{}", kql(r, &sources, &chosen)))
    } else {
        Ok(format!("{header}{}", sql(r, &sources, &chosen)))
    }
}

fn header(r: &Request) -> String {
    let c = if r.engine.is_kql() { "//" } else { "--" };
    let start = match r.since {
        Some(s) => format!("detection from {} (--since)", crate::time::format_rfc3339(s)),
        None => format!("learning period {} from the earliest event", crate::time::format_span(r.learn)),
    };
    let what = match &r.slice {
        Some(s) => format!("events of {}", s.principal),
        None if r.detectors.is_empty() => DETECTORS.join(", "),
        None => r.detectors.join(", "),
    };
    format!(
        "{c} trailwatch query --engine {}: {what}; {start}.\n{c} Export the result as CSV or JSON lines and run `trailwatch open RESULT`.\n",
        r.engine.as_str()
    )
}

/// The (source, relation) pairs the query reads.
fn sources(r: &Request) -> Result<Vec<(Source, String)>, String> {
    let e = r.engine;
    let mut out = Vec::new();
    match e {
        Engine::Spark | Engine::Duckdb => {
            for s in Source::ALL {
                out.push((s, "trailwatch_records".to_string()));
            }
        }
        Engine::Bigquery | Engine::Athena => {
            let src = if e == Engine::Bigquery { Source::GcpAudit } else { Source::AwsCloudTrail };
            let tables: Vec<String> = if r.tables.is_empty() {
                src.default_tables(e).iter().map(|t| t.to_string()).collect()
            } else {
                r.tables.clone()
            };
            for t in tables {
                check_table_name(&t)?;
                out.push((src, t));
            }
        }
        Engine::Kql => {
            if r.tables.is_empty() {
                for s in Source::ALL {
                    for t in s.default_tables(e) {
                        out.push((s, t.to_string()));
                    }
                }
            } else {
                for t in &r.tables {
                    check_table_name(t)?;
                    let l = t.to_ascii_lowercase();
                    let s = if l.contains("gcp") {
                        Source::GcpAudit
                    } else if l.contains("aws") || l.contains("cloudtrail") {
                        Source::AwsCloudTrail
                    } else if l.contains("signin") {
                        Source::AzureSignin
                    } else {
                        Source::AzureActivity
                    };
                    out.push((s, t.clone()));
                }
            }
        }
    }
    Ok(out)
}

fn check_table_name(t: &str) -> Result<(), String> {
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || "_.-:".contains(c)) {
        return Err(format!("not a table name: {t:?} (letters, digits, _ . - : only)"));
    }
    Ok(())
}

/// A table reference as the dialect quotes it.
fn table_ref(e: Engine, t: &str) -> String {
    match e {
        Engine::Bigquery => format!("`{t}`"),
        Engine::Athena => t.split('.').map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join("."),
        _ => t.to_string(),
    }
}

/// The raw-file prelude of Spark and DuckDB: every JSON object of the export files, and every
/// record in them (CloudTrail `Records`, Azure `records`, or the object itself). DuckDB reads
/// JSON lines, concatenated objects and pretty-printed files alike; Spark's text reader takes one
/// JSON document per line (the form every export here writes).
fn raw_prelude(r: &Request) -> (String, Vec<(String, String)>) {
    let e = r.engine;
    let paths: Vec<String> = if r.tables.is_empty() { vec!["logs".into()] } else { r.tables.clone() };
    match e {
        Engine::Duckdb => {
            let list: Vec<String> = paths
                .iter()
                .map(|p| {
                    let glob = if std::path::Path::new(p).is_file() || p.contains('*') {
                        p.clone()
                    } else {
                        format!("{}/**", p.trim_end_matches('/'))
                    };
                    e.quote(&glob)
                })
                .collect();
            let files = format!(
                "SELECT json AS doc FROM read_json_objects([{}], format = 'auto', ignore_errors = true, maximum_object_size = 1073741824)",
                list.join(", ")
            );
            let records = "SELECT UNNEST(CASE WHEN json_exists(doc, '$.Records') THEN json_extract(doc, '$.Records[*]') \
                 WHEN json_exists(doc, '$.records') THEN json_extract(doc, '$.records[*]') ELSE [doc] END) AS r FROM trailwatch_files"
                .to_string();
            (String::new(), vec![("trailwatch_files".into(), files), ("trailwatch_records".into(), records)])
        }
        _ => {
            let mut views = String::new();
            let mut union = Vec::new();
            for (i, p) in paths.iter().enumerate() {
                views.push_str(&format!(
                    "CREATE OR REPLACE TEMPORARY VIEW trailwatch_files_{i} USING text OPTIONS (path {}, recursiveFileLookup 'true');\n",
                    e.quote(p)
                ));
                union.push(format!("SELECT value FROM trailwatch_files_{i}"));
            }
            let records = format!(
                "SELECT explode(CASE WHEN get_json_object(value, '$.Records') IS NOT NULL \
                 THEN from_json(get_json_object(value, '$.Records'), 'array<string>') \
                 WHEN get_json_object(value, '$.records') IS NOT NULL \
                 THEN from_json(get_json_object(value, '$.records'), 'array<string>') \
                 ELSE array(value) END) AS r FROM ({}) trailwatch_files",
                union.join(" UNION ALL ")
            );
            (views, vec![("trailwatch_records".into(), records)])
        }
    }
}

fn sql(r: &Request, sources: &[(Source, String)], dets: &[Detector]) -> String {
    let e = r.engine;
    let none = |_: &str| -> String { unreachable!("a detector reads normalised columns only") };
    let x = |ex: &Expr| e.expr(ex, &none);
    let c = |co: &Cond| e.cond(co, &none);
    let (mut prefix, mut ctes) =
        if matches!(e, Engine::Spark | Engine::Duckdb) { raw_prelude(r) } else { (String::new(), Vec::new()) };

    let mut selects = Vec::new();
    for (src, table) in sources {
        // The raw-file engines parse each record once: DuckDB with the list of paths the query
        // reads, Spark with a `from_json` schema of them. The table engines read columns.
        let paths: std::cell::RefCell<Vec<String>> = std::cell::RefCell::new(Vec::new());
        let listed = |p: &str| {
            let mut v = paths.borrow_mut();
            let i = v.iter().position(|x| x == p).unwrap_or_else(|| {
                v.push(p.to_string());
                v.len() - 1
            });
            format!("COALESCE(f[{}], '')", i + 1)
        };
        let direct = |p: &str| src.field(e, table, p);
        let field: &dyn Fn(&str) -> String =
            if matches!(e, Engine::Duckdb | Engine::Spark) { &listed } else { &direct };
        let mut cols = vec![format!("'{}' AS cloud", src.cloud().as_str())];
        cols.extend(src.columns().iter().map(|(n, ex)| format!("{} AS {n}", e.expr(ex, field))));
        let mut filter = src.filter(e).map(|co| format!("\n  WHERE {}", e.cond(&co, field))).unwrap_or_default();
        if e == Engine::Spark {
            // The listed fields become paths into the parsed record.
            let all = paths.borrow().clone();
            let mut rendered = cols.join(",\n    ");
            for (i, p) in all.iter().enumerate().rev() {
                let place = format!("COALESCE(f[{}], '')", i + 1);
                let real = schema::spark_field(&all, p);
                rendered = rendered.replace(&place, &real);
                filter = filter.replace(&place, &real);
            }
            cols = vec![rendered];
        }
        let from = match e {
            Engine::Duckdb => {
                let list: Vec<String> = paths.borrow().iter().map(|p| e.quote(&schema::json_path(p, false))).collect();
                format!("(SELECT json_extract_string(r, [{}]) AS f FROM {table}) fields", list.join(", "))
            }
            Engine::Spark => {
                let ddl = schema::spark_schema(&paths.borrow());
                format!("(SELECT from_json(r, {}) AS j FROM {table}) fields", e.quote(&ddl))
            }
            _ => table_ref(e, table),
        };
        selects.push(format!("  SELECT\n    {}\n  FROM {from}{filter}", cols.join(",\n    ")));
    }
    ctes.push(("events".into(), selects.join("\n  UNION ALL\n").trim_start().to_string()));
    let ev = format!(
        "SELECT * FROM (SELECT events.*, {} AS time FROM events) parsed WHERE time IS NOT NULL",
        e.parse_time("time_text")
    );
    if e == Engine::Spark {
        // Spark recomputes a CTE at every reference: the normalised events are cached once.
        let with: Vec<String> = ctes.drain(..).map(|(n, b)| format!("{n} AS (\n  {b}\n)")).collect();
        prefix.push_str(&format!("CACHE TABLE trailwatch_events AS\nWITH\n{}\n{ev};\n", with.join(",\n")));
        ctes.push(("ev".into(), "SELECT * FROM trailwatch_events".into()));
    } else {
        ctes.push(("ev".into(), ev));
    }
    let start = match r.since {
        Some(s) => format!("SELECT {} AS detection_start", e.instant(s)),
        None => format!(
            "SELECT {} AS detection_start FROM ev WHERE time >= {}",
            e.plus_seconds("MIN(time)", r.learn / crate::time::SECOND_US),
            e.instant(EARLIEST_PLAUSIBLE)
        ),
    };
    ctes.push(("bounds".into(), start));

    let body = if let Some(s) = &r.slice {
        let mut w = vec![format!("principal = {}", e.quote(&s.principal))];
        if let Some(f) = s.from {
            w.push(format!("time >= {}", e.instant(f)));
        }
        if let Some(t) = s.to {
            w.push(format!("time < {}", e.instant(t)));
        }
        format!(
            "SELECT cloud, time_text AS time, principal, service, operation, resource, source_ip, outcome, status\nFROM ev\nWHERE {}\nORDER BY time",
            w.join(" AND ")
        )
    } else {
        let mut names = Vec::new();
        for d in dets {
            let (name, body) = match d {
                Detector::FirstSeen { name, applies, terms, key } => {
                    let parts: Vec<String> =
                        terms.iter().enumerate().map(|(i, t)| format!("{} AS term_{i}", x(t))).collect();
                    let by: Vec<String> = std::iter::once("principal".to_string())
                        .chain((0..terms.len()).map(|i| format!("term_{i}")))
                        .collect();
                    let by = by.join(", ");
                    (
                        *name,
                        format!(
                            "SELECT {}\n  FROM (\n    SELECT keyed.*,\n      ROW_NUMBER() OVER (PARTITION BY {by} ORDER BY time, time_text) AS nth,\n      COUNT(*) OVER (PARTITION BY {by}) AS seen\n    FROM (SELECT ev.*, {} FROM ev WHERE {}) keyed\n  ) ranked CROSS JOIN bounds\n  WHERE nth = 1 AND time >= detection_start",
                            out_columns(e, name, &x(key)),
                            parts.join(", "),
                            c(applies)
                        ),
                    )
                }
                Detector::Occurrence { name, when, or_first, key } => {
                    let (cand, part) = match or_first {
                        Some((cond, part)) => (iff(cond.clone(), lit("y"), lit("n")), part.clone()),
                        None => (lit("n"), lit("")),
                    };
                    let keep = if or_first.is_some() {
                        format!("({}) OR (candidate = 'y' AND nth = 1)", c(when))
                    } else {
                        c(when)
                    };
                    // With --since, creations before it are baseline, as in the local scan.
                    let keep = if r.since.is_some() { format!("({keep}) AND time >= detection_start") } else { keep };
                    (
                        *name,
                        format!(
                            "SELECT {}\n  FROM (\n    SELECT keyed.*,\n      ROW_NUMBER() OVER (PARTITION BY candidate, part ORDER BY time, time_text) AS nth,\n      1 AS seen\n    FROM (SELECT ev.*, {} AS candidate, {} AS part FROM ev) keyed\n  ) ranked CROSS JOIN bounds\n  WHERE {keep}",
                            out_columns(e, name, &x(key)),
                            x(&cand),
                            x(&part)
                        ),
                    )
                }
            };
            let cte = name.replace('-', "_");
            ctes.push((cte.clone(), body));
            names.push(cte);
        }
        let union: Vec<String> = names.iter().map(|n| format!("SELECT * FROM {n}")).collect();
        format!("{}\nORDER BY detector, first_seen, principal", union.join("\nUNION ALL\n"))
    };
    let with: Vec<String> = ctes
        .into_iter()
        .map(|(n, b)| {
            // DuckDB computes the events once for every detector that reads them.
            let materialized = if e == Engine::Duckdb && n == "ev" { "MATERIALIZED " } else { "" };
            format!("{n} AS {materialized}(\n  {b}\n)")
        })
        .collect();
    format!("{prefix}WITH\n{}\n{body};\n", with.join(",\n"))
}

/// 2000-01-01T00:00:00Z: the earliest plausible audit record (as the local store's anchor).
const EARLIEST_PLAUSIBLE: i64 = 946_684_800_000_000;

/// The alert columns every detector returns, in order.
pub const RESULT_COLUMNS: [&str; 13] = [
    "detector",
    "cloud",
    "principal",
    "time",
    "operation",
    "service",
    "resource",
    "source_ip",
    "outcome",
    "key",
    "first_seen",
    "repeats",
    "baseline",
];

fn out_columns(e: Engine, name: &str, key: &str) -> String {
    let t = e.text_type();
    format!(
        "'{name}' AS detector, cloud, principal, time_text AS time, operation, service, resource, source_ip, outcome,\n    {key} AS key,\n    CAST(time AS {t}) AS first_seen,\n    seen - 1 AS repeats,\n    CONCAT('repeated ', CAST(seen - 1 AS {t}), ' time(s) since; detection from ', CAST(detection_start AS {t})) AS baseline"
    )
}

fn kql(r: &Request, sources: &[(Source, String)], dets: &[Detector]) -> String {
    let e = Engine::Kql;
    let none = |_: &str| -> String { unreachable!("a detector reads normalised columns only") };
    let x = |ex: &Expr| e.expr(ex, &none);
    let c = |co: &Cond| e.cond(co, &none);
    let mut out = String::new();
    let mut parts = Vec::new();
    for (src, table) in sources {
        let field = |p: &str| src.field(e, table, p);
        let mut pipe = table.clone();
        if table == "AzureDiagnostics" {
            pipe.push_str("\n    | where ResourceProvider == 'MICROSOFT.KEYVAULT' and Category == 'AuditEvent'");
        }
        if let Some(f) = src.filter(e) {
            pipe.push_str(&format!("\n    | where {}", e.cond(&f, &field)));
        }
        let mut cols = vec![format!("cloud = '{}'", src.cloud().as_str())];
        cols.extend(src.columns().iter().map(|(n, ex)| format!("{n} = {}", e.expr(ex, &field))));
        pipe.push_str(&format!("\n    | project\n        {}", cols.join(",\n        ")));
        parts.push(format!("    ({pipe})"));
    }
    out.push_str(&format!(
        "let events = union\n{}\n    | extend time = todatetime(time_text)\n    | where isnotnull(time);\n",
        parts.join(",\n")
    ));
    match r.since {
        Some(s) => out.push_str(&format!("let detection_start = {};\n", e.instant(s))),
        None => out.push_str(&format!(
            "let detection_start = toscalar(events | where time >= {} | summarize min(time)) + {}s;\n",
            e.instant(EARLIEST_PLAUSIBLE),
            r.learn / crate::time::SECOND_US
        )),
    }
    if let Some(s) = &r.slice {
        let mut w = vec![format!("principal == {}", e.quote(&s.principal))];
        if let Some(f) = s.from {
            w.push(format!("time >= {}", e.instant(f)));
        }
        if let Some(t) = s.to {
            w.push(format!("time < {}", e.instant(t)));
        }
        out.push_str(&format!(
            "events\n| where {}\n| project cloud, time = time_text, principal, service, operation, resource, source_ip, outcome, status\n| order by time asc\n",
            w.join(" and ")
        ));
        return out;
    }
    let project = |name: &str, key: &str| {
        format!(
            "| project detector = '{name}', cloud, principal, time = time_text, operation, service, resource, source_ip, outcome,\n    key = {key}, first_seen = time, repeats = seen - 1,\n    baseline = strcat('repeated ', seen - 1, ' time(s) since; detection from ', detection_start)"
        )
    };
    let mut names = Vec::new();
    for d in dets {
        let (name, body) = match d {
            Detector::FirstSeen { name, applies, terms, key } => {
                let ext: Vec<String> = terms.iter().enumerate().map(|(i, t)| format!("term_{i} = {}", x(t))).collect();
                let by: Vec<String> = (0..terms.len()).map(|i| format!("term_{i}")).collect();
                (
                    *name,
                    format!(
                        "events\n| where {}\n| extend {}\n| summarize arg_min(time, *), seen = count() by principal, {}\n| where time >= detection_start\n{}",
                        c(applies),
                        ext.join(", "),
                        by.join(", "),
                        project(name, &x(key))
                    ),
                )
            }
            Detector::Occurrence { name, when, or_first, key } => {
                // With --since, creations before it are baseline, as in the local scan.
                let since = if r.since.is_some() { "| where time >= detection_start\n" } else { "" };
                let body = match or_first {
                    None => {
                        format!("events\n| where {}\n{since}| extend seen = 1\n{}", c(when), project(name, &x(key)))
                    }
                    Some((cand, part)) => format!(
                        "let {n}_first = events | where {} | extend part = {} | summarize first_time = min(time) by part;\nevents\n| extend part = {}\n| join kind=leftouter {n}_first on part\n| where ({}) or ({} and time == first_time)\n{since}| extend seen = 1\n{}",
                        c(cand),
                        x(part),
                        x(part),
                        c(when),
                        c(cand),
                        project(name, &x(key)),
                        n = name.replace('-', "_")
                    ),
                };
                (*name, body)
            }
        };
        let n = name.replace('-', "_");
        match body.rsplit_once("\nevents\n") {
            Some((pre, rest)) if body.starts_with("let ") => {
                out.push_str(&format!("{pre}\nlet {n} = events\n{rest};\n"));
            }
            _ => out.push_str(&format!("let {n} = {body};\n")),
        }
        names.push(n);
    }
    if r.detectors.iter().any(|d| d == "rare-process") {
        out.push_str(&rare_process());
        names.push("rare_process".into());
    }
    out.push_str(&format!("union {}\n| order by detector asc, first_seen asc, principal asc\n", names.join(", ")));
    out
}

/// `rare-process` over `SecurityEvent` process creations (4688): a (process, computer, account)
/// first run at or after detection start, after the hunt's exclusions (the local
/// `activity::hunt::is_excluded`). Nuance: the local detector also reads Sysmon 1 events and
/// scores with the day's fleet engagement ratio; here the row carries how many computers ran the
/// process.
fn rare_process() -> String {
    let e = Engine::Kql;
    let mut ex: Vec<String> =
        crate::activity::hunt::EXACT_EXCLUSIONS.iter().map(|x| format!("process != {}", e.quote(x))).collect();
    ex.extend(crate::activity::hunt::EXCLUSIONS.iter().map(|x| format!("process !contains {}", e.quote(x))));
    format!(
        "let rare_process = SecurityEvent
| where EventID == 4688
| extend process = tostring(NewProcessName), computer = tostring(Computer), principal = tostring(Account)
| where {}
| summarize arg_min(TimeGenerated, *), seen = count() by process, computer, principal
| where TimeGenerated >= detection_start
| join kind=leftouter (SecurityEvent | where EventID == 4688 | summarize hosts = dcount(Computer) by process = tostring(NewProcessName)) on process
| project detector = 'rare-process', cloud = 'windows', principal, time = tostring(TimeGenerated), operation = '4688',
    service = 'Microsoft-Windows-Security-Auditing', resource = process, source_ip = '', outcome = 'success', key = process,
    computer, first_seen = TimeGenerated, repeats = seen - 1,
    baseline = strcat('ran on ', hosts, ' computer(s); detection from ', detection_start);
",
        ex.join("\n    and ")
    )
}
