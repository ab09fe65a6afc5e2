use trailwatch::detect::{self, Config};
use trailwatch::ingest::{self, LoadOptions};
#[test]
fn print() {
    let inputs = trailwatch::demo::inputs().unwrap();
    let (store, _) = ingest::load(&inputs, &LoadOptions::default());
    let alerts = detect::run(&store, &Config::default(), 0);
    for a in alerts.iter().filter(|a| a.detector == "sensitive-operation") {
        println!("{} {} {} | {}", a.severity.as_str(), a.time, a.principal, a.summary);
    }
    for inc in trailwatch::generate::expected_alerts(&trailwatch::demo::config()) { println!("EXPECTED {inc:?}"); }
}
