//! Generates a synthetic audit-log set and prints what was written and how long it took.
//!
//! `cargo run --release --example gen -- OUT_DIR [EVENTS] [--gzip] [--seed N] [--days N]
//! [--principals N] [--expected | --lookalikes]`
//!
//! With `--expected` (or `--lookalikes`), prints the alerts the detectors should raise
//! (`expected_alerts`) or must not raise (`planned_lookalikes`) as tab-separated
//! `detector, principal, time (µs), key` lines instead of the incidents.

use std::time::Instant;
use trailwatch::generate::{GenerateConfig, expected_alerts, generate, planned_lookalikes};

fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1)?.parse().ok()
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args.first().map_or("gen-out", String::as_str);
    let mut cfg = GenerateConfig::default();
    if let Some(n) = args.get(1).and_then(|s| s.parse().ok()) {
        cfg.events = n;
    }
    cfg.gzip = args.iter().any(|a| a == "--gzip");
    cfg.seed = flag(&args, "--seed").unwrap_or(cfg.seed);
    cfg.days = flag(&args, "--days").unwrap_or(cfg.days);
    cfg.principals = flag(&args, "--principals").unwrap_or(cfg.principals);
    let t = Instant::now();
    let s = generate(&cfg, std::path::Path::new(out))?;
    let secs = t.elapsed().as_secs_f64();
    let list = if args.iter().any(|a| a == "--expected") {
        Some(expected_alerts(&cfg))
    } else if args.iter().any(|a| a == "--lookalikes") {
        Some(planned_lookalikes(&cfg))
    } else {
        None
    };
    if let Some(list) = list {
        for i in list {
            println!("{}\t{}\t{}\t{}", i.detector, i.principal, i.time, i.key);
        }
        return Ok(());
    }
    let rate = s.events as f64 / secs;
    println!("{} events, {} files, {} bytes in {secs:.2} s ({rate:.0} events/s)", s.events, s.files, s.bytes);
    for i in &s.incidents {
        println!("{:<20} {:<8} {:<60} {} {}", i.detector, i.cloud, i.principal, i.time, i.key);
    }
    Ok(())
}
