//! Turning a file (or embedded bytes) into the text the readers parse.
//!
//! Owns: memory-mapping plain files (and reading a plain file's JSON Lines chunks in blocks
//! through a reused buffer), gzip decompression (detected by magic bytes, never by name),
//! byte-order marks and UTF-16 re-encoding, and refusing things that are not regular files (a FIFO
//! would hang a reader). The same function serves the load and the on-demand read-back of a raw
//! record, so offsets always refer to the same decoded text.

use flate2::read::MultiGzDecoder;
use memmap2::Mmap;
use std::fs::File;
use std::io::Read;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

/// Bytes of a file: mapped, owned or shared.
pub enum Bytes {
    /// A read-only memory map of a plain file.
    Mapped(Mmap),
    /// Decompressed or re-encoded text.
    Owned(Vec<u8>),
    /// Embedded or in-memory data.
    Shared(Arc<[u8]>),
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
            Bytes::Shared(a) => a,
        }
    }
}

/// A file's decoded text and what was noticed while decoding it.
pub struct Content {
    /// The decoded bytes (UTF-8 expected), byte-order mark removed.
    pub bytes: Bytes,
    /// Offset of the first byte after a byte-order mark.
    pub start: usize,
    /// The input was gzip-compressed.
    pub gzip: bool,
    /// A problem that did not stop the read (a truncated gzip stream keeps what came before it).
    pub warning: Option<String>,
}

impl Content {
    /// The text after any byte-order mark.
    pub fn text(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    /// True when the bytes are a memory map of the file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.bytes, Bytes::Mapped(_))
    }

    /// Tells the OS a mapped file will be read front to back.
    pub fn advise_sequential(&self) {
        #[cfg(unix)]
        if let Bytes::Mapped(m) = &self.bytes {
            let _ = m.advise(memmap2::Advice::Sequential);
        }
    }

    /// Drops the pages of `text()[start..end]` from memory once they are parsed, so a large mapped
    /// file does not count against the process's resident memory. Only whole pages inside the
    /// range are dropped; they are clean file pages and fault back in if read again.
    pub fn release(&self, start: usize, end: usize) {
        #[cfg(unix)]
        if let Bytes::Mapped(m) = &self.bytes {
            const PAGE: usize = 4096;
            let (a, b) = (self.start + start, (self.start + end).min(m.len()));
            let a = a.div_ceil(PAGE) * PAGE;
            let b = b / PAGE * PAGE;
            if b > a {
                // SAFETY: the mapping is a private read-only file mapping; MADV_DONTNEED on it only
                // discards clean pages, which are re-read from the file on next access, so no
                // reference into the map can observe changed contents.
                let _ = unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, a, b - a) };
            }
        }
    }
}

/// Reads `[start, end)` of a plain file, which ends at a newline or at the end of the file, in
/// blocks of about `block` bytes that end right after a newline, handing each block and its file
/// offset to `take`. A line longer than a block grows the block until it holds the line. The
/// buffer is one per thread and reused: the text is copied through the cache once, where a map
/// would fault every page of it in and out of the address space.
#[cfg(unix)]
pub fn read_line_blocks(
    file: &File,
    (start, end): (u64, u64),
    block: usize,
    mut take: impl FnMut(&[u8], u64),
) -> std::io::Result<()> {
    use std::cell::RefCell;
    thread_local!(static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) });
    BUF.with_borrow_mut(|buf| {
        let result = fill_line_blocks(file, (start, end), block, buf, &mut take);
        // A block grown for a very long line is not kept.
        if buf.len() > 4 * block {
            *buf = Vec::new();
        }
        result
    })
}

#[cfg(unix)]
fn fill_line_blocks(
    file: &File,
    (start, end): (u64, u64),
    block: usize,
    buf: &mut Vec<u8>,
    take: &mut impl FnMut(&[u8], u64),
) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let mut pos = start;
    while pos < end {
        let left = usize::try_from(end - pos).unwrap_or(usize::MAX);
        let mut want = block.min(left);
        let n = loop {
            if buf.len() < want {
                buf.resize(want, 0);
            }
            file.read_exact_at(&mut buf[..want], pos)?;
            if want == left {
                break want;
            }
            match memchr::memrchr(b'\n', &buf[..want]) {
                Some(p) => break p + 1,
                None => want = want.saturating_mul(2).min(left),
            }
        };
        take(&buf[..n], pos);
        pos += n as u64;
    }
    Ok(())
}

/// Reads and decodes a file from disk.
pub fn read_path(path: &Path) -> Result<Content, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if !meta.is_file() {
        return Err("not a regular file (FIFO, socket or device): skipped".into());
    }
    let file = File::open(path).map_err(|e| io_reason(&e))?;
    let raw = if meta.len() == 0 {
        Bytes::Owned(Vec::new())
    } else {
        // SAFETY: the map is read-only; a file truncated by another process while mapped could
        // raise SIGBUS, the accepted trade-off of every mmap-based reader (ripgrep included).
        match unsafe { Mmap::map(&file) } {
            Ok(m) => Bytes::Mapped(m),
            Err(_) => {
                let mut v = Vec::with_capacity(meta.len() as usize);
                (&file).read_to_end(&mut v).map_err(|e| io_reason(&e))?;
                Bytes::Owned(v)
            }
        }
    };
    decode(raw)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        _ => e.to_string(),
    }
}

