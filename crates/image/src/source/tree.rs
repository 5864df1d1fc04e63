//! A read-only file tree: either a directory or a tar file indexed once so that any member
//! can be read by seeking, in parallel, without extracting anything.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::digest::{read_verified, Digest, VerifyingReader};
use crate::error::{Error, Result};
use crate::layer::{Compression, Limits};
use crate::targuard::TarGuard;

pub(crate) trait Tree: Send + Sync {
    /// Where the tree lives, for messages.
    fn location(&self) -> String;
    fn exists(&self, path: &str) -> bool;
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send>>;

    /// Reads a small member whole, with a size cap and an optional digest check.
    fn read(&self, path: &str, limit: u64, digest: Option<&Digest>) -> Result<Vec<u8>> {
        let what = format!("{path} in {}", self.location());
        read_verified(self.open(path)?, digest, &what, limit)
    }
}

/// A directory on the host. Reads never leave it, even through symlinks.
pub(crate) struct DirTree {
    root: PathBuf,
}

impl DirTree {
    pub fn new(root: &Path) -> Result<Self> {
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        Ok(DirTree { root })
    }

    fn resolve(&self, path: &str) -> Result<PathBuf> {
        let candidate = self.root.join(path.trim_start_matches('/'));
        let real = candidate
            .canonicalize()
            .map_err(|e| Error::io(&candidate, e))?;
        if !real.starts_with(&self.root) {
            return Err(Error::HostileLayer {
                layer: self.location(),
                reason: format!(
                    "{path} resolves outside the directory (to {})",
                    real.display()
                ),
            });
        }
        Ok(real)
    }
}

