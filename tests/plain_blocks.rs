//! Plain JSON Lines files on disk are read in blocks into a reused buffer: the result must be
//! exactly what reading the same text from memory gives (events, lines, offsets, skips), across
//! block and chunk boundaries, with a line longer than a block, a byte-order mark, CRLF lines,
//! invalid UTF-8 and a damaged record.

mod common;
use common::*;
use trailwatch::ingest::{self, Input, LoadOptions};

/// (line, offset, principal, resource) of each event, and (line, reason) of each skip.
type Loaded = (Vec<(u32, u64, String, String)>, Vec<(Option<u32>, String)>);

fn summary(input: Input) -> Loaded {
    let (store, report) = ingest::load(&[input], &LoadOptions::default());
    let mut ev: Vec<_> = store
        .events()
        .iter()
        .map(|e| (e.src.line, e.src.offset, store.str(e.principal).to_string(), store.str(e.resource).to_string()))
        .collect();
    ev.sort();
    (ev, report.skips.iter().map(|s| (s.line, s.reason.clone())).collect())
}

fn text() -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    for i in 0..24_000usize {
        let pad = match i {
            5_000 => "x".repeat(1 << 20),
            _ => "y".repeat(i % 900),
        };
        let line = rec::gcp_numbered(i, &pad);
        match i {
            7_000 => out.extend_from_slice(b"{broken"),
            9_000 => out.extend_from_slice(&line.as_bytes()[..40]),
            11_000 => out.extend_from_slice(&[b'{', 0xff, 0xfe, b'}']),
            _ => out.extend_from_slice(line.as_bytes()),
        }
        out.extend_from_slice(if i % 1000 == 3 { b"\r\n" } else { b"\n" });
    }
    out
}

#[test]
fn plain_file_read_in_blocks_matches_reading_from_memory() {
    let text = text();
    assert!(text.len() > 2 * (8 << 20), "spans several chunks");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    std::fs::write(&path, &text).unwrap();
    let from_disk = summary(Input::Path(path));
    let from_memory = summary(Input::Memory { name: "big.jsonl".into(), bytes: text.into() });
    assert_eq!(from_disk.0.len(), 23_997);
    assert_eq!(from_disk.1.len(), 3, "{:?}", from_disk.1);
    assert_eq!(from_disk, from_memory);
    let long = from_disk.0.iter().find(|e| e.0 == 5_001).expect("the long line's record");
    assert_eq!(long.3.len(), 1 << 20);
}
