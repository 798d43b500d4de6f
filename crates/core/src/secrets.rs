//! Webhook signing secrets at rest: sealed with XChaCha20-Poly1305 under a key from
//! configuration (`secrets.keys`), opened only where a secret is used (signing a
//! delivery, the explicit secret route).
//!
//! Stored form: `v1:<key id>:<base64 of 24-byte nonce || ciphertext>`. The first
//! configured key seals; every configured key opens, so rotating the key is: put the new
//! key first, keep the old one after it, restart, and the API's re-sealing pass
//! ([`crate::repo::webhooks::WebhookRepo::reseal_batch`]) moves every row to the new key;
//! then drop the old key. A row still in plaintext (`whsec_...`, written before
//! encryption was configured) is read as it is and re-sealed by the same pass.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hookrelay_domain::CorruptValue;
use secrecy::{ExposeSecret, SecretString};

const VERSION: &str = "v1";

/// The configured keys; `None` for the sealing key means secrets are stored as they are
/// (no key configured: development only, the services warn at start).
#[derive(Clone)]
pub struct SecretCipher {
    sealing: Option<(String, XChaCha20Poly1305)>,
    opening: HashMap<String, XChaCha20Poly1305>,
}

impl std::fmt::Debug for SecretCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretCipher")
            .field("sealing_key_id", &self.sealing.as_ref().map(|(id, _)| id))
            .field("key_ids", &self.opening.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A `secrets.keys` entry that is not `<id>:<base64 of 32 bytes>`.
#[derive(Debug, thiserror::Error)]
#[error("secrets.keys entry {index}: {reason}")]
pub struct KeyError {
    index: usize,
    reason: String,
}

impl SecretCipher {
    /// Builds the cipher from `secrets.keys` entries `<id>:<base64 of 32 random bytes>`.
    pub fn from_keys(keys: &[SecretString]) -> Result<Self, KeyError> {
        let mut sealing = None;
        let mut opening = HashMap::new();
        for (index, entry) in keys.iter().enumerate() {
            let err = |reason: &str| KeyError {
                index,
                reason: reason.to_string(),
            };
            let (id, key) = entry
                .expose_secret()
                .split_once(':')
                .ok_or_else(|| err("must be <id>:<base64 key>"))?;
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(err("the id must be letters, digits or '-'"));
            }
            let bytes = STANDARD
                .decode(key.trim())
                .map_err(|_| err("the key is not base64"))?;
            if bytes.len() != 32 {
                return Err(err("the key must be 32 bytes (openssl rand -base64 32)"));
            }
            let cipher = XChaCha20Poly1305::new(Key::from_slice(&bytes));
            if opening.insert(id.to_string(), cipher.clone()).is_some() {
                return Err(err("the id is used twice"));
            }
            if sealing.is_none() {
                sealing = Some((id.to_string(), cipher));
            }
        }
        Ok(Self { sealing, opening })
    }

    pub fn is_sealing(&self) -> bool {
        self.sealing.is_some()
    }

    /// The stored form of `secret`.
    pub fn seal(&self, secret: &str) -> String {
        let Some((id, cipher)) = &self.sealing else {
            return secret.to_string();
        };
        let nonce: [u8; 24] = rand::random();
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), secret.as_bytes())
            .expect("XChaCha20-Poly1305 encryption of a short secret cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{VERSION}:{id}:{}", STANDARD.encode(bytes))
    }

    /// The secret a stored value holds. A plaintext value (from before encryption) is
    /// returned as it is; a sealed one under an unknown key, or tampered with, is corrupt.
    pub fn open(&self, stored: &str) -> Result<String, CorruptValue> {
        let Some(rest) = stored.strip_prefix("v1:") else {
            return Ok(stored.to_string());
        };
        let corrupt = |reason: &str| CorruptValue::new("sealed secret", reason);
        let (id, data) = rest.split_once(':').ok_or_else(|| corrupt("no key id"))?;
        let cipher = self
            .opening
            .get(id)
            .ok_or_else(|| corrupt(&format!("sealed with key `{id}`, which is not configured")))?;
        let bytes = STANDARD.decode(data).map_err(|_| corrupt("not base64"))?;
        if bytes.len() < 24 {
            return Err(corrupt("too short"));
        }
        let (nonce, sealed) = bytes.split_at(24);
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| corrupt("does not authenticate (wrong key or altered)"))?;
        String::from_utf8(plain).map_err(|_| corrupt("not UTF-8"))
    }

    /// Whether `stored` is sealed under the current sealing key (else re-sealing moves it).
    pub fn is_current(&self, stored: &str) -> bool {
        match &self.sealing {
            Some((id, _)) => stored
                .strip_prefix("v1:")
                .and_then(|r| r.split_once(':'))
                .is_some_and(|(k, _)| k == id),
            None => true,
        }
    }

    /// The `LIKE` pattern of values sealed under the current key (for the re-sealing pass).
    pub fn current_prefix(&self) -> Option<String> {
        self.sealing
            .as_ref()
            .map(|(id, _)| format!("{VERSION}:{id}:%"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> SecretString {
        format!("{id}:{}", STANDARD.encode([byte; 32])).into()
    }

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    #[test]
    fn sealed_secrets_open_and_do_not_show_the_plaintext() {
        let cipher = SecretCipher::from_keys(&[key("k1", 1)]).expect("keys");
        let sealed = cipher.seal(SECRET);
        assert!(sealed.starts_with("v1:k1:"));
        assert!(!sealed.contains("C2FVsBQIhrsc"));
        assert_ne!(sealed, cipher.seal(SECRET), "a fresh nonce each time");
        assert_eq!(cipher.open(&sealed).expect("opens"), SECRET);
        assert!(cipher.is_current(&sealed));
    }

    #[test]
    fn rotation_opens_old_rows_and_seals_with_the_first_key() {
        let old = SecretCipher::from_keys(&[key("k1", 1)]).expect("keys");
        let sealed_old = old.seal(SECRET);
        let rotated = SecretCipher::from_keys(&[key("k2", 2), key("k1", 1)]).expect("keys");
        assert_eq!(
            rotated.open(&sealed_old).expect("old key still opens"),
            SECRET
        );
        assert!(!rotated.is_current(&sealed_old));
        assert!(rotated.seal(SECRET).starts_with("v1:k2:"));
        assert_eq!(rotated.current_prefix().as_deref(), Some("v1:k2:%"));
        // Once the old key is dropped, its rows are corrupt, not silently empty.
        let dropped = SecretCipher::from_keys(&[key("k2", 2)]).expect("keys");
        assert!(dropped.open(&sealed_old).is_err());
    }

    #[test]
    fn plaintext_rows_are_read_and_tampering_is_detected() {
        let cipher = SecretCipher::from_keys(&[key("k1", 1)]).expect("keys");
        assert_eq!(cipher.open(SECRET).expect("legacy"), SECRET);
        assert!(!cipher.is_current(SECRET));
        let mut sealed = cipher.seal(SECRET).into_bytes();
        let last = sealed.len() - 3;
        sealed[last] = if sealed[last] == b'A' { b'B' } else { b'A' };
        assert!(cipher
            .open(std::str::from_utf8(&sealed).expect("ascii"))
            .is_err());
    }

    #[test]
    fn bad_keys_are_refused_and_debug_shows_no_key() {
        for bad in ["nokey", "k1:notbase64!", "k1:AAAA", ":AAAA", "k 1:AAAA"] {
            assert!(
                SecretCipher::from_keys(&[bad.to_string().into()]).is_err(),
                "{bad}"
            );
        }
        assert!(SecretCipher::from_keys(&[key("k1", 1), key("k1", 2)]).is_err());
        let cipher = SecretCipher::from_keys(&[key("k1", 7)]).expect("keys");
        let debug = format!("{cipher:?}");
        assert!(debug.contains("k1") && !debug.contains(&STANDARD.encode([7u8; 32])));
    }
}
