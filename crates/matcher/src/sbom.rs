//! An SBOM read back into an inventory, so it can be matched without the image: CycloneDX
//! and SPDX JSON, as drydock, syft and Trivy write them (packages by PURL, the OS as an
//! `operating-system` component or package).

use drydock_inventory::{LayerRef, OsInfo, Package, PackageKind};
use serde_json::Value;

use crate::purl::Purl;

#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a CycloneDX or SPDX JSON document (no bomFormat or spdxVersion)")]
    Unknown,
}

fn kind_of(purl_type: &str) -> Option<PackageKind> {
    Some(match purl_type {
        "deb" => PackageKind::Deb,
        "apk" => PackageKind::Apk,
        "rpm" => PackageKind::Rpm,
        "npm" => PackageKind::Npm,
        "pypi" => PackageKind::Pypi,
        "maven" => PackageKind::Maven,
        "golang" => PackageKind::Golang,
        "cargo" => PackageKind::Cargo,
        "gem" => PackageKind::Gem,
        "composer" => PackageKind::Composer,
        "nuget" => PackageKind::Nuget,
        "conda" => PackageKind::Conda,
        _ => return None,
    })
}

fn os_info(id: &str, version: &str, name: Option<&str>, found_in: &str) -> OsInfo {
    drydock_inventory::os::from_id(id, version, name, found_in)
}

/// A property from CycloneDX `properties` by name.
fn property<'a>(component: &'a Value, names: &[&str]) -> Option<&'a str> {
    component
        .get("properties")?
        .as_array()?
        .iter()
        .find(|p| {
            p.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| names.contains(&n))
        })?
        .get("value")?
        .as_str()
}

fn package_from_purl(
    purl_text: &str,
    name_hint: Option<&str>,
    version_hint: Option<&str>,
    component: Option<&Value>,
    found_in: &str,
) -> Option<Package> {
    let purl = Purl::parse(purl_text)?;
    let kind = kind_of(&purl.kind)?;
    let mut version = purl
        .version
        .clone()
        .or_else(|| version_hint.map(str::to_string))?;
    // syft writes RPM epochs as a qualifier.
    if let Some(epoch) = purl.qualifiers.get("epoch") {
        if kind == PackageKind::Rpm && !version.contains(':') && epoch != "0" {
            version = format!("{epoch}:{version}");
        }
    }
    let name = match kind {
        PackageKind::Npm | PackageKind::Golang | PackageKind::Composer => match &purl.namespace {
            Some(ns) => format!("{ns}/{}", purl.name),
            None => purl.name.clone(),
        },
        _ => purl.name.clone(),
    };
    // PURLs normalise some names (PyPI lower-cases them): keep the document's spelling
    // when it is the same name.
    let name = match name_hint {
        Some(hint)
            if drydock_inventory::normalize_pypi(hint)
                == drydock_inventory::normalize_pypi(&name) =>
        {
            hint.to_string()
        }
        _ => name,
    };
    let prop = |names: &[&str]| {
        component
            .and_then(|c| property(c, names))
            .map(str::to_string)
    };
    // Source package: drydock's property, syft's metadata, or the `upstream` qualifier
    // (`openssl`, `openssl@3.0.11-1`, or an RPM's `openssl-3.0.7-27.el9.src.rpm`).
    let mut source_name = prop(&["drydock:package:source-name", "syft:metadata:source"]);
    let mut source_version = prop(&[
        "drydock:package:source-version",
        "syft:metadata:sourceVersion",
    ]);
    if source_name.is_none() {
        if let Some(upstream) = purl.qualifiers.get("upstream") {
            match kind {
                PackageKind::Rpm => {
                    // name-version-release.src.rpm: the name is before the last two dashes.
                    let base = upstream.trim_end_matches(".src.rpm");
                    let mut parts = base.rsplitn(3, '-');
                    let (_, _, n) = (parts.next(), parts.next(), parts.next());
                    source_name = n.map(str::to_string);
                }
                _ => match upstream.split_once('@') {
                    Some((n, v)) => {
                        source_name = Some(n.to_string());
                        source_version = Some(v.to_string());
                    }
                    None => source_name = Some(upstream.clone()),
                },
            }
        }
    }
    let layer = prop(&["drydock:layer:index"])
        .and_then(|i| i.parse().ok())
        .map(|index| LayerRef {
            index,
            diff_id: prop(&["drydock:layer:diff-id"]),
            created_by: prop(&["drydock:layer:created-by"]),
        });
    Some(Package {
        kind,
        name,
        version,
        arch: purl.qualifiers.get("arch").cloned(),
        epoch: None,
        source_name,
        source_version,
        licenses: Vec::new(),
        vendor: None,
        modularity_label: prop(&["drydock:package:modularity-label"]),
        purl: purl_text.to_string(),
        found_in: prop(&["drydock:location:path", "syft:location:0:path"])
            .unwrap_or_else(|| found_in.to_string()),
        layer,
        files: Vec::new(),
    })
}

