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
