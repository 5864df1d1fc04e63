//! The secret scanner's part of the one pass over each layer: it reads every text file
//! not under a skipped tree and keeps, per file, the secrets' rule ids, lines, redacted
//! prefixes and hashes (never the secrets) in the layer facts.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use drydock_image::FileAnalyzer;

use crate::config::SecretConfig;
use crate::engine::Engine;
use crate::error::SecretConfigError;
use crate::hit::{sha256_hex, FileHits, RawHit};
use crate::rules::RuleInfo;

/// Cache key of the analyzer with the default configuration. Bump the version whenever
/// built-in rules or filters change what is found: cached layer facts are keyed by it.
pub const ANALYZER_KEY: &str = "secrets-v2";

/// Keys of non-default configurations, leaked once each: `FileAnalyzer::key` must be
/// `'static`, and a process only ever sees a handful of configurations.
static CONFIG_KEYS: LazyLock<Mutex<HashMap<String, &'static str>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn key_for(config: &SecretConfig) -> &'static str {
    if *config == SecretConfig::default() {
        return ANALYZER_KEY;
    }
    let canonical = serde_json::to_string(config).unwrap_or_default();
    let key = format!("{ANALYZER_KEY}-{}", &sha256_hex(canonical.as_bytes())[..16]);
    let mut keys = CONFIG_KEYS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    keys.entry(key.clone())
        .or_insert_with(|| Box::leak(key.into_boxed_str()))
}

/// A package manager's record of its files' digests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PackageDb {
    /// dpkg's per-package `*.md5sums` (`info/` on Debian, `status.d/` on distroless).
    DpkgMd5sums,
    /// apk's `installed` (SHA-1 or SHA-256 per file).
    Apk,
    /// rpm's database in any of its formats (FILEDIGESTS, SHA-256 on current distributions).
    Rpm,
}

fn package_db(path: &str) -> Option<PackageDb> {
    if (path.starts_with("/var/lib/dpkg/info/") || path.starts_with("/var/lib/dpkg/status.d/"))
        && path.ends_with(".md5sums")
    {
        Some(PackageDb::DpkgMd5sums)
    } else if drydock_inventory::APK_DATABASES.contains(&path) {
        Some(PackageDb::Apk)
    } else if drydock_inventory::RPM_DATABASES.contains(&path) {
        Some(PackageDb::Rpm)
    } else {
        None
    }
}

/// rpm databases of large images reach a few hundred MB (as the inventory allows).
const MAX_PACKAGE_DB_SIZE: u64 = 512 << 20;

/// `md5  relative/path` lines as `(absolute path, md5:hex)`.
fn parse_md5sums(content: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    content.split(|&b| b == b'\n').filter_map(|line| {
        let line = std::str::from_utf8(line).ok()?;
        let (md5, path) = line.split_once(char::is_whitespace)?;
        let path = path.trim_start();
        (md5.len() == 32 && !path.is_empty()).then(|| {
            (
                format!("/{}", path.trim_start_matches('/')),
                format!("md5:{}", md5.to_ascii_lowercase()),
            )
        })
    })
}

/// The `(path, algorithm:hex)` a package database records for its files.
fn package_digests(db: PackageDb, content: &[u8]) -> Result<Vec<(String, String)>, String> {
    Ok(match db {
        PackageDb::DpkgMd5sums => parse_md5sums(content).collect(),
        PackageDb::Apk => drydock_inventory::apk::file_digests(&String::from_utf8_lossy(content)),
        PackageDb::Rpm => {
            let db = drydock_inventory::rpm::read_rpmdb(content).map_err(|e| e.to_string())?;
            db.packages
                .into_iter()
                .flat_map(|p| p.files.into_iter().zip(p.file_digests))
                .filter(|(_, digest)| !digest.is_empty())
                .collect()
        }
    })
}

/// The digests a file with hits is compared under: whichever its package manager used.
fn file_digests(content: &[u8]) -> Vec<String> {
    use md5::Digest as _;
    vec![
        format!("md5:{:x}", md5::Md5::digest(content)),
        format!("sha1:{:x}", sha1::Sha1::digest(content)),
        format!("sha256:{}", sha256_hex(content)),
    ]
}

