//! Paths the user rules out of every scanner (`--skip-dirs`, `--skip-files`). They are
//! taken out of the analysis after it is read or loaded from the cache, so cached layer
//! facts stay whole and one cache serves any choice of skips.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::analyze::Analysis;
use crate::layer::FileKind;
use crate::view::MergedView;

#[derive(Debug, thiserror::Error)]
#[error("{flag}: invalid pattern {pattern:?}: {reason}")]
pub struct SkipPatternError {
    pub flag: &'static str,
    pub pattern: String,
    pub reason: String,
}

/// Glob patterns over image paths, with or without the leading `/`: `*` stays within
/// one path component, `**` crosses any number of them (`**/node_modules`).
#[derive(Clone, Debug, Default)]
pub struct SkipPaths {
    dirs: Option<GlobSet>,
    files: Option<GlobSet>,
}

fn glob_set(flag: &'static str, patterns: &[String]) -> Result<Option<GlobSet>, SkipPatternError> {
    let mut builder = GlobSetBuilder::new();
    let mut any = false;
    for pattern in patterns {
        let trimmed = pattern
            .trim()
            .trim_start_matches("./")
            .trim_start_matches('/');
        let trimmed = trimmed.trim_end_matches('/');
        if trimmed.is_empty() {
            continue;
        }
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|e| SkipPatternError {
                flag,
                pattern: pattern.clone(),
                reason: e.kind().to_string(),
            })?;
        builder.add(glob);
        any = true;
    }
    if !any {
        return Ok(None);
    }
    builder.build().map(Some).map_err(|e| SkipPatternError {
        flag,
        pattern: patterns.join(","),
        reason: e.to_string(),
    })
}

impl SkipPaths {
    /// `dirs` skip a directory with everything below it; `files` skip the paths they
    /// match.
    pub fn new(dirs: &[String], files: &[String]) -> Result<Self, SkipPatternError> {
        Ok(SkipPaths {
            dirs: glob_set("--skip-dirs", dirs)?,
            files: glob_set("--skip-files", files)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.dirs.is_none() && self.files.is_none()
    }

    /// Whether the file at `path` (absolute, normalized) is skipped: it matches a file
    /// pattern, or it or one of its parent directories matches a directory pattern.
    pub fn skips(&self, path: &str) -> bool {
        self.skips_entry(path, false)
    }

    /// [`SkipPaths::skips`] for any entry: file patterns match only what is not a
    /// directory, so `/app/*` takes the files of `/app`, not its sub-directories.
    pub fn skips_entry(&self, path: &str, is_dir: bool) -> bool {
        let relative = path.trim_start_matches('/');
        if relative.is_empty() {
            return false;
        }
        if !is_dir
            && self
                .files
                .as_ref()
                .is_some_and(|set| set.is_match(relative))
        {
            return true;
        }
        let Some(dirs) = &self.dirs else {
            return false;
        };
        let mut end = relative.len();
        loop {
            if dirs.is_match(&relative[..end]) {
                return true;
            }
            match relative[..end].rfind('/') {
                Some(slash) => end = slash,
                None => return false,
            }
        }
    }

    /// Takes the skipped paths out of every layer of `analysis` (listing, analyzer
    /// results, warnings) and merges the layers again. Returns how many layer entries went.
    pub fn apply(&self, analysis: &mut Analysis) -> usize {
        if self.is_empty() {
            return 0;
        }
        let mut removed = 0;
        for facts in &mut analysis.layers {
            let before = facts.entries.len();
            facts
                .entries
                .retain(|e| !self.skips_entry(&e.path, e.kind == FileKind::Dir));
            removed += before - facts.entries.len();
            facts.analyses.retain(|a| !self.skips(&a.path));
            facts.whiteouts.retain(|p| !self.skips(p));
            // Warnings name their file first (`/path: why`).
            facts
                .warnings
                .retain(|w| w.split_once(": ").is_none_or(|(path, _)| !self.skips(path)));
        }
        analysis.view = MergedView::build(&analysis.layers);
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips(dirs: &[&str], files: &[&str]) -> SkipPaths {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        SkipPaths::new(&owned(dirs), &owned(files)).unwrap()
    }

    #[test]
    fn directories_take_everything_below_them() {
        let s = skips(&["/usr/lib/ruby", "**/node_modules", "opt/*/cache/"], &[]);
        for path in [
            "/usr/lib/ruby",
            "/usr/lib/ruby/3.1/x.rb",
            "/app/node_modules/lodash/package.json",
            "/node_modules/a",
            "/opt/app/cache/blob",
        ] {
            assert!(s.skips(path), "{path}");
        }
        for path in [
            "/usr/lib/rubygems/x",
            "/usr/lib/ruby2",
            "/app/package.json",
            "/opt/app/sub/cache/blob",
            "/",
        ] {
            assert!(!s.skips(path), "{path}");
        }
    }

    #[test]
    fn file_patterns_match_whole_paths() {
        let s = skips(&[], &["**/*.pem", "/etc/app/.env", "srv/*.key"]);
        assert!(s.skips("/etc/ssl/private/x.pem"));
        assert!(s.skips("/x.pem"));
        assert!(s.skips("/etc/app/.env"));
        assert!(s.skips("/srv/a.key"));
        assert!(!s.skips("/srv/sub/a.key"), "* stays within a component");
        assert!(!s.skips("/etc/app/.env.example"));
        // A file pattern never takes a directory, so never what is below one.
        let star = skips(&[], &["/app/*"]);
        assert!(star.skips("/app/main.js"));
        assert!(!star.skips_entry("/app/sub", true));
        assert!(!star.skips("/app/sub/x.js"));
        assert!(skips(&[], &[]).is_empty());
        assert!(skips(&["", "/"], &[]).is_empty());
    }

    #[test]
    fn a_broken_pattern_names_its_flag() {
        let err = SkipPaths::new(&["a[".to_string()], &[]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--skip-dirs: invalid pattern \"a[\""),
            "{err}"
        );
    }
}
