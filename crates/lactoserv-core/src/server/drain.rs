//! Winding an endpoint's connections down at a stop or a reload.
//!
//! Closing an idle HTTP1 connection races with a client that is sending
//! its next request on it at that moment: the request is lost, and the
//! client sees the connection closed under it. That is acceptable when the
//! process exits, but a reload promises no failed request. So a reloading
//! endpoint *retires* its connections instead: each HTTP1 connection
//! answers its next request with `Connection: close` (the client then
//! knows not to reuse it) or ends at its ordinary idle timeout, and each
//! HTTP2 session gets a graceful `GOAWAY`, which the protocol makes
//! race-free. A stop *closes* them (HTTP1 connections idle now are closed
//! at once, the others after their response). Whatever is still open at
//! the end of the grace period is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use atomic_waker::AtomicWaker;
use tokio::sync::watch;
use tokio::time::Instant;

use super::activity::{Activity, Timeouts, Verdict};
use super::winding::{BoxError, Winding};
use crate::log::Logger;

/// How long a retiring HTTP2 session that has had no request yet waits
/// for its first one before it is told to go away.
const FIRST_REQUEST: Duration = Duration::from_secs(1);

/// How often such a session looks whether its first request has come.
const RETIRE_CHECK: Duration = Duration::from_millis(20);

/// How long dropped connections get to finish their logging once the
/// grace period is over.
const ABORT_WAIT: Duration = Duration::from_secs(1);

/// Where an endpoint's connections are in winding down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Serving as usual.
    Serving,
    /// Reloading: close HTTP1 connections after their next response, send
    /// HTTP2 sessions a graceful `GOAWAY`.
    Retiring,
    /// Stopping: close idle connections now, the others after their
    /// response.
    Closing,
    /// The grace period is over: drop every connection.
    Abort,
}

/// The state every connection of one endpoint watches.
#[derive(Debug)]
pub(crate) struct Drain {
    phase: watch::Sender<Phase>,
    /// Whether the phase is past [`Phase::Serving`], read by every HTTP1
    /// response (an atomic load rather than the channel's lock).
    winding_down: AtomicBool,
    /// HTTP2 sessions open, for the endpoint's `shuttingDown` event.
    sessions: AtomicUsize,
}

impl Drain {
    /// A drain with no connections, serving.
    pub(crate) fn new() -> Self {
        Self {
            phase: watch::Sender::new(Phase::Serving),
            winding_down: AtomicBool::new(false),
            sessions: AtomicUsize::new(0),
        }
    }

    /// A new connection's view; the drain counts it until it is dropped.
    pub(crate) fn watcher(&self) -> watch::Receiver<Phase> {
        self.phase.subscribe()
    }

    /// Whether HTTP1 responses should close their connection.
    pub(crate) fn is_winding_down(&self) -> bool {
        self.winding_down.load(Ordering::Relaxed)
    }

    /// Counts an HTTP2 session until the guard is dropped.
    pub(crate) fn session(&self) -> SessionGuard<'_> {
        self.sessions.fetch_add(1, Ordering::Relaxed);
        SessionGuard(self)
    }

    /// Moves every connection to `phase`: retiring (for a reload) or
    /// closing (for a stop).
    pub(crate) fn begin(&self, phase: Phase, logger: &Logger) {
        self.enter(phase, "close", logger);
    }

    /// Waits until every connection has ended or `deadline` passes, and
    /// then drops those left. Whether they all ended in time.
    pub(crate) async fn end(&self, deadline: Instant, logger: &Logger) -> bool {
        if tokio::time::timeout_at(deadline, self.phase.closed())
            .await
            .is_ok()
        {
            return true;
        }
        self.enter(Phase::Abort, "destroy", logger);
        let _ = tokio::time::timeout(ABORT_WAIT, self.phase.closed()).await;
        false
    }

    fn enter(&self, phase: Phase, op: &str, logger: &Logger) {
        self.winding_down.store(true, Ordering::Relaxed);
        let sessions = self.sessions.load(Ordering::Relaxed);
        if sessions > 0 {
            logger.event_with("shuttingDown", || vec![op.into(), sessions.into()]);
        }
        self.phase.send_replace(phase);
    }
}

