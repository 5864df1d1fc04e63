//! The database file: SQLite, written once by a build into a temporary file and renamed
//! into place; opened read-only by scans, so any number of processes can share it.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::model::{Advisory, Affected, CveInfo, CvssScore, Range, Status};

/// Bump when the tables change shape; scans refuse a database of another version.
pub const SCHEMA_VERSION: i64 = 3;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("vulnerability database {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("vulnerability database {} has schema version {found}, this drydock reads {SCHEMA_VERSION}; rebuild it (drydock db build / db update)", path.display())]
    Schema { path: PathBuf, found: i64 },
    #[error("no vulnerability database at {} (build one with `drydock db build --from DIR`)", .0.display())]
    Missing(PathBuf),
}

const SCHEMA: &str = "
CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    records INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    newest TEXT,
    warnings TEXT NOT NULL
);
CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    summary TEXT,
    details TEXT,
    published TEXT,
    modified TEXT,
    withdrawn TEXT,
    severity TEXT,
    severity_source TEXT,
    cvss TEXT NOT NULL,
    refs TEXT NOT NULL,
    known_exploited INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE aliases (advisory_id TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY (advisory_id, alias));
CREATE INDEX aliases_by_alias ON aliases (alias);
CREATE TABLE affected (
    advisory_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    package TEXT NOT NULL,
    status TEXT NOT NULL,
    ranges TEXT NOT NULL,
    versions TEXT NOT NULL,
    fixed_version TEXT,
    justification TEXT
);
CREATE INDEX affected_by_package ON affected (ecosystem, package);
CREATE TABLE cve_info (
    cve TEXT PRIMARY KEY,
    description TEXT,
    cvss TEXT NOT NULL,
    published TEXT,
    source TEXT NOT NULL
);
CREATE TABLE known_exploited (
    cve TEXT PRIMARY KEY,
    date_added TEXT NOT NULL,
    due_date TEXT,
    ransomware INTEGER NOT NULL
);
";

/// Per-source facts shown by `db info`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceInfo {
    pub name: String,
    pub origin: String,
    pub records: u64,
    pub skipped: u64,
    pub newest: Option<String>,
    pub warnings: Vec<String>,
}

pub struct Writer {
    conn: Connection,
    path: PathBuf,
}

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

impl Writer {
    /// A fresh database at `path` (a temporary file the caller renames when done).
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(sql(path))?;
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;")
            .map_err(sql(path))?;
        conn.execute_batch(SCHEMA).map_err(sql(path))?;
        Ok(Writer {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Stores an advisory; a second record with the same id (the same advisory in two
    /// files, or two feeds) adds its aliases and affected packages to the first.
    pub fn add(&mut self, source: &str, advisory: &Advisory) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = &self.conn;
        let json = |v: &dyn erased_json::Serialize| v.to_json();
        tx.execute(
            "INSERT INTO advisories (id, source, summary, details, published, modified, withdrawn, severity, severity_source, cvss, refs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO NOTHING",
            params![
                advisory.id,
                source,
                advisory.summary,
                advisory.details,
                advisory.published,
                advisory.modified,
                advisory.withdrawn,
                advisory.severity,
                advisory.severity_source,
                json(&advisory.cvss),
                json(&advisory.references),
            ],
        )
        .map_err(sql(&path))?;
        for alias in &advisory.aliases {
            tx.execute(
                "INSERT OR IGNORE INTO aliases (advisory_id, alias) VALUES (?1, ?2)",
                params![advisory.id, alias],
            )
            .map_err(sql(&path))?;
        }
        for a in &advisory.affected {
            tx.execute(
                "INSERT INTO affected (advisory_id, ecosystem, package, status, ranges, versions, fixed_version, justification)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    advisory.id,
                    a.ecosystem,
                    a.package,
                    a.status.as_str(),
                    json(&a.ranges),
                    json(&a.versions),
                    a.fixed_version(),
                    a.justification,
                ],
            )
            .map_err(sql(&path))?;
        }
        Ok(())
    }

    /// Marks a CVE as known exploited (CISA KEV).
    pub fn add_known_exploited(
        &mut self,
        entry: &crate::feeds_kev::KevEntry,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.conn
            .execute(
                "INSERT OR REPLACE INTO known_exploited (cve, date_added, due_date, ransomware) VALUES (?1, ?2, ?3, ?4)",
                params![entry.cve, entry.date_added, entry.due_date, entry.ransomware],
            )
            .map_err(sql(&path))?;
        Ok(())
    }

    /// Stores NVD / CVE enrichment; a CVE seen again (NVD feed and API page, CVE 5 record)
    /// keeps its first description and gains the scores it did not have.
    pub fn add_cve_info(&mut self, info: &CveInfo) -> Result<(), StoreError> {
        let path = self.path.clone();
        let existing: Option<(Option<String>, String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT description, cvss, published FROM cve_info WHERE cve = ?1",
                [&info.cve],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(sql(&path))?;
        let mut merged = info.clone();
        if let Some((description, cvss, published)) = existing {
            let mut scores: Vec<CvssScore> = serde_json::from_str(&cvss).unwrap_or_default();
            for c in &info.cvss {
                if !scores
                    .iter()
                    .any(|o| o.vector == c.vector && o.source == c.source)
                {
                    scores.push(c.clone());
                }
            }
            merged.cvss = scores;
            merged.description = description.or(merged.description);
            merged.published = published.or(merged.published);
        }
        self.conn
            .execute(
                "INSERT OR REPLACE INTO cve_info (cve, description, cvss, published, source) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    merged.cve,
                    merged.description,
                    serde_json::to_string(&merged.cvss).unwrap_or_else(|_| "[]".into()),
                    merged.published,
                    merged.source,
                ],
            )
            .map_err(sql(&path))?;
        Ok(())
    }

    pub fn add_source(&mut self, info: &SourceInfo) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.conn
            .execute(
                "INSERT OR REPLACE INTO sources (name, origin, records, skipped, newest, warnings) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    info.name,
                    info.origin,
                    info.records as i64,
                    info.skipped as i64,
                    info.newest,
                    serde_json::to_string(&info.warnings).unwrap_or_default(),
                ],
            )
            .map_err(sql(&path))?;
        Ok(())
    }

    /// Writes the metadata, commits and checks the file.
    pub fn finish(self, built_at: &str) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.conn
            .execute_batch(&format!(
                "INSERT INTO metadata VALUES ('schema_version', '{SCHEMA_VERSION}');
                 INSERT INTO metadata VALUES ('built_at', '{}');
                 COMMIT; ANALYZE;",
                built_at.replace('\'', "")
            ))
            .map_err(sql(&path))?;
        let ok: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(sql(&path))?;
        if ok != "ok" {
            return Err(StoreError::Sqlite {
                path,
                source: rusqlite::Error::InvalidQuery,
            });
        }
        Ok(())
    }
}

