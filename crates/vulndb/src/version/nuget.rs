//! NuGet: `NuGetVersion` parsing and `VersionComparer.Default` ordering (NuGet.Versioning).
//!
//! SemVer 2.0 plus NuGet's legacy forms: 1 to 4 numeric parts (`1`, `1.2`, `1.2.3.4`, missing
//! parts are 0), leading zeros (`1.01` = `1.1`), whitespace around the whole string and
//! around each number. Release labels compare case-insensitively, numeric labels (those that
//! parse as a 32-bit integer) before alphanumeric ones; build metadata is ignored.

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

#[derive(Debug, Default, Clone, Copy)]
pub struct NuGetOrder;

pub static NUGET: NuGetOrder = NuGetOrder;

impl VersionOrder for NuGetOrder {
    fn name(&self) -> &'static str {
        "NuGet"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let (a, b) = (NuGetVersion::parse(a)?, NuGetVersion::parse(b)?);
        Ok(a.cmp(&b))
    }
}

#[derive(Debug)]
struct NuGetVersion<'a> {
    /// Major, minor, patch, revision.
    numbers: [i32; 4],
    /// Empty for a release.
    labels: Vec<&'a str>,
}

fn invalid(version: &str, reason: &str) -> VersionError {
    VersionError {
        ecosystem: "NuGet",
        version: version.to_string(),
        reason: reason.to_string(),
    }
}

/// `IsValidPart`: non-empty `[0-9A-Za-z-]+`, and no leading zero on an all-digit label.
fn is_valid_part(part: &str, allow_leading_zeros: bool) -> bool {
    let bytes = part.as_bytes();
    if bytes.is_empty()
        || !bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    {
        return false;
    }
    allow_leading_zeros
        || !(bytes.len() > 1 && bytes[0] == b'0' && bytes.iter().all(u8::is_ascii_digit))
}

/// Splits `version[-labels][+metadata]` (NuGet's `ParseSections`); `None` when a separator
/// is the last character, which NuGet rejects.
fn split_sections(value: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let Some(sep) = value.find(['-', '+']) else {
        return Some((value, None, None));
    };
    if sep + 1 == value.len() {
        return None;
    }
    let (version, rest) = (&value[..sep], &value[sep + 1..]);
    if value.as_bytes()[sep] == b'+' {
        return Some((version, None, Some(rest)));
    }
    match rest.find('+') {
        Some(plus) if plus + 1 == rest.len() => None,
        Some(plus) => Some((version, Some(&rest[..plus]), Some(&rest[plus + 1..]))),
        None => Some((version, Some(rest), None)),
    }
}

/// `TryGetNormalizedVersion`: up to four dot-separated numbers, each at most `i32::MAX` and
/// possibly surrounded by whitespace.
fn parse_numbers(text: &str) -> Option<[i32; 4]> {
    let chars: Vec<char> = text.chars().collect();
    if chars.iter().all(|c| c.is_whitespace()) {
        return None;
    }
    let mut numbers = [0i32; 4];
    let mut pos = 0;
    for number in &mut numbers {
        if pos == chars.len() {
            break;
        }
        while chars.get(pos).is_some_and(|c| c.is_whitespace()) {
            pos += 1;
        }
        let mut value: i64 = 0;
        let mut digits = 0;
        while let Some(digit) = chars.get(pos).and_then(|c| c.to_digit(10)) {
            if !chars[pos].is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(digit);
            if value > i64::from(i32::MAX) {
                return None;
            }
            digits += 1;
            pos += 1;
        }
        if digits == 0 {
            return None;
        }
        while chars.get(pos).is_some_and(|c| c.is_whitespace()) {
            pos += 1;
        }
        match chars.get(pos) {
            None => {}
            Some('.') if pos + 1 < chars.len() => pos += 1,
            Some(_) => return None,
        }
        *number = i32::try_from(value).ok()?;
    }
    (pos == chars.len()).then_some(numbers)
}

