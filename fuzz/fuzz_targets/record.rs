//! Fuzzes the record parser: any bytes give an event, an ignored kind, a batch, an embedded
//! record or a reason — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwatch::ingest::probe::{self, Parsed};

fuzz_target!(|data: &[u8]| {
    match probe::parse_record(data) {
        Ok(Parsed::Embedded(inner)) => {
            let _ = probe::parse_record(inner.as_bytes());
        }
        Ok(Parsed::Batch(records)) => {
            for r in records {
                let _ = probe::parse_record(r.get().as_bytes());
            }
        }
        Ok(_) | Err(_) => {}
    }
});