/// Tiny helper so `add` can serialize several types through one closure.
mod erased_json {
    pub trait Serialize {
        fn to_json(&self) -> String;
    }
    impl<T: serde::Serialize> Serialize for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".into())
        }
    }
}

/// A built database, opened read-only.
pub struct Database {
    conn: Connection,
    path: PathBuf,
}

/// An affected-package row, as the matcher reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct AffectedRow {
    pub advisory_id: String,
    pub affected: Affected,
}

impl Database {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql(path))?;
        let found: i64 = conn
            .query_row(
                "SELECT value FROM metadata WHERE key = 'schema_version'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(sql(path))?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if found != SCHEMA_VERSION {
            return Err(StoreError::Schema {
                path: path.to_path_buf(),
                found,
            });
        }
        Ok(Database {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn metadata(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM metadata WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql(&self.path))
    }

    pub fn sources(&self) -> Result<Vec<SourceInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, origin, records, skipped, newest, warnings FROM sources ORDER BY name")
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SourceInfo {
                    name: r.get(0)?,
                    origin: r.get(1)?,
                    records: r.get::<_, i64>(2)? as u64,
                    skipped: r.get::<_, i64>(3)? as u64,
                    newest: r.get(4)?,
                    warnings: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                })
            })
            .map_err(sql(&self.path))?;
        rows.collect::<Result<_, _>>().map_err(sql(&self.path))
    }

    /// Everything the database says about `package` in `ecosystem` (`Debian:12`, `npm`).
    pub fn affected(&self, ecosystem: &str, package: &str) -> Result<Vec<AffectedRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT advisory_id, status, ranges, versions, justification FROM affected WHERE ecosystem = ?1 AND package = ?2",
            )
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(params![ecosystem, package], |r| {
                let status: String = r.get(1)?;
                let ranges: String = r.get(2)?;
                let versions: String = r.get(3)?;
                Ok(AffectedRow {
                    advisory_id: r.get(0)?,
                    affected: Affected {
                        ecosystem: ecosystem.to_string(),
                        package: package.to_string(),
                        status: match status.as_str() {
                            "fixed" => Status::Fixed,
                            "will_not_fix" => Status::WillNotFix,
                            "not_affected" => Status::NotAffected,
                            _ => Status::Affected,
                        },
                        ranges: serde_json::from_str::<Vec<Range>>(&ranges).unwrap_or_default(),
                        versions: serde_json::from_str(&versions).unwrap_or_default(),
                        justification: r.get(4)?,
                    },
                })
            })
            .map_err(sql(&self.path))?;
        rows.collect::<Result<_, _>>().map_err(sql(&self.path))
    }

    /// An advisory's details (without its affected packages), and the source that gave it.
    pub fn advisory(&self, id: &str) -> Result<Option<(Advisory, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, source, summary, details, published, modified, withdrawn, severity, severity_source, cvss, refs
                 FROM advisories WHERE id = ?1",
            )
            .map_err(sql(&self.path))?;
        let found = stmt
            .query_row([id], |r| {
                let cvss: String = r.get(9)?;
                let refs: String = r.get(10)?;
                Ok((
                    Advisory {
                        id: r.get(0)?,
                        aliases: Vec::new(),
                        summary: r.get(2)?,
                        details: r.get(3)?,
                        published: r.get(4)?,
                        modified: r.get(5)?,
                        withdrawn: r.get(6)?,
                        severity: r.get(7)?,
                        severity_source: r.get(8)?,
                        cvss: serde_json::from_str(&cvss).unwrap_or_default(),
                        references: serde_json::from_str(&refs).unwrap_or_default(),
                        affected: Vec::new(),
                    },
                    r.get::<_, String>(1)?,
                ))
            })
            .optional()
            .map_err(sql(&self.path))?;
        let Some((mut advisory, source)) = found else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT alias FROM aliases WHERE advisory_id = ?1 ORDER BY alias")
            .map_err(sql(&self.path))?;
        advisory.aliases = stmt
            .query_map([id], |r| r.get(0))
            .map_err(sql(&self.path))?
            .collect::<Result<_, _>>()
            .map_err(sql(&self.path))?;
        Ok(Some((advisory, source)))
    }

    /// SQLite's own page-level check, for files that arrive from elsewhere (`db import`).
    pub fn check(&self) -> Result<(), StoreError> {
        let ok: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(sql(&self.path))?;
        if ok == "ok" {
            Ok(())
        } else {
            Err(StoreError::Sqlite {
                path: self.path.clone(),
                source: rusqlite::Error::InvalidQuery,
            })
        }
    }

    /// Whether any advisory names a package of `ecosystem` (so a scan can tell "no
    /// vulnerabilities" from "no data for this distro release").
    pub fn has_ecosystem(&self, ecosystem: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM affected WHERE ecosystem = ?1 LIMIT 1")
            .and_then(|mut stmt| stmt.exists([ecosystem]))
            .map_err(sql(&self.path))
    }

    /// Every package name `ecosystem` has advisories for (for ecosystems whose names
    /// compare case-insensitively or normalised: PyPI, NuGet).
    pub fn package_names(&self, ecosystem: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT package FROM affected WHERE ecosystem = ?1")
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map([ecosystem], |r| r.get(0))
            .map_err(sql(&self.path))?;
        rows.collect::<Result<_, _>>().map_err(sql(&self.path))
    }

    /// Advisory ids known under `alias` (a CVE id, a GHSA id…), the alias itself included.
    pub fn ids_for_alias(&self, alias: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT advisory_id FROM aliases WHERE alias = ?1 UNION SELECT id FROM advisories WHERE id = ?1")
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map([alias], |r| r.get(0))
            .map_err(sql(&self.path))?;
        rows.collect::<Result<_, _>>().map_err(sql(&self.path))
    }

    /// NVD / CVE list enrichment for `cve`: description, CVSS vectors and base scores.
    pub fn cve_info(&self, cve: &str) -> Result<Option<CveInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT cve, description, cvss, published, source FROM cve_info WHERE cve = ?1",
            )
            .map_err(sql(&self.path))?;
        stmt.query_row([cve], |r| {
            let cvss: String = r.get(2)?;
            Ok(CveInfo {
                cve: r.get(0)?,
                description: r.get(1)?,
                cvss: serde_json::from_str(&cvss).unwrap_or_default(),
                published: r.get(3)?,
                source: r.get(4)?,
            })
        })
        .optional()
        .map_err(sql(&self.path))
    }

    /// Whether CISA lists `cve` as known exploited.
    pub fn known_exploited(&self, cve: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT 1 FROM known_exploited WHERE cve = ?1",
                [cve],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(sql(&self.path))
    }

    pub fn count(&self, table: &str) -> Result<u64, StoreError> {
        let allowed = [
            "advisories",
            "affected",
            "aliases",
            "known_exploited",
            "cve_info",
        ];
        if !allowed.contains(&table) {
            return Ok(0);
        }
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(sql(&self.path))
    }
}
