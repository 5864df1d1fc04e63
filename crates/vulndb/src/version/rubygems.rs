//! RubyGems: `Gem::Version#<=>` (rubygems lib/rubygems/version.rb).
//!
//! A version is `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`; `-` reads as
//! `.pre.`. It is compared by its canonical segments: runs of digits (numbers) and runs of
//! letters (strings), after dropping trailing zeros and the zeros just before the first
//! letter. A string sorts before a number, so letters mark pre-releases: `1.0.a < 1.0`.

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

#[derive(Debug, Default, Clone, Copy)]
pub struct RubyGemsOrder;

pub static RUBYGEMS: RubyGemsOrder = RubyGemsOrder;

impl VersionOrder for RubyGemsOrder {
    fn name(&self) -> &'static str {
        "RubyGems"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let (a, b) = (GemVersion::parse(a)?, GemVersion::parse(b)?);
        Ok(a.cmp(&b))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros (`"0"` for zero), so numeric order is (length, text).
    Number(String),
    Letters(String),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Number(n) if n == "0")
    }
}

#[derive(Debug)]
struct GemVersion {
    /// The version string after stripping and `-` → `.pre.`.
    text: String,
    canonical: Vec<Segment>,
}

/// Ruby's `\s`.
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0c' | '\x0b')
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN`, after the surrounding whitespace is trimmed.
fn is_correct(version: &str) -> bool {
    let bytes = version.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    let mut rest = &bytes[digits..];
    // (\.[0-9a-zA-Z]+)*
    while let Some((b'.', after)) = rest.split_first() {
        let run = after
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if run == 0 {
            return false;
        }
        rest = &after[run..];
    }
    // (-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
    if let Some((b'-', mut after)) = rest.split_first() {
        loop {
            let run = after
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                .count();
            if run == 0 {
                return false;
            }
            after = &after[run..];
            match after.split_first() {
                Some((b'.', next)) => after = next,
                _ => break,
            }
        }
        rest = after;
    }
    rest.is_empty()
}

fn partition_segments(version: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let bytes = version.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let digits = version[start..i].trim_start_matches('0');
            segments.push(Segment::Number(
                if digits.is_empty() { "0" } else { digits }.to_string(),
            ));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            segments.push(Segment::Letters(version[start..i].to_string()));
        } else {
            i += 1;
        }
    }
    segments
}

fn is_zero_or_dot(b: u8) -> bool {
    b == b'0' || b == b'.'
}

/// `@version.sub(/(?<=[a-zA-Z.])[.0]+\z/, "")`: the leftmost match wins, i.e. the earliest
/// start inside the trailing run of `.`/`0` that follows a letter or a dot.
fn strip_trailing_zeros(version: &str) -> &str {
    let bytes = version.as_bytes();
    let run_start = bytes.len()
        - bytes
            .iter()
            .rev()
            .take_while(|&&b| is_zero_or_dot(b))
            .count();
    (run_start..bytes.len())
        .find(|&start| {
            start > 0 && (bytes[start - 1].is_ascii_alphabetic() || bytes[start - 1] == b'.')
        })
        .map_or(version, |start| &version[..start])
}

/// `sub!(/(?<=\.|\A)[0.]+(?=[a-zA-Z])/, "")`: zeros right before the first letter.
fn strip_zeros_before_letters(version: &str) -> String {
    let bytes = version.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let run = bytes[start..]
            .iter()
            .take_while(|&&b| is_zero_or_dot(b))
            .count();
        if run == 0 {
            start += 1;
            continue;
        }
        // Any start inside this run ends where it ends, so one check covers the run; the
        // leftmost start that may begin a match is the run start or the byte after a dot.
        let end = start + run;
        if bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
            let first = (start..end).find(|&i| i == 0 || bytes[i - 1] == b'.');
            if let Some(first) = first {
                return format!("{}{}", &version[..first], &version[end..]);
            }
        }
        start = end;
    }
    version.to_string()
}

impl GemVersion {
    fn parse(input: &str) -> Result<Self, VersionError> {
        let trimmed = input.trim_matches(is_ruby_space);
        let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
        if !is_correct(trimmed) {
            return Err(VersionError {
                ecosystem: "RubyGems",
                version: input.to_string(),
                reason: "malformed version number string".into(),
            });
        }
        let text = trimmed.replace('-', ".pre.");
        let mut canonical = strip_trailing_zeros(&text).to_string();
        if text.bytes().any(|b| b.is_ascii_alphabetic()) {
            canonical = strip_zeros_before_letters(&canonical);
        }
        Ok(GemVersion {
            canonical: partition_segments(&canonical),
            text,
        })
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.text == other.text || self.canonical == other.canonical {
            return Ordering::Equal;
        }
        let (left, right) = (&self.canonical, &other.canonical);
        for (l, r) in left.iter().zip(right) {
            let result = match (l, r) {
                _ if l == r => continue,
                (Segment::Letters(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Letters(_)) => Ordering::Greater,
                (Segment::Number(a), Segment::Number(b)) => {
                    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
                }
                (Segment::Letters(a), Segment::Letters(b)) => a.cmp(b),
            };
            return result;
        }
        // One is a prefix of the other: the longer side's remainder decides. Letters there
        // mean a pre-release (smaller); a non-zero number means a later version.
        let shared = left.len().min(right.len());
        let tail_order = |tail: &[Segment]| {
            for segment in tail {
                match segment {
                    Segment::Letters(_) => return Ordering::Less,
                    s if !s.is_zero() => return Ordering::Greater,
                    _ => {}
                }
            }
            Ordering::Equal
        };
        if left.len() > shared {
            tail_order(&left[shared..])
        } else {
            tail_order(&right[shared..]).reverse()
        }
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
            &RUBYGEMS,
            include_str!("../../tests/vectors/rubygems-order.json"),
        );
    }

    #[test]
    fn canonical_segments_match_rubygems() {
        // test_canonical_segments
        let canonical = |v: &str| GemVersion::parse(v).unwrap().canonical;
        let n = |s: &str| Segment::Number(s.into());
        let l = |s: &str| Segment::Letters(s.into());
        assert_eq!(canonical("1.0.0"), vec![n("1")]);
        assert_eq!(canonical("1.0.0.a.1.0"), vec![n("1"), l("a"), n("1")]);
        assert_eq!(
            canonical("1.2.3-1"),
            vec![n("1"), n("2"), n("3"), l("pre"), n("1")]
        );
    }

    #[test]
    fn hostile_input_is_linear() {
        // CVE-2013-4287 was a regex blow-up on strings like this one.
        let long = "1".to_string() + &".a0".repeat(20_000) + "!";
        assert!(RUBYGEMS.validate(&long).is_err());
        let zeros = "1".to_string() + &".0".repeat(50_000);
        let zeros_then_letter = zeros.clone() + ".a";
        assert_eq!(RUBYGEMS.compare(&zeros, "1"), Ok(Ordering::Equal));
        assert_eq!(
            RUBYGEMS.compare(&zeros_then_letter, "1"),
            Ok(Ordering::Less)
        );
    }

    fn valid_gem() -> impl Strategy<Value = String> {
        let segment = prop_oneof![
            (0u64..12).prop_map(|n| n.to_string()),
            prop::sample::select(vec!["a", "b", "pre", "rc", "0", "00", "beta1", "x"])
                .prop_map(str::to_string),
        ];
        (
            0u64..4,
            prop::collection::vec(segment.clone(), 0..4),
            prop::option::of(prop::collection::vec(segment, 1..3)),
        )
            .prop_map(|(major, rest, pre)| {
                let mut v = major.to_string();
                for s in rest {
                    v.push('.');
                    v.push_str(&s);
                }
                if let Some(pre) = pre {
                    v.push('-');
                    v.push_str(&pre.join("."));
                }
                v
            })
    }

    proptest! {
        #[test]
        fn total_order(a in valid_gem(), b in valid_gem(), c in valid_gem()) {
            assert_total_order(&RUBYGEMS, &a, &b, &c);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = RUBYGEMS.validate(&s);
        }
    }
}
