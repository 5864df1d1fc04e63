//! drydock's secret scanner: credentials, keys and tokens in every layer of an image
//! (files that later layers deleted or overwrote included) and in its config.
//!
//! Use: build a [`SecretAnalyzer`] from a [`SecretConfig`], hand it to
//! `drydock_image::analyze_image` with the other analyzers (it runs in the same single
//! pass over each layer, and its per-file results are cached with the layer), then turn
//! the [`Analysis`](drydock_image::Analysis) into [`SecretFinding`]s with
//! [`SecretAnalyzer::findings`]. No finding, cache entry or error holds a whole secret:
//! only a short prefix, the length and a SHA-256.

mod analyzer;
mod config;
mod engine;
mod error;
mod files;
mod filters;
mod findings;
mod hit;
mod keys;
mod paths;
pub mod rules;

pub use analyzer::{SecretAnalyzer, ANALYZER_KEY};
pub use config::{
    Extend, SecretConfig, UserAllowlist, UserRule, DEFAULT_SKIP_EXTENSIONS, DEFAULT_SKIP_PATHS,
};
pub use error::SecretConfigError;
pub use findings::{FindingSource, HistoryRef, LayerRef, Removal, RemovalKind, SecretFinding};
pub use hit::{FileHits, RawHit};
pub use rules::{builtin_rules, RuleInfo, Severity};
