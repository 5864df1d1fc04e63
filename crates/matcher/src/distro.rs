//! Which feed an OS release is matched against, and which package manager fixes it.
//!
//! OS packages are matched only against their own distribution's data for their release:
//! a Debian 12 package against `Debian:12`, Alma 9 against `AlmaLinux:9`, CentOS against Red
//! Hat's data for its major version. The ecosystem spellings are OSV's where OSV has the
//! distro, and drydock's own feed adapters write the same names for the rest.

use drydock_inventory::{OsInfo, PackageKind};
use serde::Serialize;

/// The package manager whose command fixes OS findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Apt,
    Apk,
    Yum,
    Dnf,
    Tdnf,
    Zypper,
}

impl PackageManager {
    pub fn as_str(self) -> &'static str {
        match self {
            PackageManager::Apt => "apt",
            PackageManager::Apk => "apk",
            PackageManager::Yum => "yum",
            PackageManager::Dnf => "dnf",
            PackageManager::Tdnf => "tdnf",
            PackageManager::Zypper => "zypper",
        }
    }
}

/// How to match one OS release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DistroFeed {
    /// Ecosystems queried, in order of preference (`Debian:12`).
    pub ecosystems: Vec<String>,
    /// The package kind the distro installs.
    pub kind: PackageKind,
    /// Whether the feed names source packages (Debian, Ubuntu, Alpine origins) rather than
    /// binary ones (RPM distros).
    pub by_source: bool,
    /// `None` for images without a package manager (distroless).
    pub manager: Option<PackageManager>,
    /// `Debian 12`, `Alpine 3.20` — for messages.
    pub label: String,
}

fn parts(version: &str) -> Vec<&str> {
    version.split(['.', ' ', '_', '-']).collect()
}

fn major(version: &str) -> &str {
    parts(version).first().copied().unwrap_or(version)
}

fn major_minor(version: &str) -> String {
    let p = parts(version);
    match p.as_slice() {
        [a, b, ..] => format!("{a}.{b}"),
        [a] => format!("{a}.0"),
        [] => version.to_string(),
    }
}

fn numeric(text: &str) -> Option<u32> {
    text.parse().ok()
}

