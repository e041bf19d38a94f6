//! The coded variants of one answer: one slot per coding, filled once,
//! either when the answer is made (a precompressed file beside a served
//! one) or by the first request that asks for the coding (compressing the
//! body; requests asking meanwhile wait for the same result).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::HeaderMap;
use lactoserv_core::net::Body;
use tokio::sync::OnceCell;

use super::{Coding, encode, negotiate};
use crate::support::answer::Answer;

/// What a slot holds once filled: the variant, or `None` when coding the
/// body saved nothing (the body then goes as it is).
type Slot = OnceCell<Option<Arc<Answer>>>;

/// The coded variants of an answer.
#[derive(Debug)]
pub(crate) struct Encoded {
    /// The codings offered, most preferred first.
    codings: Vec<Coding>,
    /// The body compressed for codings not given ready; `None` when only
    /// ready ones are offered (a file too large to compress).
    source: Option<Bytes>,
    slots: [Slot; Coding::ALL.len()],
    /// Bytes held by the variants in memory.
    bytes: AtomicU64,
}

impl Encoded {
    /// Variants of a body whose bytes are `source` (if it is compressed
    /// here), offering `codings` in that order.
    pub(crate) fn new(codings: Vec<Coding>, source: Option<Bytes>) -> Self {
        Self {
            codings,
            source,
            slots: Default::default(),
            bytes: AtomicU64::new(0),
        }
    }

    /// Gives `variant` for `coding`, ready (a precompressed file); a
    /// coding not offered yet is offered after the others.
    pub(crate) fn with_ready(mut self, coding: Coding, variant: Answer) -> Self {
        self.bytes.fetch_add(variant.held(), Ordering::Relaxed);
        self.slots[coding.index()] = OnceCell::new_with(Some(Some(Arc::new(variant))));
        if !self.codings.contains(&coding) {
            self.codings.push(coding);
        }
        self
    }

    /// The coding a request with `headers` gets, if any.
    pub(crate) fn choose(&self, headers: &HeaderMap) -> Option<Coding> {
        negotiate::choose(headers, &self.codings)
    }

    /// The variant for `coding` if it is made: `Some(None)` when there is
    /// none to be had (the body goes as it is); `None` when it is not
    /// made yet.
    pub(crate) fn ready(&self, coding: Coding) -> Option<Option<&Arc<Answer>>> {
        self.slots[coding.index()].get().map(Option::as_ref)
    }

    /// The variant for `coding`, made now from `identity` if it was not,
    /// and whether it was.
    pub(crate) async fn get(
        &self,
        coding: Coding,
        identity: &Answer,
    ) -> (Option<Arc<Answer>>, bool) {
        let mut made = false;
        let variant = self.slots[coding.index()]
            .get_or_init(|| async {
                made = true;
                let source = self.source.clone()?;
                let coded = encode::compressed(coding, source).await?;
                self.bytes.fetch_add(coded.len() as u64, Ordering::Relaxed);
                let len = coded.len() as u64;
                let etag = identity.etag().map(|etag| coding.tag(etag));
                Some(Arc::new(identity.coded(
                    coding,
                    Body::Full(coded),
                    len,
                    etag,
                )))
            })
            .await;
        (variant.clone(), made)
    }

    /// Bytes held by the variants in memory.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}
