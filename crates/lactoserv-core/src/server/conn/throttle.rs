//! The write side of a connection limited by a data rate limiter (spec 02
//! §5.4, Lactoserv `RateLimitedStream`): below TLS, every byte written
//! takes a token from the limiter's bucket, shared by all the connections
//! it limits. A write takes what the bucket has at once (up to the whole
//! write); otherwise it queues for at most `maxQueueGrant` bytes. A
//! denial (queue full, or the limiter stopping) breaks the connection.
//! Reads are not limited, and closing the connection is never held up
//! (the reference's limiter swallowed the end of the stream; spec 02
//! DRL-7).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use crate::bucket::{Grant, TokenBucket};
use crate::log::{LogValue, Logger};
use crate::quant::Duration as Span;
use crate::service::DataLimit;

/// One connection's share of a data rate limiter.
pub(crate) struct Throttle {
    bucket: Arc<TokenBucket>,
    /// Bytes granted and not yet written.
    credit: usize,
    /// A request for tokens waiting in the bucket's queue.
    waiting: Option<Pin<Box<dyn Future<Output = Grant> + Send>>>,
    /// `…conn.<id>.dataRateLimiter`.
    logger: Logger,
    verbose: bool,
}

impl Throttle {
    /// The throttle of a connection limited by `limit`, logging on the
    /// connection's `logger`.
    pub(crate) fn new(limit: &DataLimit, connection: &Logger) -> Self {
        let logger = if connection.is_enabled() {
            connection.child("dataRateLimiter")
        } else {
            Logger::disabled()
        };
        logger.event("started", Vec::new());
        Self {
            bucket: limit.bucket.clone(),
            credit: 0,
            waiting: None,
            logger,
            verbose: limit.verbose,
        }
    }

    /// How many of the `want` bytes about to be written may go now, once
    /// the bucket has granted some; an error if it refuses.
    pub(crate) fn poll_allowance(
        &mut self,
        cx: &mut Context<'_>,
        want: usize,
    ) -> Poll<io::Result<usize>> {
        if want == 0 {
            return Poll::Ready(Ok(0));
        }
        if self.credit == 0 {
            if self.waiting.is_none() {
                if self.verbose {
                    self.logger.event("writing", vec![want.into()]);
                }
                // Most writes find tokens there: no queueing, no allocation.
                match self.bucket.grant_now(1.0, want as f64) {
                    Some(grant) => self.credit = grant as usize,
                    None => {
                        let bucket = self.bucket.clone();
                        let max = want as f64;
                        self.waiting =
                            Some(Box::pin(async move { bucket.request(1.0, max).await }));
                    }
                }
            }
            if let Some(waiting) = &mut self.waiting {
                let grant = ready!(waiting.as_mut().poll(cx));
                self.waiting = None;
                if !grant.done {
                    let reason = grant.reason.as_str();
                    self.logger.event_with("denied", || {
                        vec![LogValue::object([
                            ("length", LogValue::from(want)),
                            ("remaining", LogValue::from(want)),
                            ("reason", LogValue::from(reason)),
                        ])]
                    });
                    return Poll::Ready(Err(io::Error::other(format!("Rate limited: {reason}"))));
                }
                if self.verbose && !grant.waited.is_zero() {
                    self.logger.event_with("waited", || {
                        vec![LogValue::duration(Span::new(grant.waited.as_secs_f64()))]
                    });
                }
                self.credit = grant.grant as usize;
            }
        }
        Poll::Ready(Ok(self.credit.min(want)))
    }

    /// Records that `written` bytes of the allowance went out.
    pub(crate) fn spent(&mut self, written: usize) {
        self.credit = self.credit.saturating_sub(written);
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::time::Duration;

    use super::*;
    use crate::bucket::BucketSettings;

    fn limit(max_queue: Option<f64>) -> DataLimit {
        DataLimit {
            bucket: TokenBucket::new(BucketSettings {
                flow_rate: 1000.0,
                max_burst: 100.0,
                initial_burst: 100.0,
                max_queue,
                max_queue_grant: 50.0,
            }),
            verbose: false,
        }
    }

    async fn allowance(throttle: &mut Throttle, want: usize) -> io::Result<usize> {
        poll_fn(|cx| throttle.poll_allowance(cx, want)).await
    }

    #[tokio::test(start_paused = true)]
    async fn writes_take_the_burst_then_queue_for_the_grant_size() {
        let mut throttle = Throttle::new(&limit(None), &Logger::disabled());
        assert_eq!(allowance(&mut throttle, 300).await.unwrap(), 100);
        throttle.spent(60);
        // The rest of the credit first, without asking the bucket.
        assert_eq!(allowance(&mut throttle, 300).await.unwrap(), 40);
        throttle.spent(40);
        let started = tokio::time::Instant::now();
        assert_eq!(allowance(&mut throttle, 300).await.unwrap(), 50);
        assert_eq!(started.elapsed(), Duration::from_millis(50));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_or_a_stopped_limiter_breaks_the_write() {
        let limit = limit(Some(50.0));
        let mut first = Throttle::new(&limit, &Logger::disabled());
        let mut second = Throttle::new(&limit, &Logger::disabled());
        assert_eq!(allowance(&mut first, 100).await.unwrap(), 100);
        first.spent(100);
        // `first` queues for 50 (the queue's limit); `second` finds it full.
        let queued = tokio::spawn(async move { allowance(&mut first, 100).await });
        tokio::task::yield_now().await;
        let err = allowance(&mut second, 10).await.unwrap_err();
        assert_eq!(err.to_string(), "Rate limited: full");
        limit.bucket.deny_all();
        let err = queued.await.unwrap().unwrap_err();
        assert_eq!(err.to_string(), "Rate limited: stopping");
    }
}
