//! The OSV range evaluator: whether a version falls inside one `affected[].ranges[]` entry,
//! following the `IncludedInRanges` / `BeforeLimits` pseudocode of the OSV schema
//! (<https://ossf.github.io/osv-schema/#evaluation>), over any ecosystem's [`VersionOrder`].

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::{VersionError, VersionOrder};

/// What an event marks on the version timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// One entry of an OSV `events` array, e.g. `{"introduced": "1.0"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "EventJson", into = "EventJson")]
pub struct Event {
    pub kind: EventKind,
    pub version: String,
}

impl Event {
    pub fn new(kind: EventKind, version: impl Into<String>) -> Self {
        Event {
            kind,
            version: version.into(),
        }
    }

    pub fn introduced(version: impl Into<String>) -> Self {
        Self::new(EventKind::Introduced, version)
    }

    pub fn fixed(version: impl Into<String>) -> Self {
        Self::new(EventKind::Fixed, version)
    }

    pub fn last_affected(version: impl Into<String>) -> Self {
        Self::new(EventKind::LastAffected, version)
    }

    pub fn limit(version: impl Into<String>) -> Self {
        Self::new(EventKind::Limit, version)
    }

    /// `{"introduced": "0"}`: before every version, whatever the ecosystem's syntax.
    fn is_introduced_zero(&self) -> bool {
        self.kind == EventKind::Introduced && self.version == "0"
    }

    /// `{"limit": "*"}` (any limit containing `*`): no upper limit.
    fn is_unbounded_limit(&self) -> bool {
        self.kind == EventKind::Limit && self.version.contains('*')
    }
}

/// The wire shape: a single-key object. serde's externally tagged enum gives exactly that and
/// rejects objects with more than one key, as the schema requires.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum EventJson {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl From<EventJson> for Event {
    fn from(json: EventJson) -> Self {
        match json {
            EventJson::Introduced(v) => Event::introduced(v),
            EventJson::Fixed(v) => Event::fixed(v),
            EventJson::LastAffected(v) => Event::last_affected(v),
            EventJson::Limit(v) => Event::limit(v),
        }
    }
}

impl From<Event> for EventJson {
    fn from(event: Event) -> Self {
        match event.kind {
            EventKind::Introduced => EventJson::Introduced(event.version),
            EventKind::Fixed => EventJson::Fixed(event.version),
            EventKind::LastAffected => EventJson::LastAffected(event.version),
            EventKind::Limit => EventJson::Limit(event.version),
        }
    }
}

/// Whether `version` is affected according to one range's `events`.
///
/// Events need not be sorted: they are sorted with `order` (stable, so events at the same
/// version keep the publisher's order, which is the timeline order the schema describes), with
/// `introduced: "0"` first. Every version involved must be valid for `order`, except the
/// special `introduced: "0"` and `limit: "*"`.
pub fn is_affected(
    order: &dyn VersionOrder,
    version: &str,
    events: &[Event],
) -> Result<bool, VersionError> {
    order.validate(version)?;

    if !before_limits(order, version, events)? {
        return Ok(false);
    }

    let mut timeline: Vec<&Event> = events
        .iter()
        .filter(|event| event.kind != EventKind::Limit)
        .collect();
    for event in &timeline {
        if !event.is_introduced_zero() {
            order.validate(&event.version)?;
        }
    }
    // Validated above, so the comparator cannot fail; an error here would only mean the order
    // is inconsistent between `validate` and `compare`, and then the event sorts as equal.
    timeline.sort_by(
        |a, b| match (a.is_introduced_zero(), b.is_introduced_zero()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => order
                .compare(&a.version, &b.version)
                .unwrap_or(Ordering::Equal),
        },
    );

    let mut vulnerable = false;
    for event in timeline {
        let version_vs = |bound: &str| order.compare(version, bound);
        match event.kind {
            EventKind::Introduced => {
                if event.is_introduced_zero() || version_vs(&event.version)?.is_ge() {
                    vulnerable = true;
                }
            }
            EventKind::Fixed => {
                if version_vs(&event.version)?.is_ge() {
                    vulnerable = false;
                }
            }
            EventKind::LastAffected => {
                if version_vs(&event.version)?.is_gt() {
                    vulnerable = false;
                }
            }
            EventKind::Limit => {}
        }
    }
    Ok(vulnerable)
}

