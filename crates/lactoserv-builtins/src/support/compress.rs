//! Content codings for StaticFiles and SimpleResponse (an addition to the
//! reference's language; `docs/compression.md`): the `compress` binding,
//! choosing a coding from `Accept-Encoding`, and the encoded variants of
//! an answer, each made once (on tokio's blocking threads, a few at a
//! time) and then kept with the answer it was made from.

mod encode;
mod negotiate;
mod options;
mod variants;

#[cfg(test)]
use negotiate::choose;
pub(crate) use options::{Compress, deserialize};
pub(crate) use variants::Encoded;

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Coding {
    /// Brotli (RFC 7932).
    Br,
    /// Zstandard (RFC 8878).
    Zstd,
    /// gzip (RFC 1952).
    Gzip,
}

impl Coding {
    /// Every coding, in the server's default order of preference.
    pub(crate) const ALL: [Coding; 3] = [Self::Br, Self::Zstd, Self::Gzip];

    /// The coding's token, as in `Accept-Encoding` and `Content-Encoding`.
    pub(crate) fn token(self) -> &'static str {
        match self {
            Self::Br => "br",
            Self::Zstd => "zstd",
            Self::Gzip => "gzip",
        }
    }

    /// The coding named `token` (case-insensitive; `x-gzip` is gzip, as
    /// RFC 9110 §8.4.1.3 asks).
    pub(crate) fn from_token(token: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|coding| token.eq_ignore_ascii_case(coding.token()))
            .or_else(|| token.eq_ignore_ascii_case("x-gzip").then_some(Self::Gzip))
    }

    /// The extension of a file holding a precompressed copy of another
    /// (`x.br` beside `x`).
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Self::Br => "br",
            Self::Zstd => "zst",
            Self::Gzip => "gz",
        }
    }

    /// The coding's slot in per-coding arrays.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// `etag` made distinct for this coding: `"abc"` becomes `"abc-br"`,
    /// so that a cache or `If-None-Match` never mixes two codings of one
    /// resource (RFC 9110 §8.8.3).
    pub(crate) fn tag(self, etag: &str) -> String {
        match etag.strip_suffix('"') {
            Some(open) => format!("{open}-{}\"", self.token()),
            None => format!("{etag}-{}", self.token()),
        }
    }
}

/// Whether a `Cache-Control` value forbids transforming the body
/// (`no-transform`), compressing included.
pub(crate) fn no_transform(cache_control: Option<&http::HeaderValue>) -> bool {
    cache_control
        .and_then(|value| value.to_str().ok())
        .is_some_and(|text| {
            text.split(',')
                .any(|directive| directive.trim().eq_ignore_ascii_case("no-transform"))
        })
}

#[cfg(test)]
mod tests;
