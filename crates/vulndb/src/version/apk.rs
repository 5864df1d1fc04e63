//! The Alpine package version order, as apk-tools implements it (`src/version.c`). Alpine,
//! Wolfi and Chainguard use it.
//!
//! Grammar (anything else is invalid, as `apk_version_validate` says):
//! `digits{.digits}[letter]{_suffix[digits]}[~hash][-rdigits]`. Suffixes are `alpha`,
//! `beta`, `pre` and `rc` (pre-releases, before the bare version) and `cvs`, `svn`, `git`,
//! `hg` and `p` (after it). The hash is lowercase hex.
//!
//! Versions are compared token by token. Tokens of the same kind compare by value:
//! numbers numerically, except that a `.digits` component with a leading zero on either side
//! compares as a string (Gentoo's rule, so `1.01 < 1.1`); letters and hashes compare
//! bytewise, and suffixes in the order listed above. At the first token whose kind differs,
//! a pre-release suffix is older. Otherwise the side whose token comes earlier in the
//! grammar is newer: a further `.digits` beats a letter, which beats a suffix, … which
//! beats `-r`, which beats the end. So `1.0 < 1.0-r1 < 1.0_p1 < 1.0a < 1.0.1`.
//!
//! One difference from apk-tools: numbers are compared at any length. apk reads them into
//! 64-bit integers without an overflow check, so its order wraps around above 2^64.

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

/// The `apk` order, for Alpine, Wolfi and Chainguard.
#[derive(Debug, Clone, Copy, Default)]
pub struct Apk;

impl VersionOrder for Apk {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let a = tokenize(a)?;
        let b = tokenize(b)?;
        Ok(cmp_tokens(&a, &b))
    }
}

/// Version suffixes in apk's order, with the bare version (no suffix) between
/// the pre-releases and the post-releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl Suffix {
    fn from_name(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"alpha" => Self::Alpha,
            b"beta" => Self::Beta,
            b"pre" => Self::Pre,
            b"rc" => Self::Rc,
            b"cvs" => Self::Cvs,
            b"svn" => Self::Svn,
            b"git" => Self::Git,
            b"hg" => Self::Hg,
            b"p" => Self::P,
            _ => return None,
        })
    }

    fn is_pre_release(self) -> bool {
        self <= Self::Rc
    }
}

