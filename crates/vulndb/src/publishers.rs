//! `db update` straight from the publishers: a catalogue of where each source drydock reads
//! is published, and an update that fetches those files (conditionally, resumably), stages
//! them one folder per source, and builds exactly as `db build` does over the same files.
//!
//! Staging layout (`staging` is the CLI's `<cache>/publishers`):
//! - `sources/<name>/…` the downloaded files, kept between runs for conditional requests;
//! - `state.json` the validators (ETag / Last-Modified) per file and the files of each
//!   source's last successful update;
//! - `build/<name>/…` hard links to the files the build reads, rebuilt on every update.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::build::build;
use crate::fetch::{FetchError, Fetcher, Outcome, Validators};
use crate::update::{SourceFailure, UpdateError, UpdateReport};

/// Largest file taken from a publisher (Red Hat's VEX archive is the biggest).
const MAX_FILE: u64 = 8 << 30;

const OSV_BUCKET: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Alpine branches fetched when none are configured: the ones still supported.
pub const ALPINE_BRANCHES: &[&str] = &["v3.20", "v3.21", "v3.22", "v3.23"];

/// How a publisher lays out a source.
#[derive(Debug)]
enum Layout {
    /// OSV bucket: `<base>/<Ecosystem>/all.zip` per ecosystem.
    Osv(&'static [&'static str]),
    /// Fixed files: (path under the base, staged name, optional).
    Files(&'static [(&'static str, &'static str, bool)]),
    /// Alpine secdb: `<base>/<branch>/main.json` and `community.json`.
    AlpineSecdb,
    /// A small index file naming the current archive (`archive_latest.txt`).
    Latest(&'static str),
}

/// One source in the catalogue.
#[derive(Debug)]
pub struct Publisher {
    /// The source's name in the database (the folder name of `db build`'s layout).
    pub name: &'static str,
    pub about: &'static str,
    pub default_base: &'static str,
    /// Fetched when no `--source` is given.
    pub default: bool,
    layout: Layout,
}

/// Every source drydock can fetch from its publisher.
pub static CATALOGUE: &[Publisher] = &[
    Publisher {
        name: "alpine",
        about: "Alpine secdb, main and community of each configured branch",
        default_base: "https://secdb.alpinelinux.org",
        default: true,
        layout: Layout::AlpineSecdb,
    },
    Publisher {
        name: "almalinux",
        about: "AlmaLinux errata (OSV)",
        default_base: OSV_BUCKET,
        default: true,
        layout: Layout::Osv(&["AlmaLinux"]),
    },
    Publisher {
        name: "rocky",
        about: "Rocky Linux errata (OSV)",
        default_base: OSV_BUCKET,
        default: true,
        layout: Layout::Osv(&["Rocky Linux"]),
    },
    Publisher {
        name: "go",
        about: "Go vulnerability database (OSV)",
        default_base: OSV_BUCKET,
        default: true,
        layout: Layout::Osv(&["Go"]),
    },
    Publisher {
        name: "pypi",
        about: "Python packages: PyPA advisories and GHSA (OSV)",
        default_base: OSV_BUCKET,
        default: true,
        layout: Layout::Osv(&["PyPI"]),
    },
    Publisher {
        name: "ghsa",
        about: "GitHub advisories for npm, Maven and NuGet packages (OSV)",
        default_base: OSV_BUCKET,
        default: true,
        layout: Layout::Osv(&["npm", "Maven", "NuGet"]),
    },
    Publisher {
        name: "rustsec",
        about: "RustSec advisories, the OSV branch of the advisory-db repository",
        default_base: "https://github.com/rustsec/advisory-db/archive/refs/heads",
        default: true,
        layout: Layout::Files(&[("osv.tar.gz", "advisory-db-osv.tar.gz", false)]),
    },
    Publisher {
        name: "rubygems",
        about: "ruby-advisory-db (gems and Ruby interpreters)",
        default_base: "https://github.com/rubysec/ruby-advisory-db/archive/refs/heads",
        default: true,
        layout: Layout::Files(&[("master.tar.gz", "ruby-advisory-db.tar.gz", false)]),
    },
    Publisher {
        name: "packagist",
        about: "FriendsOfPHP security-advisories (Composer packages)",
        default_base: "https://github.com/FriendsOfPHP/security-advisories/archive/refs/heads",
        default: true,
        layout: Layout::Files(&[("master.tar.gz", "security-advisories.tar.gz", false)]),
    },
    Publisher {
        name: "npm",
        about: "Node.js security-wg: Node.js runtime and legacy npm advisories",
        default_base: "https://github.com/nodejs/security-wg/archive/refs/heads",
        default: true,
        layout: Layout::Files(&[("main.tar.gz", "security-wg.tar.gz", false)]),
    },
    Publisher {
        name: "kev",
        about: "CISA Known Exploited Vulnerabilities catalog",
        default_base: "https://www.cisa.gov/sites/default/files/feeds",
        default: true,
        layout: Layout::Files(&[(
            "known_exploited_vulnerabilities.json",
            "known_exploited_vulnerabilities.json",
            false,
        )]),
    },
    Publisher {
        name: "debian",
        about: "Debian security tracker DSA/DLA/DTSA lists",
        default_base: "https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master",
        default: true,
        layout: Layout::Files(&[
            ("data/DSA/list", "data/DSA/list", false),
            ("data/DLA/list", "data/DLA/list", false),
            ("data/DTSA/list", "data/DTSA/list", true),
        ]),
    },
    Publisher {
        name: "azurelinux",
        about: "Azure Linux and CBL-Mariner OVAL",
        default_base: "https://raw.githubusercontent.com/microsoft/AzureLinuxVulnerabilityData/main",
        default: true,
        layout: Layout::Files(&[
            ("azurelinux-3.0-oval.xml", "azurelinux-3.0-oval.xml", true),
            ("cbl-mariner-2.0-oval.xml", "cbl-mariner-2.0-oval.xml", true),
            ("cbl-mariner-1.0-oval.xml", "cbl-mariner-1.0-oval.xml", true),
        ]),
    },
    Publisher {
        name: "photon",
        about: "VMware Photon OS OVAL (Photon 3, 4, 5)",
        default_base: "https://packages.vmware.com/photon/photon_oval_definitions",
        default: true,
        layout: Layout::Files(&[
            (
                "com.vmware.phsa-photon3.xml.gz",
                "com.vmware.phsa-photon3.xml.gz",
                true,
            ),
            (
                "com.vmware.phsa-photon4.xml.gz",
                "com.vmware.phsa-photon4.xml.gz",
                true,
            ),
            (
                "com.vmware.phsa-photon5.xml.gz",
                "com.vmware.phsa-photon5.xml.gz",
                true,
            ),
        ]),
    },
    Publisher {
        name: "redhat",
        about: "Red Hat CSAF VEX, the full archive named by archive_latest.txt (several GB: not fetched unless asked for)",
        default_base: "https://security.access.redhat.com/data/csaf/v2/vex",
        default: false,
        layout: Layout::Latest("archive_latest.txt"),
    },
    Publisher {
        name: "amazon",
        about: "Amazon Linux ALAS RSS feeds (advisories without package versions: not fetched unless asked for)",
        default_base: "https://alas.aws.amazon.com",
        default: false,
        layout: Layout::Files(&[
            ("AL2023/alas.rss", "AL2023-alas.xml", false),
            ("AL2/alas.rss", "AL2-alas.xml", false),
            ("alas.rss", "AL1-alas.xml", true),
        ]),
    },
];

/// Sources `db build` reads that have no publisher download modelled here, and why.
pub static MIRROR_ONLY: &[(&str, &str)] = &[
    (
        "nvd",
        "the NVD API is paged and rate-limited (the JSON 1.1 feeds are retired)",
    ),
    (
        "ubuntu",
        "the adapter reads the 2020 Ubuntu CVE Tracker release columns only",
    ),
    ("oracle", "ELSA OVAL is published bzip2-compressed only"),
    ("suse", "the OVAL file set per product is not modelled"),
    (
        "wolfi",
        "newer Wolfi advisory data is not licensed for redistribution or competing scanners",
    ),
    ("debian-changelog", "derived data, not published upstream"),
];

/// What to fetch: `sources` empty means the default set (`all` selects every source);
/// `base_urls` overrides a source's base URL (else `DRYDOCK_SOURCE_URL_<NAME>`, else the
/// publisher's own); `alpine_branches` empty means [`ALPINE_BRANCHES`].
#[derive(Clone, Debug, Default)]
pub struct PublisherOptions {
    pub sources: Vec<String>,
    pub base_urls: Vec<(String, String)>,
    pub alpine_branches: Vec<String>,
    /// The most one file may take (default [`crate::fetch::DEFAULT_DOWNLOAD_TIMEOUT`]).
    pub download_timeout: Option<std::time::Duration>,
}

/// The environment variable that sets a source's base URL.
pub fn url_env_var(name: &str) -> String {
    format!(
        "DRYDOCK_SOURCE_URL_{}",
        name.to_ascii_uppercase().replace('-', "_")
    )
}

fn find(name: &str) -> Result<&'static Publisher, UpdateError> {
    if let Some(p) = CATALOGUE.iter().find(|p| p.name == name) {
        return Ok(p);
    }
    if let Some((_, why)) = MIRROR_ONLY.iter().find(|(n, _)| *n == name) {
        return Err(UpdateError::Options(format!(
            "source {name} is available from a mirror only: {why}"
        )));
    }
    let known: Vec<&str> = CATALOGUE.iter().map(|p| p.name).collect();
    Err(UpdateError::Options(format!(
        "unknown source {name:?} (known: {})",
        known.join(", ")
    )))
}

