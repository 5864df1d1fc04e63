//! The merged view of an image's final filesystem: layers applied in order with their
//! whiteouts, each path remembering the layer that last wrote it, and each deleted file
//! remembering where it came from and where it was removed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::layer::{FileEntry, FileKind, LayerFacts};

/// Linux gives up after 40 symlinks in one lookup (ELOOP); so do we.
const MAX_SYMLINK_HOPS: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileNode {
    pub entry: FileEntry,
    /// Index of the layer that last wrote this path.
    pub layer: usize,
}

/// A file a lower layer shipped and a later layer deleted: gone from the final
/// filesystem, still inside the earlier blob.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeletedFile {
    pub entry: FileEntry,
    pub added_in: usize,
    pub removed_in: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResolveError {
    #[error("too many levels of symbolic links resolving {0}")]
    Loop(String),
}

#[derive(Clone, Debug, Default)]
pub struct MergedView {
    files: BTreeMap<String, FileNode>,
    deleted: Vec<DeletedFile>,
    overwritten: Vec<DeletedFile>,
}

fn subtree_prefix(dir: &str) -> String {
    if dir == "/" {
        "/".to_string()
    } else {
        format!("{dir}/")
    }
}

impl MergedView {
    pub fn build<'a>(layers: impl IntoIterator<Item = &'a LayerFacts>) -> Self {
        let mut view = MergedView::default();
        for (index, facts) in layers.into_iter().enumerate() {
            view.apply(index, facts);
        }
        view
    }

    fn apply(&mut self, index: usize, facts: &LayerFacts) {
        // Whiteouts hide lower layers only, so they apply before this layer's own entries.
        for dir in &facts.opaque_dirs {
            self.remove_subtree(dir, index);
        }
        for path in &facts.whiteouts {
            self.remove(path, index);
            self.remove_subtree(path, index);
        }
        for entry in &facts.entries {
            let replaces_kind = self.files.get(&entry.path).is_some_and(|old| {
                (old.entry.kind == FileKind::Dir) != (entry.kind == FileKind::Dir)
            });
            if replaces_kind {
                // A file over a directory (or the reverse) replaces the whole lower subtree.
                self.remove_subtree(&entry.path, index);
            }
            if let Some(old) = self.files.get(&entry.path) {
                // The lower version is hidden, but its bytes still ship in the lower blob
                // (`COPY .env` then `RUN echo > .env`): remember it.
                if old.layer < index && old.entry.kind != FileKind::Dir {
                    self.overwritten.push(DeletedFile {
                        entry: old.entry.clone(),
                        added_in: old.layer,
                        removed_in: index,
                    });
                }
            }
            self.files.insert(
                entry.path.clone(),
                FileNode {
                    entry: entry.clone(),
                    layer: index,
                },
            );
        }
    }

    fn remove(&mut self, path: &str, by_layer: usize) {
        if let Some(node) = self.files.remove(path) {
            self.note_deleted(node, by_layer);
        }
    }

    fn remove_subtree(&mut self, dir: &str, by_layer: usize) {
        let prefix = subtree_prefix(dir);
        let doomed: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix))
            .map(|(path, _)| path.clone())
            .collect();
        for path in doomed {
            self.remove(&path, by_layer);
        }
    }

    fn note_deleted(&mut self, node: FileNode, by_layer: usize) {
        if node.entry.kind != FileKind::Dir {
            self.deleted.push(DeletedFile {
                entry: node.entry,
                added_in: node.layer,
                removed_in: by_layer,
            });
        }
    }

    /// The node at `path` (no symlinks followed).
    pub fn get(&self, path: &str) -> Option<&FileNode> {
        self.files.get(path)
    }

    /// Every path of the final filesystem, in path order.
    pub fn files(&self) -> impl Iterator<Item = &FileNode> {
        self.files.values()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Files that earlier layers shipped and later layers deleted.
    pub fn deleted(&self) -> &[DeletedFile] {
        &self.deleted
    }

    /// Files that earlier layers shipped and later layers wrote over (`removed_in` is the
    /// layer that replaced them): hidden at run time, still inside the earlier blobs.
    pub fn overwritten(&self) -> &[DeletedFile] {
        &self.overwritten
    }

    /// Follows symlinks the way the kernel would inside a chroot of this image: absolute
    /// targets start at the image root and `..` never climbs above it, so no path can
    /// point outside the image. Loops end with an error after 40 hops.
    pub fn resolve(&self, path: &str) -> Result<String, ResolveError> {
        let mut pending: Vec<String> = path
            .split('/')
            .rev()
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(component) = pending.pop() {
            match component.as_str() {
                "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            resolved.push(component);
            let current = format!("/{}", resolved.join("/"));
            let Some(node) = self.files.get(&current) else {
                continue;
            };
            if node.entry.kind != FileKind::Symlink {
                continue;
            }
            hops += 1;
            if hops > MAX_SYMLINK_HOPS {
                return Err(ResolveError::Loop(path.to_string()));
            }
            resolved.pop();
            let target = node.entry.link.as_deref().unwrap_or("");
            if target.starts_with('/') {
                resolved.clear();
            }
            pending.extend(
                target
                    .split('/')
                    .rev()
                    .filter(|c| !c.is_empty())
                    .map(str::to_string),
            );
        }
        Ok(format!("/{}", resolved.join("/")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind: FileKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 1,
            link: None,
        }
    }

    fn dir(path: &str) -> FileEntry {
        FileEntry {
            kind: FileKind::Dir,
            size: 0,
            ..file(path)
        }
    }

    fn symlink(path: &str, target: &str) -> FileEntry {
        FileEntry {
            kind: FileKind::Symlink,
            link: Some(target.into()),
            size: 0,
            ..file(path)
        }
    }

    fn layer(entries: Vec<FileEntry>, whiteouts: &[&str], opaque: &[&str]) -> LayerFacts {
        LayerFacts {
            size: 0,
            entries,
            whiteouts: whiteouts.iter().map(|s| s.to_string()).collect(),
            opaque_dirs: opaque.iter().map(|s| s.to_string()).collect(),
            ..LayerFacts::default()
        }
    }

    #[test]
    fn whiteouts_and_opaque_dirs() {
        let l0 = layer(
            vec![
                dir("/app"),
                dir("/app/tmp"),
                file("/app/tmp/a"),
                file("/app/tmp/b"),
                file("/etc/x"),
                dir("/d"),
                file("/d/y"),
            ],
            &[],
            &[],
        );
        let l1 = layer(
            vec![dir("/app/tmp"), file("/app/tmp/new")],
            &["/etc/x", "/d"],
            &["/app/tmp"],
        );
        let view = MergedView::build([&l0, &l1]);
        assert!(view.get("/etc/x").is_none());
        assert!(view.get("/d/y").is_none() && view.get("/d").is_none());
        assert!(view.get("/app/tmp/a").is_none());
        assert_eq!(view.get("/app/tmp/new").unwrap().layer, 1);
        assert_eq!(view.get("/app/tmp").unwrap().layer, 1);
        let mut deleted: Vec<_> = view
            .deleted()
            .iter()
            .map(|d| (d.entry.path.as_str(), d.added_in, d.removed_in))
            .collect();
        deleted.sort();
        assert_eq!(
            deleted,
            [
                ("/app/tmp/a", 0, 1),
                ("/app/tmp/b", 0, 1),
                ("/d/y", 0, 1),
                ("/etc/x", 0, 1)
            ]
        );
    }

    #[test]
    fn overwritten_files_are_remembered() {
        let l0 = layer(vec![dir("/app"), file("/app/.env")], &[], &[]);
        let l1 = layer(vec![file("/app/.env")], &[], &[]);
        let view = MergedView::build([&l0, &l1]);
        assert_eq!(view.get("/app/.env").unwrap().layer, 1);
        let hidden: Vec<_> = view
            .overwritten()
            .iter()
            .map(|d| (d.entry.path.as_str(), d.added_in, d.removed_in))
            .collect();
        assert_eq!(hidden, [("/app/.env", 0, 1)]);
        assert!(view.deleted().is_empty());
    }

    #[test]
    fn file_replacing_directory_drops_subtree() {
        let l0 = layer(vec![dir("/opt"), file("/opt/a")], &[], &[]);
        let l1 = layer(vec![symlink("/opt", "/usr/opt")], &[], &[]);
        let view = MergedView::build([&l0, &l1]);
        assert!(view.get("/opt/a").is_none());
        assert_eq!(view.get("/opt").unwrap().entry.kind, FileKind::Symlink);
    }

    #[test]
    fn symlinks_stay_inside_and_loops_end() {
        let l0 = layer(
            vec![
                dir("/etc"),
                file("/etc/passwd"),
                symlink("/etc/up", "../../../../etc/passwd"),
                symlink("/abs", "/etc"),
                symlink("/loop1", "loop2"),
                symlink("/loop2", "/loop1"),
                symlink("/self", "."),
            ],
            &[],
            &[],
        );
        let view = MergedView::build([&l0]);
        assert_eq!(view.resolve("/etc/up").unwrap(), "/etc/passwd");
        assert_eq!(view.resolve("/abs/passwd").unwrap(), "/etc/passwd");
        assert_eq!(view.resolve("/self/self/abs/../etc").unwrap(), "/etc");
        assert_eq!(
            view.resolve("/loop1/x"),
            Err(ResolveError::Loop("/loop1/x".into()))
        );
        assert_eq!(view.resolve("/missing/file").unwrap(), "/missing/file");
    }
}
