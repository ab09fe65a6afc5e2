//! A field-skipping scanner for the common shapes of the bulkiest formats: GCP audit `LogEntry`s
//! and CloudTrail records.
//!
//! The general path ([`super::probe`]) deserialises every record into a union of all formats'
//! fields with serde; that was most of a load's time. This scanner walks one record's JSON once,
//! reads only the fields the format's normaliser needs and skips the rest (validating it, without
//! building anything). It is an accelerator, never a second reader: it either returns exactly the
//! [`Draft`] the general path would produce for the same text, or `None`, and the general path
//! takes the record. It declines anything unusual — an escape in a needed string or key, a
//! top-level field another format reads, a duplicate field, a `null` object, an unexpected type,
//! deep nesting — so the general path keeps every diagnostic. The equivalence is checked by a
//! differential test over real fixtures and mutated records, and by the `fastpath` fuzz target.

use super::aws;
use super::gcp::{self, Parts};
use super::probe::Draft;
use std::borrow::Cow;

/// Nesting beyond which the scanner declines (the general path decides).
const MAX_DEPTH: u32 = 64;

/// Top-level `LogEntry` fields that no reader's probe reads; anything else not handled below
/// sends the record to the general path.
const PASSIVE_GCP: [&[u8]; 10] = [
    b"severity",
    b"labels",
    b"operation",
    b"trace",
    b"spanId",
    b"traceSampled",
    b"sourceLocation",
    b"split",
    b"errorGroups",
    b"apphub",
];

/// Top-level CloudTrail fields that no reader's probe reads.
const PASSIVE_CLOUDTRAIL: [&[u8]; 16] = [
    b"eventVersion",
    b"additionalEventData",
    b"requestID",
    b"eventID",
    b"readOnly",
    b"apiVersion",
    b"managementEvent",
    b"sharedEventID",
    b"vpcEndpointId",
    b"vpcEndpointAccountId",
    b"eventCategory",
    b"tlsDetails",
    b"sessionCredentialFromConsole",
    b"serviceEventDetails",
    b"edgeDeviceDetails",
    b"addendum",
];

/// Reads a record with either scanner, or declines.
pub fn event(text: &str) -> Option<Draft<'_>> {
    match text.as_bytes().iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => gcp_event(text).or_else(|| aws_event(text)),
        _ => None,
    }
}

/// Reads the record that starts `text` (with its `{`) and is a whole line of JSON Lines text,
/// with either scanner, and hands it to `take` with its length; `text` runs on past the line.
/// Takes the record only when it ends right before a newline or at the end of `text` and holds
/// no newline itself: then it is exactly the text a line framer hands to [`event`], which reads
/// it the same way. Otherwise declines (returns false, and `take` is not called).
pub fn line_event<'a>(text: &'a str, take: impl FnOnce(&Draft<'a>, usize)) -> bool {
    let mut c = Cursor::new(text);
    let mut g = GcpScan::default();
    let result = if gcp_scan(&mut c, &mut g).is_some() && c.line_end() {
        gcp_build(g)
    } else {
        c = Cursor::new(text);
        match aws_scan(&mut c) {
            Some(p) if c.line_end() => aws::build(p),
            _ => return false,
        }
    };
    match result {
        Ok(d) => {
            take(&d, c.i);
            true
        }
        Err(_) => false,
    }
}

/// Reads a CloudTrail record the way [`super::probe::parse_record`] would, or declines. The raw
/// text of `requestParameters` and `responseElements` is handed to the same derivation of the
/// resource and target as serde's ([`super::aws_resource`]).
pub fn aws_event(text: &str) -> Option<Draft<'_>> {
    let mut c = Cursor::new(text);
    let p = aws_scan(&mut c)?;
    c.ws();
    if c.i != c.b.len() {
        return None;
    }
    aws::build(p).ok()
}

