//! The Debian package version order, as `dpkg --compare-versions` implements it
//! (dpkg's `lib/dpkg/version.c` for the order, `lib/dpkg/parsehelp.c` `parseversion` for
//! the syntax). Debian and Ubuntu use it.
//!
//! A version is `[epoch:]upstream[-revision]`. The epoch is a decimal number (0 when
//! absent) and is compared first, numerically. The revision is whatever follows the last
//! `-` (empty when absent, which orders like `0`). Upstream and revision are then compared
//! with dpkg's `verrevcmp`: alternating runs of non-digits and digits. Non-digit runs are
//! compared character by character, with `~` before everything (even the end of the
//! string), then letters, then the other characters. Digit runs are compared numerically.
//!
//! Validation follows dpkg. It rejects an empty or non-numeric epoch, an epoch above
//! `INT_MAX`, an empty upstream version or revision, embedded blanks and characters outside
//! `[0-9A-Za-z.+~-:]` (upstream) or `[0-9A-Za-z.+~]` (revision). dpkg only *warns* when the
//! upstream version does not start with a digit. Real archives and OSV's Debian data contain
//! such versions, so they are accepted and ordered like any other.

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

/// The `dpkg` order, for the Debian and Ubuntu ecosystems.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dpkg;

impl VersionOrder for Dpkg {
    fn name(&self) -> &'static str {
        "dpkg"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let a = DebianVersion::parse(a)?;
        let b = DebianVersion::parse(b)?;
        Ok(a.cmp(&b))
    }
}

/// dpkg stores the epoch in an `int` and rejects anything larger.
const MAX_EPOCH: u32 = i32::MAX.unsigned_abs();

/// The blanks (`c_isblank`) dpkg trims around a version.
const BLANKS: [char; 2] = [' ', '\t'];

#[derive(Debug, Clone, Copy)]
struct DebianVersion<'a> {
    epoch: u32,
    upstream: &'a str,
    revision: &'a str,
}

impl<'a> DebianVersion<'a> {
    fn parse(input: &'a str) -> Result<Self, VersionError> {
        let invalid = |reason: String| VersionError {
            ecosystem: "dpkg",
            version: input.to_owned(),
            reason,
        };

        let version = input.trim_matches(BLANKS);
        if version.is_empty() {
            return Err(invalid("version string is empty".into()));
        }
        if version.contains(BLANKS) {
            return Err(invalid("version string has embedded spaces".into()));
        }

        // The first colon ends the epoch; later ones belong to the upstream version.
        let (epoch, rest) = match version.split_once(':') {
            None => (0, version),
            Some((epoch, rest)) => {
                if epoch.is_empty() {
                    return Err(invalid("epoch is empty".into()));
                }
                if !epoch.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("epoch is not a number".into()));
                }
                let epoch = epoch
                    .parse::<u32>()
                    .ok()
                    .filter(|epoch| *epoch <= MAX_EPOCH)
                    .ok_or_else(|| invalid("epoch is too big".into()))?;
                if rest.is_empty() {
                    return Err(invalid("nothing after the colon".into()));
                }
                (epoch, rest)
            }
        };

        // The last hyphen starts the revision; earlier ones belong to the upstream version.
        let (upstream, revision) = match rest.rsplit_once('-') {
            None => (rest, ""),
            Some((_, "")) => return Err(invalid("revision is empty".into())),
            Some(split) => split,
        };
        if upstream.is_empty() {
            return Err(invalid("upstream version is empty".into()));
        }
        if let Some(c) = upstream.chars().find(|c| !is_upstream_char(*c)) {
            return Err(invalid(format!(
                "invalid character {c:?} in upstream version"
            )));
        }
        if let Some(c) = revision.chars().find(|c| !is_revision_char(*c)) {
            return Err(invalid(format!("invalid character {c:?} in revision")));
        }

        Ok(Self {
            epoch,
            upstream,
            revision,
        })
    }

    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream, other.upstream))
            .then_with(|| verrevcmp(self.revision, other.revision))
    }
}

