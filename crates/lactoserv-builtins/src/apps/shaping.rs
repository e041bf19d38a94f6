//! The running redirecting and request-shaping applications (spec 03
//! §4.5–4.7): Redirector (a fixed base plus the rest of the path),
//! RequestDelay (waits, then declines) and RequestFilter (rejects or
//! redirects what it is told to, declines the rest).

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use http::header::LOCATION;
use http::{HeaderValue, Method, StatusCode};
use lactoserv_core::app::{Application, HandleError};
use lactoserv_core::net::{Body, Dispatch, Request, Response};

use super::routers::last_name;

type Answer = Result<Option<Response>, HandleError>;

/// A redirect to `location` with `status`: the `Location` header and the
/// server's `<status> <reason>:\n\n<location>\n` text.
fn redirect(status: StatusCode, location: &str) -> Response {
    let mut response = Response::status_only(status);
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers.insert(LOCATION, value);
    }
    response.body = Body::Status {
        extra: Some(location.to_owned()),
    };
    response
}

/// Redirects every request to `target` plus the rest of its path.
pub(crate) struct Redirector {
    /// The target without its final `/`.
    base: String,
    status: StatusCode,
    cache_control: Option<HeaderValue>,
}

impl Redirector {
    pub(crate) fn new(
        target: &str,
        status: StatusCode,
        cache_control: Option<HeaderValue>,
    ) -> Self {
        Self {
            base: target.strip_suffix('/').unwrap_or(target).to_owned(),
            status,
            cache_control,
        }
    }
}

#[async_trait]
impl Application for Redirector {
    async fn handle_request(&self, _: &Request, dispatch: &Dispatch<'_>) -> Answer {
        // The rest of the path as an absolute path (`/` for none); the
        // query is dropped, as in the reference.
        let extra = match dispatch.extra() {
            "" => "/",
            extra => extra,
        };
        let mut response = redirect(self.status, &format!("{}{extra}", self.base));
        response.cache_control.clone_from(&self.cache_control);
        Ok(Some(response))
    }
}

/// Waits, then declines.
pub(crate) struct RequestDelay {
    /// The shortest and longest delay, in whole milliseconds.
    min_ms: u64,
    max_ms: u64,
    /// State of a small random generator for picking delays (uniformity is
    /// all that is needed here, not unpredictability).
    random: AtomicU64,
}

impl RequestDelay {
    /// Delays between `min` and `max` seconds.
    pub(crate) fn new(min: f64, max: f64) -> Self {
        let ms = |secs: f64| (secs * 1000.0).round() as u64;
        Self {
            min_ms: ms(min),
            max_ms: ms(max),
            random: AtomicU64::new(RandomState::new().hash_one(0u64) | 1),
        }
    }

    /// The next delay, uniform over the whole milliseconds from min to max.
    pub(crate) fn pick(&self) -> Duration {
        let span = self.max_ms - self.min_ms;
        if span == 0 {
            return Duration::from_millis(self.min_ms);
        }
        // xorshift64*; a lost update under contention only repeats a value.
        let mut x = self.random.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random.store(x, Ordering::Relaxed);
        let value = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        Duration::from_millis(self.min_ms + value % (span + 1))
    }
}

#[async_trait]
impl Application for RequestDelay {
    async fn handle_request(&self, _: &Request, _: &Dispatch<'_>) -> Answer {
        tokio::time::sleep(self.pick()).await;
        Ok(None)
    }
}

/// What a RequestFilter does with a path's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormRule {
    /// Nothing.
    None,
    /// Directory-form paths are filtered out.
    RejectDirectories,
    /// Directory-form paths are redirected to their file form.
    RedirectDirectories,
    /// File-form paths are filtered out.
    RejectFiles,
    /// File-form paths are redirected to their directory form.
    RedirectFiles,
}

/// Filters requests; declines those it lets through.
pub(crate) struct RequestFilter {
    pub(crate) form: FormRule,
    /// Methods let through; `None` for all.
    pub(crate) methods: Option<Vec<Method>>,
    pub(crate) status: StatusCode,
    pub(crate) max_depth: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) max_query: Option<u64>,
}

impl RequestFilter {
    fn check(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Response> {
        let filtered = || Some(Response::status_only(self.status));
        let (directory, name) = last_name(dispatch);
        match (self.form, directory) {
            (FormRule::RejectDirectories, true) | (FormRule::RejectFiles, false) => {
                return filtered();
            }
            // The root has no file form: it is let through.
            (FormRule::RedirectDirectories, true) => {
                if let Some(name) = name {
                    return Some(redirect(
                        StatusCode::PERMANENT_REDIRECT,
                        &format!("../{name}"),
                    ));
                }
            }
            (FormRule::RedirectFiles, false) => {
                if let Some(name) = name {
                    return Some(redirect(
                        StatusCode::PERMANENT_REDIRECT,
                        &format!("./{name}/"),
                    ));
                }
            }
            _ => {}
        }
        if let Some(methods) = &self.methods
            && !methods.contains(&request.method)
        {
            return filtered();
        }
        let components = dispatch.extra_components().count() as u64;
        if let Some(max) = self.max_depth {
            let depth = components - u64::from(directory && components > 0);
            if depth > max {
                return filtered();
            }
        }
        if let Some(max) = self.max_length
            && dispatch.extra().len() as u64 > max
        {
            return filtered();
        }
        if let Some(max) = self.max_query
            && request.search().len() as u64 > max
        {
            return filtered();
        }
        None
    }
}

#[async_trait]
impl Application for RequestFilter {
    async fn handle_request(&self, request: &Request, dispatch: &Dispatch<'_>) -> Answer {
        Ok(self.check(request, dispatch))
    }
}

#[cfg(test)]
mod tests;