/// Counts one HTTP2 session as open.
pub(crate) struct SessionGuard<'a>(&'a Drain);

impl Drop for SessionGuard<'_> {
    fn drop(&mut self) {
        self.0.sessions.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How a connection ended.
pub(crate) enum Ending {
    /// The protocol finished (the client closed, or a graceful stop).
    Done,
    /// Idle (no request in progress, no byte moving) for too long.
    Idle,
    /// Nothing moved for too long, a request in progress or not.
    Inactive,
    /// No request arrived in time: a client too slow with its headers.
    HeaderTimeout,
    /// The protocol or the socket failed.
    Error(Box<dyn std::error::Error + Send + Sync>),
    /// Dropped at the end of a stop's grace period.
    Aborted,
}

/// Drives `connection` until it ends, until its time is up under
/// `limits`, or until the drain drops it; in the last two cases it is
/// dropped, which closes the socket. `session` is the logger of an HTTP2
/// session (`None` when logging is off).
pub(crate) async fn drive<C: Winding>(
    connection: C,
    mut phase: watch::Receiver<Phase>,
    http2: bool,
    session: Option<&Logger>,
    activity: &Activity,
    limits: &Timeouts,
) -> Ending {
    tokio::pin!(connection);
    let side = Arc::new(Side {
        woken: AtomicBool::new(true),
        task: AtomicWaker::new(),
    });
    let side_waker = Waker::from(side.clone());
    let mut shut = false;
    // The phase may have moved on while the connection was being set up.
    let mut current = *phase.borrow_and_update();
    let mut wake = match activity.verdict(limits) {
        Verdict::Live(next) => next,
        _ => Instant::now(),
    };
    // When a retiring HTTP2 session that has not had a request yet gets
    // its `GOAWAY` anyway.
    let mut first_request_by: Option<Instant> = None;
    loop {
        let wants_shutdown = match current {
            Phase::Serving => false,
            // A client that has just opened a session has a request on its
            // way: a `GOAWAY` now would cancel it on the client's side
            // before it is sent (clients retry only on sessions that have
            // served before). So a session waits for its first request, or
            // for a moment.
            Phase::Retiring if http2 && !activity.had_requests() => {
                let by = *first_request_by.get_or_insert_with(|| Instant::now() + FIRST_REQUEST);
                if Instant::now() < by {
                    wake = wake.min(Instant::now() + RETIRE_CHECK).min(by);
                    false
                } else {
                    true
                }
            }
            Phase::Retiring => http2,
            Phase::Closing => true,
            Phase::Abort => {
                if let Some(session) = session {
                    session.event("shuttingDown", vec!["destroy".into()]);
                }
                return Ending::Aborted;
            }
        };
        if current == Phase::Closing {
            // A request head half sent when the server stops is not a
            // request in progress: the connection goes now rather than
            // when the client finishes (or the grace period ends).
            if !http2 && activity.reading_head() {
                return Ending::Done;
            }
        }
        if wants_shutdown && !shut {
            shut = true;
            if let Some(session) = session {
                session.event("shuttingDown", vec!["close".into()]);
            }
            connection.as_mut().graceful_shutdown();
        }
        // The connection is polled on every wake; the phase and the timer
        // only when it is they who woke the task (see `Side`).
        let event = {
            let changed = phase.changed();
            let timer = tokio::time::sleep_until(wake);
            tokio::pin!(changed, timer);
            side.woken.store(true, Ordering::Relaxed);
            std::future::poll_fn(|cx| {
                if let Poll::Ready(result) = connection.as_mut().poll_serve(cx) {
                    return Poll::Ready(Event::Ended(result));
                }
                side.task.register(cx.waker());
                if side.woken.swap(false, Ordering::AcqRel) {
                    let mut side_cx = Context::from_waker(&side_waker);
                    if let Poll::Ready(changed) = changed.as_mut().poll(&mut side_cx) {
                        return Poll::Ready(Event::Phase(changed.is_ok()));
                    }
                    if timer.as_mut().poll(&mut side_cx).is_ready() {
                        return Poll::Ready(Event::Timer);
                    }
                }
                Poll::Pending
            })
            .await
        };
        match event {
            Event::Ended(Ok(())) => return Ending::Done,
            Event::Ended(Err(err)) => return Ending::Error(err),
            Event::Phase(changed) => {
                current = if changed {
                    *phase.borrow_and_update()
                } else {
                    Phase::Abort
                };
            }
            Event::Timer => {
                wake = match activity.verdict(limits) {
                    Verdict::Live(next) => next,
                    Verdict::Idle => return Ending::Idle,
                    Verdict::Inactive => return Ending::Inactive,
                    Verdict::HeaderTimeout => return Ending::HeaderTimeout,
                };
            }
        }
    }
}

/// What woke a connection's driver.
enum Event {
    /// The protocol finished.
    Ended(Result<(), BoxError>),
    /// The drain's phase changed (`false`: the drain is gone).
    Phase(bool),
    /// The connection's timer fired.
    Timer,
}

/// The waker a connection's phase watch and timer are polled with: it
/// notes that one of them woke the task, and wakes it. Polling them on
/// every wake instead (as `select!` does) costs more than the rest of the
/// driver's work for a small request.
struct Side {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Side {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use bytes::Bytes;
    use http_body_util::Full;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::server::activity::Tracked;
    use crate::server::limits;

    /// A connection's shared state, as far as the limits go.
    struct Owner(Activity);

    impl AsRef<Activity> for Owner {
        fn as_ref(&self) -> &Activity {
            &self.0
        }
    }

    /// Serves one in-memory HTTP1 connection with the real limits; the
    /// client's end and how serving ended.
    fn serve(drain: &Drain) -> (tokio::io::DuplexStream, tokio::task::JoinHandle<Ending>) {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let owner = std::sync::Arc::new(Owner(Activity::new()));
        let phase = drain.watcher();
        let task = tokio::spawn(async move {
            let service = service_fn(|_request| {
                let owner = owner.clone();
                async move {
                    drop(owner.0.request());
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from("hi"))))
                }
            });
            let stream = Tracked::new(server, owner.clone(), None);
            let connection = limits::http1().serve_connection(TokioIo::new(stream), service);
            drive(connection, phase, false, None, &owner.0, &limits::HTTP1).await
        });
        (client, task)
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_trickling_its_headers_is_cut_off() {
        let drain = Drain::new();
        let (mut client, serving) = serve(&drain);
        let started = Instant::now();
        // One byte every four seconds: never idle, never a whole request.
        for byte in b"GET / HTTP/1.1\r\nHost: a\r\n" {
            if client.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(4)).await;
            if serving.is_finished() {
                break;
            }
        }
        let ending = serving.await.unwrap();
        assert!(matches!(ending, Ending::HeaderTimeout));
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(30) && took < Duration::from_secs(35),
            "{took:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_kept_alive_connection_closes_when_idle() {
        let drain = Drain::new();
        let (mut client, serving) = serve(&drain);
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            .await
            .unwrap();
        let mut answer = vec![0; 1024];
        let n = client.read(&mut answer).await.unwrap();
        assert!(answer[..n].starts_with(b"HTTP/1.1 200 OK"));
        let answered = Instant::now();
        let ending = serving.await.unwrap();
        assert!(matches!(ending, Ending::Idle));
        assert_eq!(answered.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn retiring_closes_an_http1_connection_only_after_its_next_answer() {
        let drain = Drain::new();
        let (mut client, serving) = serve(&drain);
        drain.begin(Phase::Retiring, &Logger::disabled());
        tokio::task::yield_now().await;
        assert!(!serving.is_finished(), "not closed under the client");
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 200 OK"));
        drop(client);
        assert!(
            drain
                .end(Instant::now() + Duration::from_secs(1), &Logger::disabled())
                .await
        );
        let _ = serving.await;
    }
}
