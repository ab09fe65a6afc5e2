//! A batch: what one worker read from one file or one chunk of a large file.
//!
//! Owns the worker-local interner (merged into the store's afterwards, so workers never share a
//! lock), the per-record dispatch from framed text to [`super::fast`] or [`super::probe`], and the
//! bookkeeping of skipped and ignored records.

use super::frame::Item;
use super::probe::{Draft, Parsed, parse_record, parse_record_general};
use crate::model::{Cloud, Event, Outcome, PrincipalKind, SourceRef, Sym};
use crate::store::Interner;
use std::collections::BTreeMap;

/// A record that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// The file as named to the user.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// Why it was skipped.
    pub reason: String,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = crate::text::escape(&self.file);
        match self.line {
            Some(l) => write!(f, "{file}:{l}: {}", crate::text::escape(&self.reason)),
            None => write!(f, "{file}: {}", crate::text::escape(&self.reason)),
        }
    }
}

/// The short class of a reason, for per-reason counts.
pub fn reason_class(reason: &str) -> String {
    let cut = reason.find([':', '(']).unwrap_or(reason.len());
    reason[..cut].trim().to_string()
}

/// Events and diagnostics from one unit of work. Lines are relative to the unit's first line.
#[derive(Default)]
pub struct Batch {
    pub strings: Interner,
    pub events: Vec<Event>,
    /// The first skipped records: (relative line, reason).
    pub skips: Vec<(u32, String)>,
    /// Every skipped record, counted by reason class.
    pub skip_counts: BTreeMap<String, u64>,
    pub ignored: BTreeMap<String, u64>,
    pub records: u64,
    /// Lines in this unit (for offsetting later chunks of the same file).
    pub lines: u32,
    /// The previous event's string ids, field by field.
    last: [Sym; 13],
    /// Skips name a place in the reason (`record N` of an `.evtx` file), not a line.
    pub unlined: bool,
}

/// Cap on skip messages kept per batch; counts stay exact beyond it.
const MAX_SKIPS_KEPT: usize = 200;

impl Batch {
    pub fn new() -> Self {
        Batch { strings: Interner::new(), ..Batch::default() }
    }

    fn skip(&mut self, line: u32, reason: String) {
        *self.skip_counts.entry(reason_class(&reason)).or_default() += 1;
        if self.skips.len() < MAX_SKIPS_KEPT {
            self.skips.push((line, reason));
        }
    }

    /// Counts a skipped record whose place is named by `label` (`record 17`, `chunk 3`) rather
    /// than by a line: the class is the reason's, the message is `label: reason`.
    pub fn skip_labelled(&mut self, label: &str, reason: &str) {
        self.records += 1;
        *self.skip_counts.entry(reason_class(reason)).or_default() += 1;
        if self.skips.len() < MAX_SKIPS_KEPT {
            self.skips.push((0, format!("{label}: {reason}")));
        }
    }

    /// Reads one record's JSON text standing alone (rendered from a binary file), at `src`.
    pub fn take_record(&mut self, rec: &[u8], src: SourceRef) {
        self.record(rec, src, rec, 0, false);
    }

    /// Reads one framed item of `text`. `base_offset` is the position of `text` in the file.
    pub fn take(&mut self, file: u32, text: &[u8], base_offset: usize, item: Item) {
        match item {
            Item::Error { line, reason } => self.skip(line, reason),
            Item::Record { offset, len, line, index } => {
                let src = SourceRef {
                    file,
                    line,
                    index: index.unwrap_or(SourceRef::NO_INDEX),
                    offset: (base_offset + offset) as u64,
                    len: len as u32,
                };
                self.record(&text[offset..offset + len], src, text, base_offset, true);
            }
        }
    }