fn is_upstream_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~' | '-' | ':')
}

fn is_revision_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~')
}

/// dpkg's `verrevcmp`, for an upstream version or a revision.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        // The non-digit prefix, one character at a time. Weights of distinct non-digits
        // differ and never equal the weight of a digit or the end, so equal weights mean
        // both sides hold the same character.
        while starts_with_non_digit(a) || starts_with_non_digit(b) {
            let by_weight = weight(a.first()).cmp(&weight(b.first()));
            if by_weight.is_ne() {
                return by_weight;
            }
            a = a.get(1..).unwrap_or_default();
            b = b.get(1..).unwrap_or_default();
        }

        let (digits_a, rest_a) = split_leading_digits(a);
        let (digits_b, rest_b) = split_leading_digits(b);
        let by_number = cmp_decimal(digits_a, digits_b);
        if by_number.is_ne() {
            return by_number;
        }
        (a, b) = (rest_a, rest_b);
    }
    Ordering::Equal
}

fn starts_with_non_digit(s: &[u8]) -> bool {
    s.first().is_some_and(|c| !c.is_ascii_digit())
}

/// dpkg's `order()`: the weight of a character in a non-digit run. The end of the string
/// (and a digit, which ends the run) weighs 0, so `~` sorts before the end and everything
/// else after it.
fn weight(c: Option<&u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(*c),
        Some(c) => i32::from(*c) + 256,
    }
}

