//! NDB `Packages.db` (SUSE/openSUSE since 15.3), rpm's `lib/backend/ndb/rpmpkg.c`.
//!
//! A 32-byte file header and a slot table fill the first `slotnpages` 4 KiB pages; each
//! used slot points at a blob of 16-byte blocks holding one header. Little-endian.
//! Packages come back sorted by blob offset, the order `rpm -qa` lists them.

use super::{Collector, RpmError};

const PAGE_SIZE: usize = 4096;
const BLK_SIZE: usize = 16;
const SLOT_SIZE: usize = 16;
/// The file header takes the first two slot positions.
const HEADER_SIZE: usize = 32;
/// go-rpmdb's cap; rpm allows more, but 2048 pages are already half a million packages.
const MAX_SLOT_PAGES: u32 = 2048;
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8; 4] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8; 4] = b"BlbE";
/// Blob head: magic, pkgidx, generation, length. Tail: adler32, length, magic.
const BLOB_HEAD_SIZE: usize = 16;
const BLOB_TAIL_SIZE: usize = 12;

#[derive(Clone, Copy, Debug)]
struct Slot {
    pkgidx: u32,
    blkoff: u32,
    blkcnt: u32,
}

fn damaged(message: String) -> RpmError {
    RpmError::Damaged(format!("NDB: {message}"))
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(word))
}

pub(crate) fn read(bytes: &[u8], sink: &mut Collector) -> Result<(), RpmError> {
    for slot in read_slots(bytes)? {
        match read_blob(bytes, slot) {
            Ok(blob) => sink.header(slot.pkgidx, blob),
            Err(why) => sink.warn(format!("package #{} skipped: {why}", slot.pkgidx)),
        }
    }
    Ok(())
}

/// The used slots, sorted by blob offset. A bad slot table is structure damage: rpm
/// refuses the whole database too (`rpmpkgReadSlots`).
fn read_slots(bytes: &[u8]) -> Result<Vec<Slot>, RpmError> {
    if bytes.len() < HEADER_SIZE {
        return Err(damaged(format!("{} bytes is too short", bytes.len())));
    }
    if !bytes.len().is_multiple_of(BLK_SIZE) {
        return Err(damaged(format!(
            "file size {} is not a multiple of {BLK_SIZE}",
            bytes.len()
        )));
    }
    if le_u32(bytes, 4) != Some(0) {
        return Err(damaged("unsupported version".to_owned()));
    }
    let slot_pages = le_u32(bytes, 12).unwrap_or(0);
    if slot_pages == 0 || slot_pages > MAX_SLOT_PAGES {
        return Err(damaged(format!("implausible slot page count {slot_pages}")));
    }
    let slot_area = bytes
        .get(HEADER_SIZE..slot_pages as usize * PAGE_SIZE)
        .ok_or_else(|| damaged(format!("{slot_pages} slot pages do not fit the file")))?;
    let file_blocks = (bytes.len() / BLK_SIZE) as u64;
    // Blobs live after the slot pages.
    let first_block = u64::from(slot_pages) * (PAGE_SIZE / BLK_SIZE) as u64;

    let mut slots = Vec::new();
    for (i, raw) in slot_area.chunks_exact(SLOT_SIZE).enumerate() {
        let slotno = i + HEADER_SIZE / SLOT_SIZE;
        if !raw.starts_with(SLOT_MAGIC) {
            return Err(damaged(format!("slot {slotno} has a bad magic")));
        }
        let field = |at| le_u32(raw, at).unwrap_or(0);
        let (pkgidx, blkoff, blkcnt) = (field(4), field(8), field(12));
        if blkoff == 0 {
            continue; // free slot
        }
        let end = u64::from(blkoff) + u64::from(blkcnt);
        if pkgidx == 0 || blkcnt == 0 || u64::from(blkoff) < first_block || end > file_blocks {
            return Err(damaged(format!(
                "slot {slotno} (package {pkgidx}, blocks {blkoff}+{blkcnt}) is invalid"
            )));
        }
        slots.push(Slot {
            pkgidx,
            blkoff,
            blkcnt,
        });
    }

    // Overlapping blobs or a package in two slots mean corruption (rpm refuses them when
    // it next writes). Refusing them also keeps the bytes we read within the file size.
    slots.sort_by_key(|s| s.blkoff);
    for pair in slots.windows(2) {
        if let [a, b] = pair {
            if u64::from(a.blkoff) + u64::from(a.blkcnt) > u64::from(b.blkoff) {
                return Err(damaged(format!(
                    "blobs of packages {} and {} overlap",
                    a.pkgidx, b.pkgidx
                )));
            }
        }
    }
    let mut ids: Vec<u32> = slots.iter().map(|s| s.pkgidx).collect();
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|p| p[0] == p[1]) {
        return Err(damaged(format!("package {} has two slots", pair[0])));
    }
    Ok(slots)
}

