//! Entry points for the fuzz targets in `fuzz/` (the `fuzzing` feature):
//! the built-ins' parsers of what clients send.

use lactoserv_core::net::{Dispatch, Request};

/// The cookies of a `Cookie` header, as AccessLogToSyslog logs them.
pub fn cookies(header: &str) -> Vec<(String, String)> {
    crate::support::cookies::parse(header)
}

/// What StaticFiles looks for under its site directory for `request` when
/// it is mounted `mounted` components deep: the path relative to the site
/// directory and whether a directory is asked for, or `None` when the path
/// can name no file.
pub fn site_path(request: &Request, mounted: usize) -> Option<(String, bool)> {
    let dispatch = Dispatch::root(request).advance(mounted)?;
    let wanted = crate::apps::static_files::wanted(&dispatch)?;
    Some((wanted.relative, wanted.directory))
}
