//! Shared helpers: where the shared images and fixtures live, scans through the real layer
//! pipeline, and hand-built images (layers as in-memory tars, or a root directory).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use drydock_baseline::{BaselineAnalyzer, BaselineConfig, BaselineFinding, Severity};
use drydock_image::layer::read_layer;
use drydock_image::{analyze_image, analyze_rootfs, Analysis, Cache, FileAnalyzer, Limits};
use drydock_image::{LayerFacts, MergedView};
use drydock_inventory::{build_inventory, Inventory, InventoryAnalyzer};

/// `$DRYDOCK_SHARED`, else `../shared` beside the workspace root.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("DRYDOCK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// A shared file or directory; `None` (after printing why) when absent, except under CI.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = shared_dir().join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("required under CI: {} not found", path.display());
    }
    eprintln!("SKIPPED: {} not found (set DRYDOCK_SHARED)", path.display());
    None
}

/// What a scan produced.
pub struct Scan {
    pub findings: Vec<BaselineFinding>,
    pub inventory: Inventory,
    /// This analyzer's cache entries, serialized as the cache stores them.
    pub cached_json: String,
}

fn cached_json(analysis: &Analysis) -> String {
    let cached: Vec<_> = analysis
        .layers
        .iter()
        .flat_map(|l| l.analyses.iter())
        .filter(|a| a.analyzer == drydock_baseline::ANALYZER_KEY)
        .collect();
    serde_json::to_string(&cached).unwrap()
}

/// An image file (OCI layout or archive, docker archive) through `analyze_image`, with the
/// inventory, like the CLI.
pub fn scan_image(path: &Path, selector: Option<&str>) -> Scan {
    let scratch = tempfile::tempdir().unwrap();
    let cache = Cache::open(scratch.path()).unwrap();
    let limits = Limits::default();
    let image = drydock_image::source::open_path(path, selector, None, &cache, &limits).unwrap();
    let analyzer = BaselineAnalyzer::new(&BaselineConfig::default());
    let analyzers: [&dyn FileAnalyzer; 2] = [&analyzer, &InventoryAnalyzer];
    let analysis = analyze_image(&image, None, &limits, &analyzers).unwrap();
    let inventory = build_inventory(&image.layers, &analysis);
    Scan {
        findings: analyzer.findings(
            &image.layers,
            Some(&image.config),
            &analysis,
            Some(&inventory),
        ),
        inventory,
        cached_json: cached_json(&analysis),
    }
}

/// A root filesystem directory through `analyze_rootfs`.
pub fn scan_dir(dir: &Path, config: &BaselineConfig) -> Scan {
    let analyzer = BaselineAnalyzer::new(config);
    let analyzers: [&dyn FileAnalyzer; 2] = [&analyzer, &InventoryAnalyzer];
    let analysis = analyze_rootfs(dir, &analyzers).unwrap();
    let inventory = build_inventory(&[], &analysis);
    Scan {
        findings: analyzer.findings(&[], None, &analysis, Some(&inventory)),
        inventory,
        cached_json: cached_json(&analysis),
    }
}

/// One path of a hand-built layer.
pub enum Item<'a> {
    File {
        path: &'a str,
        mode: u32,
        uid: u64,
        gid: u64,
        content: &'a [u8],
    },
    Dir {
        path: &'a str,
        mode: u32,
    },
    Symlink {
        path: &'a str,
        target: &'a str,
    },
    /// `.wh.NAME`: deletes `path` from lower layers.
    Whiteout(&'a str),
}

/// A root-owned regular file.
pub fn file<'a>(path: &'a str, mode: u32, content: &'a [u8]) -> Item<'a> {
    Item::File {
        path,
        mode,
        uid: 0,
        gid: 0,
        content,
    }
}

pub fn dir(path: &str, mode: u32) -> Item<'_> {
    Item::Dir { path, mode }
}

