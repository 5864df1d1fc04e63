//! The planted secrets of the shared acme-shop image (`expected-acme-shop.json` has each
//! value's rule, prefix, length and SHA-256) and the clean Debian base image.

mod common;

use drydock_secrets::{FindingSource, RemovalKind, SecretConfig, SecretFinding};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Layer L6 (`COPY secrets/ /`) and its diffID prefix, per the image's README.
const SECRETS_LAYER: usize = 6;
const SECRETS_DIFF_ID: &str = "sha256:dd9f6248";
/// Layer L10 deletes `/root/.aws/credentials` and empties `/app/tmp`.
const CLEANUP_LAYER: usize = 10;

struct Planted {
    path: String,
    rule: String,
    prefix: String,
    length: usize,
    sha256: String,
}

fn planted() -> Vec<Planted> {
    let file = common::shared_dir().join("images/expected-acme-shop.json");
    let expected: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let mut out = Vec::new();
    for secret in expected["secrets"].as_array().unwrap() {
        for finding in secret["findings"].as_array().unwrap() {
            out.push(Planted {
                path: secret["path"].as_str().unwrap().to_string(),
                rule: finding["rule"].as_str().unwrap().to_string(),
                prefix: finding["prefix"].as_str().unwrap().to_string(),
                length: finding["length"].as_u64().unwrap() as usize,
                sha256: finding["sha256"].as_str().unwrap().to_string(),
            });
        }
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Whether any `length`-byte window of `text` hashes to `sha256`: finds a planted value
/// in output without the value ever being written down here.
fn contains_hashed(text: &str, length: usize, sha256: &str) -> bool {
    text.as_bytes()
        .windows(length)
        .any(|window| sha256_hex(window) == sha256)
}

fn find<'a>(findings: &'a [SecretFinding], path: &str, rule: &str) -> Option<&'a SecretFinding> {
    findings
        .iter()
        .find(|f| f.path.as_deref() == Some(path) && f.rule_id == rule)
}

/// The `DB_PASSWORD` value, read from the image config at test time (never written here).
fn db_password(config: &drydock_image::oci::ImageConfig) -> String {
    config
        .config
        .env
        .iter()
        .find_map(|e| e.strip_prefix("DB_PASSWORD="))
        .expect("DB_PASSWORD in Env")
        .to_string()
}

#[test]
fn every_planted_secret_is_found_with_its_rule_and_layer() {
    let Some(image) = common::shared_image("scanlab-acme-shop-1.4.2.oci.tar") else {
        return;
    };
    let scan = common::scan_image(&image, "1.4.2", &SecretConfig::default());
    let findings = &scan.findings;
    let all = common::describe(findings);
    for want in planted() {
        let found = find(findings, &want.path, &want.rule)
            .unwrap_or_else(|| panic!("{} not found in {}; found:\n{all}", want.rule, want.path));
        let layer = found
            .layer
            .as_ref()
            .expect("file findings name their layer");
        assert_eq!(layer.index, SECRETS_LAYER, "{}", want.rule);
        assert!(
            layer
                .diff_id
                .as_deref()
                .unwrap_or("")
                .starts_with(SECRETS_DIFF_ID),
            "{}: {:?}",
            want.rule,
            layer.diff_id
        );
        let history = found.history.as_ref().expect("layer history line");
        assert!(
            history.created_by.starts_with("COPY secrets/"),
            "{history:?}"
        );
        let redacted = found.redacted.as_deref().unwrap_or("");
        let shown = redacted.trim_end_matches('*');
        assert!(
            want.prefix.starts_with(shown) || shown.starts_with(&want.prefix),
            "{}",
            want.rule
        );
        if want.rule.starts_with("private-key:") {
            // The expectation hashes the first 64-character body line; we hash the body.
            assert!(found.secret_length > want.length, "{}", want.rule);
        } else {
            assert_eq!(found.secret_length, want.length, "{}", want.rule);
            assert_eq!(found.secret_sha256, want.sha256, "{}", want.rule);
        }
    }

    // The two files removed by L10 are reported as still shipped in L6.
    for path in ["/root/.aws/credentials", "/app/tmp/session-cache.json"] {
        for finding in findings.iter().filter(|f| f.path.as_deref() == Some(path)) {
            let removed = finding.removed.expect("deleted file marked");
            assert_eq!(removed.kind, RemovalKind::Deleted);
            assert_eq!(removed.in_layer, CLEANUP_LAYER);
            assert_eq!(
                finding.note.as_deref(),
                Some("removed in layer 10, still shipped in layer 6")
            );
        }
    }
    for finding in findings
        .iter()
        .filter(|f| f.path.as_deref() == Some("/root/.ssh/id_rsa"))
    {
        assert!(finding.removed.is_none() && finding.note.is_none());
    }

    // The ENV secret, in the config and in history entry #3 (an empty layer).
    let password = db_password(&scan.config);
    let env = findings
        .iter()
        .find(|f| f.source == FindingSource::Env)
        .unwrap_or_else(|| panic!("no ENV finding:\n{all}"));
    assert_eq!(
        (env.rule_id.as_str(), env.key.as_deref()),
        ("env-secret", Some("DB_PASSWORD"))
    );
    assert_eq!(env.secret_sha256, sha256_hex(password.as_bytes()));
    let history = findings
        .iter()
        .find(|f| f.source == FindingSource::History)
        .unwrap_or_else(|| panic!("no history finding:\n{all}"));
    assert_eq!(history.rule_id, "history-secret");
    assert_eq!(history.history.as_ref().map(|h| h.index), Some(3));
    assert!(history.layer.is_none(), "ENV makes no layer");
    assert_eq!(history.secret_sha256, env.secret_sha256);

    // Nothing else: every other finding would be a false positive.
    let expected_count = planted().len() + 2;
    assert_eq!(
        findings.len(),
        expected_count,
        "unexpected findings:\n{all}"
    );
}

