//! Differential: whenever a scanner (GCP or CloudTrail) reads a record, serde must read the same
//! event from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwatch::ingest::fast;
use trailwatch::ingest::probe::{Parsed, parse_record_general};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Some(fast) = fast::event(s) {
        match parse_record_general(data) {
            Ok(Parsed::Event(general)) => assert_eq!(*general, fast),
            other => panic!("scanner read an event where serde gives {other:?}"),
        }
    }
});
