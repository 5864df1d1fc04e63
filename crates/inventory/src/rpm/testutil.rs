//! Builders for synthetic rpm headers and databases, so the readers can be tested on
//! layouts (multi-package, big-endian, corrupt) the fixtures do not have.

use super::ndb::adler32;

#[derive(Clone)]
struct Item {
    tag: u32,
    ty: u32,
    count: u32,
    data: Vec<u8>,
}

/// Builds a header blob the way rpm lays it out: an immutable region (tag 63) with its
/// trailer, then dribble entries; or, with `legacy()`, no region at all.
#[derive(Clone, Default)]
pub(crate) struct HeaderBuilder {
    region: Vec<Item>,
    dribbles: Vec<Item>,
    legacy: bool,
}

impl HeaderBuilder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// NAME, VERSION, RELEASE and ARCH x86_64.
    pub(crate) fn package(name: &str, version: &str, release: &str) -> Self {
        Self::new()
            .string(1000, name)
            .string(1001, version)
            .string(1002, release)
            .string(1022, "x86_64")
    }

    /// Adds an entry, or replaces the region entry with the same tag in place.
    pub(crate) fn raw(mut self, tag: u32, ty: u32, count: u32, data: Vec<u8>) -> Self {
        let item = Item {
            tag,
            ty,
            count,
            data,
        };
        match self.region.iter_mut().find(|i| i.tag == tag) {
            Some(existing) => *existing = item,
            None => self.region.push(item),
        }
        self
    }

    pub(crate) fn string(self, tag: u32, value: &str) -> Self {
        self.raw(tag, 6, 1, nul_terminated(&[value]))
    }

    pub(crate) fn strings(self, tag: u32, values: &[&str]) -> Self {
        self.raw(tag, 8, values.len() as u32, nul_terminated(values))
    }

    pub(crate) fn int32(self, tag: u32, values: &[u32]) -> Self {
        let data = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        self.raw(tag, 4, values.len() as u32, data)
    }

    pub(crate) fn int64(self, tag: u32, values: &[u64]) -> Self {
        let data = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        self.raw(tag, 5, values.len() as u32, data)
    }

    pub(crate) fn dribble_string(mut self, tag: u32, value: &str) -> Self {
        self.dribbles.push(Item {
            tag,
            ty: 6,
            count: 1,
            data: nul_terminated(&[value]),
        });
        self
    }

    pub(crate) fn legacy(mut self) -> Self {
        self.legacy = true;
        self
    }

    pub(crate) fn build(&self) -> Vec<u8> {
        let mut data = Vec::new();
        let mut index: Vec<(u32, u32, i32, u32)> = Vec::new();
        let mut place = |data: &mut Vec<u8>, item: &Item| {
            let align = match item.ty {
                3 => 2,
                4 => 4,
                5 => 8,
                _ => 1,
            };
            while !data.len().is_multiple_of(align) {
                data.push(0);
            }
            index.push((item.tag, item.ty, data.len() as i32, item.count));
            data.extend_from_slice(&item.data);
        };
        if self.legacy {
            for item in self.region.iter().chain(&self.dribbles) {
                place(&mut data, item);
            }
        } else {
            for item in &self.region {
                place(&mut data, item);
            }
            let trailer_at = data.len() as i32;
            let ril = self.region.len() as i32 + 1;
            for word in [63u32, 7, (-(ril * 16)) as u32, 16] {
                data.extend_from_slice(&word.to_be_bytes());
            }
            for item in &self.dribbles {
                place(&mut data, item);
            }
            index.insert(0, (63, 7, trailer_at, 16));
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(index.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        for (tag, ty, offset, count) in index {
            blob.extend_from_slice(&tag.to_be_bytes());
            blob.extend_from_slice(&ty.to_be_bytes());
            blob.extend_from_slice(&offset.to_be_bytes());
            blob.extend_from_slice(&count.to_be_bytes());
        }
        blob.extend_from_slice(&data);
        blob
    }
}

fn nul_terminated(values: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        out.extend_from_slice(v.as_bytes());
        out.push(0);
    }
    out
}

/// Page size of the synthetic BerkeleyDB files: small, so values span several pages.
pub(crate) const BDB_PAGE_SIZE: usize = 512;

