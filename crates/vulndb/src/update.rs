//! `db update`: fetches the feed files from a mirror over HTTP(S), verifying each against
//! the mirror's index, then builds exactly as `db build` does from the same files.
//!
//! A mirror is a folder laid out like `shared/data/advisories` (one sub-folder per
//! source) with a `MANIFEST.json` index: `{"files": [{"path", "bytes", "sha256"}, …]}`.
//! Files already downloaded with the right digest are not fetched again, so an
//! interrupted update resumes where it stopped, and an unchanged feed costs one request.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::build::{build, BuildError, BuildReport};
use crate::fetch::{describe_duration, Deadline};
use crate::lock::WriteLock;

const MAX_INDEX: u64 = 32 << 20;
const MAX_FILE: u64 = 1 << 30;
const RETRIES: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("fetching {url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("{path}: digest mismatch (expected sha256:{expected}, got sha256:{actual})")]
    Digest {
        path: String,
        expected: String,
        actual: String,
    },
    #[error("mirror index {url}: {reason}")]
    Index { url: String, reason: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("{0}")]
    Options(String),
    #[error("no source could be updated; the database was left as it was ({0})")]
    AllFailed(String),
    #[error("{0} failed and no earlier download of it is staged: the database was left as it was rather than lose its data (retry, or leave the source out with --source)")]
    WouldDrop(String),
}

#[derive(Deserialize)]
struct Index {
    files: Vec<IndexEntry>,
}

#[derive(Deserialize)]
struct IndexEntry {
    path: String,
    #[serde(default)]
    bytes: Option<u64>,
    sha256: String,
}

/// What an update did.
#[derive(Debug, Default)]
pub struct UpdateReport {
    pub downloaded: usize,
    /// Files already current: same digest (mirror) or HTTP 304 (publishers).
    pub reused: usize,
    /// Downloads that continued an interrupted transfer.
    pub resumed: usize,
    /// Sources left out of this update (publishers mode).
    pub failed: Vec<SourceFailure>,
    /// Optional files a publisher does not have (a release it no longer publishes).
    pub notes: Vec<String>,
    pub build: BuildReport,
}

/// A source whose download failed.
#[derive(Debug)]
pub struct SourceFailure {
    pub source: String,
    pub reason: String,
    /// Whether its files from the last successful update went into the build instead.
    pub stale: bool,
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> UpdateError + '_ {
    move |source| UpdateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A relative path that stays inside the staging folder (the index is untrusted).
fn safe_relative(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let ok = !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)));
    ok.then(|| p.to_path_buf())
}

fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

struct Client {
    agent: ureq::Agent,
    download_timeout: Duration,
}

impl Client {
    fn new(download_timeout: Duration) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(5)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_per_read(Some(Duration::from_secs(120)))
            .user_agent(concat!("drydock/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            agent,
            download_timeout,
        }
    }

    /// GET with retries on 429/5xx and dropped connections; the body goes to `sink`.
    fn get(&self, url: &str, limit: u64, sink: &mut dyn Write) -> Result<(), UpdateError> {
        let fail = |reason: String| UpdateError::Fetch {
            url: url.to_string(),
            reason,
        };
        let mut attempt = 0;
        let deadline = Deadline::after(self.download_timeout);
        let timed_out = || {
            fail(format!(
                "not complete within the download timeout ({})",
                describe_duration(deadline.budget)
            ))
        };
        loop {
            let Some(remaining) = deadline.remaining() else {
                return Err(timed_out());
            };
            let request = self
                .agent
                .get(url)
                .config()
                .timeout_global(Some(remaining))
                .build();
            match request.call() {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    if matches!(status, 429 | 500..=599) && attempt < RETRIES {
                        attempt += 1;
                        std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
                        continue;
                    }
                    if !(200..300).contains(&status) {
                        return Err(fail(format!("HTTP {status}")));
                    }
                    let mut body = resp.body_mut().as_reader().take(limit + 1);
                    let copied = io::copy(&mut body, sink).map_err(|e| {
                        if deadline.remaining().is_none() {
                            timed_out()
                        } else {
                            fail(e.to_string())
                        }
                    })?;
                    if copied > limit {
                        return Err(fail(format!("larger than {limit} bytes")));
                    }
                    return Ok(());
                }
                Err(err)
                    if attempt < RETRIES
                        && matches!(
                            err,
                            ureq::Error::Io(_)
                                | ureq::Error::Timeout(_)
                                | ureq::Error::ConnectionFailed
                        ) =>
                {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
                }
                Err(_) if deadline.remaining().is_none() => return Err(timed_out()),
                Err(err) => return Err(fail(err.to_string())),
            }
        }
    }
}

