//! Reading every layer of an image once (in parallel, cached by diffID) and merging them.

use std::io::{self, Read};
use std::path::Path;

use rayon::prelude::*;

use crate::cache::Cache;
use crate::error::Result;
use crate::layer::{analyze_link_targets, read_layer, FileAnalyzer, LayerFacts, Limits};
use crate::skip::SkipPaths;
use crate::source::{walk_rootfs, Image};
use crate::view::MergedView;

/// Cache key of the file-listing analysis; bump when [`LayerFacts`] changes shape or meaning.
pub const FILES_ANALYZER: &str = "files-v1";

/// More layers than any real image has (Docker's own limit is 127): a manifest listing
/// thousands is an attack on time and memory.
const MAX_LAYERS: usize = 1000;

/// Reports progress of long transfers (the binary draws bars on a terminal).
pub trait Progress: Send + Sync {
    fn start(&self, label: &str, total: Option<u64>) -> Box<dyn ProgressTask>;
}

/// One transfer in progress; finished when dropped.
pub trait ProgressTask: Send {
    fn advance(&self, bytes: u64);
}

pub(crate) struct ProgressReader<R> {
    inner: R,
    task: Option<Box<dyn ProgressTask>>,
}

impl<R> ProgressReader<R> {
    pub fn new(inner: R, task: Option<Box<dyn ProgressTask>>) -> Self {
        ProgressReader { inner, task }
    }
}

impl<R: Read> Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(task) = &self.task {
            task.advance(n as u64);
        }
        Ok(n)
    }
}

/// Everything learned from an image's layers.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Facts per layer, in layer order.
    pub layers: Vec<LayerFacts>,
    /// How many of them came from the cache rather than a layer read.
    pub layers_from_cache: usize,
    pub view: MergedView,
}

/// The cache key of a layer's facts: the file listing plus every analyzer's key.
fn facts_key(analyzers: &[&dyn FileAnalyzer]) -> String {
    let mut keys: Vec<&str> = analyzers.iter().map(|a| a.key()).collect();
    keys.sort_unstable();
    std::iter::once(FILES_ANALYZER)
        .chain(keys)
        .collect::<Vec<_>>()
        .join("+")
}

/// Reads each layer that the cache does not already know, all in parallel, offering the
/// files they ask for to `analyzers`, and merges the results. A layer's blob is never
/// opened when its facts are cached.
pub fn analyze_image(
    image: &Image,
    cache: Option<&Cache>,
    limits: &Limits,
    analyzers: &[&dyn FileAnalyzer],
) -> Result<Analysis> {
    analyze_image_with_progress(image, cache, limits, analyzers, None)
}

/// Layers whose blob is at least this large get a progress bar while they are read.
const PROGRESS_FROM_BYTES: u64 = 64 << 20;

/// [`analyze_image`], reporting the reading of large layers to `progress`.
pub fn analyze_image_with_progress(
    image: &Image,
    cache: Option<&Cache>,
    limits: &Limits,
    analyzers: &[&dyn FileAnalyzer],
    progress: Option<&dyn Progress>,
) -> Result<Analysis> {
    let key = facts_key(analyzers);
    if image.layers.len() > MAX_LAYERS {
        return Err(crate::Error::TooLarge {
            what: format!("layer count of {}", image.location),
            limit: MAX_LAYERS as u64,
        });
    }
    // A layer that appears twice (same diffID) is read once.
    let mut unique: Vec<&crate::source::Layer> = Vec::new();
    for layer in &image.layers {
        if !unique.iter().any(|u| u.diff_id == layer.diff_id) {
            unique.push(layer);
        }
    }
    let results: Vec<Result<(LayerFacts, bool)>> = unique
        .par_iter()
        .map(|layer| {
            if let Some(facts) =
                cache.and_then(|c| c.load_facts::<LayerFacts>(&key, &layer.diff_id))
            {
                return Ok((facts, true));
            }
            let task = progress
                .zip(layer.blob_size.filter(|size| *size >= PROGRESS_FROM_BYTES))
                .map(|(progress, size)| {
                    progress.start(&format!("reading {}", layer.label()), Some(size))
                });
            let blob = ProgressReader::new(image.open_layer(layer)?, task);
            let (mut facts, _) = read_layer(
                blob,
                layer.digest.as_ref(),
                Some(&layer.diff_id),
                &layer.label(),
                limits,
                analyzers,
            )?;
            if !facts.pending_links.is_empty() {
                analyze_link_targets(
                    image.open_layer(layer)?,
                    &layer.label(),
                    analyzers,
                    &mut facts,
                )?;
            }
            if let Some(cache) = cache {
                if let Err(err) = cache.store_facts(&key, &layer.diff_id, &facts) {
                    tracing::warn!("could not cache layer {}: {err}", layer.label());
                }
            }
            Ok((facts, false))
        })
        .collect();
    let mut read = Vec::with_capacity(unique.len());
    for (layer, result) in unique.iter().zip(results) {
        read.push((&layer.diff_id, result?));
    }
    let mut analysis = Analysis::default();
    for layer in &image.layers {
        let (_, (facts, cached)) = read
            .iter()
            .find(|(diff_id, _)| **diff_id == layer.diff_id)
            .expect("every layer was read");
        analysis.layers_from_cache += usize::from(*cached);
        analysis.layers.push(facts.clone());
    }
    analysis.view = MergedView::build(&analysis.layers);
    Ok(analysis)
}

/// A root filesystem directory is one layer.
pub fn analyze_rootfs(dir: &Path, analyzers: &[&dyn FileAnalyzer]) -> Result<Analysis> {
    analyze_rootfs_skipping(dir, analyzers, &SkipPaths::default())
}

/// [`analyze_rootfs`] without ever reading what `skips` names.
pub fn analyze_rootfs_skipping(
    dir: &Path,
    analyzers: &[&dyn FileAnalyzer],
    skips: &SkipPaths,
) -> Result<Analysis> {
    let facts = walk_rootfs(dir, analyzers, skips)?;
    let view = MergedView::build([&facts]);
    Ok(Analysis {
        layers: vec![facts],
        layers_from_cache: 0,
        view,
    })
}
