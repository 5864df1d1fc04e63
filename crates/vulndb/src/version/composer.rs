//! Packagist: Composer's version normalization (`Composer\Semver\VersionParser::normalize`)
//! and comparison (PHP's `version_compare` on normalized versions, as `Comparator` does).
//!
//! `v1.2`, `1.2.0`, `1.2-RC1`, `1.2.0.0-beta.2`, `2010-01-02` and `1.x-dev` all normalize to
//! a 4-part (or date) version with an optional stability suffix; stabilities order
//! `dev < alpha < beta < RC < (stable) < patch`. Branch versions (`dev-master`, `dev-feature`)
//! have no numeric position: Composer never matches them against numeric constraints, and
//! neither should a scanner — see [`is_branch`]. To keep a total order they sort below every
//! numbered version (what `version_compare` says) and among themselves by name.

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

#[derive(Debug, Default, Clone, Copy)]
pub struct ComposerOrder;

pub static COMPOSER: ComposerOrder = ComposerOrder;

impl VersionOrder for ComposerOrder {
    fn name(&self) -> &'static str {
        "Composer"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let (a, b) = (normalize(a)?, normalize(b)?);
        Ok(match (a.starts_with("dev-"), b.starts_with("dev-")) {
            (true, true) => a.cmp(&b),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => php_version_compare(&a, &b),
        })
    }
}

/// Whether `version` is a branch (`dev-master`, `master`, `dev-feature/x`), which Composer
/// never considers inside a numeric range.
pub fn is_branch(version: &str) -> bool {
    normalize(version).is_ok_and(|normalized| normalized.starts_with("dev-"))
}

fn invalid(version: &str) -> VersionError {
    VersionError {
        ecosystem: "Packagist",
        version: version.to_string(),
        reason: "not a version Composer can normalize".into(),
    }
}

/// PHP's default `trim` characters.
fn is_php_trim(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0b')
}