    /// Reads the JSON Lines of `text`, a chunk of a file that starts at a line boundary, at
    /// `base_offset` in the file; returns the number of lines (see [`super::frame::frame_lines`]).
    ///
    /// The chunk is checked as UTF-8 a block of lines at a time (while the block is in cache).
    /// In a valid block, a line that starts with `{` is first offered to the scanner on the rest
    /// of the block, which finds where the record ends as it reads it: no separate pass looks
    /// for the newline. It takes the line only when the record ends right before a newline (or
    /// the chunk's end) and holds none, so the record is exactly the text the framer would have
    /// handed on. Any other line (declined, blank, indented, CRLF, in a block that is not UTF-8,
    /// …) is framed and read as before, with the same line numbers and messages.
    pub fn take_lines(&mut self, file: u32, text: &[u8], base_offset: usize) -> u32 {
        self.take_lines_from(file, text, base_offset, 0)
    }

    /// [`Self::take_lines`] for text whose first line follows line `line_no` of the batch.
    pub fn take_lines_from(&mut self, file: u32, text: &[u8], base_offset: usize, mut line_no: u32) -> u32 {
        const BLOCK: usize = 64 * 1024;
        let mut pos = 0;
        while pos < text.len() {
            // The block ends after a newline, or at the chunk's end.
            let want = pos.saturating_add(BLOCK);
            let end = match text.get(want..).and_then(|rest| memchr::memchr(b'\n', rest)) {
                Some(p) => want + p + 1,
                None => text.len(),
            };
            let block = simdutf8::basic::from_utf8(&text[pos..end]).ok();
            let block_start = pos;
            while pos < end {
                line_no = line_no.saturating_add(1);
                if let Some(block) = block
                    && text[pos] == b'{'
                    && super::fast::line_event(&block[pos - block_start..], |d, len| {
                        self.records += 1;
                        let src = SourceRef {
                            file,
                            line: line_no,
                            index: SourceRef::NO_INDEX,
                            offset: (base_offset + pos) as u64,
                            len: len as u32,
                        };
                        self.push(d, src, 0);
                        pos += len + 1;
                    })
                {
                    continue;
                }
                pos =
                    super::frame::frame_line(text, pos, line_no, &mut |item| self.take(file, text, base_offset, item));
            }
        }
        line_no
    }

    /// Reads one CSV row: its cells become the JSON object the readers take.
    pub fn take_row(&mut self, file: u32, header: &super::tabular::Header, row: super::tabular::Row) {
        match row {
            super::tabular::Row::Error { line, reason } => self.skip(line, reason),
            super::tabular::Row::Record { cells, offset, len, line } => {
                let src = SourceRef { file, line, index: SourceRef::NO_INDEX, offset: offset as u64, len: len as u32 };
                let (json, lossy) = header.row_json(&cells);
                if lossy {
                    self.lossy_record(&json, src);
                } else {
                    self.record(json.as_bytes(), src, json.as_bytes(), offset, false);
                }
            }
        }
    }

    /// A CSV file none of whose rows any reader took gets one message naming its columns.
    pub fn name_unknown_table(batches: &mut [Batch], header: &super::tabular::Header) {
        use super::probe::UNRECOGNISED;
        let only_unknown = batches
            .iter()
            .all(|b| b.events.is_empty() && b.ignored.is_empty() && b.skip_counts.keys().all(|k| k == UNRECOGNISED));
        let unknown: u64 = batches.iter().filter_map(|b| b.skip_counts.get(UNRECOGNISED)).sum();
        if unknown == 0 || !only_unknown {
            return;
        }
        let reason = super::tabular::unknown_table(header, unknown);
        for b in batches.iter_mut() {
            b.skip_counts.clear();
            b.skips.clear();
        }
        batches[0].skip_counts.insert(reason_class(&reason), unknown);
        batches[0].skips = vec![(1, reason)];
    }

