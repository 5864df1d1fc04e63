//! Strict SemVer 2.0.0 (<https://semver.org>), for OSV `SEMVER` ranges and the ecosystems
//! that publish semver versions (crates.io, Hex, Pub, SwiftURL).

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

/// SemVer 2.0.0 precedence: build metadata is ignored, so `1.0.0+a == 1.0.0+b`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SemverOrder;

pub static SEMVER: SemverOrder = SemverOrder;

impl SemverOrder {
    pub fn parse(version: &str) -> Result<::semver::Version, VersionError> {
        ::semver::Version::parse(version).map_err(|e| VersionError {
            ecosystem: "SemVer",
            version: version.to_string(),
            reason: e.to_string(),
        })
    }
}

impl VersionOrder for SemverOrder {
    fn name(&self) -> &'static str {
        "SemVer"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        Ok(Self::parse(a)?.cmp_precedence(&Self::parse(b)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::osv_range::testing::{assert_total_order, check_vectors};
    use proptest::prelude::*;

    #[test]
    fn upstream_vectors() {
        check_vectors(
            &SEMVER,
            include_str!("../../tests/vectors/semver-order.json"),
        );
    }

    fn valid_semver() -> impl Strategy<Value = String> {
        let ident = prop_oneof![
            (0u64..20).prop_map(|n| n.to_string()),
            "[a-z][a-z0-9-]{0,3}",
        ];
        (
            0u64..3,
            0u64..3,
            0u64..3,
            prop::collection::vec(ident, 0..3),
            prop::option::of("[a-z0-9]{1,3}"),
        )
            .prop_map(|(major, minor, patch, pre, build)| {
                let mut v = format!("{major}.{minor}.{patch}");
                if !pre.is_empty() {
                    v.push('-');
                    v.push_str(&pre.join("."));
                }
                if let Some(build) = build {
                    v.push('+');
                    v.push_str(&build);
                }
                v
            })
    }

    proptest! {
        #[test]
        fn total_order(a in valid_semver(), b in valid_semver(), c in valid_semver()) {
            assert_total_order(&SEMVER, &a, &b, &c);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = SEMVER.validate(&s);
        }
    }
}
