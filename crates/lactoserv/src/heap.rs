//! SIGUSR2's heap dump (spec 01 LIFE-19 to LIFE-23): a jemalloc heap profile
//! (the allocator samples allocations as the program runs; see
//! `MALLOC_CONF` in `main.rs`), written to the first writable of the working
//! directory, `$HOME`, `$TMPDIR` and `/tmp` as
//! `lactoserv-YYYY-MM-DD_HHMMSS.heap`. Read it with `jeprof` (see
//! docs/deployment.md).

// jemalloc's control interface takes raw pointers; the two calls below are
// the only unsafe code, each with its reason.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::path::{Path, PathBuf};

use lactoserv_core::log::{LogValue, Logger};
use lactoserv_core::quant::Moment;

use crate::PRODUCT_NAME;

/// Writes a heap profile, logging progress on `host` (the `host` logger);
/// a failure is logged and the server keeps running.
pub(crate) fn dump(host: &Logger) {
    let signal = host.child("signal").child("SIGUSR2");
    let log = host.child("heap-dump");
    signal.event("dumping", Vec::new());
    match write_profile(&log) {
        Ok(()) => signal.event("dumped", Vec::new()),
        Err(message) => log.event(
            "error",
            vec![LogValue::error("Error", &std::io::Error::other(message))],
        ),
    }
}

fn write_profile(log: &Logger) -> Result<(), String> {
    // SAFETY: `opt.prof` is a read-only boolean jemalloc option.
    let profiling = unsafe { tikv_jemalloc_ctl::raw::read::<bool>(b"opt.prof\0") };
    if !profiling.unwrap_or(false) {
        return Err("Heap profiling is not available in this build.".into());
    }
    let path = file_path()?;
    let shown = path.display().to_string();
    log.event("dumpingTo", vec![shown.clone().into()]);
    let c_path = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| format!("Cannot write a heap dump to {shown}"))?;
    // SAFETY: `prof.dump` takes a pointer to a NUL-terminated file name,
    // which `c_path` is and outlives the call.
    unsafe { tikv_jemalloc_ctl::raw::write(b"prof.dump\0", c_path.as_ptr()) }
        .map_err(|err| format!("Cannot write a heap dump to {shown}: {err}"))?;
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    log.event(
        "wrote",
        vec![LogValue::object([
            ("bytes", LogValue::from(bytes)),
            ("chunks", LogValue::from(1)),
        ])],
    );
    log.event("dumpedTo", vec![shown.into()]);
    Ok(())
}

/// The dump's path in the first directory where it can be created.
fn file_path() -> Result<PathBuf, String> {
    let name = format!("{PRODUCT_NAME}-{}.heap", stamp(Moment::now()));
    let non_empty = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let candidates = [
        std::env::current_dir().ok(),
        non_empty("HOME"),
        non_empty("TMPDIR"),
        Some(PathBuf::from("/tmp")),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|dir| absolute(&dir).join(&name))
        .find(|path| std::fs::File::create(path).is_ok())
        .ok_or_else(|| "Could not find a writable directory for a heap dump.".to_owned())
}

fn absolute(dir: &Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned())
}

/// `YYYY-MM-DD_HHMMSS` in UTC.
fn stamp(now: Moment) -> String {
    now.to_human_text(0).replace(' ', "_").replace(':', "")
}

/// Bytes the allocator has handed out and not taken back (jemalloc's
/// `stats.allocated`, refreshed first).
pub(crate) fn allocated() -> Option<u64> {
    tikv_jemalloc_ctl::epoch::advance().ok()?;
    tikv_jemalloc_ctl::stats::allocated::read()
        .ok()
        .and_then(|bytes| u64::try_from(bytes).ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_name_stamp_has_no_colons() {
        let moment = lactoserv_core::quant::Moment::new(1_795_798_677.0);
        assert_eq!(super::stamp(moment), "2026-11-27_165757");
    }
}
