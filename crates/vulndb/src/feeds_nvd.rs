//! NVD and CVE records as enrichment only: one [`CveInfo`] per CVE (English description,
//! CVSS vectors with base scores, published date). No affected packages are derived (CPE
//! matching is out of scope).
//!
//! Formats: the NVD JSON 1.1 feed (`CVE_Items[]`, `impact.baseMetricV3/V2`), an NVD API 2.0
//! page (`vulnerabilities[].cve`, `metrics.cvssMetricV40/V31/V30/V2[]`, primary and
//! secondary sources kept apart), and CVE JSON 5 records (`containers.cna` and `adp`
//! metrics).

use serde_json::Value;

use crate::model::{CveInfo, CvssScore};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Nvd11,
    NvdApi2,
    Cve5,
}

pub fn sniff(text: &str) -> Option<Format> {
    if text.contains("\"CVE_Items\"") {
        Some(Format::Nvd11)
    } else if text.contains("\"vulnerabilities\"") && text.contains("\"resultsPerPage\"") {
        Some(Format::NvdApi2)
    } else if text.contains("\"dataType\"") && text.contains("CVE_RECORD") {
        Some(Format::Cve5)
    } else {
        None
    }
}

fn s(v: &Value, path: &str) -> Option<String> {
    v.pointer(path)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
}

fn english(list: Option<&Value>) -> Option<String> {
    let list = list?.as_array()?;
    list.iter()
        .find(|d| {
            d.get("lang")
                .and_then(Value::as_str)
                .is_some_and(|l| l.starts_with("en"))
        })
        .or(list.first())
        .and_then(|d| d.get("value").and_then(Value::as_str))
        .map(|t| t.trim().to_string())
}

fn kind_for(vector: &str, fallback: &str) -> String {
    if vector.starts_with("CVSS:4") {
        "CVSS_V4".into()
    } else if vector.starts_with("CVSS:3") {
        "CVSS_V3".into()
    } else {
        fallback.into()
    }
}

fn score(data: &Value, fallback_kind: &str, source: Option<String>) -> Option<CvssScore> {
    let vector = s(data, "/vectorString")?;
    Some(CvssScore {
        kind: kind_for(&vector, fallback_kind),
        vector,
        base_score: data.get("baseScore").and_then(Value::as_f64),
        source,
    })
}

fn push(list: &mut Vec<CvssScore>, c: Option<CvssScore>) {
    if let Some(c) = c {
        if !list
            .iter()
            .any(|o| o.vector == c.vector && o.source == c.source)
        {
            list.push(c);
        }
    }
}

fn nvd11(doc: &Value) -> Vec<CveInfo> {
    let mut out = Vec::new();
    for item in doc
        .get("CVE_Items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(cve) = s(item, "/cve/CVE_data_meta/ID") else {
            continue;
        };
        let mut cvss = Vec::new();
        push(
            &mut cvss,
            item.pointer("/impact/baseMetricV3/cvssV3")
                .and_then(|d| score(d, "CVSS_V3", Some("nvd@nist.gov".into()))),
        );
        push(
            &mut cvss,
            item.pointer("/impact/baseMetricV2/cvssV2")
                .and_then(|d| score(d, "CVSS_V2", Some("nvd@nist.gov".into()))),
        );
        out.push(CveInfo {
            cve,
            description: english(item.pointer("/cve/description/description_data")),
            cvss,
            published: s(item, "/publishedDate"),
            source: "NVD".into(),
        });
    }
    out
}

fn api2(doc: &Value) -> Vec<CveInfo> {
    let mut out = Vec::new();
    for v in doc
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(cve) = s(v, "/cve/id") else {
            continue;
        };
        let mut cvss = Vec::new();
        for (key, kind) in [
            ("cvssMetricV40", "CVSS_V4"),
            ("cvssMetricV31", "CVSS_V3"),
            ("cvssMetricV30", "CVSS_V3"),
            ("cvssMetricV2", "CVSS_V2"),
        ] {
            for m in v
                .pointer(&format!("/cve/metrics/{key}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let source = s(m, "/source");
                push(
                    &mut cvss,
                    m.get("cvssData").and_then(|d| score(d, kind, source)),
                );
            }
        }
        out.push(CveInfo {
            cve,
            description: english(v.pointer("/cve/descriptions")),
            cvss,
            published: s(v, "/cve/published"),
            source: "NVD".into(),
        });
    }
    out
}

