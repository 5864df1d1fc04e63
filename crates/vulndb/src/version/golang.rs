//! Go modules: `golang.org/x/mod/semver` ordering.
//!
//! Accepted spellings:
//! - module versions `v1.2.3`, `v1.2.3-pre`, the shorthands `v1` / `v1.2`, and
//!   pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019…-hash`,
//!   `v1.2.3-pre.0.2019…-hash`), which are ordinary pre-releases to semver;
//! - the same without the `v`, as the Go vulnerability database writes them in OSV;
//! - Go toolchain tags (`go1.21.3`, `go1.21rc2`, `go1.9beta1`, `go1`), mapped to semver the way
//!   the Go vulnerability database does (`go1.21rc2` → `v1.21.0-rc.2`), with anything after the
//!   first space (`go1.21.3 X:boringcrypto`) ignored.
//!
//! Build metadata such as `+incompatible` is ignored, as Go does.

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

#[derive(Debug, Default, Clone, Copy)]
pub struct GoOrder;

pub static GO: GoOrder = GoOrder;

impl VersionOrder for GoOrder {
    fn name(&self) -> &'static str {
        "Go"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let (a, b) = (GoVersion::parse(a)?, GoVersion::parse(b)?);
        Ok(a.cmp(&b))
    }
}

fn invalid(version: &str, reason: &str) -> VersionError {
    VersionError {
        ecosystem: "Go",
        version: version.to_string(),
        reason: reason.to_string(),
    }
}

/// Compares decimal strings without leading zeros by value.
fn cmp_decimal(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Digits without a leading zero (`0` itself is fine).
fn is_semver_number(s: &str) -> bool {
    is_decimal(s) && !(s.len() > 1 && s.starts_with('0'))
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[derive(Debug, PartialEq, Eq)]
struct GoVersion {
    major: String,
    minor: String,
    patch: String,
    /// Empty for a release.
    prerelease: Vec<String>,
}

impl GoVersion {
    fn parse(input: &str) -> Result<Self, VersionError> {
        if let Some(tag) = input.strip_prefix("go") {
            return Self::parse_toolchain(input, tag);
        }
        Self::parse_semver(input, input.strip_prefix('v').unwrap_or(input))
    }

    /// `x/mod/semver`'s grammar, `body` being the version without its `v`.
    fn parse_semver(input: &str, body: &str) -> Result<Self, VersionError> {
        let (body, build) = match body.split_once('+') {
            Some((body, build)) => (body, Some(build)),
            None => (body, None),
        };
        if let Some(build) = build {
            if !build.split('.').all(is_identifier) {
                return Err(invalid(input, "invalid build metadata"));
            }
        }
        let (core, prerelease) = match body.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (body, None),
        };
        let numbers: Vec<&str> = core.splitn(4, '.').collect();
        if numbers.len() > 3 || !numbers.iter().all(|n| is_semver_number(n)) {
            return Err(invalid(input, "expected vMAJOR[.MINOR[.PATCH]]"));
        }
        // The shorthands `v1` and `v1.2` take neither pre-release nor build metadata.
        if numbers.len() < 3 && (prerelease.is_some() || build.is_some()) {
            return Err(invalid(input, "shorthand version with a suffix"));
        }
        let prerelease = match prerelease {
            None => Vec::new(),
            Some(pre) => {
                let ids: Vec<String> = pre.split('.').map(str::to_string).collect();
                let valid = ids
                    .iter()
                    .all(|id| is_identifier(id) && (!is_decimal(id) || is_semver_number(id)));
                if !valid {
                    return Err(invalid(input, "invalid pre-release"));
                }
                ids
            }
        };
        let number = |i: usize| numbers.get(i).copied().unwrap_or("0").to_string();
        Ok(GoVersion {
            major: number(0),
            minor: number(1),
            patch: number(2),
            prerelease,
        })
    }

    /// `goMAJOR.MINOR[.PATCH][(beta|rc)N]`, as golang/vuln's `GoTagToSemver` reads it.
    fn parse_toolchain(input: &str, tag: &str) -> Result<Self, VersionError> {
        let tag = tag.split_whitespace().next().unwrap_or_default();
        if tag == "1" {
            return Self::parse_semver(input, "1.0.0");
        }
        let bad = || {
            invalid(
                input,
                "expected a Go toolchain tag like go1.21.3 or go1.21rc2",
            )
        };
        let release_len = tag
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let (release, suffix) = tag.split_at(release_len);
        let parts: Vec<&str> = release.split('.').collect();
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| is_decimal(p)) {
            return Err(bad());
        }
        // "go1.0" was never a tag; `GoTagToSemver` rejects it.
        if tag == "1.0" {
            return Err(bad());
        }
        let prerelease = if suffix.is_empty() {
            Vec::new()
        } else {
            let kind = ["beta", "rc", "-pre"]
                .into_iter()
                .find(|kind| suffix.starts_with(kind))
                .ok_or_else(bad)?;
            let n = &suffix[kind.len()..];
            if !is_decimal(n) {
                return Err(bad());
            }
            vec![kind.trim_start_matches('-').to_string(), trim_zeros(n)]
        };
        Ok(GoVersion {
            major: trim_zeros(parts[0]),
            minor: trim_zeros(parts[1]),
            patch: parts
                .get(2)
                .map_or_else(|| "0".to_string(), |p| trim_zeros(p)),
            prerelease,
        })
    }
}

