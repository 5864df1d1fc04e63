//! The inventory of an image: which OS it is, and every package in it with its exact
//! version, source package, where it was found and which layer added it.

pub mod rpm;
