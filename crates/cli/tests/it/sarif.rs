//! SARIF output: valid against the official 2.1.0 schema, Dockerfile findings on their
//! lines, image findings on their paths, one rule per id.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{drydock, require_shared, tempdir, validate};

fn run_sarif(cache: &std::path::Path, args: &[&str]) -> Value {
    let out = drydock(cache)
        .args(["--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&log, "sarif-schema-2.1.0.json");
    log
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

/// Every result names a rule of the driver by id and index.
fn assert_rules_consistent(log: &Value) {
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "one rule per id");
    for result in results(log) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(result["ruleId"], ids[index]);
        assert!(rules[index]["properties"]["security-severity"].is_string());
    }
}

#[test]
fn dockerfile_findings_point_at_lines() {
    let shared = require_shared!();
    let cache = tempdir();
    let dockerfile = shared.join("images/acme-shop/Dockerfile");
    let log = run_sarif(cache.path(), &["dockerfile", dockerfile.to_str().unwrap()]);
    assert_rules_consistent(&log);
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let results = results(&log);
    assert!(results.len() >= 5);
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("acme-shop/Dockerfile"));
        let line = location["region"]["startLine"].as_u64().unwrap() as usize;
        assert!(line >= 1 && line <= lines.len(), "{result}");
    }
    // The deprecated MAINTAINER points at the line that says it.
    let maintainer = results.iter().find(|r| r["ruleId"] == "DD001").unwrap();
    let line = maintainer["locations"][0]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap() as usize;
    assert!(
        lines[line - 1].trim_start().starts_with("MAINTAINER"),
        "{}",
        lines[line - 1]
    );
}

#[test]
fn image_findings_point_at_paths_in_the_image() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let log = run_sarif(
        cache.path(),
        &[
            "--scanners",
            "secret,build",
            "image",
            "--input",
            image.to_str().unwrap(),
        ],
    );
    assert_rules_consistent(&log);
    let results = results(&log);
    let uris: BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    // Relative paths inside the image, no leading slash.
    assert!(uris.contains("root/.npmrc"), "{uris:?}");
    assert!(uris.iter().all(|u| !u.starts_with('/')));
    let npmrc = results
        .iter()
        .find(|r| r["ruleId"] == "npm-access-token")
        .unwrap();
    assert_eq!(npmrc["level"], "error");
    assert_eq!(npmrc["properties"]["kind"], "secret");
    assert!(npmrc["locations"][0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("layer 6"));
    // History findings have no file: they point at the image.
    assert!(results
        .iter()
        .any(|r| r["properties"]["kind"] == "build-instruction"));
}

#[test]
fn several_formats_in_one_run() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let json = cache.path().join("report.json");
    let sarif = cache.path().join("report.sarif");
    let table = cache.path().join("report.txt");
    let out = drydock(cache.path())
        .args(["--scanners", "secret", "--format", "table"])
        .arg("-o")
        .arg(format!("json={}", json.display()))
        .arg("--output")
        .arg(format!("sarif={}", sarif.display()))
        .arg("-o")
        .arg(&table)
        .args(["image", "--input", image.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "reports go to their files only");
    let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    validate(&log, "sarif-schema-2.1.0.json");
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        results(&log).len()
    );
    // A plain FILE takes --format.
    assert!(std::fs::read_to_string(&table)
        .unwrap()
        .contains("Secrets — "));
}
