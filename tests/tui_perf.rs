//! The keystroke script of the `frames` benchmark on a 100 k-event timeline: every step lands on
//! the screen it should. Timing is the benchmark's job (`cargo bench --bench frames`), not a test's.

#[path = "../benches/support/frames.rs"]
mod frames;

#[test]
fn keystroke_script_runs_on_a_large_timeline() {
    let rows = frames::measure(100_000, 1);
    assert!(rows.len() > 30);
    assert!(rows.iter().any(|(label, _, _)| label == "t: open the timeline"));
}
