//! Reading one layer: sniff its compression, stream its tar entries, verify both digests,
//! and record what it adds and what it deletes. Nothing is ever written to the host.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;
use serde::{Deserialize, Serialize};

use crate::digest::{Digest, VerifyingReader};
use crate::error::{Error, Result};
use crate::targuard::TarGuard;

/// Bounds that keep hostile input from exhausting memory, disk or time.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Manifests, indexes and `manifest.json` (containerd uses 4 MiB too).
    pub max_manifest_bytes: u64,
    /// Image configs: long histories make them larger than manifests.
    pub max_config_bytes: u64,
    /// Uncompressed bytes of one layer: the decompression-bomb guard.
    pub max_layer_bytes: u64,
    /// Tar entries in one layer.
    pub max_layer_entries: u64,
    /// Uncompressed bytes of a whole gzip/zstd-compressed archive file.
    pub max_archive_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_manifest_bytes: 4 << 20,
            max_config_bytes: 16 << 20,
            max_layer_bytes: 16 << 30,
            max_layer_entries: 4_000_000,
            max_archive_bytes: 64 << 30,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    Hardlink,
}

/// One path a layer writes. Device nodes and FIFOs are not recorded: they carry no content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Absolute, normalized path inside the image (`/etc/passwd`).
    pub path: String,
    pub kind: FileKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// Symlink target as written, or the (normalized, absolute) path a hard link points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// What reading one layer established. Cached on disk by diffID.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerFacts {
    /// Uncompressed size of the layer tar.
    pub size: u64,
    pub entries: Vec<FileEntry>,
    /// Paths removed from lower layers by `.wh.NAME` markers.
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer contents are hidden by `.wh..wh..opq`.
    pub opaque_dirs: Vec<String>,
    /// What file analyzers made of the files they asked for, in tar order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analyses: Vec<FileAnalysis>,
    /// Files an analyzer could not read (too large, unparsable), each naming the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Hard links whose path an analyzer wants but whose content sits at the target
    /// (`(link, target)`): settled by a second read of the layer, never cached.
    #[serde(skip)]
    pub pending_links: Vec<(String, String)>,
}

/// One analyzer's result for one file of a layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileAnalysis {
    pub analyzer: String,
    pub path: String,
    pub value: serde_json::Value,
}

/// Looks at the content of the files it asks for while a layer streams by. Results are
/// cached with the layer, so an analyzer's key must change whenever its output does.
pub trait FileAnalyzer: Send + Sync {
    /// Name and version, e.g. `inventory-v1`; part of the per-layer cache key.
    fn key(&self) -> &'static str;
    /// Whether the regular file at `path` (absolute, normalized) is of interest.
    fn wants(&self, path: &str) -> bool;
    /// Larger files are skipped with a warning.
    fn max_size(&self) -> u64 {
        64 << 20
    }
    /// The cap for one path, when some files (a package database) may be larger than
    /// what the analyzer reads elsewhere.
    fn max_size_for(&self, _path: &str) -> u64 {
        self.max_size()
    }
    /// The facts of one file; `Ok(None)` when there are none, `Err` becomes a warning.
    fn analyze(
        &self,
        path: &str,
        content: &[u8],
    ) -> std::result::Result<Option<serde_json::Value>, String>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Decides by magic bytes: media types lie often enough (Docker archives say `tar.gzip`
    /// for plain tars).
    pub fn sniff(head: &[u8]) -> std::result::Result<Self, &'static str> {
        match head {
            [0x1f, 0x8b, ..] => Ok(Compression::Gzip),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Ok(Compression::Zstd),
            [b'B', b'Z', b'h', ..] => Err("bzip2"),
            [0xfd, b'7', b'z', b'X', b'Z', ..] => Err("xz"),
            _ => Ok(Compression::None),
        }
    }
}

/// Fills the buffer until at least `want` bytes are visible or the stream ends.
fn peek<R: Read>(reader: &mut BufReader<R>, want: usize) -> io::Result<Vec<u8>> {
    // BufReader only refills when empty, so read the first bytes by hand when short.
    let buf = reader.fill_buf()?;
    if buf.len() >= want || buf.is_empty() {
        return Ok(buf[..buf.len().min(want)].to_vec());
    }
    Ok(buf.to_vec())
}

enum Decoder<R: BufRead> {
    Plain(R),
    Gzip(Box<MultiGzDecoder<R>>),
    Zstd(zstd::stream::read::Decoder<'static, R>),
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }
}

impl<R: BufRead> Decoder<R> {
    fn into_inner(self) -> R {
        match self {
            Decoder::Plain(r) => r,
            Decoder::Gzip(r) => (*r).into_inner(),
            Decoder::Zstd(r) => r.finish(),
        }
    }
}

