//! `wire_enum!`: an enum of unit variants that travels as a string, each variant with its wire
//! name written once. It generates `as_str`, `parse`, `ALL`, and `Serialize` / `Deserialize` as
//! that string (an unknown name is serde's "unknown variant" error). Hand-written rather than
//! derived: serde's derive emits a visitor per enum that matches every name twice (as `str` and
//! as bytes); one table per enum keeps the widget's wasm smaller (e2e/size.spec.ts).

/// Declares a wire enum (see the module). `Debug, Clone, Copy, PartialEq, Eq, Hash` are derived.
#[macro_export]
macro_rules! wire_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            const WIRE: &'static [&'static str] = &[$($wire),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The variant of a wire name; `None` for anything else.
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| <D::Error as serde::de::Error>::unknown_variant(&s, Self::WIRE))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::wire_enum! {
        enum Sample {
            One = "ONE",
            TwoWords = "TWO_WORDS",
        }
    }

    #[test]
    fn a_wire_enum_travels_as_its_name_and_refuses_others_like_serde() {
        assert_eq!(serde_json::to_string(&Sample::TwoWords).expect("json"), "\"TWO_WORDS\"");
        assert_eq!(serde_json::from_str::<Sample>("\"ONE\"").expect("json"), Sample::One);
        let err = serde_json::from_str::<Sample>("\"THREE\"").expect_err("unknown").to_string();
        assert!(err.starts_with("unknown variant `THREE`, expected `ONE` or `TWO_WORDS`"), "{err}");
        assert!(serde_json::from_str::<Sample>("1").is_err());
        assert_eq!(Sample::parse("TWO_WORDS"), Some(Sample::TwoWords));
        assert_eq!(Sample::ALL.len(), 2);
    }
}
