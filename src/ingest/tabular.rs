//! Tabular exports: CSV and tab-separated query results (Log Analytics and Sentinel portal
//! exports, Athena and CloudTrail Lake results, BigQuery downloads, Logs Explorer CSVs, Splunk
//! exports).
//!
//! Owns recognising a header line, splitting rows (quoted cells may span lines; the `csv` crate
//! does the quoting), and turning each row into the JSON object the record readers take: the
//! column names are its keys (a portal's ` [UTC]` suffix removed), dotted names are nested
//! (`protoPayload.methodName` → `{"protoPayload":{"methodName":…}}`), cells holding a JSON object
//! or array are parsed, and empty cells are absent. The readers then tell the table by its
//! columns, exactly as for the same rows exported as JSON. Nothing here knows a log format.

use serde_json::{Map, Value};

/// A CSV file's header: its delimiter and each column's path of nested keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `,`, `\t` or `;`.
    pub delimiter: u8,
    /// Column names as written (unquoted, trimmed).
    pub names: Vec<String>,
    /// Each column's key path.
    paths: Vec<Vec<String>>,
    /// The file writes dates day first (`21/04/2025, 09:45:54`): the portal exports in the
    /// analyst's locale, so the order is learned from the file ([`Header::learn_date_order`]).
    pub day_first: bool,
    /// Every column is a distinct top-level key (no dotted paths, no repeats): a row's object is
    /// then written straight out, cell by cell, in column order.
    flat: bool,
}

/// A row found by [`frame`].
#[derive(Debug, PartialEq)]
pub enum Row {
    /// A row's cells (turned into its JSON object by [`Header::row_json`], on any thread), and
    /// where the row's text is: byte offset and length, 1-based line.
    Record { cells: csv::ByteRecord, offset: usize, len: usize, line: u32 },
    /// Text that could not be split into a row.
    Error { line: u32, reason: String },
}

/// Longest header line considered.
const MAX_HEADER: usize = 64 * 1024;

/// The header of `text` if its first line looks like one: two or more column names, each a
/// plain name (letters, digits and `_ . @ - [ ] # / : ( )` and spaces), none empty.
pub fn sniff(text: &[u8]) -> Option<Header> {
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &text[start..];
    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    if end > MAX_HEADER {
        return None;
    }
    let line = std::str::from_utf8(&rest[..end]).ok()?.trim_end_matches('\r');
    let delimiter = [b',', b'\t', b';'].into_iter().max_by_key(|d| line.bytes().filter(|b| b == d).count())?;
    if !line.as_bytes().contains(&delimiter) {
        return None;
    }
    let mut names = Vec::new();
    for (i, raw) in line.split(delimiter as char).enumerate() {
        let raw = raw.trim();
        let name = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(inner) => inner.replace("\"\"", "\""),
            None => raw.to_string(),
        };
        let plain = |c: char| c.is_alphanumeric() || "_.@-[]#/:()$ ".contains(c);
        if name.is_empty() && i == 0 {
            // pandas' `to_csv` writes its row index under an empty first name: a column left out.
            names.push(name);
            continue;
        }
        if name.is_empty()
            || !name.chars().all(plain)
            || !name.starts_with(|c: char| c.is_alphabetic() || "_@#$".contains(c))
        {
            return None;
        }
        names.push(name);
    }
    (names.iter().filter(|n| !n.is_empty()).count() >= 2).then(|| Header::new(delimiter, names))
}

impl Header {
    fn new(delimiter: u8, names: Vec<String>) -> Self {
        let paths = names
            .iter()
            .map(|n| {
                let n = n.strip_suffix(" [UTC]").unwrap_or(n).trim();
                n.split('.').filter(|s| !s.is_empty()).map(str::to_string).collect()
            })
            .collect::<Vec<Vec<String>>>();
        let mut keys = std::collections::HashSet::new();
        let flat = paths.iter().all(|p| p.len() <= 1 && p.first().is_none_or(|k| keys.insert(k.as_str())));
        Header { delimiter, names, paths, day_first: false, flat }
    }