/// `BeforeLimits`: no limit events means an implicit `limit: "*"`; otherwise the version must
/// be below at least one of them.
fn before_limits(
    order: &dyn VersionOrder,
    version: &str,
    events: &[Event],
) -> Result<bool, VersionError> {
    let mut any_limit = false;
    for event in events.iter().filter(|e| e.kind == EventKind::Limit) {
        any_limit = true;
        if event.is_unbounded_limit() || order.compare(version, &event.version)?.is_lt() {
            return Ok(true);
        }
    }
    Ok(!any_limit)
}

/// Shared by every order's tests: the JSON test-vector format under `tests/vectors/` and the
/// total-order properties.
#[cfg(test)]
pub(crate) mod testing {
    use std::cmp::Ordering;

    use serde::Deserialize;

    use crate::version::VersionOrder;

    /// One vector file. Every list is optional.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(crate) struct Vectors {
        /// Where the cases come from (repo, path, commit); required so no file loses it.
        #[allow(dead_code)]
        pub source: String,
        /// Strictly increasing chains: every earlier element is less than every later one.
        #[serde(default)]
        pub sorted: Vec<Vec<String>>,
        /// Groups whose members all compare equal.
        #[serde(default)]
        pub equal: Vec<Vec<String>>,
        /// `[a, b]`: a < b.
        #[serde(default)]
        pub less: Vec<[String; 2]>,
        /// Strings the ecosystem rejects.
        #[serde(default)]
        pub invalid: Vec<String>,
        /// `[input, expected]` pairs for orders that expose a normalization.
        #[serde(default)]
        pub normalize: Vec<[String; 2]>,
        /// `[constraint, version, expected]` for orders with a `satisfies` helper.
        #[serde(default)]
        pub satisfies: Vec<(String, String, bool)>,
    }

    impl Vectors {
        pub(crate) fn parse(json: &str) -> Self {
            serde_json::from_str(json).expect("vector file is valid JSON")
        }

        pub(crate) fn case_count(&self) -> usize {
            self.sorted.iter().map(Vec::len).sum::<usize>()
                + self.equal.iter().map(Vec::len).sum::<usize>()
                + self.less.len()
                + self.invalid.len()
                + self.normalize.len()
                + self.satisfies.len()
        }
    }

    fn expect(order: &dyn VersionOrder, a: &str, b: &str, want: Ordering) {
        let got = order.compare(a, b);
        assert_eq!(got, Ok(want), "{}: compare({a:?}, {b:?})", order.name());
        let back = order.compare(b, a);
        assert_eq!(
            back,
            Ok(want.reverse()),
            "{}: compare({b:?}, {a:?})",
            order.name()
        );
    }

    /// Checks the comparison parts of a vector file and returns it for order-specific lists.
    pub(crate) fn check_vectors(order: &dyn VersionOrder, json: &str) -> Vectors {
        let vectors = Vectors::parse(json);
        assert!(vectors.case_count() > 0, "empty vector file");
        for chain in &vectors.sorted {
            for (i, low) in chain.iter().enumerate() {
                expect(order, low, low, Ordering::Equal);
                for high in chain.iter().skip(i + 1) {
                    expect(order, low, high, Ordering::Less);
                }
            }
        }
        for group in &vectors.equal {
            for a in group {
                for b in group {
                    expect(order, a, b, Ordering::Equal);
                }
            }
        }
        for [a, b] in &vectors.less {
            expect(order, a, b, Ordering::Less);
        }
        for bad in &vectors.invalid {
            assert!(
                order.validate(bad).is_err(),
                "{}: {bad:?} should be invalid",
                order.name()
            );
            assert!(order.compare(bad, bad).is_err());
        }
        vectors
    }

    /// Reflexivity, antisymmetry and transitivity on three valid versions.
    pub(crate) fn assert_total_order(order: &dyn VersionOrder, a: &str, b: &str, c: &str) {
        let cmp = |x: &str, y: &str| {
            order
                .compare(x, y)
                .unwrap_or_else(|e| panic!("generated version rejected: {e}"))
        };
        for v in [a, b, c] {
            assert_eq!(cmp(v, v), Ordering::Equal, "reflexive {v:?}");
        }
        for (x, y) in [(a, b), (b, c), (a, c)] {
            assert_eq!(cmp(x, y), cmp(y, x).reverse(), "antisymmetric {x:?} {y:?}");
        }
        // Transitivity over every arrangement of the three.
        let all = [a, b, c];
        for x in all {
            for y in all {
                for z in all {
                    let (xy, yz, xz) = (cmp(x, y), cmp(y, z), cmp(x, z));
                    if xy.is_le() && yz.is_le() {
                        assert!(xz.is_le(), "transitive {x:?} <= {y:?} <= {z:?}");
                    }
                    if xy.is_eq() && yz.is_eq() {
                        assert!(xz.is_eq(), "transitive {x:?} == {y:?} == {z:?}");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dotted non-negative integers ("1.2.10"): enough to exercise the evaluator.
    struct Dotted;

    impl VersionOrder for Dotted {
        fn name(&self) -> &'static str {
            "dotted"
        }

        fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
            let parse = |s: &str| -> Result<Vec<u64>, VersionError> {
                s.split('.')
                    .map(|part| {
                        part.parse::<u64>().map_err(|_| VersionError {
                            ecosystem: "dotted",
                            version: s.to_string(),
                            reason: "not a dotted number".into(),
                        })
                    })
                    .collect()
            };
            Ok(parse(a)?.cmp(&parse(b)?))
        }
    }

    fn affected(version: &str, events: &[Event]) -> bool {
        is_affected(&Dotted, version, events).unwrap()
    }

    fn events(json: &str) -> Vec<Event> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn serde_round_trips_the_osv_shape() {
        let json = r#"[{"introduced":"0"},{"fixed":"1.0.2"},{"last_affected":"3"},{"limit":"*"}]"#;
        let parsed = events(json);
        assert_eq!(
            parsed,
            vec![
                Event::introduced("0"),
                Event::fixed("1.0.2"),
                Event::last_affected("3"),
                Event::limit("*"),
            ]
        );
        assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
    }

    #[test]
    fn serde_rejects_events_that_are_not_one_known_key() {
        for bad in [
            r#"{"introduced":"1.0.0","fixed":"1.0.2"}"#,
            r#"{"unknown":"1"}"#,
            r#"{}"#,
            r#"{"fixed":1}"#,
        ] {
            assert!(serde_json::from_str::<Event>(bad).is_err(), "{bad}");
        }
    }

    // The examples of https://ossf.github.io/osv-schema/#examples (ossf/osv-schema
    // docs/schema.md, commit 51b8156b69b9e2e9ff2301e649db61636067fcfa).

    #[test]
    fn unfixed_vulnerability_example_affects_everything() {
        let range = events(r#"[{"introduced":"0"}]"#);
        for v in ["0", "0.0.1", "1.0.0", "999.0"] {
            assert!(affected(v, &range), "{v}");
        }
    }

    #[test]
    fn fixed_vulnerability_example() {
        let range = events(r#"[{"introduced":"0"},{"fixed":"1.0.2"}]"#);
        assert!(affected("0.1", &range));
        assert!(affected("1.0.1", &range));
        assert!(!affected("1.0.2", &range));
        assert!(!affected("2.0", &range));
    }

    #[test]
    fn multiple_range_example() {
        let range = events(
            r#"[{"introduced":"1.0.0"},{"fixed":"1.0.2"},{"introduced":"3.0.0"},{"fixed":"3.2.5"}]"#,
        );
        let cases = [
            ("0.9.9", false),
            ("1.0.0", true),
            ("1.0.1", true),
            ("1.0.2", false),
            ("2.5.0", false),
            ("3.0.0", true),
            ("3.2.4", true),
            ("3.2.5", false),
            ("4.0.0", false),
        ];
        for (v, want) in cases {
            assert_eq!(affected(v, &range), want, "{v}");
        }
    }

    #[test]
    fn last_affected_versus_fixed_example() {
        let last = events(r#"[{"introduced":"0"},{"last_affected":"2.1.214"}]"#);
        let fixed = events(r#"[{"introduced":"0"},{"fixed":"2.1.214"}]"#);
        assert!(affected("2.1.213", &last) && affected("2.1.213", &fixed));
        assert!(affected("2.1.214", &last));
        assert!(!affected("2.1.214", &fixed));
        assert!(!affected("2.1.215", &last) && !affected("2.1.215", &fixed));
    }

    #[test]
    fn limit_events_cap_the_range() {
        let range = events(r#"[{"introduced":"1.0"},{"limit":"2.0"}]"#);
        assert!(!affected("0.9", &range));
        assert!(affected("1.5", &range));
        assert!(!affected("2.0", &range));
        assert!(!affected("3.0", &range));
        // Several limits: below any of them counts; "*" is infinity.
        let two = events(r#"[{"introduced":"1.0"},{"limit":"2.0"},{"limit":"4.0"}]"#);
        assert!(affected("3.0", &two));
        assert!(!affected("4.0", &two));
        let star = events(r#"[{"introduced":"1.0"},{"limit":"*"}]"#);
        assert!(affected("99.0", &star));
    }

    #[test]
    fn unsorted_events_are_sorted_by_the_order() {
        let range = events(
            r#"[{"fixed":"3.2.5"},{"introduced":"3.0.0"},{"fixed":"1.0.10"},{"introduced":"1.0.2"}]"#,
        );
        assert!(!affected("1.0.1", &range));
        // 1.0.10 > 1.0.2 numerically: a lexical sort would get this wrong.
        assert!(affected("1.0.9", &range));
        assert!(!affected("1.0.10", &range));
        assert!(affected("3.1.0", &range));
        assert!(!affected("3.2.5", &range));
        // "0" sorts first even where it is listed last.
        let zero_last = events(r#"[{"fixed":"2.0"},{"introduced":"0"}]"#);
        assert!(affected("1.0", &zero_last));
        assert!(!affected("2.0", &zero_last));
    }

    #[test]
    fn events_at_the_same_version_keep_their_listed_order() {
        // Adjacent ranges [1, 2) and [2, 3): 2 itself is affected.
        let adjacent =
            events(r#"[{"introduced":"1"},{"fixed":"2"},{"introduced":"2"},{"fixed":"3"}]"#);
        assert!(affected("2", &adjacent));
        assert!(affected("2.5", &adjacent));
        assert!(!affected("3", &adjacent));
        // Exactly one affected version.
        let single = events(r#"[{"introduced":"2"},{"last_affected":"2"}]"#);
        assert!(!affected("1", &single));
        assert!(affected("2", &single));
        assert!(!affected("2.1", &single));
    }

    #[test]
    fn invalid_versions_are_errors() {
        let range = events(r#"[{"introduced":"0"},{"fixed":"1.x"}]"#);
        assert!(is_affected(&Dotted, "0.5", &range).is_err());
        assert!(is_affected(&Dotted, "abc", &events(r#"[{"introduced":"0"}]"#)).is_err());
        assert!(is_affected(&Dotted, "1.0", &events(r#"[{"limit":"x"}]"#)).is_err());
    }

    #[test]
    fn no_introduced_means_not_affected() {
        assert!(!affected("1.0", &events(r#"[{"fixed":"2.0"}]"#)));
        assert!(!affected("1.0", &[]));
    }
}
