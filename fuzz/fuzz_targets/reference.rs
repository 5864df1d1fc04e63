//! Any string as an image reference or a platform.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(reference) = text.parse::<drydock_image::Reference>() {
        // What we print must parse back to the same reference.
        let again: drydock_image::Reference = reference.to_string().parse().expect("round trip");
        assert_eq!(again, reference);
    }
    let _ = text.parse::<drydock_image::Platform>();
});
