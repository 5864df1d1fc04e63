//! End-of-life dates of OS releases, kept as data (`data/eol.json`, with its sources).

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::EolStatus;

#[derive(Deserialize)]
struct EolData {
    releases: Vec<Release>,
}

#[derive(Deserialize)]
struct Release {
    family: String,
    version: String,
    eol: Option<String>,
    #[serde(default)]
    eol_extended: Option<String>,
}

impl Release {
    /// The day security fixes stop for users who pay nothing: Debian LTS is free and its
    /// fixes flow into the same security tracker, so it counts; Ubuntu ESM, RHEL ELS and
    /// SUSE LTSS are paid and do not.
    fn effective_eol(&self) -> Option<&String> {
        match self.family.as_str() {
            "debian" => self.eol_extended.as_ref().or(self.eol.as_ref()),
            _ => self.eol.as_ref(),
        }
    }
}

fn data() -> &'static EolData {
    static DATA: OnceLock<EolData> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../data/eol.json")).expect("data/eol.json is valid")
    })
}

/// The release keys a version belongs to, most specific first.
fn release_keys(family: &str, version: &str) -> Vec<String> {
    let parts: Vec<&str> = version.split(['.', ' ']).collect();
    let first = |n: usize| parts.iter().take(n).copied().collect::<Vec<_>>().join(".");
    match family {
        // Debian 6 and older were numbered 6.0, 5.0, …
        "debian" => vec![first(1), first(2)],
        "rhel" | "centos" | "centos-stream" | "rocky" | "almalinux" | "oracle" | "fedora" => {
            vec![first(1)]
        }
        "amazon" if parts[0].len() == 4 && parts[0] < "2022" => vec!["1".into()],
        "amazon" => vec![first(1)],
        "ubuntu" | "alpine" | "photon" | "cbl-mariner" | "azurelinux" | "opensuse-leap"
        | "sle-micro" => vec![first(2)],
        // SLES 15 GA reports VERSION_ID "15": that is 15.0, not the product line.
        "sles" if parts.len() == 1 => vec![format!("{version}.0"), first(1)],
        "sles" => vec![first(2), first(1)],
        "wolfi" | "opensuse-tumbleweed" => vec!["rolling".into()],
        _ => vec![version.to_string()],
    }
}

/// Today as `YYYY-MM-DD` (UTC), from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Whether `family` `version` is past the end of its standard security support.
pub fn status(family: &str, version: &str) -> (EolStatus, Option<String>) {
    status_on(family, version, &today())
}

pub fn status_on(family: &str, version: &str, today: &str) -> (EolStatus, Option<String>) {
    for key in release_keys(family, version) {
        if let Some(release) = data()
            .releases
            .iter()
            .find(|r| r.family == family && r.version == key)
        {
            return match release.effective_eol() {
                Some(date) if date.as_str() < today => (EolStatus::EndOfLife, Some(date.clone())),
                Some(date) => (EolStatus::Supported, Some(date.clone())),
                None => (EolStatus::Unknown, None),
            };
        }
    }
    (EolStatus::Unknown, None)
}

/// The release of `family` to move to from an unsupported one: of the releases still
/// supported on `today`, the one supported longest (an LTS over a newer interim release).
/// Returns its version and end-of-support date.
pub fn successor_on(family: &str, today: &str) -> Option<(String, String)> {
    data()
        .releases
        .iter()
        .filter(|r| r.family == family)
        .filter_map(|r| Some((r, r.effective_eol()?)))
        .filter(|(_, eol)| eol.as_str() >= today)
        .max_by(|(_, a), (_, b)| a.cmp(b))
        .map(|(r, eol)| (r.version.clone(), eol.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successors_are_supported_releases() {
        assert_eq!(
            successor_on("debian", "2026-11-27").map(|s| s.0),
            Some("13".into())
        );
        let (ubuntu, eol) = successor_on("ubuntu", "2026-11-27").unwrap();
        assert!(ubuntu.ends_with(".04"), "an LTS release: {ubuntu}");
        assert!(eol.as_str() >= "2029-01-01");
        assert_eq!(successor_on("nonesuch", "2026-11-27"), None);
    }

    #[test]
    fn releases() {
        assert_eq!(
            status_on("debian", "12", "2026-11-27"),
            (EolStatus::Supported, Some("2028-06-30".into()))
        );
        assert_eq!(
            status_on("debian", "10", "2026-11-27").0,
            EolStatus::EndOfLife
        );
        assert_eq!(
            status_on("alpine", "3.6.5", "2026-11-27").0,
            EolStatus::EndOfLife
        );
        assert_eq!(
            status_on("ubuntu", "18.04", "2026-11-27").0,
            EolStatus::EndOfLife
        );
        assert_eq!(
            status_on("amazon", "2023", "2026-11-27").0,
            EolStatus::Supported
        );
        assert_eq!(
            status_on("wolfi", "20230201", "2026-11-27").0,
            EolStatus::Unknown
        );
        assert_eq!(
            status_on("nonesuch", "1", "2026-11-27"),
            (EolStatus::Unknown, None)
        );
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_419), "2025-11-27");
        assert_eq!(release_keys("alpine", "3.20.3"), ["3.20"]);
        assert_eq!(release_keys("amazon", "2018.03"), ["1"]);
        assert_eq!(release_keys("sles", "15.6"), ["15.6", "15"]);
    }
}