/// Finds secrets in layer files; see [`SecretAnalyzer::findings`] for the report.
pub struct SecretAnalyzer {
    pub(crate) engine: Engine,
    pub(crate) config: SecretConfig,
    key: &'static str,
}

impl std::fmt::Debug for SecretAnalyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretAnalyzer")
            .field("key", &self.key)
            .field("rules", &self.engine.rules().len())
            .finish()
    }
}

impl SecretAnalyzer {
    /// Compiles the built-in and user rules of `config`.
    pub fn new(config: &SecretConfig) -> Result<Self, SecretConfigError> {
        Ok(SecretAnalyzer {
            engine: Engine::new(config)?,
            config: config.clone(),
            key: key_for(config),
        })
    }

    /// Every rule in force (built-in and user, disabled ones included).
    pub fn rules(&self) -> &[RuleInfo] {
        self.engine.rules()
    }

    /// Whether a rule id exists and is not disabled.
    pub fn is_enabled(&self, rule: &str) -> bool {
        self.engine.is_enabled(rule)
    }

    /// Things worth telling the user about the configuration (unknown disabled ids).
    pub fn warnings(&self) -> &[String] {
        &self.engine.warnings
    }

    /// The package database at `path`, when package files are skipped.
    fn package_db(&self, path: &str) -> Option<PackageDb> {
        package_db(path).filter(|_| self.config.skip_package_files)
    }

    /// Whether a directory's whole subtree is skipped (for walkers that can prune).
    pub fn skips_dir(&self, path: &str) -> bool {
        self.engine.paths.skips_tree(path)
    }

    /// The secrets in one file's content, for callers outside the layer pipeline (a
    /// directory walk): the same result [`FileAnalyzer::analyze`] caches.
    pub fn scan_file(&self, path: &str, content: &[u8]) -> Vec<RawHit> {
        self.engine.scan_file(path, content)
    }
}

impl FileAnalyzer for SecretAnalyzer {
    fn key(&self) -> &'static str {
        self.key
    }

    fn wants(&self, path: &str) -> bool {
        self.package_db(path).is_some() || self.engine.wants(path)
    }

    fn max_size(&self) -> u64 {
        self.engine.max_file_size
    }

    fn max_size_for(&self, path: &str) -> u64 {
        match self.package_db(path) {
            Some(_) => MAX_PACKAGE_DB_SIZE.max(self.engine.max_file_size),
            None => self.engine.max_file_size,
        }
    }

    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<serde_json::Value>, String> {
        let file = if let Some(db) = self.package_db(path) {
            let owned = package_digests(db, content)?
                .into_iter()
                .filter(|(owned_path, _)| self.engine.wants(owned_path))
                .collect::<Vec<_>>();
            FileHits {
                owned,
                ..FileHits::default()
            }
        } else {
            let hits = self.engine.scan_file(path, content);
            let digests = if self.config.skip_package_files && !hits.is_empty() {
                file_digests(content)
            } else {
                Vec::new()
            };
            FileHits {
                hits,
                digests,
                owned: Vec::new(),
            }
        };
        if file.hits.is_empty() && file.owned.is_empty() {
            return Ok(None);
        }
        serde_json::to_value(file)
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_custom_configs_have_distinct_stable_keys() {
        let default = SecretAnalyzer::new(&SecretConfig::default()).unwrap();
        assert_eq!(default.key(), ANALYZER_KEY);
        let custom = SecretConfig {
            disabled_rules: vec!["jwt".into()],
            ..SecretConfig::default()
        };
        let a = SecretAnalyzer::new(&custom).unwrap();
        let b = SecretAnalyzer::new(&custom).unwrap();
        assert_ne!(a.key(), ANALYZER_KEY);
        assert_eq!(a.key(), b.key());
        assert!(std::ptr::eq(a.key(), b.key()), "interned once");
    }

    #[test]
    fn unknown_disabled_rules_are_warned_about() {
        let config = SecretConfig {
            disabled_rules: vec!["no-such-rule".into(), "jwt".into()],
            ..SecretConfig::default()
        };
        let analyzer = SecretAnalyzer::new(&config).unwrap();
        assert_eq!(analyzer.warnings().len(), 1);
        assert!(!analyzer.is_enabled("jwt"));
        assert!(analyzer.is_enabled("github-pat"));
    }
}
