//! drydock's baseline scanner: configuration inside an image that does not meet common
//! security baselines (CIS Docker and Distribution Independent Linux, Dockle's image and
//! filesystem checks, dev-sec's Linux baseline), each finding with its fix.
//!
//! Use: build a [`BaselineAnalyzer`] from a [`BaselineConfig`], hand it to
//! `drydock_image::analyze_image` (or `analyze_rootfs`) with the other analyzers: during
//! the one pass over each layer it reads only a handful of configuration files (account
//! databases, sudoers, sshd_config, trust files) and caches a compact parse of each with
//! the layer (never a password hash: only its algorithm and a short salted digest). Then
//! [`BaselineAnalyzer::findings`] checks the final filesystem (modes, owners and sizes come
//! from the layer listings) and the image config, and attributes each finding to the
//! layer that introduced it. Rule ids (`BL001`…) are stable; see [`rules()`] and RULES.md.

mod accounts;
mod analyzer;
mod checks;
mod facts;
mod findings;
pub mod rules;
mod sshd;
pub mod stock;
mod sudoers;
mod text;

pub use analyzer::{BaselineAnalyzer, BaselineConfig, ANALYZER_KEY};
pub use findings::{BaselineFinding, HistoryRef, LayerRef};
pub use rules::{rule, rules, RuleInfo, Severity};
