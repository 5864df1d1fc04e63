//! The inventory's part of the one pass over each layer: it asks for OS release files and
//! package databases, parses them as they stream by, and later merges the per-layer
//! results into the image's inventory with the layer that brought each package in.

use std::collections::{BTreeMap, HashMap, HashSet};

use drydock_image::{Analysis, FileAnalyzer, Layer};
use serde::{Deserialize, Serialize};

use crate::apk::{self, ApkPackage};
use crate::dpkg::{self, DpkgPackage};
use crate::lang::{self, LangPackage};
use crate::model::{Inventory, LayerRef, OsInfo, Package, PackageKind};
use crate::{os, purl, rpm};

/// Bump whenever what the analyzer extracts changes: cached layer facts are keyed by it.
const KEY: &str = "inventory-v3";

/// Usr-merged Wolfi and Chainguard images keep it under /usr (with /lib a symlink).
pub const APK_DATABASES: &[&str] = &["/lib/apk/db/installed", "/usr/lib/apk/db/installed"];

/// Where rpm keeps its database: BerkeleyDB, NDB or SQLite, old and new locations.
pub const RPM_DATABASES: &[&str] = &[
    "/var/lib/rpm/Packages",
    "/var/lib/rpm/Packages.db",
    "/var/lib/rpm/rpmdb.sqlite",
    "/usr/lib/sysimage/rpm/Packages",
    "/usr/lib/sysimage/rpm/Packages.db",
    "/usr/lib/sysimage/rpm/rpmdb.sqlite",
];

/// Maintainer-script and metadata files that sit beside distroless `status.d` stanzas.
const STATUS_D_SIDECARS: &[&str] = &[
    ".md5sums",
    ".preinst",
    ".postinst",
    ".prerm",
    ".postrm",
    ".conffiles",
    ".list",
    ".triggers",
    ".shlibs",
    ".symbols",
    ".templates",
    ".config",
];

/// An RPM package as cached with the layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct RpmRecord {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epoch: Option<u32>,
    version: String,
    release: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_rpm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    license: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    modularity_label: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    files: Vec<String>,
}

