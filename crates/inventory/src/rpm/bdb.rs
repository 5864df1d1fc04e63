//! BerkeleyDB hash `Packages` (rpm up to 4.15: RHEL/CentOS ≤ 8, Amazon Linux 2, older SUSE).
//!
//! Layout from Berkeley DB's `dbinc/db_page.h`; the checks follow rpm's read-only reader
//! (`lib/backend/bdb_ro.cc`). Integers are in the file's byte order, which the magic on
//! the metadata page tells; the header blobs inside are big-endian as always.
//!
//! Pages are scanned in file order (as go-rpmdb and claircore do) rather than walked
//! bucket by bucket: it needs no trust in the bucket map and visits every page once.

use std::collections::HashSet;

use super::header::HEADER_MAX_BYTES;
use super::{Collector, RpmError, BDB_HASH_MAGIC, BDB_P_HASHMETA};

const META_SIZE: usize = 512;
/// Every page starts with this header (LSN, pgno, prev, next, entries, hf_offset, level, type).
const PAGE_HEADER_SIZE: usize = 26;
// Page types (db_page.h).
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;
// Hash item types (db_page.h).
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const H_OFFDUP: u8 = 4;
/// An H_OFFPAGE item: type, 3 unused bytes, first overflow page, total length.
const HOFFPAGE_SIZE: usize = 12;
/// Metadata flag: pages carry checksums (and a longer header); rpm never sets it.
const DBMETA_CHKSUM: u8 = 0x01;

struct Db<'a> {
    bytes: &'a [u8],
    /// The file was written on a big-endian machine.
    swapped: bool,
    page_size: usize,
    last_pgno: u32,
    /// Number of keys according to the metadata page (key 0 included).
    nelem: u32,
}

pub(crate) fn read(bytes: &[u8], sink: &mut Collector) -> Result<(), RpmError> {
    let db = Db::open(bytes)?;
    // Each overflow page may belong to one value only: this stops loops and shared chains,
    // so the total bytes we assemble stay below the file size.
    let mut overflow_used = vec![false; db.last_pgno as usize + 1];
    let mut seen = HashSet::new();
    let mut keys = 0u64;
    for pgno in 1..=db.last_pgno {
        let page = db.page(pgno)?;
        if !matches!(page_type(page), P_HASH | P_HASH_UNSORTED) {
            // Overflow pages are read through their chains; free pages are P_INVALID.
            continue;
        }
        let items = db.hash_items(page, pgno)?;
        for pair in items.chunks_exact(2) {
            let &[key, value] = pair else { continue };
            keys += 1;
            let key = match key {
                [H_KEYDATA, a, b, c, d] => db.u32_from([*a, *b, *c, *d]),
                _ => {
                    sink.warn(format!(
                        "page {pgno}: a key is not a 4-byte header number; record skipped"
                    ));
                    continue;
                }
            };
            // Key 0 holds the highest header number handed out, not a header.
            if key == 0 {
                continue;
            }
            if !seen.insert(key) {
                sink.warn(format!(
                    "header #{key} stored twice; the copy on page {pgno} is skipped"
                ));
                continue;
            }
            match value.split_first() {
                Some((&H_KEYDATA, inline)) => sink.header(key, inline),
                Some((&H_OFFPAGE, _)) => match db.overflow_value(value, &mut overflow_used) {
                    Ok(blob) => sink.header(key, &blob),
                    Err(why) => sink.warn(format!("header #{key} skipped: {why}")),
                },
                Some((&(H_DUPLICATE | H_OFFDUP), _)) => sink.warn(format!(
                    "header #{key} skipped: duplicate-data items are not used by rpm"
                )),
                Some((other, _)) => sink.warn(format!(
                    "header #{key} skipped: unknown hash item type {other}"
                )),
                None => sink.warn(format!("header #{key} skipped: empty item")),
            }
        }
    }
    if keys != u64::from(db.nelem) {
        sink.warn(format!(
            "metadata counts {} keys but the hash pages hold {keys}",
            db.nelem
        ));
    }
    Ok(())
}

