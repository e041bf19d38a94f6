//! Looking a request's path up on the disk (on a blocking thread): the
//! file, index file or directory it names, opened, read whole when small,
//! and hashed when the `ETag` options ask for its data.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use lactoserv_core::bind::BindError;

use super::StaticFilesConfig;
use super::cache::{TagCache, Tagged};
use super::path::Wanted;
use super::shared::{SharedFiles, Version};
use crate::support::compress::Coding;
use crate::support::etag::EtagOptions;

/// Files up to this size are read whole when looked up; larger ones are
/// streamed.
pub(crate) const SMALL_FILE: u64 = 1024 * 1024;

/// The site on the disk, and what is kept of its files between lookups.
#[derive(Debug)]
pub(crate) struct Disk {
    site: PathBuf,
    /// Where the site directory really is (symlinks resolved), if it can
    /// be found.
    real_site: Option<PathBuf>,
    /// Whether what is served must really be inside the site directory
    /// (`allowSymlinksOutside: false`).
    confined: bool,
    index_files: Vec<String>,
    etag: Option<EtagOptions>,
    /// Whether precompressed copies beside files are looked for.
    precompressed: bool,
    /// Large files open for the responses that stream them.
    shared: SharedFiles,
    /// `dataOnly` tags by file and version, so each version of a file is
    /// hashed once.
    tags: TagCache,
}

/// What a response needs to know of a file.
#[derive(Debug)]
pub(crate) struct FileFacts {
    pub(crate) path: PathBuf,
    pub(crate) len: u64,
    pub(crate) modified: Option<SystemTime>,
    /// Its `dataOnly` tag, when the options ask for one.
    pub(crate) data_tag: Option<Arc<str>>,
}

/// What the file system says about a request.
pub(crate) enum Found {
    /// A file: open, what it is, and its bytes if it is small; and its
    /// precompressed copies (`precompressed`).
    File {
        file: Arc<File>,
        facts: FileFacts,
        contents: Option<Bytes>,
        copies: Vec<(Coding, Copy)>,
    },
    /// A directory asked for without its slash.
    Directory,
    /// Nothing to serve.
    Nothing,
}

/// A precompressed copy of a file (`x.br` beside `x`), no older than it.
pub(crate) struct Copy {
    pub(crate) file: Arc<File>,
    pub(crate) facts: FileFacts,
    pub(crate) contents: Option<Bytes>,
}

/// A lookup's finding, and whether it is really inside the site directory
/// (so that a watch over the directory sees it change).
pub(crate) struct Looked {
    pub(crate) found: Found,
    pub(crate) inside: bool,
}

impl Disk {
    /// The site of checked bindings; where it really is must be found
    /// when symlinks may not lead out of it.
    pub(crate) fn new(config: &StaticFilesConfig) -> Result<Self, BindError> {
        let site = config.site_directory.as_path().to_owned();
        let real_site = std::fs::canonicalize(&site);
        let confined = !config.allow_symlinks_outside;
        if confined && let Err(err) = &real_site {
            return Err(BindError::new(
                "siteDirectory",
                format!("Cannot resolve {}: {err}", site.display()),
            ));
        }
        Ok(Self {
            site,
            real_site: real_site.ok(),
            confined,
            index_files: config.index_file.clone(),
            etag: config.etag.clone(),
            precompressed: config.precompressed,
            shared: SharedFiles::default(),
            tags: TagCache::default(),
        })
    }

    /// The site directory as configured.
    pub(crate) fn site(&self) -> &Path {
        &self.site
    }

    /// Whether lookups must hash the data of the files they find.
    pub(crate) fn hashes_data(&self) -> bool {
        self.etag.as_ref().is_some_and(|etag| etag.data_only)
    }

    /// Finds what `wanted` names (following symlinks).
    pub(crate) fn look_up(&self, wanted: &Wanted) -> Looked {
        let path = if wanted.relative.is_empty() {
            self.site.clone()
        } else {
            self.site.join(&wanted.relative)
        };
        let found = self.find(&path, wanted);
        // What the finding depends on: the file found, or the deepest
        // part of the path that exists.
        let depends_on = match &found {
            Found::File { facts, .. } => facts.path.as_path(),
            Found::Directory | Found::Nothing => path.as_path(),
        };
        Looked {
            inside: depends_on
                .ancestors()
                .find_map(|part| std::fs::canonicalize(part).ok())
                .is_some_and(|real| self.is_inside(&real)),
            found,
        }
    }

    /// Whether `real` (with symlinks resolved) is inside the site.
    fn is_inside(&self, real: &Path) -> bool {
        self.real_site
            .as_ref()
            .is_some_and(|site| real.starts_with(site))
    }

