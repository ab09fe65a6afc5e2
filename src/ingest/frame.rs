//! Finding the records in a file's text, whatever its framing.
//!
//! Owns the decision between JSON Lines and a JSON document (a bare array, a `{"records":[…]}` /
//! `{"Records":[…]}` / `{"data":[…]}` / `{"value":[…]}` / `{"entries":[…]}` wrapper, one
//! pretty-printed object, or several concatenated), and walks arrays element by element so that a
//! truncated file still yields every record before the break. It knows nothing about log formats:
//! it hands byte ranges to the readers. The one binary framing it recognises is a native `.evtx`
//! file, by its magic, which it leaves to [`super::evtx`].

use serde::Deserialize;
use serde_json::value::RawValue;

/// How a file's records are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One JSON value per line.
    JsonLines,
    /// One JSON document (array, wrapper object or single record), possibly several.
    Document,
    /// A CSV (or tab-separated) table with a header line.
    Csv,
    /// Not JSON at all (binary, …).
    NotJson,
    /// A native Windows event log (`ElfFile\0` magic): binary chunks, read by [`super::evtx`].
    Evtx,
}

/// What the framer found.
#[derive(Debug, PartialEq, Eq)]
pub enum Item {
    /// A record's JSON text at `offset..offset+len`, starting on 1-based `line` (relative to the
    /// text handed in), at `index` within its array if it is in one.
    Record { offset: usize, len: usize, line: u32, index: Option<u32> },
    /// Text that could not be read as JSON, starting on `line`.
    Error { line: u32, reason: String },
}

/// Keys whose array value holds the records of a wrapper document.
pub const WRAPPER_KEYS: [&str; 6] = ["records", "Records", "data", "value", "entries", "Events"];

/// Decides the framing from the first lines of the text.
pub fn detect_mode(text: &[u8]) -> Mode {
    if super::evtx::is_evtx(text) {
        return Mode::Evtx;
    }
    let head = &text[..text.len().min(64 * 1024)];
    let first = head.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Mode::Document; // empty or blank: nothing to read, no error either
    };
    match text[first] {
        b'[' => Mode::Document,
        // A single line reads as a document, so one-line wrappers (`{"data":[…]}`) are walked.
        b'{' if !trim(&text[first..]).contains(&b'\n') => Mode::Document,
        b'{' => {
            // JSON Lines when the first line is a complete value on its own. A document whose
            // records sit one per line inside a wrapper (`{"records":[` on the first line) or a
            // pretty-printed object never has a complete first line. A JSON Lines file whose
            // first line is damaged is caught by the caller's fallback (see `looks_like_lines`).
            let line = text[first..].split(|&b| b == b'\n').next().unwrap_or_default();
            if complete_value(trim(line)) { Mode::JsonLines } else { Mode::Document }
        }
        _ => {
            // A JSON Lines file whose first line is damaged still has lines starting with `{`.
            if super::tabular::sniff(head).is_some() {
                Mode::Csv
            } else if head.split(|&b| b == b'\n').skip(1).take(64).any(|l| l.first() == Some(&b'{')) {
                Mode::JsonLines
            } else {
                Mode::NotJson
            }
        }
    }
}

/// True when `line` is one complete JSON value, bytes that are not UTF-8 aside (such a record is
/// read lossily, so it must not turn a JSON Lines file into a broken document).
fn complete_value(line: &[u8]) -> bool {
    match std::str::from_utf8(line) {
        Ok(s) => serde_json::from_str::<&RawValue>(s).is_ok(),
        Err(_) => serde_json::from_str::<&RawValue>(&String::from_utf8_lossy(line)).is_ok(),
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let end = line.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |p| p + 1);
    let start = line[..end].iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(end);
    &line[start..end]
}

/// True when, after the first line, a line is a complete JSON object on its own: a JSON Lines
/// file whose first line is damaged (a broken document never has such a line after a damaged
/// start, since its records end in a comma or sit inside a wrapper on one line).
pub fn looks_like_lines(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n').skip(1).take(64).any(|line| line.first() == Some(&b'{') && complete_value(trim(line)))
}

/// Frames JSON Lines: every non-blank line is a record. `text` may be a chunk of a larger file
/// that starts at a line boundary; offsets and lines are relative to it. Returns the number of
/// lines seen (for the caller to offset later chunks).
pub fn frame_lines(text: &[u8], sink: &mut impl FnMut(Item)) -> u32 {
    let mut line_no: u32 = 0;
    let mut pos = 0;
    while pos < text.len() {
        line_no = line_no.saturating_add(1);
        pos = frame_line(text, pos, line_no, sink);
    }
    line_no
}

/// Frames the line `line_no` starting at `pos` as [`frame_lines`] does (a record unless it is
/// blank) and returns where the next line starts. For framers that read some lines themselves.
#[inline]
pub fn frame_line(text: &[u8], pos: usize, line_no: u32, sink: &mut impl FnMut(Item)) -> usize {
    let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p);
    let line = &text[pos..end];
    let t = trim(line);
    if !t.is_empty() {
        let lead = line.len() - line.iter().skip_while(|b| b.is_ascii_whitespace()).count();
        sink(Item::Record { offset: pos + lead, len: t.len(), line: line_no, index: None });
    }
    end + 1
}

