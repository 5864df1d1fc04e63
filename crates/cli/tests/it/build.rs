//! Build-instruction checks through the binary: `drydock dockerfile` and `--scanners build`
//! on the image history.

use serde_json::Value;

use crate::common::{drydock, expect_error, require_shared, tempdir};

/// The product's seven checks, by rule id (crates/dockerfile/RULES.md).
const SEVEN: [&str; 7] = [
    "DD001", "DD002", "DD003", "DD004", "DD005", "DD006", "DD007",
];

fn rule_ids(check: &Value) -> Vec<String> {
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dockerfile_and_history_give_the_product_checks() {
    let shared = require_shared!();
    let cache = tempdir();
    let dockerfile = shared.join("images/acme-shop/Dockerfile");
    let out = drydock(cache.path())
        .args(["--format", "json", "--exit-code", "3", "dockerfile"])
        .arg(&dockerfile)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = rule_ids(&check);
    for id in ["DD001", "DD003", "DD004", "DD005", "DD006"] {
        assert!(ids.iter().any(|i| i == id), "{id} in {ids:?}");
    }
    assert!(
        SEVEN
            .iter()
            .filter(|id| ids.iter().any(|i| i == *id))
            .count()
            >= 5
    );

    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let out = drydock(cache.path())
        .args([
            "--format",
            "json",
            "--scanners",
            "build",
            "image",
            "--input",
        ])
        .arg(&image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["build_check"]["target"], "image history");
    let history_ids = rule_ids(&report["build_check"]);
    // MAINTAINER survives in history mode through the config's author / history line.
    for id in ["DD001", "DD003", "DD004", "DD005", "DD006"] {
        assert!(
            history_ids.iter().any(|i| i == id),
            "{id} in {history_ids:?}"
        );
    }
    // Only the high ones, and a rule turned off.
    let out = drydock(cache.path())
        .args(["--format", "json", "--severity", "CRITICAL", "dockerfile"])
        .arg(&dockerfile)
        .output()
        .unwrap();
    let critical: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(critical["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] == "critical"));
    let out = drydock(cache.path())
        .args(["--format", "json", "dockerfile", "--disable", "dd001"])
        .arg(&dockerfile)
        .output()
        .unwrap();
    let without: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rule_ids(&without).iter().any(|i| i == "DD001"));
}

#[test]
fn unreadable_dockerfiles_are_one_line_errors() {
    let cache = tempdir();
    let binary = cache.path().join("Dockerfile");
    std::fs::write(&binary, [0xffu8, 0xfe, 0x00, 0x41]).unwrap();
    let err = expect_error(cache.path(), &["dockerfile", binary.to_str().unwrap()]);
    assert!(err.contains("not UTF-8"), "{err}");
    let err = expect_error(cache.path(), &["dockerfile", "/nonexistent/Dockerfile"]);
    assert!(err.contains("/nonexistent/Dockerfile"), "{err}");
}
