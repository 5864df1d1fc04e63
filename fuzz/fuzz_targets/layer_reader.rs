//! Any bytes as a layer blob: gzip/zstd/tar sniffing, tar parsing, path checks, limits.
#![no_main]

use drydock_image::layer::{read_layer, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_layer_bytes: 8 << 20,
        max_layer_entries: 10_000,
        ..Limits::default()
    };
    if let Ok((facts, _)) = read_layer(data, None, None, "fuzz", &limits, &[]) {
        let _ = drydock_image::MergedView::build([&facts]);
    }
});
