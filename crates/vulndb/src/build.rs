//! `db build`: reads feeds from disk (folders, tar(.zst|.gz) bundles, zip archives), turns
//! each record into the one model, and writes a new database file atomically.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::model::Advisory;
use crate::store::{SourceInfo, StoreError, Writer};
use crate::{
    alpine, feeds_amazon, feeds_debian, feeds_ghsa, feeds_kev, feeds_npm, feeds_nvd, feeds_oval,
    feeds_packagist, feeds_redhat, feeds_rubysec, feeds_ubuntu, feeds_wolfi, osv,
};

/// Largest single document read from a feed.
const MAX_DOCUMENT: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no advisories found in {0}")]
    Empty(String),
}

/// What a build produced.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub sources: Vec<SourceInfo>,
    pub advisories: u64,
}

#[derive(Default)]
struct SourceState {
    origin: String,
    ids: HashSet<String>,
    skipped: u64,
    newest: Option<String>,
    warnings: Vec<String>,
    unsupported: BTreeMap<String, u64>,
}

struct Builder {
    writer: Writer,
    sources: BTreeMap<String, SourceState>,
    seen_rows: HashSet<(String, String, String, String)>,
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Builder {
    fn state(&mut self, source: &str) -> &mut SourceState {
        self.sources.entry(source.to_string()).or_default()
    }

    fn warn(&mut self, source: &str, warning: String) {
        let state = self.state(source);
        state.skipped += 1;
        // Keep the report readable: the first warnings name the records, the rest are counted.
        if state.warnings.len() < 20 {
            state.warnings.push(warning);
        }
    }

    /// A problem inside a record that was still stored (a package row dropped): reported,
    /// not counted as a skipped record.
    fn note(&mut self, source: &str, warning: String) {
        let state = self.state(source);
        if state.warnings.len() < 20 {
            state.warnings.push(warning);
        }
    }

    fn store(&mut self, source: &str, advisory: Advisory) -> Result<(), BuildError> {
        let key = advisory.id.clone();
        self.store_record(source, key, advisory)
    }

    /// Stores an advisory counted under `key` in the source's record count: feeds whose
    /// records are not advisories (one OVAL definition per CVE × package, several
    /// documents about one CVE) count what they publish, not the ids they merge into.
    fn store_record(
        &mut self,
        source: &str,
        key: String,
        mut advisory: Advisory,
    ) -> Result<(), BuildError> {
        // The same record can arrive twice (AlmaLinux keeps identical files per release;
        // Alpine lists a CVE once per branch): keep each affected row once.
        advisory.affected.retain(|a| {
            let ranges = serde_json::to_string(&a.ranges).unwrap_or_default();
            self.seen_rows.insert((
                advisory.id.clone(),
                a.ecosystem.clone(),
                a.package.clone(),
                ranges,
            ))
        });
        let newest = advisory.modified.clone().or(advisory.published.clone());
        let state = self.state(source);
        if let Some(date) = newest.filter(|d| !d.starts_with("0001")) {
            if state.newest.as_ref().is_none_or(|n| &date > n) {
                state.newest = Some(date);
            }
        }
        state.ids.insert(key);
        self.writer.add(source, &advisory)?;
        Ok(())
    }

    /// One document of a feed: sniffed, parsed, stored; unknown formats are counted.
    fn document(&mut self, source: &str, name: &str, bytes: &[u8]) -> Result<(), BuildError> {
        let lower = name.to_ascii_lowercase();
        let yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
        // Extension-less JSON too (the Security Data API names files `CVE-2023-5217`).
        let json = lower.ends_with(".json") || (!yaml && trim_start_text(bytes).starts_with(b"{"));
        let file_name = name.rsplit('/').next().unwrap_or(name);
        // Ubuntu CVE Tracker: one extension-less text file per CVE (active/, retired/, ignored/).
        if !yaml
            && !json
            && file_name.starts_with("CVE-")
            && bytes.windows(10).any(|w| w == b"Candidate:")
        {
            match feeds_ubuntu::parse(
                &String::from_utf8_lossy(bytes),
                feeds_ubuntu::RELEASES_2020_04,
            ) {
                Ok(advisory) => self.store(source, advisory)?,
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
            return Ok(());
        }
        let trimmed = trim_start_text(bytes);
        if !yaml && !json && trimmed.starts_with(b"<") {
            return self.markup(source, name, bytes);
        }
        if !yaml && !json && feeds_debian::looks_like_list(name, &String::from_utf8_lossy(bytes)) {
            let (advisories, warnings) = feeds_debian::parse(&String::from_utf8_lossy(bytes), name);
            for w in warnings {
                self.warn(source, w);
            }
            for advisory in advisories {
                self.store(source, advisory)?;
            }
            return Ok(());
        }
        if !yaml && !json {
            return Ok(());
        }
        // Sniff the whole text: long `details` can push the telling keys far down.
        let head = String::from_utf8_lossy(bytes);
        if let Some(format) = json.then(|| feeds_nvd::sniff(&head)).flatten() {
            match feeds_nvd::parse(bytes, format) {
                Ok(infos) => {
                    for info in &infos {
                        self.writer.add_cve_info(info)?;
                    }
                    let state = self.state(source);
                    state.ids.extend(infos.into_iter().map(|i| i.cve));
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if json && feeds_redhat::looks_like_csaf(&head) {
            match feeds_redhat::parse_csaf(bytes) {
                Ok(advisory) => self.store_record(source, name.to_string(), advisory)?,
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if json && feeds_redhat::looks_like_securitydata(&head) {
            match feeds_redhat::parse_securitydata(bytes) {
                Ok(advisory) => self.store_record(source, name.to_string(), advisory)?,
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if json && feeds_ghsa::looks_like_ghsa_graphql(&head) {
            match feeds_ghsa::parse(bytes, name) {
                Ok((advisory, warnings)) => {
                    warnings.into_iter().for_each(|w| self.note(source, w));
                    self.store_record(source, name.to_string(), advisory)?;
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if let Some(kind) = json.then(|| feeds_npm::kind_for_path(name)).flatten() {
            match feeds_npm::parse(bytes, name, kind) {
                Ok((advisory, warnings)) => {
                    warnings.into_iter().for_each(|w| self.note(source, w));
                    self.store(source, advisory)?;
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if yaml && feeds_rubysec::looks_like_rubysec(name, &head) {
            match feeds_rubysec::parse(bytes, name) {
                Ok((advisory, warnings)) => {
                    warnings.into_iter().for_each(|w| self.note(source, w));
                    self.store_record(source, name.to_string(), advisory)?;
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if yaml && feeds_packagist::looks_like_friendsofphp(&head) {
            match feeds_packagist::parse(bytes, name) {
                Ok((advisory, warnings)) => {
                    warnings.into_iter().for_each(|w| self.note(source, w));
                    self.store(source, advisory)?;
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if yaml && lower.ends_with(".advisories.yaml") {
            match feeds_wolfi::parse(bytes) {
                Ok(advisories) => {
                    for advisory in advisories {
                        self.store(source, advisory)?;
                    }
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if json
            && head.contains("\"catalogVersion\"")
            && head.contains("\"cveID\"")
            && !head.contains("\"$schema\"")
        {
            match feeds_kev::parse(bytes) {
                Ok(entries) => {
                    for entry in &entries {
                        self.writer.add_known_exploited(entry)?;
                    }
                    let state = self.state(source);
                    state
                        .ids
                        .extend(entries.iter().map(|e| format!("KEV:{}", e.cve)));
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if alpine::looks_like_secdb(&head) {
            let distro = if source.contains("wolfi") {
                "Wolfi"
            } else {
                "Alpine"
            };
            match alpine::parse(bytes, yaml, distro) {
                Ok(advisories) => {
                    for advisory in advisories {
                        self.store(source, advisory)?;
                    }
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if osv::looks_like_osv(&head) {
            match osv::parse(bytes, yaml) {
                Ok(advisory) => self.store(source, advisory)?,
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else {
            let kind = if yaml { "YAML" } else { "JSON" };
            *self
                .state(source)
                .unsupported
                .entry(kind.into())
                .or_default() += 1;
        }
        Ok(())
    }

    /// XML and HTML documents: OVAL definitions, ALAS feeds and pages.
    fn markup(&mut self, source: &str, name: &str, bytes: &[u8]) -> Result<(), BuildError> {
        let text = String::from_utf8_lossy(bytes);
        if feeds_oval::looks_like_oval(&text) {
            let file = name.rsplit('/').next().unwrap_or(name);
            match feeds_oval::parse(&text, file) {
                Ok(out) => {
                    for warning in out.warnings {
                        self.note(source, warning);
                    }
                    for record in out.records {
                        self.store_record(source, record.key, record.advisory)?;
                    }
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if feeds_amazon::looks_like_rss(&text) {
            match feeds_amazon::parse_rss(&text) {
                Ok(advisories) => {
                    for advisory in advisories {
                        self.store(source, advisory)?;
                    }
                }
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else if feeds_amazon::looks_like_page(&text) {
            match feeds_amazon::parse_page(&text) {
                Ok(advisory) => self.store(source, advisory)?,
                Err(err) => self.warn(source, format!("{name}: {err}")),
            }
        } else {
            *self
                .state(source)
                .unsupported
                .entry("XML/HTML".into())
                .or_default() += 1;
        }
        Ok(())
    }

    fn archive(&mut self, source: &str, path: &Path) -> Result<(), BuildError> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let file = File::open(path).map_err(io_err(path))?;
        if name.ends_with(".zip") {
            return self.zip(source, path, file);
        }
        let reader: Box<dyn Read> = if name.ends_with(".tar.zst") {
            Box::new(zstd::stream::read::Decoder::new(file).map_err(io_err(path))?)
        } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
        } else if name.ends_with(".tar") {
            Box::new(BufReader::new(file))
        } else if let Some(inner) = name.strip_suffix(".zst") {
            // A single compressed document (`known_exploited_vulnerabilities.json.zst`).
            let mut bytes = Vec::new();
            zstd::stream::read::Decoder::new(file)
                .map_err(io_err(path))?
                .take(MAX_DOCUMENT)
                .read_to_end(&mut bytes)
                .map_err(io_err(path))?;
            return self.document(source, inner, &bytes);
        } else {
            return Ok(());
        };
        let mut tar = tar::Archive::new(reader);
        let entries = tar.entries().map_err(io_err(path))?;
        for entry in entries {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    self.warn(
                        source,
                        format!("{}: damaged archive: {err}", path.display()),
                    );
                    break;
                }
            };
            if entry.header().entry_type() != tar::EntryType::Regular {
                continue;
            }
            let member = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            if entry.size() > MAX_DOCUMENT {
                self.warn(
                    source,
                    format!("{member}: larger than {MAX_DOCUMENT} bytes"),
                );
                continue;
            }
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            if let Err(err) = entry.read_to_end(&mut bytes) {
                self.warn(
                    source,
                    format!("{}: truncated archive at {member}: {err}", path.display()),
                );
                break;
            }
            self.document(source, &member, &bytes)?;
        }
        Ok(())
    }

    fn zip(&mut self, source: &str, path: &Path, file: File) -> Result<(), BuildError> {
        let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
            Ok(archive) => archive,
            Err(err) => {
                self.warn(
                    source,
                    format!("{}: not a readable zip: {err}", path.display()),
                );
                return Ok(());
            }
        };
        for i in 0..archive.len() {
            let Ok(mut entry) = archive.by_index(i) else {
                continue;
            };
            let member = entry.name().map(|n| n.to_string()).unwrap_or_default();
            let mut bytes = Vec::new();
            if (&mut entry)
                .take(MAX_DOCUMENT + 1)
                .read_to_end(&mut bytes)
                .is_err()
                || bytes.len() as u64 > MAX_DOCUMENT
            {
                self.warn(source, format!("{member}: unreadable or too large"));
                continue;
            }
            self.document(source, &member, &bytes)?;
        }
        Ok(())
    }

    fn walk(&mut self, source: &str, dir: &Path) -> Result<(), BuildError> {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(io_err(dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            // `samples/` folders hold copies of archive members: reading them would count twice.
            if path.is_dir() {
                if name != "samples" {
                    self.walk(source, &path)?;
                }
            } else if [".json", ".yaml", ".yml", ".xml"]
                .iter()
                .any(|ext| name.to_ascii_lowercase().ends_with(ext))
                // Extension-less feed files: Debian's `list`, Security Data API `CVE-…`,
                // ALAS pages, Ubuntu tracker files.
                || !name.contains('.')
            {
                let bytes = read_capped(&path)?;
                // The whole path: some feeds are told apart by their folders (`gems/`,
                // `vuln/npm/`, `data/DSA/`).
                self.document(source, &path.to_string_lossy(), &bytes)?;
            } else {
                self.archive(source, &path)?;
            }
        }
        Ok(())
    }
}

/// The bytes after a UTF-8 byte-order mark and leading whitespace.
fn trim_start_text(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn read_capped(path: &Path) -> Result<Vec<u8>, BuildError> {
    let mut bytes = Vec::new();
    File::open(path)
        .map_err(io_err(path))?
        .take(MAX_DOCUMENT)
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    Ok(bytes)
}

/// Builds a database at `output` from feed folders. Each folder's sub-folders are sources
/// (`alpine/`, `go/`, …); a folder of feed files is one source named after it. The file is
/// written next to `output` and renamed over it only when complete and checked, so a
/// failed build leaves the previous database untouched.
pub fn build(inputs: &[PathBuf], output: &Path, built_at: &str) -> Result<BuildReport, BuildError> {
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let tmp = tempfile::Builder::new()
        .prefix(".drydock-db-")
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    let mut builder = Builder {
        writer: Writer::create(tmp.path())?,
        sources: BTreeMap::new(),
        seen_rows: HashSet::new(),
    };
    for input in inputs {
        let meta = fs::metadata(input).map_err(io_err(input))?;
        let input_name = input
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "feeds".into());
        if meta.is_file() {
            builder.state(&input_name).origin = input.display().to_string();
            builder.archive(&input_name, input)?;
            continue;
        }
        let mut children: Vec<PathBuf> = fs::read_dir(input)
            .map_err(io_err(input))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        children.sort();
        let has_subdirs = children
            .iter()
            .any(|c| c.is_dir() && !c.ends_with("samples"));
        if has_subdirs {
            for child in children
                .iter()
                .filter(|c| c.is_dir() && !c.ends_with("samples"))
            {
                let source = child
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                builder.state(&source).origin = child.display().to_string();
                builder.walk(&source, child)?;
            }
        } else {
            builder.state(&input_name).origin = input.display().to_string();
            builder.walk(&input_name, input)?;
        }
    }
    let mut report = BuildReport::default();
    let sources = std::mem::take(&mut builder.sources);
    for (name, state) in sources {
        let mut warnings = state.warnings;
        for (kind, count) in &state.unsupported {
            warnings.push(format!("{count} {kind} documents in a format not read yet"));
        }
        let info = SourceInfo {
            name,
            origin: state.origin,
            records: state.ids.len() as u64,
            skipped: state.skipped,
            newest: state.newest,
            warnings,
        };
        report.advisories += info.records;
        builder.writer.add_source(&info)?;
        report.sources.push(info);
    }
    if report.advisories == 0 {
        let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(BuildError::Empty(names.join(", ")));
    }
    builder.writer.finish(built_at)?;
    tmp.persist(output).map_err(|e| BuildError::Io {
        path: output.to_path_buf(),
        source: e.error,
    })?;
    Ok(report)
}
