//! Turning a file (or embedded bytes) into the text the readers parse.
//!
//! Owns: memory-mapping plain files, gzip decompression (detected by magic bytes, never by name),
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