fn check_url(name: &str, url: &str) -> Result<String, UpdateError> {
    let url = url.trim().trim_end_matches('/');
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.contains(char::is_whitespace)
    {
        return Err(UpdateError::Options(format!(
            "base URL for {name} must be an http(s) URL, got {url:?}"
        )));
    }
    Ok(url.to_string())
}

impl PublisherOptions {
    /// The selected publishers with their base URLs, in catalogue order.
    fn selected(&self) -> Result<Vec<(&'static Publisher, String)>, UpdateError> {
        let mut wanted: Vec<&'static Publisher> = Vec::new();
        if self.sources.is_empty() {
            wanted.extend(CATALOGUE.iter().filter(|p| p.default));
        }
        for name in self
            .sources
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match name {
                "all" => wanted.extend(CATALOGUE.iter()),
                "default" => wanted.extend(CATALOGUE.iter().filter(|p| p.default)),
                _ => wanted.push(find(name)?),
            }
        }
        let mut overrides: BTreeMap<&str, String> = BTreeMap::new();
        for (name, url) in &self.base_urls {
            let publisher = find(name.trim())?;
            overrides.insert(publisher.name, check_url(publisher.name, url)?);
        }
        let mut out: Vec<(&'static Publisher, String)> = Vec::new();
        for publisher in CATALOGUE {
            if !wanted.iter().any(|w| w.name == publisher.name) {
                continue;
            }
            let base = match overrides.get(publisher.name) {
                Some(url) => url.clone(),
                None => match std::env::var(url_env_var(publisher.name)) {
                    Ok(url) if !url.trim().is_empty() => check_url(publisher.name, &url)?,
                    _ => publisher.default_base.to_string(),
                },
            };
            out.push((publisher, base));
        }
        Ok(out)
    }

