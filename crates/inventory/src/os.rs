//! Which OS an image runs: `os-release` first, then the distributions' own release files,
//! then clues (a lone busybox).

use std::collections::BTreeMap;

use crate::eol;
use crate::model::OsInfo;

/// Files OS detection reads (all small).
pub const OS_FILES: &[&str] = &[
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/alpine-release",
    "/etc/debian_version",
    "/etc/lsb-release",
    "/etc/system-release",
    "/etc/redhat-release",
    "/etc/centos-release",
    "/etc/oracle-release",
    "/etc/rocky-release",
    "/etc/almalinux-release",
    "/etc/fedora-release",
    "/etc/SuSE-release",
    "/etc/photon-release",
];

/// `KEY=value` lines with optional quotes, as os-release(5) and lsb-release write them.
pub fn parse_key_values(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            Some((key.trim().to_string(), value.replace("\\\"", "\"")))
        })
        .collect()
}

/// The os-release ID each family uses, for images detected from other files.
fn default_id(family: &str) -> &str {
    match family {
        "amazon" => "amzn",
        "oracle" => "ol",
        "cbl-mariner" => "mariner",
        "centos-stream" => "centos",
        "sle-micro" => "sle-micro",
        other => other,
    }
}

/// The OS named by an os-release `ID` (and `NAME`, which tells CentOS Stream apart), for
/// callers that have only those: SBOMs name the OS by its os-release id.
pub fn from_id(id: &str, version: &str, name: Option<&str>, found_in: &str) -> OsInfo {
    let family = family_for_id(id, name.unwrap_or_default());
    let mut os = info(
        family,
        version,
        None,
        name.map_or_else(|| format!("{id} {version}"), str::to_string),
        found_in,
    );
    os.id = id.to_string();
    os
}

/// drydock's family name for an os-release `ID`.
fn family_for_id<'a>(id: &'a str, name: &str) -> &'a str {
    match id {
        "centos" if name.contains("Stream") => "centos-stream",
        "ol" => "oracle",
        "amzn" => "amazon",
        "sle-micro" | "sle-micro-rancher" | "sl-micro" => "sle-micro",
        "opensuse" | "opensuse-leap" => "opensuse-leap",
        "mariner" => "cbl-mariner",
        other => other,
    }
}

fn info(
    family: &str,
    version: &str,
    codename: Option<String>,
    name: String,
    found_in: &str,
) -> OsInfo {
    let (eol_status, eol_date) = eol::status(family, version);
    OsInfo {
        family: family.to_string(),
        id: default_id(family).to_string(),
        version: version.to_string(),
        codename: codename.filter(|c| !c.is_empty()),
        name,
        distroless: false,
        eol_status,
        eol_date,
        found_in: found_in.to_string(),
    }
}

/// Maps an os-release file to the OS it describes.
fn from_os_release(
    fields: &BTreeMap<String, String>,
    found_in: &str,
    debian_version: Option<&str>,
) -> Option<OsInfo> {
    let id = fields.get("ID")?.to_ascii_lowercase();
    let name = fields.get("NAME").cloned().unwrap_or_default();
    let pretty = fields
        .get("PRETTY_NAME")
        .cloned()
        .unwrap_or_else(|| name.clone());
    let version_id = fields.get("VERSION_ID").cloned().unwrap_or_default();
    let codename = fields.get("VERSION_CODENAME").cloned().or_else(|| {
        // "12 (bookworm)" → bookworm
        let version = fields.get("VERSION")?;
        let (_, rest) = version.split_once('(')?;
        Some(rest.trim_end_matches(')').trim().to_ascii_lowercase())
    });
    let family = family_for_id(&id, &name);
    let version = match family {
        // Testing and unstable have no VERSION_ID; debian_version says "trixie/sid".
        "debian" if version_id.is_empty() => debian_version?.trim().to_string(),
        "opensuse-tumbleweed" | "wolfi" | "chainguard" | "arch" => version_id,
        // Edge says VERSION_ID=3.19_alpha20230901; its secdb branch is "edge".
        "alpine" if pretty.ends_with(" edge") => "edge".to_string(),
        _ if version_id.is_empty() => return None,
        _ => version_id,
    };
    let mut os = info(family, &version, codename, pretty.clone(), found_in);
    os.id = id.clone();
    os.distroless = family == "debian" && pretty.contains("Distroless");
    Some(os)
}

