//! Matching: every package of an inventory against the vulnerability database, each with
//! its own ecosystem's version order; then the fix — one package-manager command for the
//! OS, the nearest fixing version for each application package.
//!
//! OS packages are matched only against their distro release's own feed (by source package
//! where the distro publishes by source), so distro backports never show as false alarms.

pub mod base;
pub mod distro;
mod fix;
pub mod model;
pub mod purl;
pub mod sbom;
pub mod severity;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use drydock_inventory::{normalize_pypi, EolStatus, Inventory, Package, PackageKind};
use drydock_vulndb::version::osv_range::{self, Event};
use drydock_vulndb::version::{order_for, VersionOrder};
use drydock_vulndb::{Advisory, Affected, Database, RangeEvent, Status, StoreError};

pub use distro::{feed_for, DistroFeed, PackageManager};
pub use model::*;
pub use severity::{CvssScore, Severity};

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to match and what to keep.
#[derive(Clone, Debug)]
pub struct MatchOptions {
    pub os_packages: bool,
    pub library_packages: bool,
    /// Keep only findings with a fixed version.
    pub ignore_unfixed: bool,
    /// Keep only these severities (`None`: all).
    pub severities: Option<Vec<Severity>>,
    /// Layers `0..n` belong to the base image (see [`base::base_layer_count`]).
    pub base_layers: Option<usize>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            os_packages: true,
            library_packages: true,
            ignore_unfixed: false,
            severities: None,
            base_layers: None,
        }
    }
}

/// The OSV ecosystem a language package kind is published in.
pub fn library_ecosystem(kind: PackageKind) -> Option<&'static str> {
    Some(match kind {
        PackageKind::Npm => "npm",
        PackageKind::Pypi => "PyPI",
        PackageKind::Maven => "Maven",
        PackageKind::Golang => "Go",
        PackageKind::Cargo => "crates.io",
        PackageKind::Gem => "RubyGems",
        PackageKind::Composer => "Packagist",
        PackageKind::Nuget => "NuGet",
        _ => return None,
    })
}

/// One (ecosystem, name, version) to look up for a package.
struct Query {
    ecosystem: String,
    name: String,
    version: String,
    order: &'static dyn VersionOrder,
}

/// A row that matched, kept so the fix can be worked out from the same ranges.
#[derive(Clone)]
pub(crate) struct MatchedRow {
    pub affected: Affected,
    pub order: &'static dyn VersionOrder,
    pub version: String,
}

struct Matcher<'a> {
    db: &'a Database,
    advisories: HashMap<String, Option<(Advisory, String)>>,
    rows: HashMap<(String, String), Vec<drydock_vulndb::store::AffectedRow>>,
    names: HashMap<String, HashMap<String, String>>,
    warnings: BTreeSet<String>,
}

impl Matcher<'_> {
    fn rows(
        &mut self,
        ecosystem: &str,
        name: &str,
    ) -> Result<&[drydock_vulndb::store::AffectedRow], StoreError> {
        let key = (ecosystem.to_string(), name.to_string());
        if !self.rows.contains_key(&key) {
            let rows = self.db.affected(ecosystem, name)?;
            self.rows.insert(key.clone(), rows);
        }
        Ok(&self.rows[&key])
    }

    fn advisory(&mut self, id: &str) -> Result<Option<&(Advisory, String)>, StoreError> {
        if !self.advisories.contains_key(id) {
            let found = self.db.advisory(id)?;
            self.advisories.insert(id.to_string(), found);
        }
        Ok(self.advisories[id].as_ref())
    }

    /// The database's spelling of a name in ecosystems that compare names loosely.
    fn canonical_name(&mut self, ecosystem: &str, name: &str) -> Result<String, StoreError> {
        let normalize = |n: &str| match ecosystem {
            "PyPI" => normalize_pypi(n),
            _ => n.to_ascii_lowercase(),
        };
        if !matches!(ecosystem, "PyPI" | "NuGet" | "Packagist") {
            return Ok(name.to_string());
        }
        if !self.names.contains_key(ecosystem) {
            let map = self
                .db
                .package_names(ecosystem)?
                .into_iter()
                .map(|n| (normalize(&n), n))
                .collect();
            self.names.insert(ecosystem.to_string(), map);
        }
        Ok(self.names[ecosystem]
            .get(&normalize(name))
            .cloned()
            .unwrap_or_else(|| name.to_string()))
    }
}