    fn branches(&self) -> Result<Vec<String>, UpdateError> {
        let branches: Vec<String> = if self.alpine_branches.is_empty() {
            ALPINE_BRANCHES.iter().map(|b| b.to_string()).collect()
        } else {
            self.alpine_branches
                .iter()
                .map(|b| b.trim().to_string())
                .filter(|b| !b.is_empty())
                .collect()
        };
        for branch in &branches {
            let numbered = branch.strip_prefix('v').is_some_and(|rest| {
                let mut parts = rest.split('.');
                let ok = |p: Option<&str>| {
                    p.is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                };
                ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
            });
            if !numbered && branch != "edge" {
                return Err(UpdateError::Options(format!(
                    "Alpine branch {branch:?} is not of the form v3.20 (or edge)"
                )));
            }
        }
        Ok(branches)
    }
}

/// How a downloaded file is checked before it replaces the staged copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
    Zip,
    Json,
    Xml,
    Text,
    TarGz,
    TarZst,
    /// A gzip-compressed document, unpacked next to it for the build.
    Gzip,
}

impl Check {
    fn for_name(name: &str) -> Check {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".zip") {
            Check::Zip
        } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Check::TarGz
        } else if lower.ends_with(".tar.zst") {
            Check::TarZst
        } else if lower.ends_with(".gz") {
            Check::Gzip
        } else if lower.ends_with(".json") {
            Check::Json
        } else if lower.ends_with(".xml") || lower.ends_with(".rss") {
            Check::Xml
        } else {
            Check::Text
        }
    }
}

