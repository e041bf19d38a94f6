//! A host's certificate as handshakes find it: set once for a host with a
//! certificate of its own, replaced while the server runs for a host
//! whose certificates come from an ACME authority (`host::acme`). A
//! handshake takes the certificate in the slot when it starts; one that
//! has started keeps the one it took, so a replacement drops no
//! connection.

use std::sync::{Arc, PoisonError, RwLock};

use rustls::sign::CertifiedKey;

/// A host's current certificate and key.
#[derive(Debug)]
pub struct KeySlot(RwLock<Arc<CertifiedKey>>);

impl KeySlot {
    /// A slot holding `key`.
    pub fn new(key: Arc<CertifiedKey>) -> Self {
        Self(RwLock::new(key))
    }

    /// The certificate and key now.
    pub fn get(&self) -> Arc<CertifiedKey> {
        // A read lock held for a clone: uncontended but at a replacement,
        // and a handshake costs far more.
        Arc::clone(&self.0.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `key` in place of what the slot holds, for the handshakes that
    /// start from now on.
    pub fn replace(&self, key: Arc<CertifiedKey>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = key;
    }
}