/// The feed for an OS, or `None` when drydock has no mapping for the family.
pub fn feed_for(os: &OsInfo) -> Option<DistroFeed> {
    let version = os.version.as_str();
    let (ecosystems, kind, by_source, manager, label): (Vec<String>, _, _, _, String) =
        match os.family.as_str() {
            "debian" => {
                // Testing/unstable ("trixie/sid") have no release number and no feed.
                let number = numeric(major(version))?;
                (
                    vec![format!("Debian:{number}")],
                    PackageKind::Deb,
                    true,
                    Some(PackageManager::Apt),
                    format!("Debian {number}"),
                )
            }
            "ubuntu" => {
                let release = major_minor(version);
                let (year, month) = release.split_once('.')?;
                let lts = numeric(year).is_some_and(|y| y % 2 == 0) && month == "04";
                let ecosystem = if lts {
                    format!("Ubuntu:{release}:LTS")
                } else {
                    format!("Ubuntu:{release}")
                };
                (
                    vec![ecosystem],
                    PackageKind::Deb,
                    true,
                    Some(PackageManager::Apt),
                    format!("Ubuntu {release}"),
                )
            }
            "alpine" => {
                let branch = if version == "edge" {
                    "edge".to_string()
                } else {
                    format!("v{}", major_minor(version))
                };
                (
                    vec![format!("Alpine:{branch}")],
                    PackageKind::Apk,
                    true,
                    Some(PackageManager::Apk),
                    format!("Alpine {}", branch.trim_start_matches('v')),
                )
            }
            "wolfi" => (
                vec!["Wolfi".into()],
                PackageKind::Apk,
                true,
                Some(PackageManager::Apk),
                "Wolfi".into(),
            ),
            "chainguard" => (
                vec!["Chainguard".into(), "Wolfi".into()],
                PackageKind::Apk,
                true,
                Some(PackageManager::Apk),
                "Chainguard".into(),
            ),
            family @ ("rhel" | "centos" | "centos-stream" | "almalinux" | "rocky" | "oracle"
            | "fedora") => {
                let number = numeric(major(version))?;
                let (ecosystem, name) = match family {
                    "almalinux" => ("AlmaLinux", "AlmaLinux"),
                    "rocky" => ("Rocky Linux", "Rocky Linux"),
                    "oracle" => ("Oracle Linux", "Oracle Linux"),
                    "fedora" => ("Fedora", "Fedora"),
                    "centos" | "centos-stream" => ("Red Hat", "CentOS"),
                    _ => ("Red Hat", "Red Hat Enterprise Linux"),
                };
                let manager = if family != "fedora" && number <= 7 {
                    PackageManager::Yum
                } else {
                    PackageManager::Dnf
                };
                (
                    vec![format!("{ecosystem}:{number}")],
                    PackageKind::Rpm,
                    false,
                    Some(manager),
                    format!("{name} {number}"),
                )
            }
            "amazon" => {
                let release = match major(version) {
                    // Amazon Linux 1 numbers its releases by date (2018.03).
                    v if v.len() == 4 && v < "2022" => "1".to_string(),
                    v => v.to_string(),
                };
                let manager = if release == "1" || release == "2" {
                    PackageManager::Yum
                } else {
                    PackageManager::Dnf
                };
                (
                    vec![format!("Amazon Linux:{release}")],
                    PackageKind::Rpm,
                    false,
                    Some(manager),
                    format!("Amazon Linux {release}"),
                )
            }
            family @ ("photon" | "cbl-mariner" | "azurelinux") => {
                let release = major_minor(version);
                let name = match family {
                    "photon" => "Photon OS",
                    "cbl-mariner" => "CBL-Mariner",
                    _ => "Azure Linux",
                };
                (
                    vec![format!("{name}:{release}")],
                    PackageKind::Rpm,
                    false,
                    Some(PackageManager::Tdnf),
                    format!("{name} {release}"),
                )
            }
            family @ ("sles" | "sle-micro") => {
                let p = parts(version);
                let product = if family == "sles" {
                    "Linux Enterprise Server"
                } else {
                    "Linux Enterprise Micro"
                };
                let release = match (family, p.as_slice()) {
                    ("sles", [major]) | ("sles", [major, "0", ..]) => major.to_string(),
                    ("sles", [major, sp, ..]) => format!("{major} SP{sp}"),
                    (_, _) => major_minor(version),
                };
                (
                    vec![format!("SUSE:{product} {release}")],
                    PackageKind::Rpm,
                    false,
                    Some(PackageManager::Zypper),
                    format!("SUSE {product} {release}"),
                )
            }
            "opensuse-leap" => {
                let release = major_minor(version);
                (
                    vec![format!("openSUSE:Leap {release}")],
                    PackageKind::Rpm,
                    false,
                    Some(PackageManager::Zypper),
                    format!("openSUSE Leap {release}"),
                )
            }
            "opensuse-tumbleweed" => (
                vec!["openSUSE:Tumbleweed".into()],
                PackageKind::Rpm,
                false,
                Some(PackageManager::Zypper),
                "openSUSE Tumbleweed".into(),
            ),
            _ => return None,
        };
    Some(DistroFeed {
        ecosystems,
        kind,
        by_source,
        manager: if os.distroless { None } else { manager },
        label,
    })
}

