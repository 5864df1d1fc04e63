//! SQLite `rpmdb.sqlite` (rpm ≥ 4.16: RHEL 9, Fedora 33+, Amazon Linux 2023, Mariner 2).
//!
//! rpm's `lib/backend/sqlite.cc` keeps each header as one row of
//! `Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`; every other
//! table is an index we do not need.
//!
//! The database comes from an image, so it is opened the way SQLite recommends for
//! untrusted files: read-only and immutable (no locks, no journal or WAL files, no
//! writes), untrusted schema, defensive mode, and only a plain table is queried.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::header::HEADER_MAX_BYTES;
use super::{Collector, RpmError};

pub(crate) fn read(bytes: &[u8], sink: &mut Collector) -> Result<(), RpmError> {
    // rusqlite has no in-memory deserialize without its `serialize` feature, so the bytes
    // go to a private temporary file, deleted when `file` drops (after `conn`).
    let mut file = tempfile::Builder::new()
        .prefix("drydock-rpmdb-")
        .suffix(".sqlite")
        .tempfile()
        .map_err(|e| RpmError::Sqlite(format!("temporary file: {e}")))?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| RpmError::Sqlite(format!("temporary file: {e}")))?;
    let conn = open_untrusted(file.path())?;
    read_packages(&conn, bytes.len(), sink)
}

fn sql_error(err: rusqlite::Error) -> RpmError {
    RpmError::Sqlite(err.to_string())
}

fn open_untrusted(path: &Path) -> Result<Connection, RpmError> {
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(path));
    let conn = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql_error)?;
    // Schema-defined functions (views, generated columns, triggers) must not run.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
        .map_err(sql_error)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(sql_error)?;
    // Catch corrupt b-tree cells early instead of reading past them.
    conn.pragma_update(None, "cell_size_check", true)
        .map_err(sql_error)?;
    Ok(conn)
}

/// `path` for a `file:` URI: everything but unreserved characters percent-encoded.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// rpm's query plus a size gate: `length()` of a BLOB does not load it, so an oversized
/// blob is never read.
const PACKAGES_QUERY: &str = "SELECT hnum, length(blob), \
     CASE WHEN length(blob) < ?1 THEN blob END FROM Packages ORDER BY hnum";

/// A table row takes at least this many bytes of the file (cell pointer, sizes, record
/// header), so a file cannot legitimately hold more than `len / MIN_ROW_BYTES` rows.
const MIN_ROW_BYTES: usize = 4;

fn read_packages(conn: &Connection, file_len: usize, sink: &mut Collector) -> Result<(), RpmError> {
    check_schema(conn)?;
    let max_blob = HEADER_MAX_BYTES as i64;
    check_streaming_plan(conn, max_blob)?;
    let mut stmt = conn.prepare(PACKAGES_QUERY).map_err(sql_error)?;
    let mut rows = stmt.query([max_blob]).map_err(sql_error)?;
    // A corrupt b-tree can reach the same pages many times. Each blob is stored once, so
    // all blobs together cannot exceed the file, nor can the rows outnumber what fits.
    let mut budget = file_len;
    let mut rows_left = file_len / MIN_ROW_BYTES;
    while let Some(row) = rows.next().map_err(sql_error)? {
        rows_left = rows_left.checked_sub(1).ok_or_else(|| {
            RpmError::Damaged("SQLite: more rows than the file can hold".to_owned())
        })?;
        let hnum = row.get_ref(0).map_err(sql_error)?;
        let Some(id) = hnum.as_i64().ok().and_then(|n| u32::try_from(n).ok()) else {
            sink.warn(format!(
                "row with hnum {hnum:?} skipped: not a header number"
            ));
            continue;
        };
        let len = row.get_ref(1).map_err(sql_error)?.as_i64().unwrap_or(0);
        match row.get_ref(2).map_err(sql_error)? {
            ValueRef::Blob(blob) => {
                budget = budget.checked_sub(blob.len()).ok_or_else(|| {
                    RpmError::Damaged(
                        "SQLite: rows hold more header bytes than the file".to_owned(),
                    )
                })?;
                sink.header(id, blob);
            }
            ValueRef::Null if len >= max_blob => {
                sink.warn(format!(
                    "header #{id} skipped: blob of {len} bytes is too large"
                ));
            }
            other => sink.warn(format!(
                "header #{id} skipped: blob column holds {:?}, not a blob",
                other.data_type()
            )),
        }
    }
    Ok(())
}

