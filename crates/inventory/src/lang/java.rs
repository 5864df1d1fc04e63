//! Java archives (`.jar`, `.war`, `.ear`, `.par`, Jenkins `.jpi`/`.hpi`), nested ones
//! included, identified offline the way Trivy does without network access:
//!
//! 1. every valid `pom.properties` (groupId, artifactId and version all set) is a package,
//!    with the licence names of the `META-INF/maven/<g>/<a>/pom.xml` beside it;
//! 2. when the archive has no `pom.properties` of its own level, the main section of
//!    `META-INF/MANIFEST.MF` names it (Implementation-*, Specification-*, Bundle-*, in
//!    Trivy's order of preference), with Jenkins `Plugin-License-Name` licences;
//! 3. when the archive has neither, its file name (`commons-io-2.11.0.jar`) does, the
//!    group being the dotted prefix of a dotted artifactId (`org.eclipse.sisu.inject`),
//!    as osv-scalibr does, or absent.
//!
//! Nested archives (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, `lib/*.jar`, …) are read
//! in memory under hard limits (depth, entries, bytes per entry and per outer file); the
//! packages of one carry the path `outer.war!/WEB-INF/lib/inner.jar`.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::{Cataloger, LangPackage};
use crate::model::PackageKind;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    vec![&JavaArchiveCataloger]
}

/// Archives inside archives deeper than this are not opened (osv-scalibr tests depth 10).
const MAX_DEPTH: usize = 16;
/// Entries looked at per archive; fat jars hold tens of thousands of classes.
const MAX_ENTRIES: usize = 200_000;
/// `pom.properties`, `pom.xml` and `MANIFEST.MF` are a few KiB.
const MAX_METADATA_BYTES: u64 = 1 << 20;
/// One nested archive.
const MAX_NESTED_ARCHIVE_BYTES: u64 = 256 << 20;
/// Everything inflated while reading one outer file (zip bomb guard).
const MAX_INFLATED_BYTES: u64 = 1 << 30;

const ARCHIVE_EXTENSIONS: &[&str] = &[".jar", ".war", ".ear", ".par", ".jpi", ".hpi"];

fn is_archive_name(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name).as_bytes();
    ARCHIVE_EXTENSIONS.iter().any(|ext| {
        base.len() > ext.len()
            && base[base.len() - ext.len()..].eq_ignore_ascii_case(ext.as_bytes())
    })
}

/// Java archives and the archives nested in them.
pub struct JavaArchiveCataloger;

impl Cataloger for JavaArchiveCataloger {
    fn name(&self) -> &'static str {
        "java"
    }

    fn wants(&self, path: &str) -> bool {
        is_archive_name(path)
    }

    /// Fat jars and wars of 100 MiB and more are common.
    fn max_size(&self) -> u64 {
        256 << 20
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let mut scan = Scan {
            inflated_left: MAX_INFLATED_BYTES,
            skipped: Vec::new(),
        };
        let packages = scan.archive(path, content, 0)?;
        if !scan.skipped.is_empty() {
            if packages.is_empty() {
                return Err(scan.skipped.join("; "));
            }
            tracing::warn!("{path}: {}", scan.skipped.join("; "));
        }
        Ok(dedupe(packages))
    }
}

fn dedupe(packages: Vec<LangPackage>) -> Vec<LangPackage> {
    let mut seen = HashSet::new();
    packages
        .into_iter()
        .filter(|p| {
            seen.insert((
                p.namespace.clone(),
                p.name.clone(),
                p.version.clone(),
                p.path.clone(),
            ))
        })
        .collect()
}

/// State shared by all archives of one outer file.
struct Scan {
    inflated_left: u64,
    /// Why parts of the file were not read (limits, corrupt nested archives).
    skipped: Vec<String>,
}

/// What one archive says about itself and what it contains.
#[derive(Default)]
struct ArchiveFacts {
    packages: Vec<LangPackage>,
    manifest: Manifest,
    /// `<licenses>` of embedded `pom.xml` files by (groupId, artifactId).
    pom_licenses: HashMap<(String, String), Vec<String>>,
    /// Entry indices and names of nested archives.
    nested: Vec<(usize, String)>,
}

impl Scan {
    fn note(&mut self, reason: String) {
        if self.skipped.len() < 20 && !self.skipped.contains(&reason) {
            self.skipped.push(reason);
        }
    }

