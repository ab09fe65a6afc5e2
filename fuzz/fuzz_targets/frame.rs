//! Fuzzes the framer: mode detection, JSON Lines framing and the document walker must never
//! panic or loop, and every range they report must lie inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwatch::ingest::frame::{self, Item};

fn check(text: &[u8], item: &Item) {
    if let Item::Record { offset, len, .. } = *item {
        assert!(offset.checked_add(len).is_some_and(|end| end <= text.len()), "record range outside the text");
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = frame::detect_mode(data);
    let _ = frame::looks_like_lines(data);
    let mut lines = 0u32;
    let n = frame::frame_lines(data, &mut |item| {
        check(data, &item);
        lines += 1;
    });
    assert!(lines <= n, "more records than lines");
    frame::frame_document(data, &mut |item| check(data, &item));
});
