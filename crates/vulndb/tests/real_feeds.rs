//! Builds the database from every real feed under `shared/data/advisories` and checks the
//! per-source record counts against the MANIFEST. The folder is `$DRYDOCK_SHARED/data/advisories`
//! or `../shared/data/advisories` next to the workspace; when it is absent the test prints a
//! `SKIPPED:` line, except under `CI=true`, where it fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drydock_vulndb::{build, Database, Status};

fn advisories_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("DRYDOCK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared")
                .to_path_buf()
        });
    let dir = shared.join("data/advisories");
    if dir.join("MANIFEST.md").is_file() {
        return Some(dir);
    }
    let reason = format!("no advisory data at {}", dir.display());
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{reason}");
    }
    println!("SKIPPED: {reason}");
    None
}

/// Records per source, as the MANIFEST counts them, with the reason wherever `db info`
/// cannot show the MANIFEST's own number.
const EXPECTED: &[(&str, u64)] = &[
    // MANIFEST: "5680 files = 5643 unique IDs" subtracts the 37 duplicated ids once, but 6
    // of them are in all three of almalinux8/9/10 (43 extra files): 5637 unique ids.
    ("almalinux", 5637),
    // MANIFEST gives fix entries (12 028 legacy + 394 in the v3.20/v3.22 slice), not ids: one
    // record per advisory id (CVE, ALPINE-…), merged across branches and packages.
    ("alpine", 2881),
    // RSS items (97 in the AL2 mock feed, 1 in each of the 2/2022/2023 feeds, ALAS-2018-939
    // in two of them) and the 4 advisory pages, whose ids all appear in the feeds: 99.
    ("amazon", 99),
    // 1222 + 2252 + 2436 OVAL definitions.
    ("azurelinux", 5910),
    // DSA 5406 + DLA 3534 + DTSA 208 list entries.
    ("debian", 9148),
    ("debian-changelog", 19_709),
    // 5 GraphQL-shaped GHSA records + 33 GHSA records in OSV shape.
    ("ghsa", 38),
    ("go", 4291),
    ("kev", 1404),
    // vuln/npm 467 + vuln/core 171 + vuln/deps 6 (the deps records say "not affected").
    ("npm", 644),
    // Unique CVEs: 669 (1.1 feed) + 38 (API 2.0 page) + 1 (single-entry page) + 2 (CVE 5).
    ("nvd", 710),
    // 2 + 1 + 3 ELSA definitions in the three excerpts.
    ("oracle", 6),
    ("packagist", 1592),
    ("photon", 222),
    ("pypi", 2661),
    // 11 VEX + 7 RHSA CSAF + 20 Security Data API documents.
    ("redhat", 38),
    ("rocky", 3),
    // gems 1234 + rubies 147.
    ("rubygems", 1381),
    // The OSV branch (1206); the native Markdown copy of the same advisories is not read.
    ("rustsec", 1206),
    // 4 definitions in the truncated file.
    ("suse", 4),
    // MANIFEST: 33 225 `Candidate:` records = 33 208 files + 17 symlinks; the 82 files and
    // 17 symlinks that are UCT's `00boilerplate*` templates (empty Candidate) are skipped:
    // 33 126, plus 9 Ubuntu OSV records from the vunnel samples.
    ("ubuntu", 33_135),
    ("wolfi", 20_770),
];

#[test]
fn builds_every_feed_with_manifest_counts() {
    let Some(dir) = advisories_dir() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let db_path = out.path().join("drydock.db");
    let report = build(&[dir], &db_path, "2026-01-01T00:00:00Z").expect("build");
    let counts: BTreeMap<String, u64> = report
        .sources
        .iter()
        .map(|s| (s.name.clone(), s.records))
        .collect();
    for s in &report.sources {
        println!(
            "{:<18} {:>7} skipped {:>4} {:?}",
            s.name,
            s.records,
            s.skipped,
            s.warnings.iter().take(3).collect::<Vec<_>>()
        );
    }
    let mut wrong = Vec::new();
    for (source, expected) in EXPECTED {
        let got = counts.get(*source).copied().unwrap_or(0);
        if got != *expected {
            wrong.push(format!("{source}: {got} records, expected {expected}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // What `db info` shows comes from the same table.
    let db = Database::open(&db_path).unwrap();
    let info: BTreeMap<String, u64> = db
        .sources()
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.records))
        .collect();
    assert_eq!(info, counts);

    // Spot checks across the new feeds, through the public API the matcher uses.
    let rows = db.affected("Azure Linux:3.0", "oath-toolkit").unwrap();
    assert!(rows
        .iter()
        .any(|r| r.affected.fixed_version() == Some("0:2.6.7-3.azl3")));
    let rows = db.affected("Red Hat:9", "openssl-libs").unwrap();
    assert!(rows.iter().any(|r| r.advisory_id == "RHEL-CVE-2024-0727"));
    assert!(db
        .ids_for_alias("CVE-2021-44228")
        .unwrap()
        .contains(&"GHSA-jfh8-c2jp-5v3q".to_string()));
    let rows = db.affected("Debian:11", "xorg-server").unwrap();
    assert!(rows.iter().any(|r| r.advisory_id == "DSA-5380-1"));
    let rows = db.affected("Amazon Linux:2023", "kpartx").unwrap();
    assert!(rows.iter().any(|r| r.advisory_id == "ALAS2023-2023-126"));
    let rows = db.affected("Ubuntu:18.04:LTS", "mediawiki").unwrap();
    assert!(!rows.is_empty());
    let rows = db.affected("Packagist", "symfony/cache").unwrap();
    assert!(rows.iter().any(|r| r.affected.status == Status::Fixed));
    let rows = db.affected("RubyGems", "rack").unwrap();
    assert!(!rows.is_empty());
    let rows = db.affected("Node.js", "node").unwrap();
    assert!(rows.iter().any(|r| r.advisory_id == "NSWG-COR-1"));
    let info = db
        .cve_info("CVE-2022-0090")
        .unwrap()
        .expect("NVD enrichment");
    assert!(info.cvss.iter().any(|c| c.base_score == Some(6.5)));
    assert!(db.cve_info("CVE-1900-0001").unwrap().is_none());
}
