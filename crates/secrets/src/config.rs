//! Every option of the secret scanner, loadable from a gitleaks-compatible TOML file
//! (`[[rules]]`, `[allowlist]`, `[extend] disabledRules`) with a few drydock additions.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::SecretConfigError;
use crate::rules::Severity;

/// Trees where secrets are documentation or test data of the OS and language runtimes,
/// not leaks: manuals, headers, locale data and the standard libraries of interpreters.
pub const DEFAULT_SKIP_PATHS: &[&str] = &[
    "/proc",
    "/sys",
    "/dev",
    "/usr/share/doc",
    "/usr/share/man",
    "/usr/share/info",
    "/usr/share/locale",
    "/usr/share/i18n",
    "/usr/share/zoneinfo",
    "/usr/share/common-licenses",
    "/usr/share/gtk-doc",
    "/usr/share/help",
    "/usr/share/perl",
    "/usr/share/perl5",
    "/usr/share/javascript",
    "/usr/include",
    "/usr/local/include",
    "/usr/lib/python2*",
    "/usr/lib/python3.*",
    "/usr/lib/pypy*",
    "/usr/local/lib/python*",
    "!/usr/local/lib/python*/site-packages",
    "/usr/lib/*/perl",
    "/usr/lib/*/perl5",
    "/usr/lib/*/perl-base",
    "/usr/lib/ruby",
    "/usr/lib/jvm",
    "/usr/lib/go",
    "/usr/lib/go-*",
    "/usr/local/go",
    "/usr/share/go-*",
    "/usr/lib/rustlib",
    "/usr/local/rustup",
    "/usr/lib/node_modules/npm",
    "/usr/local/lib/node_modules/npm",
    "/var/lib/dpkg/info",
    "/var/cache/debconf",
    "/etc/ssl/certs",
    "/usr/share/ca-certificates",
    // Test suites and fixtures of installed libraries carry sample keys on purpose.
    "**/site-packages/**/tests",
    "**/site-packages/**/test",
    "**/dist-packages/**/tests",
    "**/dist-packages/**/test",
    "**/node_modules/**/test",
    "**/node_modules/**/tests",
    "**/node_modules/**/__tests__",
    "**/testdata",
    "**/.git/objects",
    // Test suites vendored by software installed under the OS and application roots.
    "/usr/lib/**/tests",
    "/usr/lib/**/test",
    "/usr/lib/**/test_data",
    "/usr/lib/**/testdata",
    "/usr/lib/**/dummyserver",
    "/usr/share/**/tests",
    "/usr/share/**/test",
    "/usr/local/lib/**/tests",
    "/usr/local/lib/**/test",
    "/usr/local/share/**/tests",
    "/usr/local/share/**/test",
    "/opt/**/site-packages/**/tests",
    "/opt/**/node_modules/**/test",
];

/// Extensions whose files are never text worth reading (compressed, media, compiled).
pub const DEFAULT_SKIP_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns", "webp", "tif", "tiff", "svgz", "woff",
    "woff2", "ttf", "otf", "eot", "pfb", "pcf", "gz", "tgz", "xz", "txz", "bz2", "zst", "lz4",
    "lzma", "7z", "zip", "jar", "war", "ear", "whl", "egg", "apk", "deb", "rpm", "tar", "so", "a",
    "o", "ko", "dll", "exe", "dylib", "pyc", "pyo", "class", "mo", "gmo", "wasm", "mp3", "mp4",
    "ogg", "wav", "flac", "avi", "mkv", "pdf", "dat", "bin", "pack", "idx", "cache",
];

/// The secret scanner's options. Defaults scan with every built-in rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretConfig {
    /// Run the built-in rules (gitleaks' `[extend] useDefault` says the same).
    #[serde(alias = "use_builtin_rules")]
    pub use_builtin_rules: bool,
    /// Rule ids (built-in or user) to turn off.
    #[serde(alias = "disabled_rules")]
    pub disabled_rules: Vec<String>,
    /// Files larger than this are not read (gitleaks' `--max-target-megabytes`).
    #[serde(alias = "max_file_size")]
    pub max_file_size: u64,
    /// Path patterns never scanned, with everything under them: `*` and `?` stay within
    /// one path component, `**` spans any number of them, `[!x]` is a negated class; a
    /// pattern without a leading `/` matches at any depth; a leading `!` re-includes.
    #[serde(alias = "skip_paths")]
    pub skip_paths: Vec<String>,
    /// Added to `skip_paths` (so a config file need not repeat the defaults).
    #[serde(alias = "extra_skip_paths")]
    pub extra_skip_paths: Vec<String>,
    /// File-name extensions never read (lower case, no dot).
    #[serde(alias = "skip_extensions")]
    pub skip_extensions: Vec<String>,
    /// Look at the image config: `Env`, `Labels` and every history line.
    #[serde(alias = "scan_image_config")]
    pub scan_image_config: bool,
    /// Drop findings in files that still match the digest their package recorded
    /// (dpkg's `*.md5sums`, apk's `installed`, the rpm database): sample keys the
    /// distribution ships are not leaks.
    #[serde(alias = "skip_package_files")]
    pub skip_package_files: bool,
    /// gitleaks' `[extend]` table: `useDefault` and `disabledRules` are honoured.
    pub extend: Option<Extend>,
    /// User rules in gitleaks' format.
    pub rules: Vec<UserRule>,
    /// gitleaks' global allowlist (before 8.25) ...
    pub allowlist: Option<UserAllowlist>,
    /// ... and its newer list of global allowlists.
    pub allowlists: Vec<UserAllowlist>,
    /// gitleaks' file title; kept so such files load unchanged.
    pub title: Option<String>,
}

