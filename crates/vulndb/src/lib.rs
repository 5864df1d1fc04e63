//! drydock's vulnerability database: advisories from the publishers' feeds, stored in one
//! embedded file, matched with each ecosystem's own version order.

pub mod alpine;
pub mod build;
pub mod feeds_amazon;
pub mod feeds_debian;
pub mod feeds_ghsa;
pub mod feeds_kev;
pub mod feeds_npm;
pub mod feeds_nvd;
pub mod feeds_oval;
pub mod feeds_packagist;
pub mod feeds_redhat;
pub mod feeds_rubysec;
pub mod feeds_ubuntu;
pub mod feeds_wolfi;
pub mod fetch;
pub mod lock;
pub mod model;
pub mod osv;
pub mod publishers;
pub mod ranges;
pub mod store;
pub mod update;
pub mod version;

pub use build::{build, BuildError, BuildReport};
pub use fetch::DEFAULT_DOWNLOAD_TIMEOUT;
pub use lock::{db_lock_path, WriteLock};
pub use model::{Advisory, Affected, CveInfo, CvssScore, Range, RangeEvent, Status};
pub use publishers::{update_from_publishers, without_userinfo, PublisherOptions};
pub use store::{Database, SourceInfo, StoreError};
pub use update::{update, SourceFailure, UpdateError, UpdateReport};

/// Where the tests find `shared/data/advisories`: `$DRYDOCK_SHARED/data/advisories`, else
/// `../shared/data/advisories` beside the workspace.
#[cfg(test)]
pub(crate) fn test_advisories() -> std::path::PathBuf {
    std::env::var_os("DRYDOCK_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/advisories")
}

/// Opens a file of the shared advisory data for a test: `None` (with a printed `SKIPPED`)
/// when it is absent on a user's machine; under `CI=true` a missing file fails the test.
#[cfg(test)]
pub(crate) fn shared_file<T>(path: &str, opened: std::io::Result<T>) -> Option<T> {
    match opened {
        Ok(value) => Some(value),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("missing {path}"),
        Err(_) => {
            eprintln!("SKIPPED: {path} missing");
            None
        }
    }
}
