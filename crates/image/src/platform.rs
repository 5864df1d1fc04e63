//! Platforms (`os/arch[/variant]`) and the matching rules registries' indexes need.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

fn normalize_arch(arch: &str) -> &str {
    match arch {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "i386" | "i686" => "386",
        other => other,
    }
}

/// The variant a platform has when none is written down.
fn default_variant(arch: &str) -> Option<&'static str> {
    match arch {
        "arm64" => Some("v8"),
        "arm" => Some("v7"),
        _ => None,
    }
}

impl Platform {
    /// Whether an index entry described by `candidate` serves this (wanted) platform.
    pub fn matches(&self, candidate: &Platform) -> bool {
        let arch = normalize_arch(&self.architecture);
        if self.os != candidate.os || arch != normalize_arch(&candidate.architecture) {
            return false;
        }
        match &self.variant {
            None => true,
            Some(wanted) => {
                let have = candidate
                    .variant
                    .as_deref()
                    .or_else(|| default_variant(arch));
                Some(wanted.as_str()) == have
            }
        }
    }
}

impl FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad =
            || format!("invalid platform {s:?}: expected os/arch[/variant], e.g. linux/arm64");
        if parts.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        match parts.as_slice() {
            [os, arch] => Ok(Platform {
                os: os.to_string(),
                architecture: normalize_arch(arch).to_string(),
                variant: None,
            }),
            [os, arch, variant] => Ok(Platform {
                os: os.to_string(),
                architecture: normalize_arch(arch).to_string(),
                variant: Some(variant.to_string()),
            }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_normalizes_arch_and_variant() {
        let want: Platform = "linux/arm64".parse().unwrap();
        let have = Platform {
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into()),
        };
        assert!(want.matches(&have));
        assert!("linux/arm64/v8"
            .parse::<Platform>()
            .unwrap()
            .matches(&Platform {
                variant: None,
                ..have.clone()
            }));
        assert!(!"linux/arm/v6"
            .parse::<Platform>()
            .unwrap()
            .matches(&Platform {
                os: "linux".into(),
                architecture: "arm".into(),
                variant: None,
            }));
        assert!("linux/x86_64"
            .parse::<Platform>()
            .unwrap()
            .matches(&Platform::default()));
        assert!(!Platform::default().matches(&have));
        assert!("linux".parse::<Platform>().is_err());
        assert!("linux//v7".parse::<Platform>().is_err());
    }
}