fn split_leading_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let len = s.iter().take_while(|c| c.is_ascii_digit()).count();
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
        Dpkg.compare(a, b)
            .unwrap_or_else(|e| panic!("{a} vs {b}: {e}"))
    }

    fn sign(ordering: Ordering) -> i32 {
        ordering as i32
    }

    #[test]
    fn upstream_vectors() {
        let table = include_str!("../../tests/vectors/dpkg-compare.txt");
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
            assert_eq!(sign(cmp(a, b)), expected, "{a} vs {b}");
            assert_eq!(sign(cmp(b, a)), -expected, "{b} vs {a}");
            count += 1;
        }
        assert_eq!(count, 54);
    }

    // Source: guillemj/dpkg scripts/t/Dpkg_Version.t (the three `is_deeply` sort checks),
    // commit c5efef926d16a72fd9270c8efceeba8872419292.
    #[test]
    fn upstream_sorts() {
        let sorted_lists: [&[&str]; 3] = [
            &[
                "0~999.999zeta",
                "0.0-0.0alpha0",
                "0:1.0-0",
                "5.0abc",
                "10.100.1-1",
                "4:4-4",
            ],
            &[
                "0~999.999zeta",
                "0.0alpha0",
                "1.0",
                "4",
                "5.0abc",
                "10.100.1",
            ],
            // Upstream this list checks the string comparison alone; none of these has an
            // epoch or revision, so the full order must agree.
            &["~000", "~abc", "~zyx999", "10a10", "Z0z", "aa5AA"],
        ];
        for expected in sorted_lists {
            let mut sorted = expected.to_vec();
            sorted.reverse();
            sorted.sort_by(|a, b| cmp(a, b));
            assert_eq!(sorted, expected);
        }
    }

    // Source: guillemj/dpkg lib/dpkg/t/t-version.c test_version_parse(), commit
    // c5efef926d16a72fd9270c8efceeba8872419292: `(input, epoch, upstream, revision)`.
    #[test]
    fn upstream_parse_cases() {
        let cases = [
            ("0", 0, "0", ""),
            ("0:0", 0, "0", ""),
            ("0:0-0", 0, "0", "0"),
            ("0:0.0-0.0", 0, "0.0", "0.0"),
            ("1:0", 1, "0", ""),
            ("5:1", 5, "1", ""),
            ("0:0-0-0", 0, "0-0", "0"),
            ("0:0-0-0-0", 0, "0-0-0", "0"),
            ("0:0:0-0", 0, "0:0", "0"),
            ("0:0:0:0-0", 0, "0:0:0", "0"),
            ("0:0:0-0-0", 0, "0:0-0", "0"),
            ("0:0-0:0-0", 0, "0-0:0", "0"),
            ("0:09azAZ.-+~:-0", 0, "09azAZ.-+~:", "0"),
            ("0:0-azAZ09.+~", 0, "0", "azAZ09.+~"),
            ("  \t0:0-1", 0, "0", "1"),
            ("0:0-1\t  ", 0, "0", "1"),
            ("\t  0:0-1  \t", 0, "0", "1"),
        ];
        for (input, epoch, upstream, revision) in cases {
            let parsed = DebianVersion::parse(input).expect(input);
            assert_eq!(
                (parsed.epoch, parsed.upstream, parsed.revision),
                (epoch, upstream, revision),
                "{input:?}"
            );
        }
    }

    // Source: guillemj/dpkg lib/dpkg/t/t-version.c test_version_parse() (errors and
    // warnings other than "does not start with a digit") and scripts/t/Dpkg_Version.t,
    // commit c5efef926d16a72fd9270c8efceeba8872419292.
    #[test]
    fn upstream_invalid_versions() {
        let mut invalid: Vec<String> = [
            "",
            "  ",
            "0:",
            ":1.0",
            "1.0-",
            "0:0 0-1",
            "-1:0-1",
            "999999999999999999999999:0-1",
            "a:0-0",
            "A:0-0",
            "-0",
            "0:-0",
            "0:0-0:0",
            "10a:5.2",
            "5.2@3-2",
        ]
        .map(String::from)
        .into();
        for c in "!#@$%&/|\\<>()[]{};,_=*^'".chars() {
            invalid.push(format!("0:0{c}-0"));
        }
        for c in "!#@$%&/|\\<>()[]{}:;,_=*^'".chars() {
            invalid.push(format!("0:0-{c}"));
        }
        for version in &invalid {
            assert!(Dpkg.validate(version).is_err(), "{version:?} accepted");
        }
    }

    #[test]
    fn epoch_limit_is_int_max() {
        assert!(Dpkg.validate("2147483647:1").is_ok());
        assert!(Dpkg.validate("2147483648:1").is_err());
    }

    // dpkg only warns about these (Dpkg_Version.t `foo5.2`, t-version.c `0:abc3-0`); OSV's
    // Debian data has them, so they are accepted and ordered by the same rules.
    #[test]
    fn upstream_not_starting_with_a_digit_is_accepted() {
        for version in ["foo5.2", "0:foo5.2", "0:abc3-0", "~1", "Z0z"] {
            assert!(Dpkg.validate(version).is_ok(), "{version}");
        }
        assert_eq!(cmp("0:abc3-0", "0:abc10-0"), Ordering::Less);
        assert_eq!(cmp("abc3", "1"), Ordering::Greater);
    }

    #[test]
    fn non_ascii_is_rejected_without_panicking() {
        for version in ["1.0é", "1.0-é", "é:1", "1\u{0}", "1.0\n"] {
            assert!(Dpkg.validate(version).is_err(), "{version:?}");
        }
    }

    fn debian_version() -> impl Strategy<Value = String> {
        (
            proptest::option::of(0u32..3),
            "[0-9][0-9aZ~.+-]{0,5}|[a~][0-9a~.]{0,3}",
            proptest::option::of("[0-9a~.+]{1,3}"),
        )
            .prop_map(|(epoch, upstream, revision)| {
                let epoch = epoch.map(|e| format!("{e}:")).unwrap_or_default();
                let revision = revision.map(|r| format!("-{r}")).unwrap_or_default();
                format!("{epoch}{upstream}{revision}")
            })
            .prop_filter("valid dpkg version", |v| Dpkg.validate(v).is_ok())
    }

    proptest! {
        #[test]
        fn total_order(a in debian_version(), b in debian_version(), c in debian_version()) {
            crate::version::osv_range::testing::assert_total_order(&Dpkg, &a, &b, &c);
        }

        #[test]
        fn arbitrary_input_never_panics(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            let _ = Dpkg.compare(&a, &b);
        }
    }
}