    fn find(&self, path: &Path, wanted: &Wanted) -> Found {
        let Ok(meta) = std::fs::metadata(path) else {
            return Found::Nothing;
        };
        let (path, meta) = match (meta.is_dir(), wanted.directory) {
            (true, true) => match self
                .index_files
                .iter()
                .map(|name| path.join(name))
                .find(|candidate| candidate.is_file())
            {
                Some(index) => (index, None),
                None => return Found::Nothing,
            },
            (true, false) => return Found::Directory,
            (false, true) => return Found::Nothing,
            (false, false) => (path.to_owned(), Some(meta)),
        };
        if self.confined && !std::fs::canonicalize(&path).is_ok_and(|real| self.is_inside(&real)) {
            return Found::Nothing;
        }
        let mut found = self.open(path, meta).unwrap_or(Found::Nothing);
        if self.precompressed
            && let Found::File { facts, copies, .. } = &mut found
        {
            *copies = self.copies_of(facts);
        }
        found
    }

    /// The precompressed copies beside the file of `facts`: each that is
    /// a file no older than it (an older one may be of an earlier
    /// version).
    fn copies_of(&self, facts: &FileFacts) -> Vec<(Coding, Copy)> {
        let mut copies = Vec::new();
        for coding in Coding::ALL {
            let mut name = facts.path.clone().into_os_string();
            name.push(".");
            name.push(coding.extension());
            let path = PathBuf::from(name);
            if self.confined
                && !std::fs::canonicalize(&path).is_ok_and(|real| self.is_inside(&real))
            {
                continue;
            }
            let Ok(Found::File {
                file,
                facts: copy,
                contents,
                ..
            }) = self.open(path, None)
            else {
                continue;
            };
            if copy.modified >= facts.modified {
                copies.push((
                    coding,
                    Copy {
                        file,
                        facts: copy,
                        contents,
                    },
                ));
            }
        }
        copies
    }

    /// Opens the file at `path` (`meta`: what the lookup saw of it, when
    /// it looked at this path); a large file some response streams already
    /// at the same version is shared rather than opened again.
    fn open(&self, path: PathBuf, meta: Option<Metadata>) -> std::io::Result<Found> {
        let meta = match meta {
            Some(meta) => meta,
            None => std::fs::metadata(&path)?,
        };
        if meta.is_file() && meta.len() > SMALL_FILE {
            let version = Version::of(&meta);
            if let Some(file) = self.shared.get(&path, version) {
                return self.found(path, &meta, file, None);
            }
        }
        let mut file = File::open(&path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Ok(Found::Nothing);
        }
        let contents = if meta.len() <= SMALL_FILE {
            let mut data = Vec::with_capacity(meta.len() as usize);
            file.read_to_end(&mut data)?;
            Some(Bytes::from(data))
        } else {
            None
        };
        let file = Arc::new(file);
        if contents.is_none() {
            self.shared.put(&path, Version::of(&meta), &file);
        }
        self.found(path, &meta, file, contents)
    }

    /// What the lookup found: `file`, whose metadata is `meta`.
    fn found(
        &self,
        path: PathBuf,
        meta: &Metadata,
        file: Arc<File>,
        contents: Option<Bytes>,
    ) -> std::io::Result<Found> {
        let data_tag = if self.hashes_data() {
            self.data_tag(&path, meta, contents.as_deref(), &file)?
        } else {
            None
        };
        Ok(Found::File {
            file,
            facts: FileFacts {
                path,
                len: meta.len(),
                modified: meta.modified().ok(),
                data_tag,
            },
            contents,
            copies: Vec::new(),
        })
    }

    /// The file's `dataOnly` tag: hashed (a chunk at a time when it is
    /// not in memory) unless this version of it has been already.
    fn data_tag(
        &self,
        path: &Path,
        meta: &Metadata,
        contents: Option<&[u8]>,
        file: &File,
    ) -> std::io::Result<Option<Arc<str>>> {
        let Some(options) = &self.etag else {
            return Ok(None);
        };
        let (modified, len) = (meta.modified()?, meta.len());
        if let Some(tag) = self.tags.get(path, modified, len) {
            return Ok(Some(tag));
        }
        let tag: Arc<str> = match contents {
            Some(data) => options.tag_for_data(data),
            None => options.tag_for_reader(Positioned { file, at: 0 })?,
        }
        .into();
        let tagged = Tagged {
            modified,
            len,
            tag: tag.clone(),
        };
        self.tags.put(path, tagged);
        Ok(Some(tag))
    }

    /// The `ETag` of a file, if configured.
    pub(crate) fn etag_of(&self, facts: &FileFacts) -> Option<String> {
        let options = self.etag.as_ref()?;
        if options.data_only {
            return facts.data_tag.as_deref().map(str::to_owned);
        }
        let mtime_ms = facts.modified?.duration_since(UNIX_EPOCH).ok()?.as_millis();
        Some(options.tag_for_stats(
            &facts.path.to_string_lossy(),
            u64::try_from(mtime_ms).ok()?,
            facts.len,
        ))
    }
}

/// A file read from `at` on with positioned reads, which leave the
/// descriptor's own offset alone (the descriptor may be shared).
struct Positioned<'a> {
    file: &'a File,
    at: u64,
}

impl Read for Positioned<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}
