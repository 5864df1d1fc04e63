//! PyPI: PEP 440 versions (epochs, pre/post/dev releases, local versions) via `uv-pep440`,
//! and specifier matching (`>=1.0,<2.0`) for advisories written that way.

use std::cmp::Ordering;
use std::str::FromStr;

use uv_pep440::{Version, VersionSpecifiers};

use super::{VersionError, VersionOrder};

/// Well past any real version; bounds the parser's work on hostile input.
const MAX_LENGTH: usize = 1024;

#[derive(Debug, Default, Clone, Copy)]
pub struct Pep440Order;

pub static PEP440: Pep440Order = Pep440Order;

fn invalid(version: &str, reason: impl ToString) -> VersionError {
    VersionError {
        ecosystem: "PyPI",
        version: version.to_string(),
        reason: reason.to_string(),
    }
}

impl Pep440Order {
    /// Parses any spelling PEP 440 normalizes (`1.0-RC1`, `v1.0`, ` 1.0 `, `1.0.post-1`, …).
    pub fn parse(version: &str) -> Result<Version, VersionError> {
        if version.len() > MAX_LENGTH {
            return Err(invalid(version, "too long"));
        }
        // packaging strips any Unicode whitespace (`str.strip()`); uv only ASCII.
        Version::from_str(version.trim()).map_err(|e| invalid(version, e))
    }
}

impl VersionOrder for Pep440Order {
    fn name(&self) -> &'static str {
        "PEP 440"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        Ok(Self::parse(a)?.cmp(&Self::parse(b)?))
    }
}

/// Whether `version` matches comma-separated PEP 440 `specifiers` such as `>=1.0,<2.0`.
///
/// Pre-releases are not filtered out (that is an installer policy, not a property of the
/// range), but PEP 440's own rules apply: `<2` excludes `2.0rc1`, `>2` excludes `2.0.post1`.
pub fn satisfies(specifiers: &str, version: &str) -> Result<bool, VersionError> {
    if specifiers.len() > MAX_LENGTH {
        return Err(invalid(specifiers, "too long"));
    }
    let specifiers = VersionSpecifiers::from_str(specifiers).map_err(|e| invalid(specifiers, e))?;
    let version = Pep440Order::parse(version)?;
    Ok(specifiers.contains(&version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::osv_range::testing::{assert_total_order, check_vectors, Vectors};
    use proptest::prelude::*;

    #[test]
    fn upstream_order_vectors() {
        check_vectors(
            &PEP440,
            include_str!("../../tests/vectors/pep440-order.json"),
        );
    }

    #[test]
    fn upstream_specifier_vectors() {
        let vectors = Vectors::parse(include_str!("../../tests/vectors/pep440-satisfies.json"));
        assert!(!vectors.satisfies.is_empty());
        let failures: Vec<String> = vectors
            .satisfies
            .iter()
            .filter(|(spec, version, want)| satisfies(spec, version) != Ok(*want))
            .map(|(spec, version, want)| format!("{spec:?} {version:?}: want {want}"))
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn advisory_style_specifiers() {
        assert_eq!(satisfies(">=1.0,<2.0", "1.5"), Ok(true));
        assert_eq!(satisfies(">=1.0, <2.0", "2.0"), Ok(false));
        assert_eq!(satisfies("<2.0", "1.9.post1"), Ok(true));
        assert!(satisfies(">=1.0,,", "1.0").is_err());
        assert!(satisfies(">=1.0", "not a version").is_err());
    }

    fn valid_pep440() -> impl Strategy<Value = String> {
        (
            prop::option::of(0u64..3),
            prop::collection::vec(0u64..4, 1..4),
            prop::option::of((prop::sample::select(vec!["a", "b", "rc"]), 0u64..3)),
            prop::option::of(0u64..3),
            prop::option::of(0u64..3),
            prop::option::of("[a-z0-9]{1,3}(\\.[a-z0-9]{1,2})?"),
        )
            .prop_map(|(epoch, release, pre, post, dev, local)| {
                let mut v = String::new();
                if let Some(epoch) = epoch {
                    v.push_str(&format!("{epoch}!"));
                }
                let release: Vec<String> = release.iter().map(u64::to_string).collect();
                v.push_str(&release.join("."));
                if let Some((kind, n)) = pre {
                    v.push_str(&format!("{kind}{n}"));
                }
                if let Some(n) = post {
                    v.push_str(&format!(".post{n}"));
                }
                if let Some(n) = dev {
                    v.push_str(&format!(".dev{n}"));
                }
                if let Some(local) = local {
                    v.push_str(&format!("+{local}"));
                }
                v
            })
    }

    proptest! {
        #[test]
        fn total_order(a in valid_pep440(), b in valid_pep440(), c in valid_pep440()) {
            assert_total_order(&PEP440, &a, &b, &c);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}", spec in "[<>=!~*, 0-9.a-z+]{0,30}") {
            let _ = PEP440.validate(&s);
            let _ = satisfies(&spec, &s);
        }
    }
}
