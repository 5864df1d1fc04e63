//! dpkg's database: `var/lib/dpkg/status` (and distroless `status.d/*`, one stanza a
//! file), plus the `info/*.list` files that say which files each package owns.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpkgPackage {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    pub source_name: String,
    pub source_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
}

/// Stanzas separated by blank lines; `Key: value` fields, continued on lines that start
/// with white space.
fn stanzas(text: &str) -> impl Iterator<Item = (usize, Vec<(&str, String)>)> {
    let mut blocks = Vec::new();
    let mut current: Vec<(&str, String)> = Vec::new();
    let mut start_line = 1;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push((start_line, std::mem::take(&mut current)));
            }
            start_line = n + 2;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            current.push((key.trim(), value.trim().to_string()));
        }
    }
    if !current.is_empty() {
        blocks.push((start_line, current));
    }
    blocks.into_iter()
}

/// dpkg's own rules for a version string: optional numeric epoch, an upstream part that
/// starts with a digit, optional revision; a limited character set in each.
pub fn valid_version(version: &str) -> Result<(), &'static str> {
    let (epoch, rest) = match version.split_once(':') {
        Some((e, r)) => (Some(e), r),
        None => (None, version),
    };
    if let Some(epoch) = epoch {
        if epoch.is_empty() || !epoch.bytes().all(|b| b.is_ascii_digit()) {
            return Err("epoch in version is not a number");
        }
    }
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((u, r)) => (u, Some(r)),
        None => (rest, None),
    };
    if upstream.is_empty() {
        return Err("version number is empty");
    }
    if !upstream.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("version number does not start with digit");
    }
    if !upstream
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".+~-:".contains(&b))
    {
        return Err("invalid character in version number");
    }
    if let Some(revision) = revision {
        if revision.is_empty()
            || !revision
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".+~".contains(&b))
        {
            return Err("invalid character in revision number");
        }
    }
    Ok(())
}

/// Installed packages of a status file. `require_status`: dpkg's own status file marks
/// installed packages with `Status: … installed`, and a stanza without it is not
/// installed; distroless `status.d` files carry no Status field at all, and every stanza
/// in them is installed. Stanzas that dpkg would refuse are skipped with a warning.
pub fn parse_status(text: &str, require_status: bool) -> (Vec<DpkgPackage>, Vec<String>) {
    let mut packages = Vec::new();
    let mut warnings = Vec::new();
    for (line, fields) in stanzas(text) {
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
        };
        let Some(name) = get("Package").filter(|n| !n.is_empty()) else {
            warnings.push(format!("stanza at line {line} has no Package field"));
            continue;
        };
        // "install ok installed", "hold ok installed": the third word is the state.
        match get("Status") {
            Some(status) if status.split_whitespace().nth(2) != Some("installed") => continue,
            None if require_status => continue,
            _ => {}
        }
        let Some(version) = get("Version").filter(|v| !v.is_empty()) else {
            warnings.push(format!("package {name} (line {line}) has no Version"));
            continue;
        };
        if let Err(why) = valid_version(version) {
            warnings.push(format!("package {name} (line {line}): {why}: {version:?}"));
            continue;
        }
        // "Source: name" or "Source: name (version)"; absent means the same as the binary.
        let (source_name, source_version) = match get("Source") {
            Some(source) => match source.split_once('(') {
                Some((n, v)) => (
                    n.trim().to_string(),
                    v.trim_end_matches(')').trim().to_string(),
                ),
                None => (source.trim().to_string(), version.to_string()),
            },
            None => (name.to_string(), version.to_string()),
        };
        packages.push(DpkgPackage {
            name: name.to_string(),
            version: version.to_string(),
            arch: get("Architecture").map(str::to_string),
            source_name,
            source_version,
            maintainer: get("Maintainer").map(str::to_string),
        });
    }
    (packages, warnings)
}

/// The package a `var/lib/dpkg/info/NAME[:ARCH].list` file belongs to.
pub fn list_file_package(path: &str) -> Option<&str> {
    let name = path
        .strip_prefix("/var/lib/dpkg/info/")?
        .strip_suffix(".list")?;
    Some(name.split(':').next().unwrap_or(name))
}

/// Owned paths of a `.list` file (directories included, as dpkg lists them).
pub fn parse_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('/') && *l != "/." && *l != "/")
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_fields_and_states() {
        let text = "Package: postgresql-client\nStatus: install ok installed\nVersion: 11+200+deb10u5\nArchitecture: all\nSource: postgresql-common (200+deb10u5)\nDescription: x\n multi\n line\n\n\
                    Package: git\nStatus: deinstall ok config-files\nVersion: 1:2.17.1-1ubuntu0.1\n\n\
                    Package: libc6\nStatus: hold ok installed\nVersion: 2.36-9\nSource: glibc\n\n\
                    Package: bad\nStatus: install ok installed\nVersion: 1:5.#\n";
        let (packages, warnings) = parse_status(text, true);
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].source_name, "postgresql-common");
        assert_eq!(packages[0].source_version, "200+deb10u5");
        assert_eq!(packages[1].source_name, "glibc");
        assert_eq!(packages[1].source_version, "2.36-9");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("bad"));
    }

    #[test]
    fn versions() {
        for ok in ["1.0", "1:2.3-4", "2.36-9+deb12u4", "1.2~rc1-1", "0-1-2"] {
            assert!(valid_version(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a1.0", "x:1.0", "1:5.#", "1.0-", "1.0-a_b"] {
            assert!(valid_version(bad).is_err(), "{bad}");
        }
        assert_eq!(
            list_file_package("/var/lib/dpkg/info/libc6:amd64.list"),
            Some("libc6")
        );
    }
}
