//! The checks, each reading the [`Scan`] and adding findings to it.

mod accounts;
mod config;
mod filesystem;
mod image;

use crate::findings::Scan;

pub(crate) fn run(scan: &mut Scan<'_>) {
    accounts::check(scan);
    filesystem::check(scan);
    config::check(scan);
    image::check(scan);
}