struct FileSpec {
    /// Path under the base URL, percent-encoded.
    path: String,
    /// Where it is staged inside the source's folder.
    staged: String,
    optional: bool,
}

fn encode_path(path: &str) -> String {
    path.replace('%', "%25").replace(' ', "%20")
}

fn file_specs(
    publisher: &Publisher,
    options: &PublisherOptions,
) -> Result<Vec<FileSpec>, UpdateError> {
    Ok(match &publisher.layout {
        Layout::Osv(ecosystems) => ecosystems
            .iter()
            .map(|eco| FileSpec {
                path: encode_path(&format!("{eco}/all.zip")),
                staged: format!("{eco}/all.zip"),
                optional: false,
            })
            .collect(),
        Layout::Files(files) => files
            .iter()
            .map(|(path, staged, optional)| FileSpec {
                path: path.to_string(),
                staged: staged.to_string(),
                optional: *optional,
            })
            .collect(),
        Layout::AlpineSecdb => options
            .branches()?
            .into_iter()
            .flat_map(|branch| {
                // Not every branch has a community repository in the secdb.
                [("main", false), ("community", true)].map(|(repo, optional)| FileSpec {
                    path: format!("{branch}/{repo}.json"),
                    staged: format!("{branch}/{repo}.json"),
                    optional,
                })
            })
            .collect(),
        Layout::Latest(_) => Vec::new(),
    })
}

#[derive(Default, Serialize, Deserialize)]
struct State {
    #[serde(default)]
    files: BTreeMap<String, FileState>,
    /// The files of each source's last successful update (what a failed update falls back to).
    #[serde(default)]
    sources: BTreeMap<String, Vec<String>>,
}

#[derive(Default, Serialize, Deserialize)]
struct FileState {
    url: String,
    #[serde(flatten)]
    validators: Validators,
}

impl State {
    fn load(path: &Path) -> State {
        fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn save(&self, path: &Path) -> Result<(), UpdateError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let io_err = |source| UpdateError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err)?;
        serde_json::to_writer_pretty(tmp.as_file_mut(), self).map_err(|e| io_err(e.into()))?;
        tmp.persist(path).map_err(|e| io_err(e.error))?;
        Ok(())
    }
}

fn part_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    target.with_file_name(name)
}

/// Reads a whole tar stream: a truncated or corrupt archive fails here, not in the build.
fn read_tar(reader: impl Read) -> io::Result<()> {
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        io::copy(&mut entry?, &mut io::sink())?;
    }
    Ok(())
}