/// The header inside a slot's blob (rpm `rpmpkgReadBlob`). Errors skip this package.
fn read_blob(bytes: &[u8], slot: Slot) -> Result<&[u8], String> {
    let start = slot.blkoff as usize * BLK_SIZE;
    let len = slot.blkcnt as usize * BLK_SIZE;
    let record = bytes
        .get(start..start + len)
        .ok_or("blob is outside the file")?;
    if len < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE {
        return Err(format!("blob of {} blocks is too small", slot.blkcnt));
    }
    if !record.starts_with(BLOB_HEAD_MAGIC) {
        return Err("bad blob start magic".to_owned());
    }
    let owner = le_u32(record, 4).unwrap_or(0);
    if owner != slot.pkgidx {
        return Err(format!("blob belongs to package {owner}"));
    }
    let blob_len = le_u32(record, 12).unwrap_or(0) as u64;
    let blocks =
        (BLOB_HEAD_SIZE as u64 + blob_len + BLOB_TAIL_SIZE as u64).div_ceil(BLK_SIZE as u64);
    if blocks != u64::from(slot.blkcnt) {
        return Err(format!(
            "blob length {blob_len} does not match its {} blocks",
            slot.blkcnt
        ));
    }
    let tail_at = len - BLOB_TAIL_SIZE;
    if !record[tail_at..].ends_with(BLOB_TAIL_MAGIC) {
        return Err("bad blob end magic".to_owned());
    }
    if le_u32(record, tail_at + 4).map(u64::from) != Some(blob_len) {
        return Err("blob head and tail disagree on its length".to_owned());
    }
    // rpm only checks this when verifying; we check always (as claircore does): a blob
    // with a bad checksum was caught mid-write and is not worth parsing.
    let stored = le_u32(record, tail_at).unwrap_or(0);
    let computed = adler32(&record[..tail_at]);
    if stored != computed {
        return Err(format!(
            "checksum mismatch (stored {stored:#010x}, computed {computed:#010x})"
        ));
    }
    // blocks == blkcnt guarantees head + blob + tail fit in the record.
    record
        .get(BLOB_HEAD_SIZE..BLOB_HEAD_SIZE + blob_len as usize)
        .ok_or_else(|| "blob length out of range".to_owned())
}