impl Default for SecretConfig {
    fn default() -> Self {
        SecretConfig {
            use_builtin_rules: true,
            disabled_rules: Vec::new(),
            max_file_size: 10 << 20,
            skip_paths: DEFAULT_SKIP_PATHS.iter().map(|s| s.to_string()).collect(),
            extra_skip_paths: Vec::new(),
            skip_extensions: DEFAULT_SKIP_EXTENSIONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            scan_image_config: true,
            skip_package_files: true,
            extend: None,
            rules: Vec::new(),
            allowlist: None,
            allowlists: Vec::new(),
            title: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Extend {
    #[serde(alias = "use_default")]
    pub use_default: Option<bool>,
    #[serde(alias = "disabled_rules")]
    pub disabled_rules: Vec<String>,
    /// Another config file to extend: not followed (only built-in defaults are).
    pub path: Option<String>,
}

/// One rule in gitleaks' `[[rules]]` shape, plus drydock's `severity`, `title`, `category`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserRule {
    pub id: String,
    pub description: Option<String>,
    /// RE2-style pattern (Rust `regex` syntax is the same for everything RE2 accepts).
    pub regex: Option<String>,
    /// Which capture group is the secret; unset: the first non-empty group, else the match.
    #[serde(alias = "secret_group")]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub entropy: Option<f64>,
    /// Lower-case words one of which must occur in a file before the regex runs.
    pub keywords: Vec<String>,
    /// Files the rule applies to; a rule with a path and no regex reports the file itself.
    pub path: Option<String>,
    pub tags: Vec<String>,
    pub severity: Option<Severity>,
    pub title: Option<String>,
    pub category: Option<String>,
    pub allowlist: Option<UserAllowlist>,
    pub allowlists: Vec<UserAllowlist>,
}

/// gitleaks' allowlist: a finding is dropped when its target matches (any or all, per
/// `condition`) of the regexes, its file matches a path pattern, or the secret contains a
/// stopword.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserAllowlist {
    pub description: Option<String>,
    /// `OR` (default) or `AND`.
    pub condition: Option<String>,
    /// `secret` (default), `match` or `line`.
    #[serde(alias = "regex_target")]
    pub regex_target: Option<String>,
    pub regexes: Vec<String>,
    pub paths: Vec<String>,
    pub stopwords: Vec<String>,
    /// Git commits: meaningless for images, accepted and ignored.
    pub commits: Vec<String>,
    /// In the newer global `[[allowlists]]`: the rules it applies to (all when empty).
    #[serde(alias = "target_rules")]
    pub target_rules: Vec<String>,
}

impl SecretConfig {
    /// Parses a TOML config (gitleaks' format or drydock's keys).
    pub fn from_toml_str(text: &str) -> Result<Self, SecretConfigError> {
        // The message and line only: toml's rendering quotes the offending source line,
        // which may hold an allowlisted secret.
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            SecretConfigError::Toml(match line {
                Some(line) => format!("line {line}: {}", e.message()),
                None => e.message().to_string(),
            })
        })
    }

    /// Reads `--secret-config FILE`.
    pub fn load(path: &Path) -> Result<Self, SecretConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| SecretConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text)
    }

    /// Whether the built-in rules run. Unlike gitleaks, user rules add to the built-in
    /// ones unless `useBuiltinRules = false` or `[extend] useDefault = false` says so.
    pub(crate) fn builtin_enabled(&self) -> bool {
        match self.extend.as_ref().and_then(|e| e.use_default) {
            Some(use_default) => use_default && self.use_builtin_rules,
            None => self.use_builtin_rules,
        }
    }

    /// Every disabled rule id, from both spellings.
    pub(crate) fn all_disabled(&self) -> impl Iterator<Item = &str> {
        self.disabled_rules
            .iter()
            .chain(self.extend.iter().flat_map(|e| e.disabled_rules.iter()))
            .map(String::as_str)
    }

    /// Every global allowlist, from both spellings.
    pub(crate) fn global_allowlists(&self) -> impl Iterator<Item = &UserAllowlist> {
        self.allowlist.iter().chain(self.allowlists.iter())
    }
}
