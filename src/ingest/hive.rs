//! The Hive / Presto text form of struct, map and array values, as Athena and CloudTrail Lake print
//! them in CSV results: `{type=IAMUser, principalid=AIDA…, sessioncontext={attributes={…}}}`,
//! `[{arn=arn:aws:…, type=AWS::S3::Bucket}, {…}]`.
//!
//! The form has no quoting, so it is read leniently: a scalar runs to the next `, name=` (inside
//! a struct) or `, ` (inside an array) or to the bracket that closes its container; `null` is a
//! JSON null and every other scalar a string. [`to_json`] turns such text into JSON text, so the
//! CloudTrail readers can read it as they read any record's sub-object.

use serde_json::{Map, Value};

/// The JSON form of Hive text, or `None` when the text is not a `{…}` or `[…]` value.
pub fn to_json(text: &str) -> Option<String> {
    parse(text).map(|v| v.to_string())
}

/// The value of Hive text, or `None` when the text is not a `{…}` or `[…]` value.
pub fn parse(text: &str) -> Option<Value> {
    let t = text.trim();
    if !(t.starts_with('{') && t.ends_with('}') || t.starts_with('[') && t.ends_with(']')) {
        return None;
    }
    let mut p = Parser { b: t.as_bytes(), s: t, i: 0, depth: 0 };
    let v = p.value(Ctx::Top)?;
    p.ws();
    (p.i == p.b.len()).then_some(v)
}

/// Nesting beyond which the text is not read.
const MAX_DEPTH: u32 = 32;

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Top,
    Struct,
    Array,
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    depth: u32,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn value(&mut self, ctx: Ctx) -> Option<Value> {
        self.ws();
        let (at, depth) = (self.i, self.depth);
        let nested = match self.b.get(self.i) {
            Some(b'{') if self.container_ahead(b'}') => self.structure(),
            Some(b'[') if self.container_ahead(b']') => self.array(),
            _ => None,
        };
        if nested.is_some() || ctx == Ctx::Top {
            return nested;
        }
        // Not a struct or array after all (JSON text in a value, say): a scalar.
        (self.i, self.depth) = (at, depth);
        Some(self.scalar(ctx))
    }

    /// Whether the bracket at the cursor has a matching close: `{` alone inside a value (a policy
    /// text, say) is a scalar's character.
    fn container_ahead(&self, close: u8) -> bool {
        let open = self.b[self.i];
        let mut depth = 0usize;
        for &c in &self.b[self.i..] {
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return true;
                }
            }
        }
        false
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn structure(&mut self) -> Option<Value> {
        self.enter()?;
        self.i += 1;
        let mut map = Map::new();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Some(Value::Object(map));
        }
        loop {
            self.ws();
            let start = self.i;
            while self.b.get(self.i).is_some_and(|&c| c != b'=' && c != b',' && c != b'}') {
                self.i += 1;
            }
            if self.b.get(self.i) != Some(&b'=') {
                return None;
            }
            let key = self.s[start..self.i].trim().to_string();
            self.i += 1;
            let v = self.value(Ctx::Struct)?;
            map.entry(key).or_insert(v);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(Value::Object(map));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<Value> {
        self.enter()?;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value(Ctx::Array)?);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(Value::Array(items));
                }
                _ => return None,
            }
        }
    }

    /// A scalar: up to the separator or closing bracket of its container.
    fn scalar(&mut self, ctx: Ctx) -> Value {
        let start = self.i;
        let close = match ctx {
            Ctx::Struct => b'}',
            Ctx::Array => b']',
            Ctx::Top => 0,
        };
        // Brackets opened inside the scalar (a policy text) must close before it can end.
        let mut nest = 0usize;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'{' | b'[' => nest += 1,
                b'}' | b']' if nest > 0 => nest -= 1,
                c if nest == 0 && c == close && self.ends_after(self.i + 1) => break,
                b',' if nest == 0 && ctx == Ctx::Array => break,
                b',' if nest == 0 && ctx == Ctx::Struct && self.key_follows(self.i + 1) => break,
                _ => {}
            }
            self.i += 1;
        }
        let text = self.s[start..self.i].trim();
        if text == "null" { Value::Null } else { Value::String(text.to_string()) }
    }

    /// Whether what follows position `at` can follow a closed container: the end, a separator
    /// or another closing bracket.
    fn ends_after(&self, at: usize) -> bool {
        let rest = self.s[at..].trim_start();
        rest.is_empty() || rest.starts_with([',', '}', ']'])
    }

    /// Whether `name=` follows position `at` (after spaces): the next field of a struct.
    fn key_follows(&self, at: usize) -> bool {
        let rest = self.s[at..].trim_start();
        let name_len = rest.bytes().take_while(|c| c.is_ascii_alphanumeric() || b"_-.@:$".contains(c)).count();
        name_len > 0 && rest.as_bytes().get(name_len) == Some(&b'=')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn athena_struct_with_nested_struct_and_nulls() {
        let t = "{type=IAMUser, principalid=AIDAREDACTED, arn=arn:aws:iam::REDACTED:user/cg-bilbo, accountid=REDACTED, invokedby=null, sessioncontext={attributes={mfaauthenticated=false, creationdate=2019-10-15T06:12:34Z}, sessionissuer=null}}";
        let v = parse(t).unwrap();
        assert_eq!(v["type"], "IAMUser");
        assert_eq!(v["arn"], "arn:aws:iam::REDACTED:user/cg-bilbo");
        assert_eq!(v["invokedby"], Value::Null);
        assert_eq!(v["sessioncontext"]["attributes"]["creationdate"], "2019-10-15T06:12:34Z");
    }

    #[test]
    fn arrays_of_structs_and_values_with_commas_and_braces() {
        let t =
            "[{arn=arn:aws:s3:::b, accountid=1, type=AWS::S3::Bucket}, {arn=arn:aws:s3:::b/k, type=AWS::S3::Object}]";
        assert_eq!(
            parse(t).unwrap(),
            json!([{"arn":"arn:aws:s3:::b","accountid":"1","type":"AWS::S3::Bucket"},{"arn":"arn:aws:s3:::b/k","type":"AWS::S3::Object"}])
        );
        let t = "{policy={\"Statement\":[{\"Effect\":\"Allow\"}]}, description=a, b and c, name=x}";
        let v = parse(t).unwrap();
        assert_eq!(v["policy"], "{\"Statement\":[{\"Effect\":\"Allow\"}]}");
        assert_eq!(v["description"], "a, b and c");
        assert_eq!(v["name"], "x");
        assert_eq!(parse("{}").unwrap(), json!({}));
        assert_eq!(parse("{a=}").unwrap(), json!({"a": ""}));
    }

    #[test]
    fn not_hive_text() {
        for t in ["", "abc", "{abc}", "{a=1", "[", "{=}x"] {
            assert!(parse(t).is_none(), "{t}");
        }
        // Deeper than the limit: the innermost levels are read as text, without recursing further.
        let deep = format!("{}{}", "{a=".repeat(100), "}".repeat(100));
        assert!(parse(&deep).is_some());
    }
}
