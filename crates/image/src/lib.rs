//! drydock's image reader: from a reference or a path to a verified image, and from its
//! layers (streamed, never unpacked) to the facts every scanner needs, cached by diffID.

pub mod cache;
pub mod digest;
mod error;
pub mod layer;
pub mod oci;
pub mod platform;
pub mod reference;
pub mod skip;
pub mod source;
mod targuard;
pub mod view;

pub mod analyze;
pub mod provenance;

pub use analyze::{
    analyze_image, analyze_image_with_progress, analyze_rootfs, analyze_rootfs_skipping, Analysis,
    Progress, ProgressTask, FILES_ANALYZER,
};
pub use cache::Cache;
pub use digest::Digest;
pub use error::{Error, Result};
pub use layer::{FileAnalysis, FileAnalyzer, FileEntry, FileKind, LayerFacts, Limits};
pub use platform::Platform;
pub use provenance::{HistoryRef, LayerRef, Removal, RemovalKind};
pub use reference::Reference;
pub use skip::{SkipPaths, SkipPatternError};
pub use source::{
    Credentials, Engine, EngineKind, Image, Layer, Lookup, RegistryClient, RegistryOptions,
    SourceKind,
};
pub use view::MergedView;