    fn archive(
        &mut self,
        label: &str,
        bytes: &[u8],
        depth: usize,
    ) -> Result<Vec<LangPackage>, String> {
        let mut zip =
            ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a zip archive: {e}"))?;
        let file_name = label.rsplit(['/', '!']).next().unwrap_or(label);
        let from_name = coordinates_from_file_name(file_name);
        let mut facts = self.read_entries(&mut zip, label);

        for (index, name) in std::mem::take(&mut facts.nested) {
            if depth + 1 > MAX_DEPTH {
                self.note(format!("archives nested deeper than {MAX_DEPTH} not read"));
                break;
            }
            let inner_label = format!("{label}!/{name}");
            let inner = match self.read_entry(&mut zip, index, MAX_NESTED_ARCHIVE_BYTES) {
                Ok(inner) => inner,
                Err(reason) => {
                    self.note(format!("{inner_label}: {reason}"));
                    continue;
                }
            };
            match self.archive(&inner_label, &inner, depth + 1) {
                Ok(found) => facts.packages.extend(found),
                Err(reason) => self.note(format!("{inner_label}: {reason}")),
            }
        }

        for package in &mut facts.packages {
            if !package.licenses.is_empty() || package.path != label {
                continue;
            }
            let key = (
                package.namespace.clone().unwrap_or_default(),
                package.name.clone(),
            );
            if let Some(licenses) = facts.pom_licenses.get(&key) {
                package.licenses = licenses.clone();
            }
        }

        // Shaded or renamed archives carry only other artifacts' pom.properties; naming
        // the archive from its manifest as well would add a package that does not exist
        // (`JBoss by Red Hat:Gizmo` beside `io.quarkus.gizmo:gizmo`).
        let any_pom_here = facts.packages.iter().any(|p| p.path == label);
        if !any_pom_here {
            let own = facts
                .manifest
                .coordinates()
                .or_else(|| from_name.map(Coordinates::with_group_from_artifact));
            if let Some(own) = own {
                facts.packages.push(own.package(label));
            }
        }
        attach_manifest_licenses(&mut facts.packages, label, &facts.manifest.plugin_licenses);
        Ok(facts.packages)
    }

    fn read_entries(&mut self, zip: &mut ZipArchive<Cursor<&[u8]>>, label: &str) -> ArchiveFacts {
        let mut facts = ArchiveFacts::default();
        if zip.len() > MAX_ENTRIES {
            self.note(format!(
                "{label}: only the first {MAX_ENTRIES} entries read"
            ));
        }
        for index in 0..zip.len().min(MAX_ENTRIES) {
            let Some(Ok(name)) = zip.name_for_index(index) else {
                continue;
            };
            let name = name.into_owned();
            let base = name.rsplit('/').next().unwrap_or(&name);
            if base == "pom.properties" {
                let Ok(text) = self.read_text(zip, index) else {
                    continue;
                };
                let Some(coordinates) = parse_pom_properties(&text) else {
                    continue;
                };
                facts.packages.push(coordinates.package(label));
            } else if base == "pom.xml" {
                let Some(key) = embedded_pom_key(&name) else {
                    continue;
                };
                let Ok(text) = self.read_text(zip, index) else {
                    continue;
                };
                let licenses = pom_license_names(&text);
                if !licenses.is_empty() {
                    facts.pom_licenses.insert(key, licenses);
                }
            } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
                if let Ok(text) = self.read_text(zip, index) {
                    facts.manifest = Manifest::parse(&text);
                }
            } else if is_archive_name(&name) {
                facts.nested.push((index, name));
            }
        }
        facts
    }

    fn read_text(
        &mut self,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
    ) -> Result<String, String> {
        let bytes = self.read_entry(zip, index, MAX_METADATA_BYTES)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Inflates one entry: its declared size is checked first, the bytes actually read
    /// are capped regardless, and both count against the outer file's budget.
    fn read_entry(
        &mut self,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
        cap: u64,
    ) -> Result<Vec<u8>, String> {
        let cap = cap.min(self.inflated_left);
        let entry = zip
            .by_index(index)
            .map_err(|e| format!("unreadable entry: {e}"))?;
        if entry.size() > cap {
            return Err(format!(
                "entry of {} bytes over the limit of {cap}",
                entry.size()
            ));
        }
        let mut bytes = Vec::with_capacity(entry.size().min(64 << 10) as usize);
        let read = entry.take(cap + 1).read_to_end(&mut bytes);
        self.inflated_left = self.inflated_left.saturating_sub(bytes.len() as u64);
        read.map_err(|e| format!("corrupt entry: {e}"))?;
        if bytes.len() as u64 > cap {
            return Err(format!("entry inflates beyond the limit of {cap} bytes"));
        }
        Ok(bytes)
    }
}