/// What one file of one layer said.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum FileFacts {
    OsFile {
        text: String,
    },
    DpkgStatus {
        packages: Vec<DpkgPackage>,
        /// Records the parser skipped, each naming what was wrong (kept so warm scans
        /// report them too).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
    DpkgList {
        package: String,
        files: Vec<String>,
    },
    Apk {
        packages: Vec<ApkPackage>,
        /// Records the parser skipped, each naming what was wrong (kept so warm scans
        /// report them too).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
    Rpm {
        packages: Vec<RpmRecord>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
    Lang {
        packages: Vec<LangPackage>,
        /// Records the parser skipped, each naming what was wrong (kept so warm scans
        /// report them too).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
    /// A busybox binary, the only OS clue in busybox images.
    Busybox {
        version: String,
    },
}

const BUSYBOX: &str = "/bin/busybox";

/// `BusyBox v1.38.0` as every busybox binary prints it in its usage text.
fn busybox_version(content: &[u8]) -> Option<String> {
    let marker = b"BusyBox v";
    let start = content.windows(marker.len()).position(|w| w == marker)? + marker.len();
    let version: String = content[start..]
        .iter()
        .take(32)
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .map(|&b| b as char)
        .collect();
    (!version.is_empty()).then_some(version)
}

pub struct InventoryAnalyzer;

fn is_status_d(path: &str) -> bool {
    path.strip_prefix("/var/lib/dpkg/status.d/")
        .is_some_and(|name| {
            !name.contains('/') && !STATUS_D_SIDECARS.iter().any(|s| name.ends_with(s))
        })
}

impl FileAnalyzer for InventoryAnalyzer {
    fn key(&self) -> &'static str {
        KEY
    }

    fn wants(&self, path: &str) -> bool {
        os::OS_FILES.contains(&path)
            || path == "/var/lib/dpkg/status"
            || is_status_d(path)
            || dpkg::list_file_package(path).is_some()
            || APK_DATABASES.contains(&path)
            || RPM_DATABASES.contains(&path)
            || path == BUSYBOX
            || lang::catalogers().iter().any(|c| c.wants(path))
    }

    fn max_size(&self) -> u64 {
        // rpm databases of large images reach a few hundred MB.
        512 << 20
    }

    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<serde_json::Value>, String> {
        let text = || String::from_utf8_lossy(content);
        let facts = if os::OS_FILES.contains(&path) {
            if content.len() > 64 * 1024 {
                return Err("release file larger than 64 KiB".into());
            }
            FileFacts::OsFile {
                text: text().into_owned(),
            }
        } else if path == "/var/lib/dpkg/status" || is_status_d(path) {
            let (packages, warnings) = dpkg::parse_status(&text(), path == "/var/lib/dpkg/status");
            FileFacts::DpkgStatus { packages, warnings }
        } else if let Some(package) = dpkg::list_file_package(path) {
            FileFacts::DpkgList {
                package: package.to_string(),
                files: dpkg::parse_list(&text()),
            }
        } else if APK_DATABASES.contains(&path) {
            let (packages, warnings) = apk::parse_installed(&text());
            FileFacts::Apk { packages, warnings }
        } else if RPM_DATABASES.contains(&path) {
            let db = rpm::read_rpmdb(content).map_err(|e| e.to_string())?;
            FileFacts::Rpm {
                warnings: db.warnings,
                packages: db
                    .packages
                    .into_iter()
                    .map(|p| RpmRecord {
                        name: p.name,
                        epoch: p.epoch,
                        version: p.version,
                        release: p.release,
                        arch: p.arch,
                        source_rpm: p.source_rpm,
                        license: p.license,
                        vendor: p.vendor,
                        modularity_label: p.modularity_label,
                        files: p.files,
                    })
                    .collect(),
            }
        } else if path == BUSYBOX {
            match busybox_version(content) {
                Some(version) => FileFacts::Busybox { version },
                None => return Ok(None),
            }
        } else {
            return analyze_language_file(path, content);
        };
        serde_json::to_value(facts)
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

fn analyze_language_file(path: &str, content: &[u8]) -> Result<Option<serde_json::Value>, String> {
    let mut packages = Vec::new();
    let mut errors = Vec::new();
    for cataloger in lang::catalogers().into_iter().filter(|c| c.wants(path)) {
        if content.len() as u64 > cataloger.max_size() {
            errors.push(format!(
                "{}: larger than {} bytes",
                cataloger.name(),
                cataloger.max_size()
            ));
            continue;
        }
        match cataloger.parse(path, content) {
            Ok(found) => packages.extend(found),
            Err(err) => errors.push(format!("{}: {err}", cataloger.name())),
        }
    }
    if packages.is_empty() && !errors.is_empty() {
        return Err(errors.join("; "));
    }
    if packages.is_empty() {
        return Ok(None);
    }
    serde_json::to_value(FileFacts::Lang {
        packages,
        warnings: errors,
    })
    .map(Some)
    .map_err(|e| e.to_string())
}

/// File names whose packages are declared, not installed: an installed copy of the same
/// package under the lockfile's directory is the better record of it.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "composer.lock",
    "Gemfile.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "pylock.toml",
    "requirements.txt",
    "Cargo.lock",
    "go.mod",
    "packages.lock.json",
    "packages.config",
];

fn lockfile_dir(path: &str) -> Option<&str> {
    let (dir, name) = path.rsplit_once('/')?;
    (LOCKFILES.contains(&name) || (name.starts_with("requirements") && name.ends_with(".txt")))
        .then_some(dir)
}

/// PURL of a language package, per the purl-spec type rules.
fn lang_purl(p: &LangPackage) -> String {
    let kind = p.kind.as_str();
    let pkg = |namespace: Option<&str>, name: &str| match namespace.filter(|n| !n.is_empty()) {
        Some(ns) => {
            let ns: Vec<String> = ns.split('/').map(purl::encode).collect();
            format!(
                "pkg:{kind}/{}/{}@{}",
                ns.join("/"),
                purl::encode(name),
                purl::encode(&p.version)
            )
        }
        None => format!(
            "pkg:{kind}/{}@{}",
            purl::encode(name),
            purl::encode(&p.version)
        ),
    };
    match p.kind {
        PackageKind::Npm | PackageKind::Composer | PackageKind::Golang => {
            match p.name.rsplit_once('/') {
                Some((ns, name)) => pkg(Some(ns), name),
                None => pkg(None, &p.name),
            }
        }
        // PyPI names compare case-insensitively with runs of -_. folded to '-'.
        PackageKind::Pypi => pkg(None, &normalize_pypi(&p.name)),
        PackageKind::Maven => pkg(p.namespace.as_deref(), &p.name),
        _ => pkg(None, &p.name),
    }
}

/// PEP 503 name normalisation: lower case, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_pypi(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_sep = false;
        }
    }
    out
}

