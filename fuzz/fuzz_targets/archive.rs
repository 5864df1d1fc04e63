//! Any bytes as an image archive file (docker save / OCI archive, maybe compressed), read
//! all the way through its layers.
#![no_main]

use drydock_image::layer::Limits;
use drydock_image::{analyze_image, Cache};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("cache")).unwrap();
    let file = dir.path().join("image.tar");
    std::fs::write(&file, data).unwrap();
    let limits = Limits {
        max_layer_bytes: 8 << 20,
        max_archive_bytes: 16 << 20,
        ..Limits::default()
    };
    if let Ok(image) = drydock_image::source::open_path(&file, None, None, &cache, &limits) {
        let _ = analyze_image(&image, None, &limits, &[]);
    }
});
