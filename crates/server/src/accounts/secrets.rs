//! Random secrets and their digests: session tokens, mail tokens and API keys.
//!
//! Every secret is 32 random bytes from the operating system. Only its SHA-256 is stored:
//! the secrets are long and random, so a fast digest is enough to make a leaked table
//! useless, and it keeps key checks far below a millisecond (argon2 is for passwords).
//!
//! Formats, recognisable at a glance and by secret scanners:
//! - API key: `mi_<key id: 16 of [a-z0-9]>_<secret: 64 hex>`
//! - session token: `mis_<64 hex>`
//! - mail and OAuth-state tokens: 64 hex.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use illustrator_accounts::KeyId;
use sha2::{Digest, Sha256};

pub const API_KEY_PREFIX: &str = "mi_";
pub const SESSION_PREFIX: &str = "mis_";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// The digest a secret is stored and looked up under.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// A new key id: 16 characters of `[a-z0-9]`.
pub fn new_key_id() -> KeyId {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; KeyId::LEN];
    OsRng.fill_bytes(&mut bytes);

    let id = bytes
        .iter()
        .map(|byte| ALPHABET[*byte as usize % ALPHABET.len()] as char)
        .collect();
    KeyId(id)
}

/// A new API key: its id, the whole key to show once, and the secret part.
pub fn new_api_key() -> (KeyId, String, String) {
    let key_id = new_key_id();
    let secret = random_token();
    let key = format!("{API_KEY_PREFIX}{key_id}_{secret}");
    (key_id, key, secret)
}

/// Splits a presented API key into its id and secret, if it has the shape of one.
pub fn parse_api_key(key: &str) -> Option<(KeyId, &str)> {
    let rest = key.strip_prefix(API_KEY_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let key_id = KeyId::parse(id).ok()?;

    let well_formed = secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then_some((key_id, secret))
}

pub fn new_session_token() -> String {
    format!("{SESSION_PREFIX}{}", random_token())
}

/// Compares without stopping at the first differing byte.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_parses_back_into_its_id_and_secret() {
        let (key_id, key, secret) = new_api_key();
        let parsed = parse_api_key(&key);
        assert_eq!(parsed, Some((key_id, secret.as_str())));
        assert!(parse_api_key("mi_short_00").is_none());
        assert!(parse_api_key(&new_session_token()).is_none());
    }

    #[test]
    fn tokens_differ_and_digests_are_hex() {
        assert_ne!(random_token(), random_token());
        assert_eq!(digest("a").len(), 64);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("ab", "abc"));
    }
}
