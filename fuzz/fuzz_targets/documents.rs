//! Any bytes as a manifest, index or image config.
#![no_main]

use drydock_image::oci::{parse_config, parse_document, select_platform, Document};
use drydock_image::Platform;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Document::Index(index)) = parse_document(data, None, "fuzz") {
        let _ = select_platform(&index, &Platform::default(), "fuzz");
    }
    let _ = parse_config(data, "", "fuzz");
});
