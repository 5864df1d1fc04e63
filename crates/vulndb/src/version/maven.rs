//! Maven: the ordering of `org.apache.maven.artifact.versioning.ComparableVersion` as shipped
//! in Maven 3.9 (<https://maven.apache.org/pom.html#version-order-specification>).
//!
//! A version is split into items at `.`, at `-` and at every letter/digit transition. `-` and
//! a letter/digit transition open a nested list, so `1.0-alpha-1` is `[1, [alpha, [1]]]`.
//! Numbers compare numerically; qualifiers compare as
//! `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp`, then
//! unknown qualifiers lexically (case-insensitive). Trailing "null" items (`0`, `""`, empty
//! lists) are dropped, so `1 = 1.0 = 1-0 = 1.ga`.
//!
//! Every nested list is the last item of its parent, so a version is stored as a chain of
//! segments and compared iteratively, without recursion.
//!
//! Deliberate difference: only ASCII digits are digits (Maven 3.9 uses `Character.isDigit`,
//! Maven 4 switched to ASCII only).

use std::cmp::Ordering;

use super::{VersionError, VersionOrder};

#[derive(Debug, Default, Clone, Copy)]
pub struct MavenOrder;

pub static MAVEN: MavenOrder = MavenOrder;

impl VersionOrder for MavenOrder {
    fn name(&self) -> &'static str {
        "Maven"
    }

    fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let (a, b) = (MavenVersion::parse(a)?, MavenVersion::parse(b)?);
        Ok(a.cmp_from(0, &b, 0))
    }
}

/// Known qualifiers in order; the empty qualifier is a release.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_RANK: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    /// Decimal digits without leading zeros (`"0"` for zero): compared by length, then text.
    Number(String),
    Qualifier(String),
}

/// A qualifier's sort key: known qualifiers by rank, then unknown ones by text.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum QualifierKey<'a> {
    Known(usize),
    Unknown(&'a str),
}

fn qualifier_key(qualifier: &str) -> QualifierKey<'_> {
    match QUALIFIERS.iter().position(|known| *known == qualifier) {
        Some(rank) => QualifierKey::Known(rank),
        None => QualifierKey::Unknown(qualifier),
    }
}

