//! The shared Debian images against the Debian 12 changelog feed, end to end: the image
//! reader, the inventory, the database and the matcher. The expected findings are worked
//! out by another route: the feed's records read straight from the archive and compared
//! with the real `dpkg --compare-versions`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use drydock_image::{analyze_image, Cache, Limits};
use drydock_inventory::{build_inventory, Inventory, InventoryAnalyzer, PackageKind};
use drydock_matcher::{match_inventory, FindingStatus, MatchOptions, PackageClass};

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("DRYDOCK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("images").is_dir() && dir.join("data/advisories").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!(
            "required under CI: shared data not found at {}",
            dir.display()
        );
    }
    eprintln!(
        "SKIPPED: shared data not found at {} (set DRYDOCK_SHARED)",
        dir.display()
    );
    None
}

fn inventory(archive: &Path, reference: &str) -> (Inventory, Option<usize>) {
    let scratch = tempfile::tempdir().unwrap();
    let cache = Cache::open(scratch.path()).unwrap();
    let limits = Limits::default();
    let image =
        drydock_image::source::open_path(archive, Some(reference), None, &cache, &limits).unwrap();
    let analysis = analyze_image(&image, None, &limits, &[&InventoryAnalyzer]).unwrap();
    let steps: Vec<drydock_matcher::base::HistoryStep> = image
        .config
        .history
        .iter()
        .map(|h| drydock_matcher::base::HistoryStep {
            created_by: h.created_by.as_deref().unwrap_or(""),
            empty_layer: h.empty_layer,
        })
        .collect();
    (
        build_inventory(&image.layers, &analysis),
        drydock_matcher::base::base_layer_count(&steps),
    )
}

/// `Debian:12` records as (source package → [(CVE, fixed version)]), read from the archive
/// without drydock's feed code. Records whose fix was reverted have no fixed version.
/// Source package → [(CVE, fixed version)].
type Feed = BTreeMap<String, Vec<(String, Option<String>)>>;

fn feed_records(archive: &Path) -> Feed {
    let file = std::fs::File::open(archive).unwrap();
    let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
    let mut records: Feed = BTreeMap::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.path().unwrap().to_string_lossy().ends_with(".json") {
            continue;
        }
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cve = doc["aliases"][0].as_str().unwrap().to_string();
        for affected in doc["affected"].as_array().unwrap() {
            assert_eq!(affected["package"]["ecosystem"], "Debian:12");
            let name = affected["package"]["name"].as_str().unwrap().to_string();
            let reverted = affected["database_specific"]["fix_reverted_in"].is_string();
            let fixed = affected["ranges"][0]["events"]
                .as_array()
                .unwrap()
                .iter()
                .find_map(|e| e["fixed"].as_str())
                .map(str::to_string)
                .filter(|_| !reverted);
            records.entry(name).or_default().push((cve.clone(), fixed));
        }
    }
    records
}

fn dpkg_less_than(a: &str, b: &str) -> bool {
    Command::new("dpkg")
        .args(["--compare-versions", a, "lt", b])
        .status()
        .expect("dpkg is installed (Debian's own comparator is the reference here)")
        .success()
}

/// (binary package, CVE) → fixed version, as the feed and dpkg say.
fn expected(inventory: &Inventory, feed: &Feed) -> BTreeMap<(String, String), Option<String>> {
    let mut out = BTreeMap::new();
    for p in inventory
        .packages
        .iter()
        .filter(|p| p.kind == PackageKind::Deb)
    {
        let source = p.source_name.clone().unwrap_or_else(|| p.name.clone());
        let version = p
            .source_version
            .clone()
            .unwrap_or_else(|| p.version.clone());
        for (cve, fixed) in feed.get(&source).into_iter().flatten() {
            let affected = match fixed {
                Some(fixed) => dpkg_less_than(&version, fixed),
                None => true,
            };
            if affected {
                out.insert((p.name.clone(), cve.clone()), fixed.clone());
            }
        }
    }
    out
}

struct Setup {
    db: drydock_vulndb::Database,
    feed: &'static Feed,
    shared: PathBuf,
}

/// The database and the feed's own reading, built once for all tests of this binary.
fn setup() -> Option<Setup> {
    static BUILT: OnceLock<(PathBuf, Feed)> = OnceLock::new();
    let shared = shared()?;
    let (path, feed) = BUILT.get_or_init(|| {
        let archive = shared.join("data/advisories/debian-changelog/debian-12.tar.zst");
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("matcher-debian-12.db");
        drydock_vulndb::build(
            std::slice::from_ref(&archive),
            &path,
            "2026-11-27T00:00:00Z",
        )
        .unwrap();
        (path, feed_records(&archive))
    });
    Some(Setup {
        db: drydock_vulndb::Database::open(path).unwrap(),
        feed,
        shared,
    })
}

