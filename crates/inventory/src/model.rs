//! The inventory model: the OS and every package, with where it was found and which layer
//! brought it in.

use serde::{Deserialize, Serialize};

/// Kind of package, in PURL type spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageKind {
    Deb,
    Apk,
    Rpm,
    Npm,
    /// PyPI packages.
    Pypi,
    /// Java archives (Maven coordinates).
    Maven,
    /// Go modules.
    Golang,
    /// Rust crates.
    Cargo,
    Gem,
    Composer,
    Nuget,
    Conda,
}

impl PackageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PackageKind::Deb => "deb",
            PackageKind::Apk => "apk",
            PackageKind::Rpm => "rpm",
            PackageKind::Npm => "npm",
            PackageKind::Pypi => "pypi",
            PackageKind::Maven => "maven",
            PackageKind::Golang => "golang",
            PackageKind::Cargo => "cargo",
            PackageKind::Gem => "gem",
            PackageKind::Composer => "composer",
            PackageKind::Nuget => "nuget",
            PackageKind::Conda => "conda",
        }
    }

    /// OS packages come from the distribution's package manager.
    pub fn is_os(self) -> bool {
        matches!(self, PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm)
    }
}

/// The layer a package (or file) came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRef {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub kind: PackageKind,
    pub name: String,
    /// The full version as the package manager writes it (`1:2.36-9+deb12u4`,
    /// `1.2.5-r0`, `1:3.0.7-27.el9`).
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// RPM epoch, kept apart too because matching needs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u32>,
    /// The source package it was built from (dpkg `Source:`, apk origin, rpm source rpm).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub licenses: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modularity_label: Option<String>,
    pub purl: String,
    /// The database or metadata file it was read from.
    pub found_in: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// Files the package owns (absolute paths); not in reports, used to tell OS-owned
    /// files from everything else.
    #[serde(skip)]
    pub files: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EolStatus {
    Supported,
    /// Standard security support ended; extended (paid) support may remain.
    EndOfLife,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// Family id: debian, ubuntu, alpine, rhel, centos, rocky, almalinux, oracle, amazon,
    /// fedora, sles, sle-micro, opensuse-leap, opensuse-tumbleweed, photon, cbl-mariner,
    /// azurelinux, wolfi, chainguard, or the os-release ID of anything else.
    pub family: String,
    /// The distribution's own id (os-release `ID`: `amzn`, `ol`, `rhel`, `mariner`), used in
    /// PURLs so they match what other tools write.
    pub id: String,
    /// Version as the release names it (`12`, `18.04`, `3.20.3`, `2023`).
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// Human-readable name (`Debian GNU/Linux 12 (bookworm)`).
    pub name: String,
    /// Google's distroless images: Debian packages without a shell or package manager.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub distroless: bool,
    pub eol_status: EolStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eol_date: Option<String>,
    /// The file it was read from.
    pub found_in: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<OsInfo>,
    pub packages: Vec<Package>,
    /// Files that could not be read, each naming the file.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<String>,
}
