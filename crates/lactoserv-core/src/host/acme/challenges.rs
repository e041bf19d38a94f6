//! The http-01 answers the server gives while an order waits for the
//! authority to look: a token's key authorization, served at
//! `/.well-known/acme-challenge/<token>` on `http` endpoints before any
//! routing.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// The path prefix the authority asks under.
pub const PREFIX: &str = "/.well-known/acme-challenge/";

/// Tokens and the key authorizations to answer them with.
#[derive(Debug, Default)]
pub struct Http01Tokens(RwLock<HashMap<String, String>>);

impl Http01Tokens {
    /// Answers `token` with `key_authorization` from now on.
    pub fn publish(&self, token: &str, key_authorization: &str) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.to_owned(), key_authorization.to_owned());
    }

    /// Stops answering `token`.
    pub fn withdraw(&self, token: &str) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(token);
    }

    /// The answer to a request for `path`, if it asks for a published
    /// token.
    pub fn answer(&self, path: &str) -> Option<String> {
        let token = path.strip_prefix(PREFIX)?;
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(token)
            .cloned()
    }
}