    fn reader<'t>(&self, text: &'t [u8], has_header: bool) -> csv::Reader<&'t [u8]> {
        csv::ReaderBuilder::new().delimiter(self.delimiter).has_headers(has_header).flexible(true).from_reader(text)
    }

    /// Learns whether the file writes slashed dates day first: some date in its first megabyte
    /// has a first number above 12 (`21/04/2025`) and none a second number above 12. A file whose
    /// every date is ambiguous (`02/04/2025`) stays month first, the portal's US default.
    pub fn learn_date_order(&mut self, text: &[u8]) {
        let head = &text[..text.len().min(1 << 20)];
        let (mut day_first, mut month_first) = (false, false);
        for (i, _) in head.iter().enumerate().filter(|(_, b)| **b == b'/') {
            let Some((a, b)) = slashed_date(&head[i.saturating_sub(2)..]) else { continue };
            day_first |= a > 12;
            month_first |= b > 12;
        }
        self.day_first = day_first && !month_first;
    }

    /// A row's cells as the JSON object text the readers take, and whether a cell was not UTF-8.
    pub fn row_json(&self, record: &csv::ByteRecord) -> (String, bool) {
        if self.flat
            && let Some(row) = self.flat_row_json(record)
        {
            return row;
        }
        self.nested_row_json(record)
    }

    /// [`Self::row_json`] through a JSON object: dotted columns nest, a cell holding JSON is
    /// read as JSON, the first of two columns with one key wins.
    fn nested_row_json(&self, record: &csv::ByteRecord) -> (String, bool) {
        let mut obj = Map::new();
        let mut lossy = false;
        for (path, cell) in self.paths.iter().zip(record.iter()) {
            let text = cell_text(cell, &mut lossy);
            let t = text.trim();
            if t.is_empty() || path.is_empty() {
                continue;
            }
            if self.day_first
                && let Some(iso) = day_first_time(t)
            {
                insert(&mut obj, path, Value::String(iso));
                continue;
            }
            let json_like = (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']'));
            let value = json_like
                .then(|| serde_json::from_str::<Value>(t).ok())
                .flatten()
                .unwrap_or_else(|| Value::String(text.into_owned()));
            insert(&mut obj, path, value);
        }
        (Value::Object(obj).to_string(), lossy)
    }

    /// [`Self::row_json`] for a flat header, written as the object's text without building the
    /// object: the same text, byte for byte (keys in column order, serde_json's escaping), at a
    /// fraction of the allocations. A cell holding JSON is left to the general path (`None`).
    fn flat_row_json(&self, record: &csv::ByteRecord) -> Option<(String, bool)> {
        let mut out: Vec<u8> = Vec::with_capacity(record.as_slice().len() + 8 * record.len() + 2);
        let mut lossy = false;
        out.push(b'{');
        for (path, cell) in self.paths.iter().zip(record.iter()) {
            let text = cell_text(cell, &mut lossy);
            let t = text.trim();
            let Some(key) = path.first() else { continue };
            if t.is_empty() {
                continue;
            }
            if (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']')) {
                return None;
            }
            if out.len() > 1 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, key).ok()?;
            out.push(b':');
            match self.day_first.then(|| day_first_time(t)).flatten() {
                Some(iso) => serde_json::to_writer(&mut out, &iso).ok()?,
                None => serde_json::to_writer(&mut out, text.as_ref()).ok()?,
            }
        }
        out.push(b'}');
        Some((String::from_utf8(out).ok()?, lossy))
    }

    /// The JSON object of one row's text, read back from its file (for the raw view).
    pub fn row_text_json(&self, row: &[u8]) -> Result<String, String> {
        let mut rdr = self.reader(row, false);
        let mut rec = csv::ByteRecord::new();
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => Ok(self.row_json(&rec).0),
            Ok(false) => Err("empty row".into()),
            Err(e) => Err(format!("unreadable CSV row: {e}")),
        }
    }
}

/// A cell's text; a cell that is not UTF-8 is read with replacement characters and sets `lossy`.
fn cell_text<'c>(cell: &'c [u8], lossy: &mut bool) -> std::borrow::Cow<'c, str> {
    match std::str::from_utf8(cell) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            *lossy = true;
            String::from_utf8_lossy(cell)
        }
    }
}

