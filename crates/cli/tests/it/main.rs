//! drydock's integration tests, in one binary so it links once.

mod common;
mod db;

mod bad_input;
mod baseline;
mod build;
mod config;
mod engine;
mod formats;
mod harness;
mod malware;
mod registry;
mod sarif;
mod sbom;
mod secrets;
mod snapshots;
mod sources;
mod suppress;
mod vuln;