fn damaged(message: String) -> RpmError {
    RpmError::Damaged(format!("BerkeleyDB: {message}"))
}

fn page_type(page: &[u8]) -> u8 {
    page.get(25).copied().unwrap_or(0)
}

impl<'a> Db<'a> {
    /// Reads and checks the hash metadata page (page 0).
    fn open(bytes: &'a [u8]) -> Result<Self, RpmError> {
        let meta = bytes.get(..META_SIZE).ok_or_else(|| {
            damaged(format!(
                "{} bytes is too short for the metadata page",
                bytes.len()
            ))
        })?;
        let magic = meta.get(12..16).and_then(|m| <[u8; 4]>::try_from(m).ok());
        let swapped = match magic.map(u32::from_le_bytes) {
            Some(BDB_HASH_MAGIC) => false,
            Some(m) if m.swap_bytes() == BDB_HASH_MAGIC => true,
            _ => return Err(damaged("not a hash database".to_owned())),
        };
        let mut db = Db {
            bytes,
            swapped,
            page_size: 0,
            last_pgno: 0,
            nelem: 0,
        };
        let field = |at: usize| db.u32_at(meta, at).unwrap_or(0);
        let version = field(16);
        let page_size = field(20);
        let last_pgno = field(32);
        let nelem = field(88);
        if !(8..=10).contains(&version) {
            return Err(damaged(format!("unsupported hash version {version}")));
        }
        if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
            return Err(damaged(format!("invalid page size {page_size}")));
        }
        if meta[24] != 0 {
            return Err(damaged("encrypted databases are not supported".to_owned()));
        }
        if meta[25] != BDB_P_HASHMETA {
            return Err(damaged(format!(
                "page 0 has type {}, not hash metadata",
                meta[25]
            )));
        }
        if meta[26] & DBMETA_CHKSUM != 0 {
            return Err(damaged("checksummed pages are not supported".to_owned()));
        }
        let needed = (u64::from(last_pgno) + 1) * u64::from(page_size);
        if needed > bytes.len() as u64 {
            return Err(damaged(format!(
                "metadata says {} pages of {page_size} bytes but the file has {} bytes",
                u64::from(last_pgno) + 1,
                bytes.len()
            )));
        }
        db.page_size = page_size as usize;
        db.last_pgno = last_pgno;
        db.nelem = nelem;
        Ok(db)
    }

    fn u32_from(&self, word: [u8; 4]) -> u32 {
        if self.swapped {
            u32::from_be_bytes(word)
        } else {
            u32::from_le_bytes(word)
        }
    }

    fn u32_at(&self, buf: &[u8], at: usize) -> Option<u32> {
        let word = buf.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(self.u32_from(word))
    }

    fn u16_at(&self, buf: &[u8], at: usize) -> Option<u16> {
        let word: [u8; 2] = buf.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.swapped {
            u16::from_be_bytes(word)
        } else {
            u16::from_le_bytes(word)
        })
    }

    /// Page `pgno` (1..=last_pgno, all inside the file as `open` checked), which must
    /// know its own number, as rpm's `bdb_getpage` requires.
    fn page(&self, pgno: u32) -> Result<&'a [u8], RpmError> {
        let start = (pgno as usize).checked_mul(self.page_size);
        let page = start
            .and_then(|s| self.bytes.get(s..s.checked_add(self.page_size)?))
            .ok_or_else(|| damaged(format!("page {pgno} is outside the file")))?;
        Ok(page)
    }

    fn page_number_matches(&self, page: &[u8], pgno: u32) -> bool {
        self.u32_at(page, 8) == Some(pgno)
    }

    /// The items of a hash page, in index order (key, value, key, value…).
    ///
    /// Items are packed downwards from the end of the page, so item `i` runs from its
    /// index offset up to the previous item's offset (db_page.h `LEN_HITEM`).
    fn hash_items(&self, page: &'a [u8], pgno: u32) -> Result<Vec<&'a [u8]>, RpmError> {
        if !self.page_number_matches(page, pgno) {
            return Err(damaged(format!("page {pgno} carries another page number")));
        }
        let entries = self.u16_at(page, 20).unwrap_or(0) as usize;
        if !entries.is_multiple_of(2) {
            return Err(damaged(format!(
                "page {pgno} has an odd item count {entries}"
            )));
        }
        let index_end = PAGE_HEADER_SIZE + 2 * entries;
        if index_end > self.page_size {
            return Err(damaged(format!("page {pgno} claims {entries} items")));
        }
        let mut items = Vec::with_capacity(entries);
        let mut upper = self.page_size;
        for i in 0..entries {
            let at = self.u16_at(page, PAGE_HEADER_SIZE + 2 * i).unwrap_or(0) as usize;
            if at < index_end || at >= upper {
                return Err(damaged(format!(
                    "page {pgno}: item {i} at offset {at} is out of place"
                )));
            }
            items.push(page.get(at..upper).unwrap_or_default());
            upper = at;
        }
        Ok(items)
    }

    /// Reassembles an off-page value from its overflow chain (rpm `ovfl_get`).
    /// Errors are reasons to skip this one value.
    fn overflow_value(&self, item: &[u8], used: &mut [bool]) -> Result<Vec<u8>, String> {
        if item.len() != HOFFPAGE_SIZE {
            return Err(format!(
                "off-page reference is {} bytes, not 12",
                item.len()
            ));
        }
        let first = self.u32_at(item, 4).unwrap_or(0);
        let total = self.u32_at(item, 8).unwrap_or(0) as usize;
        if total == 0 || total >= HEADER_MAX_BYTES || total > self.bytes.len() {
            return Err(format!("implausible value length {total}"));
        }
        let mut value = Vec::with_capacity(total);
        let mut pgno = first;
        while value.len() < total {
            if pgno == 0 || pgno > self.last_pgno {
                return Err(format!(
                    "overflow chain ends at page {pgno} after {} of {total} bytes",
                    value.len()
                ));
            }
            match used.get_mut(pgno as usize) {
                Some(seen) if !*seen => *seen = true,
                _ => {
                    return Err(format!(
                        "overflow page {pgno} is used twice (loop or shared chain)"
                    ))
                }
            }
            let page = self.page(pgno).map_err(|e| e.to_string())?;
            if page_type(page) != P_OVERFLOW || !self.page_number_matches(page, pgno) {
                return Err(format!("page {pgno} in the chain is not an overflow page"));
            }
            // OV_LEN: how many data bytes this page holds (db_page.h keeps it in hf_offset).
            let len = self.u16_at(page, 22).unwrap_or(0) as usize;
            let data = page
                .get(PAGE_HEADER_SIZE..PAGE_HEADER_SIZE + len)
                .filter(|_| len > 0 && len <= total - value.len())
                .ok_or_else(|| format!("overflow page {pgno} has a bad length {len}"))?;
            value.extend_from_slice(data);
            pgno = self.u32_at(page, 16).unwrap_or(0);
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{bdb_file, HeaderBuilder, BDB_PAGE_SIZE};
    use super::super::{read_rpmdb, RpmDb};
    use super::*;

    fn blob(name: &str) -> Vec<u8> {
        HeaderBuilder::package(name, "1.0", "1")
            .strings(1117, &["a", "b"])
            .strings(
                1118,
                &["/usr/share/long-directory-name-to-need-several-pages/"],
            )
            .int32(1116, &[0, 0])
            .raw(
                1035,
                8,
                40,
                "0123456789abcdef0123456789abcdef\0".repeat(40).into_bytes(),
            )
            .build()
    }

    fn read(bytes: &[u8]) -> Result<RpmDb, RpmError> {
        read_rpmdb(bytes)
    }

    fn names(db: &RpmDb) -> Vec<&str> {
        db.packages.iter().map(|p| p.name.as_str()).collect()
    }

    const PS: usize = BDB_PAGE_SIZE;

    fn put32(file: &mut [u8], at: usize, v: u32) {
        file[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn reads_multi_page_values_in_both_byte_orders() {
        let records = [(1, blob("one")), (7, blob("seven")), (3, blob("three"))];
        assert!(records[0].1.len() > 2 * PS, "values must span pages");
        for big_endian in [false, true] {
            let db = read(&bdb_file(&records, big_endian)).expect("valid db");
            assert_eq!(
                names(&db),
                ["one", "seven", "three"],
                "big_endian={big_endian}"
            );
            assert!(db.warnings.is_empty(), "{:?}", db.warnings);
            assert_eq!(db.packages[0].files.len(), 2);
        }
    }

    #[test]
    fn overflow_loop_is_detected() {
        let mut file = bdb_file(&[(1, blob("one"))], false);
        // Point the second overflow page back at the first.
        put32(&mut file, 3 * PS + 16, 2);
        let db = read(&file).expect("structure is fine");
        assert!(db.packages.is_empty());
        assert!(
            db.warnings.iter().any(|w| w.contains("used twice")),
            "{:?}",
            db.warnings
        );
    }

    #[test]
    fn self_loop_and_shared_chains_are_detected() {
        let mut file = bdb_file(&[(1, blob("one"))], false);
        put32(&mut file, 2 * PS + 16, 2);
        let db = read(&file).expect("structure is fine");
        assert!(db.warnings.iter().any(|w| w.contains("used twice")));

        // Two keys pointing at the same chain: the second is refused.
        let mut file = bdb_file(&[(1, blob("one")), (2, blob("two"))], false);
        let hash = &file[PS..2 * PS];
        let (first_item, _) = find_offpage_items(hash);
        let (_, second_item) = find_offpage_items(hash);
        let first_pgno = u32::from_le_bytes(
            file[PS + first_item + 4..PS + first_item + 8]
                .try_into()
                .unwrap(),
        );
        put32(&mut file, PS + second_item + 4, first_pgno);
        let db = read(&file).expect("structure is fine");
        assert_eq!(db.packages.len(), 1);
        assert!(db.warnings.iter().any(|w| w.contains("used twice")));
    }

    /// Offsets of the first and last H_OFFPAGE items on a synthetic hash page.
    fn find_offpage_items(page: &[u8]) -> (usize, usize) {
        let entries = u16::from_le_bytes([page[20], page[21]]) as usize;
        let offs: Vec<usize> = (0..entries)
            .map(|i| u16::from_le_bytes([page[26 + 2 * i], page[27 + 2 * i]]) as usize)
            .filter(|&o| page[o] == H_OFFPAGE)
            .collect();
        (offs[0], offs[offs.len() - 1])
    }

    #[test]
    fn bad_overflow_pages_skip_only_that_value() {
        let records = [(1, blob("one")), (2, blob("two"))];
        let chain_len = records[0].1.len().div_ceil(PS - 26);
        let cases: [(usize, usize, u32); 5] = [
            (2 * PS + 22, 2, 0),           // OV_LEN 0
            (2 * PS + 22, 2, 0xffff),      // OV_LEN past the page
            (2 * PS + 16, 4, 0),           // chain ends early
            (2 * PS + 16, 4, 0xffff_fff0), // chain leaves the file
            (2 * PS + 8, 4, 99),           // wrong self page number
        ];
        for (at, width, value) in cases {
            let mut file = bdb_file(&records, false);
            file[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
            let db = read(&file).expect("structure is fine");
            assert_eq!(names(&db), ["two"], "patch at {at}: {:?}", db.warnings);
            assert!(
                db.warnings[0].contains("header #1 skipped"),
                "{:?}",
                db.warnings
            );
        }
        // A non-overflow page in the chain.
        let mut file = bdb_file(&records, false);
        file[(2 + chain_len - 1) * PS + 25] = P_HASH;
        assert!(
            read(&file).is_err(),
            "a hash page with garbage items is structure damage"
        );
    }

    #[test]
    fn huge_lengths_are_refused_before_allocating() {
        let mut file = bdb_file(&[(1, blob("one"))], false);
        let (item, _) = find_offpage_items(&file[PS..2 * PS]);
        put32(&mut file, PS + item + 8, u32::MAX);
        let db = read(&file).expect("structure is fine");
        assert!(
            db.warnings[0].contains("implausible value length"),
            "{:?}",
            db.warnings
        );
    }

    #[test]
    fn damaged_metadata_is_an_error() {
        let good = bdb_file(&[(1, blob("one"))], false);
        let cases: [(usize, u32); 5] = [
            (16, 7),        // hash version
            (20, 1000),     // page size not a power of two
            (20, 1 << 20),  // page size too big
            (32, u32::MAX), // last page beyond the file
            (32, 1 << 20),
        ];
        for (at, value) in cases {
            let mut file = good.clone();
            put32(&mut file, at, value);
            assert!(
                matches!(read(&file), Err(RpmError::Damaged(_))),
                "patch {at}={value}"
            );
        }
        for (at, value) in [(24, 1), (26, DBMETA_CHKSUM)] {
            let mut file = good.clone();
            file[at] = value;
            assert!(
                matches!(read(&file), Err(RpmError::Damaged(_))),
                "byte {at}={value}"
            );
        }
        assert!(matches!(read(&good[..300]), Err(RpmError::Damaged(_))));
        // Truncated below what the metadata claims.
        assert!(matches!(
            read(&good[..good.len() - 1]),
            Err(RpmError::Damaged(_))
        ));
    }

    #[test]
    fn damaged_hash_page_is_an_error() {
        let good = bdb_file(&[(1, blob("one"))], false);
        let hash = PS;
        let cases: [(usize, u16); 4] = [
            (hash + 20, 3),      // odd item count
            (hash + 20, 0xfff0), // more items than fit
            (hash + 26, 10),     // item offset inside the index
            (hash + 28, 0xffff), // item offset past the page
        ];
        for (at, value) in cases {
            let mut file = good.clone();
            file[at..at + 2].copy_from_slice(&value.to_le_bytes());
            assert!(
                matches!(read(&file), Err(RpmError::Damaged(_))),
                "patch {at}={value}"
            );
        }
    }

    #[test]
    fn duplicate_keys_and_odd_items_are_skipped_with_warnings() {
        let mut file = bdb_file(&[(1, blob("one")), (2, blob("two"))], false);
        let hash = &file[PS..2 * PS];
        let entries = u16::from_le_bytes([hash[20], hash[21]]) as usize;
        // Make the last key equal to the previous one.
        let last_key =
            u16::from_le_bytes([hash[26 + 2 * (entries - 2)], hash[27 + 2 * (entries - 2)]])
                as usize;
        put32(&mut file, PS + last_key + 1, 1);
        let db = read(&file).expect("structure is fine");
        assert_eq!(names(&db), ["one"]);
        assert!(db.warnings.iter().any(|w| w.contains("stored twice")));
    }

    #[test]
    fn every_truncation_and_many_corruptions_are_handled() {
        let file = bdb_file(&[(1, blob("one")), (2, blob("two"))], false);
        for len in (0..file.len()).step_by(7) {
            let _ = read(&file[..len]);
        }
        for at in (0..file.len()).step_by(3) {
            for value in [0x00, 0x07, 0xff] {
                let mut bad = file.clone();
                bad[at] = value;
                let _ = read(&bad);
            }
        }
    }
}