/// The two leading numbers of a `N/N/YYYY` date at the start of `b` (a digit or two before the
/// first slash, possibly after a non-digit).
fn slashed_date(b: &[u8]) -> Option<(u32, u32)> {
    let s =
        std::str::from_utf8(&b[..b.len().min(16)]).ok().or_else(|| std::str::from_utf8(&b[..b.len().min(10)]).ok())?;
    let s = s.trim_start_matches(|c: char| !c.is_ascii_digit());
    let mut parts = s.splitn(3, '/');
    let a: u32 = parts.next()?.parse().ok()?;
    let b: u32 = parts.next()?.parse().ok()?;
    let year = parts.next()?;
    (year.len() >= 4 && year[..4].bytes().all(|c| c.is_ascii_digit()) && (1..=31).contains(&a) && (1..=31).contains(&b))
        .then_some((a, b))
}

/// A day-first portal time (`21/04/2025, 09:45:54.000`, with or without AM/PM) as RFC 3339.
fn day_first_time(t: &str) -> Option<String> {
    if !t.as_bytes().first()?.is_ascii_digit() || !t.contains('/') {
        return None;
    }
    const FORMATS: [&str; 4] =
        ["%d/%m/%Y, %H:%M:%S%.f", "%d/%m/%Y %H:%M:%S%.f", "%d/%m/%Y, %I:%M:%S%.f %p", "%d/%m/%Y %I:%M:%S%.f %p"];
    FORMATS
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(t, f).ok())
        .map(|n| n.and_utc().format("%Y-%m-%dT%H:%M:%S%.fZ").to_string())
}

/// Puts `value` at `path`, nesting objects; a clash with a non-object keeps the dotted name flat.
fn insert(obj: &mut Map<String, Value>, path: &[String], value: Value) {
    let (head, rest) = (&path[0], &path[1..]);
    if rest.is_empty() {
        match obj.get_mut(head) {
            // An object column and a dotted sub-column of it: merge, the dotted one adds its key.
            Some(Value::Object(existing)) if value.is_object() => {
                if let Value::Object(m) = value {
                    for (k, v) in m {
                        existing.entry(k).or_insert(v);
                    }
                }
            }
            Some(_) => {}
            None => {
                obj.insert(head.clone(), value);
            }
        }
        return;
    }
    match obj.entry(head.clone()).or_insert_with(|| Value::Object(Map::new())) {
        Value::Object(inner) => insert(inner, rest, value),
        _ => {
            obj.entry(path.join(".")).or_insert(value);
        }
    }
}

/// Frames every row after the header. Offsets and lines are relative to `text`.
pub fn frame(text: &[u8], header: &Header, sink: &mut impl FnMut(Row)) {
    let mut rdr = header.reader(text, true);
    let mut rec = csv::ByteRecord::new();
    // Lines are counted here: the crate's count passes over blank lines.
    let (mut seen, mut line) = (0usize, 1u32);
    let mut line_at = |pos: usize| {
        let pos = pos.min(text.len());
        if pos > seen {
            line = line.saturating_add(memchr::memchr_iter(b'\n', &text[seen..pos]).count() as u32);
            seen = pos;
        }
        line
    };
    loop {
        let start = rdr.position().clone();
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => return,
            Ok(true) => {
                let mut begin = (rec.position().map_or(start.byte(), |p| p.byte()) as usize).min(text.len());
                while begin < text.len() && matches!(text[begin], b'\n' | b'\r') {
                    begin += 1;
                }
                let line = line_at(begin);
                let end = (rdr.position().byte() as usize).min(text.len());
                let mut len = end.saturating_sub(begin);
                while len > 0 && matches!(text[begin + len - 1], b'\n' | b'\r') {
                    len -= 1;
                }
                if rec.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
                    continue;
                }
                sink(Row::Record { cells: std::mem::take(&mut rec), offset: begin, len, line });
            }
            Err(e) => {
                let line = line_at(e.position().map_or(start.byte(), |p| p.byte()) as usize);
                sink(Row::Error { line, reason: format!("unreadable CSV row: {e}") });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return;
                }
            }
        }
    }
}