/// `Red Hat Enterprise Linux Server release 6.2 (Santiago)` and its relatives.
fn from_redhat_release(text: &str, found_in: &str) -> Option<OsInfo> {
    let line = text.lines().next()?.trim();
    let (product, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?.to_string();
    let codename = rest
        .split_once('(')
        .map(|(_, c)| c.trim_end_matches(')').to_string());
    let family = match product {
        p if p.starts_with("CentOS Stream") => "centos-stream",
        p if p.starts_with("CentOS") => "centos",
        p if p.starts_with("Red Hat") => "rhel",
        p if p.starts_with("Oracle") => "oracle",
        p if p.starts_with("Rocky") => "rocky",
        p if p.starts_with("AlmaLinux") => "almalinux",
        p if p.starts_with("Fedora") => "fedora",
        p if p.starts_with("Amazon Linux AMI") => {
            return Some(info("amazon", &version, None, line.to_string(), found_in))
        }
        p if p.starts_with("Amazon Linux") => "amazon",
        _ => return None,
    };
    Some(info(family, &version, codename, line.to_string(), found_in))
}

/// A busybox image: no distribution, just the multi-call binary.
pub fn busybox(version: &str, found_in: &str) -> OsInfo {
    info(
        "busybox",
        version,
        None,
        format!("BusyBox {version}"),
        found_in,
    )
}

/// Detects the OS from the final filesystem; `read` returns a file's text when present.
pub fn detect(read: &dyn Fn(&str) -> Option<String>) -> Option<OsInfo> {
    let debian_version = read("/etc/debian_version");
    for path in ["/etc/os-release", "/usr/lib/os-release"] {
        if let Some(text) = read(path) {
            if let Some(os) =
                from_os_release(&parse_key_values(&text), path, debian_version.as_deref())
            {
                return Some(os);
            }
        }
    }
    if let Some(text) = read("/etc/alpine-release") {
        let version = text.trim();
        if !version.is_empty() {
            return Some(info(
                "alpine",
                version,
                None,
                format!("Alpine Linux {version}"),
                "/etc/alpine-release",
            ));
        }
    }
    for path in [
        "/etc/centos-release",
        "/etc/rocky-release",
        "/etc/almalinux-release",
        "/etc/oracle-release",
        "/etc/fedora-release",
        "/etc/redhat-release",
        "/etc/system-release",
    ] {
        if let Some(os) = read(path).and_then(|t| from_redhat_release(&t, path)) {
            return Some(os);
        }
    }
    if let Some(text) = read("/etc/lsb-release") {
        let fields = parse_key_values(&text);
        if fields
            .get("DISTRIB_ID")
            .is_some_and(|id| id.eq_ignore_ascii_case("ubuntu"))
        {
            if let Some(version) = fields.get("DISTRIB_RELEASE") {
                let name = fields
                    .get("DISTRIB_DESCRIPTION")
                    .cloned()
                    .unwrap_or_else(|| format!("Ubuntu {version}"));
                return Some(info(
                    "ubuntu",
                    version,
                    fields.get("DISTRIB_CODENAME").cloned(),
                    name,
                    "/etc/lsb-release",
                ));
            }
        }
    }
    if let Some(text) = read("/etc/SuSE-release") {
        let first = text.lines().next().unwrap_or_default().to_string();
        let fields = parse_key_values(&text.replace(" = ", "="));
        if let Some(version) = fields.get("VERSION") {
            let version = match fields.get("PATCHLEVEL") {
                Some(patch) if patch != "0" => format!("{version}.{patch}"),
                _ => version.clone(),
            };
            let family = if first.contains("openSUSE") {
                "opensuse-leap"
            } else {
                "sles"
            };
            return Some(info(family, &version, None, first, "/etc/SuSE-release"));
        }
    }
    if let Some(text) = read("/etc/photon-release") {
        let first = text.lines().next().unwrap_or_default().trim().to_string();
        if let Some(version) = first
            .rsplit(' ')
            .next()
            .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        {
            return Some(info(
                "photon",
                version,
                None,
                first.clone(),
                "/etc/photon-release",
            ));
        }
    }
    if let Some(text) = debian_version {
        let version = text.trim();
        if !version.is_empty() {
            return Some(info(
                "debian",
                version,
                None,
                format!("Debian {version}"),
                "/etc/debian_version",
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_one(path: &str, text: &str) -> Option<OsInfo> {
        let (path, text) = (path.to_string(), text.to_string());
        detect(&move |p| (p == path).then(|| text.clone()))
    }

    #[test]
    fn os_release_families() {
        let os = detect_one(
            "/etc/os-release",
            "NAME=\"CentOS Stream\"\nID=\"centos\"\nVERSION_ID=\"9\"\n",
        )
        .unwrap();
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("centos-stream", "9")
        );
        let os = detect_one(
            "/etc/os-release",
            "ID=debian\nVERSION=\"12 (bookworm)\"\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Distroless\"",
        )
        .unwrap();
        assert!(os.distroless);
        assert_eq!(os.codename.as_deref(), Some("bookworm"));
        assert!(detect_one("/etc/os-release", "ID=foo\n").is_none());
    }

    #[test]
    fn release_files() {
        let os = detect_one("/etc/system-release", "Amazon Linux AMI release 2018.03").unwrap();
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("amazon", "2018.03")
        );
        let os = detect_one(
            "/etc/centos-release",
            "CentOS Linux release 7.6.1810 (Core)\n",
        )
        .unwrap();
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("centos", "7.6.1810")
        );
        let os = detect_one(
            "/etc/SuSE-release",
            "SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n",
        )
        .unwrap();
        assert_eq!((os.family.as_str(), os.version.as_str()), ("sles", "11.4"));
    }
}
