//! Package databases as the secret analyzer reads them: the digests it keeps for each
//! package file are the ones the package manager recorded (checked against upstream's own
//! dump of a real rpm database).

mod common;

use drydock_image::FileAnalyzer;
use drydock_secrets::{SecretAnalyzer, SecretConfig};

#[test]
fn rpm_databases_give_each_file_its_recorded_digest() {
    let dir = common::shared_dir().join("data/fixtures/rpmdb/cbl-mariner-2.0-sqlite");
    let Ok(bytes) = std::fs::read(dir.join("rpmdb.sqlite")) else {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("required under CI: {} not found", dir.display());
        }
        eprintln!("SKIPPED: {} not found (set DRYDOCK_SHARED)", dir.display());
        return;
    };
    let analyzer = SecretAnalyzer::new(&SecretConfig::default()).unwrap();
    for path in [
        "/var/lib/rpm/rpmdb.sqlite",
        "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    ] {
        assert!(analyzer.wants(path));
        // Package databases are read past the cap for ordinary files.
        assert!(analyzer.max_size_for(path) > analyzer.max_size());
    }
    let value = analyzer
        .analyze("/var/lib/rpm/rpmdb.sqlite", &bytes)
        .unwrap()
        .expect("package files");
    let owned: Vec<(String, String)> = serde_json::from_value(value["owned"].clone()).unwrap();
    // upstream-curl.json (go-rpmdb's dump): curl-config's FILEDIGESTS entry, SHA-256.
    assert!(
        owned.contains(&(
            "/usr/bin/curl-config".to_string(),
            "sha256:f044fcec45baaaaa7f2de43646719812a1fc75eb3582ae4c9bfc2fd0aa873afc".to_string()
        )),
        "{} entries",
        owned.len()
    );
    assert!(owned
        .iter()
        .all(|(p, d)| p.starts_with('/') && d.starts_with("sha256:")));
}
