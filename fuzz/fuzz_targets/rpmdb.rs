//! Any bytes as an rpm database (BerkeleyDB hash, NDB or SQLite) or a bare header blob.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = drydock_inventory::rpm::read_rpmdb(data);
    let _ = drydock_inventory::rpm::parse_header_blob(data);
});
