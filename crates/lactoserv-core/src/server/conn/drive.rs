//! Driving one connection to its end: polling the protocol (hyper's HTTP1
//! or HTTP2 connection, or the server's own HTTP1 loop), and beside it the
//! endpoint's stop signal and the connection's one timer, which ends it when
//! it has been idle or inactive too long (see `activity`).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use atomic_waker::AtomicWaker;
use hyper_util::server::graceful::GracefulConnection;
use tokio::sync::watch;
use tokio::time::Instant;

use super::activity::{Activity, Timeouts, Verdict};
use super::stop::Phase;
use crate::log::Logger;

/// How long a retiring HTTP2 session that has had no request yet waits
/// for its first one before it is told to go away.
const FIRST_REQUEST: Duration = Duration::from_secs(1);

/// How often such a session looks whether its first request has come.
const RETIRE_CHECK: Duration = Duration::from_millis(20);

/// An error that ended a connection.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connection as [`drive`] runs it: hyper's, or the server's own HTTP1
/// loop.
pub(crate) trait Driven {
    /// Serves the connection until it ends.
    fn poll_serve(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>>;

    /// Asks the connection to end once its requests in progress are
    /// answered (an HTTP2 `GOAWAY`).
    fn begin_shutdown(self: Pin<&mut Self>);
}

impl<C> Driven for C
where
    C: GracefulConnection,
    C::Error: std::error::Error + Send + Sync + 'static,
{
    fn poll_serve(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.poll(cx).map_err(|err| Box::new(err) as BoxError)
    }

    fn begin_shutdown(self: Pin<&mut Self>) {
        GracefulConnection::graceful_shutdown(self);
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
/// `limits`, or until the stop signal drops it; in the last two cases it is
/// dropped, which closes the socket. `session` is the logger of an HTTP2
/// session (`None` when logging is off).
pub(crate) async fn drive<C: Driven>(
    connection: C,
    phase: &mut watch::Receiver<Phase>,
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
            Phase::Aborting => {
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
            connection.as_mut().begin_shutdown();
        }
        // The connection is polled on every wake; the phase and the timer
        // only when it is they who woke the task (see `Side`).
        let event = {
            let changed = phase.changed();
            let timer = tokio::time::sleep_until(wake);
            tokio::pin!(changed, timer);
            side.woken.store(true, Ordering::Relaxed);
            std::future::poll_fn(|cx| {
                activity.tick();
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
                    Phase::Aborting
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
    /// The stop signal's phase changed (`false`: the signal is gone).
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
    use crate::server::conn::limits;
    use crate::server::conn::stop::StopSignal;
    use crate::server::conn::tracked::Tracked;

    /// A connection's shared state, as far as the limits go.
    struct Owner(Activity);

    impl AsRef<Activity> for Owner {
        fn as_ref(&self) -> &Activity {
            &self.0
        }
    }

    /// Serves one in-memory HTTP1 connection with the real limits; the
    /// client's end and how serving ended.
    fn serve(signal: &StopSignal) -> (tokio::io::DuplexStream, tokio::task::JoinHandle<Ending>) {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let owner = std::sync::Arc::new(Owner(Activity::new()));
        let mut phase = signal.watch();
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
            drive(
                connection,
                &mut phase,
                false,
                None,
                &owner.0,
                &limits::HTTP1,
            )
            .await
        });
        (client, task)
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_trickling_its_headers_is_cut_off() {
        let signal = StopSignal::new();
        let (mut client, serving) = serve(&signal);
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
        let signal = StopSignal::new();
        let (mut client, serving) = serve(&signal);
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
        let signal = StopSignal::new();
        let (mut client, serving) = serve(&signal);
        signal.begin(Phase::Retiring, &Logger::disabled());
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
            signal
                .end(Instant::now() + Duration::from_secs(1), &Logger::disabled())
                .await
        );
        let _ = serving.await;
    }
}
