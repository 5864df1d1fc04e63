//! apk's database, `lib/apk/db/installed`: one `K:value` line per field, packages separated
//! by blank lines; files as `F:` (directory) followed by `R:` (file) lines.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApkPackage {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The aport it was built from (`o:`), the unit Alpine's secdb speaks of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

pub fn parse_installed(text: &str) -> (Vec<ApkPackage>, Vec<String>) {
    let mut packages = Vec::new();
    let mut warnings = Vec::new();
    let mut current = ApkPackage::default();
    let mut dir = String::new();
    let mut start_line = 1;
    let mut finish = |pkg: &mut ApkPackage, line: usize, packages: &mut Vec<ApkPackage>| {
        let pkg = std::mem::take(pkg);
        if pkg == ApkPackage::default() {
            return;
        }
        if pkg.name.is_empty() || pkg.version.is_empty() {
            warnings.push(format!(
                "entry at line {line} lacks a name (P:) or version (V:)"
            ));
            return;
        }
        packages.push(pkg);
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            finish(&mut current, start_line, &mut packages);
            dir.clear();
            start_line = n + 2;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "P" => current.name = value.to_string(),
            "V" => current.version = value.to_string(),
            "A" => current.arch = Some(value.to_string()),
            "o" => current.origin = Some(value.to_string()),
            "L" => current.license = Some(value.to_string()).filter(|l| !l.is_empty()),
            "m" => current.maintainer = Some(value.to_string()),
            "F" => dir = value.to_string(),
            "R" => current.files.push(if dir.is_empty() {
                format!("/{value}")
            } else {
                format!("/{dir}/{value}")
            }),
            _ => {}
        }
    }
    finish(&mut current, start_line, &mut packages);
    (packages, warnings)
}

/// Each package file's digest from the installed database: `(absolute path,
/// algorithm:hex)` for every `R:` line followed by a `Z:` checksum, `Q1` being base64
/// SHA-1 and `Q2` base64 SHA-256 (apk's own encoding of them).
pub fn file_digests(text: &str) -> Vec<(String, String)> {
    use base64::Engine as _;
    let mut out = Vec::new();
    let mut dir = "";
    let mut file: Option<String> = None;
    for line in text.lines() {
        if line.trim().is_empty() {
            dir = "";
            file = None;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "F" => {
                dir = value;
                file = None;
            }
            "R" => {
                file = Some(if dir.is_empty() {
                    format!("/{value}")
                } else {
                    format!("/{dir}/{value}")
                })
            }
            "Z" => {
                let Some(path) = file.take() else { continue };
                let (algorithm, encoded) = match value.split_at_checked(2) {
                    Some(("Q1", rest)) => ("sha1", rest),
                    Some(("Q2", rest)) => ("sha256", rest),
                    _ => continue,
                };
                if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(encoded) {
                    out.push((path, format!("{algorithm}:{}", hex::encode(raw))));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_digests_pair_each_file_with_its_checksum() {
        // `Q1` + base64 of SHA-1("hello\n"): f572d396fae9206628714fb2ce00f72e94f2258f.
        let text = "P:a\nF:etc\nR:motd\nZ:Q19XLTlvrpIGYocU+yzgD3LpTyJY8=\nR:nosum\nF:usr/bin\nR:x\na:0:0:755\nZ:Q2LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\n\nP:b\nR:top\nZ:Q1bad!!\n";
        assert_eq!(
            file_digests(text),
            [
                (
                    "/etc/motd".to_string(),
                    "sha1:f572d396fae9206628714fb2ce00f72e94f2258f".to_string()
                ),
                (
                    "/usr/bin/x".to_string(),
                    "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn parses_packages_and_files() {
        let text = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\nP:broken\n\n";
        let (packages, warnings) = parse_installed(text);
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].origin.as_deref(), Some("musl"));
        assert_eq!(
            packages[0].files,
            ["/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1"]
        );
        assert_eq!(warnings.len(), 1);
    }
}
