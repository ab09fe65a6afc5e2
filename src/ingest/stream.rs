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
                    b.lines = frame::frame_lines(&block, &mut |item| b.take(id, &block, base, item));
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
