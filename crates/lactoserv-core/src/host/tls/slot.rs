//! A host's certificate as handshakes find it: set once for a host with a
//! certificate of its own, replaced while the server runs for a host
//! whose certificates come from an ACME authority (`host::acme`). A
//! handshake takes the certificate in the slot when it starts; one that
//! has started keeps the one it took, so a replacement drops no
//! connection.

use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use rustls::sign::CertifiedKey;
use tokio::sync::Notify;

/// A host's current certificate and key.
#[derive(Debug)]
pub struct KeySlot {
    key: RwLock<Arc<CertifiedKey>>,
    /// Told when the slot goes (with its configuration), so that whoever
    /// fills it can stop at once rather than at its next wake.
    on_drop: OnceLock<Arc<Notify>>,
}

impl KeySlot {
    /// A slot holding `key`.
    pub fn new(key: Arc<CertifiedKey>) -> Self {
        Self {
            key: RwLock::new(key),
            on_drop: OnceLock::new(),
        }
    }

    /// The certificate and key now.
    pub fn get(&self) -> Arc<CertifiedKey> {
        // A read lock held for a clone: uncontended but at a replacement,
        // and a handshake costs far more.
        Arc::clone(&self.key.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `key` in place of what the slot holds, for the handshakes that
    /// start from now on.
    pub fn replace(&self, key: Arc<CertifiedKey>) {
        *self.key.write().unwrap_or_else(PoisonError::into_inner) = key;
    }

    /// Has `notify` told when the slot is dropped (once: a second call
    /// changes nothing).
    pub fn notify_on_drop(&self, notify: Arc<Notify>) {
        let _ = self.on_drop.set(notify);
    }
}

impl Drop for KeySlot {
    fn drop(&mut self) {
        if let Some(notify) = self.on_drop.get() {
            notify.notify_one();
        }
    }
}