/// Checks a complete download; a gzip document is unpacked to `unpacked`.
fn verify(check: Check, path: &Path, unpacked: &Path) -> Result<(), String> {
    let open = || File::open(path).map_err(|e| e.to_string());
    match check {
        Check::Zip => {
            let mut zip = zip::ZipArchive::new(BufReader::new(open()?))
                .map_err(|e| format!("not a readable zip: {e}"))?;
            // Entry headers and names come from the central directory, written last.
            for i in 0..zip.len() {
                zip.by_index_raw(i)
                    .map_err(|e| format!("damaged zip: {e}"))?;
            }
        }
        Check::Json => {
            serde_json::from_reader::<_, serde::de::IgnoredAny>(BufReader::new(open()?))
                .map_err(|e| format!("not complete JSON: {e}"))?;
        }
        Check::Xml => {
            // The root element's name is at the start and its closing tag at the end: read
            // those, not the whole document (the build parses it).
            let len = fs::metadata(path).map_err(|e| e.to_string())?.len();
            let ends = if len <= 128 << 10 {
                read_head(path, len).map_err(|e| e.to_string())?
            } else {
                let mut ends = read_head(path, 64 << 10).map_err(|e| e.to_string())?;
                ends.extend(read_tail(path, 64 << 10).map_err(|e| e.to_string())?);
                ends
            };
            if !xml_complete(&ends) {
                return Err("not a complete XML document".into());
            }
        }
        Check::Text => {
            let head = read_head(path, 4096).map_err(|e| e.to_string())?;
            let tail = read_tail(path, 1).map_err(|e| e.to_string())?;
            if head.is_empty() {
                return Err("empty file".into());
            }
            // A login or rate-limit page served with 200 in place of the list.
            let start = String::from_utf8_lossy(&head).to_ascii_lowercase();
            if start.contains("<html") || start.contains("<!doctype") {
                return Err("an HTML page, not the feed".into());
            }
            // Line-oriented feeds end with a newline; a cut-off transfer usually does not.
            if tail != b"\n" {
                return Err("does not end with a newline (cut off?)".into());
            }
        }
        Check::TarGz => read_tar(flate2::read::MultiGzDecoder::new(BufReader::new(open()?)))
            .map_err(|e| format!("damaged tar.gz: {e}"))?,
        Check::TarZst => {
            let decoder = zstd::stream::read::Decoder::new(open()?).map_err(|e| e.to_string())?;
            read_tar(decoder).map_err(|e| format!("damaged tar.zst: {e}"))?
        }
        Check::Gzip => {
            let dir = unpacked.parent().unwrap_or(Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
            // Bounded: a gzip bomb must not fill the disk.
            let copied = io::copy(
                &mut flate2::read::MultiGzDecoder::new(BufReader::new(open()?))
                    .take(MAX_UNPACKED + 1),
                tmp.as_file_mut(),
            )
            .map_err(|e| format!("damaged gzip: {e}"))?;
            if copied > MAX_UNPACKED {
                return Err(format!("unpacks to more than {MAX_UNPACKED} bytes"));
            }
            tmp.persist(unpacked).map_err(|e| e.error.to_string())?;
        }
    }
    Ok(())
}

/// A URL fit for warnings and logs: a `user:token@` in it is dropped.
pub fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// The largest a single-file feed may unpack to (OVAL documents are tens of MB).
const MAX_UNPACKED: u64 = 4 << 30;

fn read_head(path: &Path, n: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)?.take(n).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn read_tail(path: &Path, n: u64) -> io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(n)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Whether a document ends with the closing tag of its root element (a cut-off download
/// does not); parsing is left to the build.
fn xml_complete(bytes: &[u8]) -> bool {
    let text = bytes.trim_ascii();
    let mut rest = text;
    // Skip the declaration, comments and doctype to the root element's name.
    let root = loop {
        let Some(i) = rest.iter().position(|&b| b == b'<') else {
            return false;
        };
        rest = &rest[i + 1..];
        if rest
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            let end = rest
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
                .unwrap_or(rest.len());
            break &rest[..end];
        }
    };
    let tail = &text[text.len().saturating_sub(root.len() + 64)..];
    let mut closing = b"</".to_vec();
    closing.extend_from_slice(root);
    text.ends_with(b">")
        && (tail.windows(closing.len()).any(|w| w == closing.as_slice())
            // A root that closes itself: `<root/>`.
            || rest.iter().position(|&b| b == b'>').is_some_and(|i| i + 1 == rest.len() && i > 0 && rest[i - 1] == b'/'))
}

/// The file name the build reads for a staged file (gzip documents are read unpacked).
fn build_name(staged: &str) -> String {
    match Check::for_name(staged) {
        Check::Gzip => staged[..staged.len() - 3].to_string(),
        _ => staged.to_string(),
    }
}

struct SourceRun<'a> {
    fetcher: &'a Fetcher,
    state: &'a mut State,
    report: &'a mut UpdateReport,
    dir: PathBuf,
    name: &'static str,
}