/// Version strings that say a package came from a third-party repository (NodeSource,
/// PostgreSQL's PGDG, a PPA, Docker's own repository): the distro's feed says nothing
/// about those builds, so matching them against it would only give false alarms.
pub fn third_party_marker(
    kind: PackageKind,
    version: &str,
    vendor: Option<&str>,
) -> Option<String> {
    let lower = version.to_ascii_lowercase();
    for marker in [
        "nodesource",
        "pgdg",
        "~ppa",
        "+ppa",
        "docker",
        "~bpo-custom",
    ] {
        if lower.contains(marker) {
            return Some(format!(
                "version {version} comes from a third-party repository ({marker})"
            ));
        }
    }
    if kind == PackageKind::Rpm {
        if let Some(vendor) = vendor {
            let v = vendor.to_ascii_lowercase();
            let distro_vendors = [
                "red hat",
                "centos",
                "almalinux",
                "rocky",
                "cloudlinux",
                "oracle",
                "amazon",
                "fedora",
                "suse",
                "opensuse",
                "vmware",
                "microsoft",
                "broadcom",
            ];
            if !v.is_empty() && !distro_vendors.iter().any(|d| v.contains(d)) {
                return Some(format!("built by {vendor}, not by the distribution"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use drydock_inventory::EolStatus;

    fn os(family: &str, version: &str) -> OsInfo {
        OsInfo {
            family: family.into(),
            id: family.into(),
            version: version.into(),
            codename: None,
            name: String::new(),
            distroless: false,
            eol_status: EolStatus::Unknown,
            eol_date: None,
            found_in: String::new(),
        }
    }

    #[test]
    fn ecosystems_per_release() {
        let cases = [
            ("debian", "12", "Debian:12", "apt"),
            ("debian", "11.9", "Debian:11", "apt"),
            ("ubuntu", "18.04", "Ubuntu:18.04:LTS", "apt"),
            ("ubuntu", "19.10", "Ubuntu:19.10", "apt"),
            ("alpine", "3.20.3", "Alpine:v3.20", "apk"),
            ("alpine", "edge", "Alpine:edge", "apk"),
            ("almalinux", "9.4", "AlmaLinux:9", "dnf"),
            ("rocky", "8.10", "Rocky Linux:8", "dnf"),
            ("centos", "7", "Red Hat:7", "yum"),
            ("rhel", "9.2", "Red Hat:9", "dnf"),
            ("oracle", "7.9", "Oracle Linux:7", "yum"),
            ("amazon", "2", "Amazon Linux:2", "yum"),
            ("amazon", "2023", "Amazon Linux:2023", "dnf"),
            ("amazon", "2018.03", "Amazon Linux:1", "yum"),
            ("cbl-mariner", "2.0", "CBL-Mariner:2.0", "tdnf"),
            ("azurelinux", "3.0", "Azure Linux:3.0", "tdnf"),
            ("photon", "3.0", "Photon OS:3.0", "tdnf"),
            (
                "sles",
                "15.3",
                "SUSE:Linux Enterprise Server 15 SP3",
                "zypper",
            ),
            ("sles", "15", "SUSE:Linux Enterprise Server 15", "zypper"),
            ("opensuse-leap", "15.5", "openSUSE:Leap 15.5", "zypper"),
            ("fedora", "40", "Fedora:40", "dnf"),
            ("wolfi", "20230201", "Wolfi", "apk"),
        ];
        for (family, version, ecosystem, manager) in cases {
            let feed = feed_for(&os(family, version)).unwrap();
            assert_eq!(feed.ecosystems[0], ecosystem, "{family} {version}");
            assert_eq!(
                feed.manager.unwrap().as_str(),
                manager,
                "{family} {version}"
            );
        }
        assert!(feed_for(&os("debian", "trixie/sid")).is_none());
        assert!(feed_for(&os("arch", "rolling")).is_none());
    }

    #[test]
    fn distroless_has_no_package_manager() {
        let mut distroless = os("debian", "12");
        distroless.distroless = true;
        assert_eq!(feed_for(&distroless).unwrap().manager, None);
    }

    #[test]
    fn third_party_builds_are_recognised() {
        assert!(third_party_marker(PackageKind::Deb, "20.11.1-1nodesource1", None).is_some());
        assert!(third_party_marker(PackageKind::Deb, "16.1-1.pgdg120+1", None).is_some());
        assert!(third_party_marker(PackageKind::Deb, "3.0.15-1~deb12u1", None).is_none());
        assert!(third_party_marker(PackageKind::Rpm, "1.0-1", Some("NodeSource")).is_some());
        assert!(third_party_marker(PackageKind::Rpm, "1.0-1.el9", Some("AlmaLinux")).is_none());
    }
}