/// Adler-32 (RFC 1950), as rpmpkg.c computes it over a blob's head, data and padding.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // The largest run of bytes for which the sums cannot overflow a u32.
    const NMAX: usize = 5552;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(NMAX) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ndb_file, HeaderBuilder};
    use super::super::{read_rpmdb, RpmDb};
    use super::*;

    fn blob(name: &str) -> Vec<u8> {
        HeaderBuilder::package(name, "2", "3").build()
    }

    fn names(db: &RpmDb) -> Vec<&str> {
        db.packages.iter().map(|p| p.name.as_str()).collect()
    }

    fn put32(file: &mut [u8], at: usize, v: u32) {
        file[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// Byte offset of the blob of slot `n` (0-based used slot).
    fn blob_at(file: &[u8], n: usize) -> usize {
        let slot = (n + 2) * 16;
        u32::from_le_bytes(file[slot + 8..slot + 12].try_into().unwrap()) as usize * 16
    }

    #[test]
    fn adler32_matches_rfc1950_vectors() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        // Long input exercises the modulo batching.
        let long = vec![0xffu8; 100_000];
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &long {
            a = (a + u64::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(adler32(&long), ((b << 16) | a) as u32);
    }

    #[test]
    fn reads_packages_in_blob_order() {
        let mut file = ndb_file(&[(5, blob("five")), (2, blob("two")), (9, blob("nine"))]);
        // Swap the first two slots: order must still follow the blob offsets.
        let (a, b) = (32, 48);
        let first: [u8; 16] = file[a..a + 16].try_into().unwrap();
        file.copy_within(b..b + 16, a);
        file[b..b + 16].copy_from_slice(&first);
        let db = read_rpmdb(&file).expect("valid");
        assert_eq!(names(&db), ["five", "two", "nine"]);
        assert!(db.warnings.is_empty());
    }

    #[test]
    fn damaged_blobs_skip_only_that_package() {
        let records = [(1, blob("one")), (2, blob("two"))];
        let good = ndb_file(&records);
        // (expected warning, byte offset relative to blob 0 or 1, new bytes)
        let first = blob_at(&good, 0);
        let second = blob_at(&good, 1);
        let patches: [(&str, usize, &[u8]); 6] = [
            ("start magic", first, b"X"),
            ("belongs to", first + 4, &2u32.to_le_bytes()),
            ("does not match", first + 12, &1u32.to_le_bytes()),
            ("checksum", first + 20, &[0xee]),
            ("end magic", second - 1, b"X"),
            ("disagree", second - 8, &3u32.to_le_bytes()),
        ];
        for (expect, at, bytes) in patches {
            let mut file = good.clone();
            file[at..at + bytes.len()].copy_from_slice(bytes);
            let db = read_rpmdb(&file).expect("structure is fine");
            assert_eq!(names(&db), ["two"], "{expect}");
            assert!(
                db.warnings[0].contains(expect),
                "{expect}: {:?}",
                db.warnings
            );
        }
    }

    #[test]
    fn damaged_slot_table_is_an_error() {
        let good = ndb_file(&[(1, blob("one")), (2, blob("two"))]);
        let blocks = (good.len() / 16) as u32;
        let cases: [(usize, u32); 8] = [
            (12, 0),           // no slot pages
            (12, 100_000),     // absurd slot pages
            (12, 2000),        // slot pages beyond the file
            (32, 0),           // slot magic
            (32 + 4, 0),       // used slot without package index
            (32 + 8, 3),       // blob inside the slot pages
            (32 + 12, blocks), // blob past the end
            (48 + 4, 1),       // package 1 twice
        ];
        for (at, value) in cases {
            let mut file = good.clone();
            put32(&mut file, at, value);
            assert!(
                matches!(read_rpmdb(&file), Err(RpmError::Damaged(_))),
                "patch {at}={value}"
            );
        }
        // Overlapping blobs.
        let mut file = good.clone();
        let second_off = u32::from_le_bytes(file[48 + 8..48 + 12].try_into().unwrap());
        put32(&mut file, 48 + 8, second_off - 1);
        assert!(matches!(read_rpmdb(&file), Err(RpmError::Damaged(_))));
        // Size not a multiple of 16, and too short.
        assert!(matches!(
            read_rpmdb(&good[..good.len() - 1]),
            Err(RpmError::Damaged(_))
        ));
        assert!(matches!(read_rpmdb(&good[..20]), Err(RpmError::Damaged(_))));
        // Truncated at a block boundary: the last slot now points past the end.
        assert!(matches!(
            read_rpmdb(&good[..good.len() - 16]),
            Err(RpmError::Damaged(_))
        ));
    }

    #[test]
    fn empty_database_has_no_packages() {
        let db = read_rpmdb(&ndb_file(&[])).expect("valid");
        assert_eq!(db, RpmDb::default());
    }

    #[test]
    fn corruptions_never_panic() {
        let file = ndb_file(&[(1, blob("one")), (2, blob("two"))]);
        for len in (0..file.len()).step_by(5) {
            let _ = read_rpmdb(&file[..len]);
        }
        for at in (0..file.len()).step_by(3) {
            for value in [0x00, 0x10, 0xff] {
                let mut bad = file.clone();
                bad[at] = value;
                let _ = read_rpmdb(&bad);
            }
        }
    }
}
