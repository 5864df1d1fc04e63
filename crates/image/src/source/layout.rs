//! Images stored as files: OCI image layouts (directories or tars, including Docker 25+
//! `docker save` output) and legacy `docker save` archives.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::tree::{DirTree, TarTree, Tree};
use super::{build_layers, resolve, DocumentStore, Image, Layer, LayerOpener, SourceKind};
use crate::cache::Cache;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::layer::Limits;
use crate::oci::{self, Descriptor, Document};
use crate::platform::Platform;

/// Opens an image stored at `path`: a `docker save` or OCI archive (optionally gzip/zstd
/// compressed), or an OCI layout / unpacked `docker save` directory. `selector` picks one
/// image when the file holds several: an OCI ref name or a `docker save` RepoTag.
/// `platform` is enforced when given; otherwise a layout holding a single image is read
/// whatever its platform, and a multi-platform one yields linux/amd64.
pub fn open_path(
    path: &Path,
    selector: Option<&str>,
    platform: Option<&Platform>,
    cache: &Cache,
    limits: &Limits,
) -> Result<Image> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let (tree, archive): (Arc<dyn Tree>, bool) = if meta.is_dir() {
        (Arc::new(DirTree::new(path)?), false)
    } else {
        (Arc::new(TarTree::open(path, cache, limits)?), true)
    };
    let location = path.display().to_string();
    open_tree(tree, archive, location, selector, platform, limits)
}

/// An opened tree (a directory, or an archive when `archive`) as one image.
pub(crate) fn open_tree(
    tree: Arc<dyn Tree>,
    archive: bool,
    location: String,
    selector: Option<&str>,
    platform: Option<&Platform>,
    limits: &Limits,
) -> Result<Image> {
    if tree.exists("index.json") {
        let kind = match (archive, tree.exists("manifest.json")) {
            (true, true) => SourceKind::DockerArchive,
            (true, false) => SourceKind::OciArchive,
            (false, _) => SourceKind::OciLayout,
        };
        open_oci_layout(tree, kind, location, selector, platform, limits)
    } else if tree.exists("manifest.json") {
        open_docker_save(tree, location, selector, limits)
    } else {
        Err(Error::Malformed {
            what: location,
            reason:
                "neither an OCI layout (no index.json) nor a docker save archive (no manifest.json)"
                    .into(),
        })
    }
}

struct LayoutStore {
    tree: Arc<dyn Tree>,
}

fn blob_path(digest: &Digest) -> String {
    format!("blobs/sha256/{}", digest.hex())
}

impl DocumentStore for LayoutStore {
    fn manifest(&self, digest: &Digest, limits: &Limits) -> Result<(Vec<u8>, Option<String>)> {
        let bytes = self
            .tree
            .read(&blob_path(digest), limits.max_manifest_bytes, Some(digest))?;
        Ok((bytes, None))
    }

    fn config(&self, digest: &Digest, limits: &Limits) -> Result<Vec<u8>> {
        self.tree
            .read(&blob_path(digest), limits.max_config_bytes, Some(digest))
    }
}

/// Layers opened by path inside the tree.
struct TreeLayers {
    tree: Arc<dyn Tree>,
    paths: Vec<String>,
}

impl LayerOpener for TreeLayers {
    fn open(&self, layer: &Layer) -> Result<Box<dyn Read + Send>> {
        self.tree.open(&self.paths[layer.index])
    }
}

fn ref_names(manifests: &[Descriptor]) -> String {
    let names: Vec<&str> = manifests.iter().filter_map(Descriptor::ref_name).collect();
    if names.is_empty() {
        "(no ref names)".into()
    } else {
        names.join(", ")
    }
}

