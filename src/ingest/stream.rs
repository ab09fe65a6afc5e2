//! Large gzip-compressed JSON Lines files, decompressed as a stream and parsed while they
//! decompress.
//!
//! One thread inflates (gzip is sequential); each newline-aligned block it produces is parsed on
//! the worker pool at once, so decompression overlaps parsing and memory holds only the blocks in
//! flight, never the whole decompressed file. Offsets stay positions in the decompressed text, as
//! for every other file, so a raw record can be read back later by inflating up to it.

use super::Progress;
use super::batch::Batch;
use super::frame::{self, Mode};
use flate2::read::MultiGzDecoder;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Condvar, Mutex};

/// Compressed size from which a gzip file is streamed rather than inflated whole.
pub const STREAM_FROM: u64 = 16 << 20;

/// Decompressed bytes handed to one parse job.
const BLOCK: usize = 8 << 20;

/// What a streamed file produced: batches in order, and a problem met on the way.
pub struct Streamed {
    pub batches: Vec<Batch>,
    pub warning: Option<String>,
}

/// Fills `buf` from `r` until it holds `want` bytes or the stream ends; returns the error that
/// stopped it early, if any.
fn fill(r: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> Option<std::io::Error> {
    let mut tmp = vec![0u8; 256 << 10];
    while buf.len() < want {
        match r.read(&mut tmp) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Some(e),
        }
    }
    None
}

/// Streams a gzip JSON Lines file. Returns `None` when the text is not JSON Lines (or starts with
/// a byte-order mark), so the caller reads it whole instead.
pub fn gzip_lines(id: u32, path: &Path, progress: &Progress) -> Result<Option<Streamed>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut dec = MultiGzDecoder::new(BufReader::with_capacity(1 << 20, file));
    let mut first = Vec::with_capacity(BLOCK);
    if let Some(e) = fill(&mut dec, &mut first, BLOCK)
        && first.is_empty()
    {
        return Err(format!("gzip stream unreadable: {e}"));
    }
    if first.starts_with(&[0xEF, 0xBB, 0xBF]) || first.starts_with(&[0xFF, 0xFE]) || first.starts_with(&[0xFE, 0xFF]) {
        return Ok(None);
    }
    if frame::detect_mode(&first) != Mode::JsonLines {
        return Ok(None);
    }

    let results: Mutex<Vec<(usize, Batch)>> = Mutex::new(Vec::new());
    let in_flight = (Mutex::new(0usize), Condvar::new());
    let limit = rayon::current_num_threads() * 2;
    let mut warning = None;
    rayon::scope(|s| {
        let mut pending = first;
        let mut offset = 0usize;
        let mut index = 0usize;
        let mut want = BLOCK;
        loop {
            let mut err = None;
            if pending.len() < want {
                err = fill(&mut dec, &mut pending, want);
            }
            let at_end = pending.len() < want || err.is_some();
            // Cut after the last newline; at the end of the stream, take everything. A line longer
            // than a block is read on until it ends.
            let cut = match memchr::memrchr(b'\n', &pending) {
                _ if at_end => pending.len(),
                Some(p) => p + 1,
                None => {
                    want = pending.len() + BLOCK;
                    continue;
                }
            };
            want = BLOCK;
            let rest = pending.split_off(cut);
            let block = std::mem::replace(&mut pending, rest);
            if !block.is_empty() {
                {
                    let (lock, cv) = &in_flight;
                    let mut n = lock.lock().unwrap_or_else(|p| p.into_inner());
                    while *n >= limit {
                        n = cv.wait(n).unwrap_or_else(|p| p.into_inner());
                    }
                    *n += 1;
                }
                let (results, in_flight) = (&results, &in_flight);
                let (base, i) = (offset, index);
                offset += block.len();
                index += 1;
                s.spawn(move |_| {
                    let mut b = Batch::new();
                    b.lines = b.take_lines(id, &block, base);
                    progress.events.fetch_add(b.events.len() as u64, Ordering::Relaxed);
                    results.lock().unwrap_or_else(|p| p.into_inner()).push((i, b));
                    let (lock, cv) = in_flight;
                    *lock.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
                    cv.notify_one();
                });
            }
            if let Some(e) = err {
                warning = Some(format!(
                    "gzip stream truncated or corrupt after {offset} decompressed bytes ({e}); records before it were read"
                ));
                break;
            }
            if at_end && pending.is_empty() {
                break;
            }
        }
    });
    let mut batches = results.into_inner().unwrap_or_else(|p| p.into_inner());
    batches.sort_by_key(|(i, _)| *i);
    Ok(Some(Streamed { batches: batches.into_iter().map(|(_, b)| b).collect(), warning }))
}

/// Reads `len` bytes at decompressed `offset` of a gzip file by inflating up to them (bounded
/// memory, for read-back of a record from a file too large to keep inflated).
pub fn gzip_read_at(path: &Path, offset: u64, len: usize) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut dec = MultiGzDecoder::new(BufReader::with_capacity(1 << 20, file));
    let skipped = std::io::copy(&mut (&mut dec).take(offset), &mut std::io::sink()).map_err(|e| e.to_string())?;
    if skipped < offset {
        return Err("the file changed since it was loaded".into());
    }
    let mut out = vec![0u8; len];
    dec.read_exact(&mut out).map_err(|_| "the file changed since it was loaded".to_string())?;
    Ok(out)
}

/// Several decompressed byte ranges of a gzip file read in one pass: `ranges` (offset, length)
/// in ascending offset order (a range repeated is read once). One result per range, in order; a
/// range past the end (the file changed) is an error and so is every one after it.
pub fn gzip_read_many(path: &Path, ranges: &[(u64, usize)]) -> Vec<Result<Vec<u8>, String>> {
    let changed = || Err("the file changed since it was loaded".to_string());
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return ranges.iter().map(|_| Err(e.to_string())).collect(),
    };
    let mut dec = MultiGzDecoder::new(BufReader::with_capacity(1 << 20, file));
    let mut at = 0u64;
    let mut out = Vec::with_capacity(ranges.len());
    let mut last: Option<(u64, usize, Vec<u8>)> = None;
    for &(offset, len) in ranges {
        if let Some((o, l, b)) = &last
            && (*o, *l) == (offset, len)
        {
            out.push(Ok(b.clone()));
            continue;
        }
        let Some(gap) = offset.checked_sub(at) else {
            out.push(Err("ranges out of order".to_string()));
            continue;
        };
        let skipped = std::io::copy(&mut (&mut dec).take(gap), &mut std::io::sink()).unwrap_or(0);
        let mut buf = vec![0u8; len];
        if skipped < gap || dec.read_exact(&mut buf).is_err() {
            out.extend(std::iter::repeat_with(changed).take(ranges.len() - out.len()));
            return out;
        }
        at = offset + len as u64;
        last = Some((offset, len, buf.clone()));
        out.push(Ok(buf));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn many_ranges_in_one_pass_match_single_reads() {
        let text: String = (0..5000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        let ranges = [(0u64, 7usize), (700, 9), (700, 9), (40_000, 10)];
        let many = gzip_read_many(&path, &ranges);
        for (r, got) in ranges.iter().zip(&many) {
            assert_eq!(got.as_ref().unwrap(), &gzip_read_at(&path, r.0, r.1).unwrap());
        }
        let past = gzip_read_many(&path, &[(10, 3), (10_000_000, 3), (10_000_010, 3)]);
        assert!(past[0].is_ok() && past[1].is_err() && past[2].is_err());
    }
}
