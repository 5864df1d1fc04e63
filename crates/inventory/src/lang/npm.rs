//! npm ecosystem: installed `package.json` files, `package-lock.json` /
//! `npm-shrinkwrap.json` (v1, v2, v3), `yarn.lock` (v1 and berry) and `pnpm-lock.yaml`
//! (v5, v6, v9).
//!
//! Policy, chosen to match what Trivy and Syft report by default for an image:
//! - every `package.json` with a name and a version is a package (installed modules under
//!   `node_modules/` and the project itself), except VS Code extensions and Unity
//!   packages, which are not npm packages;
//! - lockfiles report what they pin, without development-only dependencies where the
//!   lockfile marks them, without the root project (its own `package.json` reports it),
//!   and without entries whose version is not known (links, local folders, git in v1);
//! - lockfiles inside `node_modules/` belong to a dependency's own development setup and
//!   are ignored.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

use super::{Cataloger, LangPackage};
use crate::model::PackageKind;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    vec![&PACKAGE_JSON, &PACKAGE_LOCK, &YARN_LOCK, &PNPM_LOCK]
}

static PACKAGE_JSON: PackageJson = PackageJson;
static PACKAGE_LOCK: PackageLock = PackageLock;
static YARN_LOCK: YarnLock = YarnLock;
static PNPM_LOCK: PnpmLock = PnpmLock;

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn inside_node_modules(path: &str) -> bool {
    path.contains("/node_modules/")
}

fn npm_package(name: &str, version: &str, licenses: Vec<String>, path: &str) -> LangPackage {
    LangPackage {
        kind: PackageKind::Npm,
        name: name.to_string(),
        namespace: None,
        version: version.to_string(),
        licenses,
        path: path.to_string(),
    }
}

/// Splits `name@version` (also `@scope/name@version`) at the `@` that ends the name.
fn split_name_at(spec: &str) -> Option<(&str, &str)> {
    let skip = usize::from(spec.starts_with('@'));
    let at = spec.get(skip..)?.find('@')? + skip;
    Some((&spec[..at], &spec[at + 1..]))
}

/// A version a registry would serve (`1.2.3`, `1.0.0-rc.1`), not a URL, path or tag.
fn is_plain_version(version: &str) -> bool {
    version.starts_with(|c: char| c.is_ascii_digit())
        && !version.contains(|c: char| c == ':' || c == '/' || c.is_whitespace())
}

/// npm's rule for package names (what `npm publish` accepts, capitals allowed for old
/// packages): an optional `@scope/` then URL-safe characters.
fn is_valid_npm_name(name: &str) -> bool {
    fn part_ok(part: &str) -> bool {
        !part.is_empty()
            && !part.starts_with(['.', '_'])
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    }
    match name.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, rest)) => part_ok(scope) && part_ok(rest),
            None => false,
        },
        None => part_ok(name),
    }
}

