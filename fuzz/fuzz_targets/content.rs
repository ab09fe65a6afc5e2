//! Fuzzes decoding: gzip (also garbage and truncated), byte-order marks and UTF-16 must give text
//! or a reason, never a panic; the text must be framable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwatch::ingest::content::{self, Bytes};
use trailwatch::ingest::frame;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = content::decode(Bytes::Owned(data.to_vec())) {
        let text = c.text();
        let _ = frame::detect_mode(text);
        c.release(0, text.len());
    }
});