/// Frames a JSON document: arrays and wrapper objects are walked element by element.
pub fn frame_document(text: &[u8], sink: &mut impl FnMut(Item)) {
    let mut w = Walker { text, pos: 0, line: 1, line_pos: 0 };
    loop {
        w.skip_ws();
        if w.pos >= text.len() {
            return;
        }
        let res = match text[w.pos] {
            b'[' => w.array(sink),
            b'{' => w.object(sink),
            _ => Err("expected a JSON object or array".to_string()),
        };
        if let Err(reason) = res {
            let line = w.line_at(w.pos);
            sink(Item::Error { line, reason });
            return;
        }
    }
}

struct Walker<'t> {
    text: &'t [u8],
    pos: usize,
    /// Cache for line counting: `line` is the line number at byte `line_pos`.
    line: u32,
    line_pos: usize,
}

impl<'t> Walker<'t> {
    fn skip_ws(&mut self) {
        while self.pos < self.text.len() && self.text[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn line_at(&mut self, pos: usize) -> u32 {
        if pos < self.line_pos {
            self.line = 1;
            self.line_pos = 0;
        }
        let n = memchr::memchr_iter(b'\n', &self.text[self.line_pos..pos]).count();
        self.line = self.line.saturating_add(n as u32);
        self.line_pos = pos;
        self.line
    }

    /// Finds the end of the object or array at the cursor without validating it: strings are
    /// skipped (escapes included) and brackets counted, with no recursion, so a nesting bomb costs
    /// a counter, not the stack. The record parser validates the slice afterwards; this only
    /// frames it, at a fraction of a full parse's cost. Scalars take the validating path.
    fn skip_value(&mut self) -> Result<(usize, usize), String> {
        let start = self.pos;
        let t = self.text;
        if !matches!(t.get(start), Some(b'{' | b'[')) {
            return self.value();
        }
        let mut depth: usize = 0;
        let mut i = start;
        while i < t.len() {
            match t[i] {
                b'"' => {
                    i += 1;
                    loop {
                        match memchr::memchr2(b'"', b'\\', &t[i..]) {
                            Some(p) if t[i + p] == b'\\' => {
                                i += p + 2;
                                if i >= t.len() {
                                    return Err("file ends inside a string (truncated)".into());
                                }
                            }
                            Some(p) => {
                                i += p;
                                break;
                            }
                            None => return Err("file ends inside a string (truncated)".into()),
                        }
                    }
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return Ok((start, i + 1 - start));
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Err("file ends inside a record (truncated)".into())
    }

    /// Reads one JSON value at the cursor and returns its byte range.
    fn value(&mut self) -> Result<(usize, usize), String> {
        let mut de = serde_json::Deserializer::from_slice(&self.text[self.pos..]);
        match <&RawValue>::deserialize(&mut de) {
            Ok(raw) => {
                let start = raw.get().as_ptr() as usize - self.text.as_ptr() as usize;
                let len = raw.get().len();
                self.pos = start + len;
                Ok((start, len))
            }
            Err(e) => Err(json_reason(&e)),
        }
    }

    fn array(&mut self, sink: &mut impl FnMut(Item)) -> Result<(), String> {
        self.pos += 1; // '['
        let mut index: u32 = 0;
        loop {
            self.skip_ws();
            match self.text.get(self.pos) {
                None => return Err("file ends inside an array (truncated)".into()),
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b',') if index > 0 => {
                    self.pos += 1;
                    self.skip_ws();
                }
                _ => {}
            }
            if self.text.get(self.pos) == Some(&b']') {
                self.pos += 1;
                return Ok(());
            }
            let (offset, len) = self.skip_value()?;
            let line = self.line_at(offset);
            sink(Item::Record { offset, len, line, index: Some(index) });
            index = index.saturating_add(1);
        }
    }

    /// An object at top level: a wrapper whose record array is walked, or a record itself.
    fn object(&mut self, sink: &mut impl FnMut(Item)) -> Result<(), String> {
        let start = self.pos;
        let mut found_wrapper = false;
        self.pos += 1; // '{'
        loop {
            self.skip_ws();
            match self.text.get(self.pos) {
                None => return Err("file ends inside an object (truncated)".into()),
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                _ => {}
            }
            let (k_at, k_len) = self.value()?;
            let key: std::borrow::Cow<str> = serde_json::from_slice(&self.text[k_at..k_at + k_len])
                .map_err(|_| "expected a string object key".to_string())?;
            let key_is_wrapper = WRAPPER_KEYS.contains(&&*key);
            self.skip_ws();
            if self.text.get(self.pos) != Some(&b':') {
                return Err("expected ':' after an object key".into());
            }
            self.pos += 1;
            self.skip_ws();
            if key_is_wrapper && self.text.get(self.pos) == Some(&b'[') {
                found_wrapper = true;
                self.array(sink)?;
            } else {
                self.value()?;
            }
        }
        if !found_wrapper {
            let line = self.line_at(start);
            sink(Item::Record { offset: start, len: self.pos - start, line, index: None });
        }
        Ok(())
    }
}

/// A short reason for a JSON syntax or type error, without serde's position (the caller names
/// the file and line).
pub fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(p) => msg[..p].to_string(),
        None => msg,
    };
    match e.classify() {
        serde_json::error::Category::Eof => format!("truncated JSON ({msg})"),
        serde_json::error::Category::Syntax => format!("invalid JSON: {msg}"),
        serde_json::error::Category::Data => format!("wrong type: {msg}"),
        serde_json::error::Category::Io => format!("read error: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> Vec<Item> {
        let mut v = Vec::new();
        match detect_mode(text.as_bytes()) {
            Mode::JsonLines => {
                frame_lines(text.as_bytes(), &mut |i| v.push(i));
            }
            Mode::Document => frame_document(text.as_bytes(), &mut |i| v.push(i)),
            Mode::NotJson | Mode::Csv | Mode::Evtx => {}
        }
        v
    }

    fn records(text: &str) -> Vec<(String, u32, Option<u32>)> {
        collect(text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Record { offset, len, line, index } => {
                    Some((text[offset..offset + len].to_string(), line, index))
                }
                Item::Error { .. } => None,
            })
            .collect()
    }

    #[test]
    fn json_lines_with_crlf_and_blank_lines() {
        let t = "{\"a\":1}\r\n\r\n  {\"a\":2}\n";
        assert_eq!(detect_mode(t.as_bytes()), Mode::JsonLines);
        assert_eq!(records(t), vec![("{\"a\":1}".into(), 1, None), ("{\"a\":2}".into(), 3, None)]);
    }

    #[test]
    fn wrapper_and_array_documents() {
        let t = "{\n \"records\": [\n  {\"a\":1},\n  {\"a\":2}\n ]\n}\n";
        assert_eq!(detect_mode(t.as_bytes()), Mode::Document);
        assert_eq!(records(t), vec![("{\"a\":1}".into(), 3, Some(0)), ("{\"a\":2}".into(), 4, Some(1))]);
        let t = "[\n\t{\"b\": 1}\n]";
        assert_eq!(records(t), vec![("{\"b\": 1}".into(), 2, Some(0))]);
        let t = "{\"success\": true, \"data\": [{\"x\":1}]}";
        assert_eq!(records(t), vec![("{\"x\":1}".into(), 1, Some(0))]);
    }

    #[test]
    fn pretty_single_and_concatenated_objects() {
        let t = "{\n  \"a\": {\"b\": 1}\n}\n{\n  \"a\": 2\n}\n";
        let r = records(t);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].1, 4);
    }

