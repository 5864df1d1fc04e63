use thiserror::Error;

/// Why a Dockerfile could not be parsed. Lines are 1-based and inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Error, serde::Serialize)]
#[error("Dockerfile line {start_line}{}: {message}", range_suffix(*.start_line, *.end_line))]
pub struct ParseError {
    pub start_line: usize,
    pub end_line: usize,
    pub message: String,
}

fn range_suffix(start: usize, end: usize) -> String {
    if end > start {
        format!("-{end}")
    } else {
        String::new()
    }
}

impl ParseError {
    pub(crate) fn new(
        start_line: usize,
        end_line: usize,
        message: impl Into<String>,
    ) -> ParseError {
        ParseError {
            start_line,
            end_line: end_line.max(start_line),
            message: message.into(),
        }
    }
}