fn to_events(events: &[RangeEvent]) -> Vec<Event> {
    events
        .iter()
        .map(|e| match e {
            RangeEvent::Introduced(v) => Event::introduced(v.clone()),
            RangeEvent::Fixed(v) => Event::fixed(v.clone()),
            RangeEvent::LastAffected(v) => Event::last_affected(v.clone()),
            RangeEvent::Limit(v) => Event::limit(v.clone()),
        })
        .collect()
}

/// Modular RPM builds (`…module_el8.10.0+…`, `…module+el8…`) are a separate stream: a
/// fix for the module never applies to the plain package, nor the other way round.
fn is_modular_version(version: &str) -> bool {
    version.contains(".module") || version.contains("module+")
}

/// Whether `version` is affected by one affected entry, and which fixed versions apply.
pub(crate) fn evaluate(
    affected: &Affected,
    version: &str,
    order: &dyn VersionOrder,
) -> Result<Option<(FindingStatus, Vec<String>)>, drydock_vulndb::version::VersionError> {
    if affected.status == Status::NotAffected {
        return Ok(None);
    }
    let ranges: Vec<_> = affected
        .ranges
        .iter()
        .filter(|r| r.kind != "GIT" && !r.events.is_empty())
        .collect();
    let hit = if !ranges.is_empty() {
        let mut hit = false;
        for range in &ranges {
            if osv_range::is_affected(order, version, &to_events(&range.events))? {
                hit = true;
                break;
            }
        }
        hit || affected.versions.iter().any(|v| v == version)
    } else if !affected.versions.is_empty() {
        affected.versions.iter().any(|v| v == version)
    } else {
        // No ranges, no versions: "affected" and "will not fix" mean every version.
        affected.status != Status::Fixed
    };
    if !hit {
        return Ok(None);
    }
    let mut fixed: Vec<String> = Vec::new();
    for range in &ranges {
        for event in &range.events {
            if let RangeEvent::Fixed(v) = event {
                if order
                    .compare(version, v)
                    .map(Ordering::is_lt)
                    .unwrap_or(false)
                    && !fixed.contains(v)
                {
                    fixed.push(v.clone());
                }
            }
        }
    }
    fixed.sort_by(|a, b| order.compare(a, b).unwrap_or(Ordering::Equal));
    let status = if !fixed.is_empty() {
        FindingStatus::Fixed
    } else if affected.status == Status::WillNotFix {
        FindingStatus::WillNotFix
    } else {
        FindingStatus::Affected
    };
    Ok(Some((status, fixed)))
}

/// The id users search for, and the other names.
fn display_id(advisory_id: &str, aliases: &[String]) -> (String, Vec<String>) {
    let cves: Vec<&String> = aliases.iter().filter(|a| a.starts_with("CVE-")).collect();
    let id = if advisory_id.starts_with("CVE-") {
        advisory_id.to_string()
    } else if cves.len() == 1 {
        cves[0].clone()
    } else {
        advisory_id.to_string()
    };
    let mut others: Vec<String> = aliases
        .iter()
        .chain(std::iter::once(&advisory_id.to_string()))
        .filter(|a| **a != id)
        .cloned()
        .collect();
    others.sort();
    others.dedup();
    (id, others)
}

/// Queries for one OS package under its distro's feed.
fn os_queries(feed: &DistroFeed, package: &Package) -> Vec<Query> {
    let order: &'static dyn VersionOrder = match feed.kind {
        PackageKind::Deb => &drydock_vulndb::version::dpkg::Dpkg,
        PackageKind::Apk => &drydock_vulndb::version::apk::Apk,
        _ => &drydock_vulndb::version::rpm::Rpm,
    };
    let mut queries = Vec::new();
    for ecosystem in &feed.ecosystems {
        let order = order_for(ecosystem).unwrap_or(order);
        match package.kind {
            // Debian and Ubuntu publish by source package and source version.
            PackageKind::Deb => queries.push(Query {
                ecosystem: ecosystem.clone(),
                name: package
                    .source_name
                    .clone()
                    .unwrap_or_else(|| package.name.clone()),
                version: package
                    .source_version
                    .clone()
                    .unwrap_or_else(|| package.version.clone()),
                order,
            }),
            // Alpine's secdb names origins; an origin's subpackages share its version.
            PackageKind::Apk => queries.push(Query {
                ecosystem: ecosystem.clone(),
                name: package
                    .source_name
                    .clone()
                    .unwrap_or_else(|| package.name.clone()),
                version: package.version.clone(),
                order,
            }),
            // RPM feeds name binary packages; some name the source RPM too.
            _ => {
                queries.push(Query {
                    ecosystem: ecosystem.clone(),
                    name: package.name.clone(),
                    version: package.version.clone(),
                    order,
                });
                if let Some(source) = package
                    .source_name
                    .as_ref()
                    .filter(|s| **s != package.name && !feed.by_source)
                {
                    queries.push(Query {
                        ecosystem: ecosystem.clone(),
                        name: source.clone(),
                        version: package.version.clone(),
                        order,
                    });
                }
            }
        }
    }
    queries
}