/// The licences of a `package.json` or lockfile entry in any of their historical
/// shapes: `"MIT"`, `{"type": "MIT"}`, `[{"type": "MIT"}, "ISC"]`, and the legacy
/// `licenses` array. Anything else (numbers, unknown objects, null) gives none.
fn licenses_of(entry: &Value) -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
            Value::Object(map) => {
                if let Some(Value::String(s)) = map.get("type") {
                    if !s.trim().is_empty() {
                        out.push(s.trim().to_string());
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    if !item.is_array() {
                        collect(item, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(&entry["license"], &mut out);
    if out.is_empty() {
        collect(&entry["licenses"], &mut out);
    }
    out.dedup();
    out
}

fn parse_json(content: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(content).map_err(|e| format!("invalid JSON: {e}"))
}

// ---------------------------------------------------------------------------------------
// package.json

/// `package.json` anywhere: installed modules and the project itself.
struct PackageJson;

impl Cataloger for PackageJson {
    fn name(&self) -> &'static str {
        "npm"
    }

    fn wants(&self, path: &str) -> bool {
        file_name(path) == "package.json"
    }

    fn max_size(&self) -> u64 {
        8 << 20
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let doc = parse_json(content)?;
        let (Some(name), Some(version)) = (doc["name"].as_str(), doc["version"].as_str()) else {
            return Ok(Vec::new());
        };
        let (name, version) = (name.trim(), version.trim());
        if name.is_empty() || version.is_empty() || is_not_an_npm_package(&doc) {
            return Ok(Vec::new());
        }
        if !is_valid_npm_name(name) {
            return Err(format!("invalid package name {name:?}"));
        }
        Ok(vec![npm_package(name, version, licenses_of(&doc), path)])
    }
}

/// VS Code extensions (`engines.vscode`, `contributes`) and Unity packages (`unity`) use
/// `package.json` too, but live in other registries: reporting them as npm packages
/// would match the wrong advisories.
fn is_not_an_npm_package(doc: &Value) -> bool {
    doc["engines"]["vscode"].is_string()
        || doc["contributes"].is_object()
        || doc.get("unity").is_some()
}

// ---------------------------------------------------------------------------------------
// package-lock.json / npm-shrinkwrap.json

struct PackageLock;

impl Cataloger for PackageLock {
    fn name(&self) -> &'static str {
        "npm-lock"
    }

    fn wants(&self, path: &str) -> bool {
        matches!(file_name(path), "package-lock.json" | "npm-shrinkwrap.json")
            && !inside_node_modules(path)
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let doc = parse_json(content)?;
        if !doc.is_object() {
            return Err("not a package-lock object".into());
        }
        match doc.get("packages").and_then(Value::as_object) {
            Some(packages) => Ok(lock_v2_packages(packages, path)),
            None => Ok(lock_v1_packages(&doc, path)),
        }
    }
}

/// v2/v3: `packages` keyed by install path (`node_modules/a/node_modules/b`); `""` is
/// the project; workspace members live at their own folder and are installed as links
/// (`node_modules/member` → `{"link": true, "resolved": "packages/member"}`).
fn lock_v2_packages(packages: &serde_json::Map<String, Value>, path: &str) -> Vec<LangPackage> {
    let mut found = FoundPackages::default();
    for (key, entry) in packages {
        let Some(at) = key.rfind("node_modules/") else {
            // The project or a workspace folder: reached through its link, if at all.
            continue;
        };
        let installed_as = &key[at + "node_modules/".len()..];
        let target = if entry["link"].as_bool() == Some(true) {
            // A link to `""` (the project itself) is not a dependency.
            let resolved = entry["resolved"].as_str().filter(|r| !r.is_empty());
            match resolved.and_then(|r| packages.get(r)) {
                Some(target) => target,
                None => continue,
            }
        } else {
            entry
        };
        // `name` is written when it differs from the folder: aliases, workspace members.
        let name = target["name"].as_str().unwrap_or(installed_as);
        let Some(version) = target["version"].as_str() else {
            continue;
        };
        if !name.is_empty() && is_plain_version(version) {
            found.add(name, version, licenses_of(target), is_dev(entry));
        }
    }
    found.into_packages(path)
}

/// Packages of one lockfile, each once: a package is development-only when every
/// occurrence is, and licences missing on one occurrence are taken from another.
#[derive(Default)]
struct FoundPackages<'a> {
    order: Vec<(&'a str, &'a str)>,
    seen: HashMap<(&'a str, &'a str), (bool, Vec<String>)>,
}

impl<'a> FoundPackages<'a> {
    fn add(&mut self, name: &'a str, version: &'a str, licenses: Vec<String>, dev: bool) {
        match self.seen.get_mut(&(name, version)) {
            Some((all_dev, known)) => {
                *all_dev &= dev;
                if known.is_empty() {
                    *known = licenses;
                }
            }
            None => {
                self.order.push((name, version));
                self.seen.insert((name, version), (dev, licenses));
            }
        }
    }

    fn into_packages(mut self, path: &str) -> Vec<LangPackage> {
        let mut out = Vec::new();
        for key in self.order {
            if let Some((false, licenses)) = self.seen.remove(&key) {
                out.push(npm_package(key.0, key.1, licenses, path));
            }
        }
        out
    }
}

/// `dev: true`, or `devOptional` (needed only by development and optional dependencies).
fn is_dev(entry: &Value) -> bool {
    entry["dev"].as_bool() == Some(true) || entry["devOptional"].as_bool() == Some(true)
}

/// v1: a `dependencies` tree, each entry keyed by its name, with nested `dependencies`.
/// Aliases spell the version `npm:real-name@1.2.3`.
fn lock_v1_packages(doc: &Value, path: &str) -> Vec<LangPackage> {
    let mut found = FoundPackages::default();
    // (dependencies, whether their parent is development-only: so are they).
    let mut pending = vec![(&doc["dependencies"], false)];
    while let Some((deps, parent_dev)) = pending.pop() {
        let Some(deps) = deps.as_object() else {
            continue;
        };
        for (key, entry) in deps {
            let dev = parent_dev || is_dev(entry);
            pending.push((&entry["dependencies"], dev));
            let Some(version) = entry["version"].as_str() else {
                continue;
            };
            let (name, version) = match version.strip_prefix("npm:").and_then(split_name_at) {
                Some((real_name, real_version)) => (real_name, real_version),
                None => (key.as_str(), version),
            };
            if is_plain_version(version) {
                found.add(name, version, licenses_of(entry), dev);
            }
        }
    }
    found.into_packages(path)
}

// ---------------------------------------------------------------------------------------
// yarn.lock

struct YarnLock;

impl Cataloger for YarnLock {
    fn name(&self) -> &'static str {
        "yarn"
    }

    fn wants(&self, path: &str) -> bool {
        file_name(path) == "yarn.lock" && !inside_node_modules(path)
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let text = std::str::from_utf8(content).map_err(|_| "yarn.lock is not UTF-8")?;
        if is_yarn_berry(text) {
            yarn_berry_packages(text, path)
        } else {
            Ok(yarn_v1_packages(text, path))
        }
    }
}

