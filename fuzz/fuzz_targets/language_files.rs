//! Any bytes offered to every language cataloger under each path it wants: lockfiles,
//! package metadata, archives (jar walker) and binaries (Go build info, cargo-auditable).
#![no_main]

use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "/app/node_modules/x/package.json",
    "/app/package-lock.json",
    "/app/yarn.lock",
    "/app/pnpm-lock.yaml",
    "/app/vendor/composer/installed.json",
    "/app/composer.lock",
    "/usr/local/bundle/specifications/x-1.0.gemspec",
    "/app/Gemfile.lock",
    "/usr/lib/python3/site-packages/x-1.0.dist-info/METADATA",
    "/app/poetry.lock",
    "/app/Pipfile.lock",
    "/app/requirements.txt",
    "/opt/conda/conda-meta/x-1.0-0.json",
    "/app/x.deps.json",
    "/app/packages.lock.json",
    "/app/app.jar",
    "/usr/local/bin/app",
    "/app/go.mod",
    "/app/Cargo.lock",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else { return };
    let path = PATHS[selector as usize % PATHS.len()];
    for cataloger in drydock_inventory::lang::catalogers() {
        if cataloger.wants(path) {
            let _ = cataloger.parse(path, content);
        }
    }
});
