//! User rules in gitleaks' TOML format, loaded into the same engine as the built-in ones.

use drydock_secrets::{SecretAnalyzer, SecretConfig, SecretConfigError, Severity};

const CONFIG: &str = r#"
title = "acme secrets"

[extend]
useDefault = true
disabledRules = ["jwt"]

[[rules]]
id = "acme-internal-token"
description = "Acme internal service token"
regex = '''\bacme_(?:live|test)_([a-z0-9]{24})\b'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_live_", "acme_test_"]
tags = ["internal"]
severity = "critical"

  [rules.allowlist]
  description = "sandbox tokens are shared on purpose"
  stopwords = ["sandbox"]

[[rules]]
id = "acme-deploy-key"
description = "Deploy key file"
path = '''(^|/)deploy\.key$'''

[[rules]]
id = "acme-ticket"
description = "Ticket ids are not secret, unless on a line marked confidential"
regex = '''TICKET-[0-9]{6}'''

  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''^(?:[^c]|c[^o])*$''']

[allowlist]
description = "fixtures"
paths = ['''(^|/)fixtures/''']
"#;

fn analyzer() -> SecretAnalyzer {
    SecretAnalyzer::new(&SecretConfig::from_toml_str(CONFIG).unwrap()).unwrap()
}

fn rules(analyzer: &SecretAnalyzer, path: &str, text: &str) -> Vec<String> {
    analyzer
        .scan_file(path, text.as_bytes())
        .into_iter()
        .map(|h| h.rule)
        .collect()
}

#[test]
fn user_rules_run_beside_the_built_in_ones() {
    let analyzer = analyzer();
    let info = analyzer
        .rules()
        .iter()
        .find(|r| r.id == "acme-internal-token")
        .unwrap();
    assert_eq!(info.severity, Severity::Critical);
    assert_eq!(info.title, "Acme internal service token");
    assert!(!info.builtin);
    let hits = analyzer.scan_file("/app/conf", b"TOKEN=acme_live_q8zt2lmw9vxc4rbn7ykd3hfj\n");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule, "acme-internal-token");
    // secretGroup 1: the secret is the 24 characters after the prefix.
    assert_eq!(hits[0].length, 24);
    assert_eq!(hits[0].line, 1);
    // Built-in rules still run.
    assert_eq!(
        rules(
            &analyzer,
            "/app/conf",
            "aws_secret_access_key = q8Zt2LmW9vXc4RbN7yKd3HfJ6sPa1GeU/x+5Tn0B\n"
        ),
        ["aws-secret-access-key"]
    );
}

#[test]
fn allowlists_entropy_and_disabled_rules() {
    let analyzer = analyzer();
    // Rule allowlist stopword.
    assert!(rules(
        &analyzer,
        "/app/conf",
        "acme_test_sandboxq8zt2lmw9vxc4rbn7\n"
    )
    .is_empty());
    // Entropy floor.
    assert!(rules(
        &analyzer,
        "/app/conf",
        "acme_live_aaaaaaaaaaaabbbbbbbbbbbb\n"
    )
    .is_empty());
    // Global path allowlist (paths are matched relative to the image root, like a repo's).
    assert!(rules(
        &analyzer,
        "/app/fixtures/conf",
        "acme_live_q8zt2lmw9vxc4rbn7ykd3hfj\n"
    )
    .is_empty());
    // Line-targeted allowlist: only lines saying "co..." (confidential) are kept.
    assert!(rules(&analyzer, "/app/notes", "see TICKET-123456\n").is_empty());
    assert_eq!(
        rules(&analyzer, "/app/notes", "confidential TICKET-123456\n"),
        ["acme-ticket"]
    );
    // [extend] disabledRules.
    assert!(!analyzer.is_enabled("jwt"));
}

#[test]
fn path_only_rules_report_the_file() {
    let analyzer = analyzer();
    let hits = analyzer.scan_file("/srv/deploy.key", b"anything");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule, "acme-deploy-key");
    assert_eq!(hits[0].redacted, None);
    assert!(analyzer
        .scan_file("/srv/deploy.key.pub", b"anything")
        .is_empty());
}

#[test]
fn builtin_rules_can_be_turned_off_or_replaced() {
    let only_user = SecretConfig::from_toml_str(
        "[extend]\nuseDefault = false\n[[rules]]\nid = \"x\"\nregex = 'xyz_[0-9]{8}'\n",
    )
    .unwrap();
    let analyzer = SecretAnalyzer::new(&only_user).unwrap();
    assert_eq!(analyzer.rules().len(), 1);
    assert_eq!(rules(&analyzer, "/a", "xyz_12345678\n"), ["x"]);

    // A user rule with a built-in id replaces the built-in one.
    let replace = SecretConfig::from_toml_str(
        "[[rules]]\nid = \"stripe-secret-key\"\nregex = 'stripe:([a-z]{10})'\nseverity = \"low\"\n",
    )
    .unwrap();
    let analyzer = SecretAnalyzer::new(&replace).unwrap();
    assert_eq!(
        rules(&analyzer, "/a", "stripe:qwertyuiop\n"),
        ["stripe-secret-key"]
    );
    let live = "sk_live_q8Zt2LmW9vXc4RbN7yKd3HfJ\n";
    assert!(rules(&analyzer, "/a", live).is_empty());

    // drydock's own keys, in snake or camel case.
    let own = SecretConfig::from_toml_str(
        "disabled_rules = [\"github-pat\"]\nmaxFileSize = 4096\nextraSkipPaths = [\"/srv/cache\"]\nscanImageConfig = false\n",
    )
    .unwrap();
    assert_eq!(own.max_file_size, 4096);
    assert!(!own.scan_image_config);
    let analyzer = SecretAnalyzer::new(&own).unwrap();
    assert!(!analyzer.is_enabled("github-pat"));
    use drydock_image::FileAnalyzer;
    assert!(!analyzer.wants("/srv/cache/x.txt"));
}

#[test]
fn bad_configs_are_errors_that_name_the_rule() {
    let cases = [
        ("[[rules]]\nid = \"bad\"\nregex = '(unclosed'\n", "bad"),
        ("[[rules]]\nid = \"group\"\nregex = 'a(b)'\nsecretGroup = 3\n", "group"),
        ("[[rules]]\nid = \"empty\"\n", "empty"),
        ("[[rules]]\nid = \"d\"\nregex = 'a'\n[[rules]]\nid = \"d\"\nregex = 'b'\n", "d"),
        ("[[rules]]\nid = \"t\"\nregex = 'a'\n[rules.allowlist]\nregexTarget = 'commit'\nregexes = ['x']\n", "t"),
    ];
    for (text, rule) in cases {
        let config = SecretConfig::from_toml_str(text).unwrap();
        let err = SecretAnalyzer::new(&config).unwrap_err();
        assert!(err.to_string().contains(rule), "{err}");
    }
    let allowlisted = "[allowlist]\nregexes = ['''q8Zt2LmW9vXc4RbN''']\nbroken = \n";
    match SecretConfig::from_toml_str(allowlisted) {
        Err(SecretConfigError::Toml(message)) => {
            assert!(message.starts_with("line 3"), "{message}");
            assert!(!message.contains("q8Zt2LmW9vXc4RbN"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        SecretConfig::from_toml_str("severity = 1\n[[rules]]\nid='a'\nseverity='urgent'\n"),
        Err(SecretConfigError::Toml(_))
    ));
    let missing = SecretConfig::load(std::path::Path::new("/nonexistent/secrets.toml"));
    assert!(matches!(missing, Err(SecretConfigError::Read { .. })));
}