enum FileError {
    /// The publisher has no such file (404/410).
    Missing(String),
    Failed(String),
}

impl SourceRun<'_> {
    /// Brings one staged file up to date.
    fn file(&mut self, url: &str, staged: &str) -> Result<(), FileError> {
        let target = self.dir.join(staged);
        let part = part_path(&target);
        let unpacked = self.dir.join(build_name(staged));
        let key = format!("{}/{staged}", self.name);
        let parent = target.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&parent)
            .map_err(|e| FileError::Failed(format!("{}: {e}", parent.display())))?;
        let known = self.state.files.get(&key).filter(|s| s.url == url);
        let current = known
            .filter(|_| target.is_file() && unpacked.is_file())
            .map(|s| s.validators.clone());
        let check = Check::for_name(staged);
        let result = self.fetcher.fetch(url, current.as_ref(), &part, MAX_FILE);
        let entry = self.state.files.entry(key).or_default();
        if entry.url != url {
            *entry = FileState {
                url: url.to_string(),
                ..FileState::default()
            };
        }
        match result {
            Ok(Outcome::NotModified) => {
                self.report.reused += 1;
                Ok(())
            }
            Ok(Outcome::Downloaded {
                validators,
                resumed,
            }) => {
                if let Err(reason) = verify(check, &part, &unpacked) {
                    let _ = fs::remove_file(&part);
                    return Err(FileError::Failed(format!(
                        "{}: {reason}",
                        without_userinfo(url)
                    )));
                }
                fs::rename(&part, &target)
                    .map_err(|e| FileError::Failed(format!("{}: {e}", target.display())))?;
                entry.validators = validators;
                self.report.downloaded += 1;
                if resumed {
                    self.report.resumed += 1;
                }
                Ok(())
            }
            // What arrived stays in the `.part` file for the next run to continue.
            Err(err) => {
                if err.is_not_found() {
                    Err(FileError::Missing(format!(
                        "{}: {err}",
                        without_userinfo(url)
                    )))
                } else if let FetchError::Io(e) = &err {
                    Err(FileError::Failed(format!("{}: {e}", part.display())))
                } else {
                    Err(FileError::Failed(format!(
                        "{}: {err}",
                        without_userinfo(url)
                    )))
                }
            }
        }
    }

    /// Updates a source; returns the files (relative to its folder) the build reads.
    fn run(
        &mut self,
        publisher: &Publisher,
        base: &str,
        options: &PublisherOptions,
    ) -> Result<Vec<String>, String> {
        let mut specs = file_specs(publisher, options).map_err(|e| e.to_string())?;
        if let Layout::Latest(index) = publisher.layout {
            let url = format!("{base}/{index}");
            self.file(&url, index).map_err(|e| match e {
                FileError::Missing(r) | FileError::Failed(r) => r,
            })?;
            let named = read_head(&self.dir.join(index), 4096).map_err(|e| e.to_string())?;
            let named = String::from_utf8_lossy(&named);
            let archive = named.trim();
            // The index is remote input: one plain file name of safe characters, nothing
            // that leaves the folder or changes the URL.
            if archive.is_empty()
                || archive.starts_with('.')
                || !archive
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                || !(archive.ends_with(".tar.zst") || archive.ends_with(".tar.gz"))
            {
                return Err(format!(
                    "{}: does not name an archive: {archive:?}",
                    without_userinfo(&url)
                ));
            }
            specs.push(FileSpec {
                path: archive.to_string(),
                staged: archive.to_string(),
                optional: false,
            });
        }
        let mut got = Vec::new();
        for spec in specs {
            let url = format!("{base}/{}", spec.path);
            match self.file(&url, &spec.staged) {
                Ok(()) => got.push(build_name(&spec.staged)),
                Err(FileError::Missing(reason)) if spec.optional => {
                    self.report
                        .notes
                        .push(format!("{}: not published: {reason}", self.name));
                }
                Err(FileError::Missing(reason) | FileError::Failed(reason)) => return Err(reason),
            }
        }
        if got.is_empty() {
            return Err(format!("nothing published under {base}"));
        }
        if matches!(publisher.layout, Layout::Latest(_)) {
            // Superseded archives are large: keep only the current one.
            if let Some(previous) = self.state.sources.get(self.name) {
                for old in previous.iter().filter(|f| !got.contains(f)) {
                    let _ = fs::remove_file(self.dir.join(old));
                }
            }
        }
        Ok(got)
    }
}