/// The CloudTrail record at the cursor, read up to its closing brace.
fn aws_scan<'a>(c: &mut Cursor<'a>) -> Option<aws::Parts<'a>> {
    let mut p = aws::Parts::default();
    let mut event_name: Option<&str> = None;
    let mut resources: Option<Option<&str>> = None;
    let mut seen = Seen(0);
    c.ws();
    c.object(|c, key| {
        match key {
            k if same(k, b"eventTime") => {
                c.read_str(&mut seen, 0, &mut p.event_time)?;
            }
            k if same(k, b"eventSource") => {
                c.read_str(&mut seen, 1, &mut p.event_source)?;
            }
            k if same(k, b"eventName") => {
                seen.once(2)?;
                event_name = Some(c.plain_string()?);
            }
            k if same(k, b"eventType") => {
                seen.once(3)?;
                if c.opt_str()? == Some("AwsCloudTrailInsight") {
                    return None;
                }
            }
            k if same(k, b"awsRegion") => {
                c.read_str(&mut seen, 4, &mut p.region)?;
            }
            k if same(k, b"sourceIPAddress") => {
                c.read_str(&mut seen, 5, &mut p.source_ip)?;
            }
            k if same(k, b"userAgent") => {
                c.read_str(&mut seen, 6, &mut p.user_agent)?;
            }
            k if same(k, b"errorCode") => {
                c.read_str(&mut seen, 7, &mut p.error_code)?;
            }
            k if same(k, b"errorMessage") => {
                c.read_str(&mut seen, 8, &mut p.error_message)?;
            }
            k if same(k, b"userIdentity") => {
                seen.once(9)?;
                c.identity(&mut p.identity)?;
            }
            k if same(k, b"resources") => {
                seen.once(10)?;
                resources = Some(c.first_arn()?);
            }
            k if same(k, b"requestParameters") => {
                seen.once(11)?;
                p.request = Some(c.raw_value()?);
            }
            k if same(k, b"responseElements") => {
                seen.once(12)?;
                p.response = Some(c.raw_value()?);
            }
            k if same(k, b"recipientAccountId") => {
                c.read_str(&mut seen, 13, &mut p.account)?;
            }
            k if PASSIVE_CLOUDTRAIL.iter().any(|p| same(k, p)) => c.skip_value()?,
            _ => return None,
        }
        Some(())
    })?;
    let name = event_name.filter(|n| !n.is_empty())?;
    p.event_source.as_ref()?;
    p.event_name = Cow::Borrowed(name);
    p.first_arn = resources.flatten().map(Cow::Borrowed);
    Some(p)
}

/// Reads a GCP audit `LogEntry` the way [`super::probe::parse_record`] would, or declines.
pub fn gcp_event(text: &str) -> Option<Draft<'_>> {
    let mut c = Cursor::new(text);
    let mut g = GcpScan::default();
    gcp_scan(&mut c, &mut g)?;
    c.ws();
    if c.i != c.b.len() {
        return None;
    }
    gcp_build(g).ok()
}

/// What [`gcp_scan`] read of a `LogEntry`, before the region is picked.
#[derive(Default)]
struct GcpScan<'a> {
    parts: Parts<'a>,
    labels: Labels<'a>,
    locations: Option<Option<&'a str>>,
}

/// The `LogEntry` at the cursor, read up to its closing brace.
fn gcp_scan<'a>(c: &mut Cursor<'a>, g: &mut GcpScan<'a>) -> Option<()> {
    let GcpScan { parts, labels, locations } = g;
    let mut seen = Seen(0);
    c.ws();
    c.object(|c, key| {
        match key {
            k if same(k, b"protoPayload") => {
                seen.once(0)?;
                c.audit_log(parts, locations)?;
            }
            k if same(k, b"timestamp") => {
                c.read_str(&mut seen, 1, &mut parts.timestamp)?;
            }
            k if same(k, b"receiveTimestamp") => {
                c.read_str(&mut seen, 2, &mut parts.receive_timestamp)?;
            }
            k if same(k, b"logName") => {
                seen.once(3)?;
                c.opt_str()?;
            }
            k if same(k, b"insertId") => {
                seen.once(4)?;
                c.opt_str()?;
            }
            k if same(k, b"resource") => {
                seen.once(5)?;
                c.monitored_resource(labels)?;
            }
            k if PASSIVE_GCP.iter().any(|p| same(k, p)) => c.skip_value()?,
            _ => return None,
        }
        Some(())
    })?;
    seen.has(0).then_some(())
}

