//! One writer at a time. Two `db update` runs over one staging folder would delete and
//! rewrite the files the other is building from, and two scans that both find no database
//! would both build it: a second process waits for the first instead.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// An exclusive advisory lock on a file, held until dropped (the OS also drops it when the
/// process dies, so a crashed run never leaves the lock stuck).
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
    path: PathBuf,
}

impl WriteLock {
    /// Takes the lock on `path` (created if missing), waiting for its holder when another
    /// process has it; the wait is logged so that a blocked run does not look hung.
    pub fn acquire(path: &Path) -> io::Result<WriteLock> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                tracing::warn!(
                    "waiting for another drydock process to finish with {}",
                    path.display()
                );
                file.lock()?;
            }
            Err(TryLockError::Error(err)) => return Err(err),
        }
        Ok(WriteLock {
            _file: file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock file that guards the database at `db`: `<db>.lock` beside it.
pub fn db_lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    db.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/staging.lock");
        let first = WriteLock::acquire(&path).unwrap();
        let (tx, rx) = mpsc::channel();
        let waiter = std::thread::spawn({
            let path = path.clone();
            move || {
                let second = WriteLock::acquire(&path).unwrap();
                tx.send(()).unwrap();
                drop(second);
            }
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "the second lock was granted while the first was held"
        );
        drop(first);
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the second lock is granted once the first is dropped");
        waiter.join().unwrap();
    }

    #[test]
    fn the_database_lock_sits_beside_the_database() {
        assert_eq!(
            db_lock_path(Path::new("/c/db/drydock.db")),
            Path::new("/c/db/drydock.db.lock")
        );
    }
}
