//! Webhook signing keys, as Standard Webhooks defines them: a symmetric secret
//! (`whsec_` + base64 key, HMAC-SHA256, signatures `v1,`) or an ed25519 signing key
//! (`whsk_` + base64 of its 32-byte seed, signatures `v1a,`; receivers verify with the
//! public key `whpk_`, so they hold nothing that could forge a delivery).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{CorruptValue, ValidationError};

const PREFIX: &str = "whsec_";
const SIGNING_KEY_PREFIX: &str = "whsk_";
const PUBLIC_KEY_PREFIX: &str = "whpk_";
const MIN_KEY: usize = 24;
const MAX_KEY: usize = 64;

/// How a webhook's deliveries are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SignatureScheme {
    /// A shared secret: `v1,` + base64(HMAC-SHA256).
    #[default]
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    /// An ed25519 key pair: `v1a,` + base64(signature); receivers hold the public key.
    #[serde(rename = "ed25519")]
    Ed25519,
}

impl SignatureScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureScheme::HmacSha256 => "hmac-sha256",
            SignatureScheme::Ed25519 => "ed25519",
        }
    }
}

/// A signing key; keeps the decoded key so signing never re-parses it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    text: String,
    key: Key,
}

#[derive(Clone, PartialEq, Eq)]
enum Key {
    Hmac(Vec<u8>),
    Ed25519(Box<SigningKey>),
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// Accepts `whsec_` followed by standard base64 of 24 to 64 bytes, or `whsk_` followed
    /// by standard base64 of an ed25519 seed (32 bytes, or 64: seed then public key).
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        if let Some(encoded) = s.strip_prefix(SIGNING_KEY_PREFIX) {
            return Self::parse_signing_key(s, encoded);
        }
        let encoded = s.strip_prefix(PREFIX).ok_or_else(|| {
            ValidationError::new(
                "secret",
                "must start with `whsec_` (or `whsk_` for ed25519)",
            )
        })?;
        let key = STANDARD.decode(encoded).map_err(|_| {
            ValidationError::new("secret", "must be `whsec_` followed by standard base64")
        })?;
        if !(MIN_KEY..=MAX_KEY).contains(&key.len()) {
            return Err(ValidationError::new(
                "secret",
                format!(
                    "key must be {MIN_KEY} to {MAX_KEY} bytes (got {})",
                    key.len()
                ),
            ));
        }
        Ok(Self {
            text: s.to_string(),
            key: Key::Hmac(key),
        })
    }

    fn parse_signing_key(text: &str, encoded: &str) -> Result<Self, ValidationError> {
        let bytes = STANDARD.decode(encoded).map_err(|_| {
            ValidationError::new("secret", "must be `whsk_` followed by standard base64")
        })?;
        let seed: [u8; 32] = bytes
            .get(..32)
            .filter(|_| bytes.len() == 32 || bytes.len() == 64)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| {
                ValidationError::new(
                    "secret",
                    format!(
                        "an ed25519 key is 32 bytes (or 64 with its public key; got {})",
                        bytes.len()
                    ),
                )
            })?;
        let key = SigningKey::from_bytes(&seed);
        if bytes.len() == 64 && bytes[32..] != key.verifying_key().to_bytes() {
            return Err(ValidationError::new(
                "secret",
                "the public half of this ed25519 key does not match its seed",
            ));
        }
        Ok(Self {
            text: text.to_string(),
            key: Key::Ed25519(Box::new(key)),
        })
    }

    /// Reads a stored secret back; one that does not parse is a corrupt row (a delivery
    /// must never go out unsigned).
    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        Self::parse(s).map_err(|e| CorruptValue::new("signing secret", e.message))
    }

    /// A fresh HMAC secret of 32 random bytes.
    pub fn generate() -> Self {
        Self::generate_for(SignatureScheme::HmacSha256)
    }

    /// A fresh key of `scheme`: 32 random bytes either way.
    pub fn generate_for(scheme: SignatureScheme) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        match scheme {
            SignatureScheme::HmacSha256 => Self {
                text: format!("{PREFIX}{}", STANDARD.encode(bytes)),
                key: Key::Hmac(bytes.to_vec()),
            },
            SignatureScheme::Ed25519 => Self {
                text: format!("{SIGNING_KEY_PREFIX}{}", STANDARD.encode(bytes)),
                key: Key::Ed25519(Box::new(SigningKey::from_bytes(&bytes))),
            },
        }
    }

    /// The key a webhook signs with: the one `given` (of `scheme`, when one is named too),
    /// else a fresh one of `scheme` (HMAC by default).
    pub fn given_or_generated(
        given: Option<&str>,
        scheme: Option<SignatureScheme>,
    ) -> Result<Self, ValidationError> {
        match given {
            Some(s) => {
                let secret = Self::parse(s)?;
                match scheme {
                    Some(want) if want != secret.scheme() => Err(ValidationError::new(
                        "secret",
                        format!(
                            "is not a {} key (`whsec_` is HMAC, `whsk_` ed25519)",
                            want.as_str()
                        ),
                    )),
                    _ => Ok(secret),
                }
            }
            None => Ok(Self::generate_for(scheme.unwrap_or_default())),
        }
    }

    /// The `whsec_...` (or `whsk_...`) form shown to the user.
    pub fn expose(&self) -> &str {
        &self.text
    }

    pub fn scheme(&self) -> SignatureScheme {
        match self.key {
            Key::Hmac(_) => SignatureScheme::HmacSha256,
            Key::Ed25519(_) => SignatureScheme::Ed25519,
        }
    }

    /// The `whpk_...` public key receivers verify ed25519 signatures with; `None` for an
    /// HMAC secret (which receivers hold themselves).
    pub fn public_key(&self) -> Option<String> {
        match &self.key {
            Key::Hmac(_) => None,
            Key::Ed25519(k) => Some(format!(
                "{PUBLIC_KEY_PREFIX}{}",
                STANDARD.encode(k.verifying_key().to_bytes())
            )),
        }
    }

    /// The raw HMAC key; `None` for an ed25519 key.
    pub fn hmac_key(&self) -> Option<&[u8]> {
        match &self.key {
            Key::Hmac(k) => Some(k),
            Key::Ed25519(_) => None,
        }
    }

    /// The Standard Webhooks signature of `content` (`{id}.{timestamp}.{body}`):
    /// `v1,<base64 HMAC-SHA256>` or `v1a,<base64 ed25519 signature>`.
    pub fn sign(&self, content: &[u8]) -> String {
        match &self.key {
            Key::Hmac(k) => {
                use hmac::{Hmac, Mac};
                let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(k)
                    .expect("HMAC accepts keys of any length");
                mac.update(content);
                format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
            }
            Key::Ed25519(k) => format!("v1a,{}", STANDARD.encode(k.sign(content).to_bytes())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_round_trips() {
        let s = WebhookSecret::generate();
        assert!(s.expose().starts_with("whsec_"));
        assert_eq!(s.hmac_key().map(<[u8]>::len), Some(32));
        assert_eq!(s.public_key(), None);
        assert_eq!(WebhookSecret::parse(s.expose()).expect("parses"), s);
    }

    #[test]
    fn bad_secrets_are_refused() {
        let short = format!("whsec_{}", STANDARD.encode([1u8; 23]));
        let long = format!("whsec_{}", STANDARD.encode([1u8; 65]));
        for bad in [
            "",
            "whsec_",
            "sk_abc",
            "whsec_***",
            short.as_str(),
            long.as_str(),
        ] {
            assert!(WebhookSecret::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([1u8; 24]))).is_ok());
        assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([1u8; 64]))).is_ok());
    }
}