impl Tree for DirTree {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn exists(&self, path: &str) -> bool {
        self.resolve(path).is_ok_and(|p| p.is_file())
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send>> {
        let real = self.resolve(path)?;
        let file = File::open(&real).map_err(|e| Error::io(&real, e))?;
        Ok(Box::new(BufReader::with_capacity(256 * 1024, file)))
    }
}

#[derive(Clone, Debug)]
enum Member {
    File { offset: u64, size: u64 },
    Link(String),
}

/// A tar archive (`docker save`, `oci-archive`), optionally gzip- or zstd-compressed as a
/// whole. A compressed archive is decompressed once into a temporary file in the cache so
/// that its members can still be read by seeking.
pub(crate) struct TarTree {
    path: PathBuf,
    file: PathBuf,
    members: HashMap<String, Member>,
    /// The decompressed copy, or the engine export, that `file` is.
    _decompressed: Option<tempfile::NamedTempFile>,
}

const MAX_ARCHIVE_MEMBERS: usize = 1_000_000;
const MAX_LINK_HOPS: usize = 16;

impl TarTree {
    pub fn open(path: &Path, cache: &Cache, limits: &Limits) -> Result<Self> {
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut head = [0u8; 6];
        let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io(path, e))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| Error::io(path, e))?;
        let compression = Compression::sniff(&head[..n]).map_err(|kind| Error::Unsupported {
            what: format!("compression of {}", path.display()),
            value: kind.into(),
        })?;
        let what = || path.display().to_string();
        let decompressed = match compression {
            Compression::None => None,
            Compression::Gzip | Compression::Zstd => {
                let reader = BufReader::with_capacity(256 * 1024, file);
                let decoder: Box<dyn Read> = if compression == Compression::Gzip {
                    Box::new(flate2::bufread::MultiGzDecoder::new(reader))
                } else {
                    Box::new(
                        zstd::stream::read::Decoder::with_buffer(reader)
                            .map_err(|e| Error::io(path, e))?,
                    )
                };
                let mut limited =
                    VerifyingReader::new(decoder, None, what(), limits.max_archive_bytes);
                let mut tmp = cache.temp_file()?;
                io::copy(&mut limited, tmp.as_file_mut()).map_err(|e| Error::from_io(e, what))?;
                Some(tmp)
            }
        };
        let file_path = decompressed
            .as_ref()
            .map_or_else(|| path.to_path_buf(), |t| t.path().to_path_buf());
        Self::index(path, file_path, decompressed)
    }

    /// A tar already written to a temporary file (a container engine's export), which the
    /// tree keeps, and deletes with itself. `label` names it in messages.
    pub fn from_temp(temp: tempfile::NamedTempFile, label: &str) -> Result<Self> {
        let file_path = temp.path().to_path_buf();
        Self::index(Path::new(label), file_path, Some(temp))
    }

    fn index(
        path: &Path,
        file_path: PathBuf,
        temp: Option<tempfile::NamedTempFile>,
    ) -> Result<Self> {
        let members = index_tar(&file_path).map_err(|e| match e {
            Error::Read { source, .. } | Error::Io { source, .. } => Error::Malformed {
                what: format!("archive {}", path.display()),
                reason: format!("not a readable tar file ({source})"),
            },
            other => other,
        })?;
        Ok(TarTree {
            path: path.to_path_buf(),
            file: file_path,
            members,
            _decompressed: temp,
        })
    }

    fn find(&self, path: &str) -> Option<(u64, u64)> {
        let mut current = path.trim_start_matches("./").to_string();
        for _ in 0..MAX_LINK_HOPS {
            match self.members.get(&current)? {
                Member::File { offset, size } => return Some((*offset, *size)),
                Member::Link(target) => current = target.clone(),
            }
        }
        None
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Normalizes a member name relative to the archive root; `None` when it climbs out.
fn clean_member_path(base_dir: &str, name: &str) -> Option<String> {
    let mut parts: Vec<&str> = if name.starts_with('/') {
        Vec::new()
    } else {
        base_dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn index_tar(file_path: &Path) -> Result<HashMap<String, Member>> {
    let file = File::open(file_path).map_err(|e| Error::io(file_path, e))?;
    let mut archive = tar::Archive::new(TarGuard::new(file, &file_path.display().to_string()));
    let mut members = HashMap::new();
    let what = || file_path.display().to_string();
    for entry in archive
        .entries_with_seek()
        .map_err(|e| Error::from_io(e, what))?
    {
        let entry = entry.map_err(|e| Error::from_io(e, what))?;
        if members.len() >= MAX_ARCHIVE_MEMBERS {
            return Err(Error::TooLarge {
                what: format!("member count of {}", file_path.display()),
                limit: MAX_ARCHIVE_MEMBERS as u64,
            });
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(name) = clean_member_path("", &raw) else {
            return Err(Error::HostileLayer {
                layer: file_path.display().to_string(),
                reason: format!("archive member {raw:?} climbs out of the archive"),
            });
        };
        let member = match entry.header().entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => Member::File {
                offset: entry.raw_file_position(),
                size: entry.size(),
            },
            tar::EntryType::Symlink | tar::EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .unwrap_or_default();
                // Symlinks are relative to the member's directory, hard links to the root.
                let base = if entry.header().entry_type() == tar::EntryType::Symlink {
                    name.rsplit_once('/').map_or("", |(dir, _)| dir)
                } else {
                    ""
                };
                match clean_member_path(base, &target) {
                    Some(target) => Member::Link(target),
                    None => continue,
                }
            }
            _ => continue,
        };
        members.insert(name, member);
    }
    Ok(members)
}

impl Tree for TarTree {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn exists(&self, path: &str) -> bool {
        self.find(path).is_some()
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send>> {
        let (offset, size) = self.find(path).ok_or_else(|| {
            Error::NotFound(format!(
                "{path} not found in archive {}",
                self.path.display()
            ))
        })?;
        let mut file = File::open(&self.file).map_err(|e| Error::io(&self.file, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io(&self.file, e))?;
        Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            file.take(size),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths() {
        assert_eq!(
            clean_member_path("", "./manifest.json").unwrap(),
            "manifest.json"
        );
        assert_eq!(clean_member_path("abc", "../def.tar").unwrap(), "def.tar");
        assert_eq!(clean_member_path("", "../../etc/passwd"), None);
        assert_eq!(clean_member_path("a", "/blobs/x").unwrap(), "blobs/x");
    }
}