/// The OS from a `distro=debian-12` PURL qualifier, when the document names none.
fn os_from_qualifiers(packages: &[Package], found_in: &str) -> Option<OsInfo> {
    packages.iter().filter(|p| p.kind.is_os()).find_map(|p| {
        let purl = Purl::parse(&p.purl)?;
        let distro = purl.qualifiers.get("distro")?;
        let (id, version) = distro.split_once('-')?;
        Some(os_info(id, version, None, found_in))
    })
}

fn walk_components<'a>(components: &'a Value, out: &mut Vec<&'a Value>) {
    for component in components.as_array().into_iter().flatten() {
        out.push(component);
        if let Some(nested) = component.get("components") {
            walk_components(nested, out);
        }
    }
}

/// Reads a CycloneDX or SPDX JSON document. `found_in` names the file, for packages that
/// do not say where they were found.
pub fn read(bytes: &[u8], found_in: &str) -> Result<drydock_inventory::Inventory, SbomError> {
    let doc: Value = serde_json::from_slice(bytes)?;
    let mut inventory = drydock_inventory::Inventory::default();
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let mut components = Vec::new();
        walk_components(
            doc.get("components").unwrap_or(&Value::Null),
            &mut components,
        );
        for c in components {
            let str_of = |k: &str| c.get(k).and_then(Value::as_str);
            if str_of("type") == Some("operating-system") {
                if let (Some(name), Some(version)) = (str_of("name"), str_of("version")) {
                    inventory.os = Some(os_info(name, version, str_of("description"), found_in));
                }
                continue;
            }
            let Some(purl) = str_of("purl") else { continue };
            match package_from_purl(purl, str_of("name"), str_of("version"), Some(c), found_in) {
                Some(p) => inventory.packages.push(p),
                None => inventory.warnings.push(format!(
                    "{found_in}: package {purl} is of a kind drydock does not match"
                )),
            }
        }
    } else if doc.get("spdxVersion").is_some() {
        for p in doc
            .get("packages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let str_of = |k: &str| p.get(k).and_then(Value::as_str);
            let purpose = str_of("primaryPackagePurpose").unwrap_or_default();
            if purpose.eq_ignore_ascii_case("OPERATING_SYSTEM")
                || purpose.eq_ignore_ascii_case("OPERATING-SYSTEM")
            {
                if let (Some(name), Some(version)) = (str_of("name"), str_of("versionInfo")) {
                    inventory.os = Some(os_info(name, version, str_of("description"), found_in));
                }
                continue;
            }
            let purl = p
                .get("externalRefs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|r| r.get("referenceType").and_then(Value::as_str) == Some("purl"))
                .and_then(|r| r.get("referenceLocator"))
                .and_then(Value::as_str);
            let Some(purl) = purl else { continue };
            if let Some(package) =
                package_from_purl(purl, str_of("name"), str_of("versionInfo"), None, found_in)
            {
                inventory.packages.push(package);
            }
        }
    } else {
        return Err(SbomError::Unknown);
    }
    if inventory.os.is_none() {
        inventory.os = os_from_qualifiers(&inventory.packages, found_in);
    }
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_style_cyclonedx() {
        let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
            {"type":"library","name":"libssl3","version":"3.0.11-1~deb12u2",
             "purl":"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12"},
            {"type":"library","name":"openssl-libs","version":"1:3.0.7-27.el9",
             "purl":"pkg:rpm/almalinux/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"},
            {"type":"library","name":"core","purl":"pkg:npm/%40babel/core@7.0.0"},
            {"type":"library","name":"x","purl":"pkg:generic/x@1"},
            {"type":"operating-system","name":"debian","version":"12"}]}"#;
        let inv = read(doc, "sbom.json").unwrap();
        let os = inv.os.unwrap();
        assert_eq!((os.family.as_str(), os.version.as_str()), ("debian", "12"));
        assert_eq!(inv.packages.len(), 3);
        assert_eq!(inv.packages[0].source_name.as_deref(), Some("openssl"));
        assert_eq!(inv.packages[1].version, "1:3.0.7-27.el9");
        assert_eq!(inv.packages[1].source_name.as_deref(), Some("openssl"));
        assert_eq!(inv.packages[2].name, "@babel/core");
        assert_eq!(inv.warnings.len(), 1);
    }

    #[test]
    fn spdx_with_os_from_qualifier() {
        let doc = br#"{"spdxVersion":"SPDX-2.3","packages":[
            {"name":"xz-utils","versionInfo":"5.4.1-0.2","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER",
             "referenceType":"purl","referenceLocator":"pkg:deb/debian/liblzma5@5.4.1-0.2?upstream=xz-utils&distro=debian-12"}]}]}"#;
        let inv = read(doc, "sbom.spdx.json").unwrap();
        assert_eq!(inv.os.unwrap().family, "debian");
        assert_eq!(inv.packages[0].source_name.as_deref(), Some("xz-utils"));
    }

    #[test]
    fn rejects_other_documents() {
        assert!(matches!(read(b"{}", "x"), Err(SbomError::Unknown)));
        assert!(matches!(read(b"{", "x"), Err(SbomError::Json(_))));
    }
}
