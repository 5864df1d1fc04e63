//! (in progress) The OSV range evaluator.