#[derive(Debug, Clone, Copy)]
enum Token<'a> {
    /// The leading number.
    Initial(&'a [u8]),
    /// A `.digits` component.
    Component(&'a [u8]),
    Letter(u8),
    Suffix(Suffix),
    SuffixNumber(&'a [u8]),
    CommitHash(&'a [u8]),
    Revision(&'a [u8]),
}

/// Token kinds in grammar order, as apk numbers them. The order decides which version
/// is newer when the kinds differ (apk's `TOKEN_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Initial,
    Component,
    Letter,
    Suffix,
    SuffixNumber,
    CommitHash,
    Revision,
    End,
}

impl Token<'_> {
    fn kind(&self) -> Kind {
        match self {
            Token::Initial(_) => Kind::Initial,
            Token::Component(_) => Kind::Component,
            Token::Letter(_) => Kind::Letter,
            Token::Suffix(_) => Kind::Suffix,
            Token::SuffixNumber(_) => Kind::SuffixNumber,
            Token::CommitHash(_) => Kind::CommitHash,
            Token::Revision(_) => Kind::Revision,
        }
    }
}

/// Splits a version into tokens, checking apk's grammar (`token_first`/`token_next`).
fn tokenize(input: &str) -> Result<Vec<Token<'_>>, VersionError> {
    let invalid = |reason: &str| VersionError {
        ecosystem: "apk",
        version: input.to_owned(),
        reason: reason.to_owned(),
    };

    let (initial, mut rest) = split_run(input.as_bytes(), u8::is_ascii_digit);
    if initial.is_empty() {
        return Err(invalid("does not start with a digit"));
    }
    let mut tokens = vec![Token::Initial(initial)];
    let mut last = Kind::Initial;

    while let Some((&first, after)) = rest.split_first() {
        let token = match first {
            b'a'..=b'z' if last <= Kind::Component => {
                rest = after;
                Token::Letter(first)
            }
            b'.' if last <= Kind::Component => {
                let (digits, after_digits) = split_run(after, u8::is_ascii_digit);
                if digits.is_empty() {
                    return Err(invalid("'.' is not followed by a number"));
                }
                rest = after_digits;
                Token::Component(digits)
            }
            b'0'..=b'9' if last == Kind::Suffix => {
                let (digits, after_digits) = split_run(rest, u8::is_ascii_digit);
                rest = after_digits;
                Token::SuffixNumber(digits)
            }
            b'_' if last <= Kind::SuffixNumber => {
                let (name, after_name) = split_run(after, u8::is_ascii_lowercase);
                let suffix =
                    Suffix::from_name(name).ok_or_else(|| invalid("unknown '_' suffix"))?;
                rest = after_name;
                Token::Suffix(suffix)
            }
            b'~' if last < Kind::CommitHash => {
                let (hash, after_hash) = split_run(after, is_lower_hex_digit);
                if hash.is_empty() {
                    return Err(invalid("'~' is not followed by a hex commit hash"));
                }
                rest = after_hash;
                Token::CommitHash(hash)
            }
            b'-' if last < Kind::Revision => {
                let (digits, after_digits) = match after.strip_prefix(b"r") {
                    Some(number) => split_run(number, u8::is_ascii_digit),
                    None => (&[][..], after),
                };
                if digits.is_empty() {
                    return Err(invalid("'-' is not followed by r<number>"));
                }
                rest = after_digits;
                Token::Revision(digits)
            }
            _ => return Err(invalid("unexpected character or misplaced part")),
        };
        last = token.kind();
        tokens.push(token);
    }
    Ok(tokens)
}

/// apk's `apk_version_compare`, on token lists (the end of a list is `Kind::End`).
fn cmp_tokens(a: &[Token], b: &[Token]) -> Ordering {
    let mut a = a.iter();
    let mut b = b.iter();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (Some(token_a), Some(token_b)) if token_a.kind() == token_b.kind() => {
                let ordering = cmp_same_kind(token_a, token_b);
                if ordering.is_ne() {
                    return ordering;
                }
            }
            (token_a, token_b) => return cmp_different_kinds(token_a, token_b),
        }
    }
}

/// apk's `token_cmp`, for two tokens of the same kind.
fn cmp_same_kind(a: &Token, b: &Token) -> Ordering {
    match (a, b) {
        // A leading zero on either side makes the component a string.
        (Token::Component(a), Token::Component(b))
            if a.first() == Some(&b'0') || b.first() == Some(&b'0') =>
        {
            a.cmp(b)
        }
        (Token::Component(a), Token::Component(b))
        | (Token::Initial(a), Token::Initial(b))
        | (Token::SuffixNumber(a), Token::SuffixNumber(b))
        | (Token::Revision(a), Token::Revision(b)) => cmp_decimal(a, b),
        (Token::Letter(a), Token::Letter(b)) => a.cmp(b),
        (Token::Suffix(a), Token::Suffix(b)) => a.cmp(b),
        (Token::CommitHash(a), Token::CommitHash(b)) => a.cmp(b),
        // Callers pass tokens of one kind; kinds order anything else.
        _ => cmp_different_kinds(Some(a), Some(b)),
    }
}

/// The tail of `apk_version_compare`: where the kinds first differ (`None` is the end),
/// a pre-release suffix is older, and otherwise the kind earlier in the grammar is newer.
fn cmp_different_kinds(a: Option<&Token>, b: Option<&Token>) -> Ordering {
    let is_pre_release = |token: Option<&Token>| matches!(token, Some(Token::Suffix(suffix)) if suffix.is_pre_release());
    let kind = |token: Option<&Token>| token.map_or(Kind::End, Token::kind);
    if is_pre_release(a) {
        return Ordering::Less;
    }
    if is_pre_release(b) {
        return Ordering::Greater;
    }
    kind(b).cmp(&kind(a))
}

