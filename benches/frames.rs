//! Keystroke-to-frame times at 1 M events (update + render into a 100×30 `TestBackend`):
//! `cargo bench --bench frames`. Results go into BENCHMARKS.md.

#[path = "support/frames.rs"]
mod frames;

fn main() {
    let n = std::env::args().filter_map(|a| a.parse::<usize>().ok()).next().unwrap_or(1_000_000);
    let rows = frames::measure(n);
    println!("| keystroke ({n} events of one principal) | time ms |");
    println!("|---|---|");
    for (label, d) in &rows {
        println!("| {label} | {:.2} |", d.as_secs_f64() * 1e3);
    }
}