/// Berry lockfiles are YAML with a `__metadata` block; v1 has its own syntax.
fn is_yarn_berry(text: &str) -> bool {
    text.lines().any(|line| line.starts_with("__metadata:"))
}

/// The registry package a yarn v1 descriptor installs: `name@range`, `name` alone,
/// or the alias `alias@npm:real@range`. `None` for git, file, link, tarball URL and
/// workspace sources, which are not registry packages.
fn yarn_v1_descriptor_name(descriptor: &str) -> Option<&str> {
    let descriptor = descriptor.trim().trim_matches('"');
    let (name, range) = split_name_at(descriptor).unwrap_or((descriptor, ""));
    let (name, range) = match range.strip_prefix("npm:") {
        Some(aliased) => match split_name_at(aliased) {
            Some((real, range)) if !real.is_empty() => (real, range),
            _ if aliased.starts_with(|c: char| c.is_ascii_alphabetic() || c == '@') => {
                (aliased, "")
            }
            _ => (name, aliased),
        },
        None => (name, range),
    };
    (!name.is_empty() && is_registry_range(range)).then_some(name)
}

/// A semver range or dist-tag, not `protocol:…`, a path or a GitHub `user/repo`.
fn is_registry_range(range: &str) -> bool {
    !range.contains([':', '/'])
}

/// Yarn v1: blocks of `"spec", "spec":` headers followed by indented `key value` lines
/// (keys and values optionally quoted).
fn yarn_v1_packages(text: &str, path: &str) -> Vec<LangPackage> {
    let mut found = FoundPackages::default();
    let mut current: Option<&str> = None;
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            current = line
                .trim_end()
                .strip_suffix(':')
                .and_then(|header| header.split(',').next())
                .and_then(yarn_v1_descriptor_name);
            continue;
        }
        let Some(name) = current else { continue };
        let Some(field) = line.strip_prefix("  ").filter(|r| !r.starts_with(' ')) else {
            continue;
        };
        let (key, value) = field.split_once(' ').unwrap_or((field, ""));
        if key.trim_matches('"').trim_end_matches(':') == "version" {
            let version = value.trim().trim_matches('"');
            if is_plain_version(version) {
                found.add(name, version, Vec::new(), false);
            }
            current = None;
        }
    }
    found.into_packages(path)
}