/// One message for a CSV file none of whose rows any reader recognised.
pub fn unknown_table(header: &Header, rows: u64) -> String {
    let mut cols: Vec<&str> = header.names.iter().map(String::as_str).take(12).collect();
    if header.names.len() > 12 {
        cols.push("…");
    }
    format!("CSV columns match no known table ({rows} rows): {}", cols.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_rows_are_written_as_the_nested_path_writes_them() {
        let header = "TimeGenerated [UTC],Account,CommandLine,EventID,Empty,Note\n";
        let cells = [
            "21/04/2025 09:45:54.123,CORP\\ann,\"cmd.exe /c \"\"echo \\x\"\"\",4688,,\"tab\there\"",
            "21/04/2025 09:45:54,bob ,\"a\u{1}b\u{7f}é\u{2028}\",4624,  ,{not json",
            "13/01/2026 00:00:00,  ,x,1,,\"line\nbreak\"",
        ];
        for row in cells {
            let text = format!("{header}{row}\n");
            let mut h = sniff(text.as_bytes()).expect("a header");
            h.learn_date_order(text.as_bytes());
            assert!(h.flat && h.day_first);
            let mut rec = None;
            frame(text.as_bytes(), &h, &mut |r| {
                if let Row::Record { cells, .. } = r {
                    rec = Some(cells);
                }
            });
            let mut rec = rec.expect("a row");
            assert_eq!(h.flat_row_json(&rec), Some(h.nested_row_json(&rec)), "{row}");
            // Not UTF-8: both say so and write the same replacement characters.
            let mut bytes: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
            bytes[1].push(0xff);
            rec = csv::ByteRecord::from(bytes);
            assert_eq!(h.flat_row_json(&rec), Some(h.nested_row_json(&rec)));
            assert!(h.flat_row_json(&rec).unwrap().1);
        }
        // A cell holding JSON, dotted and repeated columns take the nested path.
        let h = sniff(b"a,b\n").unwrap();
        assert_eq!(h.flat_row_json(&csv::ByteRecord::from(vec!["{\"x\":1}", "y"])), None);
        assert!(!sniff(b"a.b,c\n").unwrap().flat);
        assert!(!sniff(b"a,b,a\n").unwrap().flat);
    }

    fn rows(text: &str) -> Vec<Row> {
        let h = sniff(text.as_bytes()).expect("a header");
        let mut out = Vec::new();
        frame(text.as_bytes(), &h, &mut |r| out.push(r));
        out
    }

    fn jsons(text: &str) -> Vec<Value> {
        let h = sniff(text.as_bytes()).expect("a header");
        rows(text)
            .iter()
            .map(|r| match r {
                Row::Record { cells, .. } => serde_json::from_str(&h.row_json(cells).0).unwrap(),
                Row::Error { reason, .. } => panic!("error row: {reason}"),
            })
            .collect()
    }

    #[test]
    fn sniffs_headers_and_refuses_other_text() {
        let h = sniff(b"\"TimeGenerated [UTC]\",Computer,EventID\r\n1,2,3").unwrap();
        assert_eq!(h.delimiter, b',');
        assert_eq!(h.names, ["TimeGenerated [UTC]", "Computer", "EventID"]);
        assert_eq!(sniff(b"eventtime\teventname\n").unwrap().delimiter, b'\t');
        assert!(sniff(b"{\"a\":1}\n").is_none());
        assert!(sniff(b"just one column\n1\n").is_none());
        assert!(sniff(b"a,,b\n").is_none());
        assert_eq!(sniff(b",TenantId,EventID\n0,t,4688\n").unwrap().names, ["", "TenantId", "EventID"]);
        assert!(sniff(b",a\n").is_none(), "an index alone is not a table");
        assert!(sniff(b"\x00\x01,\x02\n").is_none());
        assert!(sniff(b"garbage {\"a\", 1}\n").is_none());
    }

    #[test]
    fn rows_become_nested_json_objects() {
        let text = "timestamp,protoPayload.methodName,protoPayload.authenticationInfo.principalEmail,Status,empty\n\
                    2024-01-01T00:00:00Z,SetIamPolicy,a@example.com,\"{\"\"errorCode\"\":0}\",\n";
        let r = jsons(text);
        assert_eq!(r.len(), 1);
        let v = &r[0];
        assert_eq!(v["protoPayload"]["methodName"], "SetIamPolicy");
        assert_eq!(v["protoPayload"]["authenticationInfo"]["principalEmail"], "a@example.com");
        assert_eq!(v["Status"]["errorCode"], 0);
        assert!(v.get("empty").is_none());
        assert_eq!(v["timestamp"], "2024-01-01T00:00:00Z");
    }

    #[test]
    fn quoted_cells_span_lines_and_offsets_point_at_rows() {
        let text = "a,b\nx,\"line one\nline two\"\n\ny,z\n";
        let r = rows(text);
        assert_eq!(r.len(), 2);
        match (&r[0], &r[1]) {
            (Row::Record { offset: o1, len: l1, line: 2, .. }, Row::Record { offset: o2, len: l2, line: 5, .. }) => {
                assert_eq!(&text[*o1..o1 + l1], "x,\"line one\nline two\"");
                assert_eq!(&text[*o2..o2 + l2], "y,z");
                let h = sniff(text.as_bytes()).unwrap();
                let back: Value =
                    serde_json::from_str(&h.row_text_json(&text.as_bytes()[*o1..o1 + l1]).unwrap()).unwrap();
                assert_eq!(back["b"], "line one\nline two");
            }
            other => panic!("unexpected rows {other:?}"),
        }
    }

    #[test]
    fn clashing_names_and_bad_bytes_survive() {
        let h = sniff(b"a,a.b,c\n").unwrap();
        let mut rec = csv::ByteRecord::new();
        rec.push_field(b"plain");
        rec.push_field(b"nested");
        rec.push_field(b"bad \xff byte");
        let (json, lossy) = h.row_json(&rec);
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["a"], "plain");
        assert_eq!(v["a.b"], "nested");
        assert_eq!(v["c"], "bad \u{fffd} byte");
        assert!(lossy);
    }

    #[test]
    fn day_first_files_are_learned_and_their_times_read_as_such() {
        let text = "\"TimeGenerated [UTC]\",x\n\"21/04/2025, 09:45:54.000\",a\n\"02/04/2025, 10:13:15.000\",b\n";
        let mut h = sniff(text.as_bytes()).unwrap();
        h.learn_date_order(text.as_bytes());
        assert!(h.day_first);
        let mut rows = Vec::new();
        frame(text.as_bytes(), &h, &mut |r| rows.push(r));
        let times: Vec<Value> = rows
            .iter()
            .map(|r| match r {
                Row::Record { cells, .. } => {
                    serde_json::from_str::<Value>(&h.row_json(cells).0).unwrap()["TimeGenerated"].clone()
                }
                Row::Error { reason, .. } => panic!("{reason}"),
            })
            .collect();
        assert_eq!(times, ["2025-04-21T09:45:54Z", "2025-04-02T10:13:15Z"]);
        // US order, and a file whose every date is ambiguous, stay month first.
        let mut us = sniff(b"t,x\n4/21/2025 9:45:54 AM,a\n").unwrap();
        us.learn_date_order(b"t,x\n4/21/2025 9:45:54 AM,a\n");
        assert!(!us.day_first);
        let mut both = sniff(b"t,x\n02/04/2025 1:00:00 PM,a\n").unwrap();
        both.learn_date_order(b"t,x\n02/04/2025 1:00:00 PM,a\n");
        assert!(!both.day_first);
    }

    #[test]
    fn short_and_long_rows_are_read() {
        let r = jsons("a,b,c\n1,2\n1,2,3,4\n");
        assert_eq!(r[0]["b"], "2");
        assert!(r[0].get("c").is_none());
        assert_eq!(r[1]["c"], "3");
    }
}
