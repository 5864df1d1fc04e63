//! Shared helpers: where the shared images live, and a scan of one through the real layer
//! pipeline.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use drydock_image::{analyze_image, Cache, FileAnalyzer, Limits};
use drydock_secrets::{SecretAnalyzer, SecretConfig, SecretFinding};

/// `$DRYDOCK_SHARED`, else `../shared` beside the workspace root.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("DRYDOCK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// A shared image file; `None` (after printing why) when absent, except under CI.
pub fn shared_image(name: &str) -> Option<PathBuf> {
    let path = shared_dir().join("images").join(name);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("required under CI: {} not found", path.display());
    }
    eprintln!("SKIPPED: {} not found (set DRYDOCK_SHARED)", path.display());
    None
}

/// What a scan of one image produced.
pub struct ImageScan {
    pub findings: Vec<SecretFinding>,
    /// This analyzer's per-file cache entries, serialized as the cache stores them.
    pub cached_json: String,
    pub config: drydock_image::oci::ImageConfig,
}

/// Every secret finding of an image file, read through `analyze_image` like the CLI.
pub fn scan_image(path: &Path, selector: &str, config: &SecretConfig) -> ImageScan {
    let scratch = tempfile::tempdir().unwrap();
    let cache = Cache::open(scratch.path()).unwrap();
    let limits = Limits::default();
    let image =
        drydock_image::source::open_path(path, Some(selector), None, &cache, &limits).unwrap();
    let analyzer = SecretAnalyzer::new(config).unwrap();
    let analyzers: [&dyn FileAnalyzer; 1] = [&analyzer];
    let analysis = analyze_image(&image, None, &limits, &analyzers).unwrap();
    for layer in &analysis.layers {
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
    }
    let cached: Vec<_> = analysis
        .layers
        .iter()
        .flat_map(|l| l.analyses.iter())
        .filter(|a| a.analyzer == analyzer.key())
        .collect();
    ImageScan {
        findings: analyzer.findings(&image.layers, Some(&image.config), &analysis),
        cached_json: serde_json::to_string(&cached).unwrap(),
        config: image.config.clone(),
    }
}

/// One line per finding, with nothing but redacted values, for failure messages.
pub fn describe(findings: &[SecretFinding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {:?}:{:?} layer={:?} key={:?} {:?}",
                f.severity,
                f.rule_id,
                f.path,
                f.line,
                f.layer.as_ref().map(|l| l.index),
                f.key,
                f.redacted
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Scans host directories file by file (in parallel) as if they were one image layer at
/// the same paths, with the host's dpkg digests so package-owned files are recognised.
/// Returns the findings, the number of files read and their bytes.
pub fn scan_host_dirs(roots: &[&str], config: &SecretConfig) -> (Vec<SecretFinding>, usize, u64) {
    use drydock_image::{Analysis, FileAnalysis, LayerFacts, MergedView};
    use rayon::prelude::*;

    let analyzer = SecretAnalyzer::new(config).unwrap();
    let mut files: Vec<(PathBuf, u64)> = Vec::new();
    for root in roots {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| {
                !e.file_type().is_dir() || !analyzer.skips_dir(&e.path().to_string_lossy())
            });
        for entry in walker.filter_map(Result::ok) {
            let path = entry.path().to_string_lossy().into_owned();
            if !entry.file_type().is_file() || !analyzer.wants(&path) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.len() <= analyzer.max_size() {
                files.push((entry.path().to_path_buf(), meta.len()));
            }
        }
    }
    for entry in std::fs::read_dir("/var/lib/dpkg/info")
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = entry.path();
        if analyzer.wants(&path.to_string_lossy()) {
            files.push((path, 0));
        }
    }
    let bytes = files.iter().map(|f| f.1).sum();
    let analyses: Vec<FileAnalysis> = files
        .par_iter()
        .filter_map(|(path, _)| {
            let content = std::fs::read(path).ok()?;
            let path = path.to_string_lossy().into_owned();
            let value = analyzer.analyze(&path, &content).ok()??;
            Some(FileAnalysis {
                analyzer: analyzer.key().to_string(),
                path,
                value,
            })
        })
        .collect();
    let facts = LayerFacts {
        analyses,
        ..LayerFacts::default()
    };
    let view = MergedView::build([&facts]);
    let analysis = Analysis {
        layers: vec![facts],
        layers_from_cache: 0,
        view,
    };
    (analyzer.findings(&[], None, &analysis), files.len(), bytes)
}