fn is_lower_hex_digit(c: &u8) -> bool {
    matches!(c, b'0'..=b'9' | b'a'..=b'f')
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
        Apk.compare(a, b)
            .unwrap_or_else(|e| panic!("{a} vs {b}: {e}"))
    }

    /// Runs apk-tools' `version.data` lines, as its `test/unit/version_test.c` does.
    #[test]
    fn upstream_vectors() {
        let table = include_str!("../../tests/vectors/apk-compare.txt");
        let (mut comparisons, mut validity) = (0, 0);
        for line in table.lines() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields[..] {
                [a, op, b] => {
                    let expected = match op {
                        "<" => Ordering::Less,
                        "=" => Ordering::Equal,
                        ">" => Ordering::Greater,
                        _ => panic!("unknown operator in {line:?}"),
                    };
                    assert_eq!(cmp(a, b), expected, "{line}");
                    assert_eq!(cmp(b, a), expected.reverse(), "{line} (swapped)");
                    comparisons += 1;
                }
                [version] => {
                    match version.strip_prefix('!') {
                        Some(invalid) => {
                            assert!(Apk.validate(invalid).is_err(), "{invalid:?} accepted");
                        }
                        None => assert!(Apk.validate(version).is_ok(), "{version:?} rejected"),
                    }
                    validity += 1;
                }
                _ => panic!("malformed vector line {line:?}"),
            }
        }
        assert_eq!((comparisons, validity), (172, 35));
    }

    #[test]
    fn order_of_token_kinds() {
        let ascending = [
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_beta",
            "1.0_pre",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0~abc",
            "1.0_cvs",
            "1.0_p1",
            "1.0a",
            "1.0.0",
            "1.00",
            "1.01",
            "1.1",
        ];
        for pair in ascending.windows(2) {
            let [lower, higher] = pair else {
                unreachable!()
            };
            assert_eq!(cmp(lower, higher), Ordering::Less, "{lower} < {higher}");
        }
        assert_eq!(cmp("01.0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("1.0-r01", "1.0-r1"), Ordering::Equal);
    }

    #[test]
    fn long_numbers_compare_exactly() {
        assert_eq!(
            cmp("1.0-r18446744073709551617", "1.0-r18446744073709551616"),
            Ordering::Greater
        );
        assert_eq!(cmp("99999999999999999999999", "1"), Ordering::Greater);
    }

    #[test]
    fn invalid_input_is_rejected_without_panicking() {
        for version in [
            "", " 1.0", "1.0 ", "1.0-r1 ", "1.0é", "1.0_ß", "1.0~", "1.0-", "1.0A",
        ] {
            assert!(Apk.validate(version).is_err(), "{version:?} accepted");
        }
    }

    fn apk_version() -> impl Strategy<Value = String> {
        (
            "[0-9]{1,2}(\\.0?[0-9]){0,2}[ab]?",
            proptest::collection::vec("_(alpha|rc|p|git)[0-9]?", 0..2),
            proptest::option::of("~[0-9a-f]{1,2}"),
            proptest::option::of("-r[0-9]{1,2}"),
        )
            .prop_map(|(base, suffixes, hash, revision)| {
                format!(
                    "{base}{}{}{}",
                    suffixes.concat(),
                    hash.unwrap_or_default(),
                    revision.unwrap_or_default()
                )
            })
    }

    proptest! {
        #[test]
        fn generated_versions_are_valid(a in apk_version()) {
            prop_assert!(Apk.validate(&a).is_ok(), "{}", a);
        }

        #[test]
        fn total_order(a in apk_version(), b in apk_version(), c in apk_version()) {
            crate::version::osv_range::testing::assert_total_order(&Apk, &a, &b, &c);
        }

        #[test]
        fn arbitrary_input_never_panics(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            let _ = Apk.compare(&a, &b);
        }
    }
}
