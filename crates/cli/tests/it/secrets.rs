//! The secret scanner through the binary: every planted secret of the shared acme-shop
//! image reported with its rule and layer, none on Debian bookworm, and no secret printed
//! in full by any report format or log.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{drydock, json_report, require_shared, tempdir};

/// The expected secrets: (path, rule, prefix, length, sha256) from expected-acme-shop.json.
fn expected(shared: &Path) -> Vec<(String, String, String, usize, String)> {
    let text = std::fs::read(shared.join("images/expected-acme-shop.json")).unwrap();
    let doc: Value = serde_json::from_slice(&text).unwrap();
    let mut out = Vec::new();
    for secret in doc["secrets"].as_array().unwrap() {
        let path = secret["path"].as_str().unwrap_or_default();
        for f in secret["findings"].as_array().unwrap() {
            out.push((
                path.to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["prefix"].as_str().unwrap().to_string(),
                f["length"].as_u64().unwrap() as usize,
                f["sha256"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert!(out.len() >= 10, "expected secrets: {}", out.len());
    out
}

fn secret_findings(report: &Value) -> Vec<Value> {
    report["secret_scan"]["findings"]
        .as_array()
        .unwrap()
        .clone()
}

/// `--scanners secret` of an image file, JSON out, exit 4 when secrets remain.
fn scan_for_secrets(cache: &Path, image: &Path) -> std::process::Output {
    drydock(cache)
        .args([
            "--format",
            "json",
            "--scanners",
            "secret",
            "--exit-code",
            "4",
        ])
        .args(["image", "--input"])
        .arg(image)
        .output()
        .unwrap()
}

#[test]
fn every_planted_secret_is_reported_with_rule_and_layer() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let out = scan_for_secrets(cache.path(), &image);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = secret_findings(&report);
    for (path, rule, prefix, length, sha) in expected(&shared) {
        // The expectation hashes a private key's first body line; drydock hashes the
        // whole body, so keys are matched by rule and path.
        let hit = findings.iter().find(|f| {
            f["secret_sha256"] == sha.as_str()
                || (rule.starts_with("private-key:") && f["rule_id"] == rule.as_str())
        });
        let hit = hit.unwrap_or_else(|| panic!("{rule} {prefix}… in {path} not reported"));
        assert_eq!(hit["rule_id"], rule.as_str());
        if !rule.starts_with("private-key:") {
            assert_eq!(hit["secret_length"], length, "{rule}");
        }
        let redacted = hit["redacted"].as_str().unwrap();
        assert!(
            prefix.starts_with(redacted.trim_end_matches('*')),
            "{redacted} vs {prefix}"
        );
        if path.starts_with('/') {
            assert_eq!(hit["path"], path.as_str(), "{rule}");
            // Every planted file comes from the `COPY secrets/ /` step.
            assert_eq!(hit["layer"]["index"], 6, "{rule} in {path}");
        }
    }
    // The AWS credentials a later layer deleted are reported as still shipped.
    let aws = findings
        .iter()
        .find(|f| f["path"] == "/root/.aws/credentials")
        .unwrap();
    assert_eq!(aws["removed"]["kind"], "deleted");
    assert_eq!(aws["removed"]["in_layer"], 10);
    // The password set by ENV is found in the config and in the history line.
    assert!(findings
        .iter()
        .any(|f| f["source"] == "env" && f["key"] == "DB_PASSWORD"));
    assert!(findings.iter().any(|f| f["source"] == "history"));
    // The common findings list carries the same secrets.
    let common: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "secret")
        .collect();
    assert_eq!(common.len(), findings.len());
    assert_eq!(report["finding_counts"]["total"], findings.len());
}

#[test]
fn no_secrets_in_debian_bookworm() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-debian-bookworm.oci.tar");
    let out = scan_for_secrets(cache.path(), &image);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = secret_findings(&report);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(out.status.code(), Some(0));
}

/// Whether `text` holds a whole planted secret: every occurrence of its prefix is
/// extended to the secret's length and compared by hash.
fn leaks(text: &[u8], prefix: &str, length: usize, sha: &str) -> bool {
    let prefix = prefix.as_bytes();
    (0..text.len().saturating_sub(length - 1)).any(|i| {
        text[i..].starts_with(prefix) && hex::encode(Sha256::digest(&text[i..i + length])) == sha
    })
}

#[test]
fn no_format_or_log_prints_a_whole_secret() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let dockerfile = shared.join("images/acme-shop/Dockerfile");
    let secrets = expected(&shared);
    let mut checked = BTreeSet::new();
    for format in [
        "table",
        "json",
        "cyclonedx",
        "spdx-json",
        "sarif",
        "junit",
        "gitlab",
        "github",
        "openvex",
        "html",
    ] {
        let runs: [Vec<&str>; 2] = [
            vec!["image", "--input", image.to_str().unwrap()],
            vec![
                "image",
                "--input",
                image.to_str().unwrap(),
                "--dockerfile",
                dockerfile.to_str().unwrap(),
            ],
        ];
        for args in runs {
            let out = drydock(cache.path())
                .args([
                    "--debug",
                    "--format",
                    format,
                    "--scanners",
                    "sbom,secret,build,baseline,malware",
                ])
                .args(&args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            for (path, rule, prefix, length, sha) in &secrets {
                for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                    assert!(
                        !leaks(bytes, prefix, *length, sha),
                        "{format} {stream} prints the whole {rule} secret of {path}"
                    );
                }
            }
            checked.insert(format);
        }
    }
    // The Dockerfile check on its own quotes the ENV line with the password redacted.
    let out = drydock(cache.path())
        .args(["--format", "json", "dockerfile"])
        .arg(&dockerfile)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DB_PASSWORD=Acme-P*****"), "{text}");
    for (path, rule, prefix, length, sha) in &secrets {
        assert!(
            !leaks(&out.stdout, prefix, *length, sha),
            "dockerfile prints {rule} of {path}"
        );
    }
    assert_eq!(checked.len(), 10);
}

#[test]
fn secret_config_adds_rules_and_turns_rules_off() {
    let dir = tempdir();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc/app")).unwrap();
    std::fs::write(
        root.join("etc/app/settings.ini"),
        "token = acme_live_7f3c9a1b2d4e6f8091a2b3c4d5e6f708\npassword = Zq8-vR2#mW9!kL4x\n",
    )
    .unwrap();
    let config = dir.path().join("secrets.toml");
    std::fs::write(
        &config,
        r#"
title = "acme"
[extend]
useDefault = true
disabledRules = ["generic-password"]

[[rules]]
id = "acme-live-token"
description = "Acme live API token"
regex = '''acme_live_[0-9a-f]{32}'''
keywords = ["acme_live_"]
"#,
    )
    .unwrap();
    let run = |extra: &[&str]| -> Vec<String> {
        let out = drydock(dir.path())
            .args(["--format", "json", "--scanners", "secret"])
            .args(extra)
            .arg("rootfs")
            .arg(&root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut ids: Vec<String> = secret_findings(&report)
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(run(&[]), ["generic-password"]);
    assert_eq!(
        run(&["--secret-config", config.to_str().unwrap()]),
        ["acme-live-token"]
    );
    // A broken file is an error, not an empty rule set.
    std::fs::write(&config, "[[rules]]\nid = 'x'\nregex = '(unclosed'\n").unwrap();
    let out = drydock(dir.path())
        .args(["--scanners", "secret", "--secret-config"])
        .arg(&config)
        .arg("rootfs")
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("drydock: error: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[test]
fn build_findings_never_quote_a_token_even_with_its_rule_off() {
    let dir = tempdir();
    let token = format!("sk_live_{}", "51Hx9QmK2vR8pL3tW7nY4cB6dZ0aE");
    let dockerfile = dir.path().join("Dockerfile");
    std::fs::write(
        &dockerfile,
        format!(
            "FROM debian:12\nRUN apt install -y jq && curl -u \"{token}:\" https://example.invalid/x\nENV API_TOKEN={token}\n"
        ),
    )
    .unwrap();
    for extra in [&[][..], &["--disable-rules", "stripe-secret-key"][..]] {
        for format in ["json", "sarif", "table"] {
            let out = drydock(dir.path())
                .args(["--format", format])
                .args(extra)
                .arg("dockerfile")
                .arg(&dockerfile)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("DD007"), "{format}: the apt rule fired");
            assert!(
                !text.contains(&token),
                "{format} {extra:?} prints the token:\n{text}"
            );
        }
    }
}

/// Alpine's minirootfs with one package added to its apk database: a file still as the
/// package shipped it (same SHA-1 as the `Z:` line) is the distribution's sample, not a
/// leak; the same bytes elsewhere, or the file once edited, are reported.
#[test]
fn files_an_apk_package_ships_unchanged_are_not_leaks() {
    use base64::Engine as _;
    use sha1::Digest as _;
    let shared = require_shared!();
    let tarball = shared
        .join("data/fixtures/rootfs/alpine-minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz");
    let dir = tempdir();
    let root = dir.path().join("root");
    tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&tarball).unwrap(),
    ))
    .unpack(&root)
    .unwrap();
    let sample = "[db]\npassword = Zq8-vR2#mW9!kL4x\n";
    std::fs::create_dir_all(root.join("usr/share/acme")).unwrap();
    std::fs::write(root.join("usr/share/acme/sample.ini"), sample).unwrap();
    std::fs::write(root.join("etc/acme.ini"), sample).unwrap();
    let checksum = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(sample));
    let installed = root.join("lib/apk/db/installed");
    let mut db = std::fs::read_to_string(&installed).unwrap();
    assert!(
        db.ends_with("\n\n"),
        "apk separates records by a blank line"
    );
    db.push_str(&format!(
        "P:acme-samples\nV:1.0-r0\nA:x86_64\nF:usr/share/acme\nR:sample.ini\na:0:0:644\nZ:Q1{checksum}\n\n"
    ));
    std::fs::write(&installed, db).unwrap();

    let paths = || -> Vec<String> {
        let report = json_report(
            drydock(dir.path())
                .args(["--format", "json", "--scanners", "secret", "rootfs"])
                .arg(&root)
                .output()
                .unwrap(),
        );
        let mut paths: Vec<String> = secret_findings(&report)
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        paths.sort();
        paths
    };
    assert_eq!(paths(), ["/etc/acme.ini"]);
    std::fs::write(
        root.join("usr/share/acme/sample.ini"),
        format!("{sample}# edited\n"),
    )
    .unwrap();
    assert_eq!(paths(), ["/etc/acme.ini", "/usr/share/acme/sample.ini"]);
}