/// Splits `curl-7.76.1-14.el9.src.rpm` into name and `version-release`.
fn split_source_rpm(source_rpm: &str) -> Option<(String, String)> {
    let stem = source_rpm.strip_suffix(".rpm")?;
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _arch)| s);
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    Some((name.to_string(), format!("{version}-{release}")))
}

fn purl_namespace(os: Option<&OsInfo>, fallback: &str) -> String {
    match os.map(|o| o.id.as_str()) {
        Some("rhel") => "redhat".into(),
        Some(id) => id.into(),
        None => fallback.into(),
    }
}

/// One package as it stood in one version of a database file.
fn packages_of(facts: &FileFacts, os: Option<&OsInfo>, found_in: &str) -> Vec<Package> {
    let distro = os.map(|o| format!("{}-{}", o.id, o.version));
    let distro = distro.as_deref();
    match facts {
        FileFacts::DpkgStatus { packages, .. } => packages
            .iter()
            .map(|p| {
                // syft's spelling: the source name, with its version when that differs
                // (binNMUs such as bash 5.2.15-2+b13 from source 5.2.15-2).
                let upstream = if p.source_version != p.version {
                    Some(format!("{}@{}", p.source_name, p.source_version))
                } else {
                    (p.source_name != p.name).then(|| p.source_name.clone())
                };
                Package {
                    kind: PackageKind::Deb,
                    name: p.name.clone(),
                    version: p.version.clone(),
                    arch: p.arch.clone(),
                    epoch: None,
                    source_name: Some(p.source_name.clone()),
                    source_version: Some(p.source_version.clone()),
                    licenses: Vec::new(),
                    vendor: None,
                    modularity_label: None,
                    purl: purl::build(
                        "deb",
                        &purl_namespace(os, "debian"),
                        &p.name,
                        &p.version,
                        &[
                            ("arch", p.arch.as_deref()),
                            ("distro", distro),
                            ("upstream", upstream.as_deref()),
                        ],
                    ),
                    found_in: found_in.to_string(),
                    layer: None,
                    files: Vec::new(),
                }
            })
            .collect(),
        FileFacts::Apk { packages, .. } => packages
            .iter()
            .map(|p| {
                let upstream = p.origin.as_deref().filter(|o| *o != p.name);
                Package {
                    kind: PackageKind::Apk,
                    name: p.name.clone(),
                    version: p.version.clone(),
                    arch: p.arch.clone(),
                    epoch: None,
                    source_name: Some(p.origin.clone().unwrap_or_else(|| p.name.clone())),
                    source_version: Some(p.version.clone()),
                    licenses: p.license.iter().cloned().collect(),
                    vendor: None,
                    modularity_label: None,
                    purl: purl::build(
                        "apk",
                        &purl_namespace(os, "alpine"),
                        &p.name,
                        &p.version,
                        &[
                            ("arch", p.arch.as_deref()),
                            ("distro", distro),
                            ("upstream", upstream),
                        ],
                    ),
                    found_in: found_in.to_string(),
                    layer: None,
                    files: p.files.clone(),
                }
            })
            .collect(),
        FileFacts::Rpm { packages, .. } => packages
            .iter()
            .filter(|p| p.name != "gpg-pubkey") // imported signing keys, not software
            .map(|p| {
                let version = match p.epoch {
                    Some(e) => format!("{e}:{}-{}", p.version, p.release),
                    None => format!("{}-{}", p.version, p.release),
                };
                let (source_name, source_version) = p
                    .source_rpm
                    .as_deref()
                    .and_then(split_source_rpm)
                    .map_or((None, None), |(n, v)| (Some(n), Some(v)));
                let epoch = p.epoch.map(|e| e.to_string());
                Package {
                    kind: PackageKind::Rpm,
                    name: p.name.clone(),
                    version,
                    arch: p.arch.clone(),
                    epoch: p.epoch,
                    source_name,
                    source_version,
                    licenses: p.license.iter().cloned().collect(),
                    vendor: p.vendor.clone(),
                    modularity_label: p.modularity_label.clone(),
                    purl: purl::build(
                        "rpm",
                        &purl_namespace(os, "redhat"),
                        &p.name,
                        &format!("{}-{}", p.version, p.release),
                        &[
                            ("arch", p.arch.as_deref()),
                            ("distro", distro),
                            ("epoch", epoch.as_deref()),
                            ("upstream", p.source_rpm.as_deref()),
                        ],
                    ),
                    found_in: found_in.to_string(),
                    layer: None,
                    files: p.files.clone(),
                }
            })
            .collect(),
        FileFacts::OsFile { .. }
        | FileFacts::DpkgList { .. }
        | FileFacts::Lang { .. }
        | FileFacts::Busybox { .. } => Vec::new(),
    }
}

