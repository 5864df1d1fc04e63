//! RPM's version order: `rpmverCmp` over `[epoch:]version[-release]` strings, each part
//! compared with `rpmvercmp` (rpm's `rpmio/rpmver.cc` and `rpmio/rpmvercmp.cc`). Red Hat,
//! AlmaLinux, Rocky Linux, Oracle Linux, Fedora, SUSE/openSUSE, Amazon Linux, Azure
//! Linux/Mariner, Photon OS and openEuler use it.
//!
//! - A missing epoch is 0. Epochs are compared as numbers.
//! - `rpmvercmp` splits a string into maximal runs of ASCII digits or ASCII letters. Every
//!   other character only separates runs, so `1.0`, `1_0` and `1+0` are equal. Runs are
//!   compared in turn: digits numerically, letters bytewise, and a digit run beats a letter
//!   run. When one side runs out of runs, the side with runs left is newer.
//! - `~` sorts before everything, even the end (`1.0~rc1 < 1.0`). `^` sorts after the end
//!   but before anything else (`1.0 < 1.0^git1 < 1.0.1`).
//! - A missing release sorts before any release (`1.0 < 1.0-1`), as in `rpmverCmp` (what
//!   `rpm.vercmp` and `rpm.ver` use). Dependency matching (`rpmverOverlap`) instead lets
//!   a release-less requirement match every release. That rule is about ranges, not about
//!   this order.
//! - Modularity changes nothing. Module builds carry their stream in the release (e.g.
//!   `1.module+el8.9.0+1234+abcd`, `1.module_el8.9.0+1234`). rpm and dnf compare that release
//!   like any other. Which stream an advisory applies to is a matching question, settled
//!   before any comparison, so the order has no special case for it.
//!
//! Validation follows what rpmbuild lets into a package or a versioned dependency:
//! `Version` and `Release` hold only ASCII alphanumerics and `._+%{}~^`, never `..`, and are
//! non-empty. An EVR has at most one `:` and one `-`, and the epoch is an unsigned integer.
//! An empty epoch (`:1.0`) is accepted as 0, like rpm's own parser.

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

/// The `rpm` order, for RPM-based distributions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rpm;

impl VersionOrder for Rpm {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let a = Evr::parse(a)?;
        let b = Evr::parse(b)?;
        Ok(a.cmp(&b))
    }
}

#[derive(Debug, Clone, Copy)]
struct Evr<'a> {
    /// Decimal digits, possibly with leading zeros; `"0"` when absent.
    epoch: &'a str,
    version: &'a str,
    release: Option<&'a str>,
}

impl<'a> Evr<'a> {
    fn parse(input: &'a str) -> Result<Self, VersionError> {
        let invalid = |reason: String| VersionError {
            ecosystem: "rpm",
            version: input.to_owned(),
            reason,
        };

        if input.is_empty() {
            return Err(invalid("version string is empty".into()));
        }
        if let Some(c) = input.chars().find(|c| !is_evr_char(*c)) {
            return Err(invalid(format!("invalid character {c:?}")));
        }
        for separator in [':', '-'] {
            if input.matches(separator).count() > 1 {
                return Err(invalid(format!("more than one {separator:?}")));
            }
        }

        let (epoch, version_release) = match input.split_once(':') {
            None => ("0", input),
            Some(("", rest)) => ("0", rest),
            Some((epoch, rest)) if epoch.bytes().all(|b| b.is_ascii_digit()) => (epoch, rest),
            Some(_) => return Err(invalid("epoch is not an unsigned integer".into())),
        };
        let (version, release) = match version_release.split_once('-') {
            None => (version_release, None),
            Some((version, release)) => (version, Some(release)),
        };

        for (field, value) in [("version", Some(version)), ("release", release)] {
            match value {
                Some("") => return Err(invalid(format!("{field} is empty"))),
                Some(value) if value.contains("..") => {
                    return Err(invalid(format!("{field} contains \"..\"")))
                }
                _ => {}
            }
        }

        Ok(Self {
            epoch,
            version,
            release,
        })
    }

