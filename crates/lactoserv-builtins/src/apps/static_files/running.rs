//! The running StaticFiles application (Lactoserv `StaticFiles` and
//! `StaticFileResponder`; spec 03 SF-2..SF-10): file responses with
//! conditional and range handling, index files, directory redirects and the
//! not-found page.
//!
//! What a request finds is kept in memory (`cache.rs`) and, while the site
//! is watched (`watch.rs`), answered from there on the worker until the
//! site changes. Otherwise, all file-system work for a request (looking the
//! path up, finding an index file, opening the file, reading a small one)
//! happens in one trip to tokio's blocking threads (`look_up.rs`), never on
//! a worker; larger files are streamed from the open file as the
//! connection takes them.

use std::fs::File;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{ACCEPT_RANGES, CONTENT_TYPE, ETAG, LAST_MODIFIED, LOCATION};
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::{Application, HandleError, Handled};
use lactoserv_core::bind::BindError;
use lactoserv_core::log::Logger;
use lactoserv_core::net::conditional;
use lactoserv_core::net::{Body, Dispatch, Part, Request, Response};

use super::StaticFilesConfig;
use lactoserv_core::metrics::CacheMetrics;

use super::cache::{Cached, FileCache, Trust};
use super::look_up::{Copy, Disk, FileFacts, Found, Looked};
use super::not_found::NotFoundPage;
use super::path::{Wanted, plain_key, wanted};
use super::watch::{self, Watch};
use crate::support::answer::{Answer, Judged};
use crate::support::compress::{Coding, Compress, Encoded, no_transform};
use crate::support::content_type::type_from_path;

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

    /// From memory: a file, directory or missing path found before (and
    /// not changed since), without a trip to the disk.
    fn handle_now(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Handled> {
        if !request.is_get_or_head() {
            return Some(Ok(Some(Response::status_only(StatusCode::FORBIDDEN))));
        }
        self.0.answer_now(request, dispatch).map(Ok)
    }
}

/// The running application.
#[derive(Debug)]
pub(crate) struct StaticFiles {
    /// `webapp.application.<name>`.
    logger: Logger,
    disk: Disk,
    cache_control: Option<HeaderValue>,
    /// How file bodies are compressed, if they are.
    compress: Option<Compress>,
    not_found: Option<NotFoundPage>,
    /// What requests found, answered from memory.
    cache: FileCache,
    /// The watch that keeps the findings fresh.
    watch: Watch,
}

impl StaticFiles {
    /// The application for checked bindings: reads the not-found page, and
    /// finds where the site directory really is. Its cache counts in
    /// `counts`, when given.
    pub(crate) fn new(
        logger: Logger,
        config: &StaticFilesConfig,
        cache_control: Option<HeaderValue>,
        counts: Option<Arc<CacheMetrics>>,
    ) -> Result<Self, BindError> {
        let not_found = config
            .not_found_path
            .as_ref()
            .map(|path| NotFoundPage::read(path.as_path().to_owned()))
            .transpose()
            .map_err(|err| {
                BindError::new("notFoundPath", format!("Cannot read the page: {err}"))
            })?;
        Ok(Self {
            logger,
            disk: Disk::new(config)?,
            cache_control,
            compress: config.compress.clone(),
            not_found,
            cache: FileCache::counted(counts),
            watch: Watch::default(),
        })
    }

    /// Starts watching the site (see `watch`); once, after start-up.
    pub(crate) fn start_watching(self: &Arc<Self>) {
        let page = self.not_found.as_ref().map(NotFoundPage::path);
        watch::start(self, self.disk.site(), page);
    }

    /// The watch over the files.
    pub(crate) fn watch(&self) -> &Watch {
        &self.watch
    }

    /// The application's logger.
    pub(crate) fn logger(&self) -> &Logger {
        &self.logger
    }

    /// Something under the site directory changed: what was found before
    /// is looked for again.
    pub(crate) fn site_changed(&self) {
        self.cache.invalidate();
    }

    /// The not-found page changed: it is read again (on the watcher's
    /// thread).
    pub(crate) fn page_changed(&self) {
        if let Some(page) = &self.not_found {
            page.current(&self.logger);
        }
    }

    /// How long what a lookup finds now may be trusted; `inside`: it is
    /// really inside the site directory, where the watch sees it change
    /// (not reached through a symlink leading out).
    fn trust(&self, inside: bool) -> Trust {
        if inside && self.watch.is_watching() {
            Trust::UntilChanged
        } else {
            Trust::ForAWhile
        }
    }

