//! The running StaticFiles application (Lactoserv `StaticFiles` and
//! `StaticFileResponder`; spec 03 SF-2..SF-10): file responses with
//! conditional and range handling, index files, directory redirects and the
//! not-found page.
//!
//! All file-system work for a request (looking the path up, finding an
//! index file, opening the file, reading a small one) happens in one trip
//! to tokio's blocking threads, never on a worker. Files up to
//! [`SMALL_FILE`] bytes are read then and there, and kept in memory for a
//! while (see `cache.rs`); larger ones are streamed from the open file as
//! the connection takes them.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{ACCEPT_RANGES, CONTENT_TYPE, ETAG, LAST_MODIFIED, LOCATION};
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::{Application, HandleError};
use lactoserv_core::bind::BindError;
use lactoserv_core::log::Logger;
use lactoserv_core::net::conditional;
use lactoserv_core::net::{Body, Dispatch, Part, Prepared, Request, Response};

use super::StaticFilesConfig;
use super::cache::{Cached, FileCache, TagCache, Tagged};
use super::file_answer::FileAnswer;
use super::not_found::NotFoundPage;
use super::path::{Wanted, wanted};
use super::shared::{SharedFiles, Version};
use crate::support::content_type::type_from_path;
use crate::support::etag::EtagOptions;

/// The application: 403 for methods other than `GET` and `HEAD`
/// (whatever the path names), files otherwise.
pub(crate) struct StaticFilesApp(pub(crate) Arc<StaticFiles>);

#[async_trait]
impl Application for StaticFilesApp {
    async fn handle_request(
        &self,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        if !request.is_get_or_head() {
            return Ok(Some(Response::status_only(StatusCode::FORBIDDEN)));
        }
        self.0.answer(request, dispatch).await
    }
}

/// Files up to this size are read whole when looked up; larger ones are
/// streamed.
pub(crate) const SMALL_FILE: u64 = 1024 * 1024;

/// The running application.
#[derive(Debug)]
pub(crate) struct StaticFiles {
    /// `webapp.application.<name>`.
    logger: Logger,
    site: PathBuf,
    /// Where the site directory really is, when what is served must be
    /// inside it whatever symlinks say (`allowSymlinksOutside: false`).
    confined: Option<PathBuf>,
    index_files: Vec<String>,
    etag: Option<EtagOptions>,
    cache_control: Option<HeaderValue>,
    not_found: Option<NotFoundPage>,
    /// Small files, answered from memory.
    cache: FileCache,
    /// Large files open for the responses that stream them.
    shared: SharedFiles,
    /// `dataOnly` tags by file and version, so each version of a file is
    /// hashed once.
    tags: TagCache,
}

/// What a response needs to know of a file.
#[derive(Debug)]
struct FileFacts {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
    /// Its `dataOnly` tag, when the options ask for one.
    data_tag: Option<Arc<str>>,
}

/// What the file system says about a request.
enum Found {
    /// A file: open, what it is, and its bytes if it is small.
    File {
        file: Arc<File>,
        facts: FileFacts,
        contents: Option<Bytes>,
    },
    /// A directory asked for without its slash.
    Directory,
    /// Nothing to serve.
    Nothing,
}

impl StaticFiles {
    /// The application for checked bindings: reads the not-found page, and
    /// finds where the site directory really is when symlinks may not lead
    /// out of it.
    pub(crate) fn new(
        logger: Logger,
        config: &StaticFilesConfig,
        cache_control: Option<HeaderValue>,
    ) -> Result<Self, BindError> {
        let not_found = config
            .not_found_path
            .as_ref()
            .map(|path| NotFoundPage::read(path.as_path().to_owned()))
            .transpose()
            .map_err(|err| {
                BindError::new("notFoundPath", format!("Cannot read the page: {err}"))
            })?;
        let site = config.site_directory.as_path().to_owned();
        let confined = if config.allow_symlinks_outside {
            None
        } else {
            let real = std::fs::canonicalize(&site).map_err(|err| {
                BindError::new(
                    "siteDirectory",
                    format!("Cannot resolve {}: {err}", site.display()),
                )
            })?;
            Some(real)
        };
        Ok(Self {
            logger,
            site,
            confined,
            index_files: config.index_file.clone(),
            etag: config.etag.clone(),
            cache_control,
            not_found,
            cache: FileCache::default(),
            tags: TagCache::default(),
            shared: SharedFiles::default(),
        })
    }

