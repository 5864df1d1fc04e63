//! Any text as a dpkg status file, an apk database (packages and file digests) and OS
//! release files.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = drydock_inventory::dpkg::parse_status(&text, true);
    let _ = drydock_inventory::dpkg::parse_status(&text, false);
    let _ = drydock_inventory::apk::parse_installed(&text);
    let _ = drydock_inventory::apk::file_digests(&text);
    let owned = text.to_string();
    let _ = drydock_inventory::os::detect(&|_| Some(owned.clone()));
});