    #[test]
    fn truncated_array_keeps_earlier_records() {
        let t = "{\"Records\":[{\"a\":1},{\"a\":2},{\"a\":";
        let items = collect(t);
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[2], Item::Error { reason, .. } if reason.contains("truncated")));
    }

    #[test]
    fn wrapper_with_one_record_per_line_is_a_document() {
        let t = "{\"records\": [\n{\"a\":1},\n{\"a\":2}\n]}\n";
        assert_eq!(detect_mode(t.as_bytes()), Mode::Document);
        assert_eq!(records(t).len(), 2);
    }

    #[test]
    fn damaged_first_line_still_looks_like_lines() {
        let t = "{\"a\":\n{\"a\":1}\n{\"a\":2}\n";
        assert_eq!(detect_mode(t.as_bytes()), Mode::Document);
        assert!(looks_like_lines(t.as_bytes()));
        assert!(!looks_like_lines(b"{\n  \"a\": 1\n}\n"));
    }

    #[test]
    fn array_elements_with_brackets_and_escapes_in_strings() {
        let t = r#"[{"a":"x]}\"{[","b":[1,[2,{"c":"\\"}]]},{"d":"e"}]"#;
        let r = records(t);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].0, r#"{"a":"x]}\"{[","b":[1,[2,{"c":"\\"}]]}"#);
        assert_eq!(r[1].0, r#"{"d":"e"}"#);
        for cut in [r#"[{"a":"x\"#, r#"[{"a":"x"#, r#"[{"a":[1,2"#, "[{\"a\":\"\\"] {
            let items = collect(cut);
            assert!(
                matches!(items.last(), Some(Item::Error { reason, .. }) if reason.contains("truncated")),
                "{cut}: {items:?}"
            );
        }
    }

    #[test]
    fn binary_is_not_json() {
        assert_eq!(detect_mode(b"\x00\x01\x02garbage"), Mode::NotJson);
        assert_eq!(detect_mode(b"id,name\n1,2\n"), Mode::Csv);
        assert_eq!(detect_mode(b"garbage line\n{\"a\":1}\n"), Mode::JsonLines);
    }

    #[test]
    fn wrapper_key_with_non_array_is_a_record() {
        assert_eq!(records("{\n\"data\": {\"x\": 1}\n}").len(), 1);
    }
}