/// Maven coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Coordinates {
    group: Option<String>,
    artifact: String,
    version: String,
}

impl Coordinates {
    fn package(&self, path: &str) -> LangPackage {
        LangPackage {
            kind: PackageKind::Maven,
            name: self.artifact.clone(),
            namespace: self.group.clone(),
            version: self.version.clone(),
            licenses: Vec::new(),
            path: path.to_string(),
        }
    }

    /// `org.eclipse.sisu.inject` → group `org.eclipse.sisu`.
    fn with_group_from_artifact(self) -> Self {
        let group = self
            .artifact
            .rsplit_once('.')
            .map(|(prefix, _)| prefix.to_string())
            .filter(|g| !g.is_empty());
        Coordinates { group, ..self }
    }
}

/// `spring-core-5.3.4-SNAPSHOT.jar` → (`spring-core`, `5.3.4-SNAPSHOT`), as Trivy's
/// `^([a-zA-Z0-9\._-]*[^-*])-(\d\S*(?:-SNAPSHOT)?).jar$` splits it: at the last `-`
/// followed by a digit.
fn coordinates_from_file_name(file_name: &str) -> Option<Coordinates> {
    let stem = file_name.strip_suffix(".jar")?;
    let split = stem.char_indices().rev().find(|&(i, c)| {
        c == '-'
            && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit())
            && valid_artifact(&stem[..i])
    })?;
    let (artifact, version) = (&stem[..split.0], &stem[split.0 + 1..]);
    if version.chars().any(char::is_whitespace) {
        return None;
    }
    Some(Coordinates {
        group: None,
        artifact: artifact.to_string(),
        version: version.to_string(),
    })
}

fn valid_artifact(artifact: &str) -> bool {
    let mut chars = artifact.chars();
    let Some(last) = chars.next_back() else {
        return false;
    };
    last != '-' && last != '*' && chars.all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Java properties, simplified: `key=value`, `key:value` or `key value`, `#`/`!` comments.
fn parse_pom_properties(text: &str) -> Option<Coordinates> {
    let (mut group, mut artifact, mut version) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let split = line.find(['=', ':', ' ', '\t']).unwrap_or(line.len());
        let (key, rest) = line.split_at(split);
        let rest = rest.trim_start();
        let value = rest.strip_prefix(['=', ':']).unwrap_or(rest).trim();
        match key {
            "groupId" => group = Some(value.to_string()),
            "artifactId" => artifact = Some(value.to_string()),
            "version" => version = Some(value.to_string()),
            _ => {}
        }
    }
    let (group, artifact, version) = (group?, artifact?, version?);
    if group.is_empty() || artifact.is_empty() || version.is_empty() {
        return None;
    }
    Some(Coordinates {
        group: Some(group),
        artifact,
        version,
    })
}

/// `META-INF/maven/<groupId>/<artifactId>/pom.xml` → (groupId, artifactId).
fn embedded_pom_key(name: &str) -> Option<(String, String)> {
    let rest = name
        .strip_prefix("META-INF/maven/")?
        .strip_suffix("/pom.xml")?;
    let (group, artifact) = rest.split_once('/')?;
    (!group.is_empty() && !artifact.is_empty() && !artifact.contains('/'))
        .then(|| (group.to_string(), artifact.to_string()))
}