fn check_image(setup: &Setup, archive: &str, reference: &str) -> drydock_matcher::MatchReport {
    let (inventory, base) = inventory(&setup.shared.join("images").join(archive), reference);
    let options = MatchOptions {
        base_layers: base,
        ..MatchOptions::default()
    };
    let report = match_inventory(&setup.db, &inventory, &options).unwrap();
    let found: BTreeMap<(String, String), Option<String>> = report
        .vulnerabilities
        .iter()
        .filter(|v| v.class == PackageClass::Os)
        .map(|v| {
            (
                (v.package.name.clone(), v.id.clone()),
                v.fixed_versions.first().cloned(),
            )
        })
        .collect();
    let want = expected(&inventory, setup.feed);
    assert!(
        !want.is_empty(),
        "{archive}: the feed names fixes newer than the image"
    );
    let missing: Vec<_> = want.keys().filter(|k| !found.contains_key(*k)).collect();
    let extra: Vec<_> = found.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{archive}: missing {missing:?}, unexpected {extra:?}"
    );
    assert_eq!(found, want, "{archive}: fixed versions");
    assert!(report.notices.is_empty(), "{:?}", report.notices);
    report
}

#[test]
fn bookworm_and_acme_shop_show_the_fixes_newer_than_the_image() {
    let Some(setup) = setup() else { return };
    let bookworm = check_image(&setup, "scanlab-debian-bookworm.oci.tar", "bookworm");
    let fix = bookworm.os_fix.as_ref().expect("a fix command");
    assert!(fix
        .command
        .starts_with("apt-get update && apt-get install -y --only-upgrade "));
    // Every binary package of a vulnerable source is upgraded, and nothing else.
    let vulnerable: BTreeSet<&str> = bookworm
        .vulnerabilities
        .iter()
        .filter(|v| v.status == FindingStatus::Fixed)
        .map(|v| v.package.name.as_str())
        .collect();
    let changed: BTreeSet<&str> = fix.changes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(vulnerable, changed);
    for name in &changed {
        assert!(
            fix.command.split(' ').any(|w| w == *name),
            "{name} in {}",
            fix.command
        );
    }
    assert!(fix.dockerfile.starts_with("RUN apt-get update && "));
    assert!(fix.dockerfile.ends_with("rm -rf /var/lib/apt/lists/*"));

    let acme = check_image(&setup, "scanlab-acme-shop-1.4.2.oci.tar", "1.4.2");
    // openssl came with the image's own `apt-get install curl` (layer 1); perl-base is
    // the base image's.
    let layer_of = |name: &str| {
        acme.vulnerabilities
            .iter()
            .find(|v| v.package.name == name)
            .map(|v| {
                (
                    v.package.layer.as_ref().unwrap().index,
                    v.package.in_base_image,
                )
            })
    };
    assert_eq!(layer_of("libssl3"), Some((1, Some(false))));
    let fix = acme.os_fix.as_ref().unwrap();
    assert!(
        fix.impact.iter().any(|i| i.contains("TLS library")),
        "{:?}",
        fix.impact
    );
    assert_eq!(layer_of("perl-base"), Some((0, Some(true))));
    let layer = acme
        .vulnerabilities
        .iter()
        .find(|v| v.package.name == "libssl3")
        .and_then(|v| v.package.layer.as_ref())
        .and_then(|l| l.created_by.clone())
        .unwrap_or_default();
    assert!(layer.contains("apt-get install -y curl"), "{layer}");
}

#[test]
fn an_os_without_data_is_said_loudly() {
    let Some(setup) = setup() else { return };
    let (mut inventory, _) = inventory(
        &setup.shared.join("images/scanlab-debian-bookworm.oci.tar"),
        "bookworm",
    );
    // The same packages, declared as Debian 11: the database holds only Debian 12 data.
    inventory.os.as_mut().unwrap().version = "11".into();
    let report = match_inventory(&setup.db, &inventory, &MatchOptions::default()).unwrap();
    assert!(report.vulnerabilities.is_empty());
    assert!(
        report
            .notices
            .iter()
            .any(|n| n.contains("no data for Debian 11") && n.contains("NOT checked")),
        "{:?}",
        report.notices
    );
    let empty =
        match_inventory(&setup.db, &Inventory::default(), &MatchOptions::default()).unwrap();
    assert!(empty
        .notices
        .iter()
        .any(|n| n.contains("no packages were found")));
}

#[test]
fn filters_keep_what_is_asked() {
    let Some(setup) = setup() else { return };
    let (inventory, _) = inventory(
        &setup.shared.join("images/scanlab-debian-bookworm.oci.tar"),
        "bookworm",
    );
    let all = match_inventory(&setup.db, &inventory, &MatchOptions::default()).unwrap();
    assert!(!all.vulnerabilities.is_empty());
    // The changelog feed carries no severity: asking for HIGH and CRITICAL only leaves
    // nothing, and no fix command for findings that are not shown.
    let high = match_inventory(
        &setup.db,
        &inventory,
        &MatchOptions {
            severities: Some(vec![
                drydock_matcher::Severity::High,
                drydock_matcher::Severity::Critical,
            ]),
            ..MatchOptions::default()
        },
    )
    .unwrap();
    assert!(high.vulnerabilities.is_empty());
    assert!(high.os_fix.is_none());
    let libraries_only = match_inventory(
        &setup.db,
        &inventory,
        &MatchOptions {
            os_packages: false,
            ..MatchOptions::default()
        },
    )
    .unwrap();
    assert!(libraries_only.vulnerabilities.is_empty());
}