/// Yarn berry: a YAML subset; each top-level key (comma-separated descriptors) opens
/// a block whose two-space-indented `version` and `resolution` (`name@npm:1.2.3`) fields
/// name the package. Read line by line: real lockfiles can repeat a key, which YAML
/// parsers reject. Resolutions other than `npm:` (workspace, patch, git, file, URLs)
/// are not registry packages.
fn yarn_berry_packages(text: &str, path: &str) -> Result<Vec<LangPackage>, String> {
    fn emit<'a>(found: &mut FoundPackages<'a>, block: (Option<&'a str>, Option<&'a str>)) {
        let (Some(version), Some(resolution)) = block else {
            return;
        };
        if let Some((name, locator)) = split_name_at(resolution) {
            if !name.is_empty() && locator.starts_with("npm:") && is_plain_version(version) {
                found.add(name, version, Vec::new(), false);
            }
        }
    }
    fn unquote(value: &str) -> &str {
        value.trim().trim_matches('"')
    }
    let mut found = FoundPackages::default();
    let mut block: (Option<&str>, Option<&str>) = (None, None);
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            if !line.trim_end().ends_with(':') {
                return Err(format!("unexpected line in yarn.lock: {:.60}", line));
            }
            emit(&mut found, std::mem::take(&mut block));
            continue;
        }
        let Some(field) = line.strip_prefix("  ").filter(|f| !f.starts_with(' ')) else {
            continue;
        };
        // Keys may be quoted too: `"version": 1.0.0`.
        let Some((key, value)) = field.split_once(':') else {
            continue;
        };
        match unquote(key) {
            "version" => block.0 = Some(unquote(value)),
            "resolution" => block.1 = Some(unquote(value)),
            _ => {}
        }
    }
    emit(&mut found, block);
    Ok(found.into_packages(path))
}

fn yaml_str<'a>(value: &'a Yaml, key: &str) -> Option<&'a str> {
    value.get(key)?.as_str()
}

// ---------------------------------------------------------------------------------------
// pnpm-lock.yaml

struct PnpmLock;

impl Cataloger for PnpmLock {
    fn name(&self) -> &'static str {
        "pnpm"
    }

    fn wants(&self, path: &str) -> bool {
        file_name(path) == "pnpm-lock.yaml" && !inside_node_modules(path)
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let doc = last_yaml_document(content)?;
        let lockfile_version = pnpm_lockfile_version(&doc)?;
        let Some(packages) = doc.get("packages").and_then(Yaml::as_mapping) else {
            return Ok(Vec::new());
        };
        let v9_dev_only = if lockfile_version >= 9.0 {
            pnpm_v9_dev_only(&doc)
        } else {
            HashSet::new()
        };
        let mut out = Vec::new();
        for (key, entry) in packages {
            let Some(key) = key.as_str() else { continue };
            if entry.get("dev").and_then(Yaml::as_bool) == Some(true)
                || v9_dev_only.contains(strip_peer_suffix(key))
            {
                continue;
            }
            if let Some((name, version)) = pnpm_package_identity(key, entry, lockfile_version) {
                out.push(npm_package(name, version, Vec::new(), path));
            }
        }
        Ok(out)
    }
}

/// pnpm may write two YAML documents (its own package-manager lock first); the project
/// lock is the last one.
fn last_yaml_document(content: &[u8]) -> Result<Yaml, String> {
    use serde::Deserialize;
    let mut last = None;
    for document in serde_yaml_ng::Deserializer::from_slice(content) {
        last = Some(Yaml::deserialize(document).map_err(|e| format!("invalid YAML: {e}"))?);
    }
    last.ok_or_else(|| "empty YAML".to_string())
}

