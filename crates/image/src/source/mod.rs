//! Where images come from: registries, local container engines (Docker, Podman),
//! `docker save` archives, OCI layouts (tarred or not) and plain root filesystem
//! directories. Every source ends as an [`Image`]: a verified
//! manifest and config plus a way to open each layer blob.

pub(crate) mod daemon;
pub(crate) mod layout;
pub(crate) mod registry;
pub(crate) mod rootfs;
pub(crate) mod tree;

use std::fmt;
use std::io::Read;
use std::sync::Arc;

use serde::Serialize;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::layer::Limits;
use crate::oci::{self, Document, History, ImageConfig, Manifest};
use crate::platform::Platform;

pub use daemon::{Engine, EngineKind, Lookup};
pub use layout::open_path;
pub use registry::{Credentials, RegistryClient, RegistryOptions};
pub use rootfs::walk_rootfs;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Registry,
    DockerDaemon,
    PodmanDaemon,
    DockerArchive,
    OciArchive,
    OciLayout,
    Rootfs,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::Registry => "registry",
            SourceKind::DockerDaemon => "docker-daemon",
            SourceKind::PodmanDaemon => "podman-daemon",
            SourceKind::DockerArchive => "docker-archive",
            SourceKind::OciArchive => "oci-archive",
            SourceKind::OciLayout => "oci-layout",
            SourceKind::Rootfs => "rootfs",
        })
    }
}

/// One layer of an image, as its manifest and config describe it.
#[derive(Clone, Debug, Serialize)]
pub struct Layer {
    pub index: usize,
    /// Digest of the blob as stored (compressed); absent for legacy `docker save` archives,
    /// whose layers are named by path and checked by diffID instead.
    pub digest: Option<Digest>,
    pub media_type: String,
    /// Size of the stored blob, when the source tells.
    pub blob_size: Option<u64>,
    /// Digest of the uncompressed tar, from the config's `rootfs.diff_ids`.
    pub diff_id: Digest,
    /// Position of the history entry that made this layer, and that entry.
    pub history_index: Option<usize>,
    pub history: Option<History>,
}

impl Layer {
    /// A short name for messages: `#3 (sha256:ab12…)`.
    pub fn label(&self) -> String {
        format!("#{} ({})", self.index, self.diff_id.short())
    }
}

/// Opens the stored bytes of a layer blob.
pub(crate) trait LayerOpener: Send + Sync {
    fn open(&self, layer: &Layer) -> Result<Box<dyn Read + Send>>;
}

/// A resolved image: verified manifest and config, ready to have its layers read.
pub struct Image {
    pub kind: SourceKind,
    /// Path or registry address as given.
    pub location: String,
    /// The name the image goes by (registry reference, or the archive's tag / ref name).
    pub name: Option<String>,
    /// Digest of the image manifest (absent for legacy `docker save` archives, which keep none).
    pub manifest_digest: Option<Digest>,
    /// Digest of the index the manifest was picked from, when there was one.
    pub index_digest: Option<Digest>,
    /// The image ID: digest of the config blob.
    pub config_digest: Digest,
    pub config: ImageConfig,
    pub layers: Vec<Layer>,
    pub(crate) opener: Arc<dyn LayerOpener>,
}

impl Image {
    pub(crate) fn open_layer(&self, layer: &Layer) -> Result<Box<dyn Read + Send>> {
        self.opener.open(layer)
    }
}

/// Reads manifests and configs from wherever a source keeps them.
pub(crate) trait DocumentStore {
    /// A manifest or index by digest: its bytes (digest-checked, size-capped) and the media
    /// type the transport reported, if any.
    fn manifest(&self, digest: &Digest, limits: &Limits) -> Result<(Vec<u8>, Option<String>)>;
    /// A config blob (digest-checked, size-capped).
    fn config(&self, digest: &Digest, limits: &Limits) -> Result<Vec<u8>>;
}

pub(crate) struct Resolved {
    pub manifest_digest: Digest,
    pub index_digest: Option<Digest>,
    pub manifest: Manifest,
    pub config_digest: Digest,
    pub config: ImageConfig,
}

