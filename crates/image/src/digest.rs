//! Content digests (`sha256:<hex>`) and readers that verify them while streaming.

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::Error;

/// A content digest. Only sha256 is produced by real registries and builders today; other
/// algorithms are rejected with a clear error rather than silently left unchecked.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Digest {
    hex: String,
}

impl Digest {
    pub fn of(bytes: &[u8]) -> Self {
        Digest {
            hex: hex::encode(Sha256::digest(bytes)),
        }
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The first 12 hex characters, as `docker images` shows ids.
    pub fn short(&self) -> &str {
        &self.hex[..12]
    }

    pub(crate) fn from_hasher(hasher: Sha256) -> Self {
        Digest {
            hex: hex::encode(hasher.finalize()),
        }
    }
}

impl FromStr for Digest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (algo, hex) = s
            .split_once(':')
            .ok_or_else(|| format!("digest {s:?} has no algorithm prefix"))?;
        if algo != "sha256" {
            return Err(format!("digest algorithm {algo:?} is not supported"));
        }
        if hex.len() != 64
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(format!("digest {s:?} is not 64 lower-case hex characters"));
        }
        Ok(Digest {
            hex: hex.to_string(),
        })
    }
}

impl TryFrom<String> for Digest {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Digest> for String {
    fn from(d: Digest) -> String {
        d.to_string()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

/// Hashes everything read through it, enforces a byte limit, and at end of stream checks
/// the digest (when one is expected). A mismatch or overrun surfaces as a read error
/// carrying the typed [`Error`], so no consumer ever sees unverified bytes as a success.
pub(crate) struct VerifyingReader<R> {
    inner: R,
    hasher: Sha256,
    expected: Option<Digest>,
    what: String,
    read: u64,
    limit: u64,
    finished: bool,
}

impl<R: Read> VerifyingReader<R> {
    pub fn new(inner: R, expected: Option<Digest>, what: impl Into<String>, limit: u64) -> Self {
        VerifyingReader {
            inner,
            hasher: Sha256::new(),
            expected,
            what: what.into(),
            read: 0,
            limit,
            finished: false,
        }
    }

    /// Reads the rest of the stream (checking its digest) and returns the inner reader, the
    /// digest of everything read and its length.
    pub fn finish(mut self) -> io::Result<(R, Digest, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((self.inner, Digest::from_hasher(self.hasher), self.read))
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.finished {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(Error::TooLarge {
                what: self.what.clone(),
                limit: self.limit,
            }
            .into_io());
        }
        self.hasher.update(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            self.finished = true;
            if let Some(expected) = &self.expected {
                let actual = Digest::from_hasher(self.hasher.clone());
                if &actual != expected {
                    return Err(Error::DigestMismatch {
                        what: self.what.clone(),
                        expected: expected.to_string(),
                        actual: actual.to_string(),
                    }
                    .into_io());
                }
            }
        }
        Ok(n)
    }
}

/// Reads a whole small document (manifest, config, index) with a size cap, and checks its
/// digest when one is expected.
pub(crate) fn read_verified(
    reader: impl Read,
    expected: Option<&Digest>,
    what: &str,
    limit: u64,
) -> crate::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::from_io(e, || what.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge {
            what: what.to_string(),
            limit,
        });
    }
    if let Some(expected) = expected {
        let actual = Digest::of(&bytes);
        if &actual != expected {
            return Err(Error::DigestMismatch {
                what: what.to_string(),
                expected: expected.to_string(),
                actual: actual.to_string(),
            });
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            .parse()
            .unwrap();
        assert_eq!(d, Digest::of(b""));
        assert_eq!(d.short(), "e3b0c44298fc");
        assert!("sha256:E3B0".parse::<Digest>().is_err());
        assert!("md5:abc".parse::<Digest>().is_err());
        assert!("e3b0c44298fc".parse::<Digest>().is_err());
    }

    #[test]
    fn verifying_reader_rejects_mismatch_and_overrun() {
        let good = Digest::of(b"hello");
        let mut ok = VerifyingReader::new(&b"hello"[..], Some(good.clone()), "blob", 100);
        io::copy(&mut ok, &mut io::sink()).unwrap();

        let mut bad = VerifyingReader::new(&b"hellO"[..], Some(good), "blob", 100);
        let err = io::copy(&mut bad, &mut io::sink()).unwrap_err();
        let err = Error::from_io(err, || "blob".into());
        assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");

        let mut big = VerifyingReader::new(&b"hello"[..], None, "blob", 3);
        let err = Error::from_io(io::copy(&mut big, &mut io::sink()).unwrap_err(), || {
            "x".into()
        });
        assert!(matches!(err, Error::TooLarge { limit: 3, .. }), "{err}");
    }
}
