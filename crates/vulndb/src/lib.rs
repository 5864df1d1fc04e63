//! drydock's vulnerability database: advisories from the publishers' feeds, stored in one
//! embedded file, matched with each ecosystem's own version order.

pub mod version;