fn tar_of(items: &[Item<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for item in items {
        let mut header = tar::Header::new_gnu();
        match item {
            Item::File {
                path,
                mode,
                uid,
                gid,
                content,
            } => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(*mode);
                header.set_uid(*uid);
                header.set_gid(*gid);
                header.set_size(content.len() as u64);
                header.set_cksum();
                builder
                    .append_data(&mut header, path.trim_start_matches('/'), *content)
                    .unwrap();
            }
            Item::Dir { path, mode } => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(*mode);
                header.set_size(0);
                header.set_cksum();
                builder
                    .append_data(&mut header, path.trim_start_matches('/'), &[][..])
                    .unwrap();
            }
            Item::Symlink { path, target } => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_mode(0o777);
                header.set_size(0);
                builder
                    .append_link(&mut header, path.trim_start_matches('/'), target)
                    .unwrap();
            }
            Item::Whiteout(path) => {
                let (dir, name) = path.rsplit_once('/').unwrap();
                let marker = format!("{}/.wh.{name}", dir.trim_start_matches('/'));
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                header.set_size(0);
                header.set_cksum();
                builder
                    .append_data(&mut header, marker.trim_start_matches('/'), &[][..])
                    .unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

/// An image of hand-built layers, read by the real layer reader with the baseline and
/// inventory analyzers.
pub fn layered(layers: &[Vec<Item<'_>>]) -> (Analysis, Inventory) {
    let analyzer = BaselineAnalyzer::new(&BaselineConfig::default());
    let analyzers: [&dyn FileAnalyzer; 2] = [&analyzer, &InventoryAnalyzer];
    let facts: Vec<LayerFacts> = layers
        .iter()
        .enumerate()
        .map(|(i, items)| {
            let tar = tar_of(items);
            let (facts, _) = read_layer(
                &tar[..],
                None,
                None,
                &format!("test layer {i}"),
                &Limits::default(),
                &analyzers,
            )
            .unwrap();
            facts
        })
        .collect();
    let view = MergedView::build(&facts);
    let analysis = Analysis {
        layers: facts,
        layers_from_cache: 0,
        view,
    };
    let inventory = build_inventory(&[], &analysis);
    (analysis, inventory)
}

/// Findings of hand-built layers with the default configuration.
pub fn scan_layers(layers: &[Vec<Item<'_>>]) -> Vec<BaselineFinding> {
    let (analysis, inventory) = layered(layers);
    BaselineAnalyzer::new(&BaselineConfig::default()).findings(
        &[],
        None,
        &analysis,
        Some(&inventory),
    )
}

/// One line per finding, for failure messages.
pub fn describe(findings: &[BaselineFinding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {:?}:{:?} layer={:?} {} [{}]",
                f.severity,
                f.rule_id,
                f.path,
                f.line,
                f.layer.as_ref().map(|l| l.index),
                f.evidence,
                f.note.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn of_rule<'a>(findings: &'a [BaselineFinding], rule: &str) -> Vec<&'a BaselineFinding> {
    findings.iter().filter(|f| f.rule_id == rule).collect()
}

/// The single finding of `rule` at `path`.
pub fn one<'a>(findings: &'a [BaselineFinding], rule: &str, path: &str) -> &'a BaselineFinding {
    let matching: Vec<_> = findings
        .iter()
        .filter(|f| f.rule_id == rule && f.path.as_deref() == Some(path))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "one {rule} at {path} expected in:\n{}",
        describe(findings)
    );
    matching[0]
}

pub fn none_above(findings: &[BaselineFinding], max: Severity) -> bool {
    findings.iter().all(|f| f.severity <= max)
}

/// A Debian base: os-release, account databases like bookworm's and a dpkg status.
pub fn debian_base(status: &'static [u8]) -> Vec<Item<'static>> {
    vec![
        dir("/etc", 0o755),
        file(
            "/etc/os-release",
            0o644,
            b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        ),
        file(
            "/etc/passwd",
            0o644,
            b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
        ),
        file("/etc/group", 0o644, b"root:x:0:\ndaemon:x:1:\nshadow:x:42:\nnogroup:x:65534:\n"),
        Item::File {
            path: "/etc/shadow",
            mode: 0o640,
            uid: 0,
            gid: 42,
            content: b"root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n",
        },
        dir("/tmp", 0o1777),
        dir("/var/lib/dpkg", 0o755),
        file("/var/lib/dpkg/status", 0o644, status),
    ]
}

/// A root filesystem tarball (Alpine's minirootfs) read as one layer by the real layer
/// reader, so owners and modes are the tarball's, not the extracting user's.
pub fn scan_tarball(path: &Path) -> Scan {
    let analyzer = BaselineAnalyzer::new(&BaselineConfig::default());
    let analyzers: [&dyn FileAnalyzer; 2] = [&analyzer, &InventoryAnalyzer];
    let blob = std::fs::File::open(path).unwrap();
    let (facts, _) = read_layer(
        std::io::BufReader::new(blob),
        None,
        None,
        &path.display().to_string(),
        &Limits::default(),
        &analyzers,
    )
    .unwrap();
    assert!(facts.warnings.is_empty(), "{:?}", facts.warnings);
    let view = MergedView::build([&facts]);
    let analysis = Analysis {
        layers: vec![facts],
        layers_from_cache: 0,
        view,
    };
    let inventory = build_inventory(&[], &analysis);
    Scan {
        findings: analyzer.findings(&[], None, &analysis, Some(&inventory)),
        inventory,
        cached_json: cached_json(&analysis),
    }
}