    fn record(&mut self, rec: &[u8], src: SourceRef, text: &[u8], base_offset: usize, allow_batch: bool) {
        // The scanner's event goes straight in; everything else takes the general reader.
        match simdutf8::basic::from_utf8(rec) {
            Ok(s) => {
                if let Some(d) = super::fast::event(s) {
                    self.records += 1;
                    self.push(&d, src, 0);
                    return;
                }
            }
            Err(_) => {
                // Bytes that are not UTF-8 cost nothing but themselves: the record is read with
                // U+FFFD in their place and its event is flagged.
                let lossy = String::from_utf8_lossy(rec).into_owned();
                return self.lossy_record(&lossy, src);
            }
        }
        match parse_record_general(rec) {
            Ok(Parsed::Event(d)) => {
                self.records += 1;
                self.push(&d, src, 0);
            }
            Ok(Parsed::Ignored(kind)) => {
                self.records += 1;
                *self.ignored.entry(kind).or_default() += 1;
            }
            Ok(Parsed::Batch(items)) if allow_batch => {
                for (i, raw) in items.iter().enumerate() {
                    let off = raw.get().as_ptr() as usize - text.as_ptr() as usize;
                    let nl = memchr::memchr_iter(b'\n', &text[src.offset as usize - base_offset..off]).count() as u32;
                    let sub = SourceRef {
                        file: src.file,
                        line: src.line + nl,
                        index: i as u32,
                        offset: (base_offset + off) as u64,
                        len: raw.get().len() as u32,
                    };
                    self.record(raw.get().as_bytes(), sub, text, base_offset, false);
                }
            }
            Ok(Parsed::Batch(_)) => {
                self.records += 1;
                self.skip(src.line, "records wrapper nested inside another wrapper".into());
            }
            Ok(Parsed::Embedded(inner)) => match parse_record(inner.as_bytes()) {
                Ok(Parsed::Event(d)) => {
                    self.records += 1;
                    self.push(&d, src, 0);
                }
                Ok(Parsed::Ignored(kind)) => {
                    self.records += 1;
                    *self.ignored.entry(kind).or_default() += 1;
                }
                Ok(_) => {
                    self.records += 1;
                    self.skip(src.line, "embedded CloudTrailEvent is not a single record".into());
                }
                Err(reason) => {
                    self.records += 1;
                    self.skip(src.line, format!("embedded CloudTrailEvent: {reason}"));
                }
            },
            Err(reason) => {
                self.records += 1;
                self.skip(src.line, reason);
            }
        }
    }

    /// A record whose text was decoded lossily: read on its own (a batch inside it is not walked,
    /// since its elements' offsets would not match the file), and its event flagged.
    fn lossy_record(&mut self, text: &str, src: SourceRef) {
        self.records += 1;
        let parsed = match parse_record_general(text.as_bytes()) {
            Ok(Parsed::Embedded(inner)) => parse_record(inner.as_bytes()).map(|p| match p {
                Parsed::Event(d) => Parsed::Event(Box::new(d.into_owned())),
                Parsed::Ignored(k) => Parsed::Ignored(k),
                _ => Parsed::Ignored("embedded record that is not a single record".into()),
            }),
            other => other.map(|p| match p {
                Parsed::Event(d) => Parsed::Event(Box::new(d.into_owned())),
                other => other,
            }),
        };
        match parsed {
            Ok(Parsed::Event(d)) => self.push(&d, src, Event::LOSSY),
            Ok(Parsed::Ignored(kind)) => *self.ignored.entry(kind).or_default() += 1,
            Ok(Parsed::Batch(_)) | Ok(Parsed::Embedded(_)) => {
                self.skip(src.line, "invalid UTF-8 inside a records wrapper: the wrapper was not walked".into())
            }
            Err(reason) => self.skip(src.line, format!("{reason} (the record also holds invalid UTF-8)")),
        }
    }

    fn push(&mut self, d: &Draft<'_>, src: SourceRef, flags: u8) {
        // Neighbouring records often share a field's value (service, region, user agent): the
        // previous record's id is checked before the hash table.
        let (s, last) = (&mut self.strings, &mut self.last);
        let mut id = |field: usize, text: &str| {
            if !same(s.get(last[field]).as_bytes(), text.as_bytes()) {
                last[field] = s.intern(text);
            }
            last[field]
        };
        let event = Event {
            time: d.time,
            cloud: d.cloud.unwrap_or(Cloud::Gcp),
            principal_kind: d.principal_kind.unwrap_or(PrincipalKind::Unknown),
            outcome: d.outcome.unwrap_or(Outcome::Success),
            principal: id(0, &d.principal),
            service: id(1, &d.service),
            operation: id(2, &d.operation),
            resource: id(3, &d.resource),
            source_ip: id(4, &d.source_ip),
            user_agent: id(5, &d.user_agent),
            status: id(6, &d.status),
            region: id(7, &d.region),
            computer: id(8, &d.computer),
            process: id(9, &d.process),
            parent: id(10, &d.parent),
            command_line: id(11, &d.command_line),
            target: id(12, &d.target),
            flags,
            src,
        };
        self.events.push(event);
    }
}

