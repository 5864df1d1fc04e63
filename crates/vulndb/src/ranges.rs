//! Version sets as unions of intervals over one ecosystem's order, and their conversion to
//! OSV `ECOSYSTEM` ranges. Feeds that publish constraint lists (RubyGems' patched /
//! unaffected requirements, Composer branches, node-semver ranges, GHSA's
//! `">= 2.13.0, < 2.15.0"`) are turned into sets here, combined (AND = intersection, OR =
//! union, NOT = complement), and written as `introduced` / `fixed` / `last_affected` events.
//!
//! OSV has no event for an exclusive lower bound (`> 1.0`): such a bound is widened to
//! `introduced: 1.0` and reported, so the record is kept and the caller can warn.

use std::cmp::Ordering;

use crate::model::{Range, RangeEvent};
use crate::version::{VersionError, VersionOrder};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    Unbounded,
    Inclusive(String),
    Exclusive(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interval {
    pub lower: Bound,
    pub upper: Bound,
}

impl Interval {
    pub fn all() -> Self {
        Interval {
            lower: Bound::Unbounded,
            upper: Bound::Unbounded,
        }
    }

    /// One comparator: `op` ∈ `<`, `<=`, `>`, `>=`, `=` (`==`, or empty).
    pub fn from_op(op: &str, version: &str) -> Option<Self> {
        let v = || version.to_string();
        Some(match op {
            "<" => Interval {
                lower: Bound::Unbounded,
                upper: Bound::Exclusive(v()),
            },
            "<=" => Interval {
                lower: Bound::Unbounded,
                upper: Bound::Inclusive(v()),
            },
            ">" => Interval {
                lower: Bound::Exclusive(v()),
                upper: Bound::Unbounded,
            },
            ">=" => Interval {
                lower: Bound::Inclusive(v()),
                upper: Bound::Unbounded,
            },
            "=" | "==" | "" => Interval {
                lower: Bound::Inclusive(v()),
                upper: Bound::Inclusive(v()),
            },
            _ => return None,
        })
    }
}

/// A set of versions: sorted, disjoint intervals.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct VersionSet {
    pub intervals: Vec<Interval>,
}

/// Lower bounds: Unbounded < Inclusive(v) < Exclusive(v).
fn cmp_lower(o: &dyn VersionOrder, a: &Bound, b: &Bound) -> Result<Ordering, VersionError> {
    Ok(match (a, b) {
        (Bound::Unbounded, Bound::Unbounded) => Ordering::Equal,
        (Bound::Unbounded, _) => Ordering::Less,
        (_, Bound::Unbounded) => Ordering::Greater,
        (Bound::Inclusive(x), Bound::Inclusive(y)) | (Bound::Exclusive(x), Bound::Exclusive(y)) => {
            o.compare(x, y)?
        }
        (Bound::Inclusive(x), Bound::Exclusive(y)) => o.compare(x, y)?.then(Ordering::Less),
        (Bound::Exclusive(x), Bound::Inclusive(y)) => o.compare(x, y)?.then(Ordering::Greater),
    })
}

/// Upper bounds: Exclusive(v) < Inclusive(v) < Unbounded.
fn cmp_upper(o: &dyn VersionOrder, a: &Bound, b: &Bound) -> Result<Ordering, VersionError> {
    Ok(match (a, b) {
        (Bound::Unbounded, Bound::Unbounded) => Ordering::Equal,
        (Bound::Unbounded, _) => Ordering::Greater,
        (_, Bound::Unbounded) => Ordering::Less,
        (Bound::Inclusive(x), Bound::Inclusive(y)) | (Bound::Exclusive(x), Bound::Exclusive(y)) => {
            o.compare(x, y)?
        }
        (Bound::Exclusive(x), Bound::Inclusive(y)) => o.compare(x, y)?.then(Ordering::Less),
        (Bound::Inclusive(x), Bound::Exclusive(y)) => o.compare(x, y)?.then(Ordering::Greater),
    })
}

