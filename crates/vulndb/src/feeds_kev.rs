//! CISA's Known Exploited Vulnerabilities catalog (`known_exploited_vulnerabilities.json`):
//! enrichment, not advisories — a CVE listed here is being exploited in the wild.
//!
//! Fields kept per `vulnerabilities[]` entry: `cveID`, `dateAdded`, `dueDate`,
//! `knownRansomwareCampaignUse` (`"Known"` → true; `"Unknown"` or anything else → false),
//! `vendorProject`, `product`. The number of entries must equal the catalog's `count`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    pub cve: String,
    /// `YYYY-MM-DD`.
    pub date_added: String,
    /// `YYYY-MM-DD`, the federal remediation deadline.
    pub due_date: Option<String>,
    /// Whether CISA knows of ransomware campaigns using it.
    pub ransomware: bool,
    pub vendor: String,
    pub product: String,
}

#[derive(Deserialize)]
struct Catalog {
    count: u64,
    vulnerabilities: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(rename = "dateAdded")]
    date_added: String,
    #[serde(rename = "dueDate", default)]
    due_date: Option<String>,
    #[serde(rename = "knownRansomwareCampaignUse", default)]
    ransomware: Option<String>,
    #[serde(rename = "vendorProject", default)]
    vendor: Option<String>,
    #[serde(default)]
    product: Option<String>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Parses the whole catalog.
pub fn parse(bytes: &[u8]) -> Result<Vec<KevEntry>, String> {
    let catalog: Catalog = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if catalog.vulnerabilities.len() as u64 != catalog.count {
        return Err(format!(
            "catalog says count {} but lists {} vulnerabilities",
            catalog.count,
            catalog.vulnerabilities.len()
        ));
    }
    catalog
        .vulnerabilities
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let cve = item.cve_id.trim().to_string();
            if cve.is_empty() {
                return Err(format!("vulnerabilities[{i}]: empty cveID"));
            }
            let date_added = item.date_added.trim().to_string();
            if date_added.is_empty() {
                return Err(format!("{cve}: empty dateAdded"));
            }
            Ok(KevEntry {
                cve,
                date_added,
                due_date: non_empty(item.due_date),
                ransomware: item
                    .ransomware
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case("known")),
                vendor: non_empty(item.vendor).unwrap_or_default(),
                product: non_empty(item.product).unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn fields() {
        let json = br#"{"title":"t","catalogVersion":"2025.08.25","count":2,"vulnerabilities":[
            {"cveID":"CVE-2025-48384","vendorProject":"Git","product":"Git","dateAdded":"2025-08-25",
             "dueDate":"2025-09-15","knownRansomwareCampaignUse":"Unknown","notes":"x","cwes":["CWE-59"]},
            {"cveID":" CVE-2021-44228 ","vendorProject":"Apache","product":"Log4j2","dateAdded":"2021-12-10",
             "dueDate":"","knownRansomwareCampaignUse":"Known"}]}"#;
        let entries = parse(json).unwrap();
        assert_eq!(
            entries[0],
            KevEntry {
                cve: "CVE-2025-48384".into(),
                date_added: "2025-08-25".into(),
                due_date: Some("2025-09-15".into()),
                ransomware: false,
                vendor: "Git".into(),
                product: "Git".into(),
            }
        );
        assert_eq!(entries[1].cve, "CVE-2021-44228");
        assert!(entries[1].ransomware);
        assert_eq!(entries[1].due_date, None);
    }

    #[test]
    fn hostile_input() {
        for bad in [
            &b""[..],
            b"{",
            b"[]",
            b"{\"count\":1,\"vulnerabilities\":[]}",
            b"{\"count\":-1,\"vulnerabilities\":[]}",
            b"{\"vulnerabilities\":[]}",
            b"{\"count\":1,\"vulnerabilities\":[{\"cveID\":\"\",\"dateAdded\":\"2020-01-01\"}]}",
            b"{\"count\":1,\"vulnerabilities\":[{\"cveID\":\"CVE-1\"}]}",
            b"{\"count\":1,\"vulnerabilities\":[{\"cveID\":7,\"dateAdded\":\"x\"}]}",
            b"{\"count\":1,\"vulnerabilities\":[null]}",
            b"\xff\xfe",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse(b"{\"count\":0,\"vulnerabilities\":[]}"), Ok(vec![]));
    }

    #[test]
    fn real_catalog_count() {
        let path = crate::test_advisories().join("kev/known_exploited_vulnerabilities.json.zst");
        let path = path.as_path();
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                let reason = format!("{}: {e}", path.display());
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("real data missing under CI: {reason}");
                }
                eprintln!("skipping real-data test: {reason}");
                return;
            }
        };
        let mut bytes = Vec::new();
        zstd::stream::read::Decoder::new(file)
            .expect("zstd stream")
            .read_to_end(&mut bytes)
            .expect("decompress");
        let entries = parse(&bytes).expect("catalog parses");
        let ransomware = entries.iter().filter(|e| e.ransomware).count();
        let no_due = entries.iter().filter(|e| e.due_date.is_none()).count();
        eprintln!(
            "kev: {} entries, {ransomware} with known ransomware use, {no_due} without dueDate",
            entries.len()
        );
        assert_eq!(entries.len(), 1404);
        assert!(entries.iter().all(|e| e.cve.starts_with("CVE-")));
    }
}