/// Byte equality for [`Batch::push`]'s neighbour check, settled inline where it can be: the
/// empty fields (most of them, on any one event) and a different first or last byte never call
/// `memcmp`, whose calls cost more here than the compares themselves.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    match (a, b) {
        ([], []) => true,
        ([a0, .., a1], [b0, .., b1]) if a.len() == b.len() => a0 == b0 && a1 == b1 && a == b,
        ([a0], [b0]) => a0 == b0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{Batch, same};

    /// Reading JSON Lines with the scanner framing the lines itself gives exactly what framing
    /// every line first and reading it gives: events, line numbers, offsets and messages.
    #[test]
    fn fused_lines_read_as_framed_lines() {
        let gcp = r#"{"insertId":"a","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{},"authenticationInfo":{"principalEmail":"ann@example.com"},"requestMetadata":{"callerIp":"10.0.0.1","callerSuppliedUserAgent":"gcloud/1 (é)"},"serviceName":"storage.googleapis.com","methodName":"storage.buckets.create","resourceName":"projects/_/buckets/b"},"resource":{"type":"gcs_bucket","labels":{"location":"eu"}},"timestamp":"2026-01-02T03:04:05Z","severity":"INFO"}"#;
        let aws = r#"{"eventTime":"2026-01-02T03:04:05Z","eventSource":"s3.amazonaws.com","eventName":"CreateBucket","userIdentity":{"type":"IAMUser","userName":"bob"},"requestParameters":{"bucketName":"b1"}}"#;
        let split = gcp.replacen("\"protoPayload\":", "\"protoPayload\":\n", 1);
        let bad = gcp.replacen("INFO", "IN\u{1}FO", 1);
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for i in 0..400 {
            let mut l = if i % 2 == 0 { gcp.as_bytes().to_vec() } else { aws.as_bytes().to_vec() };
            match i % 23 {
                1 => l.push(b'\r'),
                2 => l.clear(),
                3 => drop(l.splice(0..0, *b"  ")),
                4 => l.extend_from_slice(b" \x0c"),
                5 => l.truncate(l.len() / 2),
                6 => l = split.as_bytes().to_vec(),
                7 => l = bad.as_bytes().to_vec(),
                8 => l.extend_from_slice(aws.as_bytes()),
                9 if i > 200 => drop(l.splice(10..10, *b"\xff")),
                10 => l = format!("[{gcp}]").into_bytes(),
                _ => {}
            };
            lines.push(l);
        }
        for tail in [&b""[..], b"\n", b"\n\n"] {
            let mut text = lines.join(&b'\n');
            text.extend_from_slice(tail);
            assert!(text.len() > 128 * 1024, "the text spans several blocks");
            let mut fused = Batch::new();
            fused.lines = fused.take_lines(3, &text, 1000);
            let mut framed = Batch::new();
            framed.lines = super::super::frame::frame_lines(&text, &mut |item| framed.take(3, &text, 1000, item));
            assert_eq!(fused.lines, framed.lines);
            assert_eq!(fused.records, framed.records);
            assert_eq!(fused.events, framed.events);
            assert_eq!(fused.skips, framed.skips);
            assert_eq!(fused.skip_counts, framed.skip_counts);
            assert_eq!(fused.ignored, framed.ignored);
            assert_eq!(fused.strings.strings(), framed.strings.strings());
            assert!(fused.events.len() > 200 && !fused.skips.is_empty(), "{}", fused.events.len());
            assert!(fused.events.iter().any(|e| e.flags & crate::model::Event::LOSSY != 0));
        }
    }

    #[test]
    fn same_is_byte_equality() {
        let words: [&[u8]; 8] = [b"", b"a", b"b", b"ab", b"ba", b"abc", b"abd", b"xbc"];
        for a in words {
            for b in words {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }
}
