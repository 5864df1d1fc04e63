//! What a match produces: one finding per (package, vulnerability), the fixes, and the
//! notices that keep a scan honest about what it could not check.

use drydock_inventory::{LayerRef, PackageKind};
use serde::Serialize;

use crate::distro::PackageManager;
use crate::severity::{CvssScore, Severity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// A fixed version exists.
    Fixed,
    /// Affected, no fix yet.
    Affected,
    /// The vendor will not fix it (or deferred it).
    WillNotFix,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Fixed => "fixed",
            FindingStatus::Affected => "affected",
            FindingStatus::WillNotFix => "will_not_fix",
        }
    }
}

/// OS packages or a language's packages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageClass {
    Os,
    Library,
}

/// The package a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AffectedPackage {
    pub kind: PackageKind,
    pub name: String,
    pub version: String,
    /// The source package and version that was matched, when the feed names sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    pub purl: String,
    /// The package database or manifest it was read from.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// Whether that layer belongs to the base image (`None` when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_base_image: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Vulnerability {
    /// The id users search for: the CVE when the advisory is about exactly one, else the
    /// advisory's own id (`ALSA-2024:8127`, `GHSA-…`).
    pub id: String,
    /// Advisory ids in the database that gave this finding.
    pub advisories: Vec<String>,
    /// Other names (CVE, GHSA, DSA…), the id excluded.
    pub aliases: Vec<String>,
    pub class: PackageClass,
    pub package: AffectedPackage,
    /// The ecosystem it was matched in (`Debian:12`, `npm`).
    pub ecosystem: String,
    pub status: FindingStatus,
    /// Versions that fix it, lowest first.
    pub fixed_versions: Vec<String>,
    pub severity: Severity,
    /// Who rated it: the vendor (`Red Hat`, `Ubuntu`, `database_specific`), or `cvss`.
    pub severity_source: String,
    pub cvss: Vec<CvssScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub references: Vec<String>,
    /// Listed by CISA as exploited in the wild.
    pub known_exploited: bool,
    /// The feed(s) it came from.
    pub data_source: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Why a vendor decided as it did (will not fix, fix reverted…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One installed package that changes in the OS fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    pub name: String,
    pub installed: String,
    /// The lowest version that fixes every finding of the package (`None` when the feed
    /// names only the source package's version, which is then in `source_target`).
    pub target: String,
}

/// The one command that fixes every fixable OS finding, and what it changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OsFix {
    pub manager: PackageManager,
    /// Run it in a container of the image (`apt-get update && apt-get install …`).
    pub command: String,
    /// The same, as the Dockerfile line to add after the last `FROM`.
    pub dockerfile: String,
    pub changes: Vec<PackageChange>,
    /// How many findings the command fixes.
    pub fixes: usize,
    /// What the change touches and what that means for running services.
    pub impact: Vec<String>,
}

/// The nearest version of one application package that fixes its findings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppFix {
    pub ecosystem: String,
    pub name: String,
    pub installed: String,
    pub path: String,
    /// `None` when no single version fixes every finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The target is in a newer major version (no same-major fix exists).
    pub major_upgrade: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Finding ids the target fixes.
    pub fixes: Vec<String>,
    /// Finding ids with no fix at all.
    pub unfixed: Vec<String>,
}

/// A package deliberately not matched, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub name: String,
    pub version: String,
    pub reason: String,
}

/// What the OS part of the scan was matched against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OsTarget {
    pub label: String,
    pub ecosystems: Vec<String>,
    /// Whether the database has any data for those ecosystems.
    pub has_data: bool,
    pub end_of_life: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eol_date: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MatchReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<OsTarget>,
    pub vulnerabilities: Vec<Vulnerability>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_fix: Option<OsFix>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_fixes: Vec<AppFix>,
    /// Loud messages about what the scan could not check (no data for the OS, no packages
    /// found, end of life). Never empty when a "0 vulnerabilities" would mislead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// Data problems met while matching (unparsable versions in a record), each naming it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