/// Normalizes a tar entry name to an absolute image path. `None` is the root itself.
/// Absolute names and `..` components are refused: a layer is a changeset relative to the
/// root, and a name that climbs out of it is an attack on whoever extracts it.
pub fn normalize_entry_path(name: &str) -> std::result::Result<Option<String>, String> {
    if name.starts_with('/') {
        return Err(format!("absolute path {name:?} in tar entry"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(format!("path traversal in tar entry {name:?}")),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!("/{}", parts.join("/"))))
}

pub(crate) fn parent_and_name(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("/", path),
    }
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// Streams one layer blob and returns what it contains. `blob_digest` is checked over the
/// bytes as stored (compressed), `diff_id` over the uncompressed tar; either may be absent
/// when the source has no such digest.
pub fn read_layer(
    blob: impl Read,
    blob_digest: Option<&Digest>,
    diff_id: Option<&Digest>,
    name: &str,
    limits: &Limits,
    analyzers: &[&dyn FileAnalyzer],
) -> Result<(LayerFacts, Digest)> {
    let what = || format!("layer {name}");
    let compressed = VerifyingReader::new(
        blob,
        blob_digest.cloned(),
        format!("layer {name} blob"),
        u64::MAX,
    );
    let mut buffered = BufReader::with_capacity(256 * 1024, compressed);
    let head = peek(&mut buffered, 6).map_err(|e| Error::from_io(e, what))?;
    let decoder = match Compression::sniff(&head) {
        Ok(Compression::None) => Decoder::Plain(buffered),
        Ok(Compression::Gzip) => Decoder::Gzip(Box::new(MultiGzDecoder::new(buffered))),
        Ok(Compression::Zstd) => Decoder::Zstd(
            zstd::stream::read::Decoder::with_buffer(buffered)
                .map_err(|e| Error::from_io(e, what))?,
        ),
        Err(kind) => {
            return Err(Error::Unsupported {
                what: format!("compression of layer {name}"),
                value: kind.into(),
            })
        }
    };
    let uncompressed = VerifyingReader::new(
        decoder,
        diff_id.cloned(),
        format!("layer {name} (uncompressed, diffID)"),
        limits.max_layer_bytes,
    );
    let mut archive = tar::Archive::new(TarGuard::new(uncompressed, name));
    let mut facts = LayerFacts::default();
    let hostile = |reason: String| Error::HostileLayer {
        layer: name.to_string(),
        reason,
    };
    let mut count: u64 = 0;
    for entry in archive.entries().map_err(|e| Error::from_io(e, what))? {
        let mut entry = entry.map_err(|e| Error::from_io(e, what))?;
        count += 1;
        if count > limits.max_layer_entries {
            return Err(Error::TooLarge {
                what: format!("layer {name} entry count"),
                limit: limits.max_layer_entries,
            });
        }
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = normalize_entry_path(&raw_path).map_err(hostile)? else {
            continue;
        };
        let (dir, file_name) = parent_and_name(&path);
        if let Some(hidden) = file_name.strip_prefix(".wh.") {
            if hidden == ".wh..opq" {
                facts.opaque_dirs.push(dir.to_string());
            } else if !hidden.starts_with(".wh.") {
                // `.wh..wh.plnk` and friends are AUFS bookkeeping, not deletions.
                facts.whiteouts.push(join(dir, hidden));
            }
            continue;
        }
        let header = entry.header();
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                FileKind::File
            }
            tar::EntryType::Directory => FileKind::Dir,
            tar::EntryType::Symlink => FileKind::Symlink,
            tar::EntryType::Link => FileKind::Hardlink,
            _ => continue,
        };
        let link = match kind {
            FileKind::Symlink => entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned()),
            FileKind::Hardlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .unwrap_or_default();
                let normalized = normalize_entry_path(&target)
                    .map_err(|e| hostile(format!("hard link {path}: {e}")))?
                    .ok_or_else(|| hostile(format!("hard link {path} points at the root")))?;
                Some(normalized)
            }
            _ => None,
        };
        let (mode, uid, gid) = (
            header.mode().unwrap_or(0o644),
            header.uid().unwrap_or(0),
            header.gid().unwrap_or(0),
        );
        let size = if kind == FileKind::File {
            entry.size()
        } else {
            0
        };
        if kind == FileKind::File && !analyzers.is_empty() {
            run_analyzers(&mut entry, &path, size, analyzers, &mut facts)
                .map_err(|e| Error::from_io(e, what))?;
        }
        if kind == FileKind::Hardlink && !wanting(analyzers, &path).is_empty() {
            if let Some(target) = &link {
                facts.pending_links.push((path.clone(), target.clone()));
            }
        }
        facts.entries.push(FileEntry {
            path,
            kind,
            mode,
            uid,
            gid,
            size,
            link,
        });
    }
    // The tar reader stops at the end-of-archive marker; read what follows too, so both
    // digests cover the whole stream (the compressed one is checked when its reader ends).
    let (decoder, actual_diff_id, size) = archive
        .into_inner()
        .into_inner()
        .finish()
        .map_err(|e| Error::from_io(e, what))?;
    let mut buffered = decoder.into_inner();
    io::copy(&mut buffered, &mut io::sink()).map_err(|e| Error::from_io(e, what))?;
    facts.size = size;
    Ok((facts, actual_diff_id))
}

