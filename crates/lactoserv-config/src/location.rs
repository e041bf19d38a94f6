//! Where a configuration lives: a file path and its `file:` URL (Lactoserv
//! turns `--config=<path>` into a URL and re-reads that URL on every reload).

use std::path::{Component, Path, PathBuf};

use url::Url;

use crate::error::LoadError;

/// The location of a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    path: PathBuf,
    url: Url,
}

impl ConfigLocation {
    /// The location of `path`, resolved against `cwd` when relative and
    /// normalized without following symlinks (as Node's `path.resolve` and
    /// `pathToFileURL` do), so it keeps naming the same file across reloads.
    pub fn from_path(path: &Path, cwd: &Path) -> Result<Self, LoadError> {
        let absolute = normalize(&cwd.join(path));
        let url = Url::from_file_path(&absolute).map_err(|()| LoadError::BadLocation {
            location: path.display().to_string(),
            reason: "not an absolute file path".into(),
        })?;
        Ok(Self {
            path: absolute,
            url,
        })
    }

    /// The location named by `--config-url`; only `file:` URLs are loadable.
    pub fn from_url(text: &str) -> Result<Self, LoadError> {
        let bad = |reason: &str| LoadError::BadLocation {
            location: text.to_owned(),
            reason: reason.to_owned(),
        };
        let url = Url::parse(text).map_err(|err| bad(&format!("Invalid URL ({err})")))?;
        if url.scheme() != "file" {
            return Err(bad("only file: URLs can be loaded"));
        }
        let path = url
            .to_file_path()
            .map_err(|()| bad("not a local file URL"))?;
        Ok(Self { path, url })
    }

    /// The file's absolute path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's `file:` URL (the config's `import.meta.url`).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Whether the file is a JSON config rather than a JavaScript module.
    pub fn is_json(&self) -> bool {
        self.path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
    }
}

/// Removes `.` and resolves `..` lexically (as Node's `path.resolve`).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_against_the_working_directory() {
        let loc =
            ConfigLocation::from_path(Path::new("cfg/../x/config.mjs"), Path::new("/srv")).unwrap();
        assert_eq!(loc.path(), Path::new("/srv/x/config.mjs"));
        assert_eq!(loc.url().as_str(), "file:///srv/x/config.mjs");
        assert!(!loc.is_json());
    }

    #[test]
    fn only_file_urls_are_accepted() {
        assert!(
            ConfigLocation::from_url("file:///srv/config.json")
                .unwrap()
                .is_json()
        );
        let err = ConfigLocation::from_url("http://example.com/x.mjs").unwrap_err();
        assert!(err.to_string().contains("only file: URLs"), "{err}");
        let err = ConfigLocation::from_url("notaurl").unwrap_err();
        assert!(err.to_string().contains("Invalid URL"), "{err}");
    }
}