/// Hard links (or copies) `files` of a source folder into the build folder.
fn link_source(from: &Path, to: &Path, files: &[String]) -> io::Result<usize> {
    let mut linked = 0;
    for file in files {
        let src = from.join(file);
        if !src.is_file() {
            continue;
        }
        let dst = to.join(file);
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent)?;
        }
        if fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst)?;
        }
        linked += 1;
    }
    Ok(linked)
}

/// Fetches the selected sources from their publishers into `staging` and builds the
/// database at `output`. A source that fails is left out with a warning (its files from
/// the last successful update are used when there are any); when no source could be
/// fetched the previous database stays as it was and this fails.
pub fn update_from_publishers(
    options: &PublisherOptions,
    staging: &Path,
    output: &Path,
    built_at: &str,
) -> Result<UpdateReport, UpdateError> {
    let selected = options.selected()?;
    if selected.is_empty() {
        return Err(UpdateError::Options("no source selected".into()));
    }
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| UpdateError::Io { path, source }
    };
    let _lock = crate::update::lock_staging(staging)?;
    let sources_dir = staging.join("sources");
    fs::create_dir_all(&sources_dir).map_err(io_err(&sources_dir))?;
    let state_path = staging.join("state.json");
    let mut state = State::load(&state_path);
    let fetcher = Fetcher::new().with_download_timeout(
        options
            .download_timeout
            .unwrap_or(crate::fetch::DEFAULT_DOWNLOAD_TIMEOUT),
    );
    let mut report = UpdateReport::default();
    let mut usable: Vec<(&str, Vec<String>)> = Vec::new();
    let mut fresh = 0;
    for (publisher, base) in &selected {
        let mut run = SourceRun {
            fetcher: &fetcher,
            state: &mut state,
            report: &mut report,
            dir: sources_dir.join(publisher.name),
            name: publisher.name,
        };
        match run.run(publisher, base, options) {
            Ok(files) => {
                fresh += 1;
                state
                    .sources
                    .insert(publisher.name.to_string(), files.clone());
                usable.push((publisher.name, files));
            }
            Err(reason) => {
                let previous = state
                    .sources
                    .get(publisher.name)
                    .cloned()
                    .unwrap_or_default();
                let dir = sources_dir.join(publisher.name);
                let stale = !previous.is_empty() && previous.iter().all(|f| dir.join(f).is_file());
                tracing::debug!("{}: {reason}", publisher.name);
                report.failed.push(SourceFailure {
                    source: publisher.name.to_string(),
                    reason,
                    stale,
                });
                if stale {
                    usable.push((publisher.name, previous));
                }
            }
        }
        state.save(&state_path)?;
    }
    if fresh == 0 {
        let reasons: Vec<String> = report
            .failed
            .iter()
            .map(|f| format!("{}: {}", f.source, f.reason))
            .collect();
        return Err(UpdateError::AllFailed(reasons.join("; ")));
    }
    // A source the current database has but this update could not provide at all would
    // vanish from it: keep the database as it is instead (scans would say "no data").
    if output.is_file() {
        if let Ok(current) = crate::Database::open(output).and_then(|db| db.sources()) {
            let dropped: Vec<&str> = report
                .failed
                .iter()
                .filter(|f| !f.stale && current.iter().any(|s| s.name == f.source))
                .map(|f| f.source.as_str())
                .collect();
            if !dropped.is_empty() {
                return Err(UpdateError::WouldDrop(dropped.join(", ")));
            }
        }
    }
    let view = staging.join("build");
    if view.exists() {
        fs::remove_dir_all(&view).map_err(io_err(&view))?;
    }
    for (name, files) in &usable {
        let to = view.join(name);
        fs::create_dir_all(&to).map_err(io_err(&to))?;
        link_source(&sources_dir.join(name), &to, files).map_err(io_err(&to))?;
    }
    report.build = build(&[view], output, built_at)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_and_base_urls() {
        let options = PublisherOptions::default();
        let selected = options.selected().unwrap();
        assert!(selected.iter().any(|(p, _)| p.name == "go"));
        assert!(!selected.iter().any(|(p, _)| p.name == "redhat"));

        let options = PublisherOptions {
            sources: vec!["kev".into(), "go".into()],
            base_urls: vec![("kev".into(), "http://feeds.example.invalid/kev/".into())],
            alpine_branches: vec![],
            download_timeout: None,
        };
        let selected = options.selected().unwrap();
        let names: Vec<_> = selected.iter().map(|(p, b)| (p.name, b.as_str())).collect();
        assert_eq!(
            names,
            [
                ("go", OSV_BUCKET),
                ("kev", "http://feeds.example.invalid/kev")
            ]
        );

        for bad in [
            PublisherOptions {
                sources: vec!["nope".into()],
                ..Default::default()
            },
            PublisherOptions {
                sources: vec!["nvd".into()],
                ..Default::default()
            },
            PublisherOptions {
                base_urls: vec![("go".into(), "ftp://x.invalid".into())],
                ..Default::default()
            },
        ] {
            assert!(bad.selected().is_err());
        }
        assert_eq!(
            url_env_var("debian-changelog"),
            "DRYDOCK_SOURCE_URL_DEBIAN_CHANGELOG"
        );
    }

    #[test]
    fn file_layouts() {
        let options = PublisherOptions {
            alpine_branches: vec!["v3.20".into(), "edge".into()],
            ..Default::default()
        };
        let paths = |name: &str| -> Vec<String> {
            let p = CATALOGUE.iter().find(|p| p.name == name).unwrap();
            file_specs(p, &options)
                .unwrap()
                .into_iter()
                .map(|f| f.path)
                .collect()
        };
        assert_eq!(paths("rocky"), ["Rocky%20Linux/all.zip"]);
        assert_eq!(
            paths("alpine"),
            [
                "v3.20/main.json",
                "v3.20/community.json",
                "edge/main.json",
                "edge/community.json"
            ]
        );
        for bad in ["3.20", "v3", "../x", "v3.20/.."] {
            let options = PublisherOptions {
                alpine_branches: vec![bad.into()],
                ..Default::default()
            };
            assert!(options.branches().is_err(), "{bad}");
        }
        assert_eq!(
            build_name("a/com.vmware.phsa-photon5.xml.gz"),
            "a/com.vmware.phsa-photon5.xml"
        );
        assert_eq!(build_name("x.tar.gz"), "x.tar.gz");
    }

    #[test]
    fn truncated_downloads_fail_verification() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let unpacked = dir.path().join("u");
        fs::write(
            &path,
            br#"{"catalogVersion": "1", "vulnerabilities": [{"cveID""#,
        )
        .unwrap();
        assert!(verify(Check::Json, &path, &unpacked).is_err());
        fs::write(&path, b"PK\x03\x04 not really").unwrap();
        assert!(verify(Check::Zip, &path, &unpacked).is_err());
        fs::write(&path, b"<oval_definitions><x/>").unwrap();
        assert!(verify(Check::Xml, &path, &unpacked).is_err());
        fs::write(&path, b"<?xml version=\"1.0\"?>\n<!-- c --><oval_definitions a=\"1\"><x/></oval_definitions>\n").unwrap();
        verify(Check::Xml, &path, &unpacked).unwrap();
        assert!(xml_complete(b"<rss/>"));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, b"<a>hello</a>").unwrap();
        let bytes = gz.finish().unwrap();
        fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        assert!(verify(Check::Gzip, &path, &unpacked).is_err());
        fs::write(&path, &bytes).unwrap();
        verify(Check::Gzip, &path, &unpacked).unwrap();
        assert_eq!(fs::read(&unpacked).unwrap(), b"<a>hello</a>");
    }
}
