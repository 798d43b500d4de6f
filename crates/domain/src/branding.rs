//! A tenant's branding: what the console shows instead of "hookrelay" when a product
//! hands it to its customers. Every value is checked here, the colour for contrast too, so
//! a bad choice cannot make the console's text unreadable.

use serde::{Deserialize, Serialize};

use crate::{display_name, CorruptValue, ValidationError, WebhookUrl};

/// Largest logo given as a `data:` URL.
pub const MAX_LOGO_DATA_URL_BYTES: usize = 64 * 1024;

/// The least contrast the primary colour must have against white (WCAG AA for text): the
/// console draws white text on it and it as text on white.
pub const MIN_CONTRAST: f64 = 4.5;

/// A tenant's branding, every part optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branding {
    /// The product's name, shown in the console's header and title (1-200 characters).
    pub name: Option<String>,
    /// `#rrggbb`, for buttons and links; at least 4.5:1 against white.
    pub primary_color: Option<String>,
    /// An https:// URL, or a `data:image/...;base64,` URL under 64 KiB.
    pub logo_url: Option<String>,
    /// Where the console's "Help" link leads (http or https).
    pub support_url: Option<String>,
}

impl Branding {
    /// Checks every part; the error names the field (`branding.primary_color`...).
    pub fn parse(b: Branding) -> Result<Self, ValidationError> {
        let name = b
            .name
            .map(|n| display_name("branding.name", n))
            .transpose()?;
        if let Some(color) = &b.primary_color {
            let ratio = contrast_with_white(color)
                .ok_or_else(|| ValidationError::new("branding.primary_color", "must be #rrggbb"))?;
            if ratio < MIN_CONTRAST {
                return Err(ValidationError::new(
                    "branding.primary_color",
                    format!(
                        "is too light: white text on it has a contrast of {ratio:.1}:1, at least {MIN_CONTRAST}:1 is needed"
                    ),
                ));
            }
        }
        if let Some(logo) = &b.logo_url {
            check_logo(logo)?;
        }
        if let Some(url) = &b.support_url {
            WebhookUrl::parse(url)
                .map_err(|e| ValidationError::new("branding.support_url", e.message))?;
        }
        Ok(Self {
            name,
            primary_color: b.primary_color.map(|c| c.to_ascii_lowercase()),
            ..b
        })
    }

    /// Reads the stored form back; one that does not check out is a corrupt row.
    pub fn from_stored(value: serde_json::Value) -> Result<Self, CorruptValue> {
        let b: Branding = serde_json::from_value(value)
            .map_err(|e| CorruptValue::new("branding", e.to_string()))?;
        Self::parse(b).map_err(|e| CorruptValue::new("branding", e.message))
    }
}

fn check_logo(logo: &str) -> Result<(), ValidationError> {
    let field = "branding.logo_url";
    if let Some(data) = logo.strip_prefix("data:") {
        if logo.len() > MAX_LOGO_DATA_URL_BYTES {
            return Err(ValidationError::new(
                field,
                format!(
                    "a data: URL must be under {} KiB",
                    MAX_LOGO_DATA_URL_BYTES / 1024
                ),
            ));
        }
        let (kind, _) = data
            .split_once(";base64,")
            .ok_or_else(|| ValidationError::new(field, "a data: URL must be base64"))?;
        return match kind {
            "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/svg+xml" => Ok(()),
            _ => Err(ValidationError::new(
                field,
                "a data: URL must be a PNG, JPEG, GIF, WebP or SVG image",
            )),
        };
    }
    let url = WebhookUrl::parse(logo).map_err(|e| ValidationError::new(field, e.message))?;
    if url.url().scheme() != "https" {
        return Err(ValidationError::new(
            field,
            "must be https:// or a data: URL",
        ));
    }
    Ok(())
}

/// The WCAG contrast ratio of `#rrggbb` against white; `None` if it is not `#rrggbb`.
pub fn contrast_with_white(color: &str) -> Option<f64> {
    let hex = color.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| -> Option<f64> {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).ok()?) / 255.0;
        Some(if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        })
    };
    let luminance = 0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?;
    Some(1.05 / (luminance + 0.05))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_need_contrast_with_white() {
        #[rustfmt::skip]
        let rows = [
            ("#0b57d0", true), ("#000000", true), ("#1B1F24", true), ("#767676", true),
            ("#777777", false), ("#ffffff", false), ("#ffd700", false), ("#00ff00", false),
            ("0b57d0", false), ("#0b57d", false), ("#0b57dz", false), ("blue", false),
        ];
        for (color, ok) in rows {
            let b = Branding {
                primary_color: Some(color.into()),
                ..Branding::default()
            };
            assert_eq!(Branding::parse(b).is_ok(), ok, "{color}");
        }
        let white = contrast_with_white("#ffffff").expect("valid");
        assert!((white - 1.0).abs() < 1e-9);
        let black = contrast_with_white("#000000").expect("valid");
        assert!((black - 21.0).abs() < 1e-9);
    }

    #[test]
    fn logos_and_links() {
        let big = format!(
            "data:image/png;base64,{}",
            "A".repeat(MAX_LOGO_DATA_URL_BYTES)
        );
        #[rustfmt::skip]
        let rows: Vec<(Branding, Option<&str>)> = vec![
            (Branding { logo_url: Some("https://cdn.example.com/logo.svg".into()), ..Branding::default() }, None),
            (Branding { logo_url: Some("data:image/svg+xml;base64,PHN2Zy8+".into()), ..Branding::default() }, None),
            (Branding { logo_url: Some("http://cdn.example.com/logo.png".into()), ..Branding::default() }, Some("branding.logo_url")),
            (Branding { logo_url: Some("data:text/html;base64,PGI+".into()), ..Branding::default() }, Some("branding.logo_url")),
            (Branding { logo_url: Some("data:image/png,raw".into()), ..Branding::default() }, Some("branding.logo_url")),
            (Branding { logo_url: Some(big), ..Branding::default() }, Some("branding.logo_url")),
            (Branding { support_url: Some("javascript:alert(1)".into()), ..Branding::default() }, Some("branding.support_url")),
            (Branding { name: Some(" ".into()), ..Branding::default() }, Some("branding.name")),
            (Branding { name: Some("Acme\u{202E}".into()), ..Branding::default() }, Some("branding.name")),
        ];
        for (b, field) in rows {
            let shown = format!("{b:?}");
            assert_eq!(
                Branding::parse(b).err().map(|e| e.field),
                field.map(str::to_string),
                "{}",
                &shown[..shown.len().min(120)]
            );
        }
    }
}
