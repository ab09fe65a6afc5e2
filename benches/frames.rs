//! Keystroke-to-frame times (update + render into a 100×30 `TestBackend`):
//! `cargo bench --bench frames -- [EVENTS] [PRINCIPALS]`, default 1 M events all of one principal
//! (the worst case: every view works over all of them). Results go into BENCHMARKS.md.

#[path = "support/frames.rs"]
mod frames;

fn main() {
    let nums: Vec<usize> = std::env::args().filter_map(|a| a.parse::<usize>().ok()).collect();
    let n = nums.first().copied().unwrap_or(1_000_000);
    let principals = nums.get(1).copied().unwrap_or(1).max(1);
    let rows = frames::measure(n, principals);
    println!(
        "| keystroke ({n} events, {principals} principal(s); the alert's has {}) | first frame ms | result drawn ms |",
        n.div_ceil(principals)
    );
    println!("|---|---|---|");
    for (label, frame, done) in &rows {
        let ms = |d: &std::time::Duration| d.as_secs_f64() * 1e3;
        let done = if done > frame { format!("{:.2}", ms(done)) } else { "same".into() };
        println!("| {label} | {:.2} | {done} |", ms(frame));
    }
}
