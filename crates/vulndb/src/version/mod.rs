//! Version orders, one per ecosystem, and the OSV range evaluator over any of them.
//!
//! CONTRACT (the matcher relies on these names and shapes):
//! - every ecosystem implements [`VersionOrder`] in its own module;
//! - `compare` is a total order on valid versions (antisymmetric, transitive — property
//!   tests check it) and returns `Err` for strings the ecosystem itself would reject;
//! - [`order_for`] maps an OSV ecosystem name (`Debian:12`, `Alpine:v3.20`, `npm`, `PyPI`,
//!   `Maven`, `RubyGems`, `Go`, `NuGet`, `Packagist`, `crates.io`, `Red Hat`, `AlmaLinux:9`,
//!   `Rocky Linux:9`, `SUSE:…`, `openSUSE:…`, `Ubuntu:22.04:LTS`, `Wolfi`, `Chainguard`, …) to
//!   its order; the part after the first ':' is the release and is ignored here.

use std::cmp::Ordering;

pub mod osv_range;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {ecosystem} version {version:?}: {reason}")]
pub struct VersionError {
    pub ecosystem: &'static str,
    pub version: String,
    pub reason: String,
}

pub trait VersionOrder: Send + Sync {
    /// Short name for messages (`dpkg`, `rpm`, `PEP 440`, …).
    fn name(&self) -> &'static str;
    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError>;
    fn validate(&self, version: &str) -> Result<(), VersionError> {
        self.compare(version, version).map(|_| ())
    }
}

/// The order an OSV ecosystem uses, or `None` for ecosystems without one yet.
pub fn order_for(ecosystem: &str) -> Option<&'static dyn VersionOrder> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    match base {
        "Debian" | "Ubuntu" => Some(&dpkg::Dpkg),
        "Red Hat" | "AlmaLinux" | "Rocky Linux" | "SUSE" | "openSUSE" | "Oracle Linux"
        | "Amazon Linux" | "Photon OS" | "Azure Linux" | "Mariner" | "CBL-Mariner"
        | "openEuler" | "Fedora" | "Mageia" => Some(&rpm::Rpm),
        "Alpine" | "Wolfi" | "Chainguard" => Some(&apk::Apk),
        "npm" | "Node.js" => Some(&npm::NPM),
        "PyPI" => Some(&pep440::PEP440),
        "Maven" => Some(&maven::MAVEN),
        // `Ruby`: interpreters (RubySec's `rubies/`), versioned like gems.
        "RubyGems" | "Ruby" => Some(&rubygems::RUBYGEMS),
        "Go" => Some(&golang::GO),
        "NuGet" => Some(&nuget::NUGET),
        "Packagist" => Some(&composer::COMPOSER),
        "crates.io" | "Hex" | "Pub" | "SwiftURL" => Some(&semver::SEMVER),
        _ => None,
    }
}

#[cfg(test)]
mod order_for_tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_their_orders() {
        for (ecosystem, name) in [
            ("Debian:12", "dpkg"),
            ("Ubuntu:22.04:LTS", "dpkg"),
            ("AlmaLinux:9", "rpm"),
            ("Alpine:v3.20", "apk"),
            ("PyPI", "PEP 440"),
            ("crates.io", "SemVer"),
        ] {
            let order = order_for(ecosystem).unwrap_or_else(|| panic!("{ecosystem}"));
            assert!(
                order.name().eq_ignore_ascii_case(name),
                "{ecosystem}: {}",
                order.name()
            );
        }
        assert!(order_for("Nonesuch").is_none());
        let dpkg = order_for("Debian:12").unwrap();
        assert_eq!(dpkg.compare("1:1.0-1", "2.0-1").unwrap(), Ordering::Greater);
    }
}

// distro orders (dpkg, rpm, apk)
pub mod apk;
pub mod dpkg;
pub mod rpm;

// language orders
pub mod composer;
pub mod golang;
pub mod maven;
pub mod npm;
pub mod nuget;
pub mod pep440;
pub mod rubygems;
pub mod semver;