fn pnpm_lockfile_version(doc: &Yaml) -> Result<f64, String> {
    let version = doc
        .get("lockfileVersion")
        .ok_or("not a pnpm lockfile: no lockfileVersion")?;
    version
        .as_f64()
        .or_else(|| version.as_str().and_then(|s| s.trim().parse().ok()))
        .ok_or_else(|| "unreadable lockfileVersion".to_string())
}

/// Name and version of one `packages` entry: its own `name`/`version` fields when it has
/// them (git, tarball and directory dependencies), otherwise from the key:
/// v5 `/name/1.0.0_peer@2.0.0` (optionally behind a registry host), v6 `/name@1.0.0(peer@2)`,
/// v9 `name@1.0.0(peer@2)`.
fn pnpm_package_identity<'a>(
    key: &'a str,
    entry: &'a Yaml,
    lockfile_version: f64,
) -> Option<(&'a str, &'a str)> {
    let key = strip_peer_suffix(key);
    let (key_name, key_version) = if lockfile_version < 6.0 {
        pnpm_v5_key(key)
    } else {
        split_name_at(key.strip_prefix('/').unwrap_or(key))
    }
    .unzip();
    let name = yaml_str(entry, "name").or(key_name)?;
    let version = yaml_str(entry, "version")
        .or(key_version)
        .filter(|v| is_plain_version(v))?;
    (!name.is_empty()).then_some((name, version))
}

/// Drops v6+ peer suffixes: `name@1.0.0(react@18.2.0)` → `name@1.0.0`.
fn strip_peer_suffix(key: &str) -> &str {
    key.split('(').next().unwrap_or(key)
}

/// `/name/1.0.0`, `/@scope/name/1.0.0_peer@1.0.0`, `registry.example/name/1.0.0`.
fn pnpm_v5_key(key: &str) -> Option<(&str, &str)> {
    let (rest, version) = key.rsplit_once('/')?;
    let version = version.split('_').next().unwrap_or(version);
    let name_start = match rest.rfind('/') {
        Some(slash) if rest[..slash].rsplit('/').next()?.starts_with('@') => {
            rest[..slash].rfind('/').map_or(0, |s| s + 1)
        }
        Some(slash) => slash + 1,
        None => 0,
    };
    let name = &rest[name_start..];
    (!name.is_empty() && is_plain_version(version)).then_some((name, version))
}

/// v9 no longer marks dev packages: those reachable through `snapshots` from some
/// importer's `devDependencies` but from no production or optional dependency are
/// development-only. Packages reachable from neither (stale entries) are kept.
fn pnpm_v9_dev_only(doc: &Yaml) -> HashSet<&str> {
    let Some(importers) = doc.get("importers").and_then(Yaml::as_mapping) else {
        return HashSet::new();
    };
    let snapshots = doc.get("snapshots").and_then(Yaml::as_mapping);
    let reachable_from = |groups: &[&str]| -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut queue: VecDeque<String> = importers
            .values()
            .flat_map(|importer| pnpm_dependency_keys(importer, groups))
            .collect();
        while let Some(key) = queue.pop_front() {
            if let Some(snapshot) = snapshots.and_then(|s| s.get(key.as_str())) {
                if !seen.contains(&key) {
                    queue.extend(pnpm_dependency_keys(
                        snapshot,
                        &["dependencies", "optionalDependencies"],
                    ));
                }
            }
            seen.insert(key);
        }
        seen
    };
    let production = reachable_from(&["dependencies", "optionalDependencies"]);
    let production: HashSet<&str> = production.iter().map(|k| strip_peer_suffix(k)).collect();
    let development = reachable_from(&["devDependencies"]);
    let development: HashSet<&str> = development.iter().map(|k| strip_peer_suffix(k)).collect();

    let Some(packages) = doc.get("packages").and_then(Yaml::as_mapping) else {
        return HashSet::new();
    };
    packages
        .keys()
        .filter_map(Yaml::as_str)
        .filter(|key| {
            let key = strip_peer_suffix(key);
            development.contains(key) && !production.contains(key)
        })
        .collect()
}

