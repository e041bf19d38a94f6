//! Writing a response's body after its head, framed as the head says.

use std::io;
use std::pin::Pin;

use bytes::Bytes;
use hyper::body::Body as _;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::encode::{Framing, Plan};
use crate::server::conn::drive::BoxError;
use crate::server::response::body::ResponseBody;

/// Bodies up to this size are copied behind the head, to go out in one
/// write; larger ones are written from where they are.
pub(super) const COPIED_BODY: usize = 16 * 1024;

/// Writes a response whose head is in `out` (emptied), then its body as
/// `plan` frames it.
pub(crate) async fn write_body<S>(
    io: &mut S,
    out: &mut Vec<u8>,
    mut body: ResponseBody,
    plan: Plan,
) -> Result<(), BoxError>
where
    S: AsyncWrite + Unpin,
{
    let mut left = match plan.framing {
        Framing::Length(0) => {
            drop(body);
            io.write_all(out).await?;
            out.clear();
            return Ok(io.flush().await?);
        }
        Framing::Length(len) => Some(len),
        Framing::Chunked => None,
    };
    let chunked = plan.framing == Framing::Chunked;
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        let mut data = match frame {
            Some(frame) => match frame?.into_data() {
                Ok(data) => data,
                // Trailers are not sent.
                Err(_) => continue,
            },
            None if left.is_some_and(|left| left > 0) => {
                return Err(io::Error::other("response body ended before its length").into());
            }
            None => break,
        };
        if let Some(left) = &mut left {
            // A body longer than announced is cut at the length.
            data.truncate(usize::try_from(*left).unwrap_or(usize::MAX));
            *left -= data.len() as u64;
        }
        if chunked {
            if data.is_empty() {
                continue;
            }
            out.extend_from_slice(format!("{:X}\r\n", data.len()).as_bytes());
        }
        send(io, out, data).await?;
        if chunked {
            out.extend_from_slice(b"\r\n");
        }
        if left == Some(0) || body.is_end_stream() {
            break;
        }
    }
    drop(body);
    if chunked {
        out.extend_from_slice(b"0\r\n\r\n");
    }
    if !out.is_empty() {
        io.write_all(out).await?;
        out.clear();
    }
    Ok(io.flush().await?)
}

/// Writes what is in `out`, then `data`: together as one write when `data`
/// is small.
async fn send<S: AsyncWrite + Unpin>(io: &mut S, out: &mut Vec<u8>, data: Bytes) -> io::Result<()> {
    if data.len() <= COPIED_BODY {
        out.extend_from_slice(&data);
        return Ok(());
    }
    let mut head = &out[..];
    let mut data = &data[..];
    while !head.is_empty() {
        let slices = [io::IoSlice::new(head), io::IoSlice::new(data)];
        let n = io.write_vectored(&slices).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        let from_head = n.min(head.len());
        head = &head[from_head..];
        data = &data[n - from_head..];
    }
    out.clear();
    io.write_all(data).await
}
