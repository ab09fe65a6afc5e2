//! Small deterministic building blocks shared by the cloud writers: a SplitMix64 random
//! generator and hashing, UTC calendar arithmetic and time-stamp formatting on `i64`
//! microseconds, JSON string escaping and number formatting into a byte buffer, and the file
//! [`Sink`] (plain or gzip) that every writer streams through. Nothing here knows a log format,
//! and nothing reads the wall clock.

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub(crate) const SEC: i64 = 1_000_000;
pub(crate) const MIN: i64 = 60 * SEC;
pub(crate) const HOUR: i64 = 60 * MIN;
pub(crate) const DAY: i64 = 24 * HOUR;

/// SplitMix64 finaliser: a good 64-bit mixing function.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Order-sensitive hash of a few words (seeds for independent random streams).
pub(crate) fn hash(parts: &[u64]) -> u64 {
    parts.iter().fold(0x243f_6a88_85a3_08d3, |h, &p| mix(h ^ p).wrapping_add(0x9e37_79b9_7f4a_7c15))
}

/// FNV-1a of a string, to turn names into stream tags.
pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// SplitMix64 generator; every (seed, principal, day, …) stream gets its own.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(parts: &[u64]) -> Self {
        Rng(hash(parts))
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    /// Uniform in `0..n` (0 when `n == 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in `lo..hi` (returns `lo` when the range is empty).
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below(hi.saturating_sub(lo).max(0) as u64) as i64
    }
}

// ---- calendar -------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

pub(crate) fn floor_day(t: i64) -> i64 {
    t.div_euclid(DAY) * DAY
}

/// 0 = Monday … 6 = Sunday.
pub(crate) fn weekday(t: i64) -> u32 {
    (t.div_euclid(DAY) + 3).rem_euclid(7) as u32
}

/// Broken-down UTC time.
pub(crate) struct Civil {
    pub(crate) y: i64,
    pub(crate) mo: u32,
    pub(crate) d: u32,
    pub(crate) h: u32,
    pub(crate) mi: u32,
    pub(crate) s: u32,
    pub(crate) us: u32,
}

pub(crate) fn civil(t: i64) -> Civil {
    let (y, mo, d) = civil_from_days(t.div_euclid(DAY));
    let r = t.rem_euclid(DAY);
    Civil {
        y,
        mo,
        d,
        h: (r / HOUR) as u32,
        mi: (r % HOUR / MIN) as u32,
        s: (r % MIN / SEC) as u32,
        us: (r % SEC) as u32,
    }
}

// ---- byte-buffer formatting -----------------------------------------------------------

pub(crate) fn push_u64(b: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

/// Zero-padded decimal of exactly `width` digits (higher digits are dropped).
pub(crate) fn push_pad(b: &mut Vec<u8>, n: u64, width: u32) {
    let mut p = 10u64.pow(width.saturating_sub(1));
    while p > 0 {
        b.push(b'0' + (n / p % 10) as u8);
        p /= 10;
    }
}

/// `YYYY-MM-DD`, with `sep` between the parts (`-` or empty).
pub(crate) fn push_date(b: &mut Vec<u8>, c: &Civil, sep: &str) {
    push_pad(b, c.y.max(0) as u64, 4);
    b.extend_from_slice(sep.as_bytes());
    push_pad(b, u64::from(c.mo), 2);
    b.extend_from_slice(sep.as_bytes());
    push_pad(b, u64::from(c.d), 2);
}

/// RFC 3339 UTC time stamp `YYYY-MM-DDTHH:MM:SS[.fff…]Z` with `frac` fractional digits
/// (0, 3, 6, 7 or 9); digits beyond microseconds are taken from `extra`.
pub(crate) fn push_time(b: &mut Vec<u8>, t: i64, frac: u32, extra: u64) {
    let c = civil(t);
    push_date(b, &c, "-");
    b.push(b'T');
    push_pad(b, u64::from(c.h), 2);
    b.push(b':');
    push_pad(b, u64::from(c.mi), 2);
    b.push(b':');
    push_pad(b, u64::from(c.s), 2);
    if frac > 0 {
        b.push(b'.');
        if frac <= 6 {
            push_pad(b, u64::from(c.us) / 10u64.pow(6 - frac), frac);
        } else {
            push_pad(b, u64::from(c.us), 6);
            push_pad(b, extra % 10u64.pow(frac - 6), frac - 6);
        }
    }
    b.push(b'Z');
}

/// A quoted time stamp, see [`push_time`].
pub(crate) fn push_qtime(b: &mut Vec<u8>, t: i64, frac: u32, extra: u64) {
    b.push(b'"');
    push_time(b, t, frac, extra);
    b.push(b'"');
}

/// Raw text, no quoting or escaping.
pub(crate) fn raw(b: &mut Vec<u8>, s: &str) {
    b.extend_from_slice(s.as_bytes());
}

/// A JSON string literal: quoted, with `"`, `\` and control characters escaped.
pub(crate) fn q(b: &mut Vec<u8>, s: &str) {
    b.push(b'"');
    esc(b, s);
    b.push(b'"');
}

/// The escaped body of a JSON string, without quotes.
pub(crate) fn esc(b: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let rep: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        b.extend_from_slice(&bytes[start..i]);
        if rep.is_empty() {
            b.extend_from_slice(b"\\u00");
            b.push(HEX[usize::from(c >> 4)]);
            b.push(HEX[usize::from(c & 15)]);
        } else {
            b.extend_from_slice(rep);
        }
        start = i + 1;
    }
    b.extend_from_slice(&bytes[start..]);
}

