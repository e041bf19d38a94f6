//! Content types: from file extensions, and from `contentType` bindings that
//! give either a MIME type or an extension (Lactoserv `MimeTypes`; spec 03
//! FW-82, 02 MIME-1…MIME-4).
//!
//! Extensions are looked up in [`mime_table`](super::mime_table), which is
//! the table of the npm package `mime` v4 that Lactoserv uses, so both
//! servers name the same types. `text/*` types, and any type given for
//! textual content, get `; charset=utf-8` unless they name a charset.

use super::mime_table::{EXTENSION_TYPES, KNOWN_TYPES};

/// The type of content whose type nothing else says.
const OCTET_STREAM: &str = "application/octet-stream";

/// The type of textual content whose type nothing else says.
const TEXT_PLAIN: &str = "text/plain";

/// The charset added to textual types.
const CHARSET: &str = "utf-8";

/// The content type of the file at `path`, from its name's extension.
///
/// A name without an extension, including a dotfile such as `.hidden`, has
/// no known type: that is `application/octet-stream`, or `text/plain` when
/// the caller knows the content is text (`is_text`).
pub(crate) fn type_from_path(path: &str, is_text: bool) -> String {
    let last = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let found = match last.rfind('.') {
        Some(dot) if dot > 0 => type_from_extension(&last[dot + 1..]),
        // No dot, or only a leading one.
        _ => None,
    };
    with_default_and_charset(found, is_text)
}

/// Resolves a `contentType` binding: a MIME type (`text/html`,
/// `text/plain; charset=iso-8859-1`), which must be one the table knows, or
/// an extension with its dot (`.html`), whose type defaults as in
/// [`type_from_path`].
pub(crate) fn type_from_extension_or_type(value: &str, is_text: bool) -> Result<String, String> {
    if let Some(ext) = value.strip_prefix('.')
        && (1..=10).contains(&ext.chars().count())
        && !ext.contains(['.', '/'])
    {
        return Ok(with_default_and_charset(type_from_extension(ext), is_text));
    }
    if is_mime_type_syntax(value) {
        return if is_known_type(value) {
            Ok(with_charset(value, is_text))
        } else {
            Err(format!("Unknown MIME type: {value}"))
        };
    }
    Err(format!(
        "Invalid syntax for MIME type or file extension: {value}"
    ))
}

/// The type the table gives extension `ext` (without its dot), if any.
fn type_from_extension(ext: &str) -> Option<&'static str> {
    let ext = ext.to_ascii_lowercase();
    EXTENSION_TYPES
        .binary_search_by(|(known, _)| (*known).cmp(ext.as_str()))
        .ok()
        .map(|at| EXTENSION_TYPES[at].1)
}

/// Whether the table knows the type of `mime_type`, ignoring parameters and
/// case.
fn is_known_type(mime_type: &str) -> bool {
    let essence = mime_type
        .split(';')
        .next()
        .unwrap_or(mime_type)
        .trim()
        .to_ascii_lowercase();
    KNOWN_TYPES.binary_search(&essence.as_str()).is_ok()
}

/// The reference's MIME-type syntax check: a letter, then letters, digits
/// and `-_.=/; `, with a `/` somewhere. Note that `+` is not allowed, so
/// `image/svg+xml` can only be given as `.svg`; kept for parity.
fn is_mime_type_syntax(value: &str) -> bool {
    let mut chars = value.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && value.len() >= 2
        && value.contains('/')
        && chars.all(|c| c.is_ascii_alphanumeric() || "-_.=/; ".contains(c))
}

fn with_default_and_charset(found: Option<&str>, is_text: bool) -> String {
    let mime_type = found.unwrap_or(if is_text { TEXT_PLAIN } else { OCTET_STREAM });
    with_charset(mime_type, is_text)
}

