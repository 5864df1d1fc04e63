//! What the analyzer keeps per file (and so what the layer cache stores): never a secret,
//! only its rule, place, a redacted prefix, its length and its SHA-256.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One secret found in one file of one layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawHit {
    pub rule: String,
    /// 1-based line of the secret (of the key's first line for private keys).
    pub line: usize,
    /// The first characters of the secret, then `*****`; absent for file-level rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<String>,
    /// SHA-256 of the secret (of the whole file for file-level rules): lets findings be
    /// compared across scans and images without storing the value.
    pub sha256: String,
    /// Length of the secret in bytes.
    pub length: usize,
    /// The assignment key or field that held it (`spring.datasource.password`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The analyzer's value for one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHits {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hits: Vec<RawHit>,
    /// Digests of a file with hits (`md5:…`, `sha1:…`, `sha256:…`), to compare with what
    /// its package recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digests: Vec<String>,
    /// For a package database (dpkg `*.md5sums`, apk `installed`, the rpm database):
    /// `(path, algorithm:hex)` of the package files that the analyzer reads (files it
    /// skips need no ownership check).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owned: Vec<(String, String)>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Shows at most 8 characters and never more than a third of the secret, so short
/// passwords keep most of their length hidden; multi-byte characters are kept whole.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let chars: Vec<char> = text.chars().collect();
    let shown = (chars.len() / 3).min(8);
    let prefix: String = chars[..shown]
        .iter()
        .map(|&c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{prefix}*****")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shows_a_short_prefix_only() {
        assert_eq!(
            redact(b"ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "ghp_ABCD*****"
        );
        assert_eq!(redact(b"Secret-19-chars-xyz"), "Secret*****");
        assert_eq!(redact(b"ab"), "*****");
        assert_eq!(redact("pässwörd-ünïcode".as_bytes()), "pässw*****");
        assert_eq!(redact(b"\x1b[31mred-escape-seq"), "?[31mr*****");
    }

    #[test]
    fn sha256_is_lower_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