/// Maven coordinates from the PURL (`pkg:maven/group/artifact@v` → `group:artifact`).
fn maven_name(package: &Package) -> String {
    match purl::Purl::parse(&package.purl) {
        Some(p) if p.namespace.is_some() => {
            format!("{}:{}", p.namespace.unwrap_or_default(), p.name)
        }
        _ => package.name.clone(),
    }
}

struct Pending {
    vulnerability: Vulnerability,
    rows: Vec<MatchedRow>,
}

/// Matches every package of `inventory` against `db`.
pub fn match_inventory(
    db: &Database,
    inventory: &Inventory,
    options: &MatchOptions,
) -> Result<MatchReport, MatchError> {
    let mut matcher = Matcher {
        db,
        advisories: HashMap::new(),
        rows: HashMap::new(),
        names: HashMap::new(),
        warnings: BTreeSet::new(),
    };
    let mut report = MatchReport::default();
    if inventory.packages.is_empty() {
        report.notices.push(
            "no packages were found in this image, so nothing could be checked for vulnerabilities"
                .into(),
        );
    }

    // Which packages to match, and how.
    let feed = inventory.os.as_ref().and_then(feed_for);
    let has_os_packages = inventory.packages.iter().any(|p| p.kind.is_os());
    if let Some(os) = &inventory.os {
        let end_of_life = os.eol_status == EolStatus::EndOfLife;
        match &feed {
            None if has_os_packages && options.os_packages => report.notices.push(format!(
                "drydock has no vulnerability data source for {} ({} {}): its OS packages were NOT checked",
                os.name, os.family, os.version
            )),
            None => {}
            Some(feed) => {
                let mut has_data = false;
                for ecosystem in &feed.ecosystems {
                    has_data |= db.has_ecosystem(ecosystem)?;
                }
                if !has_data && has_os_packages && options.os_packages {
                    report.notices.push(format!(
                        "the vulnerability database has no data for {} (ecosystem {}): its OS packages were NOT checked; add that feed with `drydock db update` or `drydock db build --from`",
                        feed.label,
                        feed.ecosystems.join(", ")
                    ));
                }
                if end_of_life {
                    let successor = drydock_inventory::eol::successor_on(
                        &os.family,
                        &drydock_inventory::eol::today(),
                    );
                    report.notices.push(fix::eol_notice(&feed.label, os, successor));
                }
                report.os = Some(OsTarget {
                    label: feed.label.clone(),
                    ecosystems: feed.ecosystems.clone(),
                    has_data,
                    end_of_life,
                    eol_date: os.eol_date.clone(),
                });
            }
        }
    }

    let mut found: BTreeMap<(usize, String), Pending> = BTreeMap::new();
    let mut suppressed: BTreeSet<(usize, String)> = BTreeSet::new();
    for (index, package) in inventory.packages.iter().enumerate() {
        let (class, queries) = if package.kind.is_os() {
            if !options.os_packages {
                continue;
            }
            let Some(feed) = feed.as_ref().filter(|f| f.kind == package.kind) else {
                continue;
            };
            let version = package
                .source_version
                .as_deref()
                .filter(|_| package.kind == PackageKind::Deb)
                .unwrap_or(&package.version);
            if let Some(reason) =
                distro::third_party_marker(package.kind, version, package.vendor.as_deref())
            {
                report.skipped.push(Skipped {
                    name: package.name.clone(),
                    version: package.version.clone(),
                    reason: format!("not matched against {}: {reason}", feed.label),
                });
                continue;
            }
            (PackageClass::Os, os_queries(feed, package))
        } else {
            if !options.library_packages {
                continue;
            }
            let Some(ecosystem) = library_ecosystem(package.kind) else {
                continue;
            };
            let Some(order) = order_for(ecosystem) else {
                continue;
            };
            let name = match package.kind {
                PackageKind::Maven => maven_name(package),
                _ => matcher.canonical_name(ecosystem, &package.name)?,
            };
            let version = match package.kind {
                // Go module versions carry a `v`; the Go feed's SEMVER ranges do not.
                PackageKind::Golang => package.version.trim_start_matches('v').to_string(),
                _ => package.version.clone(),
            };
            (
                PackageClass::Library,
                vec![Query {
                    ecosystem: ecosystem.to_string(),
                    name,
                    version,
                    order,
                }],
            )
        };

        for query in queries {
            let rows = matcher.rows(&query.ecosystem, &query.name)?.to_vec();
            for row in rows {
                let affected = &row.affected;
                // Oracle ships some fixes per architecture; the feed marks those rows.
                if let Some(arch) = affected
                    .justification
                    .as_deref()
                    .and_then(|j| j.strip_prefix("arch:"))
                {
                    if package.arch.as_deref().is_some_and(|a| a != arch) {
                        continue;
                    }
                }
                if package.kind == PackageKind::Rpm {
                    let fixed_modular = affected.fixed_version().map(is_modular_version);
                    let installed_modular =
                        package.modularity_label.is_some() || is_modular_version(&package.version);
                    if fixed_modular.is_some_and(|m| m != installed_modular) {
                        continue;
                    }
                }
                let Some((advisory, source)) = matcher.advisory(&row.advisory_id)?.cloned() else {
                    continue;
                };
                if advisory.withdrawn.is_some() {
                    continue;
                }
                let (id, aliases) = display_id(&advisory.id, &advisory.aliases);
                if affected.status == Status::NotAffected {
                    suppressed.insert((index, id));
                    continue;
                }
                let verdict = match evaluate(affected, &query.version, query.order) {
                    Ok(verdict) => verdict,
                    Err(err) => {
                        matcher.warnings.insert(format!(
                            "{} in {} ({}): {err}",
                            advisory.id, query.ecosystem, query.name
                        ));
                        continue;
                    }
                };
                let Some((status, fixed_versions)) = verdict else {
                    continue;
                };
                let matched = MatchedRow {
                    affected: affected.clone(),
                    order: query.order,
                    version: query.version.clone(),
                };
                let key = (index, id.clone());
                match found.get_mut(&key) {
                    Some(pending) => {
                        let v = &mut pending.vulnerability;
                        merge_into(v, &advisory, &source, status, fixed_versions, query.order);
                        for alias in aliases {
                            if !v.aliases.contains(&alias) && alias != v.id {
                                v.aliases.push(alias);
                            }
                        }
                        v.aliases.sort();
                        pending.rows.push(matched);
                    }
                    None => {
                        let is_source_match =
                            package.kind == PackageKind::Deb || query.name != package.name;
                        let vulnerability = Vulnerability {
                            id,
                            advisories: vec![advisory.id.clone()],
                            aliases,
                            class,
                            package: AffectedPackage {
                                kind: package.kind,
                                name: package.name.clone(),
                                version: package.version.clone(),
                                source_name: (is_source_match && class == PackageClass::Os)
                                    .then(|| query.name.clone()),
                                source_version: (is_source_match
                                    && class == PackageClass::Os
                                    && query.version != package.version)
                                    .then(|| query.version.clone()),
                                purl: package.purl.clone(),
                                path: package.found_in.clone(),
                                layer: package.layer.clone(),
                                in_base_image: options
                                    .base_layers
                                    .zip(package.layer.as_ref())
                                    .map(|(n, layer)| layer.index < n),
                            },
                            ecosystem: query.ecosystem.clone(),
                            status,
                            fixed_versions,
                            severity: Severity::Unknown,
                            severity_source: String::new(),
                            cvss: Vec::new(),
                            title: advisory.summary.clone(),
                            references: advisory.references.clone(),
                            known_exploited: false,
                            data_source: vec![source.clone()],
                            published: advisory.published.clone(),
                            note: affected
                                .justification
                                .clone()
                                .filter(|j| !j.starts_with("arch:")),
                        };
                        found.insert(
                            key,
                            Pending {
                                vulnerability,
                                rows: vec![matched],
                            },
                        );
                    }
                }
            }
        }
    }

    let mut pendings: Vec<Pending> = found
        .into_iter()
        .filter(|(key, _)| !suppressed.contains(key))
        .map(|(_, p)| p)
        .collect();
    for pending in &mut pendings {
        rate(&mut matcher, &mut pending.vulnerability)?;
    }
    pendings.retain(|p| {
        let v = &p.vulnerability;
        (!options.ignore_unfixed || v.status == FindingStatus::Fixed)
            && options
                .severities
                .as_ref()
                .is_none_or(|s| s.contains(&v.severity))
    });
    pendings.sort_by(|a, b| {
        let (a, b) = (&a.vulnerability, &b.vulnerability);
        (
            a.class,
            &a.package.path,
            &a.package.name,
            &a.package.version,
        )
            .cmp(&(
                b.class,
                &b.package.path,
                &b.package.name,
                &b.package.version,
            ))
            .then(b.severity.cmp(&a.severity))
            .then(a.id.cmp(&b.id))
    });

    if let Some(feed) = &feed {
        report.os_fix = fix::os_fix(feed, inventory, &pendings_view(&pendings, PackageClass::Os));
    }
    report.app_fixes = fix::app_fixes(&pendings_view(&pendings, PackageClass::Library));
    report.vulnerabilities = pendings.into_iter().map(|p| p.vulnerability).collect();
    report.warnings = matcher.warnings.into_iter().collect();
    Ok(report)
}

