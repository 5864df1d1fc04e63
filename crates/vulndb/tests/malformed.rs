//! Malformed XML, YAML and JSON records: each is skipped with a warning naming its file,
//! and everything else builds.

use std::fs;
use std::path::Path;

use drydock_vulndb::{build, Database};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const GOOD_OVAL: &str = r#"<oval_definitions><definitions>
<definition id="oval:com.oracle.elsa:def:20240001" class="patch"><metadata>
<title>ELSA-2024-0001: foo security update (IMPORTANT)</title>
<affected family="unix"><platform>Oracle Linux 9</platform></affected>
<reference source="CVE" ref_id="CVE-2024-0001" ref_url="x"/>
<advisory><severity>IMPORTANT</severity></advisory></metadata>
<criteria operator="AND"><criterion comment="Oracle Linux 9 is installed"/>
<criterion comment="foo is earlier than 0:1.0-2.el9"/></criteria></definition>
</definitions></oval_definitions>"#;

#[test]
fn bad_records_are_skipped_and_named() {
    let feeds = tempfile::tempdir().unwrap();
    let root = feeds.path();
    write(root, "oracle/good.xml", GOOD_OVAL);
    write(
        root,
        "oracle/broken.xml",
        "<oval_definitions><definitions><definition id=",
    );
    write(
        root,
        "rubygems/gems/rack/CVE-2018-16471.yml",
        "gem: rack\ncve: 2018-16471\npatched_versions:\n  - \">= 2.0.6\"\n",
    );
    write(
        root,
        "rubygems/gems/rack/broken.yml",
        "gem: rack\npatched_versions: [\n",
    );
    write(
        root,
        "packagist/a/b/broken.yaml",
        "reference: composer://a/b\nbranches: {m: {versions: ['>=1.0', \n",
    );
    write(
        root,
        "redhat/cve-2099-0001.json",
        r#"{"document":{"category":"csaf_vex","tracking":{"id":"CVE-2099-0001"}},"product_tree":{},"csaf_version":"2.0","vulnerabilities":[]}"#,
    );
    write(
        root,
        "redhat/broken.json",
        r#"{"csaf_version":"2.0","product_tree":{"#,
    );
    let out = tempfile::tempdir().unwrap();
    let db_path = out.path().join("db");
    let report = build(&[root.to_path_buf()], &db_path, "2026-01-01T00:00:00Z").unwrap();
    let source = |name: &str| {
        report
            .sources
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    for (name, bad_file, records) in [
        ("oracle", "broken.xml", 1),
        ("rubygems", "broken.yml", 1),
        ("redhat", "broken.json", 1),
        ("packagist", "broken.yaml", 0),
    ] {
        let s = source(name);
        assert_eq!(s.records, records, "{name}");
        assert_eq!(s.skipped, 1, "{name}: {:?}", s.warnings);
        assert!(
            s.warnings.iter().any(|w| w.contains(bad_file)),
            "{name}: {:?}",
            s.warnings
        );
    }
    let db = Database::open(&db_path).unwrap();
    assert_eq!(db.affected("Oracle Linux:9", "foo").unwrap().len(), 1);
    assert_eq!(db.affected("RubyGems", "rack").unwrap().len(), 1);
    let (advisory, source) = db.advisory("ELSA-2024-0001").unwrap().unwrap();
    assert_eq!(source, "oracle");
    assert_eq!(advisory.aliases, ["CVE-2024-0001"]);
}