impl Atom {
    fn number(digits: &str) -> Atom {
        let trimmed = digits.trim_start_matches('0');
        Atom::Number(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
    }

    /// `followed_by_digit`: `a1`, `b1`, `m1` abbreviate alpha, beta, milestone.
    fn qualifier(text: &str, followed_by_digit: bool) -> Atom {
        let expanded = match text {
            "a" if followed_by_digit => "alpha",
            "b" if followed_by_digit => "beta",
            "m" if followed_by_digit => "milestone",
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        Atom::Qualifier(expanded.to_string())
    }

    fn is_null(&self) -> bool {
        match self {
            Atom::Number(digits) => digits == "0",
            Atom::Qualifier(q) => qualifier_key(q) == QualifierKey::Known(RELEASE_RANK),
        }
    }

    /// Compared with a missing item (the other version is shorter).
    fn cmp_null(&self) -> Ordering {
        match self {
            Atom::Number(_) if self.is_null() => Ordering::Equal,
            Atom::Number(_) => Ordering::Greater,
            Atom::Qualifier(q) => qualifier_key(q).cmp(&QualifierKey::Known(RELEASE_RANK)),
        }
    }

    fn cmp_atom(&self, other: &Atom) -> Ordering {
        match (self, other) {
            (Atom::Number(a), Atom::Number(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Atom::Number(_), Atom::Qualifier(_)) => Ordering::Greater,
            (Atom::Qualifier(_), Atom::Number(_)) => Ordering::Less,
            (Atom::Qualifier(a), Atom::Qualifier(b)) => qualifier_key(a).cmp(&qualifier_key(b)),
        }
    }

    /// Compared with a nested list: `1.1 > 1-1`, `1-sp < 1-1`.
    fn cmp_list(&self) -> Ordering {
        match self {
            Atom::Number(_) => Ordering::Greater,
            Atom::Qualifier(_) => Ordering::Less,
        }
    }
}

/// One list of the chain: its atoms, then (if `has_child`) the next segment as last item.
#[derive(Debug, Default)]
struct Segment {
    atoms: Vec<Atom>,
    has_child: bool,
}

enum Item<'a> {
    Atom(&'a Atom),
    List,
}

impl Segment {
    fn len(&self) -> usize {
        self.atoms.len() + usize::from(self.has_child)
    }

    fn item(&self, index: usize) -> Option<Item<'_>> {
        match self.atoms.get(index) {
            Some(atom) => Some(Item::Atom(atom)),
            None if self.has_child && index == self.atoms.len() => Some(Item::List),
            None => None,
        }
    }
}

#[derive(Debug)]
struct MavenVersion {
    segments: Vec<Segment>,
}

impl MavenVersion {
    fn parse(input: &str) -> Result<Self, VersionError> {
        if input.is_empty() {
            return Err(VersionError {
                ecosystem: "Maven",
                version: String::new(),
                reason: "empty version".into(),
            });
        }
        let lower: Vec<char> = input.to_lowercase().chars().collect();
        let mut builder = Builder::default();
        let mut is_digit = false;
        let mut start = 0;
        let text = |from: usize, to: usize| -> String { lower[from..to].iter().collect() };

        for (i, &c) in lower.iter().enumerate() {
            match c {
                '.' | '-' => {
                    if i == start {
                        builder.push(Atom::Number("0".into()));
                    } else {
                        builder.push(parse_item(is_digit, &text(start, i)));
                    }
                    start = i + 1;
                    if c == '-' {
                        builder.open_list();
                    }
                }
                '0'..='9' => {
                    if !is_digit && i > start {
                        // `1.0.0.X1 < 1.0.0-X2`: a qualifier before digits starts a list.
                        if !builder.current_is_empty() {
                            builder.open_list();
                        }
                        builder.push(Atom::qualifier(&text(start, i), true));
                        start = i;
                        builder.open_list();
                    }
                    is_digit = true;
                }
                _ => {
                    if is_digit && i > start {
                        builder.push(parse_item(true, &text(start, i)));
                        start = i;
                        builder.open_list();
                    }
                    is_digit = false;
                }
            }
        }
        if lower.len() > start {
            // A trailing `.X` is treated as `-X`.
            if !is_digit && !builder.current_is_empty() {
                builder.open_list();
            }
            builder.push(parse_item(is_digit, &text(start, lower.len())));
        }
        Ok(builder.finish())
    }

    /// `ListItem.compareTo` of the segment at `i` against `other`'s segment at `j`.
    fn cmp_from(&self, mut i: usize, other: &MavenVersion, mut j: usize) -> Ordering {
        'lists: loop {
            let (Some(left), Some(right)) = (self.segments.get(i), other.segments.get(j)) else {
                return Ordering::Equal;
            };
            for index in 0..left.len().max(right.len()) {
                let result = match (left.item(index), right.item(index)) {
                    (Some(Item::Atom(a)), Some(Item::Atom(b))) => a.cmp_atom(b),
                    (Some(Item::Atom(a)), Some(Item::List)) => a.cmp_list(),
                    (Some(Item::List), Some(Item::Atom(b))) => b.cmp_list().reverse(),
                    (Some(Item::List), Some(Item::List)) => {
                        // Both lists are the last items: continue with the nested lists.
                        i += 1;
                        j += 1;
                        continue 'lists;
                    }
                    (Some(Item::Atom(a)), None) => a.cmp_null(),
                    (Some(Item::List), None) => self.cmp_null_from(i + 1),
                    (None, Some(Item::Atom(b))) => b.cmp_null().reverse(),
                    (None, Some(Item::List)) => other.cmp_null_from(j + 1).reverse(),
                    (None, None) => Ordering::Equal,
                };
                if result != Ordering::Equal {
                    return result;
                }
            }
            return Ordering::Equal;
        }
    }

    /// The list starting at segment `i` compared with a missing item: its first item that
    /// differs from null decides (MNG-6964).
    fn cmp_null_from(&self, i: usize) -> Ordering {
        for segment in self.segments.iter().skip(i) {
            for atom in &segment.atoms {
                let result = atom.cmp_null();
                if result != Ordering::Equal {
                    return result;
                }
            }
            if !segment.has_child {
                break;
            }
        }
        Ordering::Equal
    }
}

fn parse_item(is_digit: bool, text: &str) -> Atom {
    if is_digit {
        Atom::number(text)
    } else {
        Atom::qualifier(text, false)
    }
}

/// Builds the chain; `open_list` appends a new nested list to the current one.
#[derive(Default)]
struct Builder {
    segments: Vec<Segment>,
}

impl Builder {
    fn current(&mut self) -> &mut Segment {
        if self.segments.is_empty() {
            self.segments.push(Segment::default());
        }
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }

    fn current_is_empty(&mut self) -> bool {
        self.current().len() == 0
    }

    fn push(&mut self, atom: Atom) {
        self.current().atoms.push(atom);
    }

    fn open_list(&mut self) {
        self.current().has_child = true;
        self.segments.push(Segment::default());
    }

    /// `ListItem.normalize`, innermost list first: a trailing empty list is removed, then
    /// trailing null atoms (also those before a non-empty nested list).
    fn finish(mut self) -> MavenVersion {
        self.current();
        for index in (0..self.segments.len()).rev() {
            let child_is_empty = self
                .segments
                .get(index + 1)
                .is_some_and(|child| child.len() == 0);
            let segment = &mut self.segments[index];
            if segment.has_child && child_is_empty {
                segment.has_child = false;
                self.segments.truncate(index + 1);
            }
            let segment = &mut self.segments[index];
            while segment.atoms.last().is_some_and(Atom::is_null) {
                segment.atoms.pop();
            }
        }
        MavenVersion {
            segments: self.segments,
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
        check_vectors(&MAVEN, include_str!("../../tests/vectors/maven-order.json"));
    }

    #[test]
    fn common_release_trains() {
        let chain = [
            "1.0-alpha-1",
            "1.0-beta-1",
            "1.0-M1",
            "1.0-RC1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp1",
            "1.0.1",
            "1.1",
            "2.0.0.Final",
            "2.0.1.RELEASE",
            "10.0",
        ];
        for pair in chain.windows(2) {
            assert_eq!(
                MAVEN.compare(pair[0], pair[1]),
                Ok(Ordering::Less),
                "{pair:?}"
            );
        }
        assert_eq!(MAVEN.compare("2.12.7.1", "2.12.7"), Ok(Ordering::Greater));
        assert_eq!(MAVEN.compare("1.0.Final", "1.0"), Ok(Ordering::Equal));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = "1-".repeat(50_000) + "1";
        let deeper = "1-".repeat(50_001) + "1";
        assert_eq!(MAVEN.compare(&deep, &deeper), Ok(Ordering::Less));
        assert_eq!(MAVEN.compare(&deep, &deep), Ok(Ordering::Equal));
    }

    #[test]
    fn leading_qualifiers_are_not_transitive_upstream_either() {
        // ComparableVersion 3.9: [[beta]] < [] (a list against nothing looks at its first
        // item), [] < [a] (unknown qualifiers sort after a release), yet a list always sorts
        // after a string. Kept as Maven computes it.
        assert_eq!(MAVEN.compare("ga.beta", "00"), Ok(Ordering::Less));
        assert_eq!(MAVEN.compare("00", "a"), Ok(Ordering::Less));
        assert_eq!(MAVEN.compare("ga.beta", "a"), Ok(Ordering::Greater));
    }

    fn valid_maven() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            (0u64..12).prop_map(|n| n.to_string()),
            prop::sample::select(vec![
                "alpha",
                "a",
                "beta",
                "b",
                "m",
                "milestone",
                "rc",
                "cr",
                "SNAPSHOT",
                "ga",
                "final",
                "release",
                "sp",
                "xyz",
                "abc",
                "00",
                "",
            ])
            .prop_map(str::to_string),
        ];
        let sep = prop::sample::select(vec![".", "-", ""]);
        // Versions start with a number: with a leading qualifier Maven's own order is not
        // transitive (see `leading_qualifiers_are_not_transitive_upstream_either`).
        (0u64..12, prop::collection::vec((sep, token), 0..5)).prop_map(|(first, rest)| {
            let mut v = first.to_string();
            for (sep, token) in rest {
                v.push_str(sep);
                v.push_str(&token);
            }
            v
        })
    }

    proptest! {
        #[test]
        fn total_order(a in valid_maven(), b in valid_maven(), c in valid_maven()) {
            assert_total_order(&MAVEN, &a, &b, &c);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = MAVEN.validate(&s);
        }
    }
}
