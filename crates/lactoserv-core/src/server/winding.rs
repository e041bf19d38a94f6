//! What drives a connection: hyper's HTTP1 and HTTP2 connections, and the
//! server's own HTTP1 loop, as one kind of thing.

use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::server::graceful::GracefulConnection;

/// An error that ended a connection.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connection as [`super::drain::drive`] runs it: hyper's, or the server's own HTTP1
/// one (see `http1`).
pub(crate) trait Winding {
    /// Serves the connection until it ends.
    fn poll_serve(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>>;

    /// Asks the connection to end once its requests in progress are
    /// answered.
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<C> Winding for C
where
    C: GracefulConnection,
    C::Error: std::error::Error + Send + Sync + 'static,
{
    fn poll_serve(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.poll(cx).map_err(|err| Box::new(err) as BoxError)
    }

    fn graceful_shutdown(self: Pin<&mut Self>) {
        GracefulConnection::graceful_shutdown(self);
    }
}