/// A BerkeleyDB hash `Packages` file: meta page 0, one hash page 1 holding key 0 (the
/// instance counter) and every record as an off-page item, then the overflow chains.
pub(crate) fn bdb_file(records: &[(u32, Vec<u8>)], big_endian: bool) -> Vec<u8> {
    let ps = BDB_PAGE_SIZE;
    let w32 = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w16 = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let put = |page: &mut Vec<u8>, at: usize, bytes: &[u8]| {
        page[at..at + bytes.len()].copy_from_slice(bytes);
    };

    // Overflow chains first, so the hash items know their first pages.
    let mut overflow: Vec<Vec<u8>> = Vec::new();
    let mut items: Vec<Vec<u8>> = Vec::new();
    let counter = records.iter().map(|r| r.0).max().unwrap_or(0);
    items.push([&[1u8][..], &w32(0)].concat());
    items.push([&[1u8][..], &w32(counter)].concat());
    for (key, blob) in records {
        let first = 2 + overflow.len() as u32;
        let chunks: Vec<&[u8]> = blob.chunks(ps - 26).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let pgno = first + i as u32;
            let next = if i + 1 < chunks.len() { pgno + 1 } else { 0 };
            let prev = if i > 0 { pgno - 1 } else { 0 };
            let mut page = vec![0u8; ps];
            put(&mut page, 8, &w32(pgno));
            put(&mut page, 12, &w32(prev));
            put(&mut page, 16, &w32(next));
            put(&mut page, 20, &w16(1));
            put(&mut page, 22, &w16(chunk.len() as u16));
            page[25] = 7;
            put(&mut page, 26, chunk);
            overflow.push(page);
        }
        items.push([&[1u8][..], &w32(*key)].concat());
        items.push([&[3u8, 0, 0, 0][..], &w32(first), &w32(blob.len() as u32)].concat());
    }

    let mut hash = vec![0u8; ps];
    put(&mut hash, 8, &w32(1));
    put(&mut hash, 20, &w16(items.len() as u16));
    hash[25] = 13;
    let mut top = ps;
    for (i, item) in items.iter().enumerate() {
        top -= item.len();
        put(&mut hash, top, item);
        put(&mut hash, 26 + 2 * i, &w16(top as u16));
    }
    assert!(
        26 + 2 * items.len() <= top,
        "too many records for one hash page"
    );
    put(&mut hash, 22, &w16(top as u16));

    let last_pgno = 1 + overflow.len() as u32;
    let mut meta = vec![0u8; ps];
    put(&mut meta, 12, &w32(0x0006_1561));
    put(&mut meta, 16, &w32(9));
    put(&mut meta, 20, &w32(ps as u32));
    meta[25] = 8;
    put(&mut meta, 32, &w32(last_pgno));
    put(&mut meta, 88, &w32(items.len() as u32 / 2));
    put(&mut meta, 96, &w32(1));

    let mut file = meta;
    file.extend_from_slice(&hash);
    for page in overflow {
        file.extend_from_slice(&page);
    }
    file
}

/// An NDB `Packages.db`: one slot page, then each blob in record order.
pub(crate) fn ndb_file(records: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut file = vec![0u8; 4096];
    file[0..4].copy_from_slice(b"RpmP");
    file[8..12].copy_from_slice(&1u32.to_le_bytes());
    file[12..16].copy_from_slice(&1u32.to_le_bytes());
    let next = records.iter().map(|r| r.0).max().unwrap_or(0) + 1;
    file[16..20].copy_from_slice(&next.to_le_bytes());
    for slot in 2..256 {
        file[slot * 16..slot * 16 + 4].copy_from_slice(b"Slot");
    }
    for (n, (pkgidx, blob)) in records.iter().enumerate() {
        let blkoff = (file.len() / 16) as u32;
        let blkcnt = (16 + blob.len() + 12).div_ceil(16);
        let mut rec = vec![0u8; blkcnt * 16];
        let len = rec.len();
        rec[0..4].copy_from_slice(b"BlbS");
        rec[4..8].copy_from_slice(&pkgidx.to_le_bytes());
        rec[8..12].copy_from_slice(&7u32.to_le_bytes());
        rec[12..16].copy_from_slice(&(blob.len() as u32).to_le_bytes());
        rec[16..16 + blob.len()].copy_from_slice(blob);
        let adler = adler32(&rec[..len - 12]);
        rec[len - 12..len - 8].copy_from_slice(&adler.to_le_bytes());
        rec[len - 8..len - 4].copy_from_slice(&(blob.len() as u32).to_le_bytes());
        rec[len - 4..].copy_from_slice(b"BlbE");
        let slot = (n + 2) * 16;
        file[slot + 4..slot + 8].copy_from_slice(&pkgidx.to_le_bytes());
        file[slot + 8..slot + 12].copy_from_slice(&blkoff.to_le_bytes());
        file[slot + 12..slot + 16].copy_from_slice(&(blkcnt as u32).to_le_bytes());
        file.extend_from_slice(&rec);
    }
    file
}

/// The bytes of a SQLite database prepared by `setup` (run on a fresh writable file).
pub(crate) fn sqlite_file(setup: impl FnOnce(&rusqlite::Connection)) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rpmdb.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).expect("create sqlite db");
        setup(&conn);
    }
    std::fs::read(&path).expect("read sqlite db")
}

/// rpm's schema with `rows` as (hnum, blob).
pub(crate) fn rpm_sqlite_file(rows: &[(i64, Vec<u8>)]) -> Vec<u8> {
    sqlite_file(|conn| {
        conn.execute_batch(
            "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
        )
        .expect("create table");
        for (hnum, blob) in rows {
            conn.execute(
                "INSERT INTO Packages (hnum, blob) VALUES (?1, ?2)",
                rusqlite::params![hnum, blob],
            )
            .expect("insert");
        }
    })
}
