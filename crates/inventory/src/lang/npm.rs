//! (in progress)

use super::Cataloger;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    Vec::new()
}
