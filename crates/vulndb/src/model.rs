//! One model for every feed, shaped like OSV: an advisory, its aliases, and what it says
//! about each package of each ecosystem (release included: `Debian:12`, `Alpine:v3.20`).

use serde::{Deserialize, Serialize};

/// What an advisory says about one package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Affected in the ranges given; fixed in the `fixed` events.
    Fixed,
    /// Affected, and no fix exists yet.
    Affected,
    /// The vendor decided not to fix (or deferred it).
    WillNotFix,
    /// Not affected (with a justification where the feed gives one).
    NotAffected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::Affected => "affected",
            Status::WillNotFix => "will_not_fix",
            Status::NotAffected => "not_affected",
        }
    }
}

/// An OSV range event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeEvent {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// `ECOSYSTEM`, `SEMVER` or `GIT` (git ranges are kept but never matched).
    pub kind: String,
    pub events: Vec<RangeEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    pub ecosystem: String,
    pub package: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Versions the advisory enumerates as affected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

impl Affected {
    /// The first fixed version the ranges name, for display.
    pub fn fixed_version(&self) -> Option<&str> {
        self.ranges
            .iter()
            .flat_map(|r| &r.events)
            .find_map(|e| match e {
                RangeEvent::Fixed(v) => Some(v.as_str()),
                _ => None,
            })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`.
    pub kind: String,
    pub vector: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub withdrawn: Option<String>,
    /// The vendor's own severity word (`high`, `Important`, `medium`), and who said it.
    pub severity: Option<String>,
    pub severity_source: Option<String>,
    pub cvss: Vec<Cvss>,
    pub references: Vec<String>,
    pub affected: Vec<Affected>,
}

/// A CVSS vector with its base score and who scored it (NVD keeps primary and secondary
/// scores apart).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`.
    pub kind: String,
    pub vector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What NVD / the CVE list say about a CVE itself: enrichment for any advisory that names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CveInfo {
    pub cve: String,
    pub description: Option<String>,
    pub cvss: Vec<CvssScore>,
    pub published: Option<String>,
    /// `NVD` or `CVE`.
    pub source: String,
}
