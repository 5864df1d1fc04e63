//! Which layers an image inherited from its base image.
//!
//! Images do not record where their base ends. Base images end with their default command
//! (`CMD ["bash"]`, `CMD ["/bin/sh"]`), so the base is everything up to the last CMD or
//! ENTRYPOINT entry that is followed by further layers: the image's own build comes after.

/// One history entry, as much as this needs.
pub struct HistoryStep<'a> {
    pub created_by: &'a str,
    pub empty_layer: bool,
}

fn is_default_command(created_by: &str) -> bool {
    let text = created_by
        .trim()
        .trim_start_matches("/bin/sh -c #(nop)")
        .trim();
    text.starts_with("CMD") || text.starts_with("ENTRYPOINT")
}

/// The number of layers that belong to the base image, or `None` when the history does not
/// tell (no history, or no default command before the image's own layers).
pub fn base_layer_count(history: &[HistoryStep]) -> Option<usize> {
    boundary(history).map(|(layers, _)| layers)
}

/// The number of history entries that belong to the base image (its default command
/// included), on the same judgement as [`base_layer_count`].
pub fn base_history_count(history: &[HistoryStep]) -> Option<usize> {
    boundary(history).map(|(_, entries)| entries)
}

/// (layers, history entries) of the base image.
fn boundary(history: &[HistoryStep]) -> Option<(usize, usize)> {
    let mut layers_so_far = 0usize;
    // A default command counts as the end of a base only once layers follow it: the
    // image's own final CMD has none after it.
    let mut candidate = None;
    let mut boundary = None;
    for (index, step) in history.iter().enumerate() {
        if is_default_command(step.created_by) {
            candidate = Some((layers_so_far, index + 1));
        }
        if !step.empty_layer {
            if candidate.is_some() {
                boundary = candidate.take();
            }
            layers_so_far += 1;
        }
    }
    boundary.filter(|(layers, _)| *layers > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(created_by: &str, empty_layer: bool) -> HistoryStep<'_> {
        HistoryStep {
            created_by,
            empty_layer,
        }
    }

    #[test]
    fn acme_shop_history() {
        // The shape of scanlab/acme-shop:1.4.2 (../shared/images/README.md).
        let history = [
            step("/bin/sh -c #(nop) ADD file:7345c8f6 in / ", false),
            step("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            step("MAINTAINER Acme DevOps", true),
            step("ENV NODE_TLS_REJECT_UNAUTHORIZED=0", true),
            step("RUN /bin/sh -c apt-get update # buildkit", false),
            step("WORKDIR /app", false),
            step("USER root", true),
            step("CMD [\"/bin/sh\" \"-c\" \"node /app/server.js\"]", true),
        ];
        assert_eq!(base_layer_count(&history), Some(1));
        assert_eq!(base_history_count(&history), Some(2));
    }

    #[test]
    fn a_base_image_alone_has_no_base() {
        let history = [
            step("/bin/sh -c #(nop) ADD file:1 in / ", false),
            step("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
        ];
        assert_eq!(base_layer_count(&history), None);
        assert_eq!(base_layer_count(&[]), None);
    }

    #[test]
    fn nested_bases_end_at_the_last_inherited_command() {
        let history = [
            step("/bin/sh -c #(nop) ADD file:1 in / ", false),
            step("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            step("/bin/sh -c apt-get install python3", false),
            step("/bin/sh -c #(nop)  CMD [\"python3\"]", true),
            step("COPY . /app # buildkit", false),
        ];
        assert_eq!(base_layer_count(&history), Some(2));
    }
}
