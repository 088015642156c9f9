//! JSON in the widget, through the browser: text is parsed by `JSON.parse` and written by
//! `JSON.stringify`; the typed contract is read out of the JS value by a serde `Deserializer` over
//! `JsValue` (what `JSON.parse` gave, a `postMessage` payload, a wallet's answer) and written into
//! one by serde-wasm-bindgen. serde_json's parser and writer are not in the wasm (issue #21).
//!
//! Why not a crate: serde-wasm-bindgen's deserializer (which this replaced) does the same walk, but
//! its errors carry messages, and every serde error message (`invalid type: floating point 1.5,
//! expected u16`, ...) brings formatting code into the wasm: `f64`'s `Display` alone is 9.5 kB.
//! The widget never shows those messages (an unreadable answer is an unreadable answer), so here an
//! error is one unit value and none of that code is linked (issue #21: measured in
//! `e2e/size.spec.ts`). The values are JSON's: null, booleans, numbers, strings, arrays, objects.

use js_sys::{Array, Object};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// A value that does not fit the type asked for. Deliberately without a message (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unreadable value")
    }
}

impl std::error::Error for Unreadable {}

impl de::Error for Unreadable {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unreadable
    }
}

/// JSON text read into `T`: parsed by the browser (`JSON.parse`), then read from the JS value
/// ([`from_js`]). serde_json's parser is not in the wasm at all (issue #21: -2.4 kB gzip on the
/// payment build, with serde-wasm-bindgen reading the value at the time).
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    crate::json::from_js(js_sys::JSON::parse(text).ok()?).ok()
}

/// A value as a plain JS value: serialized by serde-wasm-bindgen, JSON-compatible (maps as objects,
/// `None` as `null`), as serde_json would write it.
pub fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Option<wasm_bindgen::JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()
}

/// A value as JSON text, written by the browser (`JSON.stringify`): serde_json's writer is not in
/// the wasm either (issue #21).
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Option<String> {
    js_sys::JSON::stringify(&to_js(value)?).ok()?.as_string()
}

/// `value` read as `T`.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, Unreadable> {
    T::deserialize(Js(value))
}

/// Integers JSON carries exactly (`Number.MAX_SAFE_INTEGER`).
const SAFE: f64 = 9_007_199_254_740_991.0;

struct Js(JsValue);

/// What a JS value is, read by one non-generic function. `deserialize_any` is instantiated once
/// per type read (14 in the payment build): with the JS calls written inside it, each instance
/// carried its own copy of them (13.3 kB of code in all); now each is only the dispatch to its
/// visitor (issue #21).
enum Kind {
    Unit,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Array),
    Map(Array),
    Other,
}

#[inline(never)]
fn kind(v: JsValue) -> Kind {
    if nullish(&v) {
        Kind::Unit
    } else if let Some(b) = v.as_bool() {
        Kind::Bool(b)
    } else if let Some(n) = v.as_f64() {
        if n.fract() == 0.0 && n.abs() <= SAFE {
            if n < 0.0 { Kind::Int(n as i64) } else { Kind::Uint(n as u64) }
        } else {
            Kind::Float(n)
        }
    } else if let Some(s) = v.as_string() {
        Kind::Str(s)
    } else if Array::is_array(&v) {
        Kind::Seq(v.unchecked_into())
    } else if v.is_object() {
        Kind::Map(Object::entries(v.unchecked_ref()))
    } else {
        Kind::Other
    }
}

#[inline(never)]
fn nullish(v: &JsValue) -> bool {
    v.is_null() || v.is_undefined()
}

impl<'de> de::Deserializer<'de> for Js {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        match kind(self.0) {
            Kind::Unit => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::Int(n) => visitor.visit_i64(n),
            Kind::Uint(n) => visitor.visit_u64(n),
            Kind::Float(n) => visitor.visit_f64(n),
            Kind::Str(s) => visitor.visit_string(s),
            Kind::Seq(items) => visitor.visit_seq(Seq { items, next: 0 }),
            Kind::Map(entries) => visitor.visit_map(Map { entries, next: 0, value: None }),
            Kind::Other => Err(Unreadable),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        if nullish(&self.0) { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Unreadable> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant is its name (`"USD"`); a variant with data is `{"Name": data}`.
    fn deserialize_enum<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], visitor: V) -> Result<V::Value, Unreadable> {
        if let Some(name) = self.0.as_string() {
            return visitor.visit_enum(IntoDeserializer::<Unreadable>::into_deserializer(name));
        }
        let entries = Object::entries(self.0.dyn_ref::<Object>().ok_or(Unreadable)?);
        if entries.length() != 1 {
            return Err(Unreadable);
        }
        let pair: Array = entries.get(0).unchecked_into();
        visitor.visit_enum(Variant { name: pair.get(0), value: pair.get(1) })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Seq {
    items: Array,
    next: u32,
}

impl Seq {
    #[inline(never)]
    fn step(&mut self) -> Option<JsValue> {
        if self.next >= self.items.length() {
            return None;
        }
        self.next += 1;
        Some(self.items.get(self.next - 1))
    }
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Unreadable;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Unreadable> {
        match self.step() {
            Some(item) => seed.deserialize(Js(item)).map(Some),
            None => Ok(None),
        }
    }
}

struct Map {
    entries: Array,
    next: u32,
    value: Option<JsValue>,
}

impl Map {
    /// The next entry's key; its value is kept for `next_value_seed`.
    #[inline(never)]
    fn step(&mut self) -> Option<JsValue> {
        if self.next >= self.entries.length() {
            return None;
        }
        let pair: Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        self.value = Some(pair.get(1));
        Some(pair.get(0))
    }
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = Unreadable;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Unreadable> {
        match self.step() {
            Some(key) => seed.deserialize(Js(key)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Unreadable> {
        seed.deserialize(Js(self.value.take().ok_or(Unreadable)?))
    }
}

struct Variant {
    name: JsValue,
    value: JsValue,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Unreadable;
    type Variant = Js;

    fn variant_seed<V: de::DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Js), Unreadable> {
        Ok((seed.deserialize(Js(self.name))?, Js(self.value)))
    }
}

impl<'de> de::VariantAccess<'de> for Js {
    type Error = Unreadable;

    fn unit_variant(self) -> Result<(), Unreadable> {
        Ok(())
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Unreadable> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Unreadable> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, Unreadable> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