fn gcp_build<'a>(scan: GcpScan<'a>) -> Result<Draft<'a>, String> {
    let GcpScan { mut parts, labels, locations } = scan;
    let current = locations.flatten();
    // The scanner only ever borrows, so the labels are borrowed from `text` too.
    let text_of = |c: Option<Cow<'a, str>>| match c {
        Some(Cow::Borrowed(b)) => Some(b),
        _ => None,
    };
    let labels = [text_of(labels.location), text_of(labels.region), text_of(labels.zone)];
    parts.region = gcp::pick_region(labels, current);
    gcp::build(parts)
}

#[derive(Default)]
struct Labels<'a> {
    location: Option<Cow<'a, str>>,
    region: Option<Cow<'a, str>>,
    zone: Option<Cow<'a, str>>,
}

/// Which fields were read, to decline duplicates (serde reports them).
struct Seen(u32);

impl Seen {
    fn once(&mut self, bit: u32) -> Option<()> {
        let m = 1 << bit;
        if self.0 & m != 0 {
            return None;
        }
        self.0 |= m;
        Some(())
    }
    fn has(&self, bit: u32) -> bool {
        self.0 & (1 << bit) != 0
    }
}

struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
    /// Whitespace read so far held a newline.
    newline: bool,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, b: s.as_bytes(), i: 0, depth: 0, newline: false }
    }

    /// After a record read from the start of the text: true when it ends its line (a newline or
    /// the end of the text follows) and holds no newline.
    fn line_end(&self) -> bool {
        !self.newline && matches!(self.peek(), None | Some(b'\n'))
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.newline |= self.b[self.i] == b'\n';
            self.i += 1;
        }
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.peek()? == want).then(|| self.i += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b.get(self.i..self.i + word.len()).filter(|w| *w == word).map(|_| self.i += word.len())
    }

    /// An object at the cursor; `field` is called with each key and must consume its value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        if self.eat(b'}').is_some() {
            self.depth -= 1;
            return Some(());
        }
        loop {
            let key = self.plain_bytes()?;
            // Compact JSON has the colon right after the key.
            if self.peek() == Some(b':') {
                self.i += 1;
            } else {
                self.ws();
                self.eat(b':')?;
            }
            self.ws();
            field(self, key)?;
            if !self.more(b'}')? {
                self.depth -= 1;
                return Some(());
            }
        }
    }

    /// After a member or element: true past a comma (another follows), false past `close`,
    /// `None` for anything else. Compact JSON has no white space to skip, so that is checked
    /// before the loop that skips it.
    #[inline(always)]
    fn more(&mut self, close: u8) -> Option<bool> {
        let is_ws = |c: Option<u8>| matches!(c, Some(b' ' | b'\n' | b'\t' | b'\r'));
        if is_ws(self.peek()) {
            self.ws();
        }
        let c = self.peek()?;
        self.i += 1;
        if c == b',' {
            if is_ws(self.peek()) {
                self.ws();
            }
            Some(true)
        } else {
            (c == close).then_some(false)
        }
    }

    /// An array at the cursor; `element` is called with each element's index and must consume it.
    fn array(&mut self, mut element: impl FnMut(&mut Self, usize) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        if self.eat(b']').is_none() {
            for k in 0.. {
                element(self, k)?;
                if !self.more(b']')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// The bytes of a string without escapes; declines escapes and control characters.
    #[inline(always)]
    fn plain_bytes(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        let end = find_special(self.b, start);
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        self.i = end + 1;
        Some(&self.b[start..end])
    }

    /// A string without escapes, borrowed; declines escapes and control characters.
    #[inline(always)]
    fn plain_string(&mut self) -> Option<&'a str> {
        let bytes = self.plain_bytes()?;
        // SAFETY: `bytes` is a sub-slice of `self.s`, a `str`, that starts right after an ASCII
        // quote and ends right before one: both ends are char boundaries, so it is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    /// An optional string field into `slot`, declining if field `bit` was already read.
    #[inline(always)]
    fn read_str(&mut self, seen: &mut Seen, bit: u32, slot: &mut Option<Cow<'a, str>>) -> Option<()> {
        seen.once(bit)?;
        *slot = self.opt_str()?.map(Cow::Borrowed);
        Some(())
    }

    /// A string or `null`, as serde reads an optional string; declines any other type.
    #[inline(always)]
    fn opt_str(&mut self) -> Option<Option<&'a str>> {
        match self.peek()? {
            b'"' => Some(Some(self.plain_string()?)),
            b'n' => self.literal(b"null").map(|_| None),
            _ => None,
        }
    }

    /// An optional integer as serde reads an `i64`: `null` or a plain integer in range.
    fn opt_i64(&mut self) -> Option<Option<i64>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|_| None);
        }
        let start = self.i;
        if self.peek()? == b'-' {
            self.i += 1;
        }
        let digits = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        let n = self.i - digits;
        // serde_json reads `-0` as a float, which an `i64` field rejects.
        if n == 0 || n > 18 || (self.b[digits] == b'0' && (n > 1 || digits > start)) {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return None;
        }
        self.s.get(start..self.i)?.parse().ok().map(Some)
    }

    /// Skips any JSON value, validating it as serde_json does when it ignores one.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => self.object(|c, _| c.skip_value()),
            b'[' => self.array(|c, _| c.skip_value()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => None,
        }
    }

    /// A string whose content is not needed: escapes are checked, not decoded.
    #[inline(always)]
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let at = find_special(self.b, self.i);
            match self.b.get(at)? {
                b'"' => {
                    self.i = at + 1;
                    return Some(());
                }
                b'\\' => {
                    self.i = at + 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                        b'u' => {
                            let hex = self.b.get(self.i + 1..self.i + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            // A surrogate (`\uD800`–`\uDFFF`): whether serde accepts it depends
                            // on its pair and on whether serde decodes or ignores this string.
                            if hex[0].eq_ignore_ascii_case(&b'd')
                                && matches!(hex[1], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F')
                            {
                                return None;
                            }
                            self.i += 5;
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn skip_number(&mut self) -> Option<()> {
        if self.peek()? == b'-' {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.one_or_more_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.one_or_more_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn one_or_more_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    /// `protoPayload`: the `AuditLog` fields [`gcp::AuditLog`] reads.
    fn audit_log(&mut self, parts: &mut Parts<'a>, locations: &mut Option<Option<&'a str>>) -> Option<()> {
        let mut seen = Seen(0);
        self.object(|c, key| {
            match key {
                k if same(k, b"@type") => {
                    seen.once(0)?;
                    if !c.opt_str()?.is_none_or(|t| t.ends_with("AuditLog")) {
                        return None;
                    }
                }
                k if same(k, b"serviceName") => {
                    c.read_str(&mut seen, 1, &mut parts.service_name)?;
                }
                k if same(k, b"methodName") => {
                    c.read_str(&mut seen, 2, &mut parts.method_name)?;
                }
                k if same(k, b"resourceName") => {
                    c.read_str(&mut seen, 3, &mut parts.resource_name)?;
                }
                k if same(k, b"authenticationInfo") => {
                    seen.once(4)?;
                    c.string_fields(
                        [
                            (b"principalEmail", &mut parts.principal_email),
                            (b"principalSubject", &mut parts.principal_subject),
                        ],
                        &[b"serviceAccountDelegationInfo"],
                    )?;
                }
                k if same(k, b"requestMetadata") => {
                    seen.once(5)?;
                    c.string_fields(
                        [(b"callerIp", &mut parts.caller_ip), (b"callerSuppliedUserAgent", &mut parts.user_agent)],
                        &[],
                    )?;
                }
                k if same(k, b"status") => {
                    seen.once(6)?;
                    let mut inner = Seen(0);
                    c.object(|c, key| match key {
                        k if same(k, b"code") => {
                            inner.once(0)?;
                            parts.status_code = c.opt_i64()?;
                            Some(())
                        }
                        k if same(k, b"message") => {
                            inner.once(1)?;
                            parts.status_message = c.opt_str()?.map(Cow::Borrowed);
                            Some(())
                        }
                        _ => c.skip_value(),
                    })?;
                }
                k if same(k, b"resourceLocation") => {
                    seen.once(7)?;
                    let mut inner = Seen(0);
                    c.object(|c, key| match key {
                        k if same(k, b"currentLocations") => {
                            inner.once(0)?;
                            *locations = Some(c.first_string_of_array()?);
                            Some(())
                        }
                        _ => c.skip_value(),
                    })?;
                }
                _ => c.skip_value()?,
            }
            Some(())
        })
    }

    /// An array whose first element (if any) is a plain string; the rest are skipped.
    fn first_string_of_array(&mut self) -> Option<Option<&'a str>> {
        let mut first = None;
        self.array(|c, k| {
            if k == 0 {
                first = Some(c.plain_string()?);
                Some(())
            } else {
                c.skip_value()
            }
        })?;
        Some(first)
    }

    /// An object of optional strings as serde reads it into a struct: each of `fields` (key,
    /// slot) is read into its slot, keys in `skipped_once` are skipped, other keys are ignored,
    /// and a repeated field declines (serde reports duplicates).
    fn string_fields<const N: usize>(
        &mut self,
        mut fields: [(&[u8], &mut Option<Cow<'a, str>>); N],
        skipped_once: &[&[u8]],
    ) -> Option<()> {
        let mut seen = Seen(0);
        self.object(|c, key| {
            if let Some(i) = fields.iter().position(|(k, _)| same(key, k)) {
                return c.read_str(&mut seen, i as u32, fields[i].1);
            }
            if let Some(i) = skipped_once.iter().position(|k| same(key, k)) {
                seen.once((N + i) as u32)?;
            }
            c.skip_value()
        })
    }

    /// `userIdentity`: the fields [`aws::Identity`] reads.
    fn identity(&mut self, id: &mut aws::Identity<'a>) -> Option<()> {
        self.string_fields(
            [
                (b"type", &mut id.kind),
                (b"arn", &mut id.arn),
                (b"userName", &mut id.user_name),
                (b"principalId", &mut id.principal_id),
                (b"invokedBy", &mut id.invoked_by),
            ],
            &[],
        )
    }

    /// `resources`: an array of objects, `null` or absent; the first non-empty `ARN` (or `arn`).
    fn first_arn(&mut self) -> Option<Option<&'a str>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|_| None);
        }
        let mut first = None;
        self.array(|c, _| {
            // `arn` is serde's alias of `ARN`: one field, so both at once is a duplicate.
            let mut arn = None;
            let mut seen = Seen(0);
            c.object(|c, key| match key {
                k if same(k, b"ARN") || same(k, b"arn") => {
                    seen.once(0)?;
                    arn = c.opt_str()?;
                    Some(())
                }
                _ => c.skip_value(),
            })?;
            if first.is_none() {
                first = arn.filter(|a| !a.is_empty());
            }
            Some(())
        })?;
        Some(first)
    }

    /// The text of the value at the cursor, validated as [`Self::skip_value`] does; serde's
    /// `RawValue` holds the same text.
    fn raw_value(&mut self) -> Option<&'a str> {
        let start = self.i;
        self.skip_value()?;
        self.s.get(start..self.i)
    }

    /// `resource`: the location labels of a `MonitoredResource`.
    fn monitored_resource(&mut self, labels: &mut Labels<'a>) -> Option<()> {
        let mut seen = Seen(0);
        self.object(|c, key| match key {
            k if same(k, b"labels") => {
                seen.once(0)?;
                c.string_fields(
                    [(b"location", &mut labels.location), (b"region", &mut labels.region), (b"zone", &mut labels.zone)],
                    &[],
                )
            }
            _ => c.skip_value(),
        })
    }
}

/// `a == b` for short byte strings such as keys, compared in registers: a slice comparison calls
/// `memcmp`, whose call costs more than the comparison itself for keys of a few bytes.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap());
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap());
    match n {
        // Two overlapping loads cover every byte.
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        17..=32 => {
            word(a, 0) == word(b, 0)
                && word(a, 8) == word(b, 8)
                && word(a, n - 16) == word(b, n - 16)
                && word(a, n - 8) == word(b, n - 8)
        }
        _ => a == b,
    }
}

/// The position of the first `"`, `\` or control character at or after `from` (or the length).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn find_special(b: &[u8], from: usize) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut i = from;
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always available;
    // every load reads the 16 bytes at `i` only when `i + 16 <= b.len()`, inside `b`, and `loadu`
    // has no alignment requirement.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let control = _mm_set1_epi8(0x1f);
        while i + 16 <= b.len() {
            let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
            let hits = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                _mm_cmpeq_epi8(_mm_min_epu8(v, control), v),
            );
            let mask = _mm_movemask_epi8(hits) as u32;
            if mask != 0 {
                return i + mask.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    find_special_scalar(b, i)
}

#[cfg(not(target_arch = "x86_64"))]
pub(super) fn find_special(b: &[u8], from: usize) -> usize {
    find_special_scalar(b, from)
}

fn find_special_scalar(b: &[u8], from: usize) -> usize {
    b[from..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map_or(b.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_is_byte_equality_at_every_length_and_position() {
        for n in 0..=40usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same(&a, &a.clone()));
            assert!(!same(&a, &a[..n.saturating_sub(1)]) || n == 0);
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same(&a, &b), "length {n}, differing at {at}");
            }
        }
    }

    #[test]
    fn special_bytes_are_found_at_every_offset() {
        for len in 0..80 {
            for at in 0..len {
                for special in [b'"', b'\\', 0u8, 0x1f] {
                    let mut b = vec![b'a'; len];
                    b[at] = special;
                    assert_eq!(find_special(&b, 0), at, "len {len} at {at}");
                    assert_eq!(find_special(&b, at), at);
                    assert_eq!(find_special(&b, at + 1), len);
                }
            }
            assert_eq!(find_special(&vec![0xC3; len], 0), len, "non-ASCII bytes are not special");
        }
    }

    #[test]
    fn numbers_and_literals_are_validated_when_skipped() {
        for ok in [
            "0",
            "-0",
            "12",
            "-1.5e+10",
            "3E2",
            "true",
            "false",
            "null",
            "\"a\\u00e9\\n\"",
            "[]",
            "{}",
            "[1,{\"a\":[]}]",
        ] {
            let mut c = Cursor::new(ok);
            assert!(c.skip_value().is_some() && c.i == ok.len(), "{ok}");
        }
        for bad in [
            "01",
            "-",
            "1.",
            "1e",
            "tru",
            "nul",
            "\"a\\x\"",
            "\"\\u12\"",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "\"a\u{1}\"",
        ] {
            let mut c = Cursor::new(bad);
            let whole = c.skip_value().is_some() && c.i == bad.len();
            assert!(!whole, "{bad} should not be accepted as one value");
        }
    }

    #[test]
    fn passive_keys_are_read_by_no_probe_field() {
        use crate::ingest::probe::{Parsed, parse_record_general};
        let gcp = r#"{"protoPayload":{"methodName":"m"},"timestamp":"2026-01-01T00:00:00Z"}"#;
        let aws = r#"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"s","eventName":"n"}"#;
        for (keys, base) in [(&PASSIVE_GCP[..], gcp), (&PASSIVE_CLOUDTRAIL[..], aws)] {
            for key in keys {
                let key = std::str::from_utf8(key).unwrap();
                for value in ["5", "\"x\"", r#"{"value":"v"}"#, "[1]", "null", "true"] {
                    let text = format!("{{\"{key}\":{value},{}", &base[1..]);
                    let fast = event(&text).unwrap_or_else(|| panic!("{key} should be skipped: {text}"));
                    match parse_record_general(text.as_bytes()) {
                        Ok(Parsed::Event(d)) => assert_eq!(*d, fast, "{text}"),
                        other => panic!("serde reads {text} as {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_declined_not_recursed() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let mut c = Cursor::new(&deep);
        assert!(c.skip_value().is_none());
    }
}
