//! The `trailwatch` binary: parse the command line, run it, turn the result into an exit status.
use clap::Parser;
use std::io::Write;

fn main() {
    let cli = trailwatch::cli::Cli::parse();
    let code = match trailwatch::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Not eprintln!: with the terminal gone, a failed write must not become a panic.
            let full = format!("{e:#}");
            let msg = trailwatch::text::escape(&full);
            let _ = writeln!(std::io::stderr(), "trailwatch: error: {msg}");
            1
        }
    };
    std::process::exit(code);
}
