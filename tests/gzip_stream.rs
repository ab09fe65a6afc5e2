//! Large gzip JSON Lines files are inflated as a stream and parsed while they inflate: the result
//! must be exactly what reading the whole file gives (events, lines, offsets, skips), across
//! block boundaries, with a line longer than a block, and with a truncated stream.

mod common;
use common::*;
use flate2::write::GzEncoder;
use std::io::Write;
use trailwatch::ingest::stream::gzip_lines;
use trailwatch::ingest::{self, Input, LoadOptions, Progress};

fn gz(text: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text).unwrap();
    e.finish().unwrap()
}

fn lines(n: usize, long_at: Option<usize>, broken_at: Option<usize>) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        let line = if Some(i) == broken_at {
            "{broken".to_string()
        } else {
            let pad = if Some(i) == long_at { "x".repeat(10 << 20) } else { "y".repeat(i % 700) };
            rec::gcp_numbered(i, &pad)
        };
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

/// (line, offset, principal) of each event.
type Events = Vec<(u32, u64, String)>;
/// (line, reason) of each skip.
type Skips = Vec<(Option<u32>, String)>;

/// Every event and skip from a normal load of the plain text.
fn reference(text: &[u8]) -> (Events, Skips) {
    let input = Input::Memory { name: "ref.jsonl".into(), bytes: text.to_vec().into() };
    let (store, report) = ingest::load(&[input], &LoadOptions::default());
    let mut ev: Vec<_> =
        store.events().iter().map(|e| (e.src.line, e.src.offset, store.str(e.principal).to_string())).collect();
    ev.sort();
    (ev, report.skips.iter().map(|s| (s.line, s.reason.clone())).collect())
}

fn streamed(text: &[u8]) -> (Events, Skips, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.jsonl.gz");
    std::fs::write(&p, gz(text)).unwrap();
    let s = gzip_lines(0, &p, &Progress::default()).unwrap().expect("JSON Lines are streamed");
    let mut ev = Vec::new();
    let mut skips = Vec::new();
    let mut base = 0u32;
    for b in &s.batches {
        for e in &b.events {
            ev.push((e.src.line + base, e.src.offset, b.strings.get(e.principal).to_string()));
        }
        skips.extend(b.skips.iter().map(|(l, r)| (Some(l + base), r.clone())));
        base += b.lines;
    }
    ev.sort();
    (ev, skips, s.warning)
}

#[test]
fn streaming_matches_reading_whole_across_blocks() {
    let text = lines(30_000, Some(12_345), Some(20_000));
    assert!(text.len() > 3 * (8 << 20), "spans several blocks");
    let (ev, skips) = reference(&text);
    let (sev, sskips, warning) = streamed(&text);
    assert_eq!(warning, None);
    assert_eq!(sev.len(), 29_999);
    assert_eq!(sev, ev);
    assert_eq!(sskips, skips);
    assert_eq!(sskips[0].0, Some(20_001));
}

#[test]
fn truncated_stream_keeps_what_came_before() {
    let text = lines(20_000, None, None);
    let mut z = gz(&text);
    z.truncate(z.len() * 3 / 4);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.jsonl.gz");
    std::fs::write(&p, z).unwrap();
    let s = gzip_lines(0, &p, &Progress::default()).unwrap().unwrap();
    let n: usize = s.batches.iter().map(|b| b.events.len()).sum();
    assert!(n > 10_000, "{n}");
    assert!(s.warning.unwrap().contains("truncated"));
}

#[test]
fn documents_are_left_to_the_whole_file_reader() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("records.json.gz");
    std::fs::write(&p, gz(b"{\"Records\": [\n{\"a\": 1}\n]}")).unwrap();
    assert!(gzip_lines(0, &p, &Progress::default()).unwrap().is_none());
}

#[test]
fn raw_records_read_back_from_a_large_gzip_file() {
    // Big enough (compressed) to take the streaming path end to end.
    let mut text = Vec::new();
    let mut i = 0u64;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    while text.len() < 36 << 20 {
        let noise: String = (0..400)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(ALPHABET[(x % 64) as usize])
            })
            .collect();
        // Every 5000th record is one a detector needs request facts of.
        let (service, method) =
            if i % 5000 == 7 { ("cloudresourcemanager.googleapis.com", "SetIamPolicy") } else { ("s", "m") };
        text.extend_from_slice(
            rec::gcp("2026-10-01T10:00:00Z", &format!("u{i}@x.com"), service, method, &noise, "10.0.0.1", 0).as_bytes(),
        );
        text.push(b'\n');
        i += 1;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.jsonl.gz");
    let z = gz(&text);
    assert!(z.len() as u64 >= trailwatch::ingest::stream::STREAM_FROM, "{}", z.len());
    std::fs::write(&p, z).unwrap();
    let (store, report) = load_paths(&[p]);
    assert_eq!(report.skipped, 0);
    assert_eq!(store.len() as u64, i);
    let last = store.events().iter().max_by_key(|e| e.src.offset).unwrap();
    let raw = store.raw_value(last).unwrap();
    assert_eq!(raw["protoPayload"]["authenticationInfo"]["principalEmail"], store.str(last.principal));
    // The facts step read the wanted records back in one inflating pass, each the right one.
    let wanted: Vec<usize> =
        (0..store.len()).filter(|&i| store.str(store.events()[i].operation) == "SetIamPolicy").collect();
    assert_eq!(wanted.len() as u64, (0..i).filter(|k| k % 5000 == 7).count() as u64);
    for p in wanted {
        let facts = store.facts(p as u32).expect("facts of a wanted record");
        assert_eq!(
            facts.get("protoPayload.authenticationInfo.principalEmail"),
            Some(store.str(store.events()[p].principal))
        );
    }
}
