//! Python packages: installed distribution metadata (`*.dist-info/METADATA`,
//! `*.egg-info/PKG-INFO`, single-file `*.egg-info`, zipped `*.egg`) and the lockfiles
//! an image may carry (`poetry.lock`, `Pipfile.lock`, `uv.lock`, `pdm.lock`,
//! `pylock.toml`, exact pins of `requirements*.txt`).

use std::collections::BTreeSet;
use std::io::Read;

use serde_json::Value;

use super::{Cataloger, LangPackage};
use crate::model::PackageKind;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    vec![&InstalledMetadata, &EggArchive, &Lockfile]
}

fn split_path(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text
            .as_bytes()
            .get(text.len() - suffix.len()..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}

fn pypi(name: &str, version: &str, licenses: Vec<String>, path: &str) -> LangPackage {
    LangPackage {
        kind: PackageKind::Pypi,
        name: name.to_string(),
        namespace: None,
        version: version.to_string(),
        licenses,
        path: path.to_string(),
    }
}

fn into_packages(found: BTreeSet<(String, String)>, path: &str) -> Vec<LangPackage> {
    found
        .into_iter()
        .map(|(name, version)| pypi(&name, &version, Vec::new(), path))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Installed metadata
// ---------------------------------------------------------------------------------------

/// `*.dist-info/METADATA` (wheels), `*.egg-info/PKG-INFO` and `EGG-INFO/PKG-INFO` (eggs,
/// setuptools), and the single-file `*.egg-info` of distutils installs.
pub struct InstalledMetadata;

impl Cataloger for InstalledMetadata {
    fn name(&self) -> &'static str {
        "python"
    }

    fn wants(&self, path: &str) -> bool {
        let (dir, file) = split_path(path);
        let dir_name = split_path(dir).1;
        match file {
            "METADATA" => ends_with_ignore_case(dir_name, "dist-info"),
            "PKG-INFO" => ends_with_ignore_case(dir_name, "egg-info"),
            _ => file.len() > ".egg-info".len() && ends_with_ignore_case(file, ".egg-info"),
        }
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        parse_metadata(&String::from_utf8_lossy(content), path).map(|p| vec![p])
    }
}

/// A zipped egg (`*.egg`) as setuptools' easy_install leaves it in site-packages.
pub struct EggArchive;

/// PKG-INFO is a few KiB; a larger entry is not one.
const MAX_PKG_INFO: u64 = 8 << 20;

impl Cataloger for EggArchive {
    fn name(&self) -> &'static str {
        "python-egg"
    }

    fn wants(&self, path: &str) -> bool {
        let file = split_path(path).1;
        file.len() > ".egg".len() && file.ends_with(".egg")
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(content))
            .map_err(|e| format!("not a zip archive: {e}"))?;
        let mut entry = match archive.by_name("EGG-INFO/PKG-INFO") {
            Ok(entry) => entry,
            // An egg without metadata declares nothing.
            Err(zip::result::ZipError::FileNotFound) => return Ok(Vec::new()),
            Err(e) => return Err(format!("unreadable EGG-INFO/PKG-INFO: {e}")),
        };
        let mut text = Vec::new();
        (&mut entry)
            .take(MAX_PKG_INFO)
            .read_to_end(&mut text)
            .map_err(|e| format!("unreadable EGG-INFO/PKG-INFO: {e}"))?;
        parse_metadata(&String::from_utf8_lossy(&text), path).map(|p| vec![p])
    }
}

