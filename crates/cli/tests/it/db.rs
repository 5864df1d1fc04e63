//! `drydock db build` / `db info` over the real feeds in `../shared/data/advisories`.

use std::fs;

use serde_json::Value;

use crate::common::{drydock, expect_error, require_shared, tempdir};

#[test]
fn build_from_real_feeds_and_report_each_source() {
    let shared = require_shared!();
    let feeds = shared.join("data/advisories");
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    let sources = ["alpine", "debian-changelog", "go", "kev", "pypi", "rustsec"];
    let mut build = drydock(cache.path());
    build.args(["db", "build", "--db", db.to_str().unwrap(), "--from"]);
    for s in sources {
        build.arg(feeds.join(s));
    }
    let out = build.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = drydock(cache.path())
        .args([
            "db",
            "info",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    let records = |name: &str| {
        info["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no source {name}"))["records"]
            .as_u64()
            .unwrap()
    };
    // MANIFEST.md: Go 4291 records, PyPA 2661, RustSec OSV 1206, Debian changelog
    // 6002 + 8082 + 5625; Alpine's legacy secdb names 2626 distinct ids (counted from the
    // YAML files: every id of every `secfixes` list, split on white space).
    assert_eq!(records("go"), 4291);
    assert_eq!(records("pypi"), 2661);
    assert_eq!(records("rustsec"), 1206);
    assert_eq!(records("debian-changelog"), 6002 + 8082 + 5625);
    assert!(records("alpine") > 2500, "{info}");
    // CISA KEV catalogVersion 2025.08.25: 1404 known exploited CVEs.
    assert_eq!(info["known_exploited"], 1404);
    assert!(info["size"].as_u64().unwrap() > 1_000_000);
}

#[test]
fn a_failed_build_keeps_the_previous_database() {
    let shared = require_shared!();
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    let go = shared.join("data/advisories/go");
    drydock(cache.path())
        .args([
            "db",
            "build",
            "--db",
            db.to_str().unwrap(),
            "--from",
            go.to_str().unwrap(),
        ])
        .assert()
        .success();
    let before = fs::read(&db).unwrap();
    // A folder with no advisories in it: the build fails and the old file stays as it was.
    let empty = tempdir();
    fs::write(empty.path().join("notes.txt"), "nothing here").unwrap();
    let err = expect_error(
        cache.path(),
        &[
            "db",
            "build",
            "--db",
            db.to_str().unwrap(),
            "--from",
            empty.path().to_str().unwrap(),
        ],
    );
    assert!(err.contains("no advisories found"), "{err}");
    assert_eq!(fs::read(&db).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(cache.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".drydock-db-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let err = expect_error(
        cache.path(),
        &["db", "info", "--db", "/nonexistent/drydock.db"],
    );
    assert!(err.contains("no vulnerability database"), "{err}");
}