#[cfg(test)]
mod ed25519_tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    #[test]
    fn an_ed25519_key_signs_what_its_public_key_verifies() {
        let key = WebhookSecret::generate_for(SignatureScheme::Ed25519);
        assert!(key.expose().starts_with("whsk_"));
        assert_eq!(key.scheme(), SignatureScheme::Ed25519);
        assert_eq!(WebhookSecret::parse(key.expose()).expect("parses"), key);
        let public = key.public_key().expect("a public key");
        let public = STANDARD
            .decode(public.strip_prefix("whpk_").expect("whpk_"))
            .expect("base64");
        let verifying =
            VerifyingKey::from_bytes(&public.try_into().expect("32 bytes")).expect("key");
        let content = b"msg_1.1700000000.{\"a\":1}";
        let signature = key.sign(content);
        let raw = STANDARD
            .decode(signature.strip_prefix("v1a,").expect("v1a,"))
            .expect("base64");
        let signature = Signature::from_slice(&raw).expect("64 bytes");
        assert!(verifying.verify(content, &signature).is_ok());
        assert!(verifying.verify(b"tampered", &signature).is_err());
    }

    #[test]
    fn a_key_is_the_one_given_or_a_fresh_one_of_the_scheme() {
        use SignatureScheme::*;
        let hmac = WebhookSecret::generate();
        let ed = WebhookSecret::generate_for(Ed25519);
        #[rustfmt::skip]
        let rows = [
            (None, None, Ok(HmacSha256)),
            (None, Some(Ed25519), Ok(Ed25519)),
            (Some(hmac.expose()), None, Ok(HmacSha256)),
            (Some(ed.expose()), None, Ok(Ed25519)),
            (Some(ed.expose()), Some(Ed25519), Ok(Ed25519)),
            (Some(hmac.expose()), Some(Ed25519), Err("secret")),
            (Some("whsec_nope"), None, Err("secret")),
        ];
        for (given, scheme, want) in rows {
            let got = WebhookSecret::given_or_generated(given, scheme)
                .map(|k| k.scheme())
                .map_err(|e| e.field);
            assert_eq!(got, want.map_err(String::from), "{given:?} {scheme:?}");
        }
    }

    #[test]
    fn ed25519_keys_are_checked() {
        let key = WebhookSecret::generate_for(SignatureScheme::Ed25519);
        let seed = STANDARD
            .decode(key.expose().strip_prefix("whsk_").unwrap())
            .unwrap();
        let public = STANDARD
            .decode(key.public_key().unwrap().strip_prefix("whpk_").unwrap())
            .unwrap();
        let full = format!("whsk_{}", STANDARD.encode([seed.clone(), public].concat()));
        assert_eq!(
            WebhookSecret::parse(&full)
                .expect("seed + public")
                .public_key(),
            key.public_key()
        );
        let mismatched = format!(
            "whsk_{}",
            STANDARD.encode([seed.clone(), vec![7u8; 32]].concat())
        );
        for bad in [
            "whsk_".to_string(),
            "whsk_***".to_string(),
            format!("whsk_{}", STANDARD.encode([1u8; 31])),
            format!("whsk_{}", STANDARD.encode([1u8; 48])),
            mismatched,
        ] {
            assert_eq!(
                WebhookSecret::parse(&bad).map_err(|e| e.field).unwrap_err(),
                "secret",
                "{bad:?}"
            );
        }
    }
}
