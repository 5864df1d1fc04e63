//! The RPM package database in all three on-disk formats (BerkeleyDB hash `Packages`, NDB
//! `Packages.db`, SQLite `rpmdb.sqlite`), read without the rpm binary.
//!
//! CONTRACT (used by the rest of the crate; keep these names and shapes):
//! - `RpmPackage`: one installed package.
//! - `RpmDb { packages, warnings }`: what a database yields; damaged packages are skipped
//!   with a warning, damaged structure is an `RpmError`.
//! - `detect_format(bytes) -> Option<RpmDbFormat>` by magic bytes, not file name.
//! - `read_rpmdb(bytes) -> Result<RpmDb, RpmError>`.
//! - `parse_header_blob(blob) -> Result<RpmPackage, RpmError>`.
//!
//! Every reader treats its input as hostile: offsets and counts are checked before use,
//! allocations are bounded by the input size, and every loop is bounded by the number of
//! pages/slots/rows the input actually has. Packages come back in the order rpm stores
//! them (see each backend); `gpg-pubkey` pseudo-packages are included, the caller filters.

mod bdb;
mod header;
mod ndb;
mod sqlite;
#[cfg(test)]
mod testutil;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RpmPackage {
    pub name: String,
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub arch: Option<String>,
    /// `SOURCERPM`, e.g. `curl-7.76.1-14.el9.src.rpm`.
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
    /// Installed size in bytes (`SIZE`).
    pub size: Option<u64>,
    pub modularity_label: Option<String>,
    /// Absolute paths of the files the package owns.
    pub files: Vec<String>,
    /// Each file's digest as `algorithm:hex` (`sha256:…`), in the order of `files`; empty
    /// strings for directories and links, and no entries at all when the header has none.
    pub file_digests: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpmDbFormat {
    BerkeleyDb,
    Ndb,
    Sqlite,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RpmDb {
    pub packages: Vec<RpmPackage>,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RpmError {
    #[error("not an rpm database (unknown format)")]
    UnknownFormat,
    #[error("damaged rpm database: {0}")]
    Damaged(String),
    #[error("damaged rpm header: {0}")]
    BadHeader(String),
    #[error("rpm sqlite database: {0}")]
    Sqlite(String),
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const NDB_MAGIC: &[u8; 4] = b"RpmP";
/// BerkeleyDB hash magic (db_page.h DB_HASHMAGIC), stored in the file's byte order.
const BDB_HASH_MAGIC: u32 = 0x0006_1561;
/// BerkeleyDB page type of a hash metadata page (P_HASHMETA).
const BDB_P_HASHMETA: u8 = 8;

/// Which rpmdb format `bytes` is, by magic. A BerkeleyDB btree (an rpm *index* file, never
/// `Packages`) is not a package database and gives `None`.
pub fn detect_format(bytes: &[u8]) -> Option<RpmDbFormat> {
    if bytes.starts_with(SQLITE_MAGIC) {
        return Some(RpmDbFormat::Sqlite);
    }
    if bytes.starts_with(NDB_MAGIC) && bytes.get(4..8) == Some(&[0, 0, 0, 0]) {
        return Some(RpmDbFormat::Ndb);
    }
    let magic: [u8; 4] = bytes.get(12..16)?.try_into().ok()?;
    let hash =
        u32::from_le_bytes(magic) == BDB_HASH_MAGIC || u32::from_be_bytes(magic) == BDB_HASH_MAGIC;
    if hash && bytes.get(25) == Some(&BDB_P_HASHMETA) {
        return Some(RpmDbFormat::BerkeleyDb);
    }
    None
}

/// Reads every package header in an rpm database, whatever its format.
///
/// A package whose header (or its container record) is damaged is skipped and named in
/// `warnings`; a database whose structure is damaged is an error, as it is for rpm.
pub fn read_rpmdb(bytes: &[u8]) -> Result<RpmDb, RpmError> {
    let format = detect_format(bytes).ok_or(RpmError::UnknownFormat)?;
    let mut sink = Collector::default();
    match format {
        RpmDbFormat::BerkeleyDb => bdb::read(bytes, &mut sink)?,
        RpmDbFormat::Ndb => ndb::read(bytes, &mut sink)?,
        RpmDbFormat::Sqlite => sqlite::read(bytes, &mut sink)?,
    }
    Ok(sink.finish())
}

/// Parses one header blob as stored in the database (no lead, no header magic).
///
/// A file list that fails rpm's consistency rules is dropped (empty `files`) rather than
/// failing the package; use `read_rpmdb` to also get the warning for that.
pub fn parse_header_blob(blob: &[u8]) -> Result<RpmPackage, RpmError> {
    header::parse(blob).map(|parsed| parsed.package)
}

/// At most this many warnings are kept verbatim; the rest are counted, so a database
/// full of damaged records cannot make the warning list the biggest thing we return.
const MAX_WARNINGS: usize = 200;

/// What the backends report to: header blobs (parsed here, one at a time, so at most one
/// blob is in memory at once) and warnings about records they had to skip.
#[derive(Default)]
pub(crate) struct Collector {
    db: RpmDb,
    dropped_warnings: usize,
}

impl Collector {
    /// A header blob stored under `id` (BDB key, NDB pkgidx, SQLite hnum).
    pub(crate) fn header(&mut self, id: u32, blob: &[u8]) {
        match header::parse(blob) {
            Ok(parsed) => {
                if let Some(problem) = parsed.files_problem {
                    self.warn(format!(
                        "header #{id} ({}): file list ignored: {problem}",
                        parsed.package.name
                    ));
                }
                self.db.packages.push(parsed.package);
            }
            Err(err) => self.warn(format!("header #{id} skipped: {err}")),
        }
    }

    pub(crate) fn warn(&mut self, message: String) {
        if self.db.warnings.len() < MAX_WARNINGS {
            self.db.warnings.push(message);
        } else {
            self.dropped_warnings += 1;
        }
    }

    fn finish(mut self) -> RpmDb {
        if self.dropped_warnings > 0 {
            self.db
                .warnings
                .push(format!("… and {} more warnings", self.dropped_warnings));
        }
        self.db
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{bdb_file, ndb_file, HeaderBuilder};
    use super::*;

    #[test]
    fn detects_each_format_by_magic() {
        let blob = HeaderBuilder::package("a", "1", "1").build();
        assert_eq!(
            detect_format(&bdb_file(&[(1, blob.clone())], false)),
            Some(RpmDbFormat::BerkeleyDb)
        );
        assert_eq!(
            detect_format(&bdb_file(&[(1, blob.clone())], true)),
            Some(RpmDbFormat::BerkeleyDb)
        );
        assert_eq!(
            detect_format(&ndb_file(&[(1, blob)])),
            Some(RpmDbFormat::Ndb)
        );
        assert_eq!(
            detect_format(b"SQLite format 3\0rest"),
            Some(RpmDbFormat::Sqlite)
        );
    }

    #[test]
    fn rejects_unknown_and_btree_and_tiny_inputs() {
        assert_eq!(detect_format(b""), None);
        assert_eq!(detect_format(b"RpmP"), None);
        assert_eq!(detect_format(b"RpmP\x01\0\0\0"), None);
        let mut btree = vec![0u8; 512];
        btree[12..16].copy_from_slice(&0x0005_3162u32.to_le_bytes());
        btree[25] = 9; // P_BTREEMETA
        assert_eq!(detect_format(&btree), None);
        assert!(matches!(read_rpmdb(&btree), Err(RpmError::UnknownFormat)));
        assert!(matches!(read_rpmdb(b"hello"), Err(RpmError::UnknownFormat)));
    }

    #[test]
    fn warnings_are_capped() {
        let mut sink = Collector::default();
        for i in 0..(MAX_WARNINGS as u32 + 5) {
            sink.header(i, b"junk");
        }
        let db = sink.finish();
        assert_eq!(db.warnings.len(), MAX_WARNINGS + 1);
        assert!(db.warnings[MAX_WARNINGS].contains("5 more"));
    }
}
