//! Scans an image file (OCI layout or archive, `docker save` archive) or a root
//! filesystem directory for baseline findings, as the CLI will, and prints them as JSON.
//!
//! cargo run -p drydock-baseline --example scan_image -- IMAGE|DIR [REF]

use std::path::Path;

use drydock_baseline::{BaselineAnalyzer, BaselineConfig};
use drydock_image::{analyze_image, analyze_rootfs, Cache, FileAnalyzer, Limits};
use drydock_inventory::{build_inventory, InventoryAnalyzer};

fn run(path: &Path, selector: Option<&str>) -> Result<(), String> {
    let analyzer = BaselineAnalyzer::new(&BaselineConfig::default());
    let analyzers: [&dyn FileAnalyzer; 2] = [&analyzer, &InventoryAnalyzer];
    let findings = if path.is_dir() && !path.join("oci-layout").exists() {
        let analysis = analyze_rootfs(path, &analyzers).map_err(|e| e.to_string())?;
        let inventory = build_inventory(&[], &analysis);
        analyzer.findings(&[], None, &analysis, Some(&inventory))
    } else {
        let scratch =
            std::env::temp_dir().join(format!("drydock-baseline-scan-{}", std::process::id()));
        let cache = Cache::open(&scratch).map_err(|e| e.to_string())?;
        let limits = Limits::default();
        let result = (|| {
            let image = drydock_image::source::open_path(path, selector, None, &cache, &limits)
                .map_err(|e| e.to_string())?;
            let analysis =
                analyze_image(&image, None, &limits, &analyzers).map_err(|e| e.to_string())?;
            let inventory = build_inventory(&image.layers, &analysis);
            Ok::<_, String>(analyzer.findings(
                &image.layers,
                Some(&image.config),
                &analysis,
                Some(&inventory),
            ))
        })();
        // The scratch cache only held this run's temporary files.
        let _ = std::fs::remove_dir_all(&scratch);
        result?
    };
    let json = serde_json::to_string_pretty(&findings).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: scan_image IMAGE|DIR [REF]");
        std::process::exit(2);
    };
    let selector = args.next();
    if let Err(err) = run(Path::new(&path), selector.as_deref()) {
        eprintln!("scan_image: {err}");
        std::process::exit(1);
    }
}
