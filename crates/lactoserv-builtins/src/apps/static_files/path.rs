//! From a request's remaining path to a path under the site directory
//! (spec 03 SF-2): components percent-decoded, and anything that could
//! leave the directory or name something odd refused.

use lactoserv_core::net::Dispatch;

/// What a request asks of the site directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wanted {
    /// The path relative to the site directory, components joined with
    /// `/` (empty for the directory itself); never absolute, never with a
    /// `.` or `..` component.
    pub(crate) relative: String,
    /// The request ended in `/`: a directory is asked for.
    pub(crate) directory: bool,
    /// The last component as the request gave it (still encoded), for a
    /// redirect's relative `Location`.
    pub(crate) last: String,
}

impl Wanted {
    /// A key naming what is asked for: the relative path, with a `/` for
    /// a directory request.
    pub(crate) fn key(&self) -> String {
        if self.directory {
            format!("{}/", self.relative)
        } else {
            self.relative.clone()
        }
    }
}

/// What `dispatch` asks for, or `None` when the path cannot name a file
/// here: empty components inside it, invalid or incomplete escapes,
/// escaped slashes, or (after decoding) `.` and `..` or invalid UTF-8.
pub(crate) fn wanted(dispatch: &Dispatch<'_>) -> Option<Wanted> {
    let components: Vec<&str> = dispatch.extra_components().collect();
    if components.is_empty() {
        // The mount point itself: a directory request when the whole path
        // is in directory form, else a request for the directory's name.
        let base: Vec<&str> = dispatch.base_components().collect();
        let directory = base.last().is_none_or(|last| last.is_empty());
        let last = base.last().copied().unwrap_or_default().to_owned();
        return Some(Wanted {
            relative: String::new(),
            directory,
            last,
        });
    }
    let (directory, names) = match components.split_last() {
        Some((&"", rest)) => (true, rest),
        _ => (false, &components[..]),
    };
    let mut relative = String::new();
    for name in names {
        let decoded = decode(name)?;
        if !relative.is_empty() {
            relative.push('/');
        }
        relative.push_str(&decoded);
    }
    Some(Wanted {
        relative,
        directory,
        last: names.last().copied().unwrap_or_default().to_owned(),
    })
}

/// The key ([`Wanted::key`]) of what `dispatch` asks for, straight from
/// the path when it needs no decoding and no component of it is refused
/// (a path as most requests give it); `None` otherwise, and
/// [`wanted`] then decides.
pub(crate) fn plain_key<'a>(dispatch: &Dispatch<'a>) -> Option<&'a str> {
    let key = dispatch.extra().strip_prefix('/')?;
    if key.is_empty() || key.contains('%') {
        return None;
    }
    let names = key.strip_suffix('/').unwrap_or(key);
    names
        .split('/')
        .all(|name| !matches!(name, "" | "." | ".."))
        .then_some(key)
}