/// Offers one regular file to the analyzers that want it, reading its content once.
fn run_analyzers(
    entry: &mut impl Read,
    path: &str,
    size: u64,
    analyzers: &[&dyn FileAnalyzer],
    facts: &mut LayerFacts,
) -> io::Result<()> {
    let wanting = wanting(analyzers, path);
    // The header tells the size: a file too large for every analyzer that wants it (a
    // multi-GB model file named like a binary) is never buffered at all.
    let Some(max) = wanting
        .iter()
        .map(|a| a.max_size_for(path))
        .filter(|&m| size <= m)
        .max()
    else {
        record_analyses(path, &[], size, &wanting, facts);
        return Ok(());
    };
    let mut content = Vec::with_capacity(size.min(max) as usize);
    entry.take(max + 1).read_to_end(&mut content)?;
    record_analyses(path, &content, size, &wanting, facts);
    Ok(())
}

pub(crate) fn wanting<'a>(
    analyzers: &[&'a dyn FileAnalyzer],
    path: &str,
) -> Vec<&'a dyn FileAnalyzer> {
    analyzers
        .iter()
        .copied()
        .filter(|a| a.wants(path))
        .collect()
}

/// Runs each analyzer on a file's content (`size` is the file's real size, which may exceed
/// what was read) and keeps results and warnings in `facts`.
pub(crate) fn record_analyses(
    path: &str,
    content: &[u8],
    size: u64,
    analyzers: &[&dyn FileAnalyzer],
    facts: &mut LayerFacts,
) {
    for analyzer in analyzers {
        let max = analyzer.max_size_for(path);
        if size > max {
            facts.warnings.push(format!(
                "{path}: skipped by {}: larger than {max} bytes",
                analyzer.key(),
            ));
            continue;
        }
        match analyzer.analyze(path, content) {
            Ok(Some(value)) => facts.analyses.push(FileAnalysis {
                analyzer: analyzer.key().to_string(),
                path: path.to_string(),
                value,
            }),
            Ok(None) => {}
            Err(warning) => facts.warnings.push(format!("{path}: {warning}")),
        }
    }
}

/// Second pass for hard links that analyzers asked for (busybox's applets, for one): runs
/// them on their targets' content under the link's path. The blob was verified by the
/// first pass.
pub fn analyze_link_targets(
    blob: impl Read,
    name: &str,
    analyzers: &[&dyn FileAnalyzer],
    facts: &mut LayerFacts,
) -> Result<()> {
    let what = || format!("layer {name}");
    let links = std::mem::take(&mut facts.pending_links);
    if links.is_empty() {
        return Ok(());
    }
    let mut by_target: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (link, target) in links {
        by_target.entry(target).or_default().push(link);
    }
    let mut buffered = BufReader::with_capacity(256 * 1024, blob);
    let head = peek(&mut buffered, 6).map_err(|e| Error::from_io(e, what))?;
    let decoder = match Compression::sniff(&head) {
        Ok(Compression::Gzip) => Decoder::Gzip(Box::new(MultiGzDecoder::new(buffered))),
        Ok(Compression::Zstd) => Decoder::Zstd(
            zstd::stream::read::Decoder::with_buffer(buffered)
                .map_err(|e| Error::from_io(e, what))?,
        ),
        _ => Decoder::Plain(buffered),
    };
    let mut archive = tar::Archive::new(TarGuard::new(decoder, name));
    for entry in archive.entries().map_err(|e| Error::from_io(e, what))? {
        let mut entry = entry.map_err(|e| Error::from_io(e, what))?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Ok(Some(path)) = normalize_entry_path(&raw) else {
            continue;
        };
        let Some(linked) = by_target.get(&path) else {
            continue;
        };
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let size = entry.size();
        let max = analyzers
            .iter()
            .flat_map(|a| linked.iter().map(|link| a.max_size_for(link)))
            .max()
            .unwrap_or(0);
        if size > max {
            continue;
        }
        let mut content = Vec::new();
        (&mut entry)
            .take(max + 1)
            .read_to_end(&mut content)
            .map_err(|e| Error::from_io(e, what))?;
        // Analyzers look at the path too (`/bin/busybox` vs `/bin/[`), so each link is
        // analyzed in its own name; the content is read once.
        for link in linked {
            let wanting = wanting(analyzers, link);
            record_analyses(link, &content, size, &wanting, facts);
        }
    }
    Ok(())
}
