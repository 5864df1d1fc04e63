//! Where a finding inside an image comes from — its layer, the build step that made it,
//! and whether a later layer hid the file — in one shape for every file scanner.

use std::collections::HashMap;

use serde::Serialize;

use crate::view::MergedView;

/// The layer a finding sits in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerRef {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
}

/// The history entry (build step) that made the layer, or that set a config value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryRef {
    pub index: usize,
    pub created_by: String,
}

/// How a file was removed from the final filesystem while its layer still ships it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemovalKind {
    Deleted,
    Overwritten,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Removal {
    pub kind: RemovalKind,
    /// The layer whose whiteout (or newer file) hid it.
    pub in_layer: usize,
}

impl MergedView {
    /// Every file a later layer deleted or overwrote, by (path, layer that shipped it).
    pub fn removals(&self) -> HashMap<(&str, usize), Removal> {
        let mut removals = HashMap::new();
        for (files, kind) in [
            (self.overwritten(), RemovalKind::Overwritten),
            (self.deleted(), RemovalKind::Deleted),
        ] {
            for file in files {
                removals.insert(
                    (file.entry.path.as_str(), file.added_in),
                    Removal {
                        kind,
                        in_layer: file.removed_in,
                    },
                );
            }
        }
        removals
    }
}