fn pendings_view(
    pendings: &[Pending],
    class: PackageClass,
) -> Vec<(&Vulnerability, &[MatchedRow])> {
    pendings
        .iter()
        .filter(|p| p.vulnerability.class == class)
        .map(|p| (&p.vulnerability, p.rows.as_slice()))
        .collect()
}

/// A second advisory for the same (package, id): the most actionable status wins, fixed
/// versions are pooled.
fn merge_into(
    v: &mut Vulnerability,
    advisory: &Advisory,
    source: &str,
    status: FindingStatus,
    fixed_versions: Vec<String>,
    order: &dyn VersionOrder,
) {
    if !v.advisories.contains(&advisory.id) {
        v.advisories.push(advisory.id.clone());
    }
    if !v.data_source.iter().any(|s| s == source) {
        v.data_source.push(source.to_string());
    }
    if status < v.status {
        v.status = status;
    }
    for f in fixed_versions {
        if !v.fixed_versions.contains(&f) {
            v.fixed_versions.push(f);
        }
    }
    v.fixed_versions
        .sort_by(|a, b| order.compare(a, b).unwrap_or(Ordering::Equal));
    if v.title.is_none() {
        v.title = advisory.summary.clone();
    }
    for r in &advisory.references {
        if !v.references.contains(r) {
            v.references.push(r.clone());
        }
    }
}

