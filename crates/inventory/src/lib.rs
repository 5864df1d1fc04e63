//! The inventory of an image: which OS it is, and every package in it with its exact
//! version, source package, where it was found and which layer added it.

mod analyzer;
pub mod apk;
pub mod dpkg;
pub mod eol;
pub mod lang;
pub mod model;
pub mod os;
mod purl;
pub mod rpm;

pub use analyzer::{
    build_inventory, normalize_pypi, InventoryAnalyzer, APK_DATABASES, RPM_DATABASES,
};
pub use model::{EolStatus, Inventory, LayerRef, OsInfo, Package, PackageKind};