/// `--skip-dirs` and `--skip-files` take paths out of every scanner: the secrets and the
/// language packages under them are gone, everything else is as before.
#[test]
fn skipped_paths_are_out_of_every_scanner() {
    let shared = require_shared!();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let cache = tempdir();
    let scan = |extra: &[&str]| -> Value {
        json_report(
            drydock(cache.path())
                .args(["--format", "json", "--scanners", "secret,sbom"])
                .args(extra)
                .args(["image", "--input"])
                .arg(&image)
                .output()
                .unwrap(),
        )
    };
    let secret_paths = |report: &Value| -> BTreeSet<String> {
        secret_findings(report)
            .iter()
            .filter_map(|f| f["path"].as_str().map(str::to_string))
            .collect()
    };
    let package_files = |report: &Value| -> BTreeSet<String> {
        report["inventory"]["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["found_in"].as_str().unwrap().to_string())
            .collect()
    };
    let full = scan(&[]);
    assert!(secret_paths(&full).contains("/root/.ssh/id_rsa"));
    assert!(secret_paths(&full).contains("/app/.env"));
    assert!(package_files(&full)
        .iter()
        .any(|f| f.contains("/site-packages/")));

    // The second run reads every layer from the cache: skips apply after it.
    let skipped = scan(&[
        "--skip-dirs",
        "root/.ssh,**/site-packages",
        "--skip-files",
        "/app/.env",
    ]);
    let mut expected = secret_paths(&full);
    expected.remove("/root/.ssh/id_rsa");
    expected.remove("/app/.env");
    assert_eq!(secret_paths(&skipped), expected);
    let expected: BTreeSet<String> = package_files(&full)
        .into_iter()
        .filter(|f| !f.contains("/site-packages/"))
        .collect();
    assert!(expected.iter().any(|f| f.starts_with("/app/")));
    assert_eq!(package_files(&skipped), expected);

    let out = drydock(cache.path())
        .args(["--skip-files", "a[", "image", "--input"])
        .arg(&image)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.trim() == "drydock: error: --skip-files: invalid pattern \"a[\": unclosed character class; missing ']'",
        "{stderr}"
    );
}
