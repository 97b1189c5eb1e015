//! Faults of a file found while reading it, carried through the readers inside `io::Error`s
//! (whose signatures the standard readers fix) to the edge, where each becomes its own import
//! error.

use std::io;

/// What went wrong with a file while it was read, carried inside an `io::Error` through the
/// readers to [`super::io_err`], which turns it into its own [`super::ImportError`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum InputFault {
    #[error("the gzip stream ends early")]
    TruncatedGzip,
    #[error("the gzip stream is damaged: {0}")]
    CorruptGzip(String),
    #[error("{0}")]
    TooCostly(String),
    #[error("line {line} is longer than {limit} bytes")]
    LineTooLong { line: u64, limit: usize },
    #[error("the UTF-16 text is malformed (an unpaired surrogate) near byte {offset}")]
    MalformedUtf16 { offset: u64 },
}

impl InputFault {
    pub(crate) fn into_io(self) -> io::Error {
        io::Error::other(self)
    }

    /// The fault an `io::Error` carries, if it carries one.
    pub(crate) fn of(error: &io::Error) -> Option<&InputFault> {
        error.get_ref()?.downcast_ref::<InputFault>()
    }
}