/// Walks from a top document (index or manifest) down to one image manifest for
/// `platform`, then reads and checks its config.
pub(crate) fn resolve(
    store: &dyn DocumentStore,
    mut bytes: Vec<u8>,
    mut content_type: Option<String>,
    mut digest: Digest,
    platform: &Platform,
    enforce_platform: bool,
    limits: &Limits,
) -> Result<Resolved> {
    let mut index_digest = None;
    // Indexes may nest (an OCI layout's index.json pointing at a multi-arch index); a few
    // levels is plenty and bounds hostile recursion.
    for _ in 0..4 {
        let what = format!("manifest {digest}");
        match oci::parse_document(&bytes, content_type.as_deref(), &what)? {
            Document::Index(index) => {
                let chosen = oci::select_platform(&index, platform, &what)?.clone();
                index_digest.get_or_insert(digest);
                let (next, next_type) = store.manifest(&chosen.digest, limits)?;
                bytes = next;
                content_type = next_type
                    .or(Some(chosen.media_type.clone()))
                    .filter(|t| !t.is_empty());
                digest = chosen.digest;
            }
            Document::Manifest(manifest) => {
                let config_digest = manifest.config.digest.clone();
                let config_bytes = store.config(&config_digest, limits)?;
                let config = oci::parse_config(
                    &config_bytes,
                    &manifest.config.media_type,
                    &format!("image config {config_digest}"),
                )?;
                // A single-platform image named by tag: still refuse the wrong platform when
                // the user asked for one, as `docker pull --platform` does.
                let actual = Platform {
                    os: config.os.clone(),
                    architecture: config.architecture.clone(),
                    variant: config.variant.clone(),
                };
                if enforce_platform && !config.os.is_empty() && !platform.matches(&actual) {
                    return Err(Error::PlatformNotFound {
                        wanted: platform.to_string(),
                        available: actual.to_string(),
                    });
                }
                return Ok(Resolved {
                    manifest_digest: digest,
                    index_digest,
                    manifest,
                    config_digest,
                    config,
                });
            }
        }
    }
    Err(Error::malformed(
        "image index",
        "indexes nested more than 4 deep",
    ))
}

/// Pairs each layer with its diffID and the history entry that made it.
pub(crate) fn build_layers(
    what: &str,
    config: &ImageConfig,
    blobs: Vec<(Option<Digest>, String, Option<u64>)>,
) -> Result<Vec<Layer>> {
    if blobs.is_empty() {
        return Err(Error::EmptyImage {
            what: what.to_string(),
        });
    }
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != blobs.len() {
        return Err(Error::malformed(
            what,
            format!(
                "manifest lists {} layers but the config lists {} diff_ids",
                blobs.len(),
                diff_ids.len()
            ),
        ));
    }
    for (digest, media_type, _) in &blobs {
        if !media_type.is_empty() && !oci::media::is_layer(media_type) {
            return Err(Error::Unsupported {
                what: format!(
                    "layer media type in {what} (layer {})",
                    digest.as_ref().map(|d| d.to_string()).unwrap_or_default()
                ),
                value: media_type.clone(),
            });
        }
    }
    // Entries with empty_layer set made no layer; the rest map one-to-one, in order. When
    // the counts disagree (squashed or hand-edited images) no mapping is better than a wrong one.
    let made_layers: Vec<(usize, &History)> = config
        .history
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.empty_layer)
        .collect();
    let history_fits = made_layers.len() == blobs.len();
    if !history_fits && !config.history.is_empty() {
        tracing::warn!(
            "{what}: history has {} layer-making entries for {} layers; build steps are not attributed",
            made_layers.len(),
            blobs.len()
        );
    }
    Ok(blobs
        .into_iter()
        .enumerate()
        .map(|(index, (digest, media_type, blob_size))| Layer {
            index,
            digest,
            media_type,
            blob_size,
            diff_id: diff_ids[index].clone(),
            history_index: history_fits.then(|| made_layers[index].0),
            history: history_fits.then(|| made_layers[index].1.clone()),
        })
        .collect())
}
