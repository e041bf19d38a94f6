//! Response bodies: none, bytes in memory, pieces (bytes and ranges of open
//! files, read only as they are sent), or a status-only body the server
//! writes itself.

use std::fmt;
use std::fs::File;
use std::sync::Arc;

use bytes::Bytes;

use super::conditional::ByteRange;

/// A response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// No body at all.
    Empty,
    /// Content (`Content-Length` is the server's to set).
    Full(Bytes),
    /// Content in pieces, sent in order; files are read as they are sent,
    /// never whole into memory.
    Parts(Vec<Part>),
    /// A status-only response: the server writes `<status> <reason>\n`
    /// (plus `extra`) where the status allows it.
    Status {
        /// Extra text after the reason (the 404 page's URL).
        extra: Option<String>,
    },
}

/// A piece of a [`Body::Parts`] body.
#[derive(Clone)]
pub enum Part {
    /// Bytes in memory.
    Bytes(Bytes),
    /// `len` bytes of an open file from `offset`.
    File {
        /// The file, shared by the pieces and requests that read it.
        file: Arc<File>,
        /// Where the piece starts.
        offset: u64,
        /// How long it is.
        len: u64,
    },
}

impl Part {
    /// The piece's length.
    pub fn len(&self) -> u64 {
        match self {
            Self::Bytes(bytes) => bytes.len() as u64,
            Self::File { len, .. } => *len,
        }
    }

    /// Whether the piece has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of `range` (within this piece).
    fn slice(&self, range: ByteRange) -> Self {
        match self {
            Self::Bytes(bytes) => {
                Self::Bytes(bytes.slice(range.start as usize..=range.end as usize))
            }
            Self::File { file, offset, .. } => Self::File {
                file: file.clone(),
                offset: offset + range.start,
                len: range.len(),
            },
        }
    }
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => f.debug_tuple("Bytes").field(&bytes.len()).finish(),
            Self::File { offset, len, .. } => f
                .debug_struct("File")
                .field("offset", offset)
                .field("len", len)
                .finish(),
        }
    }
}

impl PartialEq for Part {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Bytes(a), Self::Bytes(b)) => a == b,
            (
                Self::File { file, offset, len },
                Self::File {
                    file: other_file,
                    offset: other_offset,
                    len: other_len,
                },
            ) => Arc::ptr_eq(file, other_file) && offset == other_offset && len == other_len,
            _ => false,
        }
    }
}

impl Eq for Part {}

impl Body {
    /// The length of the content, when there is content (`Full` or
    /// `Parts`).
    pub fn content_length(&self) -> Option<u64> {
        match self {
            Self::Full(bytes) => Some(bytes.len() as u64),
            Self::Parts(parts) => Some(parts.iter().map(Part::len).sum()),
            Self::Empty | Self::Status { .. } => None,
        }
    }

    /// The pieces holding `range` of the content (empty without content).
    pub fn slice(&self, range: ByteRange) -> Vec<Part> {
        let whole = match self {
            Self::Full(bytes) => vec![Part::Bytes(bytes.clone())],
            Self::Parts(parts) => parts.clone(),
            Self::Empty | Self::Status { .. } => Vec::new(),
        };
        let mut out = Vec::new();
        let mut at = 0;
        for part in &whole {
            let len = part.len();
            let (start, end) = (at, at + len);
            at = end;
            if len == 0 || end <= range.start || start > range.end {
                continue;
            }
            let from = range.start.max(start) - start;
            let to = range.end.min(end - 1) - start;
            out.push(part.slice(ByteRange {
                start: from,
                end: to,
            }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|part| match part {
                Part::Bytes(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
                Part::File { .. } => panic!("a file"),
            })
            .collect()
    }

    #[test]
    fn slices_cross_pieces() {
        let body = Body::Parts(vec![
            Part::Bytes(Bytes::from_static(b"0123")),
            Part::Bytes(Bytes::new()),
            Part::Bytes(Bytes::from_static(b"4567")),
        ]);
        assert_eq!(body.content_length(), Some(8));
        let range = |start, end| ByteRange { start, end };
        assert_eq!(text(&body.slice(range(2, 5))), "2345");
        assert_eq!(text(&body.slice(range(4, 7))), "4567");
        assert_eq!(text(&body.slice(range(0, 0))), "0");
        let full = Body::Full(Bytes::from_static(b"hello"));
        assert_eq!(text(&full.slice(range(1, 3))), "ell");
    }
}
