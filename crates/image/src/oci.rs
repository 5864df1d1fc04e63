//! The OCI / Docker schema-2 documents: indexes, manifests, image configs, and how an index
//! is narrowed down to one image for a platform.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::platform::Platform;

pub mod media {
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
    pub const DOCKER_SCHEMA1_SIGNED: &str =
        "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// Every manifest kind we can read, for a registry's `Accept` header.
    pub const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
        application/vnd.docker.distribution.manifest.list.v2+json, \
        application/vnd.oci.image.manifest.v1+json, \
        application/vnd.docker.distribution.manifest.v2+json";

    /// Layer media types holding a filesystem changeset (tar, possibly compressed).
    pub fn is_layer(media_type: &str) -> bool {
        matches!(
            media_type,
            "application/vnd.oci.image.layer.v1.tar"
                | "application/vnd.oci.image.layer.v1.tar+gzip"
                | "application/vnd.oci.image.layer.v1.tar+zstd"
                | "application/vnd.oci.image.layer.nondistributable.v1.tar"
                | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
                | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
                | "application/vnd.docker.image.rootfs.diff.tar"
                | "application/vnd.docker.image.rootfs.diff.tar.gzip"
                | "application/vnd.docker.image.rootfs.diff.tar.zstd"
                | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
        )
    }

    pub fn is_manifest_type(media_type: &str) -> bool {
        matches!(
            media_type,
            OCI_INDEX | OCI_MANIFEST | DOCKER_LIST | DOCKER_MANIFEST
        )
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: Digest,
    #[serde(default)]
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

pub const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";

impl Descriptor {
    pub fn ref_name(&self) -> Option<&str> {
        self.annotations
            .get(REF_NAME_ANNOTATION)
            .map(String::as_str)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    #[serde(default)]
    pub media_type: Option<String>,
    pub manifests: Vec<Descriptor>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    #[serde(default)]
    pub media_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
}

/// The image configuration (`application/vnd.oci.image.config.v1+json`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default)]
    pub config: ContainerConfig,
    pub rootfs: RootFs,
    #[serde(default)]
    pub history: Vec<History>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub env: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub entrypoint: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cmd: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub volumes: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub shell: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub on_build: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    #[serde(default, deserialize_with = "null_as_default")]
    pub test: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<Digest>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

fn null_as_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// What a manifest-like document turned out to be.
pub enum Document {
    Index(Index),
    Manifest(Manifest),
}

/// Classifies a manifest document by its declared media type (the registry's content type,
/// else the document's own `mediaType`), falling back to its shape as OCI allows.
pub fn parse_document(bytes: &[u8], content_type: Option<&str>, what: &str) -> Result<Document> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        schema_version: Option<i64>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
        #[serde(default)]
        layers: Option<serde_json::Value>,
        #[serde(default)]
        config: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| Error::malformed(what, e))?;
    let content_type = content_type
        .map(|c| c.split(';').next().unwrap_or(c).trim())
        .filter(|c| media::is_manifest_type(c) || c.contains("manifest.v1"));
    let media_type = content_type
        .map(str::to_string)
        .or(probe.media_type.clone());
    match media_type.as_deref() {
        Some(media::OCI_INDEX | media::DOCKER_LIST) => {}
        Some(media::OCI_MANIFEST | media::DOCKER_MANIFEST) => {}
        Some(media::DOCKER_SCHEMA1 | media::DOCKER_SCHEMA1_SIGNED) => {
            return Err(Error::Unsupported {
                what: format!("{what} format"),
                value: "Docker schema 1 manifests (deprecated since 2017; re-push the image with a current client)".into(),
            })
        }
        Some(other) => {
            return Err(Error::Unsupported {
                what: format!("{what} media type"),
                value: other.to_string(),
            })
        }
        None if probe.schema_version == Some(1) => {
            return Err(Error::Unsupported {
                what: format!("{what} format"),
                value: "Docker schema 1 manifests".into(),
            })
        }
        None => {}
    }
    let is_index = match media_type.as_deref() {
        Some(media::OCI_INDEX | media::DOCKER_LIST) => true,
        Some(_) => false,
        None => probe.manifests.is_some() && probe.config.is_none(),
    };
    if is_index {
        let index: Index = serde_json::from_slice(bytes).map_err(|e| Error::malformed(what, e))?;
        Ok(Document::Index(index))
    } else {
        if probe.layers.is_none() && probe.config.is_none() {
            return Err(Error::malformed(
                what,
                "neither an image manifest nor an index",
            ));
        }
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(what, e))?;
        Ok(Document::Manifest(manifest))
    }
}

/// Checks a config is an image configuration (not, say, a Helm chart or a signature).
pub fn parse_config(bytes: &[u8], media_type: &str, what: &str) -> Result<ImageConfig> {
    let known = [media::OCI_CONFIG, media::DOCKER_CONFIG, ""];
    if !known.contains(&media_type) {
        return Err(Error::Unsupported {
            what: "artifact (not a container image); config media type".into(),
            value: media_type.to_string(),
        });
    }
    let config: ImageConfig =
        serde_json::from_slice(bytes).map_err(|e| Error::malformed(what, e))?;
    Ok(config)
}

/// Picks the entry of an index that serves `wanted`; when none does, the error lists what
/// the index offers so the user can pick with `--platform`.
pub fn select_platform<'a>(
    index: &'a Index,
    wanted: &Platform,
    what: &str,
) -> Result<&'a Descriptor> {
    let images: Vec<&Descriptor> = index
        .manifests
        .iter()
        // Attestation manifests (BuildKit provenance/SBOM) carry platform unknown/unknown.
        .filter(|d| d.platform.as_ref().is_none_or(|p| p.os != "unknown"))
        .collect();
    if let Some(found) = images
        .iter()
        .find(|d| d.platform.as_ref().is_some_and(|p| wanted.matches(p)))
    {
        return Ok(found);
    }
    // An index of one image without platform data (common in OCI layouts) serves any platform.
    if images.len() == 1 && images[0].platform.is_none() {
        return Ok(images[0]);
    }
    let available: Vec<String> = images
        .iter()
        .filter_map(|d| d.platform.as_ref().map(|p| p.to_string()))
        .collect();
    if available.is_empty() {
        return Err(Error::malformed(
            what,
            "index lists no images with a platform",
        ));
    }
    Err(Error::PlatformNotFound {
        wanted: wanted.to_string(),
        available: available.join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_nulls_are_empty() {
        let cfg: ImageConfig = serde_json::from_str(
            r#"{"architecture":"amd64","os":"linux","config":{"Env":null,"Cmd":null,"ExposedPorts":null},
                "rootfs":{"type":"layers","diff_ids":[]}}"#,
        )
        .unwrap();
        assert!(cfg.config.env.is_empty());
        assert!(cfg.history.is_empty());
    }

    #[test]
    fn rejects_artifacts_and_schema1() {
        let err =
            parse_config(b"{}", "application/vnd.cncf.helm.config.v1+json", "config").unwrap_err();
        assert!(err.to_string().contains("helm"), "{err}");
        let err = parse_document(br#"{"schemaVersion":1,"fsLayers":[]}"#, None, "manifest")
            .err()
            .unwrap();
        assert!(err.to_string().contains("schema 1"), "{err}");
        let err = parse_document(
            br#"{"schemaVersion":2,"mediaType":"application/x-foo","layers":[]}"#,
            None,
            "manifest",
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("application/x-foo"), "{err}");
    }
}
