//! Severity: the vendor's own word first, else the CVSS base score.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Unknown,
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Negligible => "NEGLIGIBLE",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// A vendor's word: Red Hat/SUSE `Important`/`Moderate`, Ubuntu `negligible`, GHSA
    /// `MODERATE`, Amazon `medium`. Unknown words give `None`.
    pub fn from_vendor_word(word: &str) -> Option<Severity> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "critical" | "urgent" => Severity::Critical,
            "high" | "important" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" => Severity::Low,
            "negligible" | "unimportant" | "none" | "info" | "informational" => {
                Severity::Negligible
            }
            _ => return None,
        })
    }

    /// CVSS qualitative rating of a base score.
    pub fn from_score(score: f64) -> Severity {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Negligible,
        }
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_uppercase().as_str() {
            "UNKNOWN" => Ok(Severity::Unknown),
            // Other scanners' lowest level is "info".
            "NEGLIGIBLE" | "INFO" => Ok(Severity::Negligible),
            "LOW" => Ok(Severity::Low),
            "MEDIUM" => Ok(Severity::Medium),
            "HIGH" => Ok(Severity::High),
            "CRITICAL" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity {other:?} (UNKNOWN, NEGLIGIBLE or INFO, LOW, MEDIUM, HIGH, CRITICAL)"
            )),
        }
    }
}

/// A CVSS vector with its base score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// `2.0`, `3.1`, `4.0`.
    pub version: String,
    pub vector: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Who published the vector (the feed the advisory came from, or `nvd`).
    pub source: String,
}

/// Whether a vector names every base metric of its version (the parser accepts partial
/// vectors and scores them 0, which would read as "no risk").
fn complete(vector: &str, metrics: &[&str]) -> bool {
    let present: Vec<&str> = vector
        .split('/')
        .filter_map(|part| part.split_once(':').map(|(k, _)| k))
        .collect();
    metrics.iter().all(|m| present.contains(m))
}

/// Scores a vector; `None` when it does not parse (kept for display anyway).
pub fn score(kind: &str, vector: &str, source: &str) -> CvssScore {
    let (version, score) = if vector.starts_with("CVSS:4") || kind.ends_with("V4") {
        (
            "4.0".to_string(),
            cvss::v4::Vector::from_str(vector)
                .ok()
                .filter(|_| {
                    complete(
                        vector,
                        &[
                            "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
                        ],
                    )
                })
                .map(|v| v.score().value()),
        )
    } else if vector.starts_with("CVSS:3") || kind.ends_with("V3") {
        let minor = if vector.starts_with("CVSS:3.0") {
            "3.0"
        } else {
            "3.1"
        };
        (
            minor.to_string(),
            cvss::v3::Vector::from_str(vector)
                .ok()
                .filter(|_| complete(vector, &["AV", "AC", "PR", "UI", "S", "C", "I", "A"]))
                .map(|v| v.score().value()),
        )
    } else {
        (
            "2.0".to_string(),
            cvss::v2::Vector::from_str(vector.trim_start_matches("(").trim_end_matches(')'))
                .ok()
                .filter(|_| complete(vector, &["AV", "AC", "Au", "C", "I", "A"]))
                .map(|v| v.score().value()),
        )
    };
    CvssScore {
        version,
        vector: vector.to_string(),
        score: score.map(|s| (s * 10.0).round() / 10.0),
        source: source.to_string(),
    }
}

/// The score to rate by: v3 first (what most vendors publish), then v4, then v2.
pub fn preferred(scores: &[CvssScore]) -> Option<&CvssScore> {
    let rank = |s: &CvssScore| match s.version.as_str() {
        "3.1" | "3.0" => 0,
        "4.0" => 1,
        _ => 2,
    };
    scores
        .iter()
        .filter(|s| s.score.is_some())
        .min_by_key(|s| rank(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_words() {
        assert_eq!(
            Severity::from_vendor_word("Important"),
            Some(Severity::High)
        );
        assert_eq!(
            Severity::from_vendor_word("MODERATE"),
            Some(Severity::Medium)
        );
        assert_eq!(
            Severity::from_vendor_word("negligible"),
            Some(Severity::Negligible)
        );
        assert_eq!(Severity::from_vendor_word("untriaged"), None);
    }

    #[test]
    fn cvss_scores() {
        // Log4Shell: 10.0 critical.
        let log4shell = score(
            "CVSS_V3",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            "ghsa",
        );
        assert_eq!(log4shell.score, Some(10.0));
        assert_eq!(Severity::from_score(10.0), Severity::Critical);
        let medium = score(
            "CVSS_V3",
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
            "x",
        );
        assert_eq!(medium.score, Some(5.9));
        let v2 = score("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", "nvd");
        assert_eq!((v2.version.as_str(), v2.score), ("2.0", Some(7.5)));
        let broken = score("CVSS_V3", "CVSS:3.1/AV:N", "x");
        assert_eq!(broken.score, None);
        assert_eq!(preferred(&[v2.clone(), medium.clone()]), Some(&medium));
    }
}