fn open_oci_layout(
    tree: Arc<dyn Tree>,
    kind: SourceKind,
    location: String,
    selector: Option<&str>,
    platform: Option<&Platform>,
    limits: &Limits,
) -> Result<Image> {
    let default_platform = Platform::default();
    let wanted = platform.unwrap_or(&default_platform);
    let index_bytes = tree.read("index.json", limits.max_manifest_bytes, None)?;
    let index = match oci::parse_document(&index_bytes, None, "index.json")? {
        Document::Index(index) => index,
        Document::Manifest(_) => {
            return Err(Error::malformed(
                "index.json",
                "is a manifest, not an index",
            ))
        }
    };
    let manifests = &index.manifests;
    // docker save (25+) names images "repo:tag" under io.containerd.image.name and the tag
    // alone under the OCI ref name; accept either.
    fn image_name(d: &Descriptor) -> Option<&str> {
        d.annotations
            .get("io.containerd.image.name")
            .map(String::as_str)
            .or(d.ref_name())
    }
    let matches_selector = |d: &Descriptor, sel: &str| {
        d.ref_name() == Some(sel)
            || d.annotations
                .get("io.containerd.image.name")
                .is_some_and(|name| tag_matches(name, sel))
    };
    // Entries that are platforms of one image (no names, or all the same name) are picked
    // by platform; entries naming different images need the user to choose.
    let one_image = manifests
        .iter()
        .all(|d| image_name(d) == manifests.first().and_then(image_name));
    let chosen: &Descriptor = match selector {
        Some(sel) => manifests
            .iter()
            .find(|d| matches_selector(d, sel))
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no image named {sel:?} in {location}; it holds: {}",
                    ref_names(manifests)
                ))
            })?,
        None if manifests.len() == 1 && (platform.is_none() || manifests[0].platform.is_none()) => {
            &manifests[0]
        }
        None if one_image
            && manifests.iter().all(|d| d.platform.is_some())
            && !manifests.is_empty() =>
        {
            oci::select_platform(&index, wanted, "index.json")?
        }
        None if manifests.is_empty() => return Err(Error::EmptyImage { what: location }),
        None => {
            return Err(Error::NotFound(format!(
                "{location} holds {} images; name one as {location}:REF, one of: {}",
                manifests.len(),
                ref_names(manifests)
            )))
        }
    };
    let name = chosen
        .annotations
        .get("io.containerd.image.name")
        .or(chosen.annotations.get(oci::REF_NAME_ANNOTATION))
        .cloned();
    let store = LayoutStore { tree: tree.clone() };
    let (top, top_type) = store.manifest(&chosen.digest, limits)?;
    let resolved = resolve(
        &store,
        top,
        top_type
            .or(Some(chosen.media_type.clone()))
            .filter(|t| !t.is_empty()),
        chosen.digest.clone(),
        wanted,
        platform.is_some(),
        limits,
    )?;
    let blobs: Vec<_> = resolved
        .manifest
        .layers
        .iter()
        .map(|d| (Some(d.digest.clone()), d.media_type.clone(), Some(d.size)))
        .collect();
    let paths = resolved
        .manifest
        .layers
        .iter()
        .map(|d| blob_path(&d.digest))
        .collect();
    let layers = build_layers(&location, &resolved.config, blobs)?;
    Ok(Image {
        kind,
        location,
        name,
        manifest_digest: Some(resolved.manifest_digest),
        index_digest: resolved.index_digest,
        config_digest: resolved.config_digest,
        config: resolved.config,
        layers,
        opener: Arc::new(TreeLayers { tree, paths }),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerSaveEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

fn tag_matches(tag: &str, selector: &str) -> bool {
    let strip = |s: &str| {
        s.trim_start_matches("docker.io/")
            .trim_start_matches("library/")
            .to_string()
    };
    tag == selector || strip(tag) == strip(selector)
}

fn open_docker_save(
    tree: Arc<dyn Tree>,
    location: String,
    selector: Option<&str>,
    limits: &Limits,
) -> Result<Image> {
    let bytes = tree.read("manifest.json", limits.max_manifest_bytes, None)?;
    let entries: Vec<DockerSaveEntry> = serde_json::from_slice(&bytes)
        .map_err(|e| Error::malformed(format!("manifest.json in {location}"), e))?;
    let tags_of = |e: &DockerSaveEntry| e.repo_tags.clone().unwrap_or_default();
    let all_tags = || {
        entries
            .iter()
            .flat_map(tags_of)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let entry = match selector {
        Some(sel) => entries
            .iter()
            .find(|e| tags_of(e).iter().any(|t| tag_matches(t, sel)))
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no image tagged {sel:?} in {location}; it holds: {}",
                    all_tags()
                ))
            })?,
        None => match entries.as_slice() {
            [] => return Err(Error::EmptyImage { what: location }),
            [one] => one,
            _ => {
                return Err(Error::NotFound(format!(
                    "{location} holds {} images; name one as {location}:TAG, one of: {}",
                    entries.len(),
                    all_tags()
                )))
            }
        },
    };
    let config_bytes = tree.read(&entry.config, limits.max_config_bytes, None)?;
    let config_digest = Digest::of(&config_bytes);
    // Docker 25+ archives name configs by digest; check it when the name says what it is.
    if let Some(hex) = entry.config.strip_prefix("blobs/sha256/") {
        if hex != config_digest.hex() {
            return Err(Error::DigestMismatch {
                what: format!("config {} in {location}", entry.config),
                expected: format!("sha256:{hex}"),
                actual: config_digest.to_string(),
            });
        }
    }
    let config = oci::parse_config(&config_bytes, "", &format!("image config {}", entry.config))?;
    let blobs = entry
        .layers
        .iter()
        .map(|path| {
            let digest = path
                .strip_prefix("blobs/sha256/")
                .and_then(|h| format!("sha256:{h}").parse().ok());
            (digest, String::new(), None)
        })
        .collect();
    let layers = build_layers(&location, &config, blobs)?;
    Ok(Image {
        kind: SourceKind::DockerArchive,
        location,
        name: tags_of(entry).into_iter().next(),
        manifest_digest: None,
        index_digest: None,
        config_digest,
        config,
        layers,
        opener: Arc::new(TreeLayers {
            tree,
            paths: entry.layers.clone(),
        }),
    })
}