/// One component, decoded; `None` if it is empty, has a bad escape, or
/// decodes to `.`, `..`, text with a `/` or a NUL (which no file name
/// has), or invalid UTF-8.
fn decode(component: &str) -> Option<String> {
    if component.is_empty() {
        return None;
    }
    let bytes = component.as_bytes();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'%') {
        let escape = at + offset;
        let digits = bytes.get(escape + 1..escape + 3)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        at = escape + 3;
    }
    let decoded = percent_encoding::percent_decode_str(component)
        .decode_utf8()
        .ok()?;
    if decoded.contains(['/', '\0']) || decoded == "." || decoded == ".." {
        return None;
    }
    Some(decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use std::path::{Component, Path};

    use http::Method;
    use lactoserv_core::net::Request;

    use super::*;

    fn request(target: &str) -> Option<Request> {
        Request::for_target(Method::GET, target)
    }

    fn wanted_for(target: &str) -> Option<(String, bool)> {
        let request = request(target).unwrap();
        wanted(&Dispatch::root(&request)).map(|w| (w.relative, w.directory))
    }

    #[test]
    fn paths_decode_as_the_spec_says() {
        let found = |relative: &str, directory| Some((relative.to_owned(), directory));
        assert_eq!(wanted_for("/"), found("", true));
        assert_eq!(wanted_for("/index.html"), found("index.html", false));
        assert_eq!(wanted_for("/subdir1/"), found("subdir1", true));
        assert_eq!(wanted_for("/a/b.txt"), found("a/b.txt", false));
        assert_eq!(wanted_for("/sp%20ace.txt"), found("sp ace.txt", false));
        assert_eq!(wanted_for("/a%25b.txt"), found("a%b.txt", false));
        assert_eq!(
            wanted_for("/sub%64ir/one.txt"),
            found("subdir/one.txt", false)
        );
        for target in [
            "//some-file.txt",
            "//subdir1/",
            "/subdir1//",
            "/subdir1//x.txt",
            "/subdir2%2Fmore-text.txt",
            "/%2fetc",
            "/%xy",
            "/a%2",
            "/..%2Fetc",
            "/%C0%AE%C0%AE/x",
            "/%FF",
        ] {
            assert_eq!(wanted_for(target), None, "{target}");
        }
    }

    #[test]
    fn the_mount_point_is_a_directory_only_in_directory_form() {
        let slashed = request("/static/").unwrap();
        let at = Dispatch::root(&slashed).advance(2).unwrap();
        let w = wanted(&at).unwrap();
        assert_eq!((w.relative.as_str(), w.directory), ("", true));
        let bare = request("/static").unwrap();
        let at = Dispatch::root(&bare).advance(1).unwrap();
        let w = wanted(&at).unwrap();
        assert_eq!(
            (w.relative.as_str(), w.directory, w.last.as_str()),
            ("", false, "static")
        );
    }

    /// Every combination of awkward pieces, as a client could send them:
    /// whatever the server makes of the target, what reaches the file
    /// system stays under the site directory.
    #[test]
    fn no_target_leaves_the_site_directory() {
        let pieces = [
            "..",
            ".",
            "%2e",
            "%2E%2e",
            ".%2e",
            "%2f",
            "%2F",
            "%5c",
            "\\",
            "..\\",
            "%00",
            "%c0%ae",
            "%e0%80%ae",
            "%25",
            "%252e",
            "a",
            "",
            "%",
            "~",
            "%ef%bc%8f",
            "..;",
            "%2e%2e%2f",
        ];
        let mut checked = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let target = format!("/{a}/{b}/{c}");
                    let Some(request) = request(&target) else {
                        continue;
                    };
                    checked += 1;
                    let Some(w) = wanted(&Dispatch::root(&request)) else {
                        continue;
                    };
                    let path = Path::new(&w.relative);
                    assert!(
                        path.components().all(|c| matches!(c, Component::Normal(_))),
                        "{target} -> {:?}",
                        w.relative
                    );
                }
            }
        }
        assert!(checked > 5000, "{checked}");
    }

    /// Found by the `site_path` fuzz target: a NUL went through to the file
    /// system, which refused the name (so nothing was served).
    #[test]
    fn a_nul_in_a_name_names_no_file() {
        assert_eq!(wanted_for("/stait!/ad]%00"), None);
        assert_eq!(wanted_for("/a%00b"), None);
        assert_eq!(wanted_for("/a%01b"), Some(("a\u{1}b".to_owned(), false)));
    }

    #[test]
    fn a_plain_key_is_the_key_of_what_is_wanted() {
        for target in [
            "/",
            "/index.html",
            "/a/b.txt",
            "/sub/",
            "/a/b/",
            "/sp%20ace.txt",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/..",
            "/.",
            "/a/.",
            "/a/..",
            "/x.y/",
            "/%2e%2e",
            "//",
        ] {
            let request = request(target).unwrap();
            let dispatch = Dispatch::root(&request);
            if let Some(key) = plain_key(&dispatch) {
                let wanted = wanted(&dispatch).unwrap_or_else(|| panic!("{target}"));
                assert_eq!(key, wanted.key(), "{target}");
            }
        }
        let plain = |target: &str| {
            let request = request(target).unwrap();
            plain_key(&Dispatch::root(&request)).map(str::to_owned)
        };
        assert_eq!(plain("/a/b.txt").as_deref(), Some("a/b.txt"));
        assert_eq!(plain("/sub/").as_deref(), Some("sub/"));
        assert_eq!(plain("/sp%20ace.txt"), None, "decoded the long way");
        assert_eq!(plain("/"), None);
    }
}