    /// `rpmverCmp`: epoch, then version, then release, where a release beats no release.
    fn cmp(&self, other: &Self) -> Ordering {
        rpmvercmp(self.epoch, other.epoch)
            .then_with(|| rpmvercmp(self.version, other.version))
            .then_with(|| match (self.release, other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

fn is_evr_char(c: char) -> bool {
    // rpmbuild's ALLOWED_CHARS_EVR: the Version/Release characters plus the separators.
    c.is_ascii_alphanumeric()
        || matches!(c, '.' | '_' | '+' | '%' | '{' | '}' | '~' | '^' | ':' | '-')
}

/// rpm's `rpmvercmp` on one of epoch, version or release. Total on any input: bytes other
/// than ASCII alphanumerics, `~` and `^` are separators.
fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    loop {
        one = skip_separators(one);
        two = skip_separators(two);

        // `~` sorts before everything else, even the end of the string.
        match (one.first(), two.first()) {
            (Some(b'~'), Some(b'~')) => {
                (one, two) = (rest_after_first(one), rest_after_first(two));
                continue;
            }
            (Some(b'~'), _) => return Ordering::Less,
            (_, Some(b'~')) => return Ordering::Greater,
            _ => {}
        }

        // `^` is like `~`, except that the end of the string sorts before it.
        match (one.first(), two.first()) {
            (Some(b'^'), Some(b'^')) => {
                (one, two) = (rest_after_first(one), rest_after_first(two));
                continue;
            }
            (None, Some(b'^')) | (Some(b'^'), Some(_)) => return Ordering::Less,
            (Some(b'^'), None) | (Some(_), Some(b'^')) => return Ordering::Greater,
            _ => {}
        }

        let Some(first) = one.first() else { break };
        if two.is_empty() {
            break;
        }

        let digits = first.is_ascii_digit();
        let in_run: fn(&u8) -> bool = if digits {
            u8::is_ascii_digit
        } else {
            u8::is_ascii_alphabetic
        };
        let (run_one, rest_one) = split_run(one, in_run);
        let (run_two, rest_two) = split_run(two, in_run);
        let ordering = if run_two.is_empty() {
            // The runs differ in kind: a digit run is newer than a letter run.
            if digits {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        } else if digits {
            cmp_decimal(run_one, run_two)
        } else {
            run_one.cmp(run_two)
        };
        if ordering.is_ne() {
            return ordering;
        }
        (one, two) = (rest_one, rest_two);
    }

    // Every run compared equal: whichever side still has characters is newer.
    (!one.is_empty()).cmp(&!two.is_empty())
}

fn skip_separators(s: &[u8]) -> &[u8] {
    let len = s
        .iter()
        .take_while(|c| !c.is_ascii_alphanumeric() && **c != b'~' && **c != b'^')
        .count();
    s.get(len..).unwrap_or_default()
}

fn rest_after_first(s: &[u8]) -> &[u8] {
    s.get(1..).unwrap_or_default()
}

fn split_run(s: &[u8], in_run: fn(&u8) -> bool) -> (&[u8], &[u8]) {
    let len = s.iter().take_while(|c| in_run(c)).count();
    s.split_at(len)
}

/// Numeric order of two digit strings of any length (leading zeros do not count).
fn cmp_decimal(a: &[u8], b: &[u8]) -> Ordering {
    let trim = |s: &[u8]| -> usize { s.iter().take_while(|c| **c == b'0').count() };
    let a = a.get(trim(a)..).unwrap_or_default();
    let b = b.get(trim(b)..).unwrap_or_default();
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        Rpm.compare(a, b)
            .unwrap_or_else(|e| panic!("{a} vs {b}: {e}"))
    }

    #[test]
    fn upstream_vectors() {
        let table = include_str!("../../tests/vectors/rpm-compare.txt");
        let mut count = 0;
        for line in table
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [a, b, expected] = fields[..] else {
                panic!("malformed vector line {line:?}");
            };
            let expected: i32 = expected.parse().expect("expected sign");
            assert_eq!(cmp(a, b) as i32, expected, "{a} vs {b}");
            assert_eq!(cmp(b, a) as i32, -expected, "{b} vs {a}");
            count += 1;
        }
        assert_eq!(count, 97);
    }

    // The "oddities" rpm's tests/rpmvercmp.at documents but leaves commented out (rpm
    // commit a8f0192aee1c08bd1454ed2ac6ebaf506004b55c). They follow from the algorithm.
    // Non-ASCII input is rejected here, so only the RhBug:811992 cases apply.
    #[test]
    fn upstream_documented_oddities() {
        assert_eq!(cmp("1b.fc17", "1.fc17"), Ordering::Less);
        assert_eq!(cmp("1g.fc17", "1.fc17"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.1.α", "1.1.β"), Ordering::Equal);
        assert_eq!(rpmvercmp("1.1.αα", "1.1.α"), Ordering::Equal);
    }

    // Not from upstream tests: EVR cases written from rpmver.cc's parseEVR/rpmverCmp, in
    // the shapes OSV's RPM-based ecosystems publish.
    #[test]
    fn evr_comparisons() {
        let ascending = [
            "3.0.7-27.el9",
            "3.0.7-27.el9_4",
            "3.0.7-28.el9",
            "0:3.0.8-1.el9",
            "1:3.0.7-27.el9",
            "1:3.0.7-27.el9.alma.1",
            "2:1.0-1",
        ];
        for pair in ascending.windows(2) {
            let [lower, higher] = pair else {
                unreachable!()
            };
            assert_eq!(cmp(lower, higher), Ordering::Less, "{lower} < {higher}");
        }
        assert_eq!(cmp("0:1.0-1", "1.0-1"), Ordering::Equal);
        assert_eq!(cmp("00:1.0-1", ":1.0-1"), Ordering::Equal);
        assert_eq!(cmp("10:1.0", "9:2.0"), Ordering::Greater);
        // A missing release sorts before any release (rpmverCmp).
        assert_eq!(cmp("1.0", "1.0-0"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0-~"), Ordering::Less);
        // SUSE style: the release carries the maintenance counters.
        assert_eq!(
            cmp("5.14.21-150500.55.19.1", "5.14.21-150500.55.7.1"),
            Ordering::Greater
        );
        // Modularity: the release is compared like any other.
        assert_eq!(
            cmp(
                "3.6.8-51.module+el8.9.0+1234+abcd1234",
                "3.6.8-51.module+el8.10.0+90+deadbeef"
            ),
            Ordering::Less
        );
        assert_eq!(
            cmp("3.6.8-51.module_el8.9.0+1", "3.6.8-51.el8"),
            Ordering::Greater
        );
    }

    #[test]
    fn invalid_versions() {
        for version in [
            "",
            "-1",
            "1.0-",
            "1:",
            "a:1.0",
            "1-2:3",
            "1:2:3",
            "1.0-1-2",
            "1..0",
            "1.0-1..el9",
            "1.0 ",
            " 1.0",
            "1.0/2",
            "1.1.α",
            "1\u{0}",
        ] {
            assert!(Rpm.validate(version).is_err(), "{version:?} accepted");
        }
        for version in ["%{version}", "1.0^", "~", "+", "_", ":1.0", "xyz.4"] {
            assert!(Rpm.validate(version).is_ok(), "{version:?} rejected");
        }
    }

    fn rpm_version() -> impl Strategy<Value = String> {
        (
            proptest::option::of("0?[0-2]"),
            "[0-9a-c~^._+]{1,6}",
            proptest::option::of("[0-9a~^._]{1,4}"),
        )
            .prop_map(|(epoch, version, release)| {
                let epoch = epoch.map(|e| format!("{e}:")).unwrap_or_default();
                let release = release.map(|r| format!("-{r}")).unwrap_or_default();
                format!("{epoch}{version}{release}")
            })
            .prop_filter("valid rpm version", |v| Rpm.validate(v).is_ok())
    }

    proptest! {
        #[test]
        fn total_order(a in rpm_version(), b in rpm_version(), c in rpm_version()) {
            crate::version::osv_range::testing::assert_total_order(&Rpm, &a, &b, &c);
        }

        #[test]
        fn arbitrary_input_never_panics(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            let _ = Rpm.compare(&a, &b);
            let _ = rpmvercmp(&a, &b);
        }
    }
}
