//! The inventory of the shared images, and SBOMs that validate against the official schemas.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::{drydock, require_shared, summary, tempdir};

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/schemas")
        .join(name);
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn validate(document: &Value, schema_name: &str) {
    // bom-1.6 refers to two sibling schemas by URI; serve them from the local copies.
    let spdx_ids = schema("spdx.schema.json");
    let jsf = schema("jsf-0.82.schema.json");
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", &spdx_ids)
        .unwrap()
        .add("http://cyclonedx.org/schema/jsf-0.82.schema.json", &jsf)
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema(schema_name))
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema_name} validation failed:\n{}",
        errors.join("\n")
    );
}

fn sbom(cache: &Path, input: &Path, format: &str) -> Value {
    let out = drydock(cache)
        .args([
            "image",
            "--input",
            input.to_str().unwrap(),
            "--format",
            format,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn shared_images_inventory() {
    let shared = require_shared!();
    let cache = tempdir();
    let bookworm = summary(
        cache.path(),
        &[
            "image",
            "--input",
            shared
                .join("images/scanlab-debian-bookworm.oci.tar")
                .to_str()
                .unwrap(),
        ],
    );
    let inventory = &bookworm["inventory"];
    assert_eq!(inventory["os"]["family"], "debian");
    assert_eq!(inventory["os"]["version"], "12");
    assert_eq!(inventory["os"]["codename"], "bookworm");
    // syft 1.18.1 finds 88 deb packages in this image (shared/images/README.md).
    assert_eq!(inventory["packages"].as_array().unwrap().len(), 88);

    let acme = summary(
        cache.path(),
        &[
            "image",
            "--input",
            shared
                .join("images/scanlab-acme-shop-1.4.2.oci.tar")
                .to_str()
                .unwrap(),
        ],
    );
    let packages = acme["inventory"]["packages"].as_array().unwrap();
    // syft: 110 deb (its npm and python packages come with the language catalogers).
    assert_eq!(packages.iter().filter(|p| p["kind"] == "deb").count(), 110);
    let find = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    // curl came with the apt-get layer (L1), libc6 with the base (L0).
    let curl = find("curl");
    assert_eq!(curl["version"], "7.88.1-10+deb12u15");
    assert_eq!(curl["layer"]["index"], 1);
    assert!(curl["layer"]["created_by"]
        .as_str()
        .unwrap()
        .contains("apt-get install -y curl"));
    let libc = find("libc6");
    assert_eq!(libc["layer"]["index"], 0);
    assert_eq!(libc["source_name"], "glibc");
    assert_eq!(
        libc["purl"].as_str().unwrap(),
        format!(
            "pkg:deb/debian/libc6@{}?arch=amd64&distro=debian-12&upstream=glibc",
            libc["version"].as_str().unwrap().replace('+', "%2B")
        )
    );
    assert_eq!(find("libssl3")["source_name"], "openssl");
}

#[test]
fn sboms_validate_against_official_schemas() {
    let shared = require_shared!();
    let cache = tempdir();
    for image in [
        "scanlab-acme-shop-1.4.2.oci.tar",
        "scanlab-debian-bookworm.oci.tar",
    ] {
        let input = shared.join("images").join(image);
        let cdx = sbom(cache.path(), &input, "cyclonedx");
        validate(&cdx, "bom-1.6.schema.json");
        assert_eq!(cdx["specVersion"], "1.6");
        let components = cdx["components"].as_array().unwrap();
        assert!(components
            .iter()
            .any(|c| c["type"] == "operating-system" && c["name"] == "debian"));
        assert!(components.iter().any(|c| c["name"] == "libc6"
            && c["purl"]
                .as_str()
                .unwrap()
                .starts_with("pkg:deb/debian/libc6@")));

        let spdx = sbom(cache.path(), &input, "spdx-json");
        validate(&spdx, "spdx-schema.json");
        assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
        assert_eq!(
            spdx["packages"].as_array().unwrap().len(),
            components.len() + 1
        );
    }
}

#[test]
fn table_lists_packages_with_the_sbom_scanner() {
    let shared = require_shared!();
    let cache = tempdir();
    let input = shared.join("images/scanlab-debian-bookworm.oci.tar");
    let out = drydock(cache.path())
        .args(["image", "--input", input.to_str().unwrap()])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("88 deb"), "{table}");
    assert!(table.contains("Debian GNU/Linux 12 (bookworm)"), "{table}");
    assert!(
        !table.contains("libc6"),
        "package list only with --scanners sbom"
    );
    let out = drydock(cache.path())
        .args([
            "image",
            "--input",
            input.to_str().unwrap(),
            "--scanners",
            "sbom",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("libc6") && table.contains("glibc"),
        "{table}"
    );
}