    /// Answers a request (already known to be `GET` or `HEAD`).
    pub(crate) async fn answer(
        self: &Arc<Self>,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        let Some(wanted) = wanted(dispatch) else {
            return self.not_found().await;
        };
        let key = wanted.key();
        match self.cache.get(&key) {
            Some(Cached::File(answer)) => return Ok(Some(answer.respond(request))),
            Some(Cached::Directory) => return Ok(Some(self.redirect(&wanted))),
            Some(Cached::Missing) => return self.not_found().await,
            None => {}
        }
        let this = self.clone();
        let needs_data_hash = self.etag.as_ref().is_some_and(|e| e.data_only);
        let (found, wanted) = tokio::task::spawn_blocking(move || {
            let found = this.look_up(&wanted, needs_data_hash);
            (found, wanted)
        })
        .await
        .map_err(|err| HandleError::caused_by("file lookup failed", err))?;
        match found {
            Found::File {
                file,
                facts,
                contents,
            } => {
                let small = contents.is_some();
                let answer = Arc::new(self.file_answer(&facts, file, contents));
                if small {
                    self.cache.put(&key, Cached::File(answer.clone()));
                }
                Ok(Some(answer.respond(request)))
            }
            Found::Directory => {
                self.cache.put(&key, Cached::Directory);
                Ok(Some(self.redirect(&wanted)))
            }
            Found::Nothing => {
                self.cache.put(&key, Cached::Missing);
                self.not_found().await
            }
        }
    }

    /// Finds what `wanted` names (following symlinks), on a blocking
    /// thread.
    fn look_up(&self, wanted: &Wanted, data_hash: bool) -> Found {
        let path = if wanted.relative.is_empty() {
            self.site.clone()
        } else {
            self.site.join(&wanted.relative)
        };
        let Ok(meta) = std::fs::metadata(&path) else {
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
            (false, false) => (path, Some(meta)),
        };
        if let Some(root) = &self.confined
            && !std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(root))
        {
            return Found::Nothing;
        }
        self.open(path, meta, data_hash).unwrap_or(Found::Nothing)
    }

    /// Opens the file at `path` (`meta`: what the lookup saw of it, when
    /// it looked at this path); a large file some response streams already
    /// at the same version is shared rather than opened again.
    fn open(
        &self,
        path: PathBuf,
        meta: Option<Metadata>,
        data_hash: bool,
    ) -> std::io::Result<Found> {
        let meta = match meta {
            Some(meta) => meta,
            None => std::fs::metadata(&path)?,
        };
        if meta.is_file() && meta.len() > SMALL_FILE {
            let version = Version::of(&meta);
            if let Some(file) = self.shared.get(&path, version) {
                return self.found(path, &meta, file, None, data_hash);
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
        self.found(path, &meta, file, contents, data_hash)
    }

    /// What the lookup found: `file`, whose metadata is `meta`.
    fn found(
        &self,
        path: PathBuf,
        meta: &Metadata,
        file: Arc<File>,
        contents: Option<Bytes>,
        data_hash: bool,
    ) -> std::io::Result<Found> {
        let data_tag = if data_hash {
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
    fn etag_of(&self, facts: &FileFacts) -> Option<String> {
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

    /// The answer for a file, made once for a cached one.
    fn file_answer(
        &self,
        facts: &FileFacts,
        file: Arc<File>,
        contents: Option<Bytes>,
    ) -> FileAnswer {
        let body = match contents {
            Some(bytes) => Body::Full(bytes),
            None => Body::Parts(vec![Part::File {
                file,
                offset: 0,
                len: facts.len,
            }]),
        };
        let mut response = Response::new(StatusCode::OK, body);
        let content_type = type_from_path(&facts.path.to_string_lossy(), false);
        if let Ok(value) = HeaderValue::try_from(content_type) {
            response.headers.insert(CONTENT_TYPE, value);
        }
        response
            .headers
            .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        let etag = self.etag_of(facts);
        if let Some(value) = etag.as_deref().and_then(|t| HeaderValue::from_str(t).ok()) {
            response.headers.insert(ETAG, value);
        }
        if let Some(modified) = facts.modified
            && let Ok(value) = HeaderValue::try_from(httpdate::fmt_http_date(modified))
        {
            response.headers.insert(LAST_MODIFIED, value);
        }
        response.cache_control.clone_from(&self.cache_control);
        FileAnswer::new(
            Prepared::new(response),
            etag,
            facts.modified.map(conditional::seconds),
            facts.len,
        )
    }

    /// The redirect for a directory asked for without its slash: to the
    /// last name with a slash, relative.
    fn redirect(&self, wanted: &Wanted) -> Response {
        let location = format!("{}/", wanted.last);
        let mut response = Response::status_only(StatusCode::PERMANENT_REDIRECT);
        if let Ok(value) = HeaderValue::try_from(location.as_str()) {
            response.headers.insert(LOCATION, value);
        }
        response.body = Body::Status {
            extra: Some(location),
        };
        response.cache_control.clone_from(&self.cache_control);
        response
    }

    /// The not-found page as a 404 (re-read if its file changed), or a
    /// decline without one.
    async fn not_found(self: &Arc<Self>) -> Result<Option<Response>, HandleError> {
        let Some(page) = &self.not_found else {
            return Ok(None);
        };
        let this = self.clone();
        let contents = tokio::task::spawn_blocking(move || {
            let page = this.not_found.as_ref().expect("checked above");
            page.current(&this.logger)
        })
        .await
        .map_err(|err| HandleError::caused_by("cannot read the not-found page", err))?;
        let mut response =
            Response::full(StatusCode::NOT_FOUND, page.content_type.clone(), contents);
        response.cache_control.clone_from(&self.cache_control);
        Ok(Some(response))
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