/// Core metadata headers (RFC 822 style) up to the first blank line; keys lower-cased.
/// Continuation lines (leading whitespace) extend the previous value; other lines without
/// a colon are ignored, as pip's own reader tolerates them.
fn metadata_headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.trim_start_matches('\u{feff}').lines() {
        if line.trim().is_empty() {
            if headers.is_empty() {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    headers
}

fn parse_metadata(text: &str, path: &str) -> Result<LangPackage, String> {
    let headers = metadata_headers(text);
    let first = |key: &str| {
        headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let name = first("name").ok_or("metadata without a Name")?;
    let version = first("version").ok_or("metadata without a Version")?;
    let classifiers = headers
        .iter()
        .filter(|(k, _)| k == "classifier")
        .map(|(_, v)| v.as_str());
    let licenses = metadata_licenses(first("license-expression"), first("license"), classifiers);
    Ok(pypi(name, version, licenses, path))
}

/// PEP 639 `License-Expression` first, then a short `License` value, then the names of
/// `License :: ...` classifiers. `UNKNOWN` (old setuptools' placeholder) and full licence
/// texts pasted into `License` are not licence names.
fn metadata_licenses<'a>(
    expression: Option<&str>,
    license: Option<&str>,
    classifiers: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    if let Some(expression) = expression {
        return vec![expression.to_string()];
    }
    let is_name = |l: &&str| {
        !l.eq_ignore_ascii_case("UNKNOWN")
            && !l.eq_ignore_ascii_case("None")
            && !l.contains('\n')
            && l.len() <= 100
    };
    if let Some(license) = license.filter(is_name) {
        return vec![license.to_string()];
    }
    let mut names: Vec<String> = Vec::new();
    for classifier in classifiers {
        let parts: Vec<&str> = classifier.split("::").map(str::trim).collect();
        let (Some(&"License"), Some(&last)) = (parts.first(), parts.last()) else {
            continue;
        };
        if parts.len() < 2 {
            continue;
        }
        if last != "OSI Approved" && !last.is_empty() && !names.iter().any(|n| n == last) {
            names.push(last.to_string());
        }
    }
    names
}

// ---------------------------------------------------------------------------------------
// Lockfiles
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LockFormat {
    Poetry,
    Pipenv,
    Uv,
    Pdm,
    Pylock,
    Requirements,
}

fn lock_format(file: &str) -> Option<LockFormat> {
    match file {
        "poetry.lock" => Some(LockFormat::Poetry),
        "Pipfile.lock" => Some(LockFormat::Pipenv),
        "uv.lock" => Some(LockFormat::Uv),
        "pdm.lock" => Some(LockFormat::Pdm),
        // PEP 751: `pylock.toml` or `pylock.<name>.toml`.
        _ if file.starts_with("pylock.") && file.ends_with(".toml") => Some(LockFormat::Pylock),
        _ if file.starts_with("requirements") && file.ends_with(".txt") => {
            Some(LockFormat::Requirements)
        }
        _ => None,
    }
}

/// Every package pinned by a Python lockfile (dev groups included: a lockfile alone does
/// not say which groups were installed) or an exact `==` pin of a requirements file.
pub struct Lockfile;

impl Cataloger for Lockfile {
    fn name(&self) -> &'static str {
        "python-lockfile"
    }

    fn wants(&self, path: &str) -> bool {
        lock_format(split_path(path).1).is_some()
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let format = lock_format(split_path(path).1).ok_or("not a Python lockfile")?;
        let found = match format {
            LockFormat::Requirements => requirements_pins(&decode_text(content)),
            LockFormat::Pipenv => pipfile_lock(content)?,
            LockFormat::Poetry => toml_packages(content, "package", poetry_is_local)?,
            LockFormat::Uv => toml_packages(content, "package", uv_is_local)?,
            LockFormat::Pdm => toml_packages(content, "package", pdm_is_local)?,
            LockFormat::Pylock => toml_packages(content, "packages", pylock_is_local)?,
        };
        Ok(into_packages(found, path))
    }
}

/// TOML nested deeper than this is refused before parsing (the parser recurses).
const MAX_TOML_NESTING: usize = 64;

/// Upper bound of `[`/`{` nesting, counting brackets inside strings too (so it may only
/// over-estimate): enough to keep a hostile file from exhausting the parser's stack.
fn bracket_nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for byte in text.bytes() {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn parse_toml(content: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(content).map_err(|_| "lockfile is not UTF-8")?;
    if bracket_nesting(text) > MAX_TOML_NESTING {
        return Err("TOML nested too deeply".into());
    }
    toml::from_str(text).map_err(|e| format!("invalid TOML: {}", first_line(&e.to_string())))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// `name`/`version` of each table of the `key` array that is not the project's own code.
fn toml_packages(
    content: &[u8],
    key: &str,
    is_local: fn(&Value) -> bool,
) -> Result<BTreeSet<(String, String)>, String> {
    let root = parse_toml(content)?;
    let mut found = BTreeSet::new();
    for package in root
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = |field: &str| {
            package
                .get(field)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        if let (Some(name), Some(version)) = (text("name"), text("version")) {
            if !is_local(package) {
                found.insert((name.to_string(), version.to_string()));
            }
        }
    }
    Ok(found)
}

/// Poetry path dependencies (`[package.source] type = "directory"`) are local code.
fn poetry_is_local(package: &Value) -> bool {
    package.pointer("/source/type").and_then(Value::as_str) == Some("directory")
}

/// uv lists the project itself (and workspace members) with an editable, virtual or
/// directory source.
fn uv_is_local(package: &Value) -> bool {
    package
        .get("source")
        .and_then(Value::as_object)
        .is_some_and(|s| {
            ["editable", "virtual", "directory"]
                .iter()
                .any(|k| s.contains_key(*k))
        })
}

/// PDM marks local path dependencies with `path` (and `editable`).
fn pdm_is_local(package: &Value) -> bool {
    package.get("path").is_some() || package.get("editable") == Some(&Value::Bool(true))
}

/// PEP 751 local projects are `directory` packages.
fn pylock_is_local(package: &Value) -> bool {
    package.get("directory").is_some()
}

/// `Pipfile.lock`: `default` and `develop` maps of name to `{"version": "==x"}`.
fn pipfile_lock(content: &[u8]) -> Result<BTreeSet<(String, String)>, String> {
    let root: Value =
        serde_json::from_slice(content).map_err(|e| format!("invalid Pipfile.lock JSON: {e}"))?;
    if !root.is_object() {
        return Err("Pipfile.lock is not a JSON object".into());
    }
    let mut found = BTreeSet::new();
    for section in ["default", "develop"] {
        for (name, entry) in root
            .get(section)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(pin) = entry.get("version").and_then(Value::as_str) else {
                continue; // VCS or path entries carry no version
            };
            let version = pin
                .trim()
                .trim_start_matches("===")
                .trim_start_matches("==")
                .trim();
            if !name.trim().is_empty() && is_plain_version(version) {
                found.insert((name.trim().to_string(), version.to_string()));
            }
        }
    }
    Ok(found)
}

// ---------------------------------------------------------------------------------------
// requirements.txt
// ---------------------------------------------------------------------------------------

/// Text of a requirements file: UTF-8 (BOM optional) or UTF-16 with a BOM, as pip reads.
fn decode_text(content: &[u8]) -> String {
    let utf16 = |bytes: &[u8], decode: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| decode([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    };
    match content {
        [0xff, 0xfe, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xfe, 0xff, rest @ ..] => utf16(rest, u16::from_be_bytes),
        [0xef, 0xbb, 0xbf, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(content).into_owned(),
    }
}

/// Exactly pinned requirements (`name==version`, `name===version`); ranges, wildcards,
/// URLs, paths, options and included files (`-r`) pin nothing and are skipped.
fn requirements_pins(text: &str) -> BTreeSet<(String, String)> {
    logical_lines(text)
        .iter()
        .filter_map(|line| exact_pin(line))
        .collect()
}

/// Physical lines joined where one ends with a backslash (pip's line continuation).
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

const OPERATORS: [&str; 8] = ["===", "==", "~=", "!=", "<=", ">=", "<", ">"];

fn exact_pin(line: &str) -> Option<(String, String)> {
    // Comments, then environment markers, end the requirement.
    let line = line.split('#').next()?.split(';').next()?.trim();
    if line.starts_with('-') {
        return None; // an option: -r, -c, -e, --hash, --index-url, ...
    }
    let name_len = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
        .unwrap_or(line.len());
    let (name, mut rest) = line.split_at(name_len);
    if !is_project_name(name) {
        return None;
    }
    rest = rest.trim_start();
    if let Some(extras) = rest.strip_prefix('[') {
        rest = extras.split_once(']')?.1.trim_start();
    }
    let mut pinned = None;
    loop {
        let op = OPERATORS.iter().find(|op| rest.starts_with(**op))?;
        let tail = rest[op.len()..].trim_start();
        let end = tail
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(tail.len());
        let version = &tail[..end];
        if matches!(*op, "==" | "===") && is_plain_version(version) {
            pinned = Some(version);
        }
        rest = tail[end..].trim_start();
        match rest.strip_prefix(',') {
            Some(next) => rest = next.trim_start(),
            None => break,
        }
    }
    pinned.map(|version| (name.to_string(), version.to_string()))
}

/// PEP 508 names start and end with a letter or digit.
fn is_project_name(name: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    alnum(name.chars().next()) && alnum(name.chars().last())
}

/// A concrete version (PEP 440, with local segment): no wildcard, variable or quote.
fn is_plain_version(version: &str) -> bool {
    version
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".+!_-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pins(text: &str) -> Vec<String> {
        requirements_pins(text)
            .into_iter()
            .map(|(n, v)| format!("{n}@{v}"))
            .collect()
    }

    #[test]
    fn wants_metadata_paths() {
        let site = "/usr/local/lib/python3.11/site-packages";
        assert!(InstalledMetadata.wants(&format!("{site}/pyyaml-5.3.dist-info/METADATA")));
        assert!(InstalledMetadata.wants(&format!("{site}/x-1.0.egg-info/PKG-INFO")));
        assert!(InstalledMetadata.wants(&format!("{site}/x-1.0-py3.8.egg/EGG-INFO/PKG-INFO")));
        assert!(InstalledMetadata.wants(&format!("{site}/x-1.0-py2.7.egg-info")));
        assert!(InstalledMetadata.wants(&format!("{site}/X.DIST-INFO/METADATA")));
        assert!(!InstalledMetadata.wants(&format!("{site}/x.dist-info/RECORD")));
        assert!(!InstalledMetadata.wants(&format!("{site}/x/METADATA")));
        assert!(!InstalledMetadata.wants(&format!("{site}/.egg-info")));
        assert!(!InstalledMetadata.wants("METADATA"));
        assert!(EggArchive.wants(&format!("{site}/kitchen-1.2.6-py2.7.egg")));
        assert!(!EggArchive.wants(&format!("{site}/.egg")));
    }

    #[test]
    fn wants_lockfiles() {
        for yes in [
            "/app/poetry.lock",
            "/app/Pipfile.lock",
            "/app/uv.lock",
            "/app/pdm.lock",
            "/app/pylock.toml",
            "/app/pylock.dev.toml",
            "/app/requirements.txt",
            "/app/requirements-dev.txt",
            "requirements.txt",
        ] {
            assert!(Lockfile.wants(yes), "{yes}");
        }
        for no in [
            "/app/Pipfile",
            "/app/pyproject.toml",
            "/app/requirements.in",
            "/app/req.txt",
        ] {
            assert!(!Lockfile.wants(no), "{no}");
        }
    }

    #[test]
    fn metadata_name_as_written_and_licence_order() {
        let text = "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\nLicense: MIT\n\
                    Classifier: License :: OSI Approved :: BSD License\n\nName: body\n";
        let p = parse_metadata(text, "/x/pyyaml-5.3.dist-info/METADATA").unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("PyYAML", "5.3"));
        assert_eq!(p.licenses, ["MIT"]);

        let text = "Name: a\nVersion: 1\nLicense-Expression: Apache-2.0 OR MIT\nLicense: X\n";
        assert_eq!(
            parse_metadata(text, "p").unwrap().licenses,
            ["Apache-2.0 OR MIT"]
        );

        let text = "name: a\nversion: 1\nLicense: UNKNOWN\n\
                    Classifier: License :: OSI Approved\n\
                    Classifier: License :: OSI Approved :: MIT License\n\
                    Classifier: License :: Public Domain\n";
        assert_eq!(
            parse_metadata(text, "p").unwrap().licenses,
            ["MIT License", "Public Domain"]
        );

        let text = "Name: a\nVersion: 1\nLicense: Copyright (c) 2020\n        Permission is hereby granted\n";
        assert!(parse_metadata(text, "p").unwrap().licenses.is_empty());
    }

    #[test]
    fn metadata_first_value_wins_and_junk_lines_are_ignored() {
        let text = "\r\nName: root \r\nVersion: 1.0.0\r\nVersion: 2.0.0\r\ngarbage line\r\n";
        let p = parse_metadata(text, "p").unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("root", "1.0.0"));
    }

    #[test]
    fn metadata_without_name_or_version_is_an_error() {
        for bad in [
            "",
            "\n\n",
            "Name: x\n",
            "Version: 1\n",
            "Name:\nVersion: 1",
            "\u{0}\u{1}",
        ] {
            assert!(parse_metadata(bad, "p").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn requirement_pins() {
        let text = "# comment\n\
            click==8.0.0\n\
            Flask ==2.0.0 #comment\n\
            Jinja2==3.0.0#comment\n\
            pyjwt[crypto]==2.1.0\n\
            celery [redis, pytest] == 4.4.7 ; python_version < '3.8'\n\
            FooProject == 1.2 --hash=sha256:2c \\\n    --hash=sha256:48\n\
            qwerty \\\n  == 0.1\n\
            yolo===1.0\n\
            local == 1.2.3+gcr.2\n\
            both>=1.0,==1.5\n\
            keyring >= 4.1.1\n\
            Mopidy-Dirble ~= 1.1\n\
            wild==2.0.*\n\
            env==${VERSION}\n\
            quoted=='1.0'\n\
            urllib3 @ https://example.invalid/urllib3-1.26.8.zip\n\
            -e git+https://example.invalid/x.git#egg=x\n\
            -r other.txt\n\
            ==2.3.4\n\
            -foo==1.0\n\
            bare\n\
            empty==\n";
        assert_eq!(
            pins(text),
            [
                "Flask@2.0.0",
                "FooProject@1.2",
                "Jinja2@3.0.0",
                "both@1.5",
                "celery@4.4.7",
                "click@8.0.0",
                "local@1.2.3+gcr.2",
                "pyjwt@2.1.0",
                "qwerty@0.1",
                "yolo@1.0"
            ]
        );
    }

    #[test]
    fn requirements_in_utf16_and_with_bom() {
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(
                "attrs==20.3.0\r\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(pins(&decode_text(&utf16)), ["attrs@20.3.0"]);
        assert_eq!(pins(&decode_text(b"\xef\xbb\xbfa==1\n")), ["a@1"]);
        // Odd byte counts and lone surrogates do not panic.
        let _ = decode_text(&[0xff, 0xfe, 0x00, 0xd8, 0x41]);
    }

    #[test]
    fn trailing_backslash_at_end_of_file() {
        assert_eq!(pins("pkg1==1.0 \\\n"), ["pkg1@1.0"]);
        assert_eq!(pins("pkg1==1.0 \\"), ["pkg1@1.0"]);
    }

    #[test]
    fn toml_lockfiles_skip_local_projects() {
        let uv = br#"
version = 1
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
[[package]]
name = "noversion"
"#;
        let found = Lockfile.parse("/app/uv.lock", uv).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].name.as_str(), found[0].version.as_str()),
            ("requests", "2.32.3")
        );

        let pylock = br#"lock-version = "1.0"
packages = [
  { name = "self", directory = { path = ".", editable = true } },
  { name = "attrs", version = "25.1.0" },
]"#;
        let found = Lockfile.parse("/app/pylock.toml", pylock).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "attrs");
    }

    #[test]
    fn pipfile_lock_reads_default_and_develop() {
        let doc = br#"{"_meta": {}, "default": {"a": {"version": "==1.0"}, "git": {"git": "x"}},
                      "develop": {"b": {"version": "==2.0"}, "a": {"version": "==1.1"}, "c": 5}}"#;
        let found = Lockfile.parse("/app/Pipfile.lock", doc).unwrap();
        let got: Vec<_> = found
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(got, ["a@1.0", "a@1.1", "b@2.0"]);
    }

    #[test]
    fn hostile_lockfiles_are_errors_not_panics() {
        let deep_toml = format!("a = {}", "[".repeat(100_000));
        let deep_inline = format!("a = {}", "{ b = ".repeat(100_000));
        for path in ["/poetry.lock", "/uv.lock", "/pdm.lock", "/pylock.toml"] {
            for bad in [
                &b"[[package"[..],
                b"\xff\xfe",
                b"= =",
                deep_toml.as_bytes(),
                deep_inline.as_bytes(),
            ] {
                assert!(Lockfile.parse(path, bad).is_err(), "{path} {bad:?}");
            }
            // Wrong shapes are skipped.
            let odd = b"package = 5\npackages = [1, \"x\", { name = 2, version = [] }]\n";
            assert!(Lockfile.parse(path, odd).unwrap().is_empty());
            assert!(Lockfile.parse(path, b"").unwrap().is_empty());
        }
        let deep_json = "[".repeat(100_000);
        for bad in [&b""[..], b"[]", b"{", deep_json.as_bytes()] {
            assert!(Lockfile.parse("/Pipfile.lock", bad).is_err());
        }
        // requirements files never fail; garbage pins nothing.
        let garbage: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        assert!(Lockfile.parse("/requirements.txt", &garbage).is_ok());
        let long = format!("a{}==1", "b".repeat(1 << 20));
        assert_eq!(
            Lockfile
                .parse("/requirements.txt", long.as_bytes())
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn many_packages() {
        let mut doc = String::new();
        for i in 0..20_000 {
            doc.push_str(&format!(
                "[[package]]\nname = \"p{i}\"\nversion = \"1.{i}\"\n"
            ));
        }
        assert_eq!(
            Lockfile
                .parse("/poetry.lock", doc.as_bytes())
                .unwrap()
                .len(),
            20_000
        );
    }

    #[test]
    fn egg_archive_reads_embedded_pkg_info() {
        use std::io::Write;
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("EGG-INFO/PKG-INFO", options).unwrap();
            zip.write_all(b"Metadata-Version: 1.1\nName: kitchen\nVersion: 1.2.6\n")
                .unwrap();
            zip.finish().unwrap();
        }
        let egg = buffer.into_inner();
        let found = EggArchive
            .parse("/site/kitchen-1.2.6-py2.7.egg", &egg)
            .unwrap();
        assert_eq!(found[0].name, "kitchen");
        assert_eq!(found[0].version, "1.2.6");
        assert!(EggArchive.parse("/x.egg", b"not a zip").is_err());
        assert!(EggArchive.parse("/x.egg", &egg[..egg.len() / 2]).is_err());
    }
}
