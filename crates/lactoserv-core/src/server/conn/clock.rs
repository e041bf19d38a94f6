//! Linux's coarse clocks, read without asking the hardware: a few
//! nanoseconds, against tens for the precise clocks on a virtual machine,
//! and exact to a few milliseconds, which is enough for what is timed in
//! seconds (connection timeouts, the `date` header).

/// Milliseconds on the coarse monotonic clock (zero where there is none).
pub(crate) fn coarse_millis() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let (seconds, nanos) = coarse_clock(libc::CLOCK_MONOTONIC_COARSE);
        seconds * 1000 + nanos / 1_000_000
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// Nanoseconds on the precise monotonic clock, read straight into one
/// number (for timing requests, which only subtract two readings).
#[inline]
pub(crate) fn monotonic_nanos() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let (seconds, nanos) = coarse_clock(libc::CLOCK_MONOTONIC);
        seconds * 1_000_000_000 + nanos
    }
    #[cfg(not(target_os = "linux"))]
    {
        static START: std::sync::LazyLock<std::time::Instant> =
            std::sync::LazyLock::new(std::time::Instant::now);
        u64::try_from(START.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// Seconds since the Unix epoch, read on the coarse clock where there is
/// one (for the `date` header, which is exact to the second anyway).
pub(crate) fn coarse_unix_seconds() -> u64 {
    #[cfg(target_os = "linux")]
    {
        coarse_clock(libc::CLOCK_REALTIME_COARSE).0
    }
    #[cfg(not(target_os = "linux"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs())
    }
}

/// Seconds and nanoseconds on one of Linux's clocks (the coarse ones,
/// and the precise monotonic one).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn coarse_clock(clock: libc::clockid_t) -> (u64, u64) {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid `timespec` for the call to fill in; the
    // coarse clocks always exist on Linux, so the call cannot fail.
    unsafe { libc::clock_gettime(clock, &mut now) };
    (
        u64::try_from(now.tv_sec).unwrap_or(0),
        u64::try_from(now.tv_nsec).unwrap_or(0),
    )
}
