use std::io;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while reading an image. Each variant renders as one line
/// that names the thing at fault, so the binary can print it as is.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid image reference {reference:?}: {reason}")]
    InvalidReference { reference: String, reason: String },

    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("reading {what}: {source}")]
    Read { what: String, source: io::Error },

    #[error("registry {registry}: {message}")]
    Registry { registry: String, message: String },

    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },

    #[error("{what} exceeds the size limit of {limit} bytes")]
    TooLarge { what: String, limit: u64 },

    #[error("malformed {what}: {reason}")]
    Malformed { what: String, reason: String },

    #[error("unsupported {what}: {value}")]
    Unsupported { what: String, value: String },

    #[error("platform {wanted} not found in the image; available: {available}")]
    PlatformNotFound { wanted: String, available: String },

    #[error("hostile layer {layer}: {reason}")]
    HostileLayer { layer: String, reason: String },

    #[error("{what} has no layers")]
    EmptyImage { what: String },

    #[error("{0}")]
    NotFound(String),

    #[error("{engine}: {message}")]
    Engine { engine: String, message: String },

    #[error("cache: {0}")]
    Cache(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn malformed(what: impl Into<String>, reason: impl ToString) -> Self {
        Error::Malformed {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    /// Wraps this error in an `io::Error` so it can travel through `Read` implementations
    /// and be recovered intact by [`Error::from_io`].
    pub(crate) fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }

    /// Recovers an [`Error`] that was wrapped by [`Error::into_io`], or describes a plain I/O
    /// failure while reading `what`.
    pub(crate) fn from_io(err: io::Error, what: impl FnOnce() -> String) -> Self {
        if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            let inner = err.into_inner().expect("checked above");
            return *inner.downcast::<Error>().expect("checked above");
        }
        let what = what();
        match err.kind() {
            io::ErrorKind::UnexpectedEof => Error::Malformed {
                what,
                reason: "truncated data (unexpected end of file)".into(),
            },
            _ => Error::Read { what, source: err },
        }
    }
}
