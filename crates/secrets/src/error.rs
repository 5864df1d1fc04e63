//! What can be wrong with a secret-scanning configuration. Nothing here ever quotes a
//! scanned value: only rule ids, patterns the user wrote, and file paths.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SecretConfigError {
    #[error("cannot read secret config {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("secret config is not valid TOML: {0}")]
    Toml(String),
    #[error("secret rule {rule:?}: invalid {field} pattern: {reason}")]
    InvalidPattern {
        rule: String,
        field: &'static str,
        reason: String,
    },
    #[error("secret rule {rule:?}: {reason}")]
    InvalidRule { rule: String, reason: String },
    #[error("secret rule id {0:?} is defined twice")]
    DuplicateRule(String),
    #[error("invalid skip path pattern {pattern:?}: {reason}")]
    InvalidSkipPath { pattern: String, reason: String },
}
