//! What the parsers accept, as JSON Schema: declared here once, next to the values, for
//! the OpenAPI documents (`DisplayName`, `EventTypeName`, `Secret`, `Url`, named by the
//! request types' `value_type`) and for clients that check before they send. A pattern says what it can: where a parser refuses more than a
//! pattern can name (URL parsing, base64 decoding, every invisible character of Unicode),
//! the API's 422 says why; the tests below hold each pattern to its parser on a table of
//! examples, both ways.

/// Characters a pattern can name among those [`crate::is_hidden`] refuses: the controls,
/// the soft hyphen and Arabic letter mark, the Hangul fillers, the Mongolian vowel
/// separator, zero-width characters and joiners, bidi marks, embeddings, overrides and
/// isolates, line and paragraph separators, word joiners and the BOM.
const HIDDEN: &str = r"\u0000-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0";

/// ASCII an event type may not hold (it may hold letters, digits, space, `_`, `.`, `-`).
const EVENT_TYPE_ASCII_SYMBOLS: &str = r"!-,/:-@\[-\^`{-~";

/// A display name (webhook, tenant, API key): something visible, no hidden characters.
pub fn display_name_pattern() -> String {
    format!(r"^[^{HIDDEN}]*[^\s{HIDDEN}][^{HIDDEN}]*$")
}

/// An event type: letters, digits, spaces, `_`, `.`, `-`; no white space at either end.
pub fn event_type_pattern() -> String {
    let allowed_inside = format!("[^{EVENT_TYPE_ASCII_SYMBOLS}{HIDDEN}]");
    let allowed_at_ends = format!(r"[^\s{EVENT_TYPE_ASCII_SYMBOLS}{HIDDEN}]");
    format!("^{allowed_at_ends}(?:{allowed_inside}*{allowed_at_ends})?$")
}

/// A signing secret: `whsec_` and the standard base64 of 24 to 64 bytes.
pub const SECRET_PATTERN: &str = r"^whsec_(?:(?:[A-Za-z0-9+/]{4}){8,21}|(?:[A-Za-z0-9+/]{4}){8,20}[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|(?:[A-Za-z0-9+/]{4}){8,21}[A-Za-z0-9+/][AQgw]==)$";

/// A webhook's signing key: an HMAC secret (as [`SECRET_PATTERN`]) or an ed25519 key
/// (`whsk_` and the standard base64 of 32 or 64 bytes).
pub const SIGNING_KEY_PATTERN: &str = r"^(?:whsec_(?:(?:[A-Za-z0-9+/]{4}){8,21}|(?:[A-Za-z0-9+/]{4}){8,20}[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|(?:[A-Za-z0-9+/]{4}){8,21}[A-Za-z0-9+/][AQgw]==)|whsk_(?:(?:[A-Za-z0-9+/]{4}){10}[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|(?:[A-Za-z0-9+/]{4}){21}[A-Za-z0-9+/][AQgw]==))$";

/// A webhook URL: http or https.
pub const URL_PATTERN: &str = "^[Hh][Tt][Tt][Pp][Ss]?://";

/// Longest display name, in characters.
pub const DISPLAY_NAME_MAX_LEN: usize = 200;

#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    use utoipa::openapi::Object;

    use super::*;
    use crate::event_type::EVENT_TYPE_MAX_LEN;
    use crate::target::URL_MAX_LEN;

    fn text(description: &str, min: usize, max: usize, pattern: String) -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(description))
            .min_length(Some(min))
            .max_length(Some(max))
            .pattern(Some(pattern))
            .build()
    }

    // Named schemas, for `#[schema(value_type = ...)]` on request fields (a `$ref`, so
    // the field keeps its own description, which `schema_with` would drop).
    macro_rules! named {
        ($name:ident, $build:expr) => {
            pub struct $name;
            impl utoipa::PartialSchema for $name {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    utoipa::openapi::schema::Schema::Object($build).into()
                }
            }
            impl utoipa::ToSchema for $name {}
        };
    }
    named!(
        DisplayName,
        text(
            "A display name: 1-200 characters with something visible; no control, zero-width, \
             bidi-control or other invisible characters.",
            1,
            DISPLAY_NAME_MAX_LEN,
            display_name_pattern()
        )
    );
    named!(
        EventTypeName,
        text(
            "An event type: letters and digits of any script, spaces inside, `_`, `.` and \
             `-`; not `.` or `..`; at most 100 characters.",
            1,
            EVENT_TYPE_MAX_LEN,
            event_type_pattern()
        )
    );
    named!(
        Secret,
        text(
            "A signing secret: `whsec_` and the standard base64 of 24 to 64 bytes.",
            38,
            94,
            SECRET_PATTERN.to_string()
        )
    );
    named!(
        SigningKey,
        text(
            "A webhook's signing key: an HMAC secret (`whsec_` and the standard base64 of 24 \
             to 64 bytes), or an ed25519 key (`whsk_` and the standard base64 of its 32-byte \
             seed, or 64 bytes with its public key).",
            38,
            94,
            SIGNING_KEY_PATTERN.to_string()
        )
    );
    /// A catalogue preset's name: one of [`crate::presets::PRESETS`].
    pub struct PresetName;
    impl utoipa::PartialSchema for PresetName {
        fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
            let names: Vec<&str> = crate::presets::PRESETS.iter().map(|p| p.name).collect();
            utoipa::openapi::schema::Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .description(Some(
                        "A product's preset: its event types, groups and examples.",
                    ))
                    .enum_values(Some(names))
                    .build(),
            )
            .into()
        }
    }
    impl utoipa::ToSchema for PresetName {}

    named!(
        Url,
        text(
            "An http:// or https:// URL with a host, no credentials and no fragment, at most \
             2048 characters.",
            1,
            URL_MAX_LEN,
            URL_PATTERN.to_string()
        )
    );
}