/// Decodes raw bytes: gzip, then byte-order marks and UTF-16.
pub fn decode(raw: Bytes) -> Result<Content, String> {
    let mut gzip = false;
    let mut warning = None;
    let bytes = if raw.len() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
        gzip = true;
        let mut out = Vec::with_capacity(raw.len().saturating_mul(8).min(1 << 30));
        let mut dec = MultiGzDecoder::new(&raw[..]);
        if let Err(e) = dec.read_to_end(&mut out) {
            if out.is_empty() {
                return Err(format!("gzip stream unreadable: {e}"));
            }
            warning = Some(format!(
                "gzip stream truncated or corrupt after {} decompressed bytes ({e}); records before it were read",
                out.len()
            ));
        }
        Bytes::Owned(out)
    } else {
        raw
    };
    let (bytes, start) = match &bytes[..] {
        [0xEF, 0xBB, 0xBF, ..] => (bytes, 3),
        [0xFF, 0xFE, ..] => (Bytes::Owned(utf16_to_utf8(&bytes[2..], true)), 0),
        [0xFE, 0xFF, ..] => (Bytes::Owned(utf16_to_utf8(&bytes[2..], false)), 0),
        [b'{' | b'[', 0, ..] => (Bytes::Owned(utf16_to_utf8(&bytes, true)), 0),
        [0, b'{' | b'[', ..] => (Bytes::Owned(utf16_to_utf8(&bytes, false)), 0),
        _ => (bytes, 0),
    };
    Ok(Content { bytes, start, gzip, warning })
}

fn utf16_to_utf8(b: &[u8], little_endian: bool) -> Vec<u8> {
    let units = b
        .chunks_exact(2)
        .map(|c| if little_endian { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect::<String>().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn line_blocks_cover_the_span_and_end_at_newlines() {
        let mut text = Vec::new();
        for i in 0..400 {
            let len = if i == 150 { 1000 } else { i % 90 };
            text.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, len));
            text.push(b'\n');
        }
        text.extend_from_slice(b"last line without newline");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(&path, &text).unwrap();
        let file = File::open(&path).unwrap();
        let from = text.iter().position(|&b| b == b'\n').unwrap() as u64 + 1;
        let mut got = Vec::new();
        let mut next = from;
        read_line_blocks(&file, (from, text.len() as u64), 64, |block, offset| {
            assert_eq!(offset, next, "blocks are consecutive");
            assert_eq!(block, &text[offset as usize..offset as usize + block.len()]);
            let last = offset as usize + block.len() == text.len();
            assert!(last || block.ends_with(b"\n"), "a block ends at a newline");
            // Grown past a block only when its first line is longer than a block.
            assert!(block.len() <= 64 || !block[..64].contains(&b'\n'), "grown only for a long line");
            next += block.len() as u64;
            got.extend_from_slice(block);
        })
        .unwrap();
        assert_eq!(got, &text[from as usize..]);
        // A span past the end of the file (the file shrank) is an error, not a short read.
        assert!(read_line_blocks(&file, (0, text.len() as u64 + 10), 64, |_, _| {}).is_err());
    }

    #[test]
    fn gzip_is_found_by_magic_bytes() {
        let c = decode(Bytes::Owned(gz(b"{\"a\":1}\n"))).unwrap();
        assert!(c.gzip);
        assert_eq!(c.text(), b"{\"a\":1}\n");
    }

    #[test]
    fn truncated_gzip_keeps_what_came_before() {
        let data: Vec<u8> = (0..2000).flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes()).collect();
        let mut z = gz(&data);
        z.truncate(z.len() / 2);
        let c = decode(Bytes::Owned(z)).unwrap();
        assert!(c.warning.as_deref().unwrap().contains("truncated"));
        assert!(!c.text().is_empty());
        assert!(data.starts_with(c.text()));
    }

    #[test]
    fn boms_and_utf16() {
        let c = decode(Bytes::Owned(b"\xEF\xBB\xBF{}".to_vec())).unwrap();
        assert_eq!(c.text(), b"{}");
        let le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("{\"é\":1}".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        assert_eq!(decode(Bytes::Owned(le)).unwrap().text(), "{\"é\":1}".as_bytes());
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain("[1]".encode_utf16().flat_map(|u| u.to_be_bytes())).collect();
        assert_eq!(decode(Bytes::Owned(be)).unwrap().text(), b"[1]");
    }

    #[test]
    fn garbage_gzip_is_an_error() {
        assert!(decode(Bytes::Owned(vec![0x1f, 0x8b, 1, 2, 3])).is_err());
    }
}