/// Whether `lower` .. `upper` contains no version.
fn is_empty(o: &dyn VersionOrder, lower: &Bound, upper: &Bound) -> Result<bool, VersionError> {
    Ok(match (lower, upper) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => false,
        (Bound::Inclusive(a), Bound::Inclusive(b)) => o.compare(a, b)?.is_gt(),
        (Bound::Inclusive(a), Bound::Exclusive(b))
        | (Bound::Exclusive(a), Bound::Inclusive(b))
        | (Bound::Exclusive(a), Bound::Exclusive(b)) => o.compare(a, b)?.is_ge(),
    })
}

/// Whether an interval ending at `upper` and one starting at `lower` leave no gap.
fn touches(o: &dyn VersionOrder, upper: &Bound, lower: &Bound) -> Result<bool, VersionError> {
    Ok(match (upper, lower) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => true,
        (Bound::Exclusive(a), Bound::Exclusive(b)) => o.compare(a, b)?.is_gt(),
        (Bound::Inclusive(a), Bound::Inclusive(b))
        | (Bound::Inclusive(a), Bound::Exclusive(b))
        | (Bound::Exclusive(a), Bound::Inclusive(b)) => o.compare(a, b)?.is_ge(),
    })
}

impl VersionSet {
    pub fn empty() -> Self {
        VersionSet::default()
    }