#[cfg(feature = "openapi")]
pub use openapi::*;

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;
    use crate::{display_name, EventType, WebhookSecret, WebhookUrl};

    /// Whether `pattern` and `parse` agree on `examples` (value, whether the parser takes
    /// it); `beyond` lists values the pattern lets through and only the parser refuses,
    /// `lenient` values the parser takes (normalised) though the pattern, which documents
    /// the canonical form, does not.
    fn agree(
        pattern: &str,
        parse: impl Fn(&str) -> bool,
        examples: &[(&str, bool)],
        beyond: &[&str],
        lenient: &[&str],
    ) {
        let re = regex::Regex::new(pattern).expect("the pattern compiles");
        for (value, valid) in examples {
            assert_eq!(parse(value), *valid, "parser on {value:?}");
            assert_eq!(re.is_match(value), *valid, "pattern {pattern} on {value:?}");
        }
        for value in beyond {
            assert!(!parse(value), "parser refuses {value:?}");
            assert!(re.is_match(value), "pattern lets {value:?} through");
        }
        for value in lenient {
            assert!(parse(value), "parser takes {value:?}");
            assert!(!re.is_match(value), "pattern refuses {value:?}");
        }
    }

    #[test]
    fn display_names() {
        let parse = |s: &str| display_name("name", s.to_string()).is_ok();
        #[rustfmt::skip]
        let examples = [
            ("Billing", true), ("Заказы 2", true), ("中文 名前", true), (" padded ", true),
            ("😀", true), ("", false), ("   ", false), ("a\nb", false), ("tab\there", false),
            ("zero\u{200B}width", false), ("billing\u{202E}gnp.exe", false), ("\u{3164}", false),
            ("\u{FEFF}bom", false), ("soft\u{AD}hyphen", false), ("a\u{2066}b", false),
        ];
        agree(
            &display_name_pattern(),
            parse,
            &examples,
            &["tag\u{E0041}char"],
            &[],
        );
    }

    #[test]
    fn event_types() {
        let parse = |s: &str| EventType::parse("event_type", s.to_string()).is_ok();
        #[rustfmt::skip]
        let examples = [
            ("order.created", true), ("post.published", true), ("a", true), ("new_post_scheduled", true),
            ("заказ.создан", true), ("订单 已付款", true), ("v-2.x_y", true), ("-", true),
            ("", false), ("   ", false), ("a/b", false), ("a:b", false),
            ("a*", false), ("a,b", false), ("a\tb", false), ("a\u{200B}b", false), ("a@b", false),
            ("a~b", false), ("a`b", false), ("{x}", false),
        ];
        // `.` and `..` (unaddressable in a URL) and symbols outside ASCII.
        // White space at the ends is trimmed away.
        agree(
            &event_type_pattern(),
            parse,
            &examples,
            &[".", "..", "a€b", "a\u{E0041}"],
            &[" order", "order "],
        );
    }

    #[test]
    fn secrets() {
        let parse = |s: &str| {
            WebhookSecret::parse(s).is_ok_and(|k| k.scheme() == crate::SignatureScheme::HmacSha256)
        };
        let of = |bytes: usize| {
            format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(vec![7u8; bytes])
            )
        };
        let (k23, k24, k25, k32, k63, k64, k65) =
            (of(23), of(24), of(25), of(32), of(63), of(64), of(65));
        #[rustfmt::skip]
        let examples = [
            (k24.as_str(), true), (k25.as_str(), true), (k32.as_str(), true), (k63.as_str(), true),
            (k64.as_str(), true), (k23.as_str(), false), (k65.as_str(), false),
            ("whsec_", false), ("C2FVsBQIhrscChlQIMV+b5sSYspob7oD", false),
            ("whsec_C2FVsBQIhrscChlQIMV-b5sSYspob7oD", false),
            ("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", true),
        ];
        agree(SECRET_PATTERN, parse, &examples, &[], &[]);
        let sk = |bytes: usize| {
            format!(
                "whsk_{}",
                base64::engine::general_purpose::STANDARD.encode(vec![7u8; bytes])
            )
        };
        let (s31, s32, s33, s64) = (sk(31), sk(32), sk(33), sk(64));
        // The HMAC secret's pattern refuses any ed25519 key; the signing key's takes both.
        assert!(!regex::Regex::new(SECRET_PATTERN)
            .expect("compiles")
            .is_match(&s32));
        let parse = |s: &str| WebhookSecret::parse(s).is_ok();
        agree(SIGNING_KEY_PATTERN, parse, &examples, &[], &[]);
        let ed25519 = [
            (s32.as_str(), true),
            (s31.as_str(), false),
            (s33.as_str(), false),
            ("whsk_", false),
        ];
        // 64 bytes whose second half is not the seed's public key: only the parser knows.
        agree(SIGNING_KEY_PATTERN, parse, &ed25519, &[s64.as_str()], &[]);
    }

    #[test]
    fn urls() {
        let parse = |s: &str| WebhookUrl::parse(s).is_ok();
        #[rustfmt::skip]
        let examples = [
            ("https://example.com/hook", true), ("http://127.0.0.1:9000/x?y=1", true),
            ("HTTPS://EXAMPLE.COM", true), ("ftp://example.com", false), ("example.com", false),
            ("", false), ("mailto:a@b.c", false),
        ];
        agree(
            URL_PATTERN,
            parse,
            &examples,
            &[
                "https://user:pw@example.com",
                "https://example.com/#frag",
                "http://",
            ],
            &[],
        );
    }
}
