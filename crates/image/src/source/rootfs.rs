//! A plain root filesystem directory, read as a single layer. Symlinks are recorded, never
//! followed, so nothing outside the directory is ever read.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::error::{Error, Result};
use std::io::Read;

use crate::layer::{join, record_analyses, wanting, FileAnalyzer, FileEntry, FileKind, LayerFacts};
use crate::skip::SkipPaths;

/// The kernel's views mounted into a live system: no files of an image, and reading them
/// can take forever (`/proc/kcore`, `/sys` files that block).
const VIRTUAL_DIRS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// Walks `root`, leaving out what `skips` names (never descending into a skipped
/// directory) and the kernel's `/proc`, `/sys` and `/dev` when they are mounts (scanning
/// a live system's `/`).
pub fn walk_rootfs(
    root: &Path,
    analyzers: &[&dyn FileAnalyzer],
    skips: &SkipPaths,
) -> Result<LayerFacts> {
    let meta = fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::malformed(
            root.display().to_string(),
            "not a directory",
        ));
    }
    let root_device = meta.dev();
    let mut facts = LayerFacts::default();
    let mut stack = vec![(root.to_path_buf(), "/".to_string())];
    while let Some((dir, image_dir)) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) => {
                tracing::warn!("skipping unreadable directory {}: {err}", dir.display());
                continue;
            }
        };
        for entry in entries.flatten() {
            let host_path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&host_path) else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = join(&image_dir, &name);
            let file_type = meta.file_type();
            if skips.skips_entry(&path, file_type.is_dir()) {
                continue;
            }
            let (kind, link) = if file_type.is_symlink() {
                let target = fs::read_link(&host_path)
                    .map(|t| t.to_string_lossy().into_owned())
                    .ok();
                (FileKind::Symlink, target)
            } else if file_type.is_dir() {
                if meta.dev() != root_device && VIRTUAL_DIRS.contains(&path.as_str()) {
                    tracing::debug!("not descending into {path}: a mount of its own");
                } else {
                    stack.push((host_path.clone(), path.clone()));
                }
                (FileKind::Dir, None)
            } else if file_type.is_file() {
                (FileKind::File, None)
            } else {
                continue;
            };
            if kind == FileKind::File {
                analyze_file(&host_path, &path, meta.len(), analyzers, &mut facts);
            }
            facts.size += if kind == FileKind::File {
                meta.len()
            } else {
                0
            };
            facts.entries.push(FileEntry {
                path,
                kind,
                mode: meta.permissions().mode() & 0o7777,
                uid: meta.uid() as u64,
                gid: meta.gid() as u64,
                size: if kind == FileKind::File {
                    meta.len()
                } else {
                    0
                },
                link,
            });
        }
    }
    facts.entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(facts)
}

fn analyze_file(
    host_path: &Path,
    path: &str,
    size: u64,
    analyzers: &[&dyn FileAnalyzer],
    facts: &mut LayerFacts,
) {
    let wanting = wanting(analyzers, path);
    let Some(max) = wanting.iter().map(|a| a.max_size_for(path)).max() else {
        return;
    };
    let mut content = Vec::new();
    let read = fs::File::open(host_path).and_then(|f| f.take(max + 1).read_to_end(&mut content));
    if let Err(err) = read {
        facts.warnings.push(format!("{path}: {err}"));
        return;
    }
    record_analyses(path, &content, size, &wanting, facts);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A live system's `/`, with everything but the kernel's mounts skipped: `/proc`,
    /// `/sys` and `/dev` are listed but never entered (reading them would never end).
    #[test]
    fn a_live_root_is_walked_without_the_kernel_mounts() {
        let root_device = fs::metadata("/").unwrap().dev();
        let mounted: Vec<&str> = VIRTUAL_DIRS
            .iter()
            .copied()
            .filter(|d| fs::metadata(d).is_ok_and(|m| m.dev() != root_device))
            .collect();
        if mounted.is_empty() {
            eprintln!("SKIPPED: no /proc, /sys or /dev mount on this machine");
            return;
        }
        let others: Vec<String> = fs::read_dir("/")
            .unwrap()
            .flatten()
            .map(|e| format!("/{}", e.file_name().to_string_lossy()))
            .filter(|p| !VIRTUAL_DIRS.contains(&p.as_str()))
            .collect();
        let skips = SkipPaths::new(&others, &[]).unwrap();
        let facts = walk_rootfs(Path::new("/"), &[], &skips).unwrap();
        let paths: Vec<&str> = facts.entries.iter().map(|e| e.path.as_str()).collect();
        for dir in mounted {
            assert!(paths.contains(&dir), "{dir} listed: {paths:?}");
            let inside = format!("{dir}/");
            assert!(
                !paths.iter().any(|p| p.starts_with(&inside)),
                "nothing inside {dir}"
            );
        }
        assert!(!paths.iter().any(|p| others.iter().any(|o| p == o)));
    }

    #[test]
    fn skipped_directories_are_never_entered() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("app/node_modules/x")).unwrap();
        fs::write(dir.path().join("app/node_modules/x/index.js"), "x").unwrap();
        fs::write(dir.path().join("app/main.js"), "y").unwrap();
        let skips = SkipPaths::new(&["**/node_modules".to_string()], &[]).unwrap();
        let facts = walk_rootfs(dir.path(), &[], &skips).unwrap();
        let paths: Vec<&str> = facts.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/app", "/app/main.js"]);
    }
}