fn package_key(p: &Package) -> (String, String, Option<String>) {
    (p.name.clone(), p.version.clone(), p.arch.clone())
}

/// Merges the per-layer facts into the image's inventory. `layers` describes the image's
/// layers (empty for a root filesystem directory, which is one unnamed layer).
pub fn build_inventory(layers: &[Layer], analysis: &Analysis) -> Inventory {
    let mut inventory = Inventory::default();
    // Every version of every analyzed file, in layer order.
    let mut versions: BTreeMap<&str, Vec<(usize, FileFacts)>> = BTreeMap::new();
    for (index, facts) in analysis.layers.iter().enumerate() {
        for analysis_entry in facts.analyses.iter().filter(|a| a.analyzer == KEY) {
            match serde_json::from_value::<FileFacts>(analysis_entry.value.clone()) {
                Ok(parsed) => versions
                    .entry(&analysis_entry.path)
                    .or_default()
                    .push((index, parsed)),
                Err(err) => inventory.warnings.push(format!(
                    "{}: unreadable cached facts: {err}",
                    analysis_entry.path
                )),
            }
        }
        inventory.warnings.extend(facts.warnings.iter().cloned());
    }
    // The version a path has in the final filesystem, if any.
    let is_final =
        |path: &str, layer: usize| analysis.view.get(path).is_some_and(|n| n.layer == layer);
    let final_version = |path: &str| -> Option<&FileFacts> {
        versions
            .get(path)?
            .iter()
            .rev()
            .find(|(layer, _)| is_final(path, *layer))
            .map(|(_, f)| f)
    };
    let read_os_file = |path: &str| match final_version(path) {
        Some(FileFacts::OsFile { text }) => Some(text.clone()),
        _ => None,
    };
    for (path, history) in &versions {
        let Some((_, facts)) = history.iter().rev().find(|(l, _)| is_final(path, *l)) else {
            continue;
        };
        let warnings = match facts {
            FileFacts::DpkgStatus { warnings, .. }
            | FileFacts::Apk { warnings, .. }
            | FileFacts::Rpm { warnings, .. }
            | FileFacts::Lang { warnings, .. } => warnings.as_slice(),
            _ => &[],
        };
        inventory
            .warnings
            .extend(warnings.iter().map(|w| format!("{path}: {w}")));
    }
    inventory.os = os::detect(&read_os_file).or_else(|| match final_version(BUSYBOX) {
        Some(FileFacts::Busybox { version }) => Some(os::busybox(version, BUSYBOX)),
        _ => None,
    });
    let os_info = inventory.os.as_ref();

    let layer_ref = |index: usize| {
        let layer = layers.get(index);
        LayerRef {
            index,
            diff_id: layer.map(|l| l.diff_id.to_string()),
            created_by: layer
                .and_then(|l| l.history.as_ref())
                .and_then(|h| h.created_by.clone()),
        }
    };
    let mut owned: HashMap<String, Vec<String>> = HashMap::new();
    for (path, history) in &versions {
        if let Some((_, FileFacts::DpkgList { package, files })) =
            history.iter().rev().find(|(l, _)| is_final(path, *l))
        {
            owned
                .entry(package.clone())
                .or_default()
                .extend(files.iter().cloned());
        }
    }
    for (path, history) in &versions {
        let Some(final_index) = history.iter().rposition(|(l, _)| is_final(path, *l)) else {
            continue;
        };
        // A package is attributed to the last layer whose version of the database newly
        // listed it (so an upgrade in a later layer is that layer's doing).
        let mut added_in: HashMap<(String, String, Option<String>), usize> = HashMap::new();
        let mut previous: HashSet<(String, String, Option<String>)> = HashSet::new();
        for (layer, facts) in &history[..=final_index] {
            let current: HashSet<_> = packages_of(facts, os_info, path)
                .iter()
                .map(package_key)
                .collect();
            for key in &current {
                if !previous.contains(key) {
                    added_in.insert(key.clone(), *layer);
                }
            }
            previous = current;
        }
        let (last_layer, facts) = &history[final_index];
        for mut package in packages_of(facts, os_info, path) {
            let layer = added_in
                .get(&package_key(&package))
                .copied()
                .unwrap_or(*last_layer);
            package.layer = Some(layer_ref(layer));
            if package.kind == PackageKind::Deb {
                package.files = owned.get(&package.name).cloned().unwrap_or_default();
            }
            inventory.packages.push(package);
        }
    }
    add_language_packages(&mut inventory, &versions, &is_final, &layer_ref);
    inventory.packages.sort_by(|a, b| {
        (a.kind, &a.name, &a.version, &a.found_in).cmp(&(b.kind, &b.name, &b.version, &b.found_in))
    });
    inventory
}

