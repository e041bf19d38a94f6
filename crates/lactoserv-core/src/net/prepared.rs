//! Responses prepared once and sent many times (a `SimpleResponse`, a
//! cached file). The server's writers keep with each what they derive from
//! it once (the complete header map they send, the header lines of an
//! HTTP/1.1 head) and copy that from then on, instead of putting headers
//! together one by one (each a hash-table insert) on every request.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};

use super::Response;

/// How many kinds of derived data a prepared response can hold: one per
/// writer that keeps some.
const DERIVED: usize = 2;

/// A response prepared once; [`Prepared::response`] makes each answer.
#[derive(Clone)]
pub struct Prepared(Arc<Inner>);

struct Inner {
    response: Response,
    /// What writers derived from the response, one value of each type.
    derived: [OnceLock<Box<dyn Any + Send + Sync>>; DERIVED],
}

impl Prepared {
    /// Prepares `response`.
    pub fn new(response: Response) -> Self {
        Self(Arc::new(Inner {
            response,
            derived: Default::default(),
        }))
    }

    /// The prepared response, to answer a request with. Headers an
    /// application adds to it are sent too, replacing prepared ones of the
    /// same name.
    pub fn response(&self) -> Response {
        let prepared = &self.0.response;
        let mut response = Response::new(prepared.status, prepared.body.clone());
        response.prepared = Some(self.clone());
        response
    }

    /// What was prepared.
    pub fn template(&self) -> &Response {
        &self.0.response
    }

    /// The value of type `T` kept with this response (made empty the first
    /// time it is asked for), for the server's writers to fill in. `None`
    /// if every slot holds another type.
    pub(crate) fn derived<T: Any + Send + Sync + Default>(&self) -> Option<&T> {
        self.0.derived.iter().find_map(|slot| {
            slot.get_or_init(|| Box::new(T::default()))
                .downcast_ref::<T>()
        })
    }
}

impl PartialEq for Prepared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Prepared {}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Prepared").field(&self.0.response).finish()
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;
    use crate::net::Body;

    #[test]
    fn each_kind_of_derived_data_has_its_own_slot() {
        let prepared = Prepared::new(Response::new(StatusCode::OK, Body::Empty));
        let first = prepared.derived::<OnceLock<u32>>().unwrap();
        first.set(7).unwrap();
        let second = prepared.derived::<OnceLock<String>>().unwrap();
        second.set("x".into()).unwrap();
        assert_eq!(prepared.derived::<OnceLock<u32>>().unwrap().get(), Some(&7));
        let copy = prepared.clone();
        assert_eq!(
            copy.derived::<OnceLock<String>>().unwrap().get().unwrap(),
            "x"
        );
        assert!(copy.derived::<OnceLock<u8>>().is_none(), "two slots");
    }
}
