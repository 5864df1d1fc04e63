//! PHP Composer: what is installed (`vendor/composer/installed.json`, Composer 1 array
//! and Composer 2 `{"packages": [...]}`) and what a project pins (`composer.lock`).
//!
//! Policy, as Trivy reports an image: every installed package (a `--no-dev` install
//! has no dev packages to find); from `composer.lock` the `packages` section only,
//! `packages-dev` being development-only. Versions are kept as Composer writes them
//! (`v1.0.2`, `2.0.4`). Lockfiles under `vendor/` belong to a dependency's own
//! development setup and are ignored.

use std::collections::HashSet;

use serde_json::Value;

use super::{Cataloger, LangPackage};
use crate::model::PackageKind;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    vec![&INSTALLED, &LOCK]
}

static INSTALLED: InstalledJson = InstalledJson;
static LOCK: ComposerLock = ComposerLock;

/// `vendor/composer/installed.json`.
struct InstalledJson;

impl Cataloger for InstalledJson {
    fn name(&self) -> &'static str {
        "composer"
    }

    fn wants(&self, path: &str) -> bool {
        path.ends_with("/composer/installed.json")
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let doc = parse_json(content)?;
        let packages = match &doc {
            Value::Array(list) => list,
            Value::Object(map) => match map.get("packages") {
                Some(Value::Array(list)) => list,
                _ => return Err("installed.json without a packages list".into()),
            },
            _ => return Err("installed.json is neither a list nor an object".into()),
        };
        Ok(packages
            .iter()
            .filter_map(|entry| composer_package(entry, path))
            .collect())
    }
}

/// `composer.lock`.
struct ComposerLock;

impl Cataloger for ComposerLock {
    fn name(&self) -> &'static str {
        "composer-lock"
    }

    fn wants(&self, path: &str) -> bool {
        path.rsplit('/').next() == Some("composer.lock") && !path.contains("/vendor/")
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let doc = parse_json(content)?;
        if !doc.is_object() {
            return Err("composer.lock is not an object".into());
        }
        let packages = doc["packages"].as_array().into_iter().flatten();
        let mut seen = HashSet::new();
        Ok(packages
            .filter_map(|entry| composer_package(entry, path))
            .filter(|p| seen.insert((p.name.clone(), p.version.clone())))
            .collect())
    }
}

fn parse_json(content: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(content).map_err(|e| format!("invalid JSON: {e}"))
}

/// One package entry (same shape in both files); entries without a name or version
/// are skipped.
fn composer_package(entry: &Value, path: &str) -> Option<LangPackage> {
    let name = entry["name"]
        .as_str()
        .map(str::trim)
        .filter(|n| !n.is_empty())?;
    let version = entry["version"]
        .as_str()
        .map(str::trim)
        .filter(|v| !v.is_empty())?;
    Some(LangPackage {
        kind: PackageKind::Composer,
        name: name.to_string(),
        namespace: None,
        version: version.to_string(),
        licenses: licenses_of(&entry["license"]),
        path: path.to_string(),
    })
}

/// `"license": ["MIT", "BSD-2-Clause"]`, or a single string in old packages.
fn licenses_of(license: &Value) -> Vec<String> {
    let names: Vec<&Value> = match license {
        Value::Array(list) => list.iter().collect(),
        other => vec![other],
    };
    names
        .into_iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wants_installed_json_and_project_lockfiles() {
        assert!(INSTALLED.wants("/var/www/vendor/composer/installed.json"));
        assert!(!INSTALLED.wants("/var/www/installed.json"));
        assert!(LOCK.wants("/var/www/composer.lock"));
        assert!(!LOCK.wants("/var/www/vendor/acme/lib/composer.lock"));
        assert!(!LOCK.wants("/var/www/composer.lock.bak"));
    }

    #[test]
    fn installed_json_both_shapes() {
        let v1 = br#"[{"name": "a/b", "version": "1.0.0", "license": "MIT"}, {"name": "x"}]"#;
        let got = INSTALLED.parse("/v/composer/installed.json", v1).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].licenses, ["MIT"]);
        let v2 = br#"{"packages": [{"name": "a/b", "version": "v2.0.0", "license": ["MIT", 3]}],
                      "dev": true, "dev-package-names": []}"#;
        let got = INSTALLED.parse("/v/composer/installed.json", v2).unwrap();
        assert_eq!(
            (got[0].version.as_str(), got[0].licenses.as_slice()),
            ("v2.0.0", &["MIT".to_string()][..])
        );
    }

    #[test]
    fn lock_leaves_dev_packages_out() {
        let lock = br#"{"packages": [{"name": "a/b", "version": "1.0.0"}, {"name": "a/b", "version": "1.0.0"}],
                        "packages-dev": [{"name": "c/d", "version": "2.0.0"}]}"#;
        let got = LOCK.parse("/p/composer.lock", lock).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].name, "a/b");
        assert!(LOCK
            .parse("/p/composer.lock", b"{\"packages\": null}")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        let deep = "[".repeat(10_000);
        for input in [
            &b"null"[..],
            b"{\"packages\": [",
            b"\xff",
            deep.as_bytes(),
            b"42",
        ] {
            assert!(LOCK.parse("/p/composer.lock", input).is_err());
            assert!(INSTALLED
                .parse("/v/composer/installed.json", input)
                .is_err());
        }
        // Wrong types inside are skipped, not fatal.
        let odd = br#"{"packages": [1, "x", {"name": ["a"], "version": "1"}, {"name": "a/b", "version": {}}]}"#;
        assert!(LOCK.parse("/p/composer.lock", odd).unwrap().is_empty());
    }
}
