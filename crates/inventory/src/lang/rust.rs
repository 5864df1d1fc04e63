//! Rust crates: `Cargo.lock` files and binaries built with `cargo auditable`, which
//! embed their dependency list as zlib-compressed JSON in a `.dep-v0` section.
//!
//! Policy: every `[[package]]` of a lockfile is reported, the workspace's own path
//! crates included (as Trivy, Syft and osv-scalibr all do). From binaries every crate of
//! kind `runtime` is reported, the root crate included; `build` crates (build scripts and
//! their dependencies) are not linked into the binary, so they are skipped, as Trivy does.

use flate2::read::ZlibDecoder;
use object::{Object, ObjectSection};
use serde::Deserialize;
use std::io::Read;

use super::golang::{has_executable_magic, is_plausible_executable};
use super::{Cataloger, LangPackage};
use crate::model::PackageKind;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    vec![&CargoLockCataloger, &CargoAuditableCataloger]
}

fn package(name: String, version: String, path: &str) -> LangPackage {
    LangPackage {
        kind: PackageKind::Cargo,
        name,
        namespace: None,
        version,
        licenses: Vec::new(),
        path: path.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Cargo.lock

/// `Cargo.lock`, any lockfile version.
pub struct CargoLockCataloger;

#[derive(Deserialize)]
struct CargoLock {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
}

impl Cataloger for CargoLockCataloger {
    fn name(&self) -> &'static str {
        "cargo-lock"
    }

    fn wants(&self, path: &str) -> bool {
        path.ends_with("/Cargo.lock") || path == "Cargo.lock"
    }

    fn max_size(&self) -> u64 {
        16 << 20
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let text =
            std::str::from_utf8(content).map_err(|_| "Cargo.lock is not UTF-8".to_string())?;
        let lock: CargoLock =
            toml::from_str(text).map_err(|e| format!("invalid Cargo.lock: {}", first_line(&e)))?;
        Ok(lock
            .package
            .into_iter()
            .map(|p| package(p.name, p.version, path))
            .collect())
    }
}

fn first_line(error: &impl std::fmt::Display) -> String {
    error
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

// ---------------------------------------------------------------------------------------
// cargo-auditable binaries

/// Dependency lists `cargo auditable` embeds in executables.
pub struct CargoAuditableCataloger;

/// The audit data is a few KiB compressed; anything inflating beyond this is hostile.
const MAX_AUDIT_JSON: u64 = 8 << 20;

#[derive(Deserialize)]
struct AuditData {
    #[serde(default)]
    packages: Vec<AuditedPackage>,
}

#[derive(Deserialize)]
struct AuditedPackage {
    name: String,
    version: String,
    /// `runtime` (the default) or `build`.
    #[serde(default)]
    kind: Option<String>,
}

impl Cataloger for CargoAuditableCataloger {
    fn name(&self) -> &'static str {
        "cargo-auditable"
    }

    fn wants(&self, path: &str) -> bool {
        is_plausible_executable(path)
    }

    fn max_size(&self) -> u64 {
        256 << 20
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        if !has_executable_magic(content) {
            return Ok(Vec::new());
        }
        let Ok(file) = object::File::parse(content) else {
            return Ok(Vec::new());
        };
        let Some(compressed) = file
            .section_by_name(".dep-v0")
            .or_else(|| file.section_by_name("__dep-v0"))
            .and_then(|section| section.data().ok())
        else {
            return Ok(Vec::new());
        };
        let json = inflate_capped(compressed, MAX_AUDIT_JSON)?;
        let data: AuditData = serde_json::from_slice(&json)
            .map_err(|e| format!("invalid cargo-auditable data: {e}"))?;
        Ok(data
            .packages
            .into_iter()
            .filter(|p| p.kind.as_deref() != Some("build"))
            .map(|p| package(p.name, p.version, path))
            .collect())
    }
}

fn inflate_capped(compressed: &[u8], cap: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    ZlibDecoder::new(compressed)
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cargo-auditable data does not inflate: {e}"))?;
    if out.len() as u64 > cap {
        return Err(format!("cargo-auditable data inflates beyond {cap} bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;

    #[test]
    fn lockfile_errors_and_empty() {
        let parse = |s: &str| CargoLockCataloger.parse("/Cargo.lock", s.as_bytes());
        assert_eq!(parse("version = 3\n"), Ok(vec![]));
        assert_eq!(parse(""), Ok(vec![]));
        assert!(parse("this is not valid toml! (I think)").is_err());
        assert!(parse("[[package]]\nname = \"a\"\nversion =\n").is_err());
        assert!(parse("[[package]]\nname = \"a\"\n").is_err());
        assert!(CargoLockCataloger
            .parse("/Cargo.lock", b"\xff\xfe")
            .is_err());
        let deep = format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn lockfile_with_many_packages() {
        let mut text = String::from("version = 3\n");
        for i in 0..20_000 {
            text.push_str(&format!(
                "[[package]]\nname = \"c{i}\"\nversion = \"1.0.{i}\"\n"
            ));
        }
        let got = CargoLockCataloger
            .parse("/Cargo.lock", text.as_bytes())
            .unwrap();
        assert_eq!(got.len(), 20_000);
    }

    #[test]
    fn wants() {
        assert!(CargoLockCataloger.wants("/src/Cargo.lock"));
        assert!(!CargoLockCataloger.wants("/src/Cargo.toml"));
        assert!(CargoAuditableCataloger.wants("/usr/local/bin/rg"));
        assert!(!CargoAuditableCataloger.wants("/usr/share/doc/rg/README.md"));
    }

    #[test]
    fn non_executables_are_skipped_quietly() {
        for content in [&b""[..], b"{}", b"\x7fELF\x02\x01", b"MZ"] {
            assert_eq!(CargoAuditableCataloger.parse("/bin/x", content), Ok(vec![]));
        }
    }

    #[test]
    fn inflation_is_capped() {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&vec![b' '; 1 << 20]).unwrap();
        let bomb = encoder.finish().unwrap();
        assert!(inflate_capped(&bomb, 1000).is_err());
        assert_eq!(inflate_capped(&bomb, 1 << 20).unwrap().len(), 1 << 20);
        assert!(inflate_capped(b"not zlib", 1000).is_err());
        assert!(inflate_capped(&bomb[..bomb.len() / 2], 1 << 20).is_err());
    }
}