/// Language packages of the final filesystem: each attributed to the layer that wrote its
/// file; files that an OS package owns are the OS package's (already reported); a lockfile
/// entry that is also installed under the lockfile's directory is reported once.
fn add_language_packages(
    inventory: &mut Inventory,
    versions: &BTreeMap<&str, Vec<(usize, FileFacts)>>,
    is_final: &dyn Fn(&str, usize) -> bool,
    layer_ref: &dyn Fn(usize) -> LayerRef,
) {
    let os_owned: HashSet<&str> = inventory
        .packages
        .iter()
        .flat_map(|p| p.files.iter().map(String::as_str))
        .collect();
    let mut found: Vec<(usize, LangPackage)> = Vec::new();
    for (path, history) in versions {
        let Some((layer, FileFacts::Lang { packages, .. })) =
            history.iter().rev().find(|(l, _)| is_final(path, *l))
        else {
            continue;
        };
        if os_owned.contains(path) {
            continue;
        }
        found.extend(packages.iter().map(|p| (*layer, p.clone())));
    }
    let mut installed: HashMap<(PackageKind, String, String), Vec<&str>> = HashMap::new();
    for (_, p) in found
        .iter()
        .filter(|(_, p)| lockfile_dir(&p.path).is_none())
    {
        installed
            .entry((p.kind, p.name.to_ascii_lowercase(), p.version.clone()))
            .or_default()
            .push(&p.path);
    }
    let mut kept = Vec::new();
    let mut seen = HashSet::new();
    for (layer, p) in &found {
        let key = (p.kind, p.name.to_ascii_lowercase(), p.version.clone());
        if let Some(dir) = lockfile_dir(&p.path) {
            let under = format!("{dir}/");
            if installed
                .get(&key)
                .is_some_and(|paths| paths.iter().any(|i| i.starts_with(&under)))
            {
                continue;
            }
        }
        if !seen.insert((key, p.path.clone())) {
            continue;
        }
        kept.push((*layer, p.clone()));
    }
    for (layer, p) in kept {
        inventory.packages.push(Package {
            kind: p.kind,
            purl: lang_purl(&p),
            name: match &p.namespace {
                Some(group) if p.kind == PackageKind::Maven => format!("{group}:{}", p.name),
                _ => p.name.clone(),
            },
            version: p.version.clone(),
            arch: None,
            epoch: None,
            source_name: None,
            source_version: None,
            licenses: p.licenses.clone(),
            vendor: None,
            modularity_label: None,
            found_in: p.path.clone(),
            layer: Some(layer_ref(layer)),
            files: Vec::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_names_normalise() {
        assert_eq!(normalize_pypi("PyYAML"), "pyyaml");
        assert_eq!(normalize_pypi("zope.interface"), "zope-interface");
        assert_eq!(normalize_pypi("Flask__SQL-alchemy"), "flask-sql-alchemy");
    }

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("curl-7.76.1-14.el9.src.rpm"),
            Some(("curl".into(), "7.76.1-14.el9".into()))
        );
        assert_eq!(
            split_source_rpm("python3-pip-21.2.3-6.el9.src.rpm"),
            Some(("python3-pip".into(), "21.2.3-6.el9".into()))
        );
        assert_eq!(split_source_rpm("(none)"), None);
    }

    #[test]
    fn language_purls() {
        let p = |kind, name: &str, namespace: Option<&str>, version: &str| LangPackage {
            kind,
            name: name.into(),
            namespace: namespace.map(str::to_string),
            version: version.into(),
            licenses: vec![],
            path: "/x".into(),
        };
        assert_eq!(
            lang_purl(&p(PackageKind::Npm, "@babel/core", None, "7.0.0")),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            lang_purl(&p(PackageKind::Npm, "lodash", None, "4.17.15")),
            "pkg:npm/lodash@4.17.15"
        );
        assert_eq!(
            lang_purl(&p(PackageKind::Pypi, "PyYAML", None, "5.3")),
            "pkg:pypi/pyyaml@5.3"
        );
        assert_eq!(
            lang_purl(&p(PackageKind::Pypi, "zope.interface", None, "5.0")),
            "pkg:pypi/zope-interface@5.0"
        );
        assert_eq!(
            lang_purl(&p(
                PackageKind::Maven,
                "commons-io",
                Some("commons-io"),
                "2.11.0"
            )),
            "pkg:maven/commons-io/commons-io@2.11.0"
        );
        assert_eq!(
            lang_purl(&p(
                PackageKind::Golang,
                "github.com/gorilla/mux",
                None,
                "v1.8.0"
            )),
            "pkg:golang/github.com/gorilla/mux@v1.8.0"
        );
        assert_eq!(lockfile_dir("/app/package-lock.json"), Some("/app"));
        assert_eq!(lockfile_dir("/app/node_modules/x/package.json"), None);
    }

    #[test]
    fn wanted_paths() {
        let a = InventoryAnalyzer;
        assert!(a.wants("/var/lib/dpkg/status"));
        assert!(a.wants("/var/lib/dpkg/status.d/libsqlite3-0"));
        assert!(a.wants("/var/lib/dpkg/status.d/python3.11"));
        assert!(!a.wants("/var/lib/dpkg/status.d/libsqlite3-0.md5sums"));
        assert!(a.wants("/var/lib/dpkg/info/libc6:amd64.list"));
        assert!(!a.wants("/var/lib/dpkg/info/libc6.md5sums"));
        assert!(a.wants("/usr/lib/sysimage/rpm/rpmdb.sqlite"));
        assert!(a.wants("/usr/lib/apk/db/installed"));
        assert!(!a.wants("/etc/passwd"));
    }
}