/// PCRE `\s`.
fn is_pcre_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn digits_at(bytes: &[u8], pos: usize) -> usize {
    bytes
        .get(pos..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// `VersionParser::normalize`.
pub fn normalize(input: &str) -> Result<String, VersionError> {
    let mut version = input.trim_matches(is_php_trim);

    // `^([^,\s]++) ++as ++([^,\s]++)$`: keep the aliased version.
    if let Some(aliased) = strip_alias(version) {
        version = aliased;
    }
    // `@(?:stable|RC|beta|alpha|dev)$`: a stability flag.
    if let Some(at) = version.rfind('@') {
        let flag = &version[at + 1..];
        if ["stable", "rc", "beta", "alpha", "dev"]
            .iter()
            .any(|known| flag.eq_ignore_ascii_case(known))
        {
            version = &version[..at];
        }
    }
    if matches!(version, "master" | "trunk" | "default") {
        return Ok(format!("dev-{version}"));
    }
    if starts_with_ignore_case(version, "dev-") {
        return Ok(format!("dev-{}", &version[4..]));
    }
    // `^([^,\s+]++)\+[^\s]++$`: build metadata.
    if let Some((head, build)) = version.split_once('+') {
        let head_ok = !head.is_empty() && !head.contains(|c| c == ',' || is_pcre_space(c));
        if head_ok && !build.is_empty() && !build.contains(is_pcre_space) {
            version = head;
        }
    }

    if let Some(normalized) = normalize_classical(version).or_else(|| normalize_date(version)) {
        return Ok(normalized);
    }

    // `(.*?)[.-]?dev$`: a numeric branch such as `1.x-dev`.
    let lower = version.to_ascii_lowercase();
    if let Some(before_dev) = lower.strip_suffix("dev") {
        let cut = if before_dev.ends_with(['.', '-']) {
            before_dev.len() - 1
        } else {
            before_dev.len()
        };
        if let Some(branch) = normalize_numeric_branch(&version[..cut]) {
            return Ok(branch);
        }
    }
    Err(invalid(input))
}

fn strip_alias(version: &str) -> Option<&str> {
    let is_word_char = |c: char| c != ',' && !is_pcre_space(c);
    let first_end = version.find(|c: char| !is_word_char(c))?;
    let (first, rest) = version.split_at(first_end);
    let rest = rest.strip_prefix(' ')?.trim_start_matches(' ');
    let rest = rest.strip_prefix("as")?;
    let alias = rest.strip_prefix(' ')?.trim_start_matches(' ');
    (!first.is_empty() && !alias.is_empty() && alias.chars().all(is_word_char)).then_some(first)
}

/// `^v?(\d{1,5}+)(\.\d++)?(\.\d++)?(\.\d++)?MODIFIER$`.
fn normalize_classical(version: &str) -> Option<String> {
    let bytes = version.as_bytes();
    let mut pos = usize::from(matches!(bytes.first(), Some(b'v' | b'V')));
    let major = digits_at(bytes, pos);
    if !(1..=5).contains(&major) {
        return None;
    }
    let mut numeric = version[pos..pos + major].to_string();
    pos += major;
    let mut parts = 1;
    while parts < 4 && bytes.get(pos) == Some(&b'.') && digits_at(bytes, pos + 1) > 0 {
        let end = pos + 1 + digits_at(bytes, pos + 1);
        numeric.push_str(&version[pos..end]);
        pos = end;
        parts += 1;
    }
    for _ in parts..4 {
        numeric.push_str(".0");
    }
    let modifier = match_modifier(&version[pos..])?;
    Some(modifier.apply(numeric))
}

/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})MODIFIER$`, trying the ends of the
/// date part in the order a backtracking regex engine would.
fn normalize_date(version: &str) -> Option<String> {
    let bytes = version.as_bytes();
    let start = usize::from(matches!(bytes.first(), Some(b'v' | b'V')));
    if digits_at(bytes, start) < 4 {
        return None;
    }
    let is_sep = |pos: usize| matches!(bytes.get(pos), Some(b'.' | b':' | b'-'));
    let digits_exact = |pos: usize, n: usize| digits_at(bytes, pos) >= n;

    let try_end = |end: usize| -> Option<String> {
        let modifier = match_modifier(&version[end..])?;
        let date: String = version[start..end]
            .chars()
            .map(|c| if c.is_ascii_digit() { c } else { '.' })
            .collect();
        Some(modifier.apply(date))
    };

    // (?:[.:-]?\d{1,3}){0,2}, greedy.
    fn short_groups(
        pos: usize,
        count: usize,
        is_sep: &dyn Fn(usize) -> bool,
        digits_exact: &dyn Fn(usize, usize) -> bool,
        try_end: &dyn Fn(usize) -> Option<String>,
    ) -> Option<String> {
        if count < 2 {
            for sep in [true, false] {
                if sep && !is_sep(pos) {
                    continue;
                }
                let at = pos + usize::from(sep);
                for len in [3, 2, 1] {
                    if digits_exact(at, len) {
                        let found =
                            short_groups(at + len, count + 1, is_sep, digits_exact, try_end);
                        if found.is_some() {
                            return found;
                        }
                    }
                }
            }
        }
        try_end(pos)
    }

    // (?:[.:-]?\d{2}){1,6}, greedy.
    fn pairs(
        pos: usize,
        count: usize,
        is_sep: &dyn Fn(usize) -> bool,
        digits_exact: &dyn Fn(usize, usize) -> bool,
        try_end: &dyn Fn(usize) -> Option<String>,
    ) -> Option<String> {
        if count < 6 {
            for sep in [true, false] {
                if sep && !is_sep(pos) {
                    continue;
                }
                let at = pos + usize::from(sep);
                if digits_exact(at, 2) {
                    let found = pairs(at + 2, count + 1, is_sep, digits_exact, try_end);
                    if found.is_some() {
                        return found;
                    }
                }
            }
        }
        if count >= 1 {
            return short_groups(pos, 0, is_sep, digits_exact, try_end);
        }
        None
    }

    pairs(start + 4, 0, &is_sep, &digits_exact, &try_end)
}

/// The captured parts of `[._-]?(?:(STABILITY)((?:[.-]?\d+)*+)?)?([.-]?dev)?$`.
struct Modifier<'a> {
    stability: Option<&'a str>,
    numbers: &'a str,
    dev: bool,
}

impl Modifier<'_> {
    fn apply(&self, mut version: String) -> String {
        if let Some(stability) = self.stability {
            if stability == "stable" {
                return version;
            }
            version.push('-');
            version.push_str(&expand_stability(stability));
            version.push_str(self.numbers.trim_start_matches(['.', '-']));
        }
        if self.dev {
            version.push_str("-dev");
        }
        version
    }
}

fn expand_stability(stability: &str) -> String {
    match stability.to_ascii_lowercase().as_str() {
        "a" => "alpha".into(),
        "b" => "beta".into(),
        "p" | "pl" => "patch".into(),
        "rc" => "RC".into(),
        other => other.into(),
    }
}

/// Alternatives in the regex's order, which decides the captured spelling.
const STABILITIES: [&str; 9] = [
    "stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p",
];

fn match_modifier(s: &str) -> Option<Modifier<'_>> {
    let bytes = s.as_bytes();
    let ends_with_dev = |from: usize| -> Option<bool> {
        let rest = s.get(from..)?;
        if rest.is_empty() {
            return Some(false);
        }
        let rest = rest.strip_prefix(['.', '-']).unwrap_or(rest);
        rest.eq_ignore_ascii_case("dev").then_some(true)
    };
    for take_separator in [true, false] {
        if take_separator && !matches!(bytes.first(), Some(b'.' | b'_' | b'-')) {
            continue;
        }
        let pos = usize::from(take_separator);
        let rest = &s[pos..];
        for stability in STABILITIES {
            if !starts_with_ignore_case(rest, stability) {
                continue;
            }
            let word_end = pos + stability.len();
            // `(?:[.-]?\d+)*+`: possessive, so take every number there is.
            let mut end = word_end;
            loop {
                let sep = usize::from(matches!(bytes.get(end), Some(b'.' | b'-')));
                let digits = digits_at(bytes, end + sep);
                if digits == 0 {
                    break;
                }
                end += sep + digits;
            }
            if let Some(dev) = ends_with_dev(end) {
                return Some(Modifier {
                    stability: Some(&s[pos..word_end]),
                    numbers: &s[word_end..end],
                    dev,
                });
            }
        }
        if let Some(dev) = ends_with_dev(pos) {
            return Some(Modifier {
                stability: None,
                numbers: "",
                dev,
            });
        }
    }
    None
}

/// `normalizeBranch` for `^v?(\d++)(\.(?:\d++|[xX*]))?{0,3}$`: `1.x` → `1.9999999.9999999.9999999-dev`.
fn normalize_numeric_branch(name: &str) -> Option<String> {
    let name = name.trim_matches(is_php_trim);
    let name = name.strip_prefix(['v', 'V']).unwrap_or(name);
    let mut parts = name.split('.');
    let first = parts.next()?;
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut normalized = first.to_string();
    let mut count = 1;
    for part in parts {
        count += 1;
        let valid = matches!(part, "x" | "X" | "*")
            || (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        if count > 4 || !valid {
            return None;
        }
        normalized.push('.');
        normalized.push_str(part);
    }
    for _ in count..4 {
        normalized.push_str(".x");
    }
    Some(normalized.replace(['*', 'X', 'x'], "9999999") + "-dev")
}

/// `php_canonicalize_version`: `-`, `_`, `+` and other non-alphanumerics become `.`, and a
/// `.` goes between a digit and a non-digit.
fn php_canonicalize(version: &[u8]) -> Vec<u8> {
    let Some((&first, rest)) = version.split_first() else {
        return Vec::new();
    };
    let is_digit = |c: u8| c.is_ascii_digit();
    let is_non_digit = |c: u8| !c.is_ascii_digit() && c != b'.';
    let mut out = Vec::with_capacity(version.len() * 2);
    out.push(first);
    let mut previous = first;
    for &c in rest {
        let last_is_dot = out.last() == Some(&b'.');
        if matches!(c, b'-' | b'_' | b'+') {
            if !last_is_dot {
                out.push(b'.');
            }
        } else if (is_non_digit(previous) && is_digit(c)) || (is_digit(previous) && is_non_digit(c))
        {
            if !last_is_dot {
                out.push(b'.');
            }
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if !last_is_dot {
                out.push(b'.');
            }
        } else {
            out.push(c);
        }
        previous = c;
    }
    out
}

/// `compare_special_version_forms`: the first prefix that matches gives the rank; anything
/// else ranks below `dev`.
fn special_rank(part: &[u8]) -> i8 {
    const FORMS: [(&[u8], i8); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(prefix, _)| part.starts_with(prefix))
        .map_or(-1, |&(_, rank)| rank)
}

const NUMBER_RANK: i8 = 4;

/// `strtol`: the leading digits, saturating like C's `LONG_MAX`.
fn strtol(part: &[u8]) -> i64 {
    part.iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |acc, &b| {
            acc.saturating_mul(10).saturating_add(i64::from(b - b'0'))
        })
}

fn starts_with_digit(part: &[u8]) -> bool {
    part.first().is_some_and(u8::is_ascii_digit)
}

fn compare_parts(a: &[u8], b: &[u8]) -> Ordering {
    match (starts_with_digit(a), starts_with_digit(b)) {
        (true, true) => strtol(a).cmp(&strtol(b)),
        (false, false) => special_rank(a).cmp(&special_rank(b)),
        (true, false) => NUMBER_RANK.cmp(&special_rank(b)),
        (false, true) => special_rank(a).cmp(&NUMBER_RANK),
    }
}

/// The longer version's remaining parts against "nothing": a number there means later, a
/// pre-release word earlier, `patch` later.
fn tail_order(parts: &[&[u8]]) -> Ordering {
    for part in parts {
        if starts_with_digit(part) {
            return Ordering::Greater;
        }
        let result = special_rank(part).cmp(&NUMBER_RANK);
        if result != Ordering::Equal {
            return result;
        }
    }
    Ordering::Equal
}

/// PHP's `version_compare($a, $b)`.
fn php_version_compare(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        (false, false) => {}
    }
    let (a, b) = (
        php_canonicalize(a.as_bytes()),
        php_canonicalize(b.as_bytes()),
    );
    let left: Vec<&[u8]> = a.split(|&c| c == b'.').collect();
    let right: Vec<&[u8]> = b.split(|&c| c == b'.').collect();
    for (x, y) in left.iter().zip(&right) {
        let result = compare_parts(x, y);
        if result != Ordering::Equal {
            return result;
        }
    }
    let shared = left.len().min(right.len());
    if left.len() > shared {
        tail_order(&left[shared..])
    } else {
        tail_order(&right[shared..]).reverse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::osv_range::testing::{assert_total_order, check_vectors, Vectors};
    use proptest::prelude::*;

    #[test]
    fn upstream_order_vectors() {
        check_vectors(
            &COMPOSER,
            include_str!("../../tests/vectors/composer-order.json"),
        );
    }

    #[test]
    fn upstream_normalization_vectors() {
        let vectors = Vectors::parse(include_str!("../../tests/vectors/composer-normalize.json"));
        let mut failures = Vec::new();
        for [input, expected] in &vectors.normalize {
            let got = normalize(input);
            if got.as_ref() != Ok(expected) {
                failures.push(format!("{input:?}: {got:?}, want {expected:?}"));
            }
        }
        for bad in &vectors.invalid {
            if let Ok(got) = normalize(bad) {
                failures.push(format!("{bad:?} should fail, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn branches() {
        assert!(is_branch("dev-master"));
        assert!(is_branch("master"));
        assert!(!is_branch("1.x-dev"));
        assert!(!is_branch("1.0.0"));
        assert_eq!(COMPOSER.compare("dev-master", "0.0.1"), Ok(Ordering::Less));
        assert_eq!(COMPOSER.compare("dev-a", "dev-b"), Ok(Ordering::Less));
    }

    #[test]
    fn stability_order() {
        let chain = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta1",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-patch1",
            "1.0.1",
            "1.x-dev",
        ];
        for pair in chain.windows(2) {
            assert_eq!(
                COMPOSER.compare(pair[0], pair[1]),
                Ok(Ordering::Less),
                "{pair:?}"
            );
        }
        assert_eq!(COMPOSER.compare("v2.0", "2.0.0.0"), Ok(Ordering::Equal));
    }

    fn valid_composer() -> impl Strategy<Value = String> {
        let numbered = (
            prop::sample::select(vec!["", "v"]),
            prop::collection::vec(0u32..4, 1..5),
            prop::option::of((
                prop::sample::select(vec!["alpha", "beta", "RC", "b", "a", "p", "patch", "rc"]),
                prop::option::of(0u32..3),
            )),
            prop::bool::ANY,
        )
            .prop_map(|(v, numbers, stability, dev)| {
                let numbers: Vec<String> = numbers.iter().map(u32::to_string).collect();
                let mut s = format!("{v}{}", numbers.join("."));
                if let Some((word, n)) = stability {
                    s.push('-');
                    s.push_str(word);
                    if let Some(n) = n {
                        s.push_str(&n.to_string());
                    }
                }
                if dev {
                    s.push_str("-dev");
                }
                s
            });
        prop_oneof![
            4 => numbered,
            1 => prop::sample::select(vec!["dev-master", "dev-feature", "1.x-dev", "2.1.x-dev", "20100102", "2010-01-02-p1"])
                .prop_map(str::to_string),
        ]
    }

    proptest! {
        #[test]
        fn total_order(a in valid_composer(), b in valid_composer(), c in valid_composer()) {
            assert_total_order(&COMPOSER, &a, &b, &c);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}", t in "[v0-9.:_+@ -]{0,20}(dev|alpha|RC|x|as)?[0-9.-]{0,6}") {
            let _ = COMPOSER.validate(&s);
            let _ = COMPOSER.validate(&t);
        }
    }
}