    /// What the cache says of a request, without waiting: its answer, or
    /// `None` when the disk must be asked.
    pub(crate) fn answer_now(
        &self,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Option<Option<Response>> {
        let decoded;
        let key = match plain_key(dispatch) {
            Some(key) => key,
            None => {
                let Some(wanted) = wanted(dispatch) else {
                    return self.not_found_now();
                };
                decoded = wanted.key();
                &decoded
            }
        };
        match self.cache.get(key)? {
            Cached::File(answer) => answer.respond_now(request).map(Some),
            Cached::Directory => Some(Some(self.redirect(&wanted(dispatch)?))),
            Cached::Missing => self.not_found_now(),
        }
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
            Some(Cached::File(answer)) => {
                return Ok(Some(self.respond(&key, &answer, request).await));
            }
            Some(Cached::Directory) => return Ok(Some(self.redirect(&wanted))),
            Some(Cached::Missing) => return self.not_found().await,
            None => {}
        }
        let mark = self.cache.mark();
        let this = self.clone();
        let (looked, wanted) = tokio::task::spawn_blocking(move || {
            let looked = this.disk.look_up(&wanted);
            (looked, wanted)
        })
        .await
        .map_err(|err| HandleError::caused_by("file lookup failed", err))?;
        let Looked { found, inside } = looked;
        let trust = self.trust(inside);
        match found {
            Found::File {
                file,
                facts,
                contents,
                copies,
            } => {
                let small = contents.is_some();
                let answer = Arc::new(self.file_answer(&facts, file, contents, copies));
                if small {
                    self.cache
                        .put(&key, Cached::File(answer.clone()), trust, mark);
                }
                Ok(Some(self.respond(&key, &answer, request).await))
            }
            Found::Directory => {
                self.cache.put(&key, Cached::Directory, trust, mark);
                Ok(Some(self.redirect(&wanted)))
            }
            Found::Nothing => {
                self.cache.put(&key, Cached::Missing, trust, mark);
                self.not_found().await
            }
        }
    }

    /// `answer` (found for `key`) to `request`; a coded variant made for
    /// it is counted against the cache's bound.
    async fn respond(&self, key: &str, answer: &Arc<Answer>, request: &Request) -> Response {
        let (response, made) = answer.respond(request).await;
        if made {
            self.cache.reweigh(key, answer);
        }
        response
    }

    /// The answer for a file, made once for a cached one, with its coded
    /// variants: `copies` ready, others made from `contents` when asked
    /// for (`compress`).
    fn file_answer(
        &self,
        facts: &FileFacts,
        file: Arc<File>,
        contents: Option<Bytes>,
        copies: Vec<(Coding, Copy)>,
    ) -> Answer {
        let content_type = type_from_path(&facts.path.to_string_lossy(), false);
        let compress = self.compress.as_ref().filter(|compress| {
            contents.is_some()
                && compress.applies(&content_type, facts.len)
                && !no_transform(self.cache_control.as_ref())
        });
        let body = match contents {
            Some(bytes) => Body::Full(bytes),
            None => Body::Parts(vec![Part::File {
                file,
                offset: 0,
                len: facts.len,
            }]),
        };
        let encoded = match compress {
            Some(compress) => Some(Encoded::new(compress.codings.clone(), body_bytes(&body))),
            None if !copies.is_empty() => Some(Encoded::new(Vec::new(), None)),
            None => None,
        };
        let mut response = Response::new(StatusCode::OK, body);
        if let Ok(value) = HeaderValue::try_from(content_type) {
            response.headers.insert(CONTENT_TYPE, value);
        }
        response
            .headers
            .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        let etag = self.disk.etag_of(facts);
        if let Some(value) = etag.as_deref().and_then(|t| HeaderValue::from_str(t).ok()) {
            response.headers.insert(ETAG, value);
        }
        if let Some(modified) = facts.modified
            && let Ok(value) = HeaderValue::try_from(httpdate::fmt_http_date(modified))
        {
            response.headers.insert(LAST_MODIFIED, value);
        }
        response.cache_control.clone_from(&self.cache_control);
        let judged = Judged {
            etag,
            modified: facts.modified.map(conditional::seconds),
            len: facts.len,
            ranges: true,
            modified_on_304: false,
        };
        let answer = Answer::new(response, Some(judged), encoded);
        copies.into_iter().fold(answer, |answer, (coding, copy)| {
            let variant = self.copy_answer(&answer, coding, copy);
            answer.with_ready(coding, variant)
        })
    }

    /// The variant of `identity` that is its precompressed `copy`, whose
    /// own `ETag` (made distinct for its coding) it carries.
    fn copy_answer(&self, identity: &Answer, coding: Coding, copy: Copy) -> Answer {
        let etag = self.disk.etag_of(&copy.facts).map(|etag| coding.tag(&etag));
        let len = copy.facts.len;
        let body = match copy.contents {
            Some(bytes) => Body::Full(bytes),
            None => Body::Parts(vec![Part::File {
                file: copy.file,
                offset: 0,
                len,
            }]),
        };
        identity.coded(coding, body, len, etag)
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

    /// The not-found page as a 404 from memory, or a decline without one;
    /// `None` when the page must be looked at first (the site is not
    /// watched).
    fn not_found_now(&self) -> Option<Option<Response>> {
        let Some(page) = &self.not_found else {
            return Some(None);
        };
        if !self.watch.is_watching() {
            return None;
        }
        Some(Some(self.page_response(page, page.loaded())))
    }

    /// The not-found page, whose contents are `contents`, as a 404.
    fn page_response(&self, page: &NotFoundPage, contents: Bytes) -> Response {
        let mut response =
            Response::full(StatusCode::NOT_FOUND, page.content_type.clone(), contents);
        response.cache_control.clone_from(&self.cache_control);
        response
    }

    /// The not-found page as a 404 (re-read if its file changed), or a
    /// decline without one.
    async fn not_found(self: &Arc<Self>) -> Result<Option<Response>, HandleError> {
        if let Some(answer) = self.not_found_now() {
            return Ok(answer);
        }
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
        Ok(Some(self.page_response(page, contents)))
    }
}

/// The bytes of a body in memory.
fn body_bytes(body: &Body) -> Option<Bytes> {
    match body {
        Body::Full(bytes) => Some(bytes.clone()),
        _ => None,
    }
}
