//! Compressing a body, once per version and coding: on tokio's blocking
//! threads (never a worker's), at most one at a time per core, at the
//! highest level the body's size makes affordable (`docs/compression.md`
//! has the measured costs behind [`level`]).

use std::io::Write as _;
use std::sync::LazyLock;

use bytes::Bytes;
use tokio::sync::Semaphore;

use super::Coding;

/// Bodies up to this size get each coding's highest level (Brotli 11,
/// zstd 19, gzip 9: about 100, 30 and 1 ms for 64 KiB of HTML here);
/// larger ones, up to the cache's 1 MiB, a level that keeps a body under
/// about 60 ms (Brotli's 11 costs 15 to 30 times its 9).
const HIGHEST_UP_TO: usize = 64 * 1024;

/// Compressions under way at once, on the blocking threads: one per core,
/// so that a flood of first requests for many files queues here rather
/// than taking every thread and core.
static AT_ONCE: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Semaphore::new(cores)
});

/// The level `coding` uses for `len` bytes.
pub(crate) fn level(coding: Coding, len: usize) -> u32 {
    let highest = len <= HIGHEST_UP_TO;
    match (coding, highest) {
        (Coding::Br, true) => 11,
        (Coding::Br, false) => 9,
        (Coding::Zstd, true) => 19,
        (Coding::Zstd, false) => 15,
        (Coding::Gzip, _) => 9,
    }
}

/// `data` compressed with `coding`, made on a blocking thread; `None` if
/// that failed or saved nothing (the body then goes as it is).
pub(crate) async fn compressed(coding: Coding, data: Bytes) -> Option<Bytes> {
    let _turn = AT_ONCE.acquire().await.ok()?;
    let len = data.len();
    let made = tokio::task::spawn_blocking(move || compress(coding, &data))
        .await
        .ok()?
        .ok()?;
    (made.len() < len).then(|| Bytes::from(made))
}

/// `data` compressed with `coding`, here and now.
pub(crate) fn compress(coding: Coding, data: &[u8]) -> std::io::Result<Vec<u8>> {
    let level = level(coding, data.len());
    match coding {
        Coding::Br => {
            let params = brotli::enc::BrotliEncoderParams {
                quality: level as i32,
                size_hint: data.len(),
                ..Default::default()
            };
            let mut out = Vec::with_capacity(data.len() / 3);
            brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
            Ok(out)
        }
        Coding::Zstd => zstd::bulk::compress(data, level as i32),
        Coding::Gzip => {
            let out = Vec::with_capacity(data.len() / 3);
            let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::new(level));
            encoder.write_all(data)?;
            encoder.finish()
        }
    }
}
