//! Conda packages installed in an environment: one `conda-meta/<name>-<version>-<build>.json`
//! record per package, written by conda/mamba when the package is linked.

use serde::Deserialize;
use serde_json::Value;

use super::{Cataloger, LangPackage};
use crate::model::PackageKind;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    vec![&CondaMeta]
}

/// `<env>/conda-meta/*.json`.
pub struct CondaMeta;

/// The only fields we read; the rest (often a long `files` list) is skipped unparsed.
#[derive(Deserialize)]
struct MetaRecord {
    #[serde(default)]
    name: Value,
    #[serde(default)]
    version: Value,
    #[serde(default)]
    license: Value,
}

impl Cataloger for CondaMeta {
    fn name(&self) -> &'static str {
        "conda"
    }

    fn wants(&self, path: &str) -> bool {
        let Some((dir, file)) = path.rsplit_once('/') else {
            return false;
        };
        file.ends_with(".json") && (dir == "/conda-meta" || dir.ends_with("/conda-meta"))
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let record: MetaRecord =
            serde_json::from_slice(content).map_err(|e| format!("invalid conda-meta JSON: {e}"))?;
        fn non_empty(v: &Value) -> Option<&str> {
            v.as_str().map(str::trim).filter(|s| !s.is_empty())
        }
        let (Some(name), Some(version)) = (non_empty(&record.name), non_empty(&record.version))
        else {
            return Err("conda-meta record without name or version".into());
        };
        Ok(vec![LangPackage {
            kind: PackageKind::Conda,
            name: name.to_string(),
            namespace: None,
            version: version.to_string(),
            licenses: non_empty(&record.license)
                .map(|l| vec![l.to_string()])
                .unwrap_or_default(),
            path: path.to_string(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/opt/conda/conda-meta/zlib-1.2.13-h5eee18b_0.json";

    #[test]
    fn wants_only_conda_meta_json() {
        assert!(CondaMeta.wants(PATH));
        assert!(CondaMeta.wants("/conda-meta/x.json"));
        assert!(!CondaMeta.wants("/opt/conda/conda-meta/history"));
        assert!(!CondaMeta.wants("/opt/conda/pkgs/zlib/info/index.json"));
        assert!(!CondaMeta.wants("/opt/conda/not-conda-meta/x.json"));
    }

    #[test]
    fn reads_name_version_license() {
        let json =
            br#"{"name":"zlib","version":"1.2.13","license":"Zlib","files":["lib/libz.so"]}"#;
        let found = CondaMeta.parse(PATH, json).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "zlib");
        assert_eq!(found[0].version, "1.2.13");
        assert_eq!(found[0].licenses, vec!["Zlib".to_string()]);
        assert_eq!(found[0].kind, PackageKind::Conda);
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        for bad in [
            &b""[..],
            b"{",
            b"[]",
            b"{}",
            b"null",
            b"{\"name\": 5, \"version\": \"1\"}",
            b"{\"name\": \"x\", \"version\": \"\"}",
            b"\xff\xfe\x00",
        ] {
            assert!(CondaMeta.parse(PATH, bad).is_err(), "{bad:?}");
        }
        let deep = format!("{{\"name\":{}", "[".repeat(100_000));
        assert!(CondaMeta.parse(PATH, deep.as_bytes()).is_err());
    }

    #[test]
    fn non_string_license_is_ignored() {
        let json = br#"{"name":"a","version":"1","license":["MIT"]}"#;
        assert!(CondaMeta.parse(PATH, json).unwrap()[0].licenses.is_empty());
    }
}
