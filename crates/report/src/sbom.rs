//! SBOMs of an image's inventory: CycloneDX 1.6 JSON and SPDX 2.3 JSON.

use drydock_inventory::{Inventory, Package};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

/// What the SBOM describes.
#[derive(Clone, Debug)]
pub struct Subject {
    /// Image reference or path.
    pub name: String,
    /// Image ID (config digest) or manifest digest, when there is one.
    pub digest: Option<String>,
    /// Creation time, RFC 3339 (fixed in tests, now otherwise).
    pub timestamp: String,
    /// When the scan began, RFC 3339 (GitLab's report wants both ends).
    pub started: String,
}

/// A name-based UUID (version 8 layout, SHA-256) so the same input names the same document
/// and different images differ.
pub(crate) fn uuid_from(seed: &str) -> String {
    let hash = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex_lower(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn seed(subject: &Subject) -> String {
    format!(
        "{}|{}|{}",
        subject.name,
        subject.digest.as_deref().unwrap_or(""),
        subject.timestamp
    )
}

fn properties(p: &Package) -> Vec<Value> {
    let mut props = vec![json!({"name": "drydock:package:type", "value": p.kind.as_str()})];
    let mut add = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            props.push(json!({"name": name, "value": value}));
        }
    };
    add("drydock:package:source-name", p.source_name.clone());
    add("drydock:package:source-version", p.source_version.clone());
    add("drydock:package:arch", p.arch.clone());
    add(
        "drydock:package:modularity-label",
        p.modularity_label.clone(),
    );
    add("drydock:location:path", Some(p.found_in.clone()));
    if let Some(layer) = &p.layer {
        add("drydock:layer:index", Some(layer.index.to_string()));
        add("drydock:layer:diff-id", layer.diff_id.clone());
        add("drydock:layer:created-by", layer.created_by.clone());
    }
    props
}

pub fn cyclonedx(subject: &Subject, inventory: &Inventory) -> Value {
    let mut components: Vec<Value> = Vec::new();
    if let Some(os) = &inventory.os {
        components.push(json!({
            "bom-ref": format!("os:{}-{}", os.family, os.version),
            "type": "operating-system",
            "name": os.family,
            "version": os.version,
            "description": os.name,
        }));
    }
    for (i, p) in inventory.packages.iter().enumerate() {
        let mut component = json!({
            // purls can repeat (the same package in two databases); the index keeps refs unique.
            "bom-ref": format!("{}#{i}", p.purl),
            "type": "library",
            "name": p.name,
            "version": p.version,
            "purl": p.purl,
            "properties": properties(p),
        });
        if !p.licenses.is_empty() {
            component["licenses"] = Value::Array(
                p.licenses
                    .iter()
                    .map(|l| json!({"license": {"name": l}}))
                    .collect(),
            );
        }
        if let Some(vendor) = &p.vendor {
            component["publisher"] = json!(vendor);
        }
        components.push(component);
    }
    let mut image = json!({
        "bom-ref": "image",
        "type": "container",
        "name": subject.name,
    });
    if let Some(digest) = &subject.digest {
        image["version"] = json!(digest);
    }
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_from(&seed(subject))),
        "version": 1,
        "metadata": {
            "timestamp": subject.timestamp,
            "tools": {"components": [{"type": "application", "name": "drydock", "version": env!("CARGO_PKG_VERSION")}]},
            "component": image,
        },
        "components": components,
    })
}

/// The CycloneDX BOM of a whole report: the inventory, and when vulnerabilities were
/// scanned, each tied to its component with a VEX analysis.
pub fn cyclonedx_report(subject: &Subject, report: &crate::Report) -> Value {
    let mut bom = cyclonedx(subject, &report.inventory);
    if report.vulnerability_scan.is_some() {
        // Components by (purl, where it was found): the same package can be installed twice.
        let refs: std::collections::HashMap<(&str, &str), String> = report
            .inventory
            .packages
            .iter()
            .enumerate()
            .rev()
            .map(|(i, p)| {
                (
                    (p.purl.as_str(), p.found_in.as_str()),
                    format!("{}#{i}", p.purl),
                )
            })
            .collect();
        let lookup = |purl: &str, path: &str| refs.get(&(purl, path)).cloned();
        bom["vulnerabilities"] =
            Value::Array(crate::vex::cyclonedx_vulnerabilities(report, &lookup));
    }
    bom
}

/// SPDX ids allow letters, digits, `.` and `-` only.
fn spdx_id(prefix: &str, index: usize, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-{prefix}-{index}-{clean}")
}

pub fn spdx(subject: &Subject, inventory: &Inventory) -> Value {
    let mut packages = vec![json!({
        "name": subject.name,
        "SPDXID": "SPDXRef-Image",
        "versionInfo": subject.digest.clone().unwrap_or_else(|| "unknown".into()),
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "CONTAINER",
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Image",
    })];
    if let Some(os) = &inventory.os {
        packages.push(json!({
            "name": os.family,
            "SPDXID": "SPDXRef-OperatingSystem",
            "versionInfo": os.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": "OPERATING_SYSTEM",
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "description": os.name,
        }));
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Image",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": "SPDXRef-OperatingSystem",
        }));
    }
    for (i, p) in inventory.packages.iter().enumerate() {
        let id = spdx_id("Package", i, &p.name);
        let mut package = json!({
            "name": p.name,
            "SPDXID": id,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": "LIBRARY",
            "licenseConcluded": "NOASSERTION",
            // Package metadata licences are free text (GPLv2+, "MIT AND BSD"), not always
            // valid SPDX expressions: they go in the comment rather than fail validation.
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "sourceInfo": format!("found in {}", p.found_in),
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
        });
        if !p.licenses.is_empty() {
            package["licenseComments"] = json!(format!(
                "declared by the package: {}",
                p.licenses.join(" AND ")
            ));
        }
        if let Some(vendor) = &p.vendor {
            package["supplier"] = json!(format!("Organization: {vendor}"));
        }
        packages.push(package);
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Image",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": subject.name,
        "documentNamespace": format!("urn:uuid:{}", uuid_from(&seed(subject))),
        "creationInfo": {
            "created": subject.timestamp,
            "creators": [format!("Tool: drydock-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

/// The current time as RFC 3339 UTC with seconds (`2026-11-27T07:04:22Z`).
/// The current time, or `SOURCE_DATE_EPOCH` when set (the reproducible-builds convention):
/// then a report of the same image is the same bytes, run after run.
pub fn now_rfc3339() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    let date = drydock_inventory::eol::civil_date((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}