/// The `<name>` of each `<license>` under `<licenses>`, as written (no XML parser is
/// needed for this one flat element; entities are decoded).
fn pom_license_names(xml: &str) -> Vec<String> {
    let Some(start) = xml.find("<licenses>") else {
        return Vec::new();
    };
    let block = &xml[start..];
    let block = &block[..block.find("</licenses>").unwrap_or(block.len())];
    block
        .split("<license>")
        .skip(1)
        .filter_map(|license| {
            let name = license.split_once("<name>")?.1.split_once("</name>")?.0;
            let name = decode_xml_text(name.trim());
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

fn decode_xml_text(text: &str) -> String {
    let text = text
        .strip_prefix("<![CDATA[")
        .and_then(|t| t.strip_suffix("]]>"))
        .unwrap_or(text);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The attributes of a manifest's main section that identify the archive.
#[derive(Debug, Default)]
struct Manifest {
    attributes: HashMap<String, String>,
    plugin_licenses: Vec<String>,
}

impl Manifest {
    /// Main section only (it ends at the first empty line); continuation lines start
    /// with one space and are joined without it.
    fn parse(text: &str) -> Manifest {
        let mut manifest = Manifest::default();
        let mut current = String::new();
        for line in text
            .split(['\n'])
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
        {
            if line.is_empty() {
                break;
            }
            if let Some(continued) = line.strip_prefix(' ') {
                current.push_str(continued);
                continue;
            }
            manifest.add(&current);
            current = line.to_string();
        }
        manifest.add(&current);
        manifest
    }

    fn add(&mut self, attribute: &str) {
        let Some((key, value)) = attribute.split_once(':') else {
            return;
        };
        let value = value.trim();
        // `%bundleName`: a placeholder resolved from a localization file.
        if value.is_empty() || value.starts_with('%') {
            return;
        }
        let key = key.trim();
        if key == "Plugin-License-Name" || key.starts_with("Plugin-License-Name-") {
            self.plugin_licenses.push(value.to_string());
        } else {
            self.attributes.insert(key.to_string(), value.to_string());
        }
    }

    fn first(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| self.attributes.get(*k)).cloned()
    }

    /// Trivy's choice of manifest attributes for groupId, artifactId and version.
    fn coordinates(&self) -> Option<Coordinates> {
        let group = self.first(&["Implementation-Vendor-Id"]).or_else(|| {
            self.first(&["Bundle-SymbolicName"])
                .map(|name| {
                    // `com.fasterxml.jackson.core.jackson-databind;singleton:=true`
                    let name = name
                        .split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_string();
                    match name.rsplit_once('.') {
                        Some((prefix, _)) if !prefix.is_empty() => prefix.to_string(),
                        _ => name,
                    }
                })
                .or_else(|| self.first(&["Implementation-Vendor", "Specification-Vendor"]))
        })?;
        let artifact =
            self.first(&["Implementation-Title", "Specification-Title", "Bundle-Name"])?;
        let version = self.first(&[
            "Implementation-Version",
            "Specification-Version",
            "Bundle-Version",
        ])?;
        Some(Coordinates {
            group: Some(group),
            artifact,
            version,
        })
    }
}

/// Jenkins plugin licences belong to the archive's own package when exactly one package
/// comes from this archive and it has no licence yet.
fn attach_manifest_licenses(packages: &mut [LangPackage], label: &str, licenses: &[String]) {
    if licenses.is_empty() {
        return;
    }
    let mut own = packages.iter_mut().filter(|p| p.path == label);
    if let (Some(package), None) = (own.next(), own.next()) {
        if package.licenses.is_empty() {
            package.licenses = licenses.to_vec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn jar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn pom(group: &str, artifact: &str, version: &str) -> Vec<u8> {
        format!("groupId={group}\nartifactId={artifact}\nversion={version}\n").into_bytes()
    }

    #[test]
    fn wants_archives() {
        for yes in [
            "/app/a.jar",
            "/app/b.WAR",
            "/x/y.ear",
            "/var/jenkins/plugins/git.jpi",
            "/p/x.hpi",
        ] {
            assert!(JavaArchiveCataloger.wants(yes), "{yes}");
        }
        for no in ["/app/a.jar.sha1", "/app/.jar", "/app/jar", "/app/a.zip"] {
            assert!(!JavaArchiveCataloger.wants(no), "{no}");
        }
    }

    #[test]
    fn file_names() {
        let split = |n: &str| coordinates_from_file_name(n).map(|c| (c.artifact, c.version));
        assert_eq!(
            split("commons-io-2.11.0.jar"),
            Some(("commons-io".into(), "2.11.0".into()))
        );
        assert_eq!(
            split("guava-31.1-jre.jar"),
            Some(("guava".into(), "31.1-jre".into()))
        );
        assert_eq!(
            split("log4j-1.2-api-2.17.1.jar"),
            Some(("log4j-1.2-api".into(), "2.17.1".into()))
        );
        assert_eq!(split("no_pom_properties.jar"), None);
        assert_eq!(split("-1.0.jar"), None);
        assert_eq!(split("app.war"), None);
    }

    #[test]
    fn properties_and_manifest_syntax() {
        let c =
            parse_pom_properties("#c\ngroupId:org.a\nartifactId: x=y\nversion   0.1.0\n").unwrap();
        assert_eq!(
            (c.group.as_deref(), c.artifact.as_str(), c.version.as_str()),
            (Some("org.a"), "x=y", "0.1.0")
        );
        assert!(parse_pom_properties("artifactId=a\nversion=1\n").is_none());
        let m = Manifest::parse(
            "Manifest-Version: 1.0\r\nImplementation-Title: spring\r\n -core\r\nImplementation-Version: 1.0\r\n\
             Bundle-SymbolicName: org.springframework.core;singleton:=true\r\n\r\nName: x\r\nImplementation-Title: other\r\n",
        );
        let c = m.coordinates().unwrap();
        assert_eq!(
            (c.group.as_deref(), c.artifact.as_str()),
            (Some("org.springframework"), "spring-core")
        );
    }

    #[test]
    fn nested_archives_get_bang_paths() {
        let inner = jar(&[(
            "META-INF/maven/g/inner/pom.properties",
            &pom("g", "inner", "2"),
        )]);
        let outer = jar(&[
            ("META-INF/maven/g/web/pom.properties", &pom("g", "web", "1")),
            ("WEB-INF/lib/inner-2.jar", &inner),
        ]);
        let got = JavaArchiveCataloger.parse("/app/web.war", &outer).unwrap();
        let paths: Vec<(&str, &str)> = got
            .iter()
            .map(|p| (p.name.as_str(), p.path.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                ("web", "/app/web.war"),
                ("inner", "/app/web.war!/WEB-INF/lib/inner-2.jar")
            ]
        );
    }

    #[test]
    fn nesting_depth_is_limited() {
        let mut archive = jar(&[(
            "META-INF/maven/g/deep/pom.properties",
            &pom("g", "deep", "1"),
        )]);
        for _ in 0..(MAX_DEPTH + 2) {
            archive = jar(&[("lib/inner.jar", &archive)]);
        }
        let err = JavaArchiveCataloger
            .parse("/deep.jar", &archive)
            .unwrap_err();
        assert!(err.contains("nested deeper"), "{err}");
    }

    #[test]
    fn zip_bombs_are_capped() {
        // Declared size is honest here: rejected before inflating.
        let big = vec![b'a'; (MAX_METADATA_BYTES + 10) as usize];
        let archive = jar(&[
            ("META-INF/MANIFEST.MF", &big),
            ("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1")),
        ]);
        let got = JavaArchiveCataloger.parse("/x.jar", &archive).unwrap();
        assert_eq!(got.len(), 1);

        // Lying declared size: patch the central directory's uncompressed size to 10.
        let mut archive = jar(&[("META-INF/maven/g/a/pom.properties", &big)]);
        let cd = archive
            .windows(4)
            .rposition(|w| w == b"PK\x01\x02")
            .unwrap();
        archive[cd + 24..cd + 28].copy_from_slice(&10u32.to_le_bytes());
        let lh = archive.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
        archive[lh + 22..lh + 26].copy_from_slice(&10u32.to_le_bytes());
        assert!(JavaArchiveCataloger.parse("/x.jar", &archive).is_ok());
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let good = jar(&[("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1"))]);
        for cut in [0, 1, 4, 22, good.len() / 2, good.len() - 1] {
            let _ = JavaArchiveCataloger.parse("/x.jar", &good[..cut]);
        }
        let mut flipped = good.clone();
        for i in (0..flipped.len()).step_by(7) {
            flipped[i] ^= 0x55;
            let _ = JavaArchiveCataloger.parse("/x.jar", &flipped);
        }
        assert!(JavaArchiveCataloger.parse("/x.jar", b"not a zip").is_err());
        let many: Vec<(String, Vec<u8>)> = (0..5000)
            .map(|i| (format!("c/{i}.class"), Vec::new()))
            .collect();
        let refs: Vec<(&str, &[u8])> = many
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        assert_eq!(
            JavaArchiveCataloger.parse("/x.jar", &jar(&refs)),
            Ok(vec![])
        );
    }

    #[test]
    fn pom_licenses() {
        let xml = "<project><licenses><license><name>Apache License, Version 2.0</name></license>\
                   <license><name>MIT &amp; more</name></license></licenses></project>";
        assert_eq!(
            pom_license_names(xml),
            ["Apache License, Version 2.0", "MIT & more"]
        );
        assert!(pom_license_names("<project>").is_empty());
    }
}
