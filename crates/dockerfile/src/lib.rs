//! Dockerfile checks for drydock.
//!
//! - [`parse`] reads a Dockerfile the way BuildKit does (parser directives, escape
//!   character, continuations, JSON/shell forms, heredocs, flags, stages, ARG/ENV scope) and
//!   keeps each instruction's line range and text.
//! - [`from_history`] rebuilds the same instruction list from an image config's history.
//! - [`check`] runs the rules ([`rules`], documented in `RULES.md`) on either.

mod ast;
mod error;
mod expand;
mod lexer;
mod model;
mod parser;
mod words;

#[doc(hidden)]
pub use ast::dump_syntax_tree;
pub use error::ParseError;
pub use model::*;
pub use parser::{parse, parse_with, Mount, ParseOptions};

mod history;
mod rules;
mod shell;

pub use history::{from_history, ConfigFacts, HistoryEntry, HistoryInput};
pub use rules::{check, rules, CheckConfig, Finding, HistorySupport, RuleInfo, Severity};