#[test]
fn no_planted_value_appears_in_findings_or_cache() {
    let Some(image) = common::shared_image("scanlab-acme-shop-1.4.2.oci.tar") else {
        return;
    };
    let scan = common::scan_image(&image, "1.4.2", &SecretConfig::default());
    let outputs = [
        (
            "findings (pretty JSON)",
            serde_json::to_string_pretty(&scan.findings).unwrap(),
        ),
        (
            "findings (compact JSON)",
            serde_json::to_string(&scan.findings).unwrap(),
        ),
        ("findings (debug)", format!("{:?}", scan.findings)),
        ("cached layer facts", scan.cached_json.clone()),
    ];
    let password = db_password(&scan.config);
    // The window search itself works (positive control on a value we do have).
    let padded = format!("{{\"x\": \"{password}\"}}");
    assert!(contains_hashed(
        &padded,
        password.len(),
        &sha256_hex(password.as_bytes())
    ));
    for (what, text) in &outputs {
        for want in planted() {
            assert!(
                !contains_hashed(text, want.length, &want.sha256),
                "{what} holds the full {} value of {}",
                want.rule,
                want.path
            );
        }
        assert!(
            !text.contains(&password),
            "{what} holds the full DB_PASSWORD value"
        );
    }
}

#[test]
fn the_debian_base_image_has_no_secrets() {
    let Some(image) = common::shared_image("scanlab-debian-bookworm.oci.tar") else {
        return;
    };
    let scan = common::scan_image(&image, "bookworm", &SecretConfig::default());
    assert!(
        scan.findings.is_empty(),
        "findings in debian:bookworm:\n{}",
        common::describe(&scan.findings)
    );
}

#[test]
fn disabled_rules_and_config_scanning_can_be_turned_off() {
    let Some(image) = common::shared_image("scanlab-acme-shop-1.4.2.oci.tar") else {
        return;
    };
    let config = SecretConfig {
        disabled_rules: vec!["stripe-secret-key".into(), "private-key:rsa-pkcs1".into()],
        scan_image_config: false,
        ..SecretConfig::default()
    };
    let findings = common::scan_image(&image, "1.4.2", &config).findings;
    assert!(findings.iter().all(|f| f.source == FindingSource::File));
    assert!(!findings.iter().any(|f| f.rule_id == "stripe-secret-key"));
    assert!(!findings
        .iter()
        .any(|f| f.rule_id.starts_with("private-key:")));
    assert!(findings.iter().any(|f| f.rule_id == "slack-webhook-url"));
}
