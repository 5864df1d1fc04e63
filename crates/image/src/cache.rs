//! The on-disk cache: blobs stored by digest (the OCI layout scheme) and per-layer facts
//! keyed by diffID and analyzer version. Every write goes to a temporary file first and is
//! renamed into place, so concurrent drydock processes never see a half-written entry.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::digest::{Digest, VerifyingReader};
use crate::error::{Error, Result};

#[derive(Clone, Debug)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// The per-user default: `$XDG_CACHE_HOME/drydock`, else `~/.cache/drydock`.
    pub fn default_dir() -> PathBuf {
        if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(xdg).join("drydock");
        }
        if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(home).join(".cache").join("drydock");
        }
        std::env::temp_dir().join("drydock-cache")
    }

    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        for sub in ["blobs/sha256", "facts", "tmp"] {
            let dir = root.join(sub);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        let cache = Cache { root };
        cache.sweep_stale_temp_files();
        Ok(cache)
    }

    /// Temporary files of runs that were killed: anything a day old is nobody's.
    fn sweep_stale_temp_files(&self) {
        let Ok(entries) = fs::read_dir(self.root.join("tmp")) else {
            return;
        };
        let day = std::time::Duration::from_secs(24 * 3600);
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root.join("blobs/sha256").join(digest.hex())
    }

    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_path(digest).is_file()
    }

    /// A small cached blob (manifest, config), re-verified so a damaged cache entry is
    /// refetched rather than trusted.
    pub fn read_blob(&self, digest: &Digest, limit: u64) -> Option<Vec<u8>> {
        let path = self.blob_path(digest);
        let file = fs::File::open(&path).ok()?;
        match crate::digest::read_verified(file, Some(digest), "cached blob", limit) {
            Ok(bytes) => Some(bytes),
            Err(err) => {
                tracing::warn!("dropping damaged cache entry {}: {err}", path.display());
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    pub fn put_blob_bytes(&self, digest: &Digest, bytes: &[u8]) -> Result<()> {
        self.write_atomically(&self.blob_path(digest), |file| file.write_all(bytes))
    }

    /// Streams a blob into the cache, verifying its digest (and that it is no longer than
    /// `limit`) before it becomes visible.
    pub fn put_blob_stream(
        &self,
        digest: &Digest,
        reader: impl Read,
        what: &str,
        limit: u64,
    ) -> Result<PathBuf> {
        let target = self.blob_path(digest);
        let mut verifying = VerifyingReader::new(reader, Some(digest.clone()), what, limit);
        let mut tmp = self.temp_file()?;
        io::copy(&mut verifying, tmp.as_file_mut())
            .map_err(|e| Error::from_io(e, || what.to_string()))?;
        tmp.persist(&target)
            .map_err(|e| Error::io(&target, e.error))?;
        Ok(target)
    }

    /// A temporary file inside the cache, removed when dropped.
    pub fn temp_file(&self) -> Result<tempfile::NamedTempFile> {
        let dir = self.root.join("tmp");
        tempfile::NamedTempFile::new_in(&dir).map_err(|e| Error::io(&dir, e))
    }

    fn facts_path(&self, analyzer_key: &str, diff_id: &Digest) -> PathBuf {
        self.root
            .join("facts")
            .join(analyzer_key)
            .join(format!("{}.json", diff_id.hex()))
    }

    pub fn load_facts<T: DeserializeOwned>(
        &self,
        analyzer_key: &str,
        diff_id: &Digest,
    ) -> Option<T> {
        let path = self.facts_path(analyzer_key, diff_id);
        let bytes = fs::read(&path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(facts) => Some(facts),
            Err(err) => {
                tracing::warn!("ignoring unreadable cache entry {}: {err}", path.display());
                None
            }
        }
    }

    pub fn store_facts<T: Serialize>(
        &self,
        analyzer_key: &str,
        diff_id: &Digest,
        facts: &T,
    ) -> Result<()> {
        let path = self.facts_path(analyzer_key, diff_id);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let bytes = serde_json::to_vec(facts).map_err(|e| Error::Cache(e.to_string()))?;
        self.write_atomically(&path, |file| file.write_all(&bytes))
    }

    fn write_atomically(
        &self,
        target: &Path,
        write: impl FnOnce(&mut fs::File) -> io::Result<()>,
    ) -> Result<()> {
        let mut tmp = self.temp_file()?;
        write(tmp.as_file_mut()).map_err(|e| Error::io(tmp.path(), e))?;
        tmp.persist(target)
            .map_err(|e| Error::io(target, e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_verified_on_the_way_in_and_out() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let d = Digest::of(b"config");
        let err = cache
            .put_blob_stream(&d, &b"other"[..], "blob", 100)
            .unwrap_err();
        assert!(matches!(err, Error::DigestMismatch { .. }));
        assert!(
            !cache.has_blob(&d),
            "a mismatching blob must not land in the cache"
        );
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);

        cache
            .put_blob_stream(&d, &b"config"[..], "blob", 100)
            .unwrap();
        assert_eq!(cache.read_blob(&d, 100).unwrap(), b"config");
        fs::write(cache.blob_path(&d), b"damaged").unwrap();
        assert!(cache.read_blob(&d, 100).is_none());
        assert!(!cache.has_blob(&d));
    }
}