fn cve5(doc: &Value) -> Vec<CveInfo> {
    let Some(cve) = s(doc, "/cveMetadata/cveId") else {
        return Vec::new();
    };
    let mut containers: Vec<&Value> = doc.pointer("/containers/cna").into_iter().collect();
    containers.extend(
        doc.pointer("/containers/adp")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    let mut cvss = Vec::new();
    for c in &containers {
        let source = s(c, "/providerMetadata/shortName");
        for m in c
            .get("metrics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for (key, kind) in [
                ("cvssV4_0", "CVSS_V4"),
                ("cvssV3_1", "CVSS_V3"),
                ("cvssV3_0", "CVSS_V3"),
                ("cvssV2_0", "CVSS_V2"),
            ] {
                push(
                    &mut cvss,
                    m.get(key).and_then(|d| score(d, kind, source.clone())),
                );
            }
        }
    }
    vec![CveInfo {
        cve,
        description: english(doc.pointer("/containers/cna/descriptions")),
        cvss,
        published: s(doc, "/cveMetadata/datePublished"),
        source: "CVE".into(),
    }]
}

/// Parses one document of `format`.
pub fn parse(bytes: &[u8], format: Format) -> Result<Vec<CveInfo>, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let out = match format {
        Format::Nvd11 => nvd11(&doc),
        Format::NvdApi2 => api2(&doc),
        Format::Cve5 => cve5(&doc),
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn member(archive: &str, suffix: &str) -> Option<Vec<u8>> {
        let path = crate::test_advisories()
            .join("nvd")
            .join(archive)
            .display()
            .to_string();
        let file = crate::shared_file(&path, std::fs::File::open(&path))?;
        let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
        for e in tar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            if name.ends_with(suffix) {
                let mut b = Vec::new();
                e.read_to_end(&mut b).unwrap();
                return Some(b);
            }
        }
        panic!("{suffix} not in {archive}");
    }

    #[test]
    fn nvd_11_feed() {
        let Some(b) = member(
            "osv.dev-nvdcve-1.1-slice-2022-08.tar.zst",
            "nvdcve-1.1-test-data.json",
        ) else {
            return;
        };
        assert_eq!(sniff(&String::from_utf8_lossy(&b)), Some(Format::Nvd11));
        let infos = parse(&b, Format::Nvd11).unwrap();
        assert_eq!(infos.len(), 669);
        let i = infos.iter().find(|i| i.cve == "CVE-2022-0090").unwrap();
        assert!(i
            .description
            .as_deref()
            .unwrap()
            .starts_with("An issue has been"));
        assert_eq!(i.published.as_deref(), Some("2022-01-18T17:15Z"));
        assert_eq!(i.cvss.len(), 2);
        assert_eq!(i.cvss[0].kind, "CVSS_V3");
        assert_eq!(
            i.cvss[0].vector,
            "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:H/A:N"
        );
        assert_eq!(i.cvss[0].base_score, Some(6.5));
        assert_eq!(
            (i.cvss[1].kind.as_str(), i.cvss[1].base_score),
            ("CVSS_V2", Some(5.0))
        );
    }

    #[test]
    fn nvd_api_2_page() {
        let Some(b) = member("samples-vunnel-nvd-api2.tar.zst", "full-page.json") else {
            return;
        };
        assert_eq!(sniff(&String::from_utf8_lossy(&b)), Some(Format::NvdApi2));
        let infos = parse(&b, Format::NvdApi2).unwrap();
        assert_eq!(infos.len(), 38);
        let i = infos.iter().find(|i| i.cve == "CVE-2023-27314").unwrap();
        assert!(i.description.as_deref().unwrap().starts_with("ONTAP 9"));
        // Primary and secondary scores with the same vector stay apart by source.
        assert_eq!(i.cvss.len(), 2);
        assert_eq!(i.cvss[0].source.as_deref(), Some("nvd@nist.gov"));
        assert_eq!(i.cvss[0].base_score, Some(7.5));
    }

    #[test]
    fn cve5_records() {
        let Some(b) = member("cvelistV5-cve5-samples.tar.zst", "CVE-2024-3094.json") else {
            return;
        };
        assert_eq!(sniff(&String::from_utf8_lossy(&b)), Some(Format::Cve5));
        let infos = parse(&b, Format::Cve5).unwrap();
        assert_eq!(infos.len(), 1);
        assert_eq!(infos[0].cve, "CVE-2024-3094");
        assert!(infos[0].description.is_some());
        assert!(!infos[0].cvss.is_empty());
        assert!(parse(b"{", Format::Cve5).is_err());
        assert!(parse(b"{}", Format::Cve5).unwrap().is_empty());
    }
}
