//! drydock's integration tests, in one binary so it links once.

mod common;
mod db;

mod bad_input;
mod build;
mod harness;
mod registry;
mod sbom;
mod sources;
mod vuln;