/// Brings `staging` in line with the mirror's index, then builds the database at
/// `output`. Any failure leaves the previous database as it was.
pub fn update(
    mirror: &str,
    staging: &Path,
    output: &Path,
    built_at: &str,
    download_timeout: Duration,
) -> Result<UpdateReport, UpdateError> {
    let _lock = lock_staging(staging)?;
    let base = mirror.trim_end_matches('/');
    let client = Client::new(download_timeout);
    let index_url = format!("{base}/MANIFEST.json");
    let mut index_bytes = Vec::new();
    client.get(&index_url, MAX_INDEX, &mut index_bytes)?;
    let index: Index = serde_json::from_slice(&index_bytes).map_err(|e| UpdateError::Index {
        url: index_url.clone(),
        reason: e.to_string(),
    })?;
    fs::create_dir_all(staging).map_err(io_err(staging))?;
    let mut report = UpdateReport::default();
    for entry in &index.files {
        let Some(relative) = safe_relative(&entry.path) else {
            return Err(UpdateError::Index {
                url: index_url,
                reason: format!("path {:?} leaves the mirror", entry.path),
            });
        };
        // Samples duplicate archive members; the build ignores them too.
        if relative.components().any(|c| c.as_os_str() == "samples") {
            continue;
        }
        let target = staging.join(&relative);
        let expected = entry.sha256.to_ascii_lowercase();
        if target.is_file() && sha256_file(&target).is_ok_and(|d| d == expected) {
            report.reused += 1;
            continue;
        }
        let dir = target.parent().unwrap_or(staging);
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
        let url = format!("{base}/{}", entry.path);
        let limit = entry.bytes.unwrap_or(MAX_FILE).min(MAX_FILE);
        {
            let mut hashing = HashingWriter {
                inner: tmp.as_file_mut(),
                hasher: Sha256::new(),
            };
            client.get(&url, limit, &mut hashing)?;
            let actual = hex::encode(hashing.hasher.finalize());
            if actual != expected {
                return Err(UpdateError::Digest {
                    path: entry.path.clone(),
                    expected,
                    actual,
                });
            }
        }
        tmp.persist(&target).map_err(|e| UpdateError::Io {
            path: target.clone(),
            source: e.error,
        })?;
        report.downloaded += 1;
    }
    report.build = build(&[staging.to_path_buf()], output, built_at)?;
    Ok(report)
}

/// Holds `staging` for this process until dropped (see [`crate::lock`]).
pub(crate) fn lock_staging(staging: &Path) -> Result<WriteLock, UpdateError> {
    let path = staging.join(".lock");
    WriteLock::acquire(&path).map_err(|source| UpdateError::Io { path, source })
}

struct HashingWriter<'a> {
    inner: &'a mut fs::File,
    hasher: Sha256,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_stay_inside() {
        assert!(safe_relative("go/golang-vulndb-osv.tar.zst").is_some());
        for bad in ["", "/etc/passwd", "../x", "go/../../x", "./x"] {
            assert!(safe_relative(bad).is_none(), "{bad}");
        }
    }
}