/// `digits` lower-case hex digits of `v` (most significant first, up to 16).
pub(crate) fn push_hex(b: &mut Vec<u8>, v: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits.min(16)).rev() {
        b.push(HEX[((v >> (i * 4)) & 15) as usize]);
    }
}

/// A version-4-shaped UUID derived from `seed`.
pub(crate) fn push_uuid(b: &mut Vec<u8>, seed: u64) {
    let (x, y) = (mix(seed ^ 0x5555), mix(seed ^ 0xaaaa));
    push_hex(b, x >> 32, 8);
    b.push(b'-');
    push_hex(b, (x >> 16) & 0xffff, 4);
    b.push(b'-');
    push_hex(b, 0x4000 | (x & 0x0fff), 4);
    b.push(b'-');
    push_hex(b, 0x8000 | ((y >> 48) & 0x3fff), 4);
    b.push(b'-');
    push_hex(b, y & 0xffff_ffff_ffff, 12);
}

/// [`push_uuid`] as an owned string.
pub(crate) fn uuid(seed: u64) -> String {
    let mut b = Vec::with_capacity(36);
    push_uuid(&mut b, seed);
    String::from_utf8_lossy(&b).into_owned()
}

/// `n` characters from `alphabet`, derived from `seed`.
pub(crate) fn push_token(b: &mut Vec<u8>, seed: u64, n: usize, alphabet: &[u8]) {
    let mut r = Rng::new(&[seed]);
    for _ in 0..n {
        b.push(alphabet[r.below(alphabet.len() as u64) as usize]);
    }
}

pub(crate) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub(crate) const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// [`push_token`] as an owned string.
pub(crate) fn token(seed: u64, n: usize, alphabet: &[u8]) -> String {
    let mut b = Vec::with_capacity(n);
    push_token(&mut b, seed, n, alphabet);
    String::from_utf8_lossy(&b).into_owned()
}

// ---- output files ---------------------------------------------------------------------

/// Files, records and bytes written.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Stats {
    pub(crate) files: u64,
    pub(crate) events: u64,
    pub(crate) bytes: u64,
}

impl Stats {
    pub(crate) fn add(&mut self, o: Stats) {
        self.files += o.files;
        self.events += o.events;
        self.bytes += o.bytes;
    }
}

enum SinkInner {
    Plain(BufWriter<File>),
    Gz(Box<GzEncoder<BufWriter<File>>>),
}

/// One output file, written through a buffer and optionally gzip.
pub(crate) struct Sink {
    path: PathBuf,
    inner: SinkInner,
    pub(crate) records: u64,
}

impl Sink {
    /// Creates `dir/name` (adding `.gz` when `gzip`), making parent folders as needed.
    pub(crate) fn create(dir: &Path, name: &str, gzip: bool) -> Result<Sink> {
        let path = dir.join(if gzip { format!("{name}.gz") } else { name.to_owned() });
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let buf = BufWriter::with_capacity(1 << 16, file);
        let inner = if gzip {
            SinkInner::Gz(Box::new(GzEncoder::new(buf, Compression::new(GZIP_LEVEL))))
        } else {
            SinkInner::Plain(buf)
        };
        Ok(Sink { path, inner, records: 0 })
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let r = match &mut self.inner {
            SinkInner::Plain(w) => w.write_all(bytes),
            SinkInner::Gz(w) => w.write_all(bytes),
        };
        r.with_context(|| format!("writing {}", self.path.display()))
    }

    /// Flushes and closes the file; returns one file's [`Stats`].
    pub(crate) fn finish(self) -> Result<Stats> {
        let ctx = || format!("finishing {}", self.path.display());
        let file = match self.inner {
            SinkInner::Plain(w) => w.into_inner().map_err(|e| e.into_error()),
            SinkInner::Gz(w) => w.finish().and_then(|b| b.into_inner().map_err(|e| e.into_error())),
        }
        .with_context(ctx)?;
        let bytes = file.metadata().with_context(ctx)?.len();
        Ok(Stats { files: 1, events: self.records, bytes })
    }
}

/// zlib level for `--gzip`: fast, since the generator is meant to take seconds.
const GZIP_LEVEL: u32 = 3;
