//! What a writer keeps with a prepared response: one value per way of
//! answering it (how the connection goes on, and whether the request was
//! cacheable), each made once with the `Server` header of the server that
//! made it.

use std::sync::OnceLock;

use http::HeaderValue;

use super::Link;
use crate::net::Prepared;

/// What a writer keeps with `prepared` for answering it `way`-wise with
/// `server` as the `Server` header: made by `make` the first time. `None`
/// when it cannot be kept (another server's value is there already); the
/// writer then makes its own.
pub(crate) fn kept<'p, T: Send + Sync + 'static>(
    prepared: &'p Prepared,
    way: Way,
    server: &HeaderValue,
    make: impl FnOnce() -> T,
) -> Option<&'p T> {
    prepared
        .derived::<ByWay<Made<T>>>()
        .and_then(|kept| kept.get(way).get_or_make(server, make))
}

/// A way of answering a prepared response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Way {
    pub(crate) link: Link,
    pub(crate) cacheable: bool,
}

/// A value for each [`Way`].
#[derive(Default)]
pub(crate) struct ByWay<T> {
    keep_alive: ByCacheable<T>,
    keep_open: ByCacheable<T>,
    close: ByCacheable<T>,
    session: ByCacheable<T>,
}

#[derive(Default)]
struct ByCacheable<T> {
    cacheable: T,
    other: T,
}

impl<T> ByWay<T> {
    /// The value for `way`.
    pub(crate) fn get(&self, way: Way) -> &T {
        let pair = match way.link {
            Link::KeepAlive => &self.keep_alive,
            Link::KeepOpen => &self.keep_open,
            Link::Close => &self.close,
            Link::Session => &self.session,
        };
        if way.cacheable {
            &pair.cacheable
        } else {
            &pair.other
        }
    }
}

/// A value made once, with the `Server` header value it holds.
pub(crate) struct Made<T>(OnceLock<(HeaderValue, T)>);

impl<T> Default for Made<T> {
    fn default() -> Self {
        Self(OnceLock::new())
    }
}

impl<T> Made<T> {
    /// The value, made by `make` the first time; `None` when it was made
    /// for another `Server` value (another server in the same process),
    /// and the caller makes its own.
    pub(crate) fn get_or_make(&self, server: &HeaderValue, make: impl FnOnce() -> T) -> Option<&T> {
        let (made_for, value) = self.0.get_or_init(|| (server.clone(), make()));
        (made_for == server).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_has_its_own_value() {
        let mut values: ByWay<u8> = ByWay::default();
        values.keep_alive.other = 1;
        values.close.cacheable = 2;
        values.keep_open.cacheable = 4;
        values.session.other = 3;
        let way = |link, cacheable| Way { link, cacheable };
        assert_eq!(*values.get(way(Link::KeepAlive, false)), 1);
        assert_eq!(*values.get(way(Link::KeepAlive, true)), 0);
        assert_eq!(*values.get(way(Link::Close, true)), 2);
        assert_eq!(*values.get(way(Link::KeepOpen, true)), 4);
        assert_eq!(*values.get(way(Link::Session, false)), 3);
    }

    #[test]
    fn a_value_is_made_once_for_the_first_server() {
        let made = Made::default();
        let ours = HeaderValue::from_static("ours");
        assert_eq!(made.get_or_make(&ours, || 1), Some(&1));
        assert_eq!(made.get_or_make(&ours, || 2), Some(&1));
        assert_eq!(
            made.get_or_make(&HeaderValue::from_static("other"), || 3),
            None
        );
    }
}
