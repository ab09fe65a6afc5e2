//! The `trailwatch` binary: parse the command line, run it, turn the result into an exit status.
use clap::Parser;

fn main() {
    let cli = trailwatch::cli::Cli::parse();
    let code = match trailwatch::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("trailwatch: error: {}", trailwatch::text::escape(&format!("{e:#}")));
            1
        }
    };
    std::process::exit(code);
}