/// Snapshot keys (`name@version(peers)`) of the dependencies listed under `groups`;
/// importers write `{specifier, version}`, snapshots the bare version.
fn pnpm_dependency_keys(node: &Yaml, groups: &[&str]) -> Vec<String> {
    let mut keys = Vec::new();
    for group in groups {
        let Some(deps) = node.get(*group).and_then(Yaml::as_mapping) else {
            continue;
        };
        for (name, spec) in deps {
            let Some(name) = name.as_str() else { continue };
            let version = spec
                .as_str()
                .or_else(|| yaml_str(spec, "version"))
                .unwrap_or_default();
            if version.starts_with("link:") {
                continue;
            }
            // An aliased dependency (`real@1.0.0`) already names the full snapshot key.
            let aliased = split_name_at(strip_peer_suffix(version))
                .is_some_and(|(n, _)| !n.is_empty() && !n.contains(':'));
            if aliased {
                keys.push(version.to_string());
            } else {
                keys.push(format!("{name}@{version}"));
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    /// name → versions, to look packages up.
    fn index(packages: &[LangPackage]) -> HashMap<&str, Vec<&str>> {
        let mut map: HashMap<&str, Vec<&str>> = HashMap::new();
        for p in packages {
            map.entry(p.name.as_str())
                .or_default()
                .push(p.version.as_str());
        }
        map
    }

    fn parse(cataloger: &dyn Cataloger, path: &str, text: &str) -> Vec<LangPackage> {
        assert!(cataloger.wants(path), "{path}");
        cataloger.parse(path, text.as_bytes()).unwrap()
    }

    #[test]
    fn wants_only_its_files() {
        assert!(PACKAGE_JSON.wants("/app/node_modules/express/package.json"));
        assert!(!PACKAGE_JSON.wants("/app/node_modules/express/package.json.bak"));
        assert!(!PACKAGE_JSON.wants("/app/my-package.json"));
        assert!(PACKAGE_LOCK.wants("/app/package-lock.json"));
        assert!(PACKAGE_LOCK.wants("/app/npm-shrinkwrap.json"));
        assert!(!PACKAGE_LOCK.wants("/app/node_modules/.package-lock.json"));
        assert!(!PACKAGE_LOCK.wants("/app/node_modules/x/package-lock.json"));
        assert!(YARN_LOCK.wants("/srv/yarn.lock"));
        assert!(!YARN_LOCK.wants("/srv/node_modules/x/yarn.lock"));
        assert!(PNPM_LOCK.wants("/srv/pnpm-lock.yaml"));
    }

    #[test]
    fn package_json_license_shapes() {
        let cases = [
            (r#""MIT""#, vec!["MIT"]),
            (r#"{"type": "ISC", "url": "x"}"#, vec!["ISC"]),
            (
                r#"[{"type": ""}, {"type": "MIT"}, "BSD-2-Clause"]"#,
                vec!["MIT", "BSD-2-Clause"],
            ),
            ("42", vec![]),
            ("null", vec![]),
            (r#"{"foo": "bar"}"#, vec![]),
            ("[[[]]]", vec![]),
        ];
        for (license, want) in cases {
            let text = format!(r#"{{"name": "a", "version": "1.0.0", "license": {license}}}"#);
            let got = parse(&PACKAGE_JSON, "/x/package.json", &text);
            assert_eq!(got[0].licenses, want, "{license}");
        }
        let legacy = r#"{"name": "a", "version": "1.0.0", "licenses": [{"type": "MIT"}]}"#;
        assert_eq!(
            parse(&PACKAGE_JSON, "/x/package.json", legacy)[0].licenses,
            ["MIT"]
        );
    }

    #[test]
    fn package_json_without_name_or_version_is_not_a_package() {
        for text in [
            r#"{"version": "1.0.0"}"#,
            r#"{"name": "a"}"#,
            r#"{"name": "", "version": "1.0.0"}"#,
            r#"{"name": 5, "version": "1.0.0"}"#,
            r#"[]"#,
            r#""text""#,
        ] {
            assert!(
                parse(&PACKAGE_JSON, "/x/package.json", text).is_empty(),
                "{text}"
            );
        }
    }

    #[test]
    fn hostile_json_is_an_error_not_a_panic() {
        let deep = "[".repeat(100_000);
        for cataloger in [&PACKAGE_JSON as &dyn Cataloger, &PACKAGE_LOCK] {
            for input in [
                &b"{\"name\": \"a\", \"ver"[..],
                b"\xff\xfe",
                deep.as_bytes(),
            ] {
                assert!(cataloger.parse("/x/package.json", input).is_err());
            }
        }
        assert!(PACKAGE_JSON
            .parse(
                "/x/package.json",
                br#"{"name": "@bad/name/", "version": "1"}"#
            )
            .is_err());
    }

    #[test]
    fn lock_v3_like_the_acme_shop_image() {
        let text = r#"{
          "name": "acme-shop", "version": "1.4.2", "lockfileVersion": 3, "requires": true,
          "packages": {
            "": {"name": "acme-shop", "version": "1.4.2",
                 "dependencies": {"express": "4.16.0", "lodash": "4.17.15"}},
            "node_modules/express": {"version": "4.16.0", "license": "MIT"},
            "node_modules/body-parser/node_modules/debug": {"version": "2.6.9"},
            "node_modules/@types/node": {"version": "20.1.0", "dev": true},
            "node_modules/string-width-cjs": {"name": "string-width", "version": "4.2.3"},
            "node_modules/local": {"resolved": "packages/local", "link": true},
            "packages/local": {"name": "local", "version": "0.1.0"}
          }
        }"#;
        let got = parse(&PACKAGE_LOCK, "/app/package-lock.json", text);
        let found = index(&got);
        assert_eq!(found["express"], ["4.16.0"]);
        assert!(got.iter().all(|p| p.path == "/app/package-lock.json"));
        assert_eq!(found["debug"], ["2.6.9"]);
        assert_eq!(found["string-width"], ["4.2.3"]);
        assert_eq!(found["local"], ["0.1.0"]);
        assert!(
            !found.contains_key("acme-shop"),
            "the root project is its package.json's"
        );
        assert!(
            !found.contains_key("@types/node"),
            "dev dependencies are left out"
        );
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn lock_v1_aliases_nesting_and_git() {
        let text = r#"{"lockfileVersion": 1, "dependencies": {
            "a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}},
            "c-alias": {"version": "npm:@scope/c@3.0.0"},
            "g": {"version": "github:x/y#abcdef"},
            "d": {"version": "4.0.0", "dev": true},
            "weird": {"version": 5}, "null": null
        }}"#;
        let got = parse(&PACKAGE_LOCK, "/p/package-lock.json", text);
        let found = index(&got);
        assert_eq!(found["a"], ["1.0.0"]);
        assert_eq!(found["b"], ["2.0.0"]);
        assert_eq!(found["@scope/c"], ["3.0.0"]);
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn lock_v1_deep_nesting_within_json_limits() {
        let mut text = String::new();
        for _ in 0..60 {
            text.push_str(r#"{"version": "1.0.0", "dependencies": {"x": "#);
        }
        text.push_str(r#"{"version": "1.0.0"}"#);
        text.push_str(&"}}".repeat(60));
        let text = format!(r#"{{"dependencies": {{"x": {text}}}}}"#);
        // serde_json stops at depth 128 with an error; either way: no panic.
        let _ = PACKAGE_LOCK.parse("/p/package-lock.json", text.as_bytes());
    }

    #[test]
    fn yarn_v1_headers_aliases_and_protocols() {
        let text = r#"# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.10.4"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.10.4.tgz"
  dependencies:
    "@babel/highlight" "^7.10.4"

string-width-cjs@npm:string-width@^4.2.0:
  version "4.2.3"

local@file:../local:
  version "1.0.0"

truncated@^1.0.0:
"#;
        let got = parse(&YARN_LOCK, "/p/yarn.lock", text);
        let found = index(&got);
        assert_eq!(found["@babel/code-frame"], ["7.10.4"]);
        assert_eq!(found["string-width"], ["4.2.3"]);
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn yarn_berry_skips_workspaces() {
        let text = r#"__metadata:
  version: 6

"root@workspace:.":
  version: 0.0.0-use.local
  resolution: "root@workspace:."

"lodash@npm:^4.17.0, lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"
"#;
        let got = parse(&YARN_LOCK, "/p/yarn.lock", text);
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].name.as_str(), got[0].version.as_str()),
            ("lodash", "4.17.21")
        );
        let garbage = b"__metadata:\n  version: 6\n\nnot a lockfile line\n";
        assert!(YARN_LOCK.parse("/p/yarn.lock", garbage).is_err());
    }

    #[test]
    fn pnpm_key_shapes() {
        let v5 = "lockfileVersion: 5.4\npackages:\n  /a/1.0.0:\n    dev: false\n  /@s/b/2.0.0_react@18.0.0:\n    dev: false\n  reg.example/c/3.0.0:\n    dev: false\n  /d/4.0.0:\n    dev: true\n  /e/bar:\n    dev: false\n";
        let got = parse(&PNPM_LOCK, "/p/pnpm-lock.yaml", v5);
        let found = index(&got);
        assert_eq!(found["a"], ["1.0.0"]);
        assert_eq!(found["@s/b"], ["2.0.0"]);
        assert_eq!(found["c"], ["3.0.0"]);
        assert_eq!(got.len(), 3);

        let v6 = "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0(react@18.0.0):\n    dev: false\n  /@s/b@2.0.0:\n    dev: false\n";
        let found_v6 = parse(&PNPM_LOCK, "/p/pnpm-lock.yaml", v6);
        assert_eq!(index(&found_v6)["@s/b"], ["2.0.0"]);
        assert_eq!(index(&found_v6)["a"], ["1.0.0"]);
    }

    #[test]
    fn pnpm_v9_drops_dev_only_packages() {
        let text = "lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0(p@1.0.0)
    devDependencies:
      d:
        specifier: ^4.0.0
        version: 4.0.0
packages:
  a@1.0.0: {resolution: {integrity: x}}
  b@2.0.0: {resolution: {integrity: x}}
  d@4.0.0: {resolution: {integrity: x}}
  p@1.0.0: {resolution: {integrity: x}}
snapshots:
  a@1.0.0(p@1.0.0):
    dependencies:
      b: 2.0.0
  b@2.0.0:
    dependencies:
      a: 1.0.0(p@1.0.0)
  d@4.0.0: {}
  p@1.0.0: {}
";
        let got = parse(&PNPM_LOCK, "/p/pnpm-lock.yaml", text);
        let mut names: Vec<_> = got.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        // `p` is reachable from nothing (a peer here): kept, like any stale entry.
        assert_eq!(names, ["a", "b", "p"]);
    }

    #[test]
    fn pnpm_hostile_input() {
        for text in [
            "",
            "not: [yaml",
            "lockfileVersion: {}",
            "- 1\n- 2",
            "lockfileVersion: 9\npackages: 3",
        ] {
            let _ = PNPM_LOCK.parse("/p/pnpm-lock.yaml", text.as_bytes());
        }
        assert!(PNPM_LOCK.parse("/p/pnpm-lock.yaml", b"a: [").is_err());
    }

    #[test]
    fn many_entries_stay_linear() {
        let mut text = String::from(r#"{"lockfileVersion": 3, "packages": {"#);
        for i in 0..50_000 {
            text.push_str(&format!(
                r#""node_modules/p{i}": {{"version": "1.0.{i}"}},"#
            ));
        }
        text.push_str(r#""": {}}}"#);
        assert_eq!(
            parse(&PACKAGE_LOCK, "/p/package-lock.json", &text).len(),
            50_000
        );
    }
}