impl<'a> NuGetVersion<'a> {
    fn parse(input: &'a str) -> Result<Self, VersionError> {
        let value = input.trim();
        let (version, labels, metadata) =
            split_sections(value).ok_or_else(|| invalid(input, "ends with a separator"))?;
        let numbers = parse_numbers(version)
            .ok_or_else(|| invalid(input, "expected 1 to 4 numbers separated by dots"))?;
        let labels: Vec<&str> = labels.map_or_else(Vec::new, |l| l.split('.').collect());
        if !labels.iter().all(|label| is_valid_part(label, false)) {
            return Err(invalid(input, "invalid release label"));
        }
        if let Some(metadata) = metadata {
            if !metadata.split('.').all(|part| is_valid_part(part, true)) {
                return Err(invalid(input, "invalid build metadata"));
            }
        }
        Ok(NuGetVersion { numbers, labels })
    }
}

/// `CompareRelease`: numeric labels (anything `int.TryParse` accepts, so `-1` too) by value
/// and before alphanumeric ones; others ordinal ignoring case.
fn cmp_label(a: &str, b: &str) -> Ordering {
    match (a.parse::<i32>(), b.parse::<i32>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => {
            let upper = |s: &'_ str| {
                s.bytes()
                    .map(|b| b.to_ascii_uppercase())
                    .collect::<Vec<_>>()
            };
            upper(a).cmp(&upper(b))
        }
    }
}

impl Ord for NuGetVersion<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.labels.iter().zip(&other.labels) {
                        let result = cmp_label(a, b);
                        if result != Ordering::Equal {
                            return result;
                        }
                    }
                    self.labels.len().cmp(&other.labels.len())
                }
            }
        })
    }
}

impl PartialOrd for NuGetVersion<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::osv_range::testing::{assert_total_order, check_vectors};
    use proptest::prelude::*;

    #[test]
    fn upstream_vectors() {
        check_vectors(&NUGET, include_str!("../../tests/vectors/nuget-order.json"));
    }

    #[test]
    fn whitespace_inside_numbers_as_nuget_allows() {
        assert_eq!(NUGET.compare("  19 . 19 ", "19.19"), Ok(Ordering::Equal));
        assert_eq!(NUGET.compare("1.0 -beta", "1.0-beta"), Ok(Ordering::Equal));
    }

    #[test]
    fn numeric_labels() {
        assert_eq!(NUGET.compare("1.0.0-2", "1.0.0-10"), Ok(Ordering::Less));
        assert_eq!(NUGET.compare("1.0.0-10", "1.0.0-a"), Ok(Ordering::Less));
        // Beyond i32 a label is text, as int.TryParse fails on it.
        assert_eq!(
            NUGET.compare("1.0.0-99999999999", "1.0.0-2"),
            Ok(Ordering::Greater)
        );
    }

    fn valid_nuget() -> impl Strategy<Value = String> {
        let label = prop_oneof![
            (0u64..12).prop_map(|n| n.to_string()),
            "[a-zA-Z][a-zA-Z0-9-]{0,3}",
        ];
        (
            prop::collection::vec(0u32..3, 1..5),
            prop::collection::vec(label, 0..3),
            prop::option::of("[a-z0-9]{1,3}"),
        )
            .prop_map(|(numbers, labels, metadata)| {
                let numbers: Vec<String> = numbers.iter().map(u32::to_string).collect();
                let mut v = numbers.join(".");
                if !labels.is_empty() {
                    v.push('-');
                    v.push_str(&labels.join("."));
                }
                if let Some(metadata) = metadata {
                    v.push('+');
                    v.push_str(&metadata);
                }
                v
            })
    }

    proptest! {
        #[test]
        fn total_order(a in valid_nuget(), b in valid_nuget(), c in valid_nuget()) {
            assert_total_order(&NUGET, &a, &b, &c);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = NUGET.validate(&s);
        }
    }
}