/// Toolchain tags are read with `strconv`-like leniency; semver needs canonical numbers.
fn trim_zeros(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() { "0" } else { trimmed }.to_string()
}

fn cmp_identifier(a: &str, b: &str) -> Ordering {
    match (is_decimal(a), is_decimal(b)) {
        (true, true) => cmp_decimal(a, b),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_decimal(&self.major, &other.major)
            .then_with(|| cmp_decimal(&self.minor, &other.minor))
            .then_with(|| cmp_decimal(&self.patch, &other.patch))
            .then_with(
                || match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => {
                        for (a, b) in self.prerelease.iter().zip(&other.prerelease) {
                            let result = cmp_identifier(a, b);
                            if result != Ordering::Equal {
                                return result;
                            }
                        }
                        self.prerelease.len().cmp(&other.prerelease.len())
                    }
                },
            )
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::osv_range::testing::{assert_total_order, check_vectors};
    use proptest::prelude::*;

    #[test]
    fn upstream_vectors() {
        check_vectors(&GO, include_str!("../../tests/vectors/go-order.json"));
    }

    #[test]
    fn osv_spelling_without_v() {
        assert_eq!(GO.compare("1.2.3", "v1.2.3"), Ok(Ordering::Equal));
        assert_eq!(
            GO.compare("0.0.0-20191109021931-daa7c04131f5", "0.0.1"),
            Ok(Ordering::Less)
        );
        assert_eq!(
            GO.compare(
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20200101000000-aaaaaaaaaaaa"
            ),
            Ok(Ordering::Less)
        );
    }

    #[test]
    fn toolchain_tags() {
        // Release history order (go.dev/doc/devel/release) and the vulndb's semver spelling.
        let chain = [
            "go1",
            "go1.0.1",
            "go1.9beta1",
            "go1.9beta2",
            "go1.9rc1",
            "go1.9",
            "go1.9.1",
            "go1.21rc2",
            "go1.21rc3",
            "go1.21.0",
            "go1.21.3",
            "go1.22.0",
        ];
        for pair in chain.windows(2) {
            assert_eq!(GO.compare(pair[0], pair[1]), Ok(Ordering::Less), "{pair:?}");
        }
        for (tag, semver) in [
            ("go1", "v1.0.0"),
            ("go1.21rc2", "v1.21.0-rc.2"),
            ("go1.21", "1.21.0"),
            ("go1.21.3", "1.21.3"),
            ("go1.21.3 X:boringcrypto", "v1.21.3"),
            ("go1.9beta1", "v1.9.0-beta.1"),
        ] {
            assert_eq!(GO.compare(tag, semver), Ok(Ordering::Equal), "{tag}");
        }
        for bad in [
            "go1.0",
            "go",
            "go1.x",
            "go1.21.3.4",
            "go1.21alpha1",
            "devel go1.22",
        ] {
            assert!(GO.validate(bad).is_err(), "{bad}");
        }
    }

    fn valid_go() -> impl Strategy<Value = String> {
        let ident = prop_oneof![
            (0u64..12).prop_map(|n| n.to_string()),
            "[a-z][a-z0-9-]{0,3}",
            Just("20191109021931-daa7c04131f5".to_string()),
        ];
        (
            prop::sample::select(vec!["v", ""]),
            0u64..3,
            0u64..3,
            0u64..3,
            prop::collection::vec(ident, 0..3),
            prop::option::of(Just("incompatible")),
        )
            .prop_map(|(v, major, minor, patch, pre, build)| {
                let mut s = format!("{v}{major}.{minor}.{patch}");
                if !pre.is_empty() {
                    s.push('-');
                    s.push_str(&pre.join("."));
                }
                if let Some(build) = build {
                    s.push('+');
                    s.push_str(build);
                }
                s
            })
    }

    proptest! {
        #[test]
        fn total_order(a in valid_go(), b in valid_go(), c in valid_go()) {
            assert_total_order(&GO, &a, &b, &c);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}", t in "go[0-9.a-z]{0,12}") {
            let _ = GO.validate(&s);
            let _ = GO.validate(&t);
        }
    }
}
