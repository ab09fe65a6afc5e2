//! Lenient field types for the readers.
//!
//! Export formats disagree on the JSON type of many fields: Azure's `operationName` is a string in
//! diagnostic exports and `{"value": …, "localizedValue": …}` in the REST form, `EventID` is a
//! number or a string, evtx converters wrap values in `{"#text": …}`. [`Flex`] accepts all of these
//! and yields text, borrowing from the input when it can. It never fails on a type, so it is used
//! only for fields where the type carries no meaning; fields whose type matters (times, principals)
//! use strict `Cow<str>` so that a wrong type is reported.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A scalar read leniently as text. Null, arrays and objects without a value key read as empty.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Flex<'a>(pub Cow<'a, str>);

impl<'a> Flex<'a> {
    /// The text (empty when absent).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, or `None` when empty.
    pub fn non_empty(&self) -> Option<&str> {
        (!self.0.is_empty()).then_some(&*self.0)
    }
}

struct FlexVisitor<'a>(std::marker::PhantomData<&'a ()>);

const VALUE_KEYS: [&str; 5] = ["value", "Value", "#text", "$", "#value"];

impl<'de: 'a, 'a> Visitor<'de> for FlexVisitor<'a> {
    type Value = Flex<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar or an object with a value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Flex(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Flex(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Flex(Cow::Owned(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Flex(Cow::Owned(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Flex(Cow::Owned(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Flex(Cow::Owned(v.to_string())))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Flex(Cow::Borrowed(if v { "true" } else { "false" })))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Flex::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Flex::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(FlexVisitor(std::marker::PhantomData))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Flex::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Flex::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if out.0.is_empty() && VALUE_KEYS.contains(&&*key) {
                out = map.next_value::<Flex<'a>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Flex<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FlexVisitor(std::marker::PhantomData))
    }
}

/// Deserialises an optional string, borrowing it from the input when it has no escapes.
///
/// serde's own `Option<Cow<str>>` always allocates (its `borrow` attribute only reaches a bare
/// `Cow`), which cost a third of the load time in allocation and copying. Strict: any other
/// JSON type is an error, so a wrong type in a field that carries meaning is reported.
pub fn opt_cow<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    struct V<'a>(std::marker::PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
        type Value = Option<Cow<'a, str>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_str(self)
        }
    }
    d.deserialize_option(V(std::marker::PhantomData))
}

/// Returns the first non-empty string among the candidates.
pub fn first_non_empty<'s>(candidates: &[Option<&'s str>]) -> Option<&'s str> {
    candidates.iter().flatten().map(|s| s.trim()).find(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T<'a> {
        #[serde(borrow)]
        v: Flex<'a>,
    }

    fn read(json: &str) -> String {
        serde_json::from_str::<T>(json).unwrap().v.0.into_owned()
    }

    #[test]
    fn reads_every_shape() {
        assert_eq!(read(r#"{"v":"a"}"#), "a");
        assert_eq!(read(r#"{"v":4688}"#), "4688");
        assert_eq!(read(r#"{"v":true}"#), "true");
        assert_eq!(read(r#"{"v":null}"#), "");
        assert_eq!(read(r#"{"v":[1,2]}"#), "");
        assert_eq!(read(r#"{"v":{"value":"Succeeded","localizedValue":"x"}}"#), "Succeeded");
        assert_eq!(read(r#"{"v":{"localizedValue":"x","Value":"W"}}"#), "W");
        assert_eq!(read(r##"{"v":{"@Qualifiers":"","#text":"4624"}}"##), "4624");
        assert_eq!(read(r#"{"v":"a\"b"}"#), "a\"b");
    }

    #[derive(Deserialize)]
    struct O<'a> {
        #[serde(borrow, default, deserialize_with = "opt_cow")]
        v: Option<Cow<'a, str>>,
    }

    #[test]
    fn optional_strings_borrow_and_stay_strict() {
        let o: O = serde_json::from_str(r#"{"v":"plain"}"#).unwrap();
        assert!(matches!(o.v, Some(Cow::Borrowed("plain"))));
        let o: O = serde_json::from_str(r#"{"v":"a\"b"}"#).unwrap();
        assert_eq!(o.v.as_deref(), Some("a\"b"));
        let o: O = serde_json::from_str(r#"{"v":null}"#).unwrap();
        assert_eq!(o.v, None);
        let o: O = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(o.v, None);
        assert!(serde_json::from_str::<O>(r#"{"v":5}"#).is_err());
    }

    #[test]
    fn borrows_plain_strings() {
        let t: T = serde_json::from_str(r#"{"v":"plain"}"#).unwrap();
        assert!(matches!(t.v.0, Cow::Borrowed(_)));
    }
}