/// The query must stream rows in key order. If `hnum` were not the table's key, SQLite
/// would first sort every row (of a possibly crafted file) into a temporary b-tree.
fn check_streaming_plan(conn: &Connection, max_blob: i64) -> Result<(), RpmError> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {PACKAGES_QUERY}"))
        .map_err(sql_error)?;
    let details = stmt
        .query_map([max_blob], |row| row.get::<_, String>(3))
        .map_err(sql_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_error)?;
    if details.iter().any(|d| d.contains("TEMP B-TREE")) {
        return Err(RpmError::Sqlite(
            "Packages is not keyed by hnum (rpm's schema has hnum INTEGER PRIMARY KEY)".to_owned(),
        ));
    }
    Ok(())
}

/// `Packages` must be an ordinary table whose `hnum` and `blob` are stored columns, so
/// that reading it runs no code from the file (views, virtual or generated columns).
fn check_schema(conn: &Connection) -> Result<(), RpmError> {
    let table: Option<(String, i64)> = conn
        .query_row(
            "SELECT type, rootpage FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(sql_error)?;
    match table {
        None => return Err(RpmError::Sqlite("no Packages table".to_owned())),
        Some((kind, root)) if kind != "table" || root <= 0 => {
            return Err(RpmError::Sqlite(format!(
                "Packages is a {kind} (root page {root}), not a table"
            )))
        }
        Some(_) => {}
    }
    let mut stmt = conn
        .prepare("SELECT name, hidden FROM pragma_table_xinfo('Packages')")
        .map_err(sql_error)?;
    let columns = stmt
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })
        .map_err(sql_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_error)?;
    for wanted in ["hnum", "blob"] {
        match columns
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
        {
            Some((_, 0)) => {}
            Some(_) => {
                return Err(RpmError::Sqlite(format!(
                    "Packages.{wanted} is a generated or hidden column"
                )))
            }
            None => return Err(RpmError::Sqlite(format!("Packages has no {wanted} column"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{rpm_sqlite_file, sqlite_file, HeaderBuilder};
    use super::super::{read_rpmdb, RpmError};
    use super::*;

    fn blob(name: &str) -> Vec<u8> {
        HeaderBuilder::package(name, "1", "1").build()
    }

    #[test]
    fn reads_rows_in_hnum_order_and_skips_bad_blobs() {
        let file = rpm_sqlite_file(&[(3, blob("three")), (1, blob("one")), (2, b"junk".to_vec())]);
        let db = read_rpmdb(&file).expect("valid");
        let names: Vec<_> = db.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["one", "three"]);
        assert_eq!(db.warnings.len(), 1);
        assert!(
            db.warnings[0].starts_with("header #2 skipped"),
            "{:?}",
            db.warnings
        );
    }

    #[test]
    fn non_blob_values_are_skipped() {
        let file = sqlite_file(|c| {
            c.execute_batch(
                "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob);
                 INSERT INTO Packages VALUES (1, 'text'), (2, NULL), (3, 42);",
            )
            .expect("setup");
        });
        let db = read_rpmdb(&file).expect("valid");
        assert!(db.packages.is_empty());
        assert_eq!(db.warnings.len(), 3, "{:?}", db.warnings);
    }

    #[test]
    fn refuses_views_missing_tables_and_generated_columns() {
        let setups = [
            "CREATE TABLE Other (x);",
            "CREATE TABLE Real (hnum INTEGER PRIMARY KEY, blob BLOB);
             CREATE VIEW Packages AS SELECT hnum, blob FROM Real;",
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, x BLOB, \
             blob BLOB GENERATED ALWAYS AS (zeroblob(100000000)) VIRTUAL);",
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, other BLOB);",
            // Not keyed by hnum: reading in hnum order would sort the whole table first.
            "CREATE TABLE Packages (hnum INTEGER, blob BLOB);",
        ];
        for sql in setups {
            let file = sqlite_file(|c| c.execute_batch(sql).expect("setup"));
            assert!(
                matches!(read_rpmdb(&file), Err(RpmError::Sqlite(_))),
                "{sql}"
            );
        }
    }

    #[test]
    fn garbage_after_the_magic_is_an_error() {
        let mut bytes = b"SQLite format 3\0".to_vec();
        bytes.extend_from_slice(&[0xff; 200]);
        assert!(read_rpmdb(&bytes).is_err());
        let good = rpm_sqlite_file(&[(1, blob("one"))]);
        assert!(read_rpmdb(&good[..good.len() / 2]).is_err());
    }

    #[test]
    fn uri_path_escapes_specials() {
        assert_eq!(
            uri_path(Path::new("/tmp/a b?c#d%.sqlite")),
            "/tmp/a%20b%3Fc%23d%25.sqlite"
        );
    }
}