    pub fn all() -> Self {
        VersionSet {
            intervals: vec![Interval::all()],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// A set from intervals in any order, overlapping or not.
    pub fn from_intervals(
        o: &dyn VersionOrder,
        intervals: Vec<Interval>,
    ) -> Result<Self, VersionError> {
        let mut kept = Vec::new();
        for i in intervals {
            if !is_empty(o, &i.lower, &i.upper)? {
                kept.push(i);
            }
        }
        let mut err = None;
        kept.sort_by(|a, b| {
            cmp_lower(o, &a.lower, &b.lower).unwrap_or_else(|e| {
                err.get_or_insert(e);
                Ordering::Equal
            })
        });
        if let Some(e) = err {
            return Err(e);
        }
        let mut out: Vec<Interval> = Vec::new();
        for i in kept {
            if let Some(last) = out.last_mut() {
                if touches(o, &last.upper, &i.lower)? {
                    if cmp_upper(o, &i.upper, &last.upper)?.is_gt() {
                        last.upper = i.upper;
                    }
                    continue;
                }
            }
            out.push(i);
        }
        Ok(VersionSet { intervals: out })
    }

    pub fn union(&self, o: &dyn VersionOrder, other: &Self) -> Result<Self, VersionError> {
        let mut all = self.intervals.clone();
        all.extend(other.intervals.iter().cloned());
        Self::from_intervals(o, all)
    }

    pub fn intersect(&self, o: &dyn VersionOrder, other: &Self) -> Result<Self, VersionError> {
        let mut out = Vec::new();
        for a in &self.intervals {
            for b in &other.intervals {
                let lower = if cmp_lower(o, &a.lower, &b.lower)?.is_ge() {
                    a.lower.clone()
                } else {
                    b.lower.clone()
                };
                let upper = if cmp_upper(o, &a.upper, &b.upper)?.is_le() {
                    a.upper.clone()
                } else {
                    b.upper.clone()
                };
                out.push(Interval { lower, upper });
            }
        }
        Self::from_intervals(o, out)
    }

    pub fn complement(&self, o: &dyn VersionOrder) -> Result<Self, VersionError> {
        let mut out = Vec::new();
        let mut lower = Bound::Unbounded;
        let mut open = true;
        for i in &self.intervals {
            let upper = match &i.lower {
                Bound::Unbounded => {
                    open = false;
                    None
                }
                Bound::Inclusive(v) => Some(Bound::Exclusive(v.clone())),
                Bound::Exclusive(v) => Some(Bound::Inclusive(v.clone())),
            };
            if let Some(upper) = upper {
                if open {
                    out.push(Interval {
                        lower: lower.clone(),
                        upper,
                    });
                }
            }
            match &i.upper {
                Bound::Unbounded => return Self::from_intervals(o, out),
                Bound::Inclusive(v) => lower = Bound::Exclusive(v.clone()),
                Bound::Exclusive(v) => lower = Bound::Inclusive(v.clone()),
            }
            open = true;
        }
        if open {
            out.push(Interval {
                lower,
                upper: Bound::Unbounded,
            });
        }
        Self::from_intervals(o, out)
    }

    pub fn contains(&self, o: &dyn VersionOrder, version: &str) -> Result<bool, VersionError> {
        let point = Bound::Inclusive(version.to_string());
        for i in &self.intervals {
            if cmp_lower(o, &i.lower, &point)?.is_le() && cmp_upper(o, &point, &i.upper)?.is_le() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// OSV ranges, one per interval. The second value lists the exclusive lower bounds that
    /// were widened to `introduced` (OSV cannot say "after X").
    pub fn to_osv(&self) -> (Vec<Range>, Vec<String>) {
        let mut ranges = Vec::new();
        let mut widened = Vec::new();
        for i in &self.intervals {
            let mut events = vec![match &i.lower {
                Bound::Unbounded => RangeEvent::Introduced("0".into()),
                Bound::Inclusive(v) => RangeEvent::Introduced(v.clone()),
                Bound::Exclusive(v) => {
                    widened.push(v.clone());
                    RangeEvent::Introduced(v.clone())
                }
            }];
            match &i.upper {
                Bound::Unbounded => {}
                Bound::Exclusive(v) => events.push(RangeEvent::Fixed(v.clone())),
                Bound::Inclusive(v) => events.push(RangeEvent::LastAffected(v.clone())),
            }
            ranges.push(Range {
                kind: "ECOSYSTEM".into(),
                events,
            });
        }
        (ranges, widened)
    }
}

/// Whether any range has a `fixed` event.
pub fn has_fix(ranges: &[Range]) -> bool {
    ranges
        .iter()
        .flat_map(|r| &r.events)
        .any(|e| matches!(e, RangeEvent::Fixed(_)))
}

/// `>= 2.13.0, < 2.15.0` style: comma-separated comparators (GHSA, RubyGems, Composer).
/// The comparator's operator is split from its version with `split_op`.
pub fn and_of_comparators(
    o: &dyn VersionOrder,
    text: &str,
    separator: char,
    single: &dyn Fn(&str) -> Result<VersionSet, String>,
) -> Result<VersionSet, String> {
    let mut set = VersionSet::all();
    let mut any = false;
    for part in text
        .split(separator)
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        any = true;
        set = set
            .intersect(o, &single(part)?)
            .map_err(|e| e.to_string())?;
    }
    if !any {
        return Err(format!("empty constraint {text:?}"));
    }
    Ok(set)
}

/// `>= 1.2` → (`>=`, `1.2`).
pub fn split_op(comparator: &str) -> (&str, &str) {
    let c = comparator.trim();
    let end = c
        .find(|ch: char| !matches!(ch, '<' | '>' | '=' | '!' | '~' | '^'))
        .unwrap_or(c.len());
    (c[..end].trim(), c[end..].trim())
}

/// One plain comparator (`<`, `<=`, `>`, `>=`, `=`, `==`, `!=`) validated with `o`.
pub fn simple_comparator(o: &dyn VersionOrder, comparator: &str) -> Result<VersionSet, String> {
    let (op, version) = split_op(comparator);
    o.validate(version).map_err(|e| e.to_string())?;
    if op == "!=" {
        let point = VersionSet::from_intervals(
            o,
            vec![Interval::from_op("=", version).unwrap_or_else(Interval::all)],
        )
        .map_err(|e| e.to_string())?;
        return point.complement(o).map_err(|e| e.to_string());
    }
    let interval = Interval::from_op(op, version)
        .ok_or_else(|| format!("unsupported operator {op:?} in {comparator:?}"))?;
    VersionSet::from_intervals(o, vec![interval]).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::osv_range::{is_affected, Event};
    use crate::version::semver::SEMVER;

    fn set(text: &str) -> VersionSet {
        let mut out = VersionSet::empty();
        for branch in text.split("||") {
            let b = and_of_comparators(&SEMVER, branch, ',', &|c| simple_comparator(&SEMVER, c))
                .unwrap();
            out = out.union(&SEMVER, &b).unwrap();
        }
        out
    }

    fn events(range: &Range) -> Vec<Event> {
        range
            .events
            .iter()
            .map(|e| match e {
                RangeEvent::Introduced(v) => Event::introduced(v.clone()),
                RangeEvent::Fixed(v) => Event::fixed(v.clone()),
                RangeEvent::LastAffected(v) => Event::last_affected(v.clone()),
                RangeEvent::Limit(v) => Event::limit(v.clone()),
            })
            .collect()
    }

    /// The OSV ranges agree with the set on every probe version.
    fn check_roundtrip(s: &VersionSet, probes: &[&str]) {
        let (ranges, widened) = s.to_osv();
        assert!(widened.is_empty());
        for p in probes {
            let in_set = s.contains(&SEMVER, p).unwrap();
            let in_osv = ranges
                .iter()
                .any(|r| is_affected(&SEMVER, p, &events(r)).unwrap());
            assert_eq!(in_set, in_osv, "{p} in {s:?}");
        }
    }

    #[test]
    fn algebra() {
        let probes = [
            "0.0.1", "1.0.0", "1.2.5", "1.2.6", "1.3.0", "2.0.0", "2.12.9", "2.13.0", "2.14.9",
            "2.15.0", "3.0.0", "9.9.9",
        ];
        let a = set(">= 1.0.0, < 1.2.6 || < 0.2.4");
        assert_eq!(a.intervals.len(), 2);
        check_roundtrip(&a, &probes);
        let c = a.complement(&SEMVER).unwrap();
        for p in probes {
            assert_ne!(
                a.contains(&SEMVER, p).unwrap(),
                c.contains(&SEMVER, p).unwrap(),
                "{p}"
            );
        }
        check_roundtrip(&c, &probes);
        assert_eq!(c.complement(&SEMVER).unwrap(), a);
        // Touching intervals merge; overlapping ones too.
        let m = set(">= 1.0.0, < 2.0.0 || >= 2.0.0, < 3.0.0 || >= 2.5.0, <= 2.13.0");
        assert_eq!(m.intervals.len(), 1);
        assert!(set(">= 2.0.0, < 1.0.0").is_empty());
        assert_eq!(
            VersionSet::empty().complement(&SEMVER).unwrap(),
            VersionSet::all()
        );
        assert!(VersionSet::all().complement(&SEMVER).unwrap().is_empty());
        let ne = set("!= 1.2.6");
        assert_eq!(ne.intervals.len(), 2);
        assert!(!ne.contains(&SEMVER, "1.2.6").unwrap());
        // `<= X` becomes last_affected; `> X` is widened and reported.
        let (r, w) = set("<= 1.2.5").to_osv();
        assert_eq!(r[0].events[1], RangeEvent::LastAffected("1.2.5".into()));
        assert!(w.is_empty());
        let (_, w) = set("> 1.2.5").to_osv();
        assert_eq!(w, ["1.2.5"]);
        assert!(simple_comparator(&SEMVER, ">= not.a.version").is_err());
        assert!(simple_comparator(&SEMVER, "<> 1.0.0").is_err());
        assert_eq!(split_op(">=2.0"), (">=", "2.0"));
    }
}
