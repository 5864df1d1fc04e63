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
pub mod model;
pub mod osv;
pub mod ranges;
pub mod store;
pub mod update;
pub mod version;

pub use build::{build, BuildError, BuildReport};
pub use model::{Advisory, Affected, CveInfo, CvssScore, Range, RangeEvent, Status};
pub use store::{Database, SourceInfo, StoreError};
pub use update::{update, UpdateError, UpdateReport};
