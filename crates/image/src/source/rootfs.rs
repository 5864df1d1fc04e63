//! A plain root filesystem directory, read as a single layer. Symlinks are recorded, never
//! followed, so nothing outside the directory is ever read.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::error::{Error, Result};
use std::io::Read;

use crate::layer::{join, record_analyses, wanting, FileAnalyzer, FileEntry, FileKind, LayerFacts};

pub fn walk_rootfs(root: &Path, analyzers: &[&dyn FileAnalyzer]) -> Result<LayerFacts> {
    let meta = fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::malformed(
            root.display().to_string(),
            "not a directory",
        ));
    }
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
            let (kind, link) = if file_type.is_symlink() {
                let target = fs::read_link(&host_path)
                    .map(|t| t.to_string_lossy().into_owned())
                    .ok();
                (FileKind::Symlink, target)
            } else if file_type.is_dir() {
                stack.push((host_path.clone(), path.clone()));
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
