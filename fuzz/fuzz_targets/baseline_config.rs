//! Any bytes as each configuration file the baseline scanner parses (account databases,
//! sudoers, sshd_config, ld.so.preload, trust files), then the checks over the result
//! (includes, Match blocks, duplicate and shared-hash grouping). Nothing may panic.
#![no_main]

use drydock_baseline::{BaselineAnalyzer, BaselineConfig};
use drydock_image::{
    Analysis, FileAnalysis, FileAnalyzer, FileEntry, FileKind, LayerFacts, MergedView,
};
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "/etc/passwd",
    "/etc/shadow",
    "/etc/group",
    "/etc/sudoers",
    "/etc/sudoers.d/extra",
    "/etc/ssh/sshd_config",
    "/etc/ssh/sshd_config.d/10.conf",
    "/etc/ld.so.preload",
    "/etc/hosts.equiv",
    "/root/.ssh/authorized_keys",
];

fuzz_target!(|data: &[u8]| {
    let analyzer = BaselineAnalyzer::new(&BaselineConfig::default());
    // The same bytes as every file at once, so includes and cross-file checks meet them.
    let mut facts = LayerFacts::default();
    for path in PATHS {
        assert!(analyzer.wants(path));
        if let Ok(Some(value)) = analyzer.analyze(path, data) {
            facts.analyses.push(FileAnalysis {
                analyzer: analyzer.key().to_string(),
                path: path.to_string(),
                value,
            });
        }
        facts.entries.push(FileEntry {
            path: path.to_string(),
            kind: FileKind::File,
            mode: u32::from(data.first().copied().unwrap_or(0)) << 4 | 0o4000,
            uid: 0,
            gid: 0,
            size: data.len() as u64,
            link: None,
        });
    }
    let view = MergedView::build([&facts]);
    let analysis = Analysis {
        layers: vec![facts],
        layers_from_cache: 0,
        view,
    };
    let findings = analyzer.findings(&[], None, &analysis, None);
    // Evidence is one line, whatever the input.
    assert!(findings.iter().all(|f| !f.evidence.contains('\n')));
});