/// Adds the charset to textual types that do not name one.
fn with_charset(mime_type: &str, is_text: bool) -> String {
    let has_charset = mime_type
        .split(';')
        .skip(1)
        .any(|param| param.trim_start_matches(' ').starts_with("charset="));
    if !has_charset && (is_text || mime_type.starts_with("text/")) {
        format!("{mime_type}; charset={CHARSET}")
    } else {
        mime_type.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(EXTENSION_TYPES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(KNOWN_TYPES.windows(2).all(|w| w[0] < w[1]));
        // Every type an extension maps to is a known type.
        assert!(EXTENSION_TYPES.iter().all(|(_, t)| is_known_type(t)));
    }

    #[test]
    fn finds_the_reference_spot_values() {
        let cases = [
            ("html", "text/html"),
            ("htm", "text/html"),
            ("css", "text/css"),
            ("js", "text/javascript"),
            ("mjs", "text/javascript"),
            ("json", "application/json"),
            ("map", "application/json"),
            ("txt", "text/plain"),
            ("text", "text/plain"),
            ("md", "text/markdown"),
            ("csv", "text/csv"),
            ("yaml", "text/yaml"),
            ("xml", "application/xml"),
            ("svg", "image/svg+xml"),
            ("png", "image/png"),
            ("jpg", "image/jpeg"),
            ("jpeg", "image/jpeg"),
            ("gif", "image/gif"),
            ("webp", "image/webp"),
            ("ico", "image/vnd.microsoft.icon"),
            ("pdf", "application/pdf"),
            ("wasm", "application/wasm"),
            ("woff2", "font/woff2"),
            ("mp4", "video/mp4"),
            ("zip", "application/zip"),
            ("gz", "application/gzip"),
            ("tar", "application/x-tar"),
            ("toml", "application/toml"),
            ("webmanifest", "application/manifest+json"),
            ("bin", "application/octet-stream"),
            ("HTML", "text/html"),
        ];
        for (ext, expected) in cases {
            assert_eq!(type_from_extension(ext), Some(expected), "{ext}");
        }
        assert_eq!(type_from_extension("abcdefgXYZ"), None);
    }

    #[test]
    fn types_files_by_extension() {
        let cases = [
            ("/boop.tar", false, "application/x-tar"),
            ("/x/blonk.json", false, "application/json"),
            ("/.boop.tar", false, "application/x-tar"),
            ("/x/.blonk.json", false, "application/json"),
            ("/abc.abcdefgXYZ", false, "application/octet-stream"),
            ("/a/b/c.html", false, "text/html; charset=utf-8"),
            ("/a/b.gif", true, "image/gif; charset=utf-8"),
            ("/x/.hidden", false, "application/octet-stream"),
            ("/x/noext", false, "application/octet-stream"),
            ("/x/noext", true, "text/plain; charset=utf-8"),
            ("/x/trailing.", false, "application/octet-stream"),
            ("/x.d/file", false, "application/octet-stream"),
            ("/x/a.TXT", false, "text/plain; charset=utf-8"),
        ];
        for (path, is_text, expected) in cases {
            assert_eq!(type_from_path(path, is_text), expected, "{path}");
        }
    }

    #[test]
    fn resolves_content_type_bindings() {
        let cases = [
            ("image/jpeg", false, "image/jpeg"),
            ("text/plain", false, "text/plain; charset=utf-8"),
            (".png", false, "image/png"),
            (".html", false, "text/html; charset=utf-8"),
            (".abcdefgXYZ", false, "application/octet-stream"),
            (
                "text/plain; charset=utf-8",
                false,
                "text/plain; charset=utf-8",
            ),
            (
                "text/plain; charset=iso-8859-1",
                true,
                "text/plain; charset=iso-8859-1",
            ),
            ("image/jpeg", true, "image/jpeg; charset=utf-8"),
            (".png", true, "image/png; charset=utf-8"),
            (".abcdefgXYZ", true, "text/plain; charset=utf-8"),
            (".bin", false, "application/octet-stream"),
            ("application/json", true, "application/json; charset=utf-8"),
            ("TEXT/HTML", false, "TEXT/HTML"),
        ];
        for (value, is_text, expected) in cases {
            assert_eq!(
                type_from_extension_or_type(value, is_text).as_deref(),
                Ok(expected),
                "{value}"
            );
        }
    }

    #[test]
    fn rejects_bad_content_type_bindings() {
        for value in [
            "",
            "txt",
            "html",
            "florp",
            "/application/json",
            ".",
            ".abcdefghijk",
            ".a.b",
        ] {
            assert_eq!(
                type_from_extension_or_type(value, false),
                Err(format!(
                    "Invalid syntax for MIME type or file extension: {value}"
                )),
            );
        }
        for value in ["text/florp", "florp/html"] {
            assert_eq!(
                type_from_extension_or_type(value, false),
                Err(format!("Unknown MIME type: {value}")),
            );
        }
    }
}
