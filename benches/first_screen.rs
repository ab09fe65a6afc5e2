//! Time from the end of loading to the first drawn screen of the investigator, as the TUI does it:
//! the detectors run, the app opens its case folder, and the alert queue is rendered into a
//! 100×30 `TestBackend`.
//!
//!   cargo bench --bench first_screen -- DIR [RUNS]
//!
//! DIR defaults to `target/bench-data/gcp-1000000` (made by `bash benches/run.sh`).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Instant;
use trailwatch::detect::{self, Config};
use trailwatch::ingest::{self, Input, LoadOptions};
use trailwatch::tui::{App, TuiOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let dir = args.first().cloned().unwrap_or_else(|| "target/bench-data/gcp-1000000".into());
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let t = Instant::now();
    let (store, report) = ingest::load(&[Input::Path(dir.clone().into())], &LoadOptions::default());
    eprintln!("loaded {} events from {dir} in {:.2} s", store.len(), t.elapsed().as_secs_f64());
    let store = Arc::new(store);
    let cases = std::env::temp_dir().join(format!("trailwatch-first-screen-{}", std::process::id()));
    let mut times = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&cases);
        let start = Instant::now();
        let cfg = Config::default();
        let alerts = detect::run(&store, &cfg, trailwatch::time::wall_now_us());
        let now = store.span().map_or(0, |(_, last)| last);
        let opts =
            TuiOptions { cases_dir: Some(cases.clone()), detect: cfg, title: dir.clone(), ..TuiOptions::default() };
        let mut app = App::new(store.clone(), report.clone(), alerts, opts, now);
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap_or_else(|e| match e {});
        app.resize(100, 30);
        let _ = terminal.draw(|f| app.draw(f));
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let _ = std::fs::remove_dir_all(&cases);
    times.sort_by(f64::total_cmp);
    println!("| events | first screen after load, median ms | worst ms |");
    println!("|---|---|---|");
    println!("| {} | {:.1} | {:.1} |", store.len(), times[times.len() / 2], times[times.len() - 1]);
}