/// Scores an advisory's CVSS vectors into `scores`, each vector once.
fn add_scores(scores: &mut Vec<CvssScore>, advisory: &Advisory, source: &str) {
    for c in &advisory.cvss {
        let s = severity::score(&c.kind, &c.vector, source);
        if !scores.iter().any(|x| x.vector == s.vector) {
            scores.push(s);
        }
    }
}

/// Severity (vendor first, else CVSS), CVSS scores and the known-exploited flag.
fn rate(matcher: &mut Matcher, v: &mut Vulnerability) -> Result<(), StoreError> {
    let mut vendor: Option<(Severity, String)> = None;
    let mut scores: Vec<CvssScore> = Vec::new();
    for id in v.advisories.clone() {
        let Some((advisory, source)) = matcher.advisory(&id)?.cloned() else {
            continue;
        };
        if vendor.is_none() {
            if let Some(word) = &advisory.severity {
                if let Some(severity) = Severity::from_vendor_word(word) {
                    let who = advisory
                        .severity_source
                        .clone()
                        .filter(|s| s != "database_specific")
                        .unwrap_or_else(|| source.clone());
                    vendor = Some((severity, who));
                }
            }
        }
        add_scores(&mut scores, &advisory, &source);
    }
    let cves: Vec<String> = std::iter::once(&v.id)
        .chain(v.aliases.iter())
        .filter(|a| a.starts_with("CVE-"))
        .cloned()
        .collect();
    // Other feeds' records of the same CVE (GHSA, NVD-derived) carry vectors distro
    // feeds often lack.
    if scores.is_empty() {
        for cve in &cves {
            for other in matcher.db.ids_for_alias(cve)? {
                if v.advisories.contains(&other) {
                    continue;
                }
                let Some((advisory, source)) = matcher.advisory(&other)?.cloned() else {
                    continue;
                };
                add_scores(&mut scores, &advisory, &source);
            }
        }
    }
    // NVD / CVE list enrichment, last: the vendor and the advisory feeds know the
    // package best.
    if scores.is_empty() {
        for cve in &cves {
            if let Some(info) = matcher.db.cve_info(cve)? {
                for c in &info.cvss {
                    let who = c.source.clone().unwrap_or_else(|| info.source.clone());
                    let mut s = severity::score(&c.kind, &c.vector, &who);
                    if s.score.is_none() {
                        s.score = c.base_score;
                    }
                    if !scores.iter().any(|x| x.vector == s.vector) {
                        scores.push(s);
                    }
                }
                if v.title.is_none() {
                    v.title = info
                        .description
                        .as_deref()
                        .map(|d| d.chars().take(200).collect());
                }
            }
        }
    }
    v.known_exploited = false;
    for cve in &cves {
        if matcher.db.known_exploited(cve)? {
            v.known_exploited = true;
        }
    }
    match (vendor, severity::preferred(&scores)) {
        (Some((severity, who)), _) => {
            v.severity = severity;
            v.severity_source = who;
        }
        (None, Some(best)) => {
            v.severity = Severity::from_score(best.score.unwrap_or(0.0));
            v.severity_source = format!("cvss v{} ({})", best.version, best.source);
        }
        (None, None) => {
            v.severity = Severity::Unknown;
            v.severity_source = "none".into();
        }
    }
    v.cvss = scores;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use drydock_vulndb::{Range, RangeEvent};

    fn affected(status: Status, events: Vec<RangeEvent>) -> Affected {
        Affected {
            ecosystem: "Debian:12".into(),
            package: "openssl".into(),
            status,
            ranges: vec![Range {
                kind: "ECOSYSTEM".into(),
                events,
            }],
            versions: Vec::new(),
            justification: None,
        }
    }

    #[test]
    fn epochs_and_backports_decide() {
        let dpkg = &drydock_vulndb::version::dpkg::Dpkg;
        let fix = affected(
            Status::Fixed,
            vec![
                RangeEvent::Introduced("0".into()),
                RangeEvent::Fixed("3.0.15-1~deb12u1".into()),
            ],
        );
        assert_eq!(
            evaluate(&fix, "3.0.11-1~deb12u2", dpkg).unwrap(),
            Some((FindingStatus::Fixed, vec!["3.0.15-1~deb12u1".into()]))
        );
        // The backported build is the fixed one: not affected.
        assert_eq!(evaluate(&fix, "3.0.15-1~deb12u1", dpkg).unwrap(), None);
        // An epoch outranks any upstream version.
        let epoch = affected(
            Status::Fixed,
            vec![
                RangeEvent::Introduced("0".into()),
                RangeEvent::Fixed("1:9.2p1-2+deb12u3".into()),
            ],
        );
        assert!(evaluate(&epoch, "9.9p1-1", dpkg).unwrap().is_some());
        assert!(evaluate(&epoch, "1:9.2p1-2+deb12u3", dpkg)
            .unwrap()
            .is_none());
    }

    #[test]
    fn statuses_without_ranges() {
        let dpkg = &drydock_vulndb::version::dpkg::Dpkg;
        let mut open = affected(Status::Affected, vec![]);
        open.ranges.clear();
        assert_eq!(
            evaluate(&open, "1.0-1", dpkg).unwrap(),
            Some((FindingStatus::Affected, vec![]))
        );
        open.status = Status::WillNotFix;
        assert_eq!(
            evaluate(&open, "1.0-1", dpkg).unwrap(),
            Some((FindingStatus::WillNotFix, vec![]))
        );
        open.status = Status::NotAffected;
        assert_eq!(evaluate(&open, "1.0-1", dpkg).unwrap(), None);
        let mut listed = affected(Status::Affected, vec![]);
        listed.ranges.clear();
        listed.versions = vec!["1.0-1".into()];
        assert!(evaluate(&listed, "1.0-1", dpkg).unwrap().is_some());
        assert!(evaluate(&listed, "1.0-2", dpkg).unwrap().is_none());
    }

    #[test]
    fn ids_prefer_the_single_cve() {
        assert_eq!(
            display_id("DEBCL-12-CVE-2024-5535", &["CVE-2024-5535".into()]),
            (
                "CVE-2024-5535".into(),
                vec!["DEBCL-12-CVE-2024-5535".into()]
            )
        );
        let (id, aliases) = display_id(
            "ALSA-2024:8127",
            &["CVE-2024-1".into(), "CVE-2024-2".into()],
        );
        assert_eq!(id, "ALSA-2024:8127");
        assert_eq!(aliases.len(), 2);
    }

    #[test]
    fn modular_versions() {
        assert!(is_modular_version("8.0.26-1.module_el8.4.0+2532+b8928c02"));
        assert!(!is_modular_version("3.0.7-27.el9"));
    }
}
