//! Language packages found inside images: installed metadata first, lockfiles too.
//!
//! CONTRACT (the rest of the crate relies on these names and shapes):
//! - each ecosystem is a [`Cataloger`] in its own module, listed in [`catalogers`];
//! - `wants(path)` is asked for every regular file of every layer with its absolute,
//!   normalized path (`/app/node_modules/express/package.json`) and must be cheap;
//! - `parse(path, content)` returns the packages one file declares; `Err(text)` becomes a
//!   warning that names the file, and the scan goes on. Never panic, never loop forever,
//!   bound every allocation by the input size (archives: depth, entry and size limits);
//! - a package nested in an archive carries the path `outer.war!/WEB-INF/lib/inner.jar`.

pub mod composer;
pub mod conda;
pub mod dotnet;
pub mod gem;
pub mod golang;
pub mod java;
pub mod npm;
pub mod python;
pub mod rust;

use crate::model::PackageKind;
use serde::{Deserialize, Serialize};

/// One package a language cataloger found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LangPackage {
    pub kind: PackageKind,
    /// The ecosystem's own name: npm `@scope/name`, PyPI project name as written in the
    /// metadata, Maven artifactId, Go module path, crate name, gem name, Composer
    /// `vendor/name`, NuGet id, conda name.
    pub name: String,
    /// Maven groupId; empty elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Where it was found (see the contract above for archives).
    pub path: String,
}

pub trait Cataloger: Send + Sync {
    /// Short name for warnings (`npm`, `python`, `java`, …).
    fn name(&self) -> &'static str;
    fn wants(&self, path: &str) -> bool;
    /// Larger files are skipped with a warning.
    fn max_size(&self) -> u64 {
        64 << 20
    }
    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String>;
}

/// Every language cataloger.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    let mut all = Vec::new();
    all.extend(npm::catalogers());
    all.extend(composer::catalogers());
    all.extend(gem::catalogers());
    all.extend(python::catalogers());
    all.extend(conda::catalogers());
    all.extend(dotnet::catalogers());
    all.extend(java::catalogers());
    all.extend(golang::catalogers());
    all.extend(rust::catalogers());
    all
}
