//! The baseline scanner's part of the one pass over each layer.

use drydock_image::FileAnalyzer;
use serde::{Deserialize, Serialize};

use crate::facts;
use crate::rules::rules;

/// Cache key of the per-file facts; bump whenever [`facts::FileFacts`] changes shape or
/// meaning (the configuration does not change them, so one key serves all).
pub const ANALYZER_KEY: &str = "baseline-v3";

/// The files read are small configuration files; anything larger is not one.
const MAX_FILE_SIZE: u64 = 4 << 20;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineConfig {
    /// Rule ids (`BL012`) whose findings are not reported.
    #[serde(default)]
    pub disabled_rules: Vec<String>,
}

/// Checks an image against the baseline rules; see [`BaselineAnalyzer::findings`].
#[derive(Clone, Debug)]
pub struct BaselineAnalyzer {
    pub(crate) config: BaselineConfig,
    warnings: Vec<String>,
}

impl BaselineAnalyzer {
    pub fn new(config: &BaselineConfig) -> Self {
        let warnings = config
            .disabled_rules
            .iter()
            .filter(|id| !rules().iter().any(|r| r.id == id.as_str()))
            .map(|id| format!("unknown baseline rule {id:?} in disabled rules"))
            .collect();
        BaselineAnalyzer {
            config: config.clone(),
            warnings,
        }
    }

    /// Whether a rule id exists and is not disabled.
    pub fn is_enabled(&self, rule: &str) -> bool {
        rules().iter().any(|r| r.id == rule)
            && !self.config.disabled_rules.iter().any(|d| d == rule)
    }

    /// Things worth telling the user about the configuration (unknown disabled ids).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

impl FileAnalyzer for BaselineAnalyzer {
    fn key(&self) -> &'static str {
        ANALYZER_KEY
    }

    fn wants(&self, path: &str) -> bool {
        facts::wants(path)
    }

    fn max_size(&self) -> u64 {
        MAX_FILE_SIZE
    }

    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<serde_json::Value>, String> {
        match facts::analyze(path, content) {
            Some(parsed) => serde_json::to_value(parsed)
                .map(Some)
                .map_err(|e| e.to_string()),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_disabled_rules_are_warned_about() {
        let analyzer = BaselineAnalyzer::new(&BaselineConfig {
            disabled_rules: vec!["BL012".into(), "BL999".into()],
        });
        assert_eq!(analyzer.warnings().len(), 1);
        assert!(!analyzer.is_enabled("BL012"));
        assert!(analyzer.is_enabled("BL001"));
        assert!(!analyzer.is_enabled("BL999"));
    }
}
