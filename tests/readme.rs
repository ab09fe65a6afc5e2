//! README and command line agree: every `trailwatch …` (and `cargo run --release -- …`) line in
//! the README's fenced code blocks parses with the real clap definition, in every form its
//! synopsis allows.
//!
//! The synopsis notation: `[…]` optional, `(…)` one of its alternatives required, ` | ` between
//! alternatives (inside brackets or parentheses), `a|b` between values of one flag, `LOGS…` the paths, upper-case words (and `a,b`)
//! placeholders filled in per flag below. A placeholder the test does not know fails it, so a
//! new flag's example must be added here too.

use clap::Parser;
use trailwatch::cli::Cli;

/// One piece of a synopsis.
#[derive(Debug, Clone)]
enum Node {
    /// A word; `a|b` values are alternatives.
    Word(String),
    /// One of the sequences, or (optional) none.
    Choice { optional: bool, alts: Vec<Vec<Node>> },
}

fn tokens(line: &str) -> Vec<String> {
    let spaced = line.replace('[', " [ ").replace(']', " ] ").replace('(', " ( ").replace(')', " ) ");
    spaced.split_whitespace().map(String::from).collect()
}

/// Parses tokens up to the end or a closing bracket into alternatives split by ` | `.
fn alternatives(toks: &[String], i: &mut usize) -> Vec<Vec<Node>> {
    let mut alts = vec![Vec::new()];
    while *i < toks.len() {
        let t = toks[*i].as_str();
        *i += 1;
        match t {
            "]" | ")" => return alts,
            "|" => alts.push(Vec::new()),
            "[" | "(" => {
                let inner = alternatives(toks, i);
                alts.last_mut().unwrap().push(Node::Choice { optional: t == "[", alts: inner });
            }
            w => alts.last_mut().unwrap().push(Node::Word(w.to_string())),
        }
    }
    alts
}

/// Every form of a sequence (the product of its choices).
fn expand(seq: &[Node]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for node in seq {
        let options: Vec<Vec<String>> = match node {
            Node::Word(w) => w.split('|').map(|v| vec![v.to_string()]).collect(),
            Node::Choice { optional, alts } => {
                let mut o: Vec<Vec<String>> = alts.iter().flat_map(|a| expand(a)).collect();
                if *optional {
                    o.push(Vec::new());
                }
                o
            }
        };
        out = out.iter().flat_map(|prefix| options.iter().map(move |o| [prefix.clone(), o.clone()].concat())).collect();
        assert!(out.len() <= 20_000, "synopsis too combinatorial: {seq:?}");
    }
    out
}

fn is_placeholder(w: &str) -> bool {
    w == "a,b"
        || w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "…/_".contains(c))
}

/// An example value for a placeholder after `flag` (`None` for a positional).
fn example(flag: Option<&str>, placeholder: &str) -> Option<&'static str> {
    Some(match (flag, placeholder) {
        (_, "LOGS…" | "PATH…") => "logs",
        (Some("--principal"), "P") => "alice@example.com",
        (Some("--from" | "--to" | "--since" | "--start" | "--end" | "--now"), "T") => "2024-03-06",
        (Some("--min-severity"), "S") => "medium",
        (Some("--seed"), "S") => "7",
        (Some("--detectors"), "a,b") => "new-api-call,api-burst",
        (Some("--dims"), "a,b") => "principal,service",
        (Some("--alert"), "ID") => "0123456789abcdef",
        (Some("--incident"), "ID") => "inc-0123456789ab",
        (_, "ALERT_ID") => "0123456789abcdef",
        (Some("--remove"), "ID") => "sup-0123456789ab",
        (Some("--reason"), "TEXT") => "known CI deploys",
        (Some("--until"), "T") => "2027-01-01",
        (Some("--events" | "--principals"), "N") => "100",
        (Some("-o" | "--output"), "FILE") => "case.md",
        (Some("-o" | "--output"), "DIR/") => "reports/",
        (Some(_), "DIR") => "some-folder",
        (Some("--baseline"), "PATH") => "older-logs",
        (Some("--table"), "NAME") => "audit.cloudaudit_googleapis_com_activity",
        (Some("--slice"), "PRINCIPAL") => "alice@example.com",
        (Some("--master"), "URL") => "local[2]",
        (None, "RESULT…") => "result.csv",
        _ => return None,
    })
}

/// The command lines of the README's fenced code blocks, as written (comments cut).
fn readme_lines() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut inside = false;
    let mut lines = Vec::new();
    for l in text.lines() {
        if l.trim_start().starts_with("```") {
            inside = !inside;
            continue;
        }
        let l = l.split(" #").next().unwrap_or("").trim();
        if inside && (l.starts_with("trailwatch ") || l.starts_with("cargo run --release -- ")) {
            lines.push(l.to_string());
        }
    }
    lines
}

/// Every concrete argument list one README line stands for.
fn forms(line: &str) -> Vec<Vec<String>> {
    let rest = line.strip_prefix("cargo run --release -- ").or_else(|| line.strip_prefix("trailwatch ")).unwrap();
    let toks = tokens(rest);
    let mut i = 0;
    let mut alts = alternatives(&toks, &mut i);
    assert_eq!(alts.len(), 1, "a ` | ` outside brackets or parentheses is ambiguous: {line}");
    let seq = alts.remove(0);
    expand(&seq)
        .into_iter()
        .map(|words| {
            let mut args = vec!["trailwatch".to_string()];
            for w in &words {
                if is_placeholder(w) {
                    let flag = args.last().filter(|a| a.starts_with('-')).map(String::as_str);
                    let v =
                        example(flag, w).unwrap_or_else(|| panic!("unknown placeholder {w} after {flag:?} in: {line}"));
                    args.push(v.to_string());
                } else {
                    args.push(w.clone());
                }
            }
            args
        })
        .collect()
}

#[test]
fn every_readme_command_line_parses() {
    let lines = readme_lines();
    assert!(lines.len() >= 8, "the README's command lines were not found: {lines:?}");
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in &lines {
        for args in forms(line) {
            checked += 1;
            if let Err(e) = Cli::try_parse_from(&args) {
                failures.push(format!(
                    "{line}\n    as: {}\n    {}",
                    args.join(" "),
                    e.to_string().lines().next().unwrap_or("")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} README command forms do not parse:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_synopsis_reader_catches_a_wrong_spelling() {
    // The README once said `--id source_ip` while the CLI wanted `source-ip`: both parse now,
    // but a value the CLI does not know is still caught.
    let bad = "trailwatch activity LOGS… --id operation|source_address";
    let failing: Vec<_> = forms(bad).into_iter().filter(|a| Cli::try_parse_from(a).is_err()).collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert!(failing[0].contains(&"source_address".to_string()));
    assert_eq!(forms("trailwatch scan LOGS… [--learn 7d | --since T]").len(), 3);
    assert_eq!(forms("trailwatch report LOGS… (--alert ID | --all) [-o FILE|DIR/]").len(), 6);
    assert!(Cli::try_parse_from(["trailwatch", "activity", "logs", "--id", "source_ip"]).is_ok());
    assert!(
        Cli::try_parse_from(["trailwatch", "activity", "logs", "--id", "source-ip", "--dims", "source_ip"]).is_ok()
    );
}
